//! Differential test: random DDL, PostgreSQL as the oracle.
//!
//! A generator proposes statements over the tables, columns, indexes and views
//! it believes exist (it is often wrong on purpose: renames, drops and cascades
//! make its beliefs stale). Each statement runs on a real server; the ones
//! PostgreSQL rejects are dropped, the ones it accepts become migration files.
//! Then the tool analyses the files: since PostgreSQL accepted every one, any
//! finding is false, and after them the replayed model must equal the
//! catalogue. Fixed seeds keep `make test` repeatable; `DIFF_SEEDS=N`,
//! `DIFF_STEPS=N` and `DIFF_FIRST_SEED=N` run more (for hunting, not for CI),
//! and `DIFF_MINIMIZE=1` cuts a failing seed's statements down to the few that
//! still fail; `DIFF_SCRIPT=file` judges a script of one's own instead. Each
//! class of difference found that way stays as a fidelity fixture
//! (tests/fixtures/fidelity, PostgreSQL as the oracle) and a replay test.

use migrate_core::{Options, analyze_files};
use migrate_runtime::verify::differences;
use postgres::Client;
use test_support::TestDb;

#[path = "differential/generator.rs"]
mod generator;

use generator::{Beliefs, Rng};

/// What the tool got wrong about statements that PostgreSQL accepted.
#[derive(Debug)]
enum Wrong {
    Findings(String),
    Model(String),
}

impl Wrong {
    fn same_kind(&self, other: &Wrong) -> bool {
        matches!(
            (self, other),
            (Wrong::Findings(_), Wrong::Findings(_)) | (Wrong::Model(_), Wrong::Model(_))
        )
    }
}

impl std::fmt::Display for Wrong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wrong::Findings(s) => write!(
                f,
                "PostgreSQL accepted every statement, the tool said:\n{s}"
            ),
            Wrong::Model(s) => write!(f, "the model differs from the catalogue:\n{s}"),
        }
    }
}

/// A database as golang-migrate leaves it before the first migration.
fn fresh() -> (TestDb, Client) {
    let db = TestDb::new();
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
        )
        .unwrap();
    (db, client)
}

/// Runs one statement (or a few, as one step) in its own transaction.
fn try_step(client: &mut Client, sql: &str) -> bool {
    if client
        .batch_execute(&format!("BEGIN; {sql}; COMMIT"))
        .is_err()
    {
        let _ = client.batch_execute("ROLLBACK");
        return false;
    }
    true
}

/// The tool's analysis of `accepted` (one file per step), against the catalogue
/// that running them left.
fn judge(client: &mut Client, accepted: &[String]) -> Option<Wrong> {
    let files = accepted
        .iter()
        .enumerate()
        .map(|(i, sql)| {
            (
                format!("{:04}_step.up.sql", i + 1),
                format!("{sql};\n").into_bytes(),
            )
        })
        .collect();
    let num: String = client
        .query_one("SHOW server_version_num", &[])
        .unwrap()
        .get(0);
    let opts = Options::default().with_require_down(false).with_target(
        migrate_core::check::version::PgVersion::from_server_version_num(num.parse().unwrap()),
    );
    let a = analyze_files("m", files, &opts);
    if !a.errors.is_empty() {
        return Some(Wrong::Findings(a.errors.to_string()));
    }
    let mut diff = differences(client, a.latest(), &["schema_migrations"]).unwrap();
    if std::env::var_os("DIFF_CONSTRAINTS").is_some() {
        diff.extend(constraint_differences(client, a.latest()));
    }
    (!diff.is_empty()).then(|| Wrong::Model(diff.join("\n")))
}

