//! Real projects' migrations, with PostgreSQL as the oracle.
//!
//! For each corpus under `CORPORA_DIR` (default `../shared/corpora`, beside the
//! checkout; the files are other projects' and never enter this repository):
//!
//! 1. PostgreSQL applies every up in version order on a fresh database and, right
//!    after each up, runs its down and reads the catalogue (then takes the down
//!    back). A down that PostgreSQL rejects, or after which the catalogue differs
//!    from before its up, deserves a finding; nothing else does.
//! 2. The tool analyses the directory as `cargo build` would. Its findings are
//!    compared file by file with what PostgreSQL said: a finding PostgreSQL does
//!    not back is false (a blocker: it stops every build), a down that PostgreSQL
//!    rejects with no finding is missed.
//! 3. After every up, the replayed model is compared with the live catalogue
//!    through `verify-schema`'s own comparison.
//! 4. The runtime applies the corpus (`up --dir`) on another fresh database and
//!    `verify-schema --dir` reports no difference.
//!
//! One line per corpus: files, true, false and missed findings, model
//! differences. Without the corpora the suite says loudly that it did not run,
//! and fails when `REQUIRE_CORPORA=1` (CI sets it).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use migrate_core::check::version::PgVersion;
use migrate_core::{Analysis, Options, SqlFile, analyze};
use migrate_runtime::verify::differences;
use postgres::Client;
use test_support::TestDb;
use test_support::catalogue::{Snapshot, diff, snapshot};

/// How a corpus is run: what its own setup does before the first migration.
struct Corpus {
    name: &'static str,
    /// golang-migrate's version table. crates.io's history drops a table named
    /// `schema_migrations` (an older tool's), so it runs with another one.
    version_table: &'static str,
    /// Statements the project's own setup runs first (not migrations).
    setup: &'static str,
    /// Kept in this repository (tests/fixtures/NAME), not among the corpora.
    in_repo: bool,
}

const CORPORA: &[Corpus] = &[
    Corpus {
        name: "fidelity",
        version_table: "schema_migrations",
        setup: "",
        in_repo: true,
    },
    Corpus {
        name: "harbor",
        version_table: "schema_migrations",
        setup: "",
        in_repo: false,
    },
    Corpus {
        name: "crates-io",
        version_table: "migrate_version",
        setup: "",
        in_repo: false,
    },
    Corpus {
        name: "chirpstack",
        version_table: "schema_migrations",
        // The project creates the extension before its migrations run.
        setup: "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        in_repo: false,
    },
    Corpus {
        name: "kratos",
        version_table: "schema_migrations",
        setup: "",
        in_repo: false,
    },
];

/// golang-migrate creates its table before the first migration.
fn version_table_sql(name: &str) -> String {
    format!("CREATE TABLE {name} (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")
}

/// Runs a file as the runtime does: one transaction, or (no-transaction files)
/// one statement at a time.
fn run(client: &mut Client, f: &SqlFile) -> Result<(), String> {
    let err = |e: postgres::Error| match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    };
    if f.transactional {
        client
            .batch_execute(&format!("BEGIN;\n{}\n;COMMIT;", f.sql))
            .map_err(|e| {
                let _ = client.batch_execute("ROLLBACK");
                err(e)
            })
    } else {
        for s in &f.statements {
            client.batch_execute(&f.sql[s.start..s.end]).map_err(err)?;
        }
        Ok(())
    }
}

/// What PostgreSQL says of a down run right after its up.
#[derive(Debug)]
enum Verdict {
    Rejected(String),
    Changed(Vec<String>),
    Clean,
}

