//! Applying: the schema model takes one lowered change at a time and owns the
//! rules that decide what else it touches (CASCADE, partitions, foreign keys,
//! implicit names, opaque and uncertain objects). Names written in a statement
//! resolve here, against the search path and what exists at this point, and
//! diagnostics about them are placed here, in the statement's text.

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::lower::Change;
use crate::model::schema::{QualName, Schema};
use crate::sql::position::LineIndex;

mod alter;
mod cascade;
mod columns;
mod common_type;
mod constraints;
mod dml;
mod drop;
mod drop_column;
mod functions;
mod hierarchy;
mod indexes;
mod moves;
mod names;
mod query;
mod rename;
mod sequences;
mod tables;
mod types;
mod views;

pub(crate) use names::is_system;
pub(crate) use types::multirange_of;

/// PostgreSQL truncates identifiers to this many bytes.
const NAMEDATALEN: usize = 63;

/// `name` cut to [`NAMEDATALEN`] bytes on a character boundary, as
/// PostgreSQL's truncate_identifier does.
pub(crate) fn truncate_identifier(name: &str) -> &str {
    cut_at_char(name, NAMEDATALEN)
}

/// `name` cut short enough that `room` more bytes still make an identifier
/// PostgreSQL keeps whole (the number of a numbered name).
pub(crate) fn cut_identifier(name: &str, room: usize) -> &str {
    cut_at_char(name, NAMEDATALEN.saturating_sub(room))
}

/// The first `n` bytes of `s` (all of it when shorter), less the part of a
/// character that would be cut in two.
fn cut_at_char(s: &str, n: usize) -> &str {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// Findings of one replay: errors (the migration is wrong) and notes (the model
/// could not follow; `lint` reports them as "model may be incomplete here").
#[derive(Debug, Default)]
pub struct ReplayFindings {
    /// The migration is wrong.
    pub errors: Diagnostics,
    /// The model could not follow a statement.
    pub incomplete: Diagnostics,
    /// The newest syntax seen: (the version it needs, what and where), for a
    /// run-time check of the server when the files were checked for the newest.
    pub needs: Option<(u32, String)>,
}

/// The model and what a change is applied in: the file, the statement, the
/// search path and where findings go.
pub(crate) struct Applier<'a> {
    pub(crate) schema: &'a mut Schema,
    pub(crate) path: &'a str,
    pub(crate) sql: &'a str,
    pub(crate) index: LineIndex<'a>,
    pub(crate) findings: &'a mut ReplayFindings,
    pub(crate) search_path: Vec<String>,
    pub(crate) stmt_start: usize,
    pub(crate) stmt_end: usize,
    /// Added to the parser's locations: non-zero while replaying a statement
    /// from inside a DO block, whose locations count from the statement's text.
    pub(crate) base: usize,
    /// Each statement is its own transaction (a `-- migrate:no-transaction`
    /// file): `SET LOCAL` lasts to the end of the statement only.
    pub(crate) own_transactions: bool,
    /// The search path to go back to at the end of the statement, after a
    /// `SET LOCAL` in a file whose statements are their own transactions.
    pub(crate) session_path: Option<Vec<String>>,
    /// Inside a BEGIN ... COMMIT block of such a file: one transaction.
    pub(crate) in_block: bool,
    /// Where the primary key and unique constraints of the CREATE TABLE
    /// being applied are written that repeat another's index, which
    /// PostgreSQL builds once (see `redundant_index_constraints`).
    pub(crate) redundant: Vec<i32>,
    /// The savepoints of the transaction, oldest first: ROLLBACK TO puts the
    /// schema and the search path back as they were at one.
    pub(crate) savepoints: Vec<Savepoint>,
}

/// What `ROLLBACK TO SAVEPOINT name` restores (the maps are persistent, so a
/// copy costs next to nothing).
pub(crate) struct Savepoint {
    pub(crate) name: String,
    pub(crate) schema: Schema,
    pub(crate) search_path: Vec<String>,
    pub(crate) session_path: Option<Vec<String>>,
}

impl<'a> Applier<'a> {
    pub(crate) fn new(
        schema: &'a mut Schema,
        path: &'a str,
        sql: &'a str,
        findings: &'a mut ReplayFindings,
    ) -> Self {
        Applier {
            schema,
            path,
            sql,
            index: LineIndex::new(sql),
            findings,
            search_path: vec!["public".to_owned()],
            stmt_start: 0,
            stmt_end: 0,
            base: 0,
            own_transactions: false,
            session_path: None,
            in_block: false,
            redundant: Vec::new(),
            savepoints: Vec::new(),
        }
    }
}

/// The help for a name that does not exist, where IF EXISTS would do: the
/// closest existing name, else IF EXISTS.
pub(crate) fn absent_help<'n>(name: &str, candidates: impl IntoIterator<Item = &'n str>) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!("did you mean \"{c}\"?"))
        .unwrap_or_else(|| "add IF EXISTS if it may be absent".to_owned())
}