/// With `DIFF_CONSTRAINTS=1`: the constraints' names of each table the model
/// is sure of, against pg_constraint (verify-schema's comparison leaves
/// constraints out, so a wrong name shows only when a later statement drops
/// it by name). Partitions are left out: the model keeps only their parent's
/// constraints, not the copies each partition holds under names of its own.
fn constraint_differences(
    client: &mut Client,
    schema: &migrate_core::model::schema::Schema,
) -> Vec<String> {
    let mut out = Vec::new();
    for (q, t) in &schema.tables {
        if q.name == "schema_migrations" || schema.doubts(q) || t.is_partition() {
            continue;
        }
        let mut live: Vec<String> = client
            .query(
                "SELECT con.conname::text FROM pg_constraint con
                 JOIN pg_class c ON c.oid = con.conrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2 AND con.contype IN ('p', 'u', 'f', 'c', 'x', 'n')",
                &[&q.schema, &q.name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        live.sort();
        let model: Vec<String> = t.constraints.keys().cloned().collect();
        for n in live.iter().filter(|n| !model.contains(n)) {
            out.push(format!(
                "constraint {n} on {q}: the catalogue has it, the model does not"
            ));
        }
        for n in model.iter().filter(|n| !live.contains(n)) {
            out.push(format!(
                "constraint {n} on {q}: the model has it, the catalogue does not"
            ));
        }
    }
    out
}

/// Runs `steps` on a fresh database and judges them; `None` when PostgreSQL
/// rejects one (the script is then no test of the tool).
fn replay_all(steps: &[String]) -> Option<Option<Wrong>> {
    let (_db, mut client) = fresh();
    for s in steps {
        if !try_step(&mut client, s) {
            return None;
        }
    }
    Some(judge(&mut client, steps))
}

/// Cuts `steps` down to a few that still go wrong the same way: drops chunks,
/// halving their size, while PostgreSQL still accepts the rest; single
/// statements again until none can go (a drop may free an earlier one).
fn minimize(mut steps: Vec<String>, wrong: &Wrong) -> Vec<String> {
    let mut size = (steps.len() / 2).max(1);
    loop {
        let before = steps.len();
        let mut i = 0;
        while i < steps.len() {
            let mut fewer = steps.clone();
            fewer.drain(i..(i + size).min(steps.len()));
            match replay_all(&fewer) {
                Some(Some(w)) if w.same_kind(wrong) => steps = fewer,
                _ => i += size,
            }
        }
        if size > 1 {
            size /= 2;
        } else if steps.len() == before {
            return steps;
        }
    }
}

fn run_seed(seed: u64, steps: usize) {
    let (_db, mut client) = fresh();
    let mut r = Rng::new(seed);
    let mut beliefs = Beliefs::default();
    let mut accepted = Vec::new();
    for _ in 0..steps {
        let sql = beliefs.statement(&mut r);
        if try_step(&mut client, &sql) {
            accepted.push(sql);
            beliefs.refresh(&mut client);
        }
    }
    if let Some(wrong) = judge(&mut client, &accepted) {
        let script = if std::env::var_os("DIFF_MINIMIZE").is_some() {
            let few = minimize(accepted, &wrong);
            let again = replay_all(&few).flatten();
            format!(
                "--- cut down to {} statements{}:\n{}",
                few.len(),
                again.map(|w| format!(" ({w})")).unwrap_or_default(),
                few.join(";\n")
            )
        } else {
            format!("--- the statements:\n{}", accepted.join(";\n"))
        };
        panic!("seed {seed}: {wrong}\n{script}");
    }
    assert!(
        accepted.len() > steps / 3,
        "seed {seed}: only {} of {steps} statements ran",
        accepted.len()
    );
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn postgresql_accepts_so_the_tool_accepts_and_models_it() {
    // A script to probe (statements separated by `;` and a newline, as a
    // failing seed prints them) instead of the seeds.
    if let Some(path) = std::env::var_os("DIFF_SCRIPT") {
        let sql = std::fs::read_to_string(path).unwrap();
        let steps: Vec<String> = sql
            .split(";\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let (_db, mut client) = fresh();
        let mut accepted = Vec::new();
        for s in steps {
            if try_step(&mut client, &s) {
                accepted.push(s);
            } else {
                eprintln!("rejected by PostgreSQL: {s}");
            }
        }
        if let Some(wrong) = judge(&mut client, &accepted) {
            panic!("{wrong}\n--- accepted:\n{}", accepted.join(";\n"));
        }
        return;
    }
    let seeds = env("DIFF_SEEDS", 4);
    let steps = env("DIFF_STEPS", 120);
    let first = env("DIFF_FIRST_SEED", 1) as u64;
    for seed in first..first + seeds as u64 {
        run_seed(seed, steps);
    }
}
