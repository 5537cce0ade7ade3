//! Running one migration step and placing PostgreSQL's errors in the file.

use std::time::{Duration, Instant};

use migrate_core::Direction;
use migrate_core::sql::position::LineIndex;
use postgres::Client;
use postgres::error::{DbError, ErrorPosition, SqlState};

use super::state::{HistoryDirection, Session, set_version_sql, update_version_sql};
use crate::error::{MigrateError, MigrationFailure, MigrationRef, Outcome};
use crate::migration::{Migration, Script, Version};
use crate::sql::literal;

/// One migration to run, and the version the row holds afterwards.
#[derive(Debug, Clone, Copy)]
pub struct Step<'r> {
    pub migration: &'r Migration,
    pub direction: Direction,
    /// The version before this step (`None`: no version).
    pub before: Option<Version>,
    /// The version after this step.
    pub after: Option<Version>,
}

impl<'r> Step<'r> {
    /// The script this step runs. The planner only makes down steps for
    /// migrations that have a down script.
    pub fn script(&self) -> &'r Script {
        match self.direction {
            Direction::Up => &self.migration.up,
            Direction::Down => self.migration.down.as_ref().unwrap_or(&self.migration.up),
        }
    }

    fn history_direction(&self) -> HistoryDirection {
        match self.direction {
            Direction::Up => HistoryDirection::Up,
            Direction::Down => HistoryDirection::Down,
        }
    }
}

/// What precedes the migration's SQL in a transactional message; error positions
/// are shifted back by its length.
const TX_PREFIX: &str = "BEGIN;\n";

/// The single simple-protocol message that runs a transactional step: the SQL,
/// the version row and the history row, committed together or not at all.
pub(crate) fn transactional_message(s: &Session, step: &Step<'_>) -> String {
    // The newline ends a trailing `--` comment; the lone `;` ends a last
    // statement that has no semicolon of its own (an extra empty statement is
    // harmless).
    format!(
        "{TX_PREFIX}{}\n;{}{}COMMIT;",
        step.script().sql,
        bookkeeping(s, step),
        history_sql(
            s,
            step,
            "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint"
        )
    )
}

fn bookkeeping(s: &Session, step: &Step<'_>) -> String {
    // The row exists exactly when a version was applied before this step (the
    // reconciled history and the row agree under the lock).
    if step.before.is_some() {
        update_version_sql(&s.version_table, step.after.map(Version::get), false)
    } else {
        set_version_sql(&s.version_table, step.after.map(Version::get), false)
    }
}

fn history_sql(s: &Session, step: &Step<'_>, duration_ms: &str) -> String {
    let m = step.migration;
    format!(
        "INSERT INTO {} (version, name, checksum, direction, duration_ms) VALUES ({}, {}, {}, {}, {duration_ms});",
        s.history_table.sql(),
        m.version,
        literal(&m.name),
        literal(m.checksum()),
        literal(step.history_direction().as_str()),
    )
}

/// Runs one step; returns how long it took.
pub(crate) fn run(
    client: &mut Client,
    s: &Session,
    step: &Step<'_>,
) -> Result<Duration, MigrateError> {
    let took = if step.script().transactional {
        run_transactional(client, s, step)
    } else {
        run_without_transaction(client, s, step)
    }?;
    // A separate message: the step is committed, and an error here must not
    // read as the migration's.
    client.batch_execute(&s.reset_sql).map_err(|e| {
        MigrateError::db(
            format!("resetting the session after {}", step.migration.label()),
            e,
        )
    })?;
    Ok(took)
}

fn run_transactional(
    client: &mut Client,
    s: &Session,
    step: &Step<'_>,
) -> Result<Duration, MigrateError> {
    let script = step.script();
    let msg = transactional_message(s, step);
    tracing::debug!(migration = %step.migration.label(), bytes = msg.len(), "sending");
    let start = Instant::now();
    let err = match client.batch_execute(&msg) {
        Ok(()) => return Ok(start.elapsed()),
        Err(e) => e,
    };
    // An error inside an explicit BEGIN leaves the session in an aborted
    // transaction until ROLLBACK (a failed COMMIT has already ended it; the
    // extra ROLLBACK then only warns).
    let _ = client.batch_execute("ROLLBACK");
    let outcome = if err.as_db_error().is_some() {
        Outcome::RolledBack {
            version: step.before,
        }
    } else {
        Outcome::Unknown
    };
    let sql_chars = script.sql.chars().count();
    let mut place = Place::default();
    if let Some(db) = err.as_db_error() {
        match db.position() {
            Some(ErrorPosition::Original(p)) => {
                let p = *p as usize;
                let prefix = TX_PREFIX.chars().count();
                if p > prefix && p - prefix <= sql_chars + 1 {
                    let offset = LineIndex::new(&script.sql).char_pos_to_offset(p - prefix);
                    place.offset = Some(offset);
                } else {
                    place.bookkeeping = true;
                }
            }
            _ if worth_locating(db) => place = locate(client, s, std::slice::from_ref(step)).1,
            _ => {}
        }
    }
    let located_err;
    let err_ref = match place.error.take() {
        Some(e) => {
            located_err = e;
            &located_err
        }
        None => &err,
    };
    Err(failure(step, err_ref, place, outcome))
}

