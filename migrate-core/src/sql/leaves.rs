//! What two expressions PostgreSQL may store alike have in common.
//!
//! PostgreSQL keeps an index's expressions and predicate, and a SQL-standard
//! function body, as the analysed tree, and prints that back rewritten:
//! implicit casts made explicit (pushed into `ARRAY[...]` for a varchar
//! column), `IN (...)` as `= ANY (ARRAY[...])` or, of one element, as `=`,
//! `BETWEEN` and row comparisons expanded, `LIKE` as `~~` with
//! `like_escape(...)`, `IS NOT DISTINCT FROM` negated, columns qualified,
//! constants normalised (`interval '1 hour'` as `'01:00:00'`). The spelling
//! rules (`lower/spelling.rs`) follow part of that; what they miss must not
//! make a down that pastes pg_dump's definition "another" index or body.
//!
//! So where two spellings differ, the reversal check compares what no
//! rewrite changes: the columns read, the functions called (but the helpers
//! the rewrites add) and the constants (whitespace and case aside; none when
//! a cast is to a type whose constants PostgreSQL normalises). Equal leaves
//! mean "may be the same" (no difference reported); different leaves are a
//! difference PostgreSQL would show too (`lower(a)` against `upper(a)`, a
//! predicate on `'shipped'` against one on `'delivered'`). A `*` (which
//! PostgreSQL expands) or a text that does not parse compares as the same.

use std::collections::BTreeSet;

use serde_json::Value;

use super::walk::{Found, walk_node, walk_value};

/// Functions the rewrites add (`LIKE ... ESCAPE`, `SIMILAR TO`).
const REWRITE_HELPERS: &[&str] = &["like_escape", "similar_to_escape", "similar_escape"];

/// Types whose constants PostgreSQL prints normalised (`'1 hour'::interval`
/// as `'01:00:00'::interval`, jsonb's spacing, a date's format).
const NORMALISED: &[&str] = &[
    "interval",
    "json",
    "jsonb",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "inet",
    "cidr",
    "macaddr",
    "uuid",
    "bytea",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "bit",
    "varbit",
];

/// The leaves of an expression tree; `None` when it cannot be compared.
fn leaves(f: &Found) -> Option<(BTreeSet<String>, bool)> {
    if f.kinds.iter().any(|k| k == "AStar") {
        return None;
    }
    let mut out = BTreeSet::new();
    out.extend(
        f.columns
            .iter()
            .map(|c| format!("column {}", c.to_lowercase())),
    );
    out.extend(
        (f.calls.iter())
            .filter_map(|c| c.last())
            .map(|c| c.to_lowercase())
            .filter(|c| !REWRITE_HELPERS.contains(&c.as_str()))
            .map(|c| format!("call {c}")),
    );
    let normalised = (f.casts.iter()).any(|t| NORMALISED.contains(&t.to_lowercase().as_str()));
    let constant = |c: &str| {
        let c: String = c.chars().filter(|ch| !ch.is_whitespace()).collect();
        let c = c.to_lowercase();
        match c.as_str() {
            "t" | "true" => "true".to_owned(),
            "f" | "false" => "false".to_owned(),
            _ => c,
        }
    };
    out.extend((f.strings.iter().chain(&f.numbers)).map(|c| format!("constant {}", constant(c))));
    Some((out, normalised))
}

/// Whether two trees may be one: their leaves agree (see the module docs).
fn may_be_same(a: &Found, b: &Found) -> bool {
    let (Some((a, a_norm)), Some((b, b_norm))) = (leaves(a), leaves(b)) else {
        return true;
    };
    if a_norm || b_norm {
        let keep = |s: &BTreeSet<String>| -> BTreeSet<String> {
            s.iter()
                .filter(|l| !l.starts_with("constant "))
                .cloned()
                .collect()
        };
        return keep(&a) == keep(&b);
    }
    a == b
}

/// Two SQL texts (index definitions in the spelling the model keeps) may be
/// one as PostgreSQL stores them.
pub(crate) fn sql_may_be_same(a: &str, b: &str) -> bool {
    let found = |sql: &str| -> Option<Found> {
        let parsed = super::parse::parse("", sql).ok()?;
        let mut all = Found::default();
        for s in &parsed {
            let f = walk_node(&s.node);
            all.columns.extend(f.columns);
            all.calls.extend(f.calls);
            all.strings.extend(f.strings);
            all.numbers.extend(f.numbers);
            all.casts.extend(f.casts);
            all.kinds.extend(f.kinds);
        }
        Some(all)
    };
    match (found(a), found(b)) {
        (Some(a), Some(b)) => may_be_same(&a, &b),
        _ => true,
    }
}

/// Two trees in their serde form (a SQL-standard body as the model keeps
/// it) may be one as PostgreSQL stores them.
pub(crate) fn json_may_be_same(a: &str, b: &str) -> bool {
    let found = |json: &str| {
        serde_json::from_str::<Value>(json)
            .ok()
            .map(|v| walk_value(&v))
    };
    match (found(a), found(b)) {
        (Some(a), Some(b)) => may_be_same(&a, &b),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_have_the_same_leaves_and_changes_do_not() {
        let same =
            |a: &str, b: &str| sql_may_be_same(&format!("SELECT {a}"), &format!("SELECT {b}"));
        assert!(same(
            "s IN ('x', 'y')",
            "((s)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))"
        ));
        assert!(same("x BETWEEN 1 AND 5", "((x >= 1) AND (x <= 5))"));
        assert!(same("x LIKE 'a%'", "(x ~~ 'a%'::text)"));
        assert!(same(
            "x IS NOT DISTINCT FROM 'q'",
            "(NOT (x IS DISTINCT FROM 'q'::text))"
        ));
        assert!(same(
            "x > now() - interval '1 hour'",
            "(x > (now() - '01:00:00'::interval))"
        ));
        assert!(same(
            "x || '{\"a\":1}'::jsonb",
            "(x || '{\"a\": 1}'::jsonb)"
        ));
        assert!(same("d = 't'", "(d = true)"));
        assert!(same(
            "x SIMILAR TO 'a%'",
            "(x ~ similar_to_escape('a%'::text))"
        ));
        assert!(!same("lower(a)", "upper(a)"));
        assert!(!same("status <> 'shipped'", "status <> 'delivered'"));
        assert!(!same("a > 1", "b > 1"));
        assert!(!same("a > 1", "a > 2"));
        // A star PostgreSQL expands, or a text that does not parse: may be.
        assert!(same("*", "a, b"));
        assert!(same("(", "a"));
    }
}
