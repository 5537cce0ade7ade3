//! Running one migration step and placing PostgreSQL's errors in the file.

use std::time::{Duration, Instant};

use migrate_core::Direction;
use migrate_core::sql::position::LineIndex;
use postgres::error::ErrorPosition;

use super::conn::Conn;
use super::state::{HistoryDirection, Session, Sql};
use super::step_rows::{StepRows, THIS_MESSAGE_MS};
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

/// How long a step took, for its history row.
#[derive(Clone, Copy)]
enum Took {
    /// Measured here, between its first message and its last answer.
    Measured(Duration),
    /// The step is in the message that carries its row: the server measures
    /// from the message's arrival (`statement_timestamp()`) to the row.
    ThisMessage,
}

fn history_sql(s: &Session, step: &Step<'_>, took: Took) -> String {
    let duration = match took {
        Took::Measured(d) => d.as_millis().to_string(),
        Took::ThisMessage => THIS_MESSAGE_MS.to_owned(),
    };
    format!(
        "INSERT INTO {} (version, name, checksum, down_checksum, direction, duration_ms) VALUES ({}, {duration});",
        s.history_table.sql(),
        history_values(step),
    )
}

/// A step's history row but its duration, as SQL values: the text row's and
/// the prepared one's (see [`super::step_rows`]).
fn history_values(step: &Step<'_>) -> String {
    let m = step.migration;
    format!(
        "{}, {}, {}, {}, {}",
        m.version,
        literal(&m.name),
        literal(m.checksum()),
        m.down_checksum().map_or("NULL".to_owned(), literal),
        literal(step.history_direction().as_str()),
    )
}

/// Runs one step; returns how long it took. `reset` (the session reset after
/// the step before, or [`Sql::NONE`]) rides at the front of the step's first
/// message: a round trip less per migration than sending it alone. Its rows
/// go prepared when `rows` can (see [`super::step_rows`]).
pub(crate) async fn run<C: Conn>(
    client: &mut C,
    s: &Session,
    step: &Step<'_>,
    reset: &Sql,
    rows: &mut StepRows,
) -> Result<Duration, MigrateError> {
    rows.before(step.script());
    if step.script().transactional {
        let durations =
            run_in_transaction(client, s, std::slice::from_ref(step), reset, rows).await?;
        Ok(durations.into_iter().next().unwrap_or_default())
    } else {
        run_without_transaction(client, s, step, &reset.text).await
    }
}

/// The session reset on its own, after the last step of a run (and, best
/// effort, after a failed one), so the caller's session is as it was, when
/// `session` (a step may have changed it, see [`super::session_reset`]);
/// then the prepared rows are removed, in a message of their own whose
/// failure (a migration removed them already) changes nothing.
pub(crate) async fn reset<C: Conn>(
    client: &mut C,
    s: &Session,
    rows: &mut StepRows,
    session: bool,
) -> Result<(), MigrateError> {
    let reset = if session {
        client
            .batch(&s.reset.text)
            .await
            .map_err(|e| MigrateError::db("resetting the session after the run", e))
    } else {
        Ok(())
    };
    if let Some(sql) = rows.cleanup() {
        let _ = client.batch(&sql).await;
    }
    reset
}

/// Most text of a script that goes in one message. The server parses a
/// message whole before it runs any of it (a tree ~100 times the SQL), so a
/// larger script goes a statement at a time, as psql sends it.
const ONE_MESSAGE_MAX: usize = 256 * 1024;

/// Whether `script`'s statements go in one message over `C`: the client must
/// count what completed (see [`Conn::COUNTS_STATEMENTS`]), the script must be
/// small enough, and it must have no backslash. The server lexes a message
/// whole before running it, so a statement that turns
/// `standard_conforming_strings` off would not change how the ones after it
/// in the same message read a backslash in a string, as it does when each
/// comes alone; without a backslash the setting changes nothing.
fn one_message<C: Conn>(script: &Script) -> bool {
    C::COUNTS_STATEMENTS
        && body(script).is_none_or(|(_, b)| b.len() <= ONE_MESSAGE_MAX && !b.contains('\\'))
}

/// The script's text from its first statement's start to its last one's end,
/// and where that starts in the file; `None` without statements.
fn body(script: &Script) -> Option<(usize, &str)> {
    let (&(from, _), &(_, to)) = (script.statements.first()?, script.statements.last()?);
    Some((from, resolved(script).get(from..to).unwrap_or_default()))
}

