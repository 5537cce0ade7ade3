//! Each down must take the schema back to where its up found it.

use crate::diag::Diagnostic;
use crate::model::schema::Schema;

/// Compares the schema before an up with the schema after up then down;
/// where the target stands for any server ([`Schema::any_server`]), leaving
/// out NOT NULL constraints' names, which only PostgreSQL 18 has.
pub fn check(
    label: &str,
    down_path: &str,
    before: &Schema,
    after_down: &Schema,
) -> Option<Diagnostic> {
    // A down after which the model knows nothing for sure (DROP OWNED BY,
    // EXECUTE of a built string) cannot be said to leave anything over.
    if after_down.lost() && !before.lost() {
        return None;
    }
    let mut diffs = before.differences(after_down);
    if !diffs.is_empty() && before.any_server {
        diffs = before
            .without_not_null_names()
            .differences(&after_down.without_not_null_names());
    }
    if diffs.is_empty() {
        return None;
    }
    let shown: Vec<&str> = diffs.iter().take(5).map(String::as_str).collect();
    let more = if diffs.len() > 5 {
        format!(" (and {} more)", diffs.len() - 5)
    } else {
        String::new()
    };
    Some(
        Diagnostic::file(
            down_path,
            format!(
                "{label} down does not undo its up: after up then down, {}{more}",
                shown.join("; ")
            ),
        )
        .with_help(
            "make the down drop what the up creates and restore what it changes, in reverse order; \
             if it cannot be undone, put `-- migrate:irreversible` on the down file's first line",
        ),
    )
}
