//! CREATE TABLE: parents (PARTITION OF, INHERITS), OF type, LIKE, its
//! columns and constraints, and the NOT NULL names PostgreSQL 18 copies.

use std::sync::Arc;

use super::Applier;
use super::indexes::index_column_names;
use crate::lower::constraints::{Constraint, ConstraintDef};
use crate::lower::tables::{CreateTable, Element, LikeOptions};
use crate::model::schema::{ConstraintKind, Index, Partitioning, QualName, Table};

impl Applier<'_> {
    pub(crate) fn create_table(&mut self, s: &CreateTable<'_>) {
        let rv = &s.name;
        let name = self.new_relation(rv);
        // Once the model is lost, a schema it lacks may exist.
        if !self.schema.schemas.contains(&name.schema)
            && name.schema != "pg_temp"
            && !self.schema.lost()
        {
            self.error_at(
                Some(rv.at),
                format!("schema \"{}\" does not exist", name.schema),
                Some(format!("run CREATE SCHEMA {} first", name.schema)),
            );
            return;
        }
        if self.relation_exists(&name) && (s.if_not_exists || !self.forget_doubted_relation(&name))
        {
            if !s.if_not_exists {
                self.error_at(
                    Some(rv.at),
                    format!("relation \"{name}\" already exists"),
                    Some("drop it first, pick another name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let mut table = Table::new(name.clone());

        // PARTITION OF / INHERITS: the parent's columns come first.
        for prv in &s.parents {
            let Some(pq) = self.table_of(prv, false) else {
                return;
            };
            if let Some(parent) = self.schema.tables.get(&pq).cloned() {
                let identity = s.partition_of && self.schema.target.0 >= 17;
                for c in &parent.columns {
                    table.inherit_column(&parent, c, true, identity);
                }
                // Before 17 a partition does not share its parent's identity.
                if s.partition_of
                    && self.schema.any_server
                    && parent.columns.iter().any(|c| c.identity.is_some())
                {
                    self.make_opaque(
                        name.clone(),
                        "whether a partition shares its parent's identity depends on the server (17 and later do)",
                    );
                }
            }
            if s.partition_of {
                table.partition_of = Some(pq.clone());
                // A partition carries its parent's primary key and unique constraints
                // under its own index names; the model keeps only the parent's.
            } else {
                table.inherits.push(pq.clone());
            }
        }
        // Partitions and children inherit their parents' CHECK constraints, by
        // name, but for the NO INHERIT ones.
        for prv in &s.parents {
            if let Some(pq) = self.resolve(prv.schema, prv.name, &self.schema.tables)
                && let Some(pt) = self.schema.tables.get(&pq)
            {
                for (n, k) in &pt.constraints {
                    if matches!(
                        k,
                        ConstraintKind::Check {
                            no_inherit: false,
                            ..
                        }
                    ) {
                        table
                            .constraints
                            .entry(n.clone())
                            .or_insert_with(|| k.clone());
                    }
                }
            }
        }
        // CREATE TABLE t OF type: the composite type's columns.
        if let Some((names, at)) = &s.of_type {
            match self.resolve_list(names, &self.schema.composites) {
                Some(q) => {
                    for c in self.schema.composites.get(&q).cloned().unwrap_or_default() {
                        if table.column(&c.name).is_none() {
                            table.columns.push(c);
                        }
                    }
                    table.of_type = Some(q);
                }
                None => {
                    self.error_at(
                        Some(*at),
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
        self.redundant = redundant_index_constraints(s);

        // Every constraint, the columns' and the table's, in the order written;
        // `true` for the table's own.
        let mut constraints = Vec::new();
        let mut on_columns = Vec::new();
        let mut like_extras = Vec::new();
        let mut like_identities = Vec::new();
        for elt in &s.elements {
            match elt {
                Element::Column(cd) => {
                    // A column a parent (INHERITS) already has is merged with
                    // the inherited one, as PostgreSQL does with a notice; for
                    // a partition or a typed table (`v DEFAULT 1`, `b WITH
                    // OPTIONS NOT NULL`) it only adds options to the column.
                    let inherited = (!s.parents.is_empty() || s.of_type.is_some())
                        && self
                            .schema
                            .tables
                            .get(&name)
                            .is_some_and(|t| t.column(cd.name).is_some());
                    if inherited {
                        self.merge_inherited_column(&name, cd);
                    } else {
                        self.add_column(&name, cd, false, Some(&mut on_columns));
                        constraints.extend(on_columns.drain(..).map(|c| (c, false)));
                    }
                }
                Element::Constraint(c) => constraints.push((c, true)),
                Element::Like(like) => {
                    // LIKE a view copies its columns (only); one the model could
                    // not type makes the new table opaque.
                    if let Some(lrv) = &like.relation
                        && let Some(v) = self.resolve(lrv.schema, lrv.name, &self.schema.views)
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
                    // LIKE a composite type copies its attributes.
                    if let Some(lrv) = &like.relation
                        && let Some(ct) =
                            self.resolve(lrv.schema, lrv.name, &self.schema.composites)
                    {
                        let cols = self.schema.composites.get(&ct).cloned().unwrap_or_default();
                        if let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut) {
                            t.columns.extend(cols);
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
                            let o = like.options;
                            c.has_default = c.has_default && (o.defaults || o.generated);
                            c.identity = c.identity.filter(|_| o.identity);
                            c.generated = c.generated && o.generated;
                            // An identity copied by LIKE gets a sequence of its own.
                            c.sequence = None;
                            if c.identity.is_some() {
                                like_identities.push(c.name.clone());
                            }
                            t.columns.push(c);
                        }
                        if like.options.generated
                            && let Some(from) = self
                                .schema
                                .tables
                                .get(&src)
                                .map(|s| s.generated_from.clone())
                            && let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut)
                        {
                            t.generated_from.extend(from);
                        }
                        if like.options.indexes || like.options.constraints {
                            like_extras.push((src, like.options));
                        }
                    }
                }
            }
        }
        // As transformCreateStmt: the checks (and named NOT NULLs) are made
        // with the table, the keys' indexes after it, the foreign keys last,
        // so a foreign key may reference a key written after it.
        constraints.sort_by_key(|(c, _)| match c.kind {
            ConstraintDef::PrimaryKey | ConstraintDef::Unique | ConstraintDef::Exclusion { .. } => {
                1
            }
            ConstraintDef::ForeignKey { .. } => 2,
            _ => 0,
        });
        for (c, own) in constraints {
            self.add_constraint(&name, c);
            // A primary key written in a child's CREATE TABLE makes the NOT
            // NULL the child's own, named after it (PostgreSQL 18).
            if own && matches!(c.kind, ConstraintDef::PrimaryKey) {
                for k in &c.keys {
                    self.own_not_null(&name, k);
                }
            }
        }
        self.redundant.clear();
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
            for rv in s.copied() {
                if let Some(q) = self.resolve(rv.schema, rv.name, &self.schema.tables) {
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
                            .filter(|(_, k)| {
                                matches!(
                                    k,
                                    ConstraintKind::NotNull {
                                        no_inherit: false,
                                        ..
                                    }
                                )
                            })
                            .map(|(n, k)| (n.clone(), k.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut) {
                    for (n, k) in copied {
                        // A NOT NULL the child writes itself is named after it.
                        let own = matches!(&k, ConstraintKind::NotNull { column, .. }
                            if t.inherited.get(column).is_some_and(|i| i.not_null_local));
                        let dup = own || t.constraints.values().any(|x| x == &k);
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
            .copied()
            .filter_map(|rv| {
                self.resolve(rv.schema, rv.name, &self.schema.tables)
                    .or_else(|| self.resolve(rv.schema, rv.name, &self.schema.views))
            })
            .any(|q| self.schema.doubts(&q));
        if copied_doubt {
            self.make_opaque(
                name.clone(),
                "copies the columns of a relation the model cannot follow",
            );
        }
        if let Some((strategy, key)) = &s.partition_by
            && let Some(t) = self.schema.tables.get_mut(&name).map(Arc::make_mut)
        {
            t.partitioning = Partitioning::Partitioned {
                strategy: (*strategy).to_owned(),
                key: key.clone(),
            };
        }
    }

    /// LIKE ... INCLUDING INDEXES / CONSTRAINTS: the source's indexes (its
    /// primary key and unique constraints among them) and checks, under the
    /// names PostgreSQL chooses for the new table.
    fn copy_like(&mut self, src: &QualName, dst: &QualName, options: LikeOptions) {
        let Some(source) = self.schema.tables.get(src).cloned() else {
            return;
        };
        if options.constraints {
            for (n, k) in &source.constraints {
                // NO INHERIT included: the copy keeps it (`connoinherit`).
                if matches!(k, ConstraintKind::Check { .. })
                    && let Some(t) = self.schema.tables.get_mut(dst).map(Arc::make_mut)
                {
                    t.constraints.insert(n.clone(), k.clone());
                }
            }
        }
        if !options.indexes {
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
        let copies: Vec<(Index, Option<ConstraintKind>, &str, Option<String>)> = indexes
            .into_iter()
            .map(|(q, ix)| {
                let constraint = source.constraints.get(&q.name).cloned();
                let label = match &constraint {
                    Some(ConstraintKind::PrimaryKey { .. }) => "pkey",
                    Some(ConstraintKind::Unique { .. }) => "key",
                    Some(ConstraintKind::Exclusion) => "excl",
                    _ => "idx",
                };
                let cols = (label != "pkey").then(|| index_column_names(&ix).join("_"));
                (ix, constraint, label, cols)
            })
            .collect();
        // Copies that ask for the same name get it and `..1`, `..2` in the
        // order the source's indexes were made, which the model does not
        // keep: which copy has which name is in doubt.
        let shared: Vec<bool> = copies
            .iter()
            .map(|(_, _, l, c)| {
                copies
                    .iter()
                    .filter(|(_, _, l2, c2)| l2 == l && c2 == c)
                    .count()
                    > 1
            })
            .collect();
        for ((mut ix, constraint, label, cols), shared) in copies.into_iter().zip(shared) {
            let name = self.choose_name(dst, cols.as_deref(), label);
            ix.table = dst.clone();
            if let Some(k) = constraint
                && let Some(t) = self.schema.tables.get_mut(dst).map(Arc::make_mut)
            {
                t.constraints.insert(name.clone(), k);
            }
            let q = QualName::new(dst.schema.clone(), name);
            if shared {
                self.make_opaque(
                    q.clone(),
                    "LIKE ... INCLUDING INDEXES names copies of indexes on the same columns in the order they were made, which the model does not keep",
                );
            }
            self.schema.indexes.insert(q, ix);
        }
    }
}

/// The primary key and unique constraints of a CREATE TABLE that PostgreSQL
/// folds into another's index (transformIndexConstraints): one on the same
/// keys as the primary key or an earlier one, both with plain indexes, is
/// not built (`id uuid UNIQUE, PRIMARY KEY (id)` has `t_pkey` only, and
/// `email text UNIQUE UNIQUE` one `t_email_key`). Where they are written.
/// When the kept one is unnamed and the folded one named, PostgreSQL gives
/// the kept index that name; the model does not fold those.
fn redundant_index_constraints(s: &CreateTable<'_>) -> Vec<i32> {
    use crate::lower::tables::ColumnConstraint;
    let mut all: Vec<&Constraint<'_>> = Vec::new();
    for e in &s.elements {
        match e {
            Element::Column(cd) => all.extend(cd.constraints.iter().filter_map(|c| match c {
                ColumnConstraint::Table(k) => Some(k),
                _ => None,
            })),
            Element::Constraint(k) => all.push(k),
            Element::Like(_) => {}
        }
    }
    redundant_among(&all)
}

/// Of the constraints of one transform (a `CREATE TABLE`, or one `ADD
/// COLUMN`'s column constraints), where the key or unique constraints that
/// PostgreSQL builds as another's index are written: a second one on the
/// same keys is folded into the first (transformIndexConstraints), a
/// primary key taking the others; when the first is unnamed and the second
/// named, the index takes the second's name, so the first is the one
/// folded.
pub(crate) fn redundant_among(all: &[&Constraint<'_>]) -> Vec<i32> {
    let index_of = |k: &&&Constraint<'_>| {
        matches!(k.kind, ConstraintDef::PrimaryKey | ConstraintDef::Unique) && k.plain_index
    };
    let mut kept: Vec<&Constraint<'_>> = (all.iter())
        .filter(|k| matches!(k.kind, ConstraintDef::PrimaryKey))
        .take(1)
        .copied()
        .collect();
    let mut redundant = Vec::new();
    for k in all.iter().filter(index_of) {
        if matches!(k.kind, ConstraintDef::PrimaryKey) {
            continue;
        }
        match kept.iter().position(|p| p.keys == k.keys && p.plain_index) {
            Some(i) => match kept.get(i) {
                // The kept one is unnamed and this one named: the index is
                // this one's.
                Some(p)
                    if p.name.is_none()
                        && k.name.is_some()
                        && !matches!(p.kind, ConstraintDef::PrimaryKey) =>
                {
                    redundant.push(p.at);
                    if let Some(slot) = kept.get_mut(i) {
                        *slot = k;
                    }
                }
                _ => redundant.push(k.at),
            },
            None => kept.push(k),
        }
    }
    redundant
}
