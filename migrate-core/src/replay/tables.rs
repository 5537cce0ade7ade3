//! CREATE TABLE: columns, inline and table constraints, implicit names.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ConstrType};

use super::{is, strings};
use crate::lower::colname::columns_read;
use crate::lower::constraints::constraint;
use crate::model::apply::Applier;
use crate::model::schema::{
    Column, ConstraintKind, Identity, Index, Partitioning, QualName, Table,
};
use crate::model::types::SqlType;

// libpg_query's TableLikeOption bits (CREATE TABLE ... (LIKE t INCLUDING ...)).
const LIKE_CONSTRAINTS: u32 = 1 << 2;
const LIKE_DEFAULTS: u32 = 1 << 3;
const LIKE_GENERATED: u32 = 1 << 4;
const LIKE_IDENTITY: u32 = 1 << 5;
const LIKE_INDEXES: u32 = 1 << 6;

impl Applier<'_> {
    // ---- tables -------------------------------------------------------------

    pub(super) fn create_table(&mut self, s: &pb::CreateStmt) {
        let Some(rv) = &s.relation else { return };
        let name = self.new_relation(rv);
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
            let parent_columns = self
                .schema
                .tables
                .get(&pq)
                .map(|t| t.columns.clone())
                .unwrap_or_default();
            for c in &parent_columns {
                table.inherit_column(c);
            }
            if s.partbound.is_some() {
                table.partitioning = Partitioning::PartitionOf(pq.clone());
                // A partition carries its parent's primary key and unique constraints
                // under its own index names; the model keeps only the parent's.
            } else {
                table.inherits.push(pq.clone());
            }
        }
        // Partitions and children inherit their parents' CHECK constraints, by name.
        for parent in &s.inh_relations {
            if let Some(NodeEnum::RangeVar(prv)) = &parent.node
                && let Some(pq) = self.resolve(&prv.schemaname, &prv.relname, &self.schema.tables)
                && let Some(pt) = self.schema.tables.get(&pq)
            {
                for (n, k) in &pt.constraints {
                    if matches!(k, ConstraintKind::Check { .. }) {
                        table
                            .constraints
                            .entry(n.clone())
                            .or_insert_with(|| k.clone());
                    }
                }
            }
        }
        // CREATE TABLE t OF type: the composite type's columns.
        if let Some(tn) = &s.of_typename {
            let names = strings(&tn.names);
            match self.resolve_list(&names, &self.schema.composites) {
                Some(q) => {
                    for c in self.schema.composites.get(&q).cloned().unwrap_or_default() {
                        if table.column(&c.name).is_none() {
                            table.columns.push(c);
                        }
                    }
                }
                None => {
                    self.error_at(
                        Some(tn.location),
                        format!("type \"{}\" does not exist", names.join(".")),
                        Some(
                            "create the composite type (CREATE TYPE ... AS (...)) first".to_owned(),
                        ),
                    );
                    return;
                }
            }
        }
        self.schema.tables.insert(name.clone(), Arc::new(table));

        let mut constraints = Vec::new();
        let mut like_extras = Vec::new();
        let mut like_identities = Vec::new();
        for elt in &s.table_elts {
            match &elt.node {
                Some(NodeEnum::ColumnDef(cd)) => {
                    // A column a parent (INHERITS) already has is merged with
                    // the inherited one, as PostgreSQL does with a notice.
                    let inherited = !s.inh_relations.is_empty()
                        && s.partbound.is_none()
                        && self
                            .schema
                            .tables
                            .get(&name)
                            .is_some_and(|t| t.column(&cd.colname).is_some());
                    if inherited {
                        self.merge_inherited_column(&name, cd);
                    } else {
                        self.add_column(&name, cd, false);
                    }
                }
                Some(NodeEnum::Constraint(c)) => constraints.push(constraint(c)),
                Some(NodeEnum::TableLikeClause(like)) => {
                    // LIKE a view copies its columns (only); one the model could
                    // not type makes the new table opaque.
                    if let Some(lrv) = &like.relation
                        && let Some(v) =
                            self.resolve(&lrv.schemaname, &lrv.relname, &self.schema.views)
                    {
                        match self.schema.views.get(&v).and_then(|v| v.columns.clone()) {
                            Some(cols) => {
                                if let Some(t) =
                                    self.schema.tables.get_mut(&name).map(Arc::make_mut)
                                {
                                    t.columns.extend(cols);
                                }
                            }
                            None => self.make_opaque(
                                name.clone(),
                                "LIKE a view whose columns are not derived",
                            ),
                        }
                        continue;
                    }
                    if let Some(lrv) = &like.relation
                        && let Some(src) = self.table_of(lrv, false)
                    {
                        let cols = self
                            .schema
                            .tables
                            .get(&src)
                            .map(|t| t.columns.clone())
                            .unwrap_or_default();
                        let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut) else {
                            continue;
                        };
                        for mut c in cols {
                            // LIKE copies NOT NULL; defaults, identity and generation
                            // only when asked (libpg_query's TableLikeOption bits).
                            c.has_default = c.has_default
                                && like.options & (LIKE_DEFAULTS | LIKE_GENERATED) != 0;
                            c.identity = c.identity.filter(|_| like.options & LIKE_IDENTITY != 0);
                            c.generated = c.generated && like.options & LIKE_GENERATED != 0;
                            // An identity copied by LIKE gets a sequence of its own.
                            c.sequence = None;
                            if c.identity.is_some() {
                                like_identities.push(c.name.clone());
                            }
                            t.columns.push(c);
                        }
                        if like.options & LIKE_GENERATED != 0
                            && let Some(from) = self
                                .schema
                                .tables
                                .get(&src)
                                .map(|s| s.generated_from.clone())
                            && let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut)
                        {
                            t.generated_from.extend(from);
                        }
                        if like.options & (LIKE_INDEXES | LIKE_CONSTRAINTS) != 0 {
                            like_extras.push((src, like.options));
                        }
                    }
                }
                _ => {}
            }
        }
        for c in constraints {
            self.add_constraint(&name, &c);
        }
        for (src, options) in like_extras {
            self.copy_like(&src, &name, options);
        }
        for col in like_identities {
            let seq = self.choose_sequence_name(&name, &col);
            self.schema
                .sequences
                .insert(QualName::new(name.schema.clone(), seq.clone()));
            if let Some(c) = self
                .schema
                .tables
                .get_mut(&name)
                .map(Arc::make_mut)
                .and_then(|t| t.column_mut(&col))
            {
                c.sequence = Some(seq);
            }
        }
        // PostgreSQL 18: LIKE, INHERITS and PARTITION OF keep the NOT NULL
        // constraints' names of the table they copy.
        if self.schema.target.0 >= 18 {
            let mut sources: Vec<QualName> = Vec::new();
            for e in s.inh_relations.iter().chain(&s.table_elts) {
                let rv = match &e.node {
                    Some(NodeEnum::RangeVar(rv)) => Some(rv),
                    Some(NodeEnum::TableLikeClause(l)) => l.relation.as_ref(),
                    _ => None,
                };
                if let Some(rv) = rv
                    && let Some(q) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables)
                {
                    sources.push(q);
                }
            }
            for src in sources {
                let copied: Vec<(String, ConstraintKind)> = self
                    .schema
                    .tables
                    .get(&src)
                    .map(|t| {
                        t.constraints
                            .iter()
                            .filter(|(_, k)| matches!(k, ConstraintKind::NotNull { .. }))
                            .map(|(n, k)| (n.clone(), k.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut) {
                    for (n, k) in copied {
                        let dup = t.constraints.values().any(|x| x == &k);
                        if !dup && !t.constraints.contains_key(&n) {
                            t.constraints.insert(n, k);
                        }
                    }
                }
            }
        }
        self.sync_not_null(&name);
        // Copied from a relation the model doubts (INHERITS, LIKE, OF): so is this.
        let copied_doubt = s
            .inh_relations
            .iter()
            .chain(&s.table_elts)
            .filter_map(|e| match &e.node {
                Some(NodeEnum::RangeVar(rv)) => Some(rv),
                Some(NodeEnum::TableLikeClause(l)) => l.relation.as_ref(),
                _ => None,
            })
            .filter_map(|rv| {
                self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables)
                    .or_else(|| self.resolve(&rv.schemaname, &rv.relname, &self.schema.views))
            })
            .any(|q| self.schema.doubts(&q));
        if copied_doubt {
            self.make_opaque(
                name.clone(),
                "copies the columns of a relation the model cannot follow",
            );
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
    pub(super) fn add_column(&mut self, table: &QualName, cd: &pb::ColumnDef, if_not_exists: bool) {
        let exists = self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.column(&cd.colname).is_some());
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
            sequence: None,
        };
        let owns_sequence = serial
            || cd.constraints.iter().any(|c| {
                matches!(&c.node, Some(NodeEnum::Constraint(c)) if is(c.contype, ConstrType::ConstrIdentity))
            });
        if owns_sequence {
            let seq = self.choose_sequence_name(table, &cd.colname);
            self.schema
                .sequences
                .insert(QualName::new(table.schema.clone(), seq.clone()));
            col.sequence = Some(seq);
        }
        let mut table_constraints = Vec::new();
        let mut generated_reads: Option<Vec<String>> = None;
        for c in &cd.constraints {
            let Some(NodeEnum::Constraint(c)) = &c.node else {
                continue;
            };
            let t = c.contype;
            if is(t, ConstrType::ConstrNotnull) {
                col.nullable = false;
                if !c.conname.is_empty() {
                    table_constraints.push(constraint(c).on_column(&cd.colname));
                }
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
                let mut reads = Vec::new();
                columns_read(c.raw_expr.as_deref(), &mut reads);
                generated_reads = Some(reads);
            } else if is(t, ConstrType::ConstrPrimary) {
                col.nullable = false;
                table_constraints.push(constraint(c).on_column(&cd.colname));
            } else if is(t, ConstrType::ConstrUnique)
                || is(t, ConstrType::ConstrForeign)
                || is(t, ConstrType::ConstrCheck)
                || is(t, ConstrType::ConstrExclusion)
            {
                table_constraints.push(constraint(c).on_column(&cd.colname));
            }
        }
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            if let Some(reads) = generated_reads {
                t.generated_from.insert(col.name.clone(), reads);
            }
            t.columns.push(col);
        }
        for c in table_constraints {
            self.add_constraint(table, &c);
        }
    }

    /// A column written in CREATE TABLE ... INHERITS that a parent has: its own
    /// NOT NULL and DEFAULT add to the inherited definition.
    fn merge_inherited_column(&mut self, table: &QualName, cd: &pb::ColumnDef) {
        let not_null = cd.is_not_null
            || cd.constraints.iter().any(|c| {
                matches!(&c.node, Some(NodeEnum::Constraint(c)) if is(c.contype, ConstrType::ConstrNotnull))
            });
        let default = cd.raw_default.is_some()
            || cd.constraints.iter().any(|c| {
                matches!(&c.node, Some(NodeEnum::Constraint(c)) if is(c.contype, ConstrType::ConstrDefault))
            });
        let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) else {
            return;
        };
        // The child's own too: a parent's DROP COLUMN leaves it.
        if let Some(i) = t.inherited.get_mut(&cd.colname) {
            i.local = true;
        }
        if let Some(c) = t.column_mut(&cd.colname) {
            c.nullable &= !not_null;
            c.has_default |= default;
        }
    }

    /// PostgreSQL 18 keeps every NOT NULL as a named constraint: one for each
    /// NOT NULL column that has none (named after the parent's for a partition,
    /// else `{table}_{column}_not_null`), none for a nullable column. Before 18
    /// there are none.
    pub(super) fn sync_not_null(&mut self, table: &QualName) {
        if self.schema.target.0 < 18 {
            return;
        }
        let Some(t) = self.schema.tables.get(table).cloned() else {
            return;
        };
        let parent = match &t.partitioning {
            Partitioning::PartitionOf(p) => self.schema.tables.get(p).cloned(),
            _ => None,
        };
        let covered = |tbl: &Table, col: &str| {
            tbl.constraints
                .iter()
                .find(|(_, k)| matches!(k, ConstraintKind::NotNull { column } if column == col))
                .map(|(n, _)| n.clone())
        };
        let mut add: Vec<(String, String)> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        for c in &t.columns {
            if !c.nullable && covered(&t, &c.name).is_none() {
                let name = parent
                    .as_ref()
                    .and_then(|p| covered(p, &c.name))
                    .unwrap_or_else(|| {
                        let taken: Vec<&str> = add.iter().map(|(n, _)| n.as_str()).collect();
                        let mut n = self.choose_name(table, Some(&c.name), "not_null");
                        let mut i = 1;
                        while taken.contains(&n.as_str()) {
                            n = self.choose_name(table, Some(&c.name), &format!("not_null{i}"));
                            i += 1;
                        }
                        n
                    });
                add.push((name, c.name.clone()));
            }
        }
        for (n, k) in &t.constraints {
            if let ConstraintKind::NotNull { column } = k
                && t.column(column).is_none_or(|c| c.nullable)
            {
                gone.push(n.clone());
            }
        }
        if add.is_empty() && gone.is_empty() {
            return;
        }
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            for n in gone {
                t.constraints.remove(&n);
            }
            for (n, column) in add {
                t.constraints.insert(n, ConstraintKind::NotNull { column });
            }
        }
    }

    /// LIKE ... INCLUDING INDEXES / CONSTRAINTS: the source's indexes (its
    /// primary key and unique constraints among them) and checks, under the
    /// names PostgreSQL chooses for the new table.
    fn copy_like(&mut self, src: &QualName, dst: &QualName, options: u32) {
        let Some(source) = self.schema.tables.get(src).cloned() else {
            return;
        };
        if options & LIKE_CONSTRAINTS != 0 {
            for (n, k) in &source.constraints {
                if let ConstraintKind::Check { columns } = k {
                    let cols = columns.clone();
                    if let Some(t) = self.schema.tables.get_mut(dst).map(Arc::make_mut) {
                        t.constraints
                            .insert(n.clone(), ConstraintKind::Check { columns: cols });
                    }
                }
            }
        }
        if options & LIKE_INDEXES == 0 {
            return;
        }
        // A partition's copies of its parent's indexes are not in the model.
        if source.is_partition() {
            self.make_opaque(dst.clone(), "LIKE ... INCLUDING INDEXES of a partition");
            return;
        }
        let indexes: Vec<(QualName, Index)> = self
            .schema
            .related()
            .indexes(src)
            .into_iter()
            .filter_map(|q| self.schema.indexes.get(&q).map(|ix| (q, ix.clone())))
            .filter(|(_, ix)| &ix.table == src)
            .collect();
        for (q, mut ix) in indexes {
            let constraint = source.constraints.get(&q.name).cloned();
            let label = match &constraint {
                Some(ConstraintKind::PrimaryKey { .. }) => "pkey",
                Some(ConstraintKind::Unique { .. }) => "key",
                Some(ConstraintKind::Exclusion) => "excl",
                _ => "idx",
            };
            let cols = (label != "pkey").then(|| index_column_names(&ix).join("_"));
            let name = self.choose_name(dst, cols.as_deref(), label);
            ix.table = dst.clone();
            if let Some(k) = constraint
                && let Some(t) = self.schema.tables.get_mut(dst).map(Arc::make_mut)
            {
                t.constraints.insert(name.clone(), k);
            }
            self.schema
                .indexes
                .insert(QualName::new(dst.schema.clone(), name), ix);
        }
    }
}

/// The names an index's columns give an implicit index name: the column, or
/// for an expression its FigureColname, as they were when it was built.
pub(super) fn index_column_names(ix: &Index) -> Vec<String> {
    if !ix.names.is_empty() {
        return ix.names.clone();
    }
    let parsed = crate::sql::parse::parse("", &ix.definition).ok();
    match parsed.as_ref().and_then(|p| p.first()).map(|s| &s.node) {
        Some(NodeEnum::IndexStmt(stmt)) => stmt
            .index_params
            .iter()
            .filter_map(|p| match &p.node {
                Some(NodeEnum::IndexElem(e)) => Some(crate::lower::colname::index_column_name(e)),
                _ => None,
            })
            .collect(),
        // Constraint indexes have no definition: their columns are names.
        _ => ix
            .columns
            .iter()
            .map(|c| {
                if c == "(expr)" {
                    "expr".to_owned()
                } else {
                    c.clone()
                }
            })
            .collect(),
    }
}