fn run_without_transaction(
    client: &mut Client,
    s: &Session,
    step: &Step<'_>,
) -> Result<Duration, MigrateError> {
    let script = step.script();
    let m = step.migration;
    let (dirty_at, if_complete, to_retry) = match step.direction {
        Direction::Up => (
            step.before.map_or(m.version, |b| b.max(m.version)),
            step.after,
            step.before,
        ),
        Direction::Down => (step.before.unwrap_or(m.version), step.after, step.before),
    };
    let start = Instant::now();
    client
        .batch_execute(&format!(
            "BEGIN; {} COMMIT;",
            set_version_sql(&s.version_table, Some(dirty_at.get()), true)
        ))
        .map_err(|e| {
            MigrateError::db(
                format!(
                    "marking {} dirty before running {}",
                    s.version_table,
                    m.label()
                ),
                e,
            )
        })?;
    let outcome = Outcome::Dirty {
        version: dirty_at,
        if_complete,
        to_retry,
    };
    // Sent one statement per message: a message with several statements is an
    // implicit transaction, which CREATE INDEX CONCURRENTLY and friends refuse.
    for (i, &(from, to)) in script.statements.iter().enumerate() {
        let text = &script.sql[from..to];
        tracing::debug!(migration = %m.label(), statement = i + 1, "sending");
        if let Err(e) = client.batch_execute(text) {
            let offset = e.as_db_error().and_then(|db| match db.position() {
                Some(ErrorPosition::Original(p)) => {
                    Some(from + LineIndex::new(text).char_pos_to_offset(*p as usize))
                }
                _ => None,
            });
            let place = Place {
                offset: Some(offset.unwrap_or(from)),
                statement: Some(i),
                ..Place::default()
            };
            return Err(failure(step, &e, place, outcome));
        }
    }
    let ms = start.elapsed().as_millis().to_string();
    let done = format!(
        "BEGIN; {}{} COMMIT;",
        bookkeeping(s, step),
        history_sql(s, step, &ms)
    );
    if let Err(e) = client.batch_execute(&done) {
        let _ = client.batch_execute("ROLLBACK");
        let place = Place {
            bookkeeping: true,
            ..Place::default()
        };
        return Err(failure(step, &e, place, outcome));
    }
    Ok(start.elapsed())
}

/// Where in the script an error happened.
#[derive(Default)]
struct Place {
    /// Byte offset in the script.
    offset: Option<usize>,
    /// 0-based statement index, when known without an offset.
    statement: Option<usize>,
    bookkeeping: bool,
    /// The error seen when locating, which carries the better position.
    error: Option<postgres::Error>,
}

/// Errors that come from the situation rather than the SQL would not reproduce
/// when the statements are re-run to find the failing one.
fn worth_locating(db: &DbError) -> bool {
    let code = db.code().code();
    !(code.starts_with("08")
        || code.starts_with("40")
        || code.starts_with("53")
        || code.starts_with("57")
        || db.code() == &SqlState::LOCK_NOT_AVAILABLE)
}

/// Finds the failing statement of transactional steps whose error has no
/// position (division by zero, a constraint violation, ...): runs the statements
/// one by one in a transaction that is always rolled back. The first one that
/// fails is the culprit; when none does, the bookkeeping is. Returns the index
/// of the step and the place in it.
fn locate(client: &mut Client, s: &Session, steps: &[Step<'_>]) -> (usize, Place) {
    let mut place = Place::default();
    if client.batch_execute("BEGIN").is_err() {
        return (0, place);
    }
    let mut found = steps.len().saturating_sub(1);
    'steps: for (k, step) in steps.iter().enumerate() {
        let script = step.script();
        for (i, &(from, to)) in script.statements.iter().enumerate() {
            let text = &script.sql[from..to];
            if let Err(e) = client.batch_execute(text) {
                let rel = e.as_db_error().and_then(|db| match db.position() {
                    Some(ErrorPosition::Original(p)) => {
                        Some(LineIndex::new(text).char_pos_to_offset(*p as usize))
                    }
                    _ => None,
                });
                place.offset = Some(from + rel.unwrap_or(0));
                place.statement = Some(i);
                if e.as_db_error().is_some() {
                    place.error = Some(e);
                }
                found = k;
                break 'steps;
            }
        }
        if client.batch_execute(&bookkeeping(s, step)).is_err() {
            place.bookkeeping = true;
            found = k;
            break;
        }
    }
    let _ = client.batch_execute("ROLLBACK");
    tracing::debug!(step = found, offset = ?place.offset, bookkeeping = place.bookkeeping, "located the failure");
    (found, place)
}