/// Runs `down` and reads the catalogue, then takes the down back (a rollback;
/// a no-transaction down is undone by running its up again).
fn sweep(client: &mut Client, up: &SqlFile, down: &SqlFile, before: &Snapshot) -> Verdict {
    if down.transactional {
        let r = client.batch_execute(&format!("BEGIN;\n{}\n;", down.sql));
        let verdict = match r {
            Err(e) => Verdict::Rejected(
                e.as_db_error()
                    .map(|d| d.message().to_owned())
                    .unwrap_or_else(|| e.to_string()),
            ),
            Ok(()) => {
                let after = snapshot(client).expect("reading the catalogue");
                let d = diff(before, &after);
                if d.is_empty() {
                    Verdict::Clean
                } else {
                    Verdict::Changed(d)
                }
            }
        };
        client
            .batch_execute("ROLLBACK")
            .expect("rolling back a down");
        return verdict;
    }
    let verdict = match run(client, down) {
        Err(e) => Verdict::Rejected(e),
        Ok(()) => {
            let d = diff(before, &snapshot(client).expect("reading the catalogue"));
            if d.is_empty() {
                Verdict::Clean
            } else {
                Verdict::Changed(d)
            }
        }
    };
    if let Err(e) = run(client, up) {
        panic!(
            "{}: re-applying the up after its no-transaction down failed: {e}",
            up.path
        );
    }
    verdict
}

#[derive(Default)]
struct Tally {
    files: usize,
    true_findings: usize,
    false_findings: Vec<String>,
    missed: Vec<String>,
    model_differences: Vec<String>,
    ups_rejected: Vec<String>,
}

fn findings_by_file(a: &Analysis) -> BTreeMap<&str, Vec<String>> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in a.errors.iter() {
        by.entry(d.path.as_str()).or_default().push(d.headline());
    }
    by
}

fn check_corpus(c: &Corpus) {
    let dir = if c.in_repo {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(c.name)
            .join("migrations")
    } else {
        match test_support::corpus_dir(c.name) {
            Some(d) => d,
            None => return,
        }
    };
    let has_downs = std::fs::read_dir(&dir).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".down.sql")
    });
    let db = TestDb::new();
    let mut client = db.client();
    client
        .batch_execute(&version_table_sql(c.version_table))
        .unwrap();
    if !c.setup.is_empty() {
        client.batch_execute(c.setup).unwrap();
    }
    let version: String = client.query_one("SHOW server_version", &[]).unwrap().get(0);
    let num: String = client
        .query_one("SHOW server_version_num", &[])
        .unwrap()
        .get(0);
    // The tool checks for the server it runs against, as the runtime does.
    let opts = Options::default()
        .with_require_down(has_downs)
        .with_history_table(c.version_table)
        .with_target(PgVersion::from_server_version_num(
            num.parse().expect("a number"),
        ));
    let display = format!("{}/migrations", c.name);
    let a = analyze(&dir, &display, &opts);
    // A fixture that makes the model give up (a function that runs DDL, say)
    // leaves every later one checked by nothing: only 0900 does, on purpose,
    // and the fixtures after it are few.
    if c.in_repo {
        for (m, s) in a.migrations.iter().zip(&a.schemas) {
            assert!(
                m.version >= 900 || s.unknown.is_none(),
                "fixture {} makes the model give up on everything after it ({:?})",
                m.version,
                s.unknown
            );
        }
    }
    let by_file = findings_by_file(&a);
    let mut t = Tally {
        files: a.files.len(),
        ..Tally::default()
    };
    // Findings on files the loop below does not see (pairing, naming).
    let known: std::collections::BTreeSet<&str> = a
        .migrations
        .iter()
        .flat_map(|m| {
            std::iter::once(m.up.path.as_str()).chain(m.down.iter().map(|d| d.path.as_str()))
        })
        .collect();
    for (path, f) in &by_file {
        if !known.contains(path) {
            t.false_findings.extend(f.iter().cloned());
        }
    }

    let ignore = [c.version_table];
    for (m, model) in a.migrations.iter().zip(&a.schemas) {
        let before = snapshot(&mut client).expect("reading the catalogue");
        let up_findings = by_file.get(m.up.path.as_str());
        if let Err(e) = run(&mut client, &m.up) {
            t.ups_rejected.push(format!("{}: {e}", m.up.path));
            // The tool is right to complain about an up PostgreSQL rejects.
            if up_findings.is_some() {
                t.true_findings += 1;
            } else {
                t.missed.push(format!("{}: PostgreSQL: {e}", m.up.path));
            }
            continue;
        }
        if let Some(f) = up_findings {
            t.false_findings.extend(f.iter().cloned());
        }
        let model_diff = differences(&mut client, model, &ignore).expect("reading the catalogue");
        t.model_differences.extend(
            model_diff
                .into_iter()
                .map(|d| format!("after {}: {d}", m.up.path)),
        );
        let Some(down) = &m.down else { continue };
        let tool = by_file.get(down.path.as_str());
        match (sweep(&mut client, &m.up, down, &before), tool) {
            (Verdict::Clean, None) => {}
            (Verdict::Clean, Some(f)) => t.false_findings.extend(f.iter().cloned()),
            (Verdict::Rejected(_) | Verdict::Changed(_), Some(_)) => t.true_findings += 1,
            (Verdict::Rejected(e), None) => t
                .missed
                .push(format!("{}: PostgreSQL rejects it: {e}", down.path)),
            (Verdict::Changed(d), None) => t.missed.push(format!(
                "{}: the catalogue differs after it: {}",
                down.path,
                d.iter().take(4).cloned().collect::<Vec<_>>().join("; ")
            )),
        }
    }
    drop(client);
    let runtime = runtime_applies(&dir, c);

    // Written past the test harness's capture: the line is the suite's report,
    // shown in every run, passing or not.
    let line = format!(
        "\ncorpus {} (PostgreSQL {version}): {} files, {} true findings, {} false findings, \
         {} missed findings, {} model differences, ups rejected by PostgreSQL: {}, runtime: {}\n",
        c.name,
        t.files,
        t.true_findings,
        t.false_findings.len(),
        t.missed.len(),
        t.model_differences.len(),
        t.ups_rejected.len(),
        runtime.as_deref().unwrap_or("ok"),
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    let show = |what: &str, v: &[String]| {
        if !v.is_empty() {
            println!("  {what}:");
            for l in v.iter().take(40) {
                println!("    {l}");
            }
            if v.len() > 40 {
                println!("    ... and {} more", v.len() - 40);
            }
        }
    };
    show("false findings", &t.false_findings);
    show("missed findings", &t.missed);
    show("model differences", &t.model_differences);
    show("ups PostgreSQL rejected", &t.ups_rejected);
    assert!(
        t.false_findings.is_empty()
            && t.missed.is_empty()
            && t.model_differences.is_empty()
            && t.ups_rejected.is_empty()
            && runtime.is_none(),
        "corpus {}: the tool disagrees with PostgreSQL (details above)",
        c.name
    );
}

