//! What the database says was applied, and how that is reconciled with the
//! registry.
//!
//! Two tables hold it. golang-migrate's `schema_migrations` has one row: the
//! current version and the dirty flag; golang-migrate reads and writes only that.
//! Our append-only history table records every step with the migration's
//! checksum. The version row is the authority on *how far* the database is (a
//! golang-migrate run may have moved it); the history says *which* migrations ran
//! and with what text, which is what detects drift and out-of-order migrations.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use postgres::SimpleQueryMessage;
use serde::Serialize;

use super::conn::Conn;
use super::step_rows;
use super::tables::{Tables, tables};
use crate::error::MigrateError;
use crate::sql::{QualifiedTable, TableName, literal};

/// What a history row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryDirection {
    /// The up script ran.
    Up,
    /// The down script ran.
    Down,
    /// Recorded as applied without running anything: another tool
    /// (golang-migrate) applied it, found on first contact or by `adopt`.
    Baseline,
    /// Recorded as reverted without running anything: another tool reverted it.
    BaselineDown,
    /// `force V` declared it applied.
    ForceUp,
    /// `force V` declared it not applied.
    ForceDown,
    /// `repair` accepted the files' current text as what was applied: the
    /// checksums of this row replace the earlier ones, nothing was run.
    Repair,
}

impl HistoryDirection {
    /// Every kind of row.
    pub const ALL: [HistoryDirection; 7] = [
        HistoryDirection::Up,
        HistoryDirection::Down,
        HistoryDirection::Baseline,
        HistoryDirection::BaselineDown,
        HistoryDirection::ForceUp,
        HistoryDirection::ForceDown,
        HistoryDirection::Repair,
    ];

    /// As stored in the history table.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryDirection::Up => "up",
            HistoryDirection::Down => "down",
            HistoryDirection::Baseline => "baseline",
            HistoryDirection::BaselineDown => "baseline_down",
            HistoryDirection::ForceUp => "force_up",
            HistoryDirection::ForceDown => "force_down",
            HistoryDirection::Repair => "repair",
        }
    }

    /// From the history table's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// True when a row of this kind leaves the migration applied.
    pub fn is_applied(self) -> bool {
        matches!(
            self,
            HistoryDirection::Up
                | HistoryDirection::Baseline
                | HistoryDirection::ForceUp
                | HistoryDirection::Repair
        )
    }
}

/// golang-migrate's one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VersionRow {
    pub version: i64,
    pub dirty: bool,
}

/// The latest history row of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// The version.
    pub version: i64,
    /// The migration's name.
    pub name: String,
    /// The up file's checksum.
    pub checksum: Option<String>,
    /// The down file's checksum; `None` for rows written before it was
    /// recorded, and for migrations without a down.
    pub down_checksum: Option<String>,
    /// What the row records.
    pub direction: HistoryDirection,
    /// When the step ran.
    pub applied_at: Option<DateTime<Utc>>,
    /// How long it took.
    pub duration_ms: Option<i64>,
    /// The role that ran it.
    pub applied_by: String,
}

/// The session facts every command needs: where the tables are and which locks
/// to take.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub version_table: QualifiedTable,
    pub history_table: QualifiedTable,
    pub lock_keys: Vec<i64>,
    /// `server_version_num` (150004 for 15.4).
    pub server_version: u32,
    /// Run after every migration: see [`reset_sql`].
    pub reset: Sql,
    /// The names of the tool's prepared statements the session had when the
    /// run began (see [`super::step_rows`]).
    pub prepared: Vec<String>,
    /// The database had an enabled event trigger when the run began: any DDL
    /// may then run user code (see [`super::session_reset`]).
    pub event_triggers: bool,
}

/// SQL of our own and the number of statements in it: a failed message's
/// count of completed statements is read against it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub statements: usize,
}

impl Sql {
    /// Nothing to send.
    pub const NONE: Sql = Sql {
        text: String::new(),
        statements: 0,
    };
}

/// Everything read from the two tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct DbState {
    pub version_table_exists: bool,
    pub history_table_exists: bool,
    /// The history table has the `down_checksum` column (tables made before
    /// it get it, and the `repair` direction, on the next write).
    pub history_has_down_checksum: bool,
    pub row: Option<VersionRow>,
    /// Latest row per version.
    pub history: BTreeMap<i64, HistoryEntry>,
}

/// A history row to write without running SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    pub version: i64,
    pub name: String,
    pub checksum: Option<String>,
    pub down_checksum: Option<String>,
    pub direction: HistoryDirection,
}

impl Mark {
    /// A row for `m` with the checksums of its files now.
    pub fn of(m: &crate::migration::Migration, direction: HistoryDirection) -> Mark {
        Mark {
            version: m.version.get(),
            name: m.name.to_string(),
            checksum: Some(m.checksum().to_owned()),
            down_checksum: m.down_checksum().map(str::to_owned),
            direction,
        }
    }
}

