//! Types: resolving a written type to a built-in, a user type or an extension's;
//! enums, domains, composite, range and other types.

use super::Applier;
use crate::diag::did_you_mean;
use crate::lower::types::{
    AlterDomain, AlterEnum, CreateComposite, CreateDomain, CreateEnum, CreateOtherType,
    DomainAction, EnumAction, WrittenType,
};
use crate::model::schema::{Column, Domain, Names, QualName, Schema};
use crate::model::types::{self, BUILTINS, SqlType};

impl Applier<'_> {
    // ---- types ------------------------------------------------------------

    /// Resolves a written type; `None` (after reporting) when it does not exist.
    pub(crate) fn resolve_type(&mut self, tn: &WrittenType) -> Option<(SqlType, bool)> {
        let names = &tn.names;
        let modifiers = tn.modifiers.clone();
        let array_dims = tn.array_bounds as u32;
        if tn.pct_type {
            return None;
        }
        if let [one] = names.as_slice()
            && let Some(b) = types::resolve_builtin(one)
        {
            return Some((types::resolved_type(&b, modifiers, array_dims), b.serial));
        }
        if let Some(q) = self.user_type(names) {
            let ty = SqlType {
                schema: Some(q.schema),
                name: q.name,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        // `_name` is the array type of `name` (makeArrayTypeName), built-in
        // (`_int4`, `_text`) or the user's (an enum's, a domain's, a table's
        // row type): pg_dump and hand-written catalogue queries spell it so.
        if let Some(element) = self.array_type_element(tn) {
            return self.resolve_type(&element);
        }
        let last = names.last().cloned().unwrap_or_default();
        if self.may_be_extension_type(&last) {
            let ty = SqlType {
                schema: Some(match names.as_slice() {
                    [schema, _, ..] => schema.clone(),
                    _ => "public".to_owned(),
                }),
                name: last,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        // PostgreSQL's own types beyond the built-ins the model knows:
        // information_schema's domains (`sql_identifier`) and every
        // catalogue's row type (`pg_class`). They exist; the model keeps
        // nothing of them.
        let system = match names.as_slice() {
            [.., schema, _] if schema == "information_schema" || schema == "pg_catalog" => {
                Some(schema.clone())
            }
            [one] if one.starts_with("pg_") => Some("pg_catalog".to_owned()),
            _ => None,
        };
        if let Some(schema) = system {
            let ty = SqlType {
                schema: Some(schema),
                name: last,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        let written = names.join(".");
        let mut candidates: Vec<String> = BUILTINS.iter().map(|b| b.display.to_owned()).collect();
        candidates.extend(
            [
                "integer",
                "bigint",
                "serial",
                "bigserial",
                "boolean",
                "citext",
            ]
            .map(String::from),
        );
        candidates.extend(self.schema.enums.keys().map(|k| k.to_string()));
        candidates.extend(self.schema.domains.keys().map(|k| k.to_string()));
        let mut help = did_you_mean(&written, candidates.iter().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"?"));
        if help.is_none() && last == "citext" {
            help = Some("run CREATE EXTENSION citext in an earlier statement".to_owned());
        }
        let help = help.or_else(|| {
            Some("use a built-in type, or create it (CREATE TYPE, CREATE DOMAIN, CREATE EXTENSION) first".to_owned())
        });
        self.error_at(
            Some(tn.at),
            format!("type \"{written}\" does not exist"),
            help,
        );
        None
    }
}

/// `[schema.]_name` as `[schema.]name`: PostgreSQL names an array type after
/// its element with `_` in front (makeArrayTypeName).
pub(super) fn array_element_names(names: &[String]) -> Option<Vec<String>> {
    let (last, schema) = names.split_last()?;
    let element = last.strip_prefix('_')?;
    let mut out = schema.to_vec();
    out.push(element.to_owned());
    Some(out)
}

impl Applier<'_> {
    /// `tn` written as `_name` where `name` is a type the model knows: that
    /// type, one array dimension more.
    fn array_type_element(&self, tn: &WrittenType) -> Option<WrittenType> {
        let names = array_element_names(&tn.names)?;
        // Built-ins by their internal names only: `_int4`, not `_integer`.
        let known = match names.as_slice() {
            [one] if types::builtin(one).is_some() => true,
            _ => self.user_type(&names).is_some(),
        };
        known.then(|| WrittenType {
            names,
            array_bounds: tn.array_bounds + 1,
            ..tn.clone()
        })
    }

    /// The user's type of that name: an enum, domain, composite, other type
    /// or a table's row type.
    /// The user type `names` resolves to: an enum, domain, composite, other
    /// type, or the row type of a table or view.
    /// A type the migrations made, of any kind: an unqualified name is the
    /// first schema of the path that has a type of that name, whatever its
    /// kind, as PostgreSQL's TypenameGetTypid walks the path once (an enum
    /// in `public` does not win over a domain in a schema before it).
    pub(super) fn user_type(&self, names: &[String]) -> Option<QualName> {
        self.resolve_list(names, &AnyType(&*self.schema))
    }

    /// An installed extension has a type of this name, or may have (one
    /// whose types the model does not list).
    pub(super) fn may_be_extension_type(&self, name: &str) -> bool {
        self.schema
            .extensions
            .iter()
            .any(|e| types::extension_types(e).is_none_or(|types| types.contains(&name)))
    }

    pub(crate) fn type_exists(&self, q: &QualName) -> bool {
        self.schema.enums.contains_key(q)
            || self.schema.domains.contains_key(q)
            || self.schema.composites.contains_key(q)
    }

    pub(crate) fn create_enum(&mut self, c: &CreateEnum) {
        let q = self.qual_from_list(&c.names);
        if self.type_exists(&q) {
            self.error_at(
                self.locate(&q.name),
                format!("type \"{q}\" already exists"),
                Some("drop it first or pick another name".to_owned()),
            );
            return;
        }
        self.schema.enums.insert(q, c.labels.clone());
    }

    pub(crate) fn alter_enum(&mut self, c: &AlterEnum<'_>) {
        let Some(q) = self.resolve_list(&c.names, &self.schema.enums) else {
            let q = self.qual_from_list(&c.names);
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
        match c.action {
            EnumAction::Rename { old, new } => match labels.iter_mut().find(|l| *l == old) {
                Some(l) => {
                    new.clone_into(l);
                    // PostgreSQL keeps the label by oid: an index's predicate
                    // or expression shows the new one.
                    let quote = |l: &str| format!("'{}'", l.replace('\'', "''"));
                    self.rewrite_index_definitions(&q, &quote(old), &quote(new));
                }
                None => {
                    let msg = format!("\"{old}\" is not an existing enum label of type \"{q}\"");
                    self.error_at(self.locate(old), msg, None);
                }
            },
            EnumAction::Add {
                label,
                if_not_exists,
                neighbour,
            } => {
                if labels.iter().any(|l| l == label) {
                    if !if_not_exists {
                        let msg = format!("enum label \"{label}\" already exists in type \"{q}\"");
                        self.error_at(
                            self.locate(label),
                            msg,
                            Some("add IF NOT EXISTS".to_owned()),
                        );
                    }
                    return;
                }
                let at = match neighbour {
                    None => labels.len(),
                    Some((n, after)) => match labels.iter().position(|l| l == n) {
                        Some(i) if after => i + 1,
                        Some(i) => i,
                        None => labels.len(),
                    },
                };
                labels.insert(at, label.to_owned());
            }
        }
    }

    pub(crate) fn create_domain(&mut self, c: &CreateDomain) {
        let q = self.qual_from_list(&c.names);
        let Some((base, _)) = self.resolve_type(&c.base) else {
            return;
        };
        let not_null = c.not_null;
        self.schema.domains.insert(q, Domain { base, not_null });
    }

    /// ALTER DOMAIN: SET / DROP NOT NULL and a NOT NULL constraint added
    /// change what information_schema says of its columns. A dropped named
    /// constraint may be its NOT NULL one, which the model does not name: the
    /// tables with columns of the domain become opaque.
    pub(crate) fn alter_domain(&mut self, c: &AlterDomain) {
        let Some(q) = self.resolve_list(&c.names, &self.schema.domains) else {
            return;
        };
        let Some(d) = self.schema.domains.get_mut(&q) else {
            return;
        };
        match c.action {
            DomainAction::NotNull(n) => d.not_null = n,
            DomainAction::DropConstraint if d.not_null => {
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
            DomainAction::DropConstraint => {}
        }
    }

    pub(crate) fn create_composite(&mut self, c: &CreateComposite<'_>) {
        let q = self.qual_for_create(c.name.schema, c.name.name);
        let mut cols = Vec::new();
        for (name, tn) in &c.columns {
            if let Some((ty, _)) = self.resolve_type(tn) {
                cols.push(Column::plain((*name).to_owned(), ty));
            }
        }
        self.schema.composites.insert(q, cols);
    }

    /// CREATE TYPE name (a base type, or a shell), AS RANGE: known by name (a
    /// range brings its multirange, as PostgreSQL 14 and later make it).
    pub(crate) fn create_other_type(&mut self, c: &CreateOtherType) {
        let q = self.qual_from_list(&c.names);
        if self.type_exists(&q) {
            // A base type's definition fills in a shell type created earlier.
            if c.range {
                self.error_at(
                    self.locate(&q.name),
                    format!("type \"{q}\" already exists"),
                    Some("drop it first or pick another name".to_owned()),
                );
            }
            return;
        }
        if c.range {
            let multi = match &c.multirange {
                Some(names) => {
                    let m = self.qual_from_list(names);
                    self.schema.multiranges.insert(q.clone(), m.clone());
                    m
                }
                None => multirange_of(&q),
            };
            self.schema.other_types.insert(multi);
            if let Some(sub) = c.subtype.as_deref().and_then(|n| self.user_type(n)) {
                self.schema.range_subtypes.insert(q.clone(), sub);
            }
        }
        self.schema.other_types.insert(q);
    }
}

/// The multirange type PostgreSQL 14 and later create beside a range type:
/// `floatrange` has `floatmultirange`, `span` has `span_multirange`.
pub(crate) fn multirange_of(range: &QualName) -> QualName {
    let multi = if range.name.contains("range") {
        range.name.replacen("range", "multirange", 1)
    } else {
        format!("{}_multirange", range.name)
    };
    QualName::new(range.schema.clone(), multi)
}

/// Every kind of type the migrations make, as one namespace (pg_type's).
struct AnyType<'a>(&'a Schema);

impl Names for AnyType<'_> {
    fn has(&self, q: &QualName) -> bool {
        let s = self.0;
        s.enums.contains_key(q)
            || s.domains.contains_key(q)
            || s.composites.contains_key(q)
            || s.other_types.contains(q)
            || s.extension_types.contains(q)
            || s.tables.contains_key(q)
            // A view's (or materialized view's) row type is a type too.
            || s.views.contains_key(q)
    }
}
