//! `verify-schema` compares the live catalogue with the model: silent on a
//! database the migrations built, specific when someone changed it by hand.

mod common;

use migrate_runtime::verify::{analysis_of, differences};

const HISTORY: &[&str] = &["schema_migrations", "schema_migrations_history"];

#[test]
fn a_migrated_database_matches_and_hand_edits_are_named() {
    let db = common::seeded_db();
    let mut c = db.client();
    let analysis = analysis_of(&novacron_db::MIGRATIONS);
    assert!(analysis.errors.is_empty(), "{}", analysis.errors);
    let expected = analysis.latest();
    assert_eq!(
        differences(&mut c, expected, HISTORY).unwrap(),
        Vec::<String>::new()
    );

    c.batch_execute(
        "ALTER TABLE vms ALTER COLUMN image TYPE varchar(100);
         ALTER TABLE nodes ALTER COLUMN hostname DROP NOT NULL;
         ALTER TABLE jobs ADD COLUMN hand_made int;
         DROP INDEX vms_node_id_idx;
         CREATE TABLE scratch (a int);",
    )
    .unwrap();
    let found = differences(&mut c, expected, HISTORY).unwrap();
    assert_eq!(
        found,
        [
            "column jobs.hand_made is not in the migrations",
            "column nodes.hostname is nullable, the migrations say NOT NULL",
            "column vms.image has type character varying(100), the migrations say text",
            "table scratch is not in the migrations",
            "index vms_node_id_idx is missing",
        ]
    );
}

#[test]
fn an_older_version_is_compared_with_the_model_at_that_version() {
    let db = test_support::TestDb::new();
    let mut c = db.client();
    let analysis = analysis_of(&novacron_db::MIGRATIONS);
    for m in novacron_db::MIGRATIONS.iter().take(3) {
        c.batch_execute(&m.up.sql).unwrap();
    }
    let v3 = novacron_db::MIGRATIONS.iter().nth(2).unwrap().version.get();
    // The initial model holds golang-migrate's table; this database has none.
    let found = differences(&mut c, analysis.at_version(v3), HISTORY).unwrap();
    assert_eq!(found, Vec::<String>::new());
    let latest = differences(&mut c, analysis.latest(), HISTORY).unwrap();
    assert!(
        latest.contains(&"table vms is missing".to_owned()),
        "{latest:?}"
    );
}

/// A column of a type from an extension the model knows no types of (`lo`,
/// a domain over oid) is compared by name and nullability only: the model
/// cannot say what information_schema calls its type.
#[test]
fn a_type_the_migrations_do_not_define_is_not_compared() {
    let db = test_support::TestDb::new();
    let mut c = db.client();
    let up = "CREATE EXTENSION IF NOT EXISTS lo;\nCREATE TABLE blobs (id int NOT NULL, data lo);\n";
    let files = vec![
        ("000001_blobs.up.sql".to_owned(), up.as_bytes().to_vec()),
        (
            "000001_blobs.down.sql".to_owned(),
            b"DROP TABLE blobs;\nDROP EXTENSION lo;\n".to_vec(),
        ),
    ];
    let analysis = migrate_core::analyze_files("m", files, &migrate_core::Options::default());
    assert!(analysis.errors.is_empty(), "{}", analysis.errors);
    c.batch_execute(up).unwrap();
    let expected = analysis.latest();
    assert_eq!(
        differences(&mut c, expected, HISTORY).unwrap(),
        Vec::<String>::new()
    );
    c.batch_execute("ALTER TABLE blobs ALTER COLUMN data SET NOT NULL")
        .unwrap();
    assert_eq!(
        differences(&mut c, expected, HISTORY).unwrap(),
        ["column blobs.data is NOT NULL, the migrations say nullable"]
    );
}