/// `up --dir` then `verify-schema --dir` on a fresh database; `None` when both
/// succeed, else what went wrong.
fn runtime_applies(dir: &Path, c: &Corpus) -> Option<String> {
    let db = TestDb::new();
    let mut client = db.client();
    if !c.setup.is_empty() {
        client.batch_execute(c.setup).unwrap();
    }
    // golang-migrate's table exists before the first migration (Harbor alters it).
    client
        .batch_execute(&version_table_sql(c.version_table))
        .unwrap();
    drop(client);
    let bin = env!("CARGO_BIN_EXE_novacron-db");
    for verb in ["up", "verify-schema"] {
        let mut cmd = Command::new(bin);
        test_support::isolate_env(&mut cmd, Some(db.url()));
        let out = cmd
            .arg("--dir")
            .arg(dir)
            .arg("--migrations-table")
            .arg(c.version_table)
            .arg(verb)
            .output()
            .expect("running the binary");
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            return Some(format!(
                "`{verb} --dir` failed ({}): {}{}",
                out.status,
                text.lines().take(8).collect::<Vec<_>>().join(" | "),
                stdout.lines().take(8).collect::<Vec<_>>().join(" | ")
            ));
        }
    }
    None
}

fn corpus(name: &str) -> &'static Corpus {
    CORPORA
        .iter()
        .find(|c| c.name == name)
        .expect("a corpus of that name")
}

#[test]
fn fidelity_fixtures_agree_with_postgresql() {
    check_corpus(corpus("fidelity"));
}

#[test]
fn harbor_agrees_with_postgresql() {
    check_corpus(corpus("harbor"));
}

#[test]
fn crates_io_agrees_with_postgresql() {
    check_corpus(corpus("crates-io"));
}

#[test]
fn chirpstack_agrees_with_postgresql() {
    check_corpus(corpus("chirpstack"));
}

#[test]
fn kratos_agrees_with_postgresql() {
    check_corpus(corpus("kratos"));
}
