//! Indexes, enums, domains, composite types, schemas and triggers.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ConstrType};

use super::{is, strings};
use crate::model::apply::Applier;
use crate::model::schema::{Column, Domain, QualName};

impl Applier<'_> {
    // ---- other objects --------------------------------------------------------

    pub(super) fn create_enum(&mut self, s: &pb::CreateEnumStmt) {
        let q = self.qual_from_list(&strings(&s.type_name));
        if self.type_exists(&q) {
            self.error_at(
                self.locate(&q.name),
                format!("type \"{q}\" already exists"),
                Some("drop it first or pick another name".to_owned()),
            );
            return;
        }
        self.schema.enums.insert(q, strings(&s.vals));
    }

    pub(super) fn type_exists(&self, q: &QualName) -> bool {
        self.schema.enums.contains_key(q)
            || self.schema.domains.contains_key(q)
            || self.schema.composites.contains_key(q)
    }

    pub(super) fn alter_enum(&mut self, s: &pb::AlterEnumStmt) {
        let names = strings(&s.type_name);
        let Some(q) = self.resolve_list(&names, &self.schema.enums) else {
            let q = self.qual_from_list(&names);
            self.error_at(
                self.locate(&q.name),
                format!("type \"{q}\" does not exist"),
                None,
            );
            return;
        };
        let Some(labels) = self.schema.enums.get_mut(&q) else {
            return;
        };
        if !s.old_val.is_empty() {
            match labels.iter_mut().find(|l| **l == s.old_val) {
                Some(l) => *l = s.new_val.clone(),
                None => {
                    let msg = format!(
                        "\"{}\" is not an existing enum label of type \"{q}\"",
                        s.old_val
                    );
                    self.error_at(self.locate(&s.old_val), msg, None);
                }
            }
            return;
        }
        if labels.contains(&s.new_val) {
            if !s.skip_if_new_val_exists {
                let msg = format!(
                    "enum label \"{}\" already exists in type \"{q}\"",
                    s.new_val
                );
                self.error_at(
                    self.locate(&s.new_val),
                    msg,
                    Some("add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let at = if s.new_val_neighbor.is_empty() {
            labels.len()
        } else {
            match labels.iter().position(|l| *l == s.new_val_neighbor) {
                Some(i) if s.new_val_is_after => i + 1,
                Some(i) => i,
                None => labels.len(),
            }
        };
        labels.insert(at, s.new_val.clone());
    }

    pub(super) fn create_domain(&mut self, s: &pb::CreateDomainStmt) {
        let q = self.qual_from_list(&strings(&s.domainname));
        let Some(tn) = &s.type_name else { return };
        let Some((base, _)) = self.resolve_type(tn) else {
            return;
        };
        let not_null = s.constraints.iter().any(|c| {
            matches!(&c.node, Some(NodeEnum::Constraint(c)) if is(c.contype, ConstrType::ConstrNotnull))
        });
        self.schema.domains.insert(q, Domain { base, not_null });
    }

    /// ALTER DOMAIN: SET / DROP NOT NULL and a NOT NULL constraint added
    /// change what information_schema says of its columns. A dropped named
    /// constraint may be its NOT NULL one, which the model does not name: the
    /// tables with columns of the domain become opaque.
    pub(super) fn alter_domain(&mut self, s: &pb::AlterDomainStmt) {
        let names = strings(&s.type_name);
        let Some(q) = self.resolve_list(&names, &self.schema.domains) else {
            return;
        };
        let adds_not_null = s.subtype == "C"
            && matches!(s.def.as_ref().and_then(|d| d.node.as_ref()),
                Some(NodeEnum::Constraint(c)) if is(c.contype, ConstrType::ConstrNotnull));
        let not_null = match s.subtype.as_str() {
            "O" => Some(true),
            "N" => Some(false),
            _ if adds_not_null => Some(true),
            _ => None,
        };
        let Some(d) = self.schema.domains.get_mut(&q) else {
            return;
        };
        if let Some(n) = not_null {
            d.not_null = n;
        } else if s.subtype == "X" && d.not_null {
            let users: Vec<QualName> = self
                .schema
                .tables
                .values()
                .filter(|t| {
                    t.columns.iter().any(|c| {
                        c.ty.schema.as_deref() == Some(q.schema.as_str()) && c.ty.name == q.name
                    })
                })
                .map(|t| t.name.clone())
                .collect();
            for t in users {
                self.make_opaque(
                    t,
                    "ALTER DOMAIN ... DROP CONSTRAINT may have dropped the domain's NOT NULL",
                );
            }
        }
    }

    pub(super) fn create_composite(&mut self, s: &pb::CompositeTypeStmt) {
        let Some(rv) = &s.typevar else { return };
        let q = self.qual_for_create(&rv.schemaname, &rv.relname);
        let mut cols = Vec::new();
        for c in &s.coldeflist {
            let Some(NodeEnum::ColumnDef(cd)) = &c.node else {
                continue;
            };
            let Some(tn) = &cd.type_name else { continue };
            if let Some((ty, _)) = self.resolve_type(tn) {
                cols.push(Column {
                    name: cd.colname.clone(),
                    ty,
                    nullable: true,
                    has_default: false,
                    identity: None,
                    generated: false,
                    sequence: None,
                });
            }
        }
        self.schema.composites.insert(q, cols);
    }

    pub(super) fn create_schema(&mut self, s: &pb::CreateSchemaStmt) {
        // CREATE SCHEMA AUTHORIZATION role: the schema is named after the role.
        let name = match (&s.schemaname, &s.authrole) {
            (n, _) if !n.is_empty() => n.clone(),
            // PostgreSQL's default search path starts with "$user": if the
            // migrating role is this one, unqualified names now resolve in the
            // new schema, and the model does not know the role.
            (_, Some(r)) if !r.rolename.is_empty() => {
                self.lose(&format!(
                    "schema \"{}\" is named after a role; if migrations run as that role, unqualified names resolve in it",
                    r.rolename
                ));
                r.rolename.clone()
            }
            _ => {
                self.lose(
                    "the schema is named after the current role, which the model does not know",
                );
                return;
            }
        };
        if self.schema.schemas.contains(&name) {
            if !s.if_not_exists {
                self.error_at(
                    self.locate(&name),
                    format!("schema \"{name}\" already exists"),
                    Some("add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        self.schema.schemas.insert(name.clone());
        // Its elements are created in it, as if it led the search path.
        let saved = std::mem::replace(&mut self.search_path, vec![name]);
        for e in &s.schema_elts {
            if let Some(n) = &e.node {
                self.node(n);
            }
        }
        self.search_path = saved;
    }

    /// CREATE TYPE name (a base type, or a shell), AS RANGE: known by name (a
    /// range brings its multirange, as PostgreSQL 14 and later make it).
    pub(super) fn create_other_type(&mut self, names: &[String], range: bool) {
        let q = self.qual_from_list(names);
        if self.type_exists(&q) {
            // A base type's definition fills in a shell type created earlier.
            if range {
                self.error_at(
                    self.locate(&q.name),
                    format!("type \"{q}\" already exists"),
                    Some("drop it first or pick another name".to_owned()),
                );
            }
            return;
        }
        if range {
            self.schema.other_types.insert(multirange_of(&q));
        }
        self.schema.other_types.insert(q);
    }

    pub(super) fn create_trigger(&mut self, s: &pb::CreateTrigStmt) {
        let Some(rv) = &s.relation else { return };
        // INSTEAD OF triggers sit on views.
        let view = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views);
        let Some(table) = view.or_else(|| self.table_of(rv, false)) else {
            return;
        };
        let key = (table.clone(), s.trigname.clone());
        if self.schema.triggers.contains_key(&key) && !s.replace {
            self.error_at(
                self.locate(&s.trigname),
                format!(
                    "trigger \"{}\" for relation \"{table}\" already exists",
                    s.trigname
                ),
                Some("drop it first, or use CREATE OR REPLACE TRIGGER".to_owned()),
            );
            return;
        }
        let func = self.qual_from_list(&strings(&s.funcname));
        let func = self
            .resolve(
                &func_schema(&s.funcname),
                &func.name,
                &self.schema.functions,
            )
            .unwrap_or(func);
        self.schema.triggers.insert(key, func);
    }

    /// CREATE [OR REPLACE] FUNCTION / PROCEDURE: known by name, with a
    /// fingerprint of its arguments, result, language and body.
    pub(super) fn create_function(&mut self, s: &pb::CreateFunctionStmt) {
        let q = self.qual_from_list(&strings(&s.funcname));
        let mut parts: Vec<String> = Vec::new();
        for p in &s.parameters {
            if let Some(NodeEnum::FunctionParameter(fp)) = &p.node
                && let Some(tn) = &fp.arg_type
            {
                parts.push(format!("{}:{}", fp.mode, strings(&tn.names).join(".")));
            }
        }
        if let Some(rt) = &s.return_type {
            parts.push(format!("returns {}", strings(&rt.names).join(".")));
        }
        for o in &s.options {
            if let Some(NodeEnum::DefElem(d)) = &o.node {
                match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::List(l)) if d.defname == "as" => {
                        parts.push(format!("as {}", strings(&l.items).join("\u{0}")));
                    }
                    Some(NodeEnum::String(v)) if d.defname == "language" => {
                        parts.push(format!("language {}", v.sval.to_ascii_lowercase()));
                    }
                    _ => {}
                }
            }
        }
        if s.sql_body.is_some() {
            // A SQL-standard body (BEGIN ATOMIC ... END): its text is the body.
            parts.push(self.sql[self.stmt_start..self.stmt_end].to_owned());
        }
        self.schema.functions.insert(q.clone(), parts.join("\n"));
        self.schema.opaque.remove(&q);
    }
}

/// The schema a function name is written with (empty when unqualified).
fn func_schema(names: &[pb::Node]) -> String {
    let n = strings(names);
    match n.as_slice() {
        [.., schema, _] => schema.clone(),
        _ => String::new(),
    }
}

/// The multirange type PostgreSQL 14 and later create beside a range type:
/// `floatrange` has `floatmultirange`, `span` has `span_multirange`.
pub(super) fn multirange_of(range: &QualName) -> QualName {
    let multi = if range.name.contains("range") {
        range.name.replacen("range", "multirange", 1)
    } else {
        format!("{}_multirange", range.name)
    };
    QualName::new(range.schema.clone(), multi)
}
