//! Sound degradation: what the model cannot follow (DO blocks' branches, built
//! strings, exception handlers, untyped queries) it makes opaque rather than
//! guess; and the dependency rules that come with it (cascades, implicit names).

use super::tests::{errors, replayed, run};
use super::*;
use crate::model::schema::QualName;

fn lines(sql: &str) -> String {
    errors(sql).join("\n")
}

#[test]
fn do_block_statements_that_always_run_are_replayed() {
    let s = replayed(
        "CREATE TABLE t (a int);
         DO $$ BEGIN ALTER TABLE t ADD COLUMN b int; EXECUTE 'CREATE INDEX t_b ON t (b)'; END $$;
         CREATE INDEX ON t (b);",
    );
    assert!(s.tables[&QualName::public("t")].column("b").is_some());
    assert!(s.indexes.contains_key(&QualName::public("t_b")));
    assert!(s.opaque.is_empty() && !s.lost());
    // ... and their mistakes are found, at the statement inside the block.
    let e =
        lines("CREATE TABLE t (a int);\nDO $$ BEGIN\n  ALTER TABLE t DROP COLUMN nope;\nEND $$;");
    assert!(e.starts_with("m.sql:3:"), "{e}");
    assert!(
        e.contains("column \"nope\" of table \"t\" does not exist"),
        "{e}"
    );
}

#[test]
fn a_conditional_branch_makes_what_it_touches_opaque() {
    let s = replayed(
        "CREATE TABLE t (a int);
         DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 't_a_key') THEN
             ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);
           END IF;
         END $$;
         ALTER TABLE t DROP CONSTRAINT t_a_key;
         CREATE TABLE u (a int);",
    );
    assert!(s.opaque.contains(&QualName::public("t")));
    // The rest of the schema is still checked.
    assert!(
        lines("DO $$ BEGIN IF true THEN CREATE TABLE x (a int); END IF; END $$; SELECT * FROM y;")
            .contains("table \"y\" does not exist")
    );
}

#[test]
fn execute_of_a_built_string_turns_existence_checks_off() {
    let mut s = Schema::empty();
    let f = run(
        &mut s,
        "DO $$ BEGIN EXECUTE format('CREATE TABLE %I (a int)', 'made'); END $$;
         CREATE INDEX ON made (a);",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    assert!(
        f.incomplete
            .iter()
            .any(|d| d.message.contains("EXECUTE of a built string"))
    );
}

#[test]
fn a_block_with_an_exception_handler_may_have_rolled_back() {
    let s = replayed(
        "DO $$ BEGIN
           BEGIN CREATE TYPE mood AS ENUM ('ok'); EXCEPTION WHEN duplicate_object THEN NULL; END;
         END $$;
         CREATE TABLE t (m mood);",
    );
    assert!(s.opaque.contains(&QualName::public("mood")));
}

#[test]
fn create_table_as_that_cannot_be_typed_is_opaque_not_missing() {
    let s = replayed(
        "CREATE TABLE t (id int, n int, name varchar(20));
         CREATE TABLE s AS SELECT id, max(n) AS m, count(*), lower(name), name::text AS t2 FROM t GROUP BY id, name;
         CREATE INDEX ON s (m);
         CREATE TABLE u AS SELECT id, my_func(n) AS f FROM t;
         CREATE INDEX ON u (f);
         SELECT * INTO w FROM s;",
    );
    let s_cols: Vec<(String, String)> = s.tables[&QualName::public("s")]
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.to_string()))
        .collect();
    let want = [
        ("id", "integer"),
        ("m", "integer"),
        ("count", "bigint"),
        ("lower", "text"),
        ("t2", "text"),
    ];
    assert_eq!(s_cols, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert!(!s.opaque.contains(&QualName::public("s")));
    assert!(
        s.tables[&QualName::public("s")]
            .columns
            .iter()
            .all(|c| c.nullable)
    );
    // my_func's type is not known: the table is opaque, its columns still there.
    assert!(s.opaque.contains(&QualName::public("u")));
    assert_eq!(s.tables[&QualName::public("w")].columns.len(), 5);
}