/// Runs every step in one transaction, as one message (`up --single-transaction`):
/// all are applied or none. Returns each step's duration as the server measured it.
pub(crate) fn run_single_transaction(
    client: &mut Client,
    s: &Session,
    steps: &[Step<'_>],
) -> Result<Vec<Duration>, MigrateError> {
    const MARK: &str = "SELECT set_config('novacron_db.t0', clock_timestamp()::text, true);\n";
    const SINCE_MARK: &str = "(extract(epoch FROM clock_timestamp() - current_setting('novacron_db.t0')::timestamptz) * 1000)::bigint";
    let mut msg = String::from(TX_PREFIX);
    let mut chars = TX_PREFIX.chars().count();
    // Per step: the character position just before its SQL, and the SQL's length.
    let mut segments = Vec::with_capacity(steps.len());
    for step in steps {
        msg.push_str(MARK);
        chars += MARK.chars().count();
        let sql = &step.script().sql;
        let len = sql.chars().count();
        segments.push((chars, len));
        msg.push_str(sql);
        chars += len;
        // The reset between steps, as between messages in an ordinary run.
        let tail = format!(
            "\n;{}{}{}",
            bookkeeping(s, step),
            history_sql(s, step, SINCE_MARK),
            s.reset_sql
        );
        chars += tail.chars().count();
        msg.push_str(&tail);
    }
    msg.push_str("COMMIT;");
    tracing::debug!(
        steps = steps.len(),
        bytes = msg.len(),
        "sending all in one transaction"
    );
    if let Err(err) = client.batch_execute(&msg) {
        let _ = client.batch_execute("ROLLBACK");
        let outcome = if err.as_db_error().is_some() {
            Outcome::RolledBack {
                version: steps.first().and_then(|st| st.before),
            }
        } else {
            Outcome::Unknown
        };
        let (k, mut place) = match err.as_db_error().map(|db| (db, db.position())) {
            Some((_, Some(ErrorPosition::Original(p)))) => {
                let p = *p as usize;
                let k = segments
                    .iter()
                    .rposition(|&(start, _)| start < p)
                    .unwrap_or(0);
                let (start, len) = segments[k];
                let mut place = Place::default();
                if p - start <= len + 1 {
                    place.offset =
                        Some(LineIndex::new(&steps[k].script().sql).char_pos_to_offset(p - start));
                } else {
                    place.bookkeeping = true;
                }
                (k, place)
            }
            Some((db, _)) if worth_locating(db) => locate(client, s, steps),
            _ => (0, Place::default()),
        };
        let located = place.error.take();
        return Err(failure(
            &steps[k],
            located.as_ref().unwrap_or(&err),
            place,
            outcome,
        ));
    }
    let rows = client
        .simple_query(&format!(
            "SELECT duration_ms FROM {} ORDER BY id DESC LIMIT {}",
            s.history_table.sql(),
            steps.len()
        ))
        .map_err(|e| MigrateError::db(format!("reading {}", s.history_table), e))?;
    let mut durations: Vec<Duration> = super::state::result_sets(&rows)
        .into_iter()
        .flatten()
        .map(|r| {
            let ms = r[0]
                .as_deref()
                .and_then(|t| t.parse::<u64>().ok())
                .unwrap_or(0);
            Duration::from_millis(ms)
        })
        .collect();
    durations.reverse();
    Ok(durations)
}

fn failure(step: &Step<'_>, err: &postgres::Error, place: Place, outcome: Outcome) -> MigrateError {
    let script = step.script();
    let index = LineIndex::new(&script.sql);
    let pos = place.offset.map(|o| index.pos(o));
    let statement = place.statement.or_else(|| {
        place.offset.and_then(|o| {
            script
                .statements
                .iter()
                .position(|&(from, to)| o >= from && o <= to)
        })
    });
    let db = err.as_db_error();
    let message = match db {
        Some(db) => db.message().to_owned(),
        None => error_chain(err),
    };
    MigrateError::Failed(Box::new(MigrationFailure {
        migration: MigrationRef::of(step.migration),
        direction: step.direction.as_str(),
        path: script.path.to_string(),
        pos,
        snippet: pos.map(|p| index.line(p.line).to_owned()),
        statement: statement.map(|i| i + 1),
        sqlstate: db.map(|d| d.code().code().to_owned()),
        message,
        detail: db.and_then(|d| d.detail()).map(str::to_owned),
        hint: db.and_then(|d| d.hint()).map(str::to_owned),
        context: db.and_then(|d| d.where_()).map(str::to_owned),
        in_bookkeeping: place.bookkeeping,
        outcome,
    }))
}

/// `error communicating with the server: Connection reset by peer`.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_what_positions_are_shifted_by() {
        // A PostgreSQL position p (1-based, characters) in the message is
        // character p - len(prefix) of the file.
        let sql = "CREATE TABLE a ();\nSELECT é FROM nope;";
        let msg = format!("{TX_PREFIX}{sql}\n;");
        let nope_char = msg
            .chars()
            .take_while(|_| true)
            .collect::<String>()
            .find("nope")
            .map(|b| msg[..b].chars().count() + 1)
            .unwrap();
        let file_char = nope_char - TX_PREFIX.chars().count();
        let idx = LineIndex::new(sql);
        let off = idx.char_pos_to_offset(file_char);
        assert_eq!(&sql[off..off + 4], "nope");
        assert_eq!(idx.pos(off), migrate_core::SourcePos { line: 2, col: 15 });
    }
}
