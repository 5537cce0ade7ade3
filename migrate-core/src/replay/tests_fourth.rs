//! Classes of statement found by a fourth hunt (2026-12-04): what
//! PostgreSQL does is in each test's comment and, against a real server, in
//! the fidelity fixtures named there.

use super::tests::{errors, replayed};
use crate::model::schema::QualName;

/// A function of the migrations that runs DDL, called from a PL/pgSQL
/// expression (an IF's condition, a DECLARE default, a RAISE argument), runs
/// it as PERFORM's call does: the model stops being sure (before, the table
/// it made "did not exist").
#[test]
fn a_ddl_function_called_from_a_plpgsql_expression_is_followed() {
    let make = "CREATE FUNCTION mk() RETURNS text LANGUAGE plpgsql AS $f$
        BEGIN CREATE TABLE x (a int); RETURN ''; END $f$;";
    for call in [
        "DO $$ BEGIN IF mk() IS NULL THEN NULL; END IF; END $$;",
        "DO $$ DECLARE v text := mk(); BEGIN NULL; END $$;",
        "DO $$ BEGIN RAISE NOTICE '%', mk(); END $$;",
    ] {
        let sql = format!("{make}\n{call}\nCREATE INDEX ON x (a);");
        assert_eq!(errors(&sql), Vec::<String>::new(), "{call}");
        assert!(replayed(&sql).lost(), "{call}");
    }
    // A function that runs no DDL changes nothing.
    let plain = "CREATE FUNCTION two() RETURNS int LANGUAGE sql AS 'SELECT 2';
        DO $$ BEGIN IF two() = 2 THEN NULL; END IF; END $$;
        CREATE INDEX ON x (a);";
    assert!(
        errors(plain)
            .iter()
            .any(|e| e.contains("\"x\" does not exist"))
    );
}

/// After a statement that may leave the block (an IF ... THEN RETURN guard)
/// the rest may not run; after an unconditional RETURN it does not (fixture
/// 0140).
#[test]
fn statements_after_a_return_guard_may_not_run() {
    let guard = "DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_class WHERE relname = 'legacy') THEN RETURN; END IF;
        DROP TABLE legacy; END $$;";
    assert_eq!(errors(guard), Vec::<String>::new());
    let s = replayed(
        "DO $$ BEGIN IF random() < 2 THEN RETURN; END IF; CREATE TABLE maybe (a int); END $$;",
    );
    let maybe = QualName::public("maybe");
    assert!(s.doubts(&maybe));
    let s = replayed("DO $$ BEGIN RETURN; CREATE TABLE never (a int); END $$;");
    assert!(!s.tables.contains_key(&QualName::public("never")));
    // Without a way out, the statements are sure.
    assert!(
        errors("DO $$ BEGIN IF true THEN NULL; END IF; DROP TABLE legacy; END $$;")
            .iter()
            .any(|e| e.contains("\"legacy\" does not exist"))
    );
}

/// A SQL-standard body restored as pg_get_functiondef prints it is the same
/// function; one with another constant is not (fixtures 0131, 0132).
#[test]
fn standard_bodies_compare_by_their_leaves() {
    use super::tests_found::undo;
    let setup = "CREATE FUNCTION f(x int) RETURNS bool LANGUAGE sql RETURN x BETWEEN 1 AND 5;";
    let up = "DROP FUNCTION f(integer);";
    let printed = "CREATE OR REPLACE FUNCTION public.f(x integer) RETURNS boolean LANGUAGE sql
        RETURN ((x >= 1) AND (x <= 5));";
    assert_eq!(undo(setup, up, printed), Vec::<String>::new());
    assert_eq!(
        undo(setup, up, &printed.replace('5', "6")),
        ["function f has another body or signature"]
    );
}