#[test]
fn drop_function_cascade_drops_its_triggers() {
    let sql = "CREATE TABLE t (a int);
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();";
    let s = replayed(&format!("{sql} DROP FUNCTION f() CASCADE;"));
    assert!(s.triggers.is_empty() && s.functions.is_empty());
    assert!(
        lines(&format!("{sql} DROP FUNCTION f();")).contains("trigger tr on table t depends on it")
    );
}

#[test]
fn drop_cascade_follows_views_through_joins_ctes_unions_and_subqueries() {
    let sql = "CREATE TABLE a (id int); CREATE TABLE b (id int);
         CREATE VIEW v1 AS WITH x AS (SELECT id FROM a) SELECT x.id FROM x JOIN b USING (id);
         CREATE VIEW v2 AS SELECT id FROM b UNION SELECT id FROM (SELECT id FROM v1) s;
         CREATE MATERIALIZED VIEW m AS SELECT * FROM v2;";
    let s = replayed(&format!("{sql} DROP TABLE a CASCADE;"));
    assert!(
        s.views.is_empty(),
        "{:?}",
        s.views.keys().collect::<Vec<_>>()
    );
    assert!(lines(&format!("{sql} DROP TABLE a;")).contains("view v1 depends on it"));
    assert!(
        lines(&format!("{sql} CREATE MATERIALIZED VIEW m AS SELECT 1;"))
            .contains("relation \"m\" already exists")
    );
}

#[test]
fn drop_column_drops_every_index_and_check_that_uses_it() {
    let s = replayed(
        "CREATE TABLE t (id serial, a int, b text CHECK (b <> ''), c int);
         CREATE INDEX i_expr ON t (lower(b));
         CREATE INDEX i_where ON t (a) WHERE c > 0;
         CREATE INDEX i_incl ON t (a) INCLUDE (c);
         ALTER TABLE t ADD CONSTRAINT two CHECK (a < c);
         ALTER TABLE t DROP COLUMN b, DROP COLUMN c, DROP COLUMN id;",
    );
    assert!(
        s.indexes.is_empty(),
        "{:?}",
        s.indexes.keys().collect::<Vec<_>>()
    );
    assert!(s.tables[&QualName::public("t")].constraints.is_empty());
    assert!(
        s.sequences.is_empty(),
        "the serial's sequence goes with its column"
    );
}

#[test]
fn set_default_null_is_no_default_and_expression_indexes_get_postgresqls_names() {
    let s = replayed(
        "CREATE TABLE t (name text DEFAULT 'x');
         ALTER TABLE t ALTER COLUMN name SET DEFAULT NULL;
         CREATE INDEX ON t (lower(name));
         CREATE UNIQUE INDEX ON t (name);",
    );
    assert!(!s.tables[&QualName::public("t")].columns[0].has_default);
    assert!(s.indexes.contains_key(&QualName::public("t_lower_idx")));
    assert!(s.indexes.contains_key(&QualName::public("t_name_idx")));
}

#[test]
fn system_catalogues_exist_and_writes_to_them_make_objects_opaque() {
    let s = replayed(
        "CREATE TABLE t (a int);
         SELECT * FROM pg_catalog.pg_class JOIN information_schema.columns ON true;
         UPDATE pg_attribute SET attnotnull = true WHERE attrelid = 't'::regclass;",
    );
    assert!(s.opaque.contains(&QualName::public("t")));
}

#[test]
fn queries_name_only_relations_that_exist() {
    let e = lines(
        "CREATE TABLE f (id int, form text);
         UPDATE f SET form = (SELECT m.config FROM f AS r JOIN methods AS m ON r.id = m.id);",
    );
    assert!(e.contains("table \"methods\" does not exist"), "{e}");
    assert!(
        lines("CREATE TABLE f (id int); WITH w AS (SELECT 1) INSERT INTO f SELECT * FROM w;")
            .is_empty()
    );
}

