//! A step's rows (the version row and the history row it commits with) as
//! one statement prepared once per session.
//!
//! Every migration commits together with its rows, and written out as text
//! their two statements cost the server a parse and a plan each time: about
//! what sending the migration as one message saves in round trips (README,
//! *Run time*). Prepared, they cost a fraction of that: the first step that
//! needs them sends `PREPARE` before its `EXECUTE`, the others only the
//! `EXECUTE` with their values (rolling back 1,000 migrations: from 1.03x
//! psql's time to 0.96x).
//!
//! An SQL `PREPARE`, not the protocol's: it rides in the migration's own
//! message, so a step stays one round trip and its errors are placed as
//! before; and its name is ours (the client names its statements `s0`,
//! `s1`, ..., which a migration's own `PREPARE` could take). The name holds a
//! digest of the statement, so a statement of that name in the session is
//! this one, left by an earlier run on the same connection: it is used, not
//! prepared again.
//!
//! A migration can remove it (`DEALLOCATE ALL`, or `DISCARD ALL` in a file
//! without a transaction; a connection pooler in transaction mode loses it
//! between transactions). A step whose text names either keeps its rows as
//! text, and the run does from then on. Done in a function, the `EXECUTE`
//! finds nothing: the server refuses it, the step's transaction rolls back
//! whole, and the step runs again with its rows as text, as does the rest of
//! the run. Only there does a migration's text run twice, the first time
//! rolled back (what it did outside its transaction, a sequence's `nextval`
//! or a call through dblink, is not).

use migrate_core::source::checksum::hex;
use postgres::error::{DbError, SqlState};
use sha2::{Digest, Sha256};

use super::state::Session;
use crate::migration::Script;

/// What every statement of ours is named after, for the session's query.
pub(crate) const PREFIX: &str = "novacron_db_rows_";

/// The server's own measure of a step in the message that carries it: from
/// the message's arrival to the row.
pub(crate) const THIS_MESSAGE_MS: &str =
    "floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::bigint";

/// The prepared rows of one run's session.
#[derive(Debug)]
pub(crate) struct StepRows {
    name: String,
    prepare: String,
    there: There,
    /// Whether steps use it (see the module docs for when they stop).
    on: bool,
}

/// Whether the statement is in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum There {
    No,
    Yes,
    /// Prepared in a message that did not commit, or a step since may have
    /// removed it.
    Maybe,
}

impl StepRows {
    /// The statement for the session's tables, and whether the session has
    /// it already ([`Session::prepared`]).
    pub(crate) fn new(s: &Session) -> Self {
        let body = format!(
            "(bigint, bigint, text, text, text, text) AS WITH v AS (UPDATE {} SET version = $1, dirty = false) \
             INSERT INTO {} (version, name, checksum, down_checksum, direction, duration_ms) \
             VALUES ($2, $3, $4, $5, $6, {THIS_MESSAGE_MS})",
            s.version_table.sql(),
            s.history_table.sql(),
        );
        let digest = Sha256::digest(body.as_bytes());
        let name = format!("{PREFIX}{}", hex(&digest[..8]));
        StepRows {
            prepare: format!("PREPARE {name}{body};"),
            there: if s.prepared.contains(&name) {
                There::Yes
            } else {
                There::No
            },
            name,
            on: true,
        }
    }

    /// Rows that are never prepared, for the runs that write them as text.
    pub(crate) fn off() -> Self {
        StepRows {
            name: String::new(),
            prepare: String::new(),
            there: There::No,
            on: false,
        }
    }

    /// Before `script` runs: a text that names `DEALLOCATE` or `DISCARD`
    /// turns the statement off (it may be gone after it).
    pub(crate) fn before(&mut self, script: &Script) {
        if !self.on {
            return;
        }
        let text = script.text().unwrap_or_default();
        let names = |word: &str| {
            text.as_bytes()
                .windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        };
        if names("deallocate") || names("discard") {
            self.on = false;
            if self.there == There::Yes {
                self.there = There::Maybe;
            }
        }
    }

    /// The rows and COMMIT for a step's message, when they go prepared:
    /// `version`, the version row's afterwards; `row`, the history row's
    /// values but its duration, as SQL.
    pub(crate) fn suffix(&mut self, version: i64, row: &str) -> Option<String> {
        if !self.on {
            return None;
        }
        let prepare = if self.there == There::Yes {
            ""
        } else {
            // Sent now: whatever becomes of the message, it may be there.
            self.there = There::Maybe;
            self.prepare.as_str()
        };
        Some(format!(
            "{prepare}EXECUTE {}({version}, {row});COMMIT;",
            self.name
        ))
    }

    /// A message with [`Self::suffix`] committed: the statement is there.
    pub(crate) fn committed(&mut self) {
        self.there = There::Yes;
    }

    /// Whether `e` says the statement is gone: the step is then run again
    /// with its rows as text, and so is the rest of the run.
    pub(crate) fn lost(&mut self, e: &DbError) -> bool {
        let lost = self.on
            && *e.code() == SqlState::INVALID_SQL_STATEMENT_NAME
            && e.message().contains(&self.name);
        if lost {
            tracing::warn!(
                statement = %self.name,
                "the migration removed the tool's prepared statement; running it again with its rows as text"
            );
            self.on = false;
            self.there = There::No;
        }
        lost
    }

    /// After the run: the statement that removes it when it may be there,
    /// so that the caller's session is left as it was.
    pub(crate) fn cleanup(&mut self) -> Option<String> {
        if self.there == There::No {
            return None;
        }
        self.there = There::No;
        Some(format!("DEALLOCATE {}", self.name))
    }
}
