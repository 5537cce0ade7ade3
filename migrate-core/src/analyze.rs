//! The whole pipeline over a migrations directory: discover, parse, check
//! transactions, replay, check reversal. Compile time and run time both call it.

use std::path::{Path, PathBuf};

use crate::check::reversal;
use crate::diag::Diagnostics;
use crate::model::schema::{Column, ConstraintKind, QualName, Schema, Table};
use crate::model::types::SqlType;
use crate::replay::{ReplayFindings, replay_file};
use crate::source::load::{Discovered, LoadOptions, SourceMigration, discover, discover_files};

/// What [`analyze`] checks.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Every up needs a down (off for up-only corpora).
    pub require_down: bool,
    /// Replay up then down and compare with the schema before.
    pub check_reversal: bool,
    /// golang-migrate's version table; it exists before the first migration
    /// (Harbor's migrations alter it).
    pub history_table: String,
    /// The oldest PostgreSQL the migrations must run on (default 14).
    pub target: crate::check::version::PgVersion,
    /// Files at least this large are parsed a chunk at a time (see
    /// [`crate::source::load::LoadOptions::chunked_from`]).
    pub chunked_from: usize,
    /// The target stands for servers of any version up to it, not for it
    /// alone: directory mode without `--postgres`, where the files are
    /// checked before the server says its version. A down is then not said
    /// to leave over what only the target's own behaviour makes
    /// (PostgreSQL 18's NOT NULL constraint names: a column swapped in by
    /// ADD COLUMN, SET NOT NULL, RENAME keeps its constraint's old name).
    pub any_server: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            require_down: true,
            check_reversal: true,
            history_table: "schema_migrations".to_owned(),
            target: crate::check::version::PgVersion::default(),
            chunked_from: crate::sql::chunks::CHUNKED_FROM,
            any_server: false,
        }
    }
}

/// Options are built from [`Options::default`] with these, so a field added
/// later is not a breaking change for callers (the struct is
/// `#[non_exhaustive]`).
impl Options {
    /// See [`Options::require_down`].
    #[must_use]
    pub fn with_require_down(mut self, v: bool) -> Self {
        self.require_down = v;
        self
    }

    /// See [`Options::check_reversal`].
    #[must_use]
    pub fn with_check_reversal(mut self, v: bool) -> Self {
        self.check_reversal = v;
        self
    }

    /// See [`Options::history_table`].
    #[must_use]
    pub fn with_history_table(mut self, v: impl Into<String>) -> Self {
        self.history_table = v.into();
        self
    }

    /// See [`Options::target`].
    #[must_use]
    pub fn with_target(mut self, v: crate::check::version::PgVersion) -> Self {
        self.target = v;
        self
    }

    /// See [`Options::any_server`].
    #[must_use]
    pub fn with_any_server(mut self, v: bool) -> Self {
        self.any_server = v;
        self
    }

    /// See [`Options::chunked_from`].
    #[must_use]
    pub fn with_chunked_from(mut self, v: usize) -> Self {
        self.chunked_from = v;
        self
    }
}

/// The result: the migrations, the schema after each, and every finding.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The migrations, in version order.
    pub migrations: Vec<SourceMigration>,
    /// `schemas[i]` is the schema after `migrations[i]`'s up.
    pub schemas: Vec<Schema>,
    /// The schema before the first migration (the history table only).
    pub initial: Schema,
    /// The migrations are wrong: `cargo build` fails on these.
    pub errors: Diagnostics,
    /// The model could not follow a statement: `lint` reports these.
    pub incomplete: Diagnostics,
    /// Every file read, so the macro can ask cargo to watch them.
    pub files: Vec<PathBuf>,
    /// The newest syntax the ups use: (the PostgreSQL version it needs, what
    /// and where).
    pub needs: Option<(u32, String)>,
}

impl Analysis {
    /// The schema after the last migration.
    pub fn latest(&self) -> &Schema {
        self.schemas.last().unwrap_or(&self.initial)
    }

    /// The schema after the migration with this version (the initial schema for
    /// versions before the first).
    pub fn at_version(&self, version: i64) -> &Schema {
        match self.migrations.iter().rposition(|m| m.version <= version) {
            Some(i) => self.schemas.get(i).unwrap_or(&self.initial),
            None => &self.initial,
        }
    }
}

/// The schema of an empty database where golang-migrate has created its table.
pub fn initial_schema(history_table: &str, target: crate::check::version::PgVersion) -> Schema {
    let mut s = Schema::empty();
    s.target = target;
    let name = QualName::public(history_table);
    let mut t = Table::new(name.clone());
    let col = |n: &str, ty: &str| Column {
        name: n.to_owned(),
        ty: SqlType::builtin(ty),
        nullable: false,
        has_default: false,
        identity: None,
        generated: false,
        sequence: None,
    };
    t.columns = vec![col("version", "int8"), col("dirty", "bool")];
    t.constraints.insert(
        format!("{history_table}_pkey"),
        ConstraintKind::PrimaryKey {
            columns: vec!["version".to_owned()],
        },
    );
    s.indexes.insert(
        QualName::public(format!("{history_table}_pkey")),
        crate::model::schema::Index {
            table: name.clone(),
            columns: vec!["version".to_owned()],
            unique: true,
            partial: false,
            uses: vec!["version".to_owned()],
            definition: String::new(),
            names: vec!["version".to_owned()],
        },
    );
    s.tables.insert(name.clone(), std::sync::Arc::new(t));
    s.history_table = Some(name);
    s
}