#[test]
fn unknown_index_in_drop_index_is_an_error() {
    assert!(
        lines("CREATE TABLE t (a int); DROP INDEX t_a_idx;")
            .contains("index \"t_a_idx\" does not exist")
    );
    assert!(lines("CREATE TABLE t (a int); DROP INDEX IF EXISTS t_a_idx;").is_empty());
}

#[test]
fn the_reversal_check_sees_function_bodies_and_index_definitions() {
    let before = replayed(
        "CREATE TABLE t (a text); CREATE INDEX i ON t (lower(a));
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    );
    let mut after = before.clone();
    run(
        &mut after,
        "DROP INDEX i; CREATE INDEX i ON t (upper(a));
         CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';",
    );
    let d = before.differences(&after).join("; ");
    assert!(d.contains("index i is defined differently"), "{d}");
    assert!(d.contains("function f has another body"), "{d}");
    // ASC and an explicit btree are PostgreSQL's defaults: no difference.
    let mut same = before.clone();
    run(
        &mut same,
        "DROP INDEX i; CREATE INDEX i ON t USING btree (lower(a) ASC);",
    );
    assert!(before.differences(&same).is_empty());
}

#[test]
fn a_cast_to_the_columns_new_type_becomes_the_column() {
    let s = replayed(
        "CREATE TABLE d (day timestamp); CREATE INDEX d_i ON d (date(day));
         ALTER TABLE d ALTER COLUMN day TYPE date;",
    );
    let ix = &s.indexes[&QualName::public("d_i")];
    assert_eq!(ix.columns, vec!["day".to_owned()]);
}

#[test]
fn postgresql_18_keeps_not_null_as_named_constraints() {
    let mut s = Schema::empty();
    s.target = crate::check::version::PgVersion(18);
    let f = run(
        &mut s,
        "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, s serial, b int, c int, CONSTRAINT named NOT NULL c);
         ALTER TABLE t ALTER COLUMN b SET NOT NULL;
         CREATE TABLE l (LIKE t);
         CREATE TABLE p (id int NOT NULL) PARTITION BY RANGE (id);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
         ALTER TABLE t RENAME TO t2;
         ALTER TABLE t2 RENAME COLUMN a TO a2;
         ALTER TABLE t2 ALTER COLUMN b DROP NOT NULL;
         ALTER TABLE t2 DROP CONSTRAINT named;
         ALTER TABLE t2 ALTER COLUMN b SET NOT NULL;
         ALTER TABLE t2 ADD COLUMN z int NOT NULL DEFAULT 0;",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    let names = |t: &str| -> Vec<String> {
        s.tables[&QualName::public(t)]
            .constraints
            .keys()
            .cloned()
            .collect()
    };
    // What PostgreSQL 18.4's pg_constraint lists after the same statements.
    assert_eq!(
        names("t2"),
        [
            "t2_b_not_null",
            "t2_z_not_null",
            "t_a_not_null",
            "t_id_not_null",
            "t_pkey",
            "t_s_not_null"
        ]
    );
    assert!(
        s.tables[&QualName::public("t2")]
            .column("c")
            .unwrap()
            .nullable
    );
    assert_eq!(
        names("l"),
        [
            "named",
            "t_a_not_null",
            "t_b_not_null",
            "t_id_not_null",
            "t_s_not_null"
        ]
    );
    assert_eq!(names("p1"), ["p_id_not_null"]);
    // Before 18 a NOT NULL is no constraint: dropping one by name is an error.
    let e = lines("CREATE TABLE t (a int NOT NULL); ALTER TABLE t DROP CONSTRAINT t_a_not_null;");
    assert!(
        e.contains("constraint \"t_a_not_null\" of relation \"t\" does not exist"),
        "{e}"
    );
}

#[test]
fn the_block_before_its_handler_is_the_models_guess() {
    let s = replayed(
        "CREATE TABLE t1 (id int);
         DO $$ BEGIN BEGIN ALTER TABLE t1 ADD COLUMN maybe int; EXCEPTION WHEN duplicate_column THEN NULL; END; END $$;",
    );
    let cols: Vec<&str> = s.tables[&QualName::public("t1")]
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(cols, ["id", "maybe"]);
}
