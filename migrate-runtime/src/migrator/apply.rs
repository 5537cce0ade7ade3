//! Running one migration step and placing PostgreSQL's errors in the file.

use std::time::{Duration, Instant};

use migrate_core::Direction;
use migrate_core::sql::position::LineIndex;
use postgres::error::ErrorPosition;

use super::conn::Conn;
use super::state::{HistoryDirection, Session};
use super::tables::{set_version_sql, update_version_sql};
use crate::error::{MigrateError, MigrationFailure, MigrationRef, Outcome};
use crate::migration::{Migration, Script, Version};
use crate::sql::literal;

/// One migration to run, and the version the row holds afterwards.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Step<'r> {
    /// The migration.
    pub migration: &'r Migration,
    /// Applied or reverted.
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

/// The version row after the steps `first` to `last` (one transaction).
fn bookkeeping(s: &Session, first: &Step<'_>, last: &Step<'_>) -> String {
    // The row exists exactly when a version was applied before the first step
    // (the reconciled history and the row agree under the lock).
    if first.before.is_some() {
        update_version_sql(&s.version_table, last.after.map(Version::get), false)
    } else {
        set_version_sql(&s.version_table, last.after.map(Version::get), false)
    }
}

fn history_sql(s: &Session, step: &Step<'_>, duration: Duration) -> String {
    let m = step.migration;
    format!(
        "INSERT INTO {} (version, name, checksum, down_checksum, direction, duration_ms) VALUES ({}, {}, {}, {}, {}, {});",
        s.history_table.sql(),
        m.version,
        literal(&m.name),
        literal(m.checksum()),
        m.down_checksum().map_or("NULL".to_owned(), literal),
        literal(step.history_direction().as_str()),
        duration.as_millis(),
    )
}

/// Runs one step; returns how long it took. `reset` (the session reset after
/// the step before, or nothing) rides at the front of the step's first
/// message: a round trip less per migration than sending it alone.
pub(crate) async fn run<C: Conn>(
    client: &mut C,
    s: &Session,
    step: &Step<'_>,
    reset: &str,
) -> Result<Duration, MigrateError> {
    if step.script().transactional {
        let durations = run_in_transaction(client, s, std::slice::from_ref(step), reset).await?;
        Ok(durations.into_iter().next().unwrap_or_default())
    } else {
        run_without_transaction(client, s, step, reset).await
    }
}

/// The session reset on its own, after the last step of a run (and, best
/// effort, after a failed one), so the caller's session is as it was.
pub(crate) async fn reset<C: Conn>(client: &mut C, s: &Session) -> Result<(), MigrateError> {
    client
        .batch(&s.reset_sql)
        .await
        .map_err(|e| MigrateError::db("resetting the session after the run", e))
}

/// Sends a script's statements one message each, `prefix` (BEGIN) riding
/// with the first. The failing statement is the one whose message failed:
/// found without running anything a second time (a migration with a side
/// effect outside the transaction, a sequence, dblink, a call to another
/// system, must run exactly once). One message for the whole file would save
/// the round trips, but the blocking client drops the CommandComplete of each
/// finished statement when the error arrives, so the failing statement of an
/// error without a position could not be named.
async fn send_statements<C: Conn>(
    client: &mut C,
    script: &Script,
    prefix: &str,
) -> Result<(), (postgres::Error, Place)> {
    if script.statements.is_empty() && !prefix.is_empty() {
        return client
            .batch(prefix)
            .await
            .map_err(|e| (e, Place::default()));
    }
    for (i, &(from, to)) in script.statements.iter().enumerate() {
        let text = resolved(script).get(from..to).unwrap_or_default();
        let pre = if i == 0 { prefix } else { "" };
        tracing::debug!(path = %script.path, statement = i + 1, "sending");
        let sent = if pre.is_empty() {
            client.batch(text).await
        } else {
            client.batch(&format!("{pre}{text}")).await
        };
        if let Err(e) = sent {
            let pre_chars = pre.chars().count();
            let offset = e.as_db_error().and_then(|db| match db.position() {
                Some(ErrorPosition::Original(p)) if *p as usize > pre_chars => {
                    Some(from + LineIndex::new(text).char_pos_to_offset(*p as usize - pre_chars))
                }
                _ => None,
            });
            let place = Place {
                offset: Some(offset.unwrap_or(from)),
                statement: Some(i),
                ..Place::default()
            };
            return Err((e, place));
        }
    }
    Ok(())
}

/// The text of a script whose [`Script::text`] was had before its step
/// began (see [`read_texts`]).
fn resolved(script: &Script) -> &str {
    script.text().unwrap_or_default()
}