/// PostgreSQL's makeObjectName: `{name1}_{name2}_{label}` shortened to fit
/// NAMEDATALEN by trimming the longer of the two names first.
pub(crate) fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
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
    let mut out = cut_at_char(name1, n1).to_owned();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(cut_at_char(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

impl Applier<'_> {
    /// Applies one lowered change to the model.
    pub(crate) fn apply(&mut self, change: &Change<'_>) {
        match change {
            Change::CreateTable(c) => self.create_table(c),
            Change::AlterTable(c) => self.alter_table(c),
            Change::AlterComposite(c) => self.alter_composite(c),
            // The attached index goes when the parent's is dropped, which
            // the model does not record: it doubts it instead.
            Change::AttachIndex(child) => {
                if let Some(q) = self.resolve(child.schema, child.name, &self.schema.indexes) {
                    self.make_opaque(
                        q,
                        "an index attached to a partitioned table's index goes with it",
                    );
                }
            }
            Change::CreateIndex(c) => self.create_index(c),
            Change::CreateEnum(c) => self.create_enum(c),
            Change::AlterEnum(c) => self.alter_enum(c),
            Change::CreateDomain(c) => self.create_domain(c),
            Change::AlterDomain(c) => self.alter_domain(c),
            Change::CreateComposite(c) => self.create_composite(c),
            Change::CreateOtherType(c) => self.create_other_type(c),
            Change::CreateFunction(c) => self.create_function(c),
            Change::CreateTrigger(c) => self.create_trigger(c),
            Change::Rename(c) => self.rename(c),
            Change::SetSchema(c) => self.set_schema(c),
            Change::CreateExtension {
                name,
                schema,
                if_not_exists,
            } => {
                if !self.schema.extensions.contains(*name) {
                    let at = schema.map_or_else(|| self.creation_schema(), str::to_owned);
                    self.schema.extension_schemas.insert((*name).to_owned(), at);
                    self.schema.extensions.insert((*name).to_owned());
                } else if !if_not_exists && !self.schema.lost() {
                    self.error_at(
                        self.locate(name),
                        format!("extension \"{name}\" already exists"),
                        Some("add IF NOT EXISTS".to_owned()),
                    );
                }
            }
            Change::Sequence(c) => self.sequence(c),
            Change::Drop(c) => self.drop(c),
            Change::Dml(c) => self.dml(c),
            Change::CreateDerived(c) => self.create_derived(c),
        }
    }

    // ---- places and messages ----------------------------------------------

    pub(crate) fn error_at(&mut self, offset: Option<i32>, message: String, help: Option<String>) {
        if self.in_doubt() {
            return;
        }
        let off = offset
            .filter(|o| *o >= 0)
            .map(|o| o as usize + self.base)
            .filter(|o| *o <= self.sql.len())
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

    /// True when the current statement names an object the model lost track
    /// of, or the model knows nothing for sure any more: its findings could be
    /// false, so none are reported. Only asked when a finding is about to be
    /// made, so the common path never scans.
    pub(crate) fn in_doubt(&self) -> bool {
        if self.schema.lost() {
            return true;
        }
        let opaque: Vec<String> = self.schema.opaque.iter().map(|q| q.name.clone()).collect();
        opaque.iter().any(|n| self.locate(n).is_some())
    }

    /// The model cannot follow the current statement and it may have changed
    /// anything: say so, and stop trusting the model from here on.
    pub(crate) fn lose(&mut self, why: &str) {
        self.incomplete(why);
        if self.schema.unknown.is_none() {
            let pos = self.index.pos(self.stmt_start);
            self.schema.unknown = Some(format!("{}:{}:{}", self.path, pos.line, pos.col));
        }
    }

    /// The current statement may have changed `name` in ways the model cannot
    /// follow: say so, and stop checking that object.
    pub(crate) fn make_opaque(&mut self, name: QualName, why: &str) {
        self.incomplete(why);
        self.schema.opaque.insert(name);
    }

    pub(crate) fn incomplete(&mut self, why: &str) {
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
    pub(crate) fn locate(&self, name: &str) -> Option<i32> {
        // Inside a DO block, search the embedded statement's text, and answer
        // as the parser does there: relative to `base`.
        let from = self.base.max(self.stmt_start).min(self.stmt_end);
        let text = &self.sql[from..self.stmt_end];
        let lower = text.to_ascii_lowercase();
        let needle = name.to_ascii_lowercase();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut start = 0;
        while let Some(i) = lower[start..].find(&needle) {
            let at = start + i;
            let before = at
                .checked_sub(1)
                .and_then(|j| lower.as_bytes().get(j).copied());
            let after = lower.as_bytes().get(at + needle.len()).copied();
            if !before.is_some_and(word) && !after.is_some_and(word) {
                return Some((from - self.base + at) as i32);
            }
            start = at + needle.len();
        }
        None
    }

    pub(crate) fn missing_table(&mut self, name: &QualName, location: Option<i32>) {
        // An extension the model does not know may have created it (PostGIS's
        // spatial_ref_sys, pg_cron's cron.job, ...).
        if let Some(e) = self
            .schema
            .extensions
            .iter()
            .find(|e| !crate::model::types::creates_no_relations(e))
            .cloned()
        {
            self.incomplete(&format!(
                "\"{name}\" is not a relation the migrations create; extension {e} may have created it"
            ));
            return;
        }
        // IMPORT FOREIGN SCHEMA made relations there that the model does not know.
        if self.schema.foreign_imports.contains(&name.schema)
            || (self.search_path.iter()).any(|s| self.schema.foreign_imports.contains(s))
        {
            self.incomplete(&format!(
                "\"{name}\" is not a relation the migrations create; IMPORT FOREIGN SCHEMA may have created it"
            ));
            return;
        }
        let candidates: Vec<String> = self.schema.tables.keys().map(|k| k.to_string()).collect();
        let help = did_you_mean(&name.to_string(), candidates.iter().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"?"))
            .or_else(|| Some("create it in an earlier migration, or add IF EXISTS".to_owned()));
        self.error_at(location, format!("table \"{name}\" does not exist"), help);
    }

    pub(crate) fn missing_column(&mut self, table: &QualName, column: &str, location: Option<i32>) {
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

    pub(crate) fn expect_column(&mut self, table: &QualName, column: &str, location: Option<i32>) {
        let exists = self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.column(column).is_some());
        if !exists {
            self.missing_column(table, column, location);
        }
    }
}