/// Runs every check over `dir` (files named `display/<file>` in messages).
pub fn analyze(dir: &Path, display: &str, opts: &Options) -> Analysis {
    let load = LoadOptions {
        require_down: opts.require_down,
        chunked_from: opts.chunked_from,
        ..LoadOptions::default()
    };
    analyze_discovered(discover(dir, display, &load), opts, None)
}

/// [`analyze`] over files already read, as (file name, contents): the
/// migrations embedded in a binary, checked again at run time.
pub fn analyze_files(display: &str, files: Vec<(String, Vec<u8>)>, opts: &Options) -> Analysis {
    let load = LoadOptions {
        require_down: opts.require_down,
        chunked_from: opts.chunked_from,
        ..LoadOptions::default()
    };
    let files = files.into_iter().map(|(n, b)| (n, Ok(b))).collect();
    analyze_discovered(discover_files(display, files, &load), opts, None)
}

/// [`analyze_files`] for a caller that needs each migration once and not the
/// schemas (directory mode at run time): each migration goes to `each` as soon
/// as it is checked, with its parse trees, and is not kept; neither are the
/// schemas (`schemas` is empty, `migrations` too). Memory is then one window of
/// migrations' trees and one schema, not every file's trees and a schema per
/// version (~60 MB for 1,000 small migrations). The findings are the same as
/// [`analyze_files`]'s, in the same order.
pub fn analyze_files_each(
    display: &str,
    files: Vec<(String, Vec<u8>)>,
    opts: &Options,
    each: &mut dyn FnMut(SourceMigration),
) -> Analysis {
    let load = LoadOptions {
        require_down: opts.require_down,
        keep_trees: false,
        chunked_from: opts.chunked_from,
    };
    let files = files.into_iter().map(|(n, b)| (n, Ok(b))).collect();
    analyze_discovered(discover_files(display, files, &load), opts, Some(each))
}

/// How many migrations are parsed again at once (on all cores) when the trees
/// were not kept: enough for the threads to pay, few enough to stay small.
const WINDOW: usize = 64;

/// A file whose trees were dropped after discovery, parsed again (the same
/// parse of the same text: the same statements, which already parsed once).
fn reparse(mut m: SourceMigration) -> SourceMigration {
    for f in std::iter::once(&mut m.up).chain(m.down.as_mut()) {
        // A large file stays unparsed: its checks parse it a chunk at a time.
        if !f.parse_failed
            && f.statements.is_empty()
            && f.chunked.is_none()
            && let Ok(statements) = crate::sql::parse::parse(&f.path, &f.sql)
        {
            f.statements = statements;
        }
    }
    m
}

fn analyze_discovered(
    found: Discovered,
    opts: &Options,
    mut each: Option<&mut dyn FnMut(SourceMigration)>,
) -> Analysis {
    let mut a = Analysis {
        errors: found.diagnostics,
        files: found.files,
        initial: Schema {
            any_server: opts.any_server,
            ..initial_schema(&opts.history_table, opts.target)
        },
        ..Analysis::default()
    };
    let mut schema = a.initial.clone();
    let mut pending = found.migrations.into_iter();
    loop {
        let window: Vec<SourceMigration> = pending.by_ref().take(WINDOW).collect();
        if window.is_empty() {
            break;
        }
        let window = if each.is_some() {
            crate::par::map(window, reparse)
        } else {
            window
        };
        for m in window {
            check_migration(&mut a, &mut schema, &m, opts);
            match each.as_mut() {
                Some(each) => each(m),
                None => {
                    a.schemas.push(schema.clone());
                    a.migrations.push(m);
                }
            }
        }
    }
    a
}

/// Every check of one migration; `schema` goes from before its up to after it.
fn check_migration(a: &mut Analysis, schema: &mut Schema, m: &SourceMigration, opts: &Options) {
    let before = schema.clone();
    let mut up = ReplayFindings::default();
    replay_file(schema, &m.up, &mut up);
    let up_ok = up.errors.is_empty() && !m.up.parse_failed;
    a.errors.extend(up.errors);
    a.incomplete.extend(up.incomplete);
    if let Some((v, why)) = up.needs
        && a.needs.as_ref().is_none_or(|(n, _)| *n < v)
    {
        a.needs = Some((v, why));
    }
    // A down is checked against what its up built, also after a broken up
    // (the replay goes on past an error, so what the up did build is there):
    // all findings at once. Only the reversal check needs a sound up.
    if let Some(down) = m.down.as_ref() {
        let mut after_down = schema.clone();
        // An up that did not parse built nothing the model knows of: the
        // down is checked for itself (syntax, version), not against it.
        if m.up.parse_failed && after_down.unknown.is_none() {
            after_down.unknown = Some(format!("{} does not parse", m.up.path));
        }
        let mut findings = ReplayFindings::default();
        replay_file(&mut after_down, down, &mut findings);
        let down_ok = findings.errors.is_empty() && !down.parse_failed;
        a.errors.extend(findings.errors);
        a.incomplete.extend(findings.incomplete);
        if opts.check_reversal && up_ok && down_ok && !down.irreversible {
            let label = format!(
                "{}_{}",
                m.up.path
                    .rsplit('/')
                    .next()
                    .and_then(|f| f.split('_').next())
                    .unwrap_or_default(),
                m.name
            );
            if let Some(d) = reversal::check(&label, &down.path, &before, &after_down) {
                a.errors.push(d);
            }
        }
    }
}
