//! `-- migrate:unchecked`: the statement it stands above (or, in the header,
//! every statement of the file) is opaque to the model, and from there on the
//! model checks nothing for existence.

use pgcheck_core::{Options, analyze_files};

fn analysis(files: &[(&str, &str)]) -> pgcheck_core::Analysis {
    let files = files
        .iter()
        .map(|(n, s)| ((*n).to_owned(), s.as_bytes().to_vec()))
        .collect();
    let opts = Options::default().with_require_down(false);
    analyze_files("m", files, &opts)
}

#[test]
fn a_marked_statement_is_not_checked_and_turns_existence_checks_off() {
    let sql = "CREATE TABLE t (a int);\n\
               -- migrate:unchecked the view comes from an extension we install by hand\n\
               CREATE VIEW v AS SELECT * FROM made_by_hand;\n\
               SELECT * FROM also_unknown;\n";
    let a = analysis(&[("1_x.up.sql", sql)]);
    assert!(a.errors.is_empty(), "{}", a.errors);
    assert!(
        a.incomplete
            .iter()
            .any(|d| d.message.contains("marked `-- migrate:unchecked`")),
        "{}",
        a.incomplete
    );
    assert!(a.latest().lost());
}

#[test]
fn without_the_marker_the_same_statement_is_an_error() {
    let sql = "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT * FROM made_by_hand;\n";
    let a = analysis(&[("1_x.up.sql", sql)]);
    assert!(
        a.errors
            .iter()
            .any(|d| d.message == "table \"made_by_hand\" does not exist"),
        "{}",
        a.errors
    );
}

#[test]
fn in_the_header_it_covers_the_whole_file_and_only_from_there() {
    let before = "CREATE TABLE t (a int);\n";
    let marked = "-- migrate:unchecked\nALTER TABLE t ADD COLUMN b int;\n";
    let a = analysis(&[("1_a.up.sql", before), ("2_b.up.sql", marked)]);
    assert!(a.errors.is_empty(), "{}", a.errors);
    // The first migration was checked with the model intact.
    assert!(!a.schemas[0].lost());
    assert!(a.schemas[1].lost());
}
