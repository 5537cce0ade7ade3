//! The schema as the migrations build it: what replay produces and the type
//! generator, the seed check and the reversal check read.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::model::related::Related;
use crate::model::types::SqlType;

/// A map of schema objects. Persistent (structure-shared): the replay keeps the
/// schema after every migration and clones it before each one for the reversal
/// check, so a clone must cost O(1), not a copy of every table.
pub type Map<K, V> = imbl::OrdMap<K, V>;
/// A set of schema objects, persistent for the same reason as [`Map`].
pub type Set<K> = imbl::OrdSet<K>;

/// Keeps the entries `keep` accepts.
pub fn retain<K: Ord + Clone, V: Clone>(map: &mut Map<K, V>, mut keep: impl FnMut(&K, &V) -> bool) {
    let gone: Vec<K> = map
        .iter()
        .filter(|(k, v)| !keep(k, v))
        .map(|(k, _)| k.clone())
        .collect();
    for k in gone {
        map.remove(&k);
    }
}

/// Applies `change` to every value, writing back only those it changed, so
/// untouched entries stay shared with earlier snapshots of the schema.
pub fn update_all<K: Ord + Clone, V: Clone + PartialEq>(
    map: &mut Map<K, V>,
    mut change: impl FnMut(&mut V),
) {
    let changed: Vec<(K, V)> = map
        .iter()
        .filter_map(|(k, v)| {
            let mut new = v.clone();
            change(&mut new);
            (new != *v).then(|| (k.clone(), new))
        })
        .collect();
    for (k, v) in changed {
        map.insert(k, v);
    }
}

/// Keeps the members `keep` accepts.
pub fn retain_set<K: Ord + Clone>(set: &mut Set<K>, mut keep: impl FnMut(&K) -> bool) {
    let gone: Vec<K> = set.iter().filter(|k| !keep(k)).cloned().collect();
    for k in gone {
        set.remove(&k);
    }
}

/// Something names can be looked up in: a map or a set of qualified names.
pub trait Names {
    fn has(&self, name: &QualName) -> bool;
}

impl<V: Clone> Names for Map<QualName, V> {
    fn has(&self, name: &QualName) -> bool {
        self.contains_key(name)
    }
}

impl Names for Set<QualName> {
    fn has(&self, name: &QualName) -> bool {
        self.contains(name)
    }
}

/// A schema-qualified name. Unqualified names in migrations live in `public`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualName {
    pub schema: String,
    pub name: String,
}

impl QualName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    pub fn public(name: impl Into<String>) -> Self {
        QualName::new("public", name)
    }
}

