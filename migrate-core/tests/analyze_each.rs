//! `analyze_files_each` (directory mode: trees dropped after discovery, parsed
//! again a window at a time, migrations handed over and not kept) finds exactly
//! what `analyze_files` finds, in the same order, and hands over the same files.
//! So does the analysis with every file parsed a chunk of statements at a time
//! (what files of 4 MB and more get), the schemas after each migration included.

use std::path::{Path, PathBuf};

use pgcheck_core::{Options, SourceMigration, analyze_files, analyze_files_each};

fn read(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = pgcheck_core::source::dir::sql_files(dir)
        .unwrap()
        .into_iter()
        .map(|f| (f.name, f.bytes.unwrap()))
        .collect();
    files.sort();
    files
}

/// What a file is to everything after the analysis (not its trees).
fn facts(m: &SourceMigration) -> String {
    let file = |f: &pgcheck_core::SqlFile| {
        let spans = &f.spans;
        format!(
            "{} {} {} {} {} {:?} {:?} {}",
            f.path,
            f.checksum,
            f.transactional,
            f.irreversible,
            f.parse_failed,
            f.unchecked,
            spans,
            f.sql.len()
        )
    };
    format!(
        "{} {} [{}] [{}]",
        m.version,
        m.name,
        file(&m.up),
        m.down.as_ref().map(file).unwrap_or_default()
    )
}

/// Returns how many errors both found.
fn assert_same(dir: &Path) -> usize {
    let files = read(dir);
    let opts =
        Options::default().with_require_down(files.iter().any(|(n, _)| n.ends_with(".down.sql")));
    let full = analyze_files("m", files.clone(), &opts);
    let mut handed = Vec::new();
    let each = analyze_files_each("m", files, &opts, &mut |m| handed.push(facts(&m)));
    assert_eq!(each.errors, full.errors, "{}", dir.display());
    assert_eq!(each.incomplete, full.incomplete, "{}", dir.display());
    assert_eq!(each.needs, full.needs, "{}", dir.display());
    let expected: Vec<String> = full.migrations.iter().map(facts).collect();
    assert_eq!(handed, expected, "{}", dir.display());
    assert!(each.migrations.is_empty() && each.schemas.is_empty());
    // Every file chunked, chunks as small as they come (each statement
    // parsed on its own unless a `;` does not end it).
    let chunked_opts = opts.clone().with_chunked_from(1);
    let chunked = analyze_files("m", read(dir), &chunked_opts);
    assert_eq!(chunked.errors, full.errors, "{}", dir.display());
    assert_eq!(chunked.incomplete, full.incomplete, "{}", dir.display());
    assert_eq!(chunked.needs, full.needs, "{}", dir.display());
    assert_eq!(chunked.schemas, full.schemas, "{}", dir.display());
    // The lint rules read the chunks' trees too, their locations included.
    let lint = |a: &pgcheck_core::Analysis| -> Vec<String> {
        pgcheck_core::lint::lint(a)
            .iter()
            .map(|f| f.to_string())
            .collect()
    };
    assert_eq!(lint(&chunked), lint(&full), "{}", dir.display());
    let facts_chunked: Vec<String> = chunked.migrations.iter().map(facts).collect();
    assert_eq!(facts_chunked, expected, "{}", dir.display());
    let mut handed = Vec::new();
    let each = analyze_files_each("m", read(dir), &chunked_opts, &mut |m| {
        handed.push(facts(&m))
    });
    assert_eq!(each.errors, full.errors, "{}", dir.display());
    assert_eq!(handed, expected, "{}", dir.display());
    full.errors.len()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, sql) in files {
        std::fs::write(dir.join(name), sql).unwrap();
    }
}

#[test]
fn the_same_findings_on_broken_and_sound_directories() {
    let root = std::env::temp_dir().join(format!("nc-analyze-each-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    // More migrations than one window, with findings of every stage spread
    // across windows: syntax, a missing down, replay errors, a down that does
    // not undo its up, a no-transaction file, an unknown marker.
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 1..=150 {
        let v = format!("{i:06}");
        let (up, down) = match i % 7 {
            0 => (format!("CREATE TABLE t{i} (id int"), "SELECT 1;".to_owned()),
            1 => (
                format!("CREATE TABLE t{i} (id int);"),
                "DROP TABLE nope;".to_owned(),
            ),
            2 => (
                format!("CREATE TABLE t{i} (id int);"),
                "SELECT 1;".to_owned(),
            ),
            3 => (
                format!(
                    "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i{i} ON t{} (id);",
                    i - 1
                ),
                format!("-- migrate:no-transaction\nDROP INDEX CONCURRENTLY i{i};"),
            ),
            4 => (
                format!("ALTER TABLE missing{i} ADD COLUMN x int;"),
                "SELECT 1;".to_owned(),
            ),
            5 => (
                format!("-- migrate:bogus\nCREATE TABLE t{i} (id int);"),
                format!("DROP TABLE t{i};"),
            ),
            _ => (
                format!(
                    "CREATE TABLE t{i} (id int UNIQUE NULLS NOT DISTINCT);\nINSERT INTO t{i} VALUES (1);"
                ),
                format!("DROP TABLE t{i};"),
            ),
        };
        files.push((format!("{v}_m{i}.up.sql"), up));
        if i != 77 {
            files.push((format!("{v}_m{i}.down.sql"), down));
        }
    }
    let broken = root.join("broken");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    write(&broken, &refs);
    assert!(assert_same(&broken) > 50);

    let sound = root.join("sound");
    let files: Vec<(String, String)> = (1..=130)
        .flat_map(|i| {
            let v = format!("{i:06}");
            [
                (
                    format!("{v}_t{i}.up.sql"),
                    format!("CREATE TABLE t{i} (id int);\nCREATE INDEX t{i}_i ON t{i} (id);"),
                ),
                (format!("{v}_t{i}.down.sql"), format!("DROP TABLE t{i};")),
            ]
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    write(&sound, &refs);
    assert_eq!(assert_same(&sound), 0);
    let _ = std::fs::remove_dir_all(&root);
}

/// The real projects' migrations, when they are beside the checkout (see
/// tests/corpus.rs at the repository's root).
#[test]
fn the_same_findings_on_the_corpora() {
    let root = std::env::var_os("CORPORA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"));
    let mut ran = 0;
    for name in ["chirpstack", "crates-io", "harbor", "kratos"] {
        let dir = root.join(name).join("migrations");
        if dir.is_dir() {
            let errors = assert_same(&dir);
            eprintln!("{name}: {errors} error(s), the same both ways");
            ran += 1;
        }
    }
    if ran == 0 {
        eprintln!(
            "no corpus under {}: only the generated directories ran",
            root.display()
        );
    }
}

/// NovaCron's migrations and the fidelity fixtures, which hold the statements
/// whose text has a `;` that ends no statement (BEGIN ATOMIC bodies, rules,
/// DO blocks).
#[test]
fn the_same_findings_on_the_repositorys_migrations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in ["migrations", "tests/fixtures/fidelity/migrations"] {
        assert_same(&root.join(dir));
    }
}