/// Has every step's text before anything is sent: a directory file read only
/// now (see `Script::text`) that is not the file that was checked stops the
/// run before its transaction begins.
fn read_texts(steps: &[Step<'_>]) -> Result<(), MigrateError> {
    for step in steps {
        step.script().text()?;
    }
    Ok(())
}

/// Runs `steps` in one transaction: each step's statements (the session
/// reset between steps riding with the next one's first statement, as BEGIN
/// rides with the first), then the version row and every step's history row
/// with COMMIT, in one message: all are applied and recorded, or none, in a
/// round trip per statement and one more for the whole transaction (psql's
/// `-1` pays the same, without the rows). Returns each step's duration.
pub(crate) async fn run_in_transaction<C: Conn>(
    client: &mut C,
    s: &Session,
    steps: &[Step<'_>],
    reset: &str,
) -> Result<Vec<Duration>, MigrateError> {
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return Ok(Vec::new());
    };
    read_texts(steps)?;
    // Until COMMIT is sent, a broken connection cannot have committed: the
    // server rolls back a transaction whose client is gone.
    let rolled_back = Outcome::RolledBack {
        version: first.before,
    };
    let mut durations = Vec::with_capacity(steps.len());
    let begin = format!("{reset}BEGIN;\n");
    for (k, step) in steps.iter().enumerate() {
        let start = Instant::now();
        // Between the steps of one transaction the session is reset as
        // between separate runs.
        let prefix = if k == 0 {
            begin.as_str()
        } else {
            s.reset_sql.as_str()
        };
        if let Err((e, place)) = send_statements(client, step.script(), prefix).await {
            // An error inside BEGIN leaves the session in an aborted
            // transaction until ROLLBACK.
            let _ = client.batch("ROLLBACK").await;
            return Err(failure(step, &e, place, rolled_back));
        }
        durations.push(start.elapsed());
    }
    let mut done = bookkeeping(s, first, last);
    for (step, took) in steps.iter().zip(&durations) {
        done.push_str(&history_sql(s, step, *took));
    }
    done.push_str("COMMIT;");
    if let Err(e) = client.batch(&done).await {
        let committing = e.as_db_error().is_some();
        // An error in the rows leaves the transaction open and aborted, so
        // a query fails; after a failed COMMIT it has ended and one works.
        if committing && client.batch("SELECT 1").await.is_ok() {
            let place = Place {
                at_commit: true,
                ..Place::default()
            };
            return Err(failure(last, &e, place, rolled_back));
        }
        let place = Place {
            bookkeeping: true,
            ..Place::default()
        };
        let _ = client.batch("ROLLBACK").await;
        if !committing {
            // The connection broke with COMMIT in flight.
            return Err(failure(last, &e, place, Outcome::Unknown));
        }
        return Err(failure(last, &e, place, rolled_back));
    }
    Ok(durations)
}

/// `up --single-transaction`: every step in one transaction, then the reset.
pub(crate) async fn run_single_transaction<C: Conn>(
    client: &mut C,
    s: &Session,
    steps: &[Step<'_>],
) -> Result<Vec<Duration>, MigrateError> {
    let durations = run_in_transaction(client, s, steps, "").await?;
    reset(client, s).await?;
    Ok(durations)
}

async fn run_without_transaction<C: Conn>(
    client: &mut C,
    s: &Session,
    step: &Step<'_>,
    reset: &str,
) -> Result<Duration, MigrateError> {
    read_texts(std::slice::from_ref(step))?;
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
        .batch(&format!(
            "{reset}BEGIN; {} COMMIT;",
            set_version_sql(&s.version_table, Some(dirty_at.get()), true)
        ))
        .await
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
    // One statement per message is also what this needs: a message with several
    // statements is an implicit transaction, which CREATE INDEX CONCURRENTLY
    // and friends refuse.
    if let Err((e, place)) = send_statements(client, step.script(), "").await {
        return Err(failure(step, &e, place, outcome));
    }
    let done = format!(
        "BEGIN; {}{} COMMIT;",
        bookkeeping(s, step, step),
        history_sql(s, step, start.elapsed())
    );
    if let Err(e) = client.batch(&done).await {
        let _ = client.batch("ROLLBACK").await;
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
    /// COMMIT failed: the statements ran, a deferred check refused them.
    at_commit: bool,
}

fn failure(step: &Step<'_>, err: &postgres::Error, place: Place, outcome: Outcome) -> MigrateError {
    let script = step.script();
    let index = LineIndex::new(resolved(script));
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
        at_commit: place.at_commit,
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