impl fmt::Display for QualName {
    /// `vms` for `public.vms`, `metrics.samples` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" {
            f.write_str(&self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// Identity column kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Always,
    ByDefault,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
    /// A DEFAULT, a serial sequence or an identity: an INSERT may leave it out.
    pub has_default: bool,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (...) STORED`: never written by INSERT.
    pub generated: bool,
    /// The sequence the column owns (serial, identity, `OWNED BY`), by name in
    /// the table's schema: it goes with the column and the table, and keeps its
    /// name when they are renamed, as in PostgreSQL.
    pub sequence: Option<String>,
}

impl Column {
    /// True when an INSERT may leave the column out.
    pub fn optional_on_insert(&self) -> bool {
        self.nullable || self.has_default || self.identity.is_some() || self.generated
    }
}

/// A table constraint. Check expressions are not kept: only whether a check
/// exists under that name matters to the checks built on the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        references: QualName,
        ref_columns: Vec<String>,
    },
    /// The columns the expression reads: DROP COLUMN drops the check with them.
    Check {
        columns: Vec<String>,
    },
    Exclusion,
    /// PostgreSQL 18 keeps NOT NULL as a named constraint (`t_c_not_null`);
    /// the model has them only when the target is 18 or later.
    NotNull {
        column: String,
    },
}

/// How a table is partitioned, or of which table it is a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitioning {
    None,
    /// `PARTITION BY RANGE (time)`.
    Partitioned {
        strategy: String,
        key: Vec<String>,
    },
    /// `PARTITION OF parent`.
    PartitionOf(QualName),
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: QualName,
    /// `INHERITS (parent, ...)`: column changes on a parent reach its children.
    pub inherits: Vec<QualName>,
    /// Generated column -> the columns its expression reads: dropping one of
    /// them drops it (CASCADE) or is refused.
    pub generated_from: BTreeMap<String, Vec<String>>,
    /// In creation order: the order a `SELECT *` returns.
    pub columns: Vec<Column>,
    pub constraints: BTreeMap<String, ConstraintKind>,
    pub partitioning: Partitioning,
}

impl Table {
    pub fn new(name: QualName) -> Self {
        Table {
            name,
            inherits: Vec::new(),
            generated_from: BTreeMap::new(),
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            partitioning: Partitioning::None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The primary key's columns, if any.
    pub fn primary_key(&self) -> Option<&[String]> {
        self.constraints.values().find_map(|c| match c {
            ConstraintKind::PrimaryKey { columns } => Some(columns.as_slice()),
            _ => None,
        })
    }

    /// True for a partition: it shares its parent's row type and gets no types of
    /// its own.
    pub fn is_partition(&self) -> bool {
        matches!(self.partitioning, Partitioning::PartitionOf(_))
    }
}

/// An index (constraint indexes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub table: QualName,
    /// Column names; expressions show as `(expr)`.
    pub columns: Vec<String>,
    pub unique: bool,
    pub partial: bool,
    /// Every column the index reads (keys, expressions, WHERE, INCLUDE): dropping
    /// any of them drops the index.
    pub uses: Vec<String>,
    /// The definition in PostgreSQL's canonical spelling (name, schema and
    /// CONCURRENTLY left out), so that a down recreating the index differently
    /// is a difference. Empty for constraint indexes.
    pub definition: String,
    /// The names of the index's own columns, fixed when it was built (renaming a
    /// table column does not rename them): `LIKE ... INCLUDING INDEXES` names
    /// its copy after them.
    pub names: Vec<String>,
}

impl Index {
    /// What PostgreSQL compares (its catalogue's definition): not the names
    /// of the index's own columns, which it never shows.
    pub fn same_definition(&self, other: &Index) -> bool {
        self.table == other.table
            && self.columns == other.columns
            && self.unique == other.unique
            && self.partial == other.partial
            && self.definition == other.definition
    }
}

/// A view; its columns when the replay could derive them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: QualName,
    pub columns: Option<Vec<Column>>,
    pub materialized: bool,
    /// The tables and views its query reads (joins, CTEs, UNION, subqueries):
    /// DROP ... CASCADE of any of them drops the view.
    pub depends: Vec<QualName>,
    /// The column names its query reads (`*` expanded as at creation), and
    /// whether they can only be columns of `depends`' one relation: DROP COLUMN
    /// on a column a view reads fails without CASCADE and drops the view with it.
    pub reads: Vec<String>,
    pub reads_certain: bool,
}

/// A domain: a base type with constraints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub base: SqlType,
    pub not_null: bool,
}

/// The whole schema at one version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    pub schemas: Set<String>,
    /// Behind `Arc` so that comparing two snapshots skips the tables they share
    /// (`Arc<T: Eq>` compares pointers first).
    pub tables: Map<QualName, Arc<Table>>,
    pub views: Map<QualName, View>,
    pub enums: Map<QualName, Vec<String>>,
    pub domains: Map<QualName, Domain>,
    /// `CREATE TYPE x AS (...)`.
    pub composites: Map<QualName, Vec<Column>>,
    /// Base, shell, range and multirange types: known by name only.
    pub other_types: Set<QualName>,
    pub indexes: Map<QualName, Index>,
    pub sequences: Set<QualName>,
    /// By qualified name; overloads are one entry. The value fingerprints the
    /// arguments and body, so a down that restores another body is a difference.
    pub functions: Map<QualName, String>,
    /// (table, trigger name) -> the function it executes.
    pub triggers: Map<(QualName, String), QualName>,
    pub extensions: Set<String>,
    /// The tool's own version table: in the model (migrations may alter it) but
    /// not a table of the application, so no types are generated for it.
    pub history_table: Option<QualName>,
    /// Objects the model lost track of: a statement it could not follow may have
    /// created, changed or dropped them (a conditional branch of a DO block, a
    /// catalogue update). What the model holds for them is its best guess; no
    /// check fails on them, and they never count as a difference.
    pub opaque: Set<QualName>,
    /// Set (to the statement's place) once a statement may have changed anything
    /// at all (EXECUTE of a built string): from then on no object is known to be
    /// absent or present, and existence checks are off.
    pub unknown: Option<String>,
    /// The oldest PostgreSQL the migrations must run on; behaviour that differs
    /// between versions follows it.
    pub target: crate::check::version::PgVersion,
    /// Reverse lookups (dependents of a table), a cache that never counts as a
    /// difference.
    pub(crate) related: Related,
}

impl Schema {
    /// The empty database every migration set starts from.
    pub fn empty() -> Self {
        let mut s = Schema::default();
        s.schemas.insert("public".to_owned());
        s
    }

    /// True when the model cannot be sure about `name`: checks on it are off.
    pub fn doubts(&self, name: &QualName) -> bool {
        self.unknown.is_some() || self.opaque.contains(name)
    }

    /// True when the model knows nothing for sure any more.
    pub fn lost(&self) -> bool {
        self.unknown.is_some()
    }

    /// Brings the reverse lookups up to date; cheap when little changed.
    pub(crate) fn related(&mut self) -> &Related {
        self.related.refresh(&self.tables, &self.indexes);
        &self.related
    }

    /// Tables a user sees as types: partitions share their parent's.
    pub fn user_tables(&self) -> impl Iterator<Item = &Table> {
        self.tables
            .values()
            .map(|t| &**t)
            // An opaque table's types are the model's best guess; columns whose
            // type it could not derive (`unknown`) are left out of them.
            .filter(|t| !t.is_partition() && Some(&t.name) != self.history_table.as_ref())
    }

    /// What differs between two schemas, as sentences about `other` relative to
    /// `self` ("column vms.gpu_count is left over"); empty when they are equal.
    /// Column order does not count: a down that re-adds a dropped column can only
    /// append it.
    pub fn differences(&self, other: &Schema) -> Vec<String> {
        let mut out = Vec::new();
        // Cheap when nothing changed: the maps share their structure.
        if self == other {
            return out;
        }
        let sure = |q: &QualName| !self.opaque.contains(q) && !other.opaque.contains(q);
        diff_keys(&mut out, "table", &self.tables, &other.tables, &sure);
        for (name, a) in &self.tables {
            let Some(b) = other.tables.get(name) else {
                continue;
            };
            if !sure(name) {
                continue;
            }
            for ca in &a.columns {
                match b.column(&ca.name) {
                    None => out.push(format!("column {name}.{} is missing", ca.name)),
                    Some(cb) if cb != ca => out.push(format!(
                        "column {name}.{} is {} but was {}",
                        ca.name,
                        describe(cb),
                        describe(ca)
                    )),
                    Some(_) => {}
                }
            }
            for cb in &b.columns {
                if a.column(&cb.name).is_none() {
                    out.push(format!("column {name}.{} is left over", cb.name));
                }
            }
            for (cname, ka) in &a.constraints {
                match b.constraints.get(cname) {
                    None => out.push(format!("constraint {cname} on {name} is missing")),
                    Some(kb) if kb != ka => {
                        out.push(format!("constraint {cname} on {name} differs"))
                    }
                    Some(_) => {}
                }
            }
            for cname in b.constraints.keys() {
                if !a.constraints.contains_key(cname) {
                    out.push(format!("constraint {cname} on {name} is left over"));
                }
            }
            if a.partitioning != b.partitioning {
                out.push(format!("partitioning of {name} differs"));
            }
        }
        diff_keys(&mut out, "view", &self.views, &other.views, &sure);
        diff_keys(&mut out, "enum type", &self.enums, &other.enums, &sure);
        for (name, a) in &self.enums {
            if let Some(b) = other.enums.get(name)
                && a != b
                && sure(name)
            {
                out.push(format!("enum type {name} has labels {b:?} but had {a:?}"));
            }
        }
        diff_keys(&mut out, "domain", &self.domains, &other.domains, &sure);
        diff_keys(
            &mut out,
            "composite type",
            &self.composites,
            &other.composites,
            &sure,
        );
        diff_keys(&mut out, "index", &self.indexes, &other.indexes, &sure);
        for (name, a) in &self.indexes {
            if let Some(b) = other.indexes.get(name)
                && !a.same_definition(b)
                && sure(name)
                && sure(&a.table)
            {
                out.push(format!("index {name} is defined differently"));
            }
        }
        diff_set(&mut out, "sequence", &self.sequences, &other.sequences);
        diff_set(&mut out, "type", &self.other_types, &other.other_types);
        diff_keys(
            &mut out,
            "function",
            &self.functions,
            &other.functions,
            &sure,
        );
        for (name, a) in &self.functions {
            if let Some(b) = other.functions.get(name)
                && a != b
                && sure(name)
            {
                out.push(format!("function {name} has another body or signature"));
            }
        }
        let triggers = |s: &Schema| -> Set<String> {
            s.triggers
                .keys()
                .filter(|(t, _)| sure(t))
                .map(|(t, n)| format!("{n} on {t}"))
                .collect()
        };
        diff_set(&mut out, "trigger", &triggers(self), &triggers(other));
        diff_set(&mut out, "extension", &self.extensions, &other.extensions);
        diff_set(&mut out, "schema", &self.schemas, &other.schemas);
        out
    }
}

fn describe(c: &Column) -> String {
    let mut s = c.ty.to_string();
    if !c.nullable {
        s.push_str(" not null");
    }
    if c.has_default {
        s.push_str(" with default");
    }
    s
}

fn diff_keys<V: Clone>(
    out: &mut Vec<String>,
    what: &str,
    a: &Map<QualName, V>,
    b: &Map<QualName, V>,
    sure: &impl Fn(&QualName) -> bool,
) {
    for k in a.keys() {
        if !b.contains_key(k) && sure(k) {
            out.push(format!("{what} {k} is missing"));
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) && sure(k) {
            out.push(format!("{what} {k} is left over"));
        }
    }
}

fn diff_set<K: fmt::Display + Ord + Clone>(
    out: &mut Vec<String>,
    what: &str,
    a: &Set<K>,
    b: &Set<K>,
) {
    for k in a.iter().filter(|k| !b.contains(*k)) {
        out.push(format!("{what} {k} is missing"));
    }
    for k in b.iter().filter(|k| !a.contains(*k)) {
        out.push(format!("{what} {k} is left over"));
    }
}
