//! Replays DDL statements into the schema model, one file at a time, reporting
//! statements that name what does not exist at that point.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{
    self as pb, AlterTableType, ConstrType, DropBehavior, ObjectType, a_const,
};

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::schema::{
    Column, ConstraintKind, Domain, Identity, Index, Names, Partitioning, QualName, Schema, Table,
    View, retain, retain_set, update_all,
};
use crate::model::types::{self, BUILTINS, SqlType};
use crate::source::load::SqlFile;
use crate::sql::parse::Statement;
use crate::sql::position::LineIndex;

/// PostgreSQL truncates identifiers to this many bytes.
const NAMEDATALEN: usize = 63;

/// Findings of one replay: errors (the migration is wrong) and notes (the model
/// could not follow; `lint` reports them as "model may be incomplete here").
#[derive(Debug, Default)]
pub struct ReplayFindings {
    pub errors: Diagnostics,
    pub incomplete: Diagnostics,
}

/// Replays every statement of `file` into `schema`.
pub fn replay_file(schema: &mut Schema, file: &SqlFile, findings: &mut ReplayFindings) {
    let mut r = Replayer {
        schema,
        path: &file.path,
        sql: &file.sql,
        index: LineIndex::new(&file.sql),
        findings,
        search_path: vec!["public".to_owned()],
        stmt_start: 0,
        stmt_end: 0,
    };
    for stmt in &file.statements {
        r.statement(stmt);
    }
    // Temporary tables end with the session; the next migration cannot see them.
    let temp: Vec<QualName> = r
        .schema
        .tables
        .range(QualName::new("pg_temp", "")..)
        .take_while(|(q, _)| q.schema == "pg_temp")
        .map(|(q, _)| q.clone())
        .collect();
    for q in temp {
        r.schema.tables.remove(&q);
    }
    // Snapshots of this schema (the reversal check's clone) inherit lookups that
    // are current, so theirs stay cheap to refresh.
    r.schema.related();
}

/// Replays statements that are not a migration file (seeds, tests).
pub fn replay_statements(
    schema: &mut Schema,
    path: &str,
    sql: &str,
    statements: &[Statement],
    findings: &mut ReplayFindings,
) {
    let mut r = Replayer {
        schema,
        path,
        sql,
        index: LineIndex::new(sql),
        findings,
        search_path: vec!["public".to_owned()],
        stmt_start: 0,
        stmt_end: 0,
    };
    for stmt in statements {
        r.statement(stmt);
    }
}

struct Replayer<'a> {
    schema: &'a mut Schema,
    path: &'a str,
    sql: &'a str,
    index: LineIndex<'a>,
    findings: &'a mut ReplayFindings,
    search_path: Vec<String>,
    stmt_start: usize,
    stmt_end: usize,
}