/// What failed in the messages of a step.
enum Failed {
    /// A statement of the script, or the prefix riding with the first.
    Statement(postgres::Error, Place),
    /// The suffix: the version and history rows, or COMMIT; or the
    /// connection broke while a message that holds COMMIT was out.
    Suffix(postgres::Error),
}

/// Sends a script's statements in one message (see [`one_message`]),
/// `prefix` (the session reset, BEGIN) before them and `suffix` (the rows,
/// COMMIT, or nothing) after them. The failing statement is known from the
/// count of those that completed, and a position from the error places it in
/// the file. Nothing runs a second time to find it (a migration with a side
/// effect outside the transaction, a sequence, dblink, a call to another
/// system, must run exactly once).
async fn send_one<C: Conn>(
    client: &mut C,
    script: &Script,
    prefix: &Sql,
    suffix: &str,
) -> Result<(), Failed> {
    let (from, body) = body(script).unwrap_or_default();
    let pre = &prefix.text;
    let sql = if body.is_empty() {
        format!("{pre}{suffix}")
    } else {
        format!("{pre}{body};\n{suffix}")
    };
    let Err((e, completed)) = client.script(&sql).await else {
        return Ok(());
    };
    let n = script.statements.len();
    let Some(db) = e.as_db_error() else {
        // The connection broke: what ran is not known, COMMIT may have.
        return Err(if suffix.is_empty() {
            Failed::Statement(e, Place::default())
        } else {
            Failed::Suffix(e)
        });
    };
    // Positions count characters from 1 in the whole message.
    let pre_chars = pre.chars().count();
    if let Some(ErrorPosition::Original(p)) = db.position() {
        let p = *p as usize;
        if p > pre_chars && p - pre_chars <= body.chars().count() {
            let offset = from + LineIndex::new(body).char_pos_to_offset(p - pre_chars);
            return Err(Failed::Statement(
                e,
                Place {
                    offset: Some(offset),
                    ..Place::default()
                },
            ));
        }
    }
    let completed = completed.unwrap_or_default();
    if completed >= prefix.statements + n && !suffix.is_empty() {
        return Err(Failed::Suffix(e));
    }
    // The statement after the last that completed; one in the prefix (the
    // reset, BEGIN) is put on the first statement, as when the prefix rides
    // with it alone.
    let i = completed
        .saturating_sub(prefix.statements)
        .min(n.saturating_sub(1));
    let place = match script.statements.get(i) {
        Some(&(at, _)) => Place {
            offset: Some(at),
            statement: Some(i),
            ..Place::default()
        },
        None => Place::default(),
    };
    Err(Failed::Statement(e, place))
}