/// The reconciled picture: which versions count as applied, and the history rows
/// that make the history agree with the version row.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    /// Applied versions; the entry is `None` for ones a pending mark applies.
    pub applied: BTreeMap<i64, Option<HistoryEntry>>,
    pub marks: Vec<Mark>,
    /// The version row was moved by another tool since we last wrote (or this is
    /// the first contact with a golang-migrate database).
    pub foreign: bool,
}

impl View {
    pub fn applied_set(&self) -> BTreeSet<i64> {
        self.applied.keys().copied().collect()
    }
}

/// Finds the tables and the lock keys. `url_database` is the database name as
/// golang-migrate's CLI takes it from a URL (`/novacron`), when known;
/// `settings`, the names of every setting the session has `SET`, when known
/// (see `Options::session_settings`).
pub(crate) async fn session<C: Conn>(
    client: &mut C,
    version_table: &TableName,
    history_table: &TableName,
    url_database: Option<&str>,
    settings: Option<&[String]>,
) -> Result<Session, MigrateError> {
    // The settings this session has before any migration runs (the tool's own
    // and, for a library caller, the caller's), read in the same round trip:
    // by name when they are known (a name this server lacks reads NULL and
    // is left out), else every one set in the session.
    let set_in_session = match settings {
        Some(names) => format!(
            "SELECT n, current_setting(n, true) FROM unnest(ARRAY[{}]::text[]) n",
            names
                .iter()
                .map(|n| literal(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "SELECT name, current_setting(name) FROM pg_settings \
                 WHERE source = 'session' AND name <> 'role'"
            .to_owned(),
    };
    // An unqualified version table that exists is the one the search path
    // finds, as PostgreSQL resolves any name: a migration that created a
    // schema named after the user (`CREATE SCHEMA AUTHORIZATION app`) puts it
    // first in the default path, and golang-migrate's current_schema() would
    // then start a new, empty history there and run every migration again.
    let existing = match &version_table.schema {
        Some(_) => "NULL".to_owned(),
        None => format!(
            "(SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE c.oid = to_regclass(quote_ident({})) AND n.oid <> pg_my_temp_schema())",
            literal(&version_table.name)
        ),
    };
    let msgs = client
        .simple(&format!(
            "SELECT coalesce({existing}, current_schema()), current_database(), \
                    current_setting('server_version_num'); \
             {set_in_session} \
             UNION ALL SELECT 'role', current_setting('role') \
             UNION ALL SELECT '', (pg_my_temp_schema() <> 0 AND EXISTS \
                 (SELECT 1 FROM pg_class WHERE relnamespace = pg_my_temp_schema()))::text \
             UNION ALL SELECT '#prepared', name FROM pg_prepared_statements \
              WHERE left(name, {len}) = '{prefix}' \
             UNION ALL SELECT '#event_triggers', 'on' \
              WHERE EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtenabled <> 'D')",
            len = step_rows::PREFIX.len(),
            prefix = step_rows::PREFIX,
        ))
        .await
        .map_err(|e| MigrateError::db("reading current_schema()", e))?;
    let sets = result_sets(&msgs);
    let (schema, database, server_version) = sets
        .first()
        .and_then(|r| r.first())
        .map(|r| {
            let get = |i: usize| r.get(i).cloned().flatten();
            let version = get(2).and_then(|v| v.parse().ok()).unwrap_or(0);
            (get(0), get(1).unwrap_or_default(), version)
        })
        .unwrap_or_default();
    // Our prepared statements (see `step_rows`) and whether there are event
    // triggers, apart from the settings (their names never start with `#`).
    let (facts, settings): (Vec<TextRow>, Vec<TextRow>) = sets
        .get(1)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .partition(|r| {
            r.first()
                .and_then(Option::as_deref)
                .is_some_and(|n| n.starts_with('#'))
        });
    let fact = |r: &TextRow, name: &str| r.first().and_then(Option::as_deref) == Some(name);
    let prepared = facts
        .iter()
        .filter(|r| fact(r, "#prepared"))
        .filter_map(|r| r.get(1).cloned().flatten())
        .collect();
    let event_triggers = facts.iter().any(|r| fact(r, "#event_triggers"));
    let schema = match (schema, &version_table.schema) {
        (_, Some(s)) => s.clone(),
        (Some(s), None) => s,
        (None, None) => {
            return Err(MigrateError::NoSchema);
        }
    };
    let vt = QualifiedTable::resolve(version_table, &schema);
    let ht = QualifiedTable::resolve(history_table, &schema);
    let mut lock_keys = vec![super::lock::golang_migrate_lock_key(
        &vt.schema, &vt.name, &database,
    )];
    if let Some(d) = url_database {
        let k = super::lock::golang_migrate_lock_key(&vt.schema, &vt.name, d);
        if !lock_keys.contains(&k) {
            lock_keys.push(k);
        }
    }
    Ok(Session {
        version_table: vt,
        history_table: ht,
        lock_keys,
        server_version,
        reset: reset_sql(&settings),
        prepared,
        event_triggers,
    })
}

/// The statements that put the session back as it was before the first
/// migration: a `SET search_path` (or `SET ROLE`, `SET timezone`, a temporary
/// table) in one migration must not reach the next, or the result would
/// depend on whether they ran in one `up` or two. Not DISCARD ALL: it also
/// releases the advisory lock the run holds. Temporary tables are dropped only
/// when the session had none before (a library caller's stay).
fn reset_sql(settings: &[TextRow]) -> Sql {
    let mut restore = Vec::new();
    let mut role = "none".to_owned();
    let mut had_temp = false;
    for r in settings {
        match (r[0].as_deref(), r[1].as_deref()) {
            (Some(""), v) => had_temp = v == Some("t"),
            (Some("role"), Some(v)) => role = v.to_owned(),
            (Some(name), Some(v)) => restore.push(format!(
                "set_config({}, {}, false)",
                literal(name),
                literal(v)
            )),
            _ => {}
        }
    }
    // The role first, so that RESET ALL and the settings run with the
    // session's own privileges; the caller's role last.
    restore.push(format!("set_config('role', {}, false)", literal(&role)));
    Sql {
        text: format!(
            "RESET ROLE; RESET ALL; SELECT {};{}",
            restore.join(", "),
            if had_temp { "" } else { " DISCARD TEMP;" }
        ),
        statements: if had_temp { 3 } else { 4 },
    }
}

/// Reads the version row and the latest history row of each version, in one
/// round trip when both tables exist.
pub(crate) async fn read<C: Conn>(client: &mut C, s: &Session) -> Result<DbState, MigrateError> {
    let t = tables(client, s).await?;
    read_with(client, s, t).await
}

/// [`read`], the tables already looked for.
pub(crate) async fn read_with<C: Conn>(
    client: &mut C,
    s: &Session,
    t: Tables,
) -> Result<DbState, MigrateError> {
    let (vt, ht, down_col) = (t.version, t.history, t.down_checksum);
    let mut state = DbState {
        version_table_exists: vt,
        history_table_exists: ht,
        history_has_down_checksum: down_col,
        ..DbState::default()
    };
    if !vt && !ht {
        return Ok(state);
    }
    let mut sql = String::new();
    if vt {
        sql.push_str(&format!(
            "SELECT version, dirty FROM {} LIMIT 1;",
            s.version_table.sql()
        ));
    }
    if ht {
        sql.push_str(&format!(
            "SELECT DISTINCT ON (version) version, name, checksum, direction, \
             (extract(epoch FROM applied_at) * 1000000)::bigint, duration_ms, applied_by, {} \
             FROM {} ORDER BY version, id DESC;",
            if down_col { "down_checksum" } else { "NULL" },
            s.history_table.sql()
        ));
    }
    let msgs = client.simple(&sql).await.map_err(|e| {
        MigrateError::db(
            format!("reading {} and {}", s.version_table, s.history_table),
            e,
        )
    })?;
    let mut sets = result_sets(&msgs).into_iter();
    if vt {
        let set = sets.next().unwrap_or_default();
        if let Some(r) = set.first() {
            state.row = Some(VersionRow {
                version: parse_i64(&r[0], &s.version_table)?,
                dirty: r[1].as_deref() == Some("t"),
            });
        }
    }
    if ht {
        for r in sets.next().unwrap_or_default() {
            let version = parse_i64(&r[0], &s.history_table)?;
            let direction = r[3]
                .as_deref()
                .and_then(HistoryDirection::parse)
                .ok_or_else(|| MigrateError::BadTable {
                    table: s.history_table.to_string(),
                    message: format!("version {version} has an unknown direction {:?}", r[3]),
                })?;
            let applied_at = r[4]
                .as_deref()
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(DateTime::<Utc>::from_timestamp_micros);
            state.history.insert(
                version,
                HistoryEntry {
                    version,
                    name: r[1].clone().unwrap_or_default(),
                    checksum: r[2].clone(),
                    down_checksum: r[7].clone(),
                    direction,
                    applied_at,
                    duration_ms: r[5].as_deref().and_then(|t| t.parse().ok()),
                    applied_by: r[6].clone().unwrap_or_default(),
                },
            );
        }
    }
    Ok(state)
}

pub(crate) fn parse_i64(v: &Option<String>, table: &QualifiedTable) -> Result<i64, MigrateError> {
    v.as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| MigrateError::BadTable {
            table: table.to_string(),
            message: format!("unreadable version {v:?}"),
        })
}

type TextRow = Vec<Option<String>>;

pub(crate) fn rows(msgs: &[SimpleQueryMessage]) -> Vec<TextRow> {
    result_sets(msgs).into_iter().next().unwrap_or_default()
}

/// Splits a simple query's answer into one list of rows per statement.
pub(crate) fn result_sets(msgs: &[SimpleQueryMessage]) -> Vec<Vec<TextRow>> {
    let mut sets = Vec::new();
    let mut cur = Vec::new();
    for m in msgs {
        match m {
            SimpleQueryMessage::Row(r) => {
                cur.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect());
            }
            SimpleQueryMessage::CommandComplete(_) => sets.push(std::mem::take(&mut cur)),
            _ => {}
        }
    }
    sets
}