/// The string values of a name list (`["public", "vms"]`).
fn strings(nodes: &[pb::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

fn is(value: i32, e: impl Into<i32>) -> bool {
    value == e.into()
}

/// PostgreSQL's makeObjectName: `{name1}_{name2}_{label}` shortened to fit
/// NAMEDATALEN by trimming the longer of the two names first.
fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = NAMEDATALEN.saturating_sub(overhead);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let cut = |s: &str, n: usize| {
        let mut n = n;
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_owned()
    };
    let mut out = cut(name1, n1);
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(&cut(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

impl Replayer<'_> {
    // ---- places and messages ----------------------------------------------

    fn error_at(&mut self, offset: Option<i32>, message: String, help: Option<String>) {
        let off = offset
            .filter(|o| *o >= 0)
            .map(|o| o as usize)
            .unwrap_or(self.stmt_start);
        let pos = self.index.pos(off);
        self.findings.errors.push(Diagnostic {
            path: self.path.to_owned(),
            pos: Some(pos),
            message,
            snippet: Some(self.index.line(pos.line).to_owned()),
            help,
        });
    }

    fn incomplete(&mut self, why: &str) {
        let pos = self.index.pos(self.stmt_start);
        self.findings.incomplete.push(Diagnostic {
            path: self.path.to_owned(),
            pos: Some(pos),
            message: format!("model may be incomplete here: {why}"),
            snippet: Some(self.index.line(pos.line).to_owned()),
            help: Some(
                "the generated types and checks do not see this change; prefer plain DDL"
                    .to_owned(),
            ),
        });
    }

    /// Where an identifier is written inside the current statement, for nodes that
    /// carry no location of their own.
    fn locate(&self, name: &str) -> Option<i32> {
        let text = &self.sql[self.stmt_start..self.stmt_end];
        let lower = text.to_ascii_lowercase();
        let needle = name.to_ascii_lowercase();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let at = from + i;
            let before = at.checked_sub(1).map(|j| lower.as_bytes()[j]);
            let after = lower.as_bytes().get(at + needle.len()).copied();
            if !before.is_some_and(word) && !after.is_some_and(word) {
                return Some((self.stmt_start + at) as i32);
            }
            from = at + needle.len();
        }
        None
    }

    fn missing_table(&mut self, name: &QualName, location: Option<i32>) {
        let candidates: Vec<String> = self.schema.tables.keys().map(|k| k.to_string()).collect();
        let help = did_you_mean(&name.to_string(), candidates.iter().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"?"))
            .or_else(|| Some("create it in an earlier migration, or add IF EXISTS".to_owned()));
        self.error_at(location, format!("table \"{name}\" does not exist"), help);
    }

    fn missing_column(&mut self, table: &QualName, column: &str, location: Option<i32>) {
        let help = self.schema.tables.get(table).and_then(|t| {
            did_you_mean(column, t.columns.iter().map(|c| c.name.as_str()))
                .map(|c| format!("did you mean \"{c}\"?"))
        });
        let help = help.or_else(|| {
            Some(format!(
                "table \"{table}\" has no such column at this point"
            ))
        });
        self.error_at(
            location.or_else(|| self.locate(column)),
            format!("column \"{column}\" of table \"{table}\" does not exist"),
            help,
        );
    }

    // ---- names ------------------------------------------------------------

    /// The schema new objects go to.
    fn creation_schema(&self) -> String {
        self.search_path
            .first()
            .cloned()
            .unwrap_or_else(|| "public".to_owned())
    }

    fn qual_for_create(&self, schema: &str, name: &str) -> QualName {
        if schema.is_empty() {
            QualName::new(self.creation_schema(), name)
        } else {
            QualName::new(schema, name)
        }
    }

    fn qual_from_list(&self, names: &[String]) -> QualName {
        match names {
            [.., schema, name] => QualName::new(schema.clone(), name.clone()),
            [name] => QualName::new(self.creation_schema(), name.clone()),
            [] => QualName::public(""),
        }
    }

    /// Finds an existing relation-like object the way PostgreSQL's search path does.
    fn resolve(&self, schema: &str, name: &str, map: &impl Names) -> Option<QualName> {
        if !schema.is_empty() {
            let q = QualName::new(schema, name);
            return map.has(&q).then_some(q);
        }
        std::iter::once("pg_temp".to_owned())
            .chain(self.search_path.iter().cloned())
            .map(|s| QualName::new(s, name))
            .find(|q| map.has(q))
    }

    fn resolve_list(&self, names: &[String], map: &impl Names) -> Option<QualName> {
        match names {
            [.., schema, name] => self.resolve(schema, name, map),
            [name] => self.resolve("", name, map),
            [] => None,
        }
    }

    fn table_of(&mut self, rv: &pb::RangeVar, missing_ok: bool) -> Option<QualName> {
        if let Some(q) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables) {
            return Some(q);
        }
        // Views answer DML too; they are not an error, just not a table.
        if self
            .resolve(&rv.schemaname, &rv.relname, &self.schema.views)
            .is_some()
        {
            return None;
        }
        if !missing_ok {
            let name = self.qual_for_create(&rv.schemaname, &rv.relname);
            self.missing_table(&name, Some(rv.location));
        }
        None
    }

    // ---- types ------------------------------------------------------------

    /// Resolves a written type; `None` (after reporting) when it does not exist.
    fn resolve_type(&mut self, tn: &pb::TypeName) -> Option<(SqlType, bool)> {
        let mut names = strings(&tn.names);
        if names.len() > 1 && names[0] == "pg_catalog" {
            names.remove(0);
        }
        let modifiers: Vec<i64> = tn
            .typmods
            .iter()
            .filter_map(|m| match &m.node {
                Some(NodeEnum::AConst(c)) => match &c.val {
                    Some(a_const::Val::Ival(i)) => Some(i.ival as i64),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let array_dims = tn.array_bounds.len() as u32;
        if tn.pct_type {
            return None;
        }
        if names.len() == 1
            && let Some(b) = types::resolve_builtin(&names[0])
        {
            let ty = SqlType {
                schema: None,
                name: b.name.to_owned(),
                modifiers,
                array_dims,
            };
            return Some((ty, b.serial));
        }
        let user = self
            .resolve_list(&names, &self.schema.enums)
            .or_else(|| self.resolve_list(&names, &self.schema.domains))
            .or_else(|| self.resolve_list(&names, &self.schema.composites))
            .or_else(|| self.resolve_list(&names, &self.schema.tables));
        if let Some(q) = user {
            let ty = SqlType {
                schema: Some(q.schema),
                name: q.name,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        let last = names.last().cloned().unwrap_or_default();
        let from_extension = self
            .schema
            .extensions
            .iter()
            .any(|e| types::extension_types(e).is_some_and(|t| t.contains(&last.as_str())));
        let unknown_extension = self
            .schema
            .extensions
            .iter()
            .any(|e| types::extension_types(e).is_none());
        if from_extension || unknown_extension {
            let ty = SqlType {
                schema: Some(if names.len() > 1 {
                    names[0].clone()
                } else {
                    "public".to_owned()
                }),
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
            Some(tn.location),
            format!("type \"{written}\" does not exist"),
            help,
        );
        None
    }

    // ---- statements ---------------------------------------------------------

    fn statement(&mut self, stmt: &Statement) {
        self.stmt_start = stmt.start;
        self.stmt_end = stmt.end;
        match &stmt.node {
            NodeEnum::CreateStmt(s) => self.create_table(s),
            NodeEnum::AlterTableStmt(s) => self.alter_table(s),
            NodeEnum::RenameStmt(s) => self.rename(s),
            NodeEnum::AlterObjectSchemaStmt(s) => self.set_schema(s),
            NodeEnum::DropStmt(s) => self.drop(s),
            NodeEnum::IndexStmt(s) => self.create_index(s),
            NodeEnum::CreateEnumStmt(s) => self.create_enum(s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(s),
            NodeEnum::CreateDomainStmt(s) => self.create_domain(s),
            NodeEnum::CompositeTypeStmt(s) => self.create_composite(s),
            NodeEnum::ViewStmt(s) => self.create_view(s),
            NodeEnum::CreateTableAsStmt(s) => self.create_table_as(s),
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(s),
            NodeEnum::CreateExtensionStmt(s) => {
                self.schema.extensions.insert(s.extname.clone());
            }
            NodeEnum::CreateSeqStmt(s) => {
                if let Some(rv) = &s.sequence {
                    let q = self.qual_for_create(&rv.schemaname, &rv.relname);
                    self.schema.sequences.insert(q);
                }
            }
            NodeEnum::CreateFunctionStmt(s) => {
                let names = strings(&s.funcname);
                let q = self.qual_from_list(&names);
                self.schema.functions.insert(q);
            }
            NodeEnum::CreateTrigStmt(s) => self.create_trigger(s),
            NodeEnum::VariableSetStmt(s) => self.set_variable(s),
            NodeEnum::InsertStmt(s) => self.insert(s),
            NodeEnum::UpdateStmt(s) => {
                if let Some(rv) = &s.relation
                    && let Some(t) = self.table_of(rv, false)
                {
                    for target in &s.target_list {
                        if let Some(NodeEnum::ResTarget(rt)) = &target.node {
                            self.expect_column(&t, &rt.name, Some(rt.location));
                        }
                    }
                }
            }
            NodeEnum::DeleteStmt(s) => {
                if let Some(rv) = &s.relation {
                    self.table_of(rv, false);
                }
            }
            NodeEnum::TruncateStmt(s) => {
                for rel in &s.relations {
                    if let Some(NodeEnum::RangeVar(rv)) = &rel.node {
                        self.table_of(rv, false);
                    }
                }
            }
            NodeEnum::DoStmt(_) => {
                let body = self.sql[stmt.start..stmt.end].to_ascii_uppercase();
                let ddl = ["ALTER ", "CREATE ", "DROP ", "EXECUTE "]
                    .iter()
                    .any(|k| body.contains(k));
                if ddl {
                    self.incomplete("DDL inside a DO block is not replayed");
                }
            }
            NodeEnum::RuleStmt(_) | NodeEnum::CreateForeignTableStmt(_) => {
                self.incomplete("this statement is not replayed into the model");
            }
            _ => {}
        }
    }

    fn expect_column(&mut self, table: &QualName, column: &str, location: Option<i32>) {
        let exists = self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.column(column).is_some());
        if !exists {
            self.missing_column(table, column, location);
        }
    }

    fn set_variable(&mut self, s: &pb::VariableSetStmt) {
        if s.name != "search_path" {
            return;
        }
        let mut path = Vec::new();
        for a in &s.args {
            if let Some(NodeEnum::AConst(c)) = &a.node
                && let Some(a_const::Val::Sval(v)) = &c.val
            {
                for part in v.sval.split(',') {
                    let p = part.trim().trim_matches('"');
                    if !p.is_empty() && p != "$user" && p != "pg_catalog" {
                        path.push(p.to_owned());
                    }
                }
            }
        }
        self.search_path = if path.is_empty() {
            vec!["public".to_owned()]
        } else {
            path
        };
    }

    // ---- tables -------------------------------------------------------------

    fn create_table(&mut self, s: &pb::CreateStmt) {
        let Some(rv) = &s.relation else { return };
        let name = if rv.relpersistence == "t" {
            QualName::new("pg_temp", rv.relname.clone())
        } else {
            self.qual_for_create(&rv.schemaname, &rv.relname)
        };
        if !self.schema.schemas.contains(&name.schema) && name.schema != "pg_temp" {
            self.error_at(
                Some(rv.location),
                format!("schema \"{}\" does not exist", name.schema),
                Some(format!("run CREATE SCHEMA {} first", name.schema)),
            );
            return;
        }
        if self.schema.tables.contains_key(&name) || self.schema.views.contains_key(&name) {
            if !s.if_not_exists {
                self.error_at(
                    Some(rv.location),
                    format!("relation \"{name}\" already exists"),
                    Some("drop it first, pick another name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let mut table = Table::new(name.clone());

        // PARTITION OF / INHERITS: the parent's columns come first.
        for parent in &s.inh_relations {
            let Some(NodeEnum::RangeVar(prv)) = &parent.node else {
                continue;
            };
            let Some(pq) = self.table_of(prv, false) else {
                return;
            };
            let parent_table = &self.schema.tables[&pq];
            for c in &parent_table.columns {
                if table.column(&c.name).is_none() {
                    table.columns.push(c.clone());
                }
            }
            if s.partbound.is_some() {
                table.partitioning = Partitioning::PartitionOf(pq.clone());
                // A partition carries its parent's primary key and unique constraints
                // under its own index names; the model keeps only the parent's.
            }
        }
        self.schema.tables.insert(name.clone(), Arc::new(table));

        let mut constraints = Vec::new();
        for elt in &s.table_elts {
            match &elt.node {
                Some(NodeEnum::ColumnDef(cd)) => self.add_column(&name, cd, false),
                Some(NodeEnum::Constraint(c)) => constraints.push((**c).clone()),
                Some(NodeEnum::TableLikeClause(like)) => {
                    if let Some(lrv) = &like.relation
                        && let Some(src) = self.table_of(lrv, false)
                    {
                        let cols = self.schema.tables[&src].columns.clone();
                        let t = self
                            .schema
                            .tables
                            .get_mut(&name)
                            .map(Arc::make_mut)
                            .expect("just inserted");
                        for mut c in cols {
                            // LIKE copies NOT NULL, but defaults only with INCLUDING DEFAULTS.
                            c.has_default = c.has_default && like.options & 0x04 != 0;
                            c.identity = c.identity.filter(|_| like.options & 0x10 != 0);
                            t.columns.push(c);
                        }
                    }
                }
                _ => {}
            }
        }
        for c in constraints {
            self.add_constraint(&name, &c);
        }
        if let Some(spec) = &s.partspec {
            let key = spec
                .part_params
                .iter()
                .filter_map(|p| match &p.node {
                    Some(NodeEnum::PartitionElem(e)) => Some(if e.name.is_empty() {
                        "(expr)".to_owned()
                    } else {
                        e.name.clone()
                    }),
                    _ => None,
                })
                .collect();
            let strategy = match spec.strategy {
                1 => "list",
                2 => "range",
                3 => "hash",
                _ => "unknown",
            }
            .to_owned();
            if let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut) {
                t.partitioning = Partitioning::Partitioned { strategy, key };
            }
        }
    }

    /// Adds a column from its definition; `if_not_exists` for ADD COLUMN IF NOT EXISTS.
    fn add_column(&mut self, table: &QualName, cd: &pb::ColumnDef, if_not_exists: bool) {
        let exists = self.schema.tables[table].column(&cd.colname).is_some();
        if exists {
            if !if_not_exists {
                self.error_at(
                    Some(cd.location),
                    format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        cd.colname
                    ),
                    Some("pick another name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let Some(tn) = &cd.type_name else { return };
        let (ty, serial) = self.resolve_type(tn).unwrap_or_else(|| {
            // Keep the column so later statements that use it are not errors too.
            (SqlType::builtin("unknown"), false)
        });
        let mut col = Column {
            name: cd.colname.clone(),
            ty,
            nullable: !(serial || cd.is_not_null),
            has_default: serial || cd.raw_default.is_some(),
            identity: None,
            generated: false,
        };
        if serial {
            let seq = object_name(&table.name, Some(&cd.colname), "seq");
            self.schema
                .sequences
                .insert(QualName::new(table.schema.clone(), seq));
        }
        let mut table_constraints = Vec::new();
        for c in &cd.constraints {
            let Some(NodeEnum::Constraint(c)) = &c.node else {
                continue;
            };
            let t = c.contype;
            if is(t, ConstrType::ConstrNotnull) {
                col.nullable = false;
            } else if is(t, ConstrType::ConstrNull) {
                col.nullable = true;
            } else if is(t, ConstrType::ConstrDefault) {
                col.has_default = true;
            } else if is(t, ConstrType::ConstrIdentity) {
                col.identity = Some(if c.generated_when == "a" {
                    Identity::Always
                } else {
                    Identity::ByDefault
                });
                col.nullable = false;
            } else if is(t, ConstrType::ConstrGenerated) {
                col.generated = true;
            } else if is(t, ConstrType::ConstrPrimary) {
                col.nullable = false;
                table_constraints.push(with_keys((**c).clone(), &cd.colname));
            } else if is(t, ConstrType::ConstrUnique)
                || is(t, ConstrType::ConstrForeign)
                || is(t, ConstrType::ConstrCheck)
                || is(t, ConstrType::ConstrExclusion)
            {
                table_constraints.push(with_keys((**c).clone(), &cd.colname));
            }
        }
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            t.columns.push(col);
        }
        for c in table_constraints {
            self.add_constraint(table, &c);
        }
    }

    /// A unique name for an implicit constraint, as PostgreSQL chooses it.
    fn choose_name(&self, table: &QualName, cols: Option<&str>, label: &str) -> String {
        let taken = |n: &str| {
            self.schema.tables[table].constraints.contains_key(n)
                || self
                    .schema
                    .indexes
                    .contains_key(&QualName::new(table.schema.clone(), n))
                || self
                    .schema
                    .tables
                    .contains_key(&QualName::new(table.schema.clone(), n))
        };
        let mut pass = 0;
        loop {
            let l = if pass == 0 {
                label.to_owned()
            } else {
                format!("{label}{pass}")
            };
            let n = object_name(&table.name, cols, &l);
            if !taken(&n) {
                return n;
            }
            pass += 1;
        }
    }

    fn add_constraint(&mut self, table: &QualName, c: &pb::Constraint) {
        let keys = strings(&c.keys);
        let t = c.contype;
        let (kind, label, name_cols) = if is(t, ConstrType::ConstrPrimary) {
            (
                ConstraintKind::PrimaryKey {
                    columns: keys.clone(),
                },
                "pkey",
                None,
            )
        } else if is(t, ConstrType::ConstrUnique) {
            (
                ConstraintKind::Unique {
                    columns: keys.clone(),
                },
                "key",
                Some(keys.join("_")),
            )
        } else if is(t, ConstrType::ConstrForeign) {
            let fk_cols = strings(&c.fk_attrs);
            let Some(pk) = &c.pktable else { return };
            let Some(target) = self.table_of(pk, false) else {
                return;
            };
            let mut ref_columns = strings(&c.pk_attrs);
            if ref_columns.is_empty() {
                ref_columns = self.schema.tables[&target]
                    .primary_key()
                    .map(<[String]>::to_vec)
                    .unwrap_or_default();
            }
            for rc in ref_columns.clone() {
                self.expect_column(&target, &rc, Some(pk.location));
            }
            (
                ConstraintKind::ForeignKey {
                    columns: fk_cols.clone(),
                    references: target,
                    ref_columns,
                },
                "fkey",
                Some(fk_cols.join("_")),
            )
        } else if is(t, ConstrType::ConstrCheck) {
            let mut cols: Vec<String> = Vec::new();
            if let Some(expr) = &c.raw_expr
                && let Some(node) = &expr.node
            {
                for (n, ..) in node.nodes() {
                    if let pg_query::NodeRef::ColumnRef(cr) = n
                        && let Some(last) = strings(&cr.fields).last()
                        && !cols.contains(last)
                    {
                        cols.push(last.clone());
                    }
                }
            }
            // PostgreSQL names a check after its column only when it uses exactly one.
            let name_cols = (cols.len() == 1).then(|| cols[0].clone());
            (ConstraintKind::Check, "check", name_cols)
        } else if is(t, ConstrType::ConstrExclusion) {
            (ConstraintKind::Exclusion, "excl", None)
        } else if is(t, ConstrType::ConstrNotnull) {
            // PostgreSQL 18 spells table-level NOT NULL as a constraint.
            for k in &keys {
                if let Some(col) = self
                    .schema
                    .tables
                    .get_mut(table)
                    .map(Arc::make_mut)
                    .and_then(|t| t.column_mut(k))
                {
                    col.nullable = false;
                }
            }
            return;
        } else {
            return;
        };
        for k in &keys {
            self.expect_column(table, k, Some(c.location));
        }
        if let ConstraintKind::ForeignKey { columns, .. } = &kind {
            for k in columns {
                self.expect_column(table, k, Some(c.location));
            }
        }
        let name = if c.conname.is_empty() {
            self.choose_name(table, name_cols.as_deref(), label)
        } else {
            c.conname.clone()
        };
        let Some(tbl) = self.schema.tables.get_mut(table).map(Arc::make_mut) else {
            return;
        };
        if let ConstraintKind::PrimaryKey { columns } = &kind {
            for k in columns {
                if let Some(col) = tbl.column_mut(k) {
                    col.nullable = false;
                }
            }
        }
        let index = match &kind {
            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } => {
                Some(Index {
                    table: table.clone(),
                    columns: columns.clone(),
                    unique: true,
                    partial: false,
                })
            }
            _ => None,
        };
        tbl.constraints.insert(name.clone(), kind);
        if let Some(ix) = index {
            self.schema
                .indexes
                .insert(QualName::new(table.schema.clone(), name), ix);
        }
    }

    fn alter_table(&mut self, s: &pb::AlterTableStmt) {
        let Some(rv) = &s.relation else { return };
        if !is(s.objtype, ObjectType::ObjectTable) && !is(s.objtype, ObjectType::ObjectForeignTable)
        {
            return;
        }
        let Some(table) = self.table_of(rv, s.missing_ok) else {
            return;
        };
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                continue;
            };
            self.alter_cmd(&table, cmd);
        }
    }

    fn alter_cmd(&mut self, table: &QualName, cmd: &pb::AlterTableCmd) {
        let st = cmd.subtype;
        let col_exists = |r: &Self| r.schema.tables[table].column(&cmd.name).is_some();
        if is(st, AlterTableType::AtAddColumn) {
            if let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                self.add_column(table, cd, cmd.missing_ok);
            }
        } else if is(st, AlterTableType::AtDropColumn) {
            if !col_exists(self) {
                if !cmd.missing_ok {
                    self.missing_column(table, &cmd.name, None);
                }
                return;
            }
            self.drop_column(table, &cmd.name);
        } else if is(st, AlterTableType::AtAlterColumnType) {
            if !col_exists(self) {
                self.missing_column(table, &cmd.name, None);
                return;
            }
            if let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(tn) = &cd.type_name
                && let Some((ty, _)) = self.resolve_type(tn)
            {
                let partitions = self.partitions_of(table);
                for t in std::iter::once(table.clone()).chain(partitions) {
                    if let Some(c) = self
                        .schema
                        .tables
                        .get_mut(&t)
                        .map(Arc::make_mut)
                        .and_then(|t| t.column_mut(&cmd.name))
                    {
                        c.ty = ty.clone();
                    }
                }
            }
        } else if is(st, AlterTableType::AtColumnDefault)
            || is(st, AlterTableType::AtSetNotNull)
            || is(st, AlterTableType::AtDropNotNull)
            || is(st, AlterTableType::AtAddIdentity)
            || is(st, AlterTableType::AtDropIdentity)
            || is(st, AlterTableType::AtDropExpression)
        {
            if !col_exists(self) {
                if !(is(st, AlterTableType::AtDropIdentity) && cmd.missing_ok) {
                    self.missing_column(table, &cmd.name, None);
                }
                return;
            }
            let identity = match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::Constraint(c)) if c.generated_when == "a" => Some(Identity::Always),
                _ => Some(Identity::ByDefault),
            };
            // Column changes on a partitioned table reach its partitions.
            let partitions = self.partitions_of(table);
            for t in std::iter::once(table.clone()).chain(partitions) {
                let Some(c) = self
                    .schema
                    .tables
                    .get_mut(&t)
                    .map(Arc::make_mut)
                    .and_then(|t| t.column_mut(&cmd.name))
                else {
                    continue;
                };
                if is(st, AlterTableType::AtColumnDefault) {
                    c.has_default = cmd.def.is_some();
                } else if is(st, AlterTableType::AtSetNotNull) {
                    c.nullable = false;
                } else if is(st, AlterTableType::AtDropNotNull) {
                    c.nullable = true;
                } else if is(st, AlterTableType::AtAddIdentity) {
                    c.identity = identity;
                    c.nullable = false;
                } else if is(st, AlterTableType::AtDropIdentity) {
                    c.identity = None;
                } else {
                    c.generated = false;
                }
            }
        } else if is(st, AlterTableType::AtAddConstraint) {
            if let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                self.add_constraint(table, c);
            }
        } else if is(st, AlterTableType::AtDropConstraint) {
            let removed = self
                .schema
                .tables
                .get_mut(table)
                .map(Arc::make_mut)
                .and_then(|t| t.constraints.remove(&cmd.name))
                .is_some();
            if removed {
                self.schema
                    .indexes
                    .remove(&QualName::new(table.schema.clone(), cmd.name.clone()));
            } else if !cmd.missing_ok {
                let help = did_you_mean(
                    &cmd.name,
                    self.schema.tables[table]
                        .constraints
                        .keys()
                        .map(String::as_str),
                )
                .map(|c| format!("did you mean \"{c}\"?"))
                .unwrap_or_else(|| "add IF EXISTS if it may be absent".to_owned());
                self.error_at(
                    self.locate(&cmd.name),
                    format!(
                        "constraint \"{}\" of relation \"{table}\" does not exist",
                        cmd.name
                    ),
                    Some(help),
                );
            }
        } else if is(st, AlterTableType::AtAttachPartition) {
            if let Some(NodeEnum::PartitionCmd(pc)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(prv) = &pc.name
                && let Some(p) = self.table_of(prv, false)
                && let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
            {
                t.partitioning = Partitioning::PartitionOf(table.clone());
            }
        } else if is(st, AlterTableType::AtDetachPartition)
            && let Some(NodeEnum::PartitionCmd(pc)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
            && let Some(prv) = &pc.name
            && let Some(p) = self.table_of(prv, false)
            && let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
        {
            t.partitioning = Partitioning::None;
        }
    }

    fn partitions_of(&mut self, table: &QualName) -> Vec<QualName> {
        let mut found = self.schema.related().partitions(table);
        found.retain(|p| {
            self.schema.tables.get(p).is_some_and(
                |t| matches!(&t.partitioning, Partitioning::PartitionOf(parent) if parent == table),
            )
        });
        found
    }

    /// Drops a column and what PostgreSQL drops with it: constraints and indexes
    /// that use it.
    fn drop_column(&mut self, table: &QualName, column: &str) {
        let partitions = self.partitions_of(table);
        for t in std::iter::once(table.clone()).chain(partitions) {
            let Some(tbl) = self.schema.tables.get_mut(&t).map(Arc::make_mut) else {
                continue;
            };
            tbl.columns.retain(|c| c.name != column);
            let gone: Vec<String> = tbl
                .constraints
                .iter()
                .filter(|(_, k)| match k {
                    ConstraintKind::PrimaryKey { columns }
                    | ConstraintKind::Unique { columns }
                    | ConstraintKind::ForeignKey { columns, .. } => {
                        columns.iter().any(|c| c == column)
                    }
                    _ => false,
                })
                .map(|(n, _)| n.clone())
                .collect();
            for n in gone {
                tbl.constraints.remove(&n);
            }
            for ix in self.schema.related().indexes(&t) {
                if self
                    .schema
                    .indexes
                    .get(&ix)
                    .is_some_and(|i| i.table == t && i.columns.iter().any(|c| c == column))
                {
                    self.schema.indexes.remove(&ix);
                }
            }
        }
    }

    // ---- renames and moves ------------------------------------------------

    fn rename(&mut self, s: &pb::RenameStmt) {
        let rt = s.rename_type;
        if is(rt, ObjectType::ObjectTable) || is(rt, ObjectType::ObjectForeignTable) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(old.schema.clone(), s.newname.clone());
                self.rename_table(&old, new);
            }
        } else if is(rt, ObjectType::ObjectColumn) {
            let Some(rv) = &s.relation else { return };
            let Some(table) = self.table_of(rv, s.missing_ok) else {
                return;
            };
            if self.schema.tables[&table].column(&s.subname).is_none() {
                if !s.missing_ok {
                    self.missing_column(&table, &s.subname, None);
                }
                return;
            }
            if self.schema.tables[&table].column(&s.newname).is_some() {
                self.error_at(
                    self.locate(&s.newname),
                    format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        s.newname
                    ),
                    None,
                );
                return;
            }
            self.rename_column(&table, &s.subname, &s.newname);
        } else if is(rt, ObjectType::ObjectTabconstraint) {
            let Some(rv) = &s.relation else { return };
            let Some(table) = self.table_of(rv, s.missing_ok) else {
                return;
            };
            let Some(tbl) = self.schema.tables.get_mut(&table).map(Arc::make_mut) else {
                return;
            };
            match tbl.constraints.remove(&s.subname) {
                Some(k) => {
                    tbl.constraints.insert(s.newname.clone(), k);
                    let old = QualName::new(table.schema.clone(), s.subname.clone());
                    if let Some(ix) = self.schema.indexes.remove(&old) {
                        self.schema
                            .indexes
                            .insert(QualName::new(table.schema.clone(), s.newname.clone()), ix);
                    }
                }
                None => self.error_at(
                    self.locate(&s.subname),
                    format!(
                        "constraint \"{}\" of relation \"{table}\" does not exist",
                        s.subname
                    ),
                    None,
                ),
            }
        } else if is(rt, ObjectType::ObjectIndex) {
            let Some(rv) = &s.relation else { return };
            match self.resolve(&rv.schemaname, &rv.relname, &self.schema.indexes) {
                Some(old) => {
                    let ix = self.schema.indexes.remove(&old).expect("resolved");
                    // Renaming a constraint's index renames the constraint too.
                    if let Some(t) = self.schema.tables.get_mut(&ix.table).map(Arc::make_mut)
                        && let Some(k) = t.constraints.remove(&old.name)
                    {
                        t.constraints.insert(s.newname.clone(), k);
                    }
                    self.schema
                        .indexes
                        .insert(QualName::new(old.schema, s.newname.clone()), ix);
                }
                None if s.missing_ok => {}
                None => self.incomplete("renames an index the model does not know"),
            }
        } else if is(rt, ObjectType::ObjectView) || is(rt, ObjectType::ObjectMatview) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views) {
                let mut v = self.schema.views.remove(&old).expect("resolved");
                v.name = QualName::new(old.schema, s.newname.clone());
                self.schema.views.insert(v.name.clone(), v);
            } else if !s.missing_ok {
                self.error_at(
                    Some(rv.location),
                    format!("view \"{}\" does not exist", rv.relname),
                    None,
                );
            }
        } else if is(rt, ObjectType::ObjectType) || is(rt, ObjectType::ObjectDomain) {
            let names = object_names(s.object.as_deref());
            let new_name = s.newname.clone();
            self.rename_type(&names, &new_name);
        } else if is(rt, ObjectType::ObjectSchema) {
            if self.schema.schemas.remove(&s.subname).is_some() {
                self.schema.schemas.insert(s.newname.clone());
                self.incomplete(
                    "objects of a renamed schema keep their old qualified names in the model",
                );
            }
        } else if is(rt, ObjectType::ObjectSequence) {
            if let Some(rv) = &s.relation
                && let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.sequences)
            {
                self.schema.sequences.remove(&old);
                self.schema
                    .sequences
                    .insert(QualName::new(old.schema, s.newname.clone()));
            }
        } else if is(rt, ObjectType::ObjectTrigger) {
            if let Some(rv) = &s.relation
                && let Some(t) = self.table_of(rv, false)
                && self
                    .schema
                    .triggers
                    .remove(&(t.clone(), s.subname.clone()))
                    .is_some()
            {
                self.schema.triggers.insert((t, s.newname.clone()));
            }
        } else if (is(rt, ObjectType::ObjectFunction) || is(rt, ObjectType::ObjectProcedure))
            && let Some(NodeEnum::ObjectWithArgs(o)) =
                s.object.as_deref().and_then(|n| n.node.as_ref())
        {
            let old = self.qual_from_list(&strings(&o.objname));
            if self.schema.functions.remove(&old).is_some() {
                self.schema
                    .functions
                    .insert(QualName::new(old.schema, s.newname.clone()));
            }
        }
    }

    fn rename_table(&mut self, old: &QualName, new: QualName) {
        let Some(mut t) = self.schema.tables.remove(old) else {
            return;
        };
        Arc::make_mut(&mut t).name = new.clone();
        self.schema.tables.insert(new.clone(), t);
        update_all(&mut self.schema.tables, |t| {
            let refers = t.partitioning == Partitioning::PartitionOf(old.clone())
                || t.constraints.values().any(
                    |k| matches!(k, ConstraintKind::ForeignKey { references, .. } if references == old),
                );
            if !refers {
                return;
            }
            let t = Arc::make_mut(t);
            for k in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { references, .. } = k
                    && references == old
                {
                    *references = new.clone();
                }
            }
            if t.partitioning == Partitioning::PartitionOf(old.clone()) {
                t.partitioning = Partitioning::PartitionOf(new.clone());
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if &ix.table == old {
                ix.table = new.clone();
            }
        });
        let triggers: Vec<_> = self
            .schema
            .triggers
            .iter()
            .filter(|(t, _)| t == old)
            .cloned()
            .collect();
        for (t, n) in triggers {
            self.schema.triggers.remove(&(t, n.clone()));
            self.schema.triggers.insert((new.clone(), n));
        }
    }

    fn rename_column(&mut self, table: &QualName, old: &str, new: &str) {
        let fix = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if c == old {
                    *c = new.to_owned();
                }
            }
        };
        let partitions = self.partitions_of(table);
        for t in std::iter::once(table.clone()).chain(partitions) {
            if let Some(c) = self
                .schema
                .tables
                .get_mut(&t)
                .map(Arc::make_mut)
                .and_then(|t| t.column_mut(old))
            {
                c.name = new.to_owned();
            }
        }
        update_all(&mut self.schema.tables, |t| {
            let refers = &t.name == table
                || t.constraints.values().any(
                    |k| matches!(k, ConstraintKind::ForeignKey { references, .. } if references == table),
                );
            if !refers {
                return;
            }
            let t = Arc::make_mut(t);
            let own = &t.name == table;
            for k in t.constraints.values_mut() {
                match k {
                    ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns }
                        if own =>
                    {
                        fix(columns)
                    }
                    ConstraintKind::ForeignKey {
                        columns,
                        references,
                        ref_columns,
                    } => {
                        if own {
                            fix(columns);
                        }
                        if references == table {
                            fix(ref_columns);
                        }
                    }
                    _ => {}
                }
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if &ix.table == table {
                fix(&mut ix.columns);
            }
        });
    }

    fn rename_type(&mut self, names: &[String], new_name: &str) {
        let found = self
            .resolve_list(names, &self.schema.enums)
            .or_else(|| self.resolve_list(names, &self.schema.domains))
            .or_else(|| self.resolve_list(names, &self.schema.composites));
        let Some(old) = found else {
            self.error_at(
                self.locate(names.last().map(String::as_str).unwrap_or_default()),
                format!("type \"{}\" does not exist", names.join(".")),
                None,
            );
            return;
        };
        let new = QualName::new(old.schema.clone(), new_name);
        self.move_type(&old, new);
    }

    /// Renames or moves a user type and repoints the columns that use it.
    fn move_type(&mut self, old: &QualName, new: QualName) {
        if let Some(v) = self.schema.enums.remove(old) {
            self.schema.enums.insert(new.clone(), v);
        }
        if let Some(v) = self.schema.domains.remove(old) {
            self.schema.domains.insert(new.clone(), v);
        }
        if let Some(v) = self.schema.composites.remove(old) {
            self.schema.composites.insert(new.clone(), v);
        }
        self.retype(old, Some(&new));
    }

    /// Points every column of type `old` at `new`, or drops those columns.
    fn retype(&mut self, old: &QualName, new: Option<&QualName>) {
        let is_old =
            |ty: &SqlType| ty.schema.as_deref() == Some(old.schema.as_str()) && ty.name == old.name;
        update_all(&mut self.schema.tables, |t| {
            if !t.columns.iter().any(|c| is_old(&c.ty)) {
                return;
            }
            let t = Arc::make_mut(t);
            match new {
                Some(n) => {
                    for c in &mut t.columns {
                        if is_old(&c.ty) {
                            c.ty.schema = Some(n.schema.clone());
                            c.ty.name = n.name.clone();
                        }
                    }
                }
                None => t.columns.retain(|c| !is_old(&c.ty)),
            }
        });
        if let Some(n) = new {
            update_all(&mut self.schema.domains, |d| {
                if is_old(&d.base) {
                    d.base.schema = Some(n.schema.clone());
                    d.base.name = n.name.clone();
                }
            });
        }
    }

    fn set_schema(&mut self, s: &pb::AlterObjectSchemaStmt) {
        let ot = s.object_type;
        if !self.schema.schemas.contains(&s.newschema) {
            self.error_at(
                self.locate(&s.newschema),
                format!("schema \"{}\" does not exist", s.newschema),
                Some(format!("run CREATE SCHEMA {} first", s.newschema)),
            );
            return;
        }
        if is(ot, ObjectType::ObjectTable) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(s.newschema.clone(), old.name.clone());
                // Indexes and owned sequences move with their table.
                let moved: Vec<QualName> = self
                    .schema
                    .indexes
                    .iter()
                    .filter(|(_, ix)| ix.table == old)
                    .map(|(n, _)| n.clone())
                    .collect();
                for n in moved {
                    let ix = self.schema.indexes.remove(&n).expect("listed");
                    self.schema
                        .indexes
                        .insert(QualName::new(s.newschema.clone(), n.name), ix);
                }
                self.rename_table(&old, new);
            }
        } else if is(ot, ObjectType::ObjectType) || is(ot, ObjectType::ObjectDomain) {
            let names = object_names(s.object.as_deref());
            let found = self
                .resolve_list(&names, &self.schema.enums)
                .or_else(|| self.resolve_list(&names, &self.schema.domains))
                .or_else(|| self.resolve_list(&names, &self.schema.composites));
            if let Some(old) = found {
                let new = QualName::new(s.newschema.clone(), old.name.clone());
                self.move_type(&old, new);
            }
        } else if is(ot, ObjectType::ObjectView) || is(ot, ObjectType::ObjectMatview) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views) {
                let mut v = self.schema.views.remove(&old).expect("resolved");
                v.name = QualName::new(s.newschema.clone(), old.name);
                self.schema.views.insert(v.name.clone(), v);
            }
        } else if is(ot, ObjectType::ObjectSequence)
            && let Some(rv) = &s.relation
            && let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.sequences)
        {
            self.schema.sequences.remove(&old);
            self.schema
                .sequences
                .insert(QualName::new(s.newschema.clone(), old.name));
        }
    }

    // ---- drops --------------------------------------------------------------

    fn drop(&mut self, s: &pb::DropStmt) {
        let rt = s.remove_type;
        let cascade = is(s.behavior, DropBehavior::DropCascade);
        let objects: Vec<Vec<String>> = s
            .objects
            .iter()
            .map(|o| match &o.node {
                Some(NodeEnum::List(l)) => strings(&l.items),
                Some(NodeEnum::String(st)) => vec![st.sval.clone()],
                Some(NodeEnum::TypeName(tn)) => strings(&tn.names),
                Some(NodeEnum::ObjectWithArgs(owa)) => strings(&owa.objname),
                _ => Vec::new(),
            })
            .collect();
        if is(rt, ObjectType::ObjectTable) || is(rt, ObjectType::ObjectForeignTable) {
            let mut targets = Vec::new();
            for names in &objects {
                match self.resolve_list(names, &self.schema.tables) {
                    Some(q) => targets.push(q),
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        let loc = self.locate(&q.name);
                        self.missing_table(&q, loc);
                    }
                }
            }
            self.drop_tables(&targets, cascade);
        } else if is(rt, ObjectType::ObjectView) || is(rt, ObjectType::ObjectMatview) {
            for names in &objects {
                match self.resolve_list(names, &self.schema.views) {
                    Some(q) => {
                        self.schema.views.remove(&q);
                    }
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        self.error_at(
                            self.locate(&q.name),
                            format!("view \"{q}\" does not exist"),
                            None,
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectType) || is(rt, ObjectType::ObjectDomain) {
            for names in &objects {
                let found = self
                    .resolve_list(names, &self.schema.enums)
                    .or_else(|| self.resolve_list(names, &self.schema.domains))
                    .or_else(|| self.resolve_list(names, &self.schema.composites));
                match found {
                    Some(q) => self.drop_type(&q, cascade),
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        self.error_at(
                            self.locate(&q.name),
                            format!("type \"{q}\" does not exist"),
                            None,
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectIndex) {
            for names in &objects {
                match self.resolve_list(names, &self.schema.indexes) {
                    Some(q) => {
                        self.schema.indexes.remove(&q);
                    }
                    None if s.missing_ok => {}
                    None => self.incomplete("drops an index the model does not know"),
                }
            }
        } else if is(rt, ObjectType::ObjectSequence) {
            for names in &objects {
                let map = self.schema.sequences.clone();
                if let Some(q) = self.resolve_list(names, &map) {
                    self.schema.sequences.remove(&q);
                }
            }
        } else if is(rt, ObjectType::ObjectSchema) {
            for names in &objects {
                let Some(name) = names.first() else { continue };
                if !self.schema.schemas.contains(name) {
                    if !s.missing_ok {
                        self.error_at(
                            self.locate(name),
                            format!("schema \"{name}\" does not exist"),
                            None,
                        );
                    }
                    continue;
                }
                self.drop_schema(name, cascade);
            }
        } else if is(rt, ObjectType::ObjectExtension) {
            for names in &objects {
                if let Some(n) = names.first() {
                    self.schema.extensions.remove(n);
                }
            }
        } else if is(rt, ObjectType::ObjectFunction)
            || is(rt, ObjectType::ObjectProcedure)
            || is(rt, ObjectType::ObjectRoutine)
        {
            for names in &objects {
                let q = self.qual_from_list(names);
                let map = self.schema.functions.clone();
                let found = self.resolve_list(names, &map).unwrap_or(q);
                self.schema.functions.remove(&found);
            }
        } else if is(rt, ObjectType::ObjectTrigger) {
            for names in &objects {
                let Some((trig, table_names)) = names.split_last() else {
                    continue;
                };
                let Some(table) = self.resolve_list(table_names, &self.schema.tables) else {
                    if !s.missing_ok {
                        let q = self.qual_from_list(table_names);
                        let loc = self.locate(&q.name);
                        self.missing_table(&q, loc);
                    }
                    continue;
                };
                self.schema.triggers.remove(&(table, trig.clone()));
            }
        }
    }

    fn drop_tables(&mut self, targets: &[QualName], cascade: bool) {
        for target in targets {
            let mut dependents: Vec<(QualName, String)> = Vec::new();
            for from in self.schema.related().referencing(target) {
                if targets.contains(&from) {
                    continue;
                }
                let Some(t) = self.schema.tables.get(&from) else {
                    continue;
                };
                for (n, k) in &t.constraints {
                    if matches!(k, ConstraintKind::ForeignKey { references, .. } if references == target)
                    {
                        dependents.push((from.clone(), n.clone()));
                    }
                }
            }
            if !dependents.is_empty() && !cascade {
                let (t, c) = &dependents[0];
                self.error_at(
                    self.locate(&target.name),
                    format!("cannot drop table \"{target}\": constraint \"{c}\" on table \"{t}\" depends on it"),
                    Some(format!("drop \"{t}\" first (in the same DROP or earlier), or add CASCADE")),
                );
                continue;
            }
            for (t, c) in dependents {
                if let Some(t) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                    t.constraints.remove(&c);
                }
            }
            // Dropping a partitioned table drops its partitions.
            let mut gone = vec![target.clone()];
            gone.extend(self.partitions_of(target));
            for g in gone {
                for ix in self.schema.related().indexes(&g) {
                    if self.schema.indexes.get(&ix).is_some_and(|i| i.table == g) {
                        self.schema.indexes.remove(&ix);
                    }
                }
                self.schema.tables.remove(&g);
                // Triggers sort by table, sequences by name: both are ranges.
                let triggers: Vec<(QualName, String)> = self
                    .schema
                    .triggers
                    .range((g.clone(), String::new())..)
                    .take_while(|(t, _)| t == &g)
                    .cloned()
                    .collect();
                for t in triggers {
                    self.schema.triggers.remove(&t);
                }
                let prefix = format!("{}_", g.name);
                let sequences: Vec<QualName> = self
                    .schema
                    .sequences
                    .range(QualName::new(g.schema.clone(), prefix.clone())..)
                    .take_while(|s| s.schema == g.schema && s.name.starts_with(&prefix))
                    .filter(|s| s.name.ends_with("_seq"))
                    .cloned()
                    .collect();
                for s in sequences {
                    self.schema.sequences.remove(&s);
                }
            }
        }
    }

    fn drop_type(&mut self, q: &QualName, cascade: bool) {
        let users: Vec<String> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|&c| {
                        c.ty.schema.as_deref() == Some(q.schema.as_str()) && c.ty.name == q.name
                    })
                    .map(|c| format!("{}.{}", t.name, c.name))
            })
            .collect();
        if !users.is_empty() && !cascade {
            self.error_at(
                self.locate(&q.name),
                format!("cannot drop type \"{q}\": column {} uses it", users[0]),
                Some("drop or retype the column first, or add CASCADE".to_owned()),
            );
            return;
        }
        self.schema.enums.remove(q);
        self.schema.domains.remove(q);
        self.schema.composites.remove(q);
        self.retype(q, None);
    }

    fn drop_schema(&mut self, name: &str, cascade: bool) {
        let has_objects = self.schema.tables.keys().any(|q| q.schema == name)
            || self.schema.enums.keys().any(|q| q.schema == name)
            || self.schema.views.keys().any(|q| q.schema == name);
        if has_objects && !cascade {
            self.error_at(
                self.locate(name),
                format!("cannot drop schema \"{name}\": it still has objects"),
                Some("drop them first, or add CASCADE".to_owned()),
            );
            return;
        }
        self.schema.schemas.remove(name);
        let keep = |q: &QualName| q.schema != name;
        retain(&mut self.schema.tables, |q, _| keep(q));
        retain(&mut self.schema.views, |q, _| keep(q));
        retain(&mut self.schema.enums, |q, _| keep(q));
        retain(&mut self.schema.domains, |q, _| keep(q));
        retain(&mut self.schema.composites, |q, _| keep(q));
        retain(&mut self.schema.indexes, |q, _| keep(q));
        retain_set(&mut self.schema.sequences, keep);
        retain_set(&mut self.schema.functions, keep);
        retain_set(&mut self.schema.triggers, |(q, _)| keep(q));
    }

    // ---- other objects --------------------------------------------------------

    fn create_index(&mut self, s: &pb::IndexStmt) {
        let Some(rv) = &s.relation else { return };
        let Some(table) = self.table_of(rv, false) else {
            return;
        };
        let mut columns = Vec::new();
        for p in &s.index_params {
            let Some(NodeEnum::IndexElem(e)) = &p.node else {
                continue;
            };
            if e.name.is_empty() {
                columns.push("(expr)".to_owned());
            } else {
                self.expect_column(&table, &e.name, None);
                columns.push(e.name.clone());
            }
        }
        let name = if s.idxname.is_empty() {
            let cols: Vec<&str> = columns
                .iter()
                .map(|c| if c == "(expr)" { "expr" } else { c.as_str() })
                .collect();
            self.choose_name(&table, Some(&cols.join("_")), "idx")
        } else {
            s.idxname.clone()
        };
        let q = QualName::new(table.schema.clone(), name);
        if self.schema.indexes.contains_key(&q) || self.schema.tables.contains_key(&q) {
            if !s.if_not_exists {
                self.error_at(
                    self.locate(&q.name),
                    format!("relation \"{q}\" already exists"),
                    Some("pick another index name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        self.schema.indexes.insert(
            q,
            Index {
                table,
                columns,
                unique: s.unique,
                partial: s.where_clause.is_some(),
            },
        );
    }

    fn create_enum(&mut self, s: &pb::CreateEnumStmt) {
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

    fn type_exists(&self, q: &QualName) -> bool {
        self.schema.enums.contains_key(q)
            || self.schema.domains.contains_key(q)
            || self.schema.composites.contains_key(q)
    }

    fn alter_enum(&mut self, s: &pb::AlterEnumStmt) {
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
        let labels = self.schema.enums.get_mut(&q).expect("resolved");
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

    fn create_domain(&mut self, s: &pb::CreateDomainStmt) {
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

    fn create_composite(&mut self, s: &pb::CompositeTypeStmt) {
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
                });
            }
        }
        self.schema.composites.insert(q, cols);
    }

    fn create_view(&mut self, s: &pb::ViewStmt) {
        let Some(rv) = &s.view else { return };
        let q = self.qual_for_create(&rv.schemaname, &rv.relname);
        if self.schema.tables.contains_key(&q) || (self.schema.views.contains_key(&q) && !s.replace)
        {
            self.error_at(
                Some(rv.location),
                format!("relation \"{q}\" already exists"),
                Some("use CREATE OR REPLACE VIEW, or drop it first".to_owned()),
            );
            return;
        }
        let mut columns = self.view_columns(s.query.as_deref());
        let aliases = strings(&s.aliases);
        if let Some(cols) = &mut columns {
            for (c, a) in cols.iter_mut().zip(aliases) {
                c.name = a;
            }
        }
        self.schema.views.insert(
            q.clone(),
            View {
                name: q,
                columns,
                materialized: false,
            },
        );
    }

    /// The columns of `SELECT a, b AS c FROM t` when every item is a plain column
    /// of one known table; `None` otherwise (the view is then known by name).
    fn view_columns(&self, query: Option<&pb::Node>) -> Option<Vec<Column>> {
        let Some(NodeEnum::SelectStmt(sel)) = query.and_then(|q| q.node.as_ref()) else {
            return None;
        };
        let [from] = sel.from_clause.as_slice() else {
            return None;
        };
        let Some(NodeEnum::RangeVar(rv)) = &from.node else {
            return None;
        };
        let table =
            &self.schema.tables[&self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables)?];
        let mut out = Vec::new();
        for t in &sel.target_list {
            let Some(NodeEnum::ResTarget(rt)) = &t.node else {
                return None;
            };
            let Some(NodeEnum::ColumnRef(cr)) = rt.val.as_ref().and_then(|v| v.node.as_ref())
            else {
                return None;
            };
            if matches!(
                cr.fields.last().and_then(|f| f.node.as_ref()),
                Some(NodeEnum::AStar(_))
            ) {
                out.extend(table.columns.iter().cloned().map(|mut c| {
                    c.has_default = false;
                    c
                }));
                continue;
            }
            let name = strings(&cr.fields).last()?.clone();
            let mut col = table.column(&name)?.clone();
            // A view column carries the type, not the constraints.
            col.nullable = true;
            col.has_default = false;
            col.identity = None;
            col.generated = false;
            if !rt.name.is_empty() {
                col.name = rt.name.clone();
            }
            out.push(col);
        }
        Some(out)
    }

    fn create_table_as(&mut self, s: &pb::CreateTableAsStmt) {
        let Some(into) = &s.into else { return };
        let Some(rv) = &into.rel else { return };
        let q = self.qual_for_create(&rv.schemaname, &rv.relname);
        if is(s.objtype, ObjectType::ObjectMatview) {
            let columns = self.view_columns(s.query.as_deref());
            self.schema.views.insert(
                q.clone(),
                View {
                    name: q,
                    columns,
                    materialized: true,
                },
            );
        } else {
            let columns = self.view_columns(s.query.as_deref());
            let mut t = Table::new(q.clone());
            match columns {
                Some(c) => t.columns = c,
                None => self.incomplete("the columns of CREATE TABLE ... AS are not derived"),
            }
            self.schema.tables.insert(q, Arc::new(t));
        }
    }

    fn create_schema(&mut self, s: &pb::CreateSchemaStmt) {
        if self.schema.schemas.contains(&s.schemaname) {
            if !s.if_not_exists {
                self.error_at(
                    self.locate(&s.schemaname),
                    format!("schema \"{}\" already exists", s.schemaname),
                    Some("add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        self.schema.schemas.insert(s.schemaname.clone());
        if !s.schema_elts.is_empty() {
            self.incomplete("objects created inside CREATE SCHEMA are not replayed");
        }
    }

    fn create_trigger(&mut self, s: &pb::CreateTrigStmt) {
        let Some(rv) = &s.relation else { return };
        let Some(table) = self.table_of(rv, false) else {
            return;
        };
        let key = (table.clone(), s.trigname.clone());
        if self.schema.triggers.contains(&key) && !s.replace {
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
        self.schema.triggers.insert(key);
    }

    fn insert(&mut self, s: &pb::InsertStmt) {
        let Some(rv) = &s.relation else { return };
        let Some(table) = self.table_of(rv, false) else {
            return;
        };
        for c in &s.cols {
            if let Some(NodeEnum::ResTarget(rt)) = &c.node {
                self.expect_column(&table, &rt.name, Some(rt.location));
            }
        }
    }
}

/// Builds a constraint with the column it was declared on as its key.
fn with_keys(mut c: pb::Constraint, column: &str) -> pb::Constraint {
    let key = pb::Node {
        node: Some(NodeEnum::String(pb::String {
            sval: column.to_owned(),
        })),
    };
    if c.contype == ConstrType::ConstrForeign as i32 {
        if c.fk_attrs.is_empty() {
            c.fk_attrs.push(key);
        }
    } else if c.keys.is_empty() && c.contype != ConstrType::ConstrCheck as i32 {
        c.keys.push(key);
    }
    c
}

fn object_names(node: Option<&pb::Node>) -> Vec<String> {
    match node.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::TypeName(tn)) => strings(&tn.names),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