/// Sends a script's statements one message each, `prefix` riding with the
/// first: the failing statement is the one whose message failed, found as
/// [`send_one`] finds it. For a client that does not count completed
/// statements (the blocking one drops the CommandComplete of each finished
/// statement when the error arrives), and for the scripts [`one_message`]
/// keeps apart.
async fn send_each<C: Conn>(
    client: &mut C,
    script: &Script,
    prefix: &str,
) -> Result<(), (postgres::Error, Place)> {
    if script.statements.is_empty() && !prefix.is_empty() {
        client
            .batch(prefix)
            .await
            .map_err(|e| (e, Place::default()))?;
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
/// reset between steps riding at the front of the next one's, as BEGIN rides
/// at the front of the first's), then the version row and every step's
/// history row with COMMIT. Over a client that counts completed statements
/// each step is one message and the rows and COMMIT ride with the last (see
/// [`send_one`]): a migration of its own is one round trip. Otherwise each
/// statement is one and the rows with COMMIT one more (psql's `-1` pays a
/// round trip per statement, without the rows). All are applied and
/// recorded, or none. Returns each step's duration.
pub(crate) async fn run_in_transaction<C: Conn>(
    client: &mut C,
    s: &Session,
    steps: &[Step<'_>],
    reset: &Sql,
    rows: &mut StepRows,
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
    let begin = Sql {
        text: format!("{}BEGIN;\n", reset.text),
        statements: reset.statements + 1,
    };
    let mut done = bookkeeping(s, first, last);
    for (k, step) in steps.iter().enumerate() {
        let start = Instant::now();
        // Between the steps of one transaction the session is reset as
        // between separate runs.
        let prefix = if k == 0 { &begin } else { &s.reset };
        let script = step.script();
        let fold = k + 1 == steps.len() && one_message::<C>(script);
        let sent = if one_message::<C>(script) {
            loop {
                let prepared = if fold {
                    prepared_rows(rows, first, last, steps.len())
                } else {
                    None
                };
                let text;
                let suffix = match &prepared {
                    Some(sql) => sql.as_str(),
                    None if fold => {
                        text = format!("{done}{}COMMIT;", history_sql(s, step, Took::ThisMessage));
                        &text
                    }
                    None => "",
                };
                let sent = send_one(client, script, prefix, suffix).await;
                if prepared.is_some() {
                    match &sent {
                        Ok(()) => rows.committed(),
                        // The migration removed the statement: its
                        // transaction failed whole; it runs again with its
                        // rows as text.
                        Err(Failed::Suffix(e))
                            if e.as_db_error().is_some_and(|db| rows.lost(db)) =>
                        {
                            let _ = client.batch("ROLLBACK").await;
                            continue;
                        }
                        Err(_) => {}
                    }
                }
                break sent;
            }
        } else {
            send_each(client, script, &prefix.text)
                .await
                .map_err(|(e, place)| Failed::Statement(e, place))
        };
        match sent {
            Ok(()) => {}
            Err(Failed::Statement(e, place)) => {
                // An error inside BEGIN leaves the session in an aborted
                // transaction until ROLLBACK.
                let _ = client.batch("ROLLBACK").await;
                return Err(failure(step, &e, place, rolled_back));
            }
            Err(Failed::Suffix(e)) => {
                return Err(commit_failed(client, last, &e, rolled_back).await);
            }
        }
        durations.push(start.elapsed());
        if fold {
            return Ok(durations);
        }
        done.push_str(&history_sql(s, step, Took::Measured(start.elapsed())));
    }
    done.push_str("COMMIT;");
    if let Err(e) = client.batch(&done).await {
        return Err(commit_failed(client, last, &e, rolled_back).await);
    }
    Ok(durations)
}

/// The rows and COMMIT of a transaction of one step, prepared (see
/// [`super::step_rows`]): when the version row is known to exist and keeps a
/// version (the first step on an empty database inserts it, the last down
/// deletes it; their rows go as text).
fn prepared_rows(
    rows: &mut StepRows,
    first: &Step<'_>,
    last: &Step<'_>,
    steps: usize,
) -> Option<String> {
    let (1, Some(_), Some(version)) = (steps, first.before, last.after) else {
        return None;
    };
    rows.suffix(version.get(), &history_values(last))
}

/// The rows or COMMIT of a transaction failed (`e`): the error, with what
/// became of the transaction.
async fn commit_failed<C: Conn>(
    client: &mut C,
    last: &Step<'_>,
    e: &postgres::Error,
    rolled_back: Outcome,
) -> MigrateError {
    let committing = e.as_db_error().is_some();
    // An error in the rows leaves the transaction open and aborted, so
    // a query fails; after a failed COMMIT it has ended and one works.
    if committing && client.batch("SELECT 1").await.is_ok() {
        let place = Place {
            at_commit: true,
            ..Place::default()
        };
        return failure(last, e, place, rolled_back);
    }
    let place = Place {
        bookkeeping: true,
        ..Place::default()
    };
    let _ = client.batch("ROLLBACK").await;
    if !committing {
        // The connection broke with COMMIT in flight.
        return failure(last, e, place, Outcome::Unknown);
    }
    failure(last, e, place, rolled_back)
}

/// `up --single-transaction`: every step in one transaction, then the reset.
pub(crate) async fn run_single_transaction<C: Conn>(
    client: &mut C,
    s: &Session,
    steps: &[Step<'_>],
) -> Result<Vec<Duration>, MigrateError> {
    let mut rows = StepRows::off();
    let durations = run_in_transaction(client, s, steps, &Sql::NONE, &mut rows).await?;
    reset(client, s, &mut rows, true).await?;
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
    if let Err((e, place)) = send_each(client, step.script(), "").await {
        return Err(failure(step, &e, place, outcome));
    }
    let done = format!(
        "BEGIN; {}{} COMMIT;",
        bookkeeping(s, step, step),
        history_sql(s, step, Took::Measured(start.elapsed()))
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
