//! When a run needs the session reset between its steps.
//!
//! The reset ([`super::state::Session::reset`]) puts back what a migration
//! may have changed of the session: settings, the role, temporary objects.
//! It is four statements of server work on every step (about 40 µs, 3% of a
//! step that drops one table: most of what rolling back costs over psql's
//! time). A step whose every statement is a `DROP` cannot have changed any
//! of it: `DROP` takes names, never an expression, so it runs no code of the
//! migrations' but event triggers. Event triggers are what keeps this sound:
//! when the database had an enabled one as the run began, or a step that is
//! not all `DROP`s ran (it may have made one), every step is followed by the
//! reset as before.
//!
//! The decision reads the statements' first tokens only, in the file's
//! statement bounds ([`Script::statements`]); a script whose bounds are not
//! known, or whose text cannot be read, counts as one that may change
//! anything.

use crate::migration::Script;

/// Whether the session may differ from the reset one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionReset {
    /// A step since the last reset may have changed the session.
    pending: bool,
    /// Any DDL may run user code from now on (an event trigger may exist).
    user_code: bool,
}

impl SessionReset {
    /// Before the first step: the session is as the run found it.
    /// `event_triggers`: the database had an enabled event trigger.
    pub(crate) fn new(event_triggers: bool) -> Self {
        SessionReset {
            pending: false,
            user_code: event_triggers,
        }
    }

    /// Whether the reset must go before the next step (or at the end).
    pub(crate) fn pending(&self) -> bool {
        self.pending
    }

    /// `script` ran, preceded by the reset when [`Self::pending`] said so.
    pub(crate) fn ran(&mut self, script: &Script) {
        let drops = only_drops(script);
        self.pending = !drops || self.user_code;
        self.user_code |= !drops;
    }
}

/// Every statement of the script is a `DROP` (and there is at least one).
fn only_drops(script: &Script) -> bool {
    let Ok(text) = script.text() else {
        return false;
    };
    !script.statements.is_empty()
        && script
            .statements
            .iter()
            .all(|&(start, end)| text.get(start..end).is_some_and(starts_with_drop))
}

/// The statement's first token that is no comment is `DROP`, as
/// PostgreSQL's own scanner splits it (the one the checksums use).
fn starts_with_drop(statement: &str) -> bool {
    let Some(tokens) = migrate_core::sql::parse::scan(statement) else {
        return false;
    };
    (tokens.iter().find(|t| !t.comment))
        .and_then(|t| statement.get(t.start()..t.end()))
        .is_some_and(|word| word.eq_ignore_ascii_case("drop"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(sql: &str, statements: Vec<(usize, usize)>) -> Script {
        Script::new("x.sql".into(), sql.into(), String::new(), true, statements)
    }

    /// The bounds of each `;`-terminated statement (the tests' statements
    /// have no `;` inside).
    fn split(sql: &str) -> Script {
        let mut bounds = Vec::new();
        let mut start = 0;
        for (i, c) in sql.char_indices() {
            if c == ';' {
                bounds.push((start, i));
                start = i + 1;
            }
        }
        script(sql, bounds)
    }

    #[test]
    fn first_words() {
        assert!(starts_with_drop("  DROP TABLE t"));
        assert!(starts_with_drop("-- note\n drop table t"));
        assert!(starts_with_drop("/* a /* nested */ b */drop table t"));
        assert!(!starts_with_drop("/* never closed drop"));
        assert!(!starts_with_drop("-- only a comment"));
        assert!(!starts_with_drop("dropped()"));
        assert!(!starts_with_drop("\"drop\""));
    }

    #[test]
    fn only_drops_decides() {
        assert!(only_drops(&split("DROP TABLE a;\n-- x\nDROP INDEX b;")));
        assert!(!only_drops(&split("DROP TABLE a; SET search_path = x;")));
        assert!(!only_drops(&split(
            "SELECT set_config('role', 'x', false);"
        )));
        assert!(!only_drops(&split("dropped();")));
        // Bounds unknown: it may do anything.
        assert!(!only_drops(&script("DROP TABLE a;", Vec::new())));
        assert!(!only_drops(&script("DROP TABLE a;", vec![(0, 99)])));
    }

    #[test]
    fn a_step_that_may_change_the_session_is_reset_after_and_taints_the_rest() {
        let drop = split("DROP TABLE a;");
        let set = split("SET search_path = x;");
        let mut r = SessionReset::new(false);
        r.ran(&drop);
        assert!(!r.pending());
        r.ran(&set);
        assert!(r.pending());
        // It may have made an event trigger: a DROP may now run user code.
        r.ran(&drop);
        assert!(r.pending());
        let mut r = SessionReset::new(true);
        r.ran(&drop);
        assert!(r.pending());
    }
}
