//! Classes of statement found by writing migrations against PostgreSQL and
//! comparing (a session of hunting, 2026-12-02): what PostgreSQL does is in
//! each test's comment and, against a real server, in the fidelity fixtures
//! named there.

use super::tests::{constraint_names, errors, replayed, run};
use crate::model::schema::{Partitioning, QualName, Schema};

/// An unnamed exclusion constraint is named after every element, columns
/// and expressions alike (ChooseIndexColumnNames; fixture 0053).
#[test]
fn an_unnamed_exclusion_constraint_is_named_after_every_element() {
    let s = replayed(
        "CREATE TABLE r (a int4range, b tsrange, EXCLUDE USING gist (a WITH &&, b WITH &&));
         ALTER TABLE r ADD EXCLUDE USING gist (tsrange(lower(b), upper(b)) WITH &&);",
    );
    let names = constraint_names(&s, "r");
    assert!(names.contains(&"r_a_b_excl"), "{names:?}");
    assert!(names.contains(&"r_tsrange_excl"), "{names:?}");
    assert!(s.indexes.contains_key(&QualName::public("r_a_b_excl")));
}

/// Temporary views, sequences and the indexes of temporary tables end with
/// the session, a view over a temporary table is temporary, DISCARD TEMP
/// drops them at once (fixture 0054).
#[test]
fn temporary_objects_end_with_the_session_or_at_discard() {
    let s = replayed(
        "CREATE TABLE u (id int, email text);
         CREATE TEMP SEQUENCE renumber;
         CREATE TEMP TABLE staging (id int, email text);
         CREATE INDEX staging_email ON staging (email);
         CREATE TEMP VIEW dupes AS SELECT email FROM u;
         CREATE VIEW staged AS SELECT email FROM staging;
         DISCARD TEMP;
         CREATE TEMP TABLE staging (id int);
         CREATE INDEX staging_email ON staging (id);
         CREATE VIEW staged AS SELECT id FROM staging;",
    );
    assert_eq!(
        s.tables.keys().cloned().collect::<Vec<_>>(),
        [QualName::public("u")]
    );
    assert!(s.views.is_empty() && s.sequences.is_empty() && s.indexes.is_empty());
}

/// RESET ALL puts the search path back to the session's default (fixture
/// 0054).
#[test]
fn reset_all_resets_the_search_path() {
    let s = replayed(
        "CREATE SCHEMA app; SET search_path = app; CREATE TABLE c (k int);
         RESET ALL; CREATE TABLE u (id int);",
    );
    assert!(s.tables.contains_key(&QualName::new("app", "c")));
    assert!(s.tables.contains_key(&QualName::public("u")));
}

/// `multirange_type_name` names the multirange, which stays as it is when
/// the range is renamed or moved, and goes when it is dropped (fixture 0055).
#[test]
fn a_multirange_of_its_own_name_goes_with_its_range() {
    let mut s = Schema::empty();
    let f = run(
        &mut s,
        "CREATE TYPE fr AS RANGE (subtype = float8, multirange_type_name = fm);
         CREATE TABLE spans (m fm);
         CREATE TYPE sp AS RANGE (subtype = int4);
         ALTER TYPE sp RENAME TO sp2;
         CREATE SCHEMA x;
         ALTER TYPE sp2 SET SCHEMA x;
         ALTER TABLE spans ADD COLUMN n sp_multirange;",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    run(&mut s, "DROP TABLE spans; DROP TYPE fr; DROP TYPE x.sp2;");
    assert!(s.other_types.is_empty(), "{:?}", s.other_types);
}

/// A partition can be partitioned itself, and a column list of PARTITION
/// OF or OF type gives options to columns the table has (fixture 0056).
#[test]
fn a_partition_can_be_partitioned_and_take_column_options() {
    let s = replayed(
        "CREATE TABLE m (id int, at date, region text) PARTITION BY RANGE (at);
         CREATE TABLE m24 PARTITION OF m (region DEFAULT 'us')
             FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (region);
         ALTER TABLE m DETACH PARTITION m24;
         ALTER TABLE m ATTACH PARTITION m24 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TYPE pair AS (a int, b text);
         CREATE TABLE typed OF pair (b WITH OPTIONS NOT NULL DEFAULT 'z');",
    );
    let p = &s.tables[&QualName::public("m24")];
    assert_eq!(p.partition_of, Some(QualName::public("m")));
    assert!(
        matches!(&p.partitioning, Partitioning::Partitioned { strategy, .. } if strategy == "list")
    );
    assert!(p.column("region").unwrap().has_default);
    let t = &s.tables[&QualName::public("typed")];
    assert_eq!(t.columns.len(), 2);
    assert!(!t.column("b").unwrap().nullable);
    let s2 = {
        let mut s2 = s.clone();
        run(&mut s2, "DROP TABLE m;");
        s2
    };
    assert!(!s2.tables.contains_key(&QualName::public("m24")));
}

/// EXPLAIN ANALYZE runs the statement; EXPLAIN alone does not (fixture 0057).
#[test]
fn explain_analyze_runs_the_statement() {
    assert!(
        errors("EXPLAIN (ANALYZE) CREATE TABLE m AS SELECT 1 AS one; CREATE INDEX ON m (one);")
            .is_empty()
    );
    assert!(
        errors("EXPLAIN ANALYZE CREATE TABLE m AS SELECT 1 AS one; CREATE INDEX ON m (one);")
            .is_empty()
    );
    let e = errors("EXPLAIN CREATE TABLE p AS SELECT 1 AS one; CREATE INDEX ON p (one);");
    assert!(
        e.iter().any(|e| e.contains("\"p\" does not exist")),
        "{e:?}"
    );
}

/// DROP OWNED BY drops what a role owns, which the model does not follow: it
/// knows it does not know, and a down that uses it leaves nothing over that
/// the model could name (fixture 0057).
#[test]
fn drop_owned_by_loses_the_model_and_no_down_is_blamed() {
    let before = replayed("CREATE TABLE keep (id int);");
    let mut after = before.clone();
    run(
        &mut after,
        "CREATE TABLE owned (id int); ALTER TABLE owned OWNER TO r;",
    );
    let mut down = after.clone();
    run(&mut down, "DROP OWNED BY r;");
    assert!(down.lost());
    assert!(crate::check::reversal::check("1_x", "1_x.down.sql", &before, &down).is_none());
}

/// IMPORT FOREIGN SCHEMA creates foreign tables the model does not know: a
/// relation of that schema it lacks is no error.
#[test]
fn import_foreign_schema_fills_a_schema_with_what_the_model_does_not_know() {
    let e = errors(
        "CREATE SCHEMA remote;
         IMPORT FOREIGN SCHEMA public LIMIT TO (accounts) FROM SERVER legacy INTO remote;
         CREATE VIEW v AS SELECT id FROM remote.accounts;",
    );
    assert!(e.is_empty(), "{e:?}");
    let e = errors(
        "CREATE SCHEMA remote; CREATE SCHEMA other;
         IMPORT FOREIGN SCHEMA public FROM SERVER legacy INTO remote;
         CREATE VIEW v AS SELECT id FROM other.accounts;",
    );
    assert!(e.iter().any(|e| e.contains("does not exist")), "{e:?}");
}

/// SET GENERATED changes an identity column's kind (fixture 0058).
#[test]
fn set_generated_changes_the_identitys_kind() {
    use crate::model::schema::Identity;
    let s = replayed(
        "CREATE TABLE o (id int GENERATED BY DEFAULT AS IDENTITY, n int GENERATED ALWAYS AS IDENTITY);
         ALTER TABLE o ALTER COLUMN id SET GENERATED ALWAYS,
                       ALTER COLUMN n SET GENERATED BY DEFAULT SET INCREMENT BY 2;",
    );
    let t = &s.tables[&QualName::public("o")];
    assert_eq!(t.column("id").unwrap().identity, Some(Identity::Always));
    assert_eq!(t.column("n").unwrap().identity, Some(Identity::ByDefault));
}

/// In a `-- migrate:no-transaction` file each statement is its own
/// transaction: SET LOCAL (and set_config(..., true)) lasts to the end of the
/// statement, so the next statement creates where the session's path says.
#[test]
fn set_local_lasts_one_statement_where_each_is_its_own_transaction() {
    let sql = "CREATE SCHEMA app;
         SET LOCAL search_path = app;
         CREATE TABLE widgets (id int);
         SELECT set_config('search_path', 'app', true);
         CREATE TABLE gadgets (id int);
         DO $$ BEGIN SET LOCAL search_path = app; CREATE TABLE inside (id int); END $$;
         CREATE TABLE after_do (id int);";
    let mut own = super::tests::file(sql);
    own.transactional = false;
    let mut s = Schema::empty();
    let mut f = super::ReplayFindings::default();
    super::replay_file(&mut s, &own, &mut f);
    assert!(f.errors.is_empty(), "{}", f.errors);
    for t in ["widgets", "gadgets", "after_do"] {
        assert!(s.tables.contains_key(&QualName::public(t)), "{t}");
    }
    assert!(s.tables.contains_key(&QualName::new("app", "inside")));
    // In one transaction, SET LOCAL lasts to its end.
    let s = replayed(sql);
    assert!(s.tables.contains_key(&QualName::new("app", "widgets")));
    assert!(s.tables.contains_key(&QualName::new("app", "after_do")));
}

/// Tables, views, indexes and sequences share one namespace: IF NOT EXISTS
/// skips a name another kind has, and without it the name is taken (fixture
/// 0070).
#[test]
fn relations_of_every_kind_share_one_namespace() {
    let s = replayed(
        "CREATE TABLE users (id int PRIMARY KEY);
         CREATE SEQUENCE counter;
         CREATE SEQUENCE IF NOT EXISTS users_pkey;
         CREATE TABLE IF NOT EXISTS counter (x int);
         CREATE INDEX IF NOT EXISTS counter ON users (id);",
    );
    assert_eq!(s.sequences.len(), 1);
    assert_eq!(s.tables.len(), 1);
    assert_eq!(s.indexes.len(), 1);
    let e = errors("CREATE TABLE users (id int PRIMARY KEY); CREATE SEQUENCE users_pkey;");
    assert!(
        e.iter()
            .any(|e| e.contains("relation \"users_pkey\" already exists")),
        "{e:?}"
    );
}

/// DETACH PARTITION ... CONCURRENTLY leaves the partition a CHECK named
/// after its one key column; with a check of its own (which may imply it)
/// or an expression key the partition is opaque (fixture 0071).
#[test]
fn detach_concurrently_leaves_the_partition_a_check() {
    let setup = "CREATE TABLE e (id int, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE e24 PARTITION OF e FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');";
    let s = replayed(&format!(
        "{setup} ALTER TABLE e DETACH PARTITION e24 CONCURRENTLY;"
    ));
    assert_eq!(constraint_names(&s, "e24"), ["e24_at_check"]);
    let s = replayed(&format!(
        "{setup} ALTER TABLE e24 ADD CHECK (id > 0); ALTER TABLE e DETACH PARTITION e24 CONCURRENTLY;"
    ));
    assert!(s.doubts(&QualName::public("e24")));
    let s = replayed(&format!("{setup} ALTER TABLE e DETACH PARTITION e24;"));
    assert!(constraint_names(&s, "e24").is_empty());
}

/// ALTER MATERIALIZED VIEW ... SET SCHEMA moves its indexes with it.
#[test]
fn a_materialized_views_indexes_move_with_it() {
    let s = replayed(
        "CREATE TABLE sales (region text, amount numeric);
         CREATE MATERIALIZED VIEW totals AS SELECT region, sum(amount) AS total FROM sales GROUP BY region;
         CREATE UNIQUE INDEX totals_region ON totals (region);
         CREATE SCHEMA analytics;
         ALTER MATERIALIZED VIEW totals SET SCHEMA analytics;
         DROP INDEX analytics.totals_region;",
    );
    assert!(s.indexes.is_empty());
}

/// Each item of SET search_path is one schema: 'app, public' is one name.
#[test]
fn each_item_of_set_search_path_is_one_schema() {
    let s = replayed("CREATE SCHEMA app; SET search_path = app, public; CREATE TABLE t (id int);");
    assert!(s.tables.contains_key(&QualName::new("app", "t")));
    let e = errors("CREATE SCHEMA app; SET search_path = 'app, public'; CREATE TABLE t (id int);");
    assert!(!e.is_empty());
    let s = replayed(
        "CREATE SCHEMA app; SELECT set_config('search_path', 'app, public', false); CREATE TABLE t (id int);",
    );
    assert!(s.tables.contains_key(&QualName::new("app", "t")));
}

/// A function that calls a function of the migrations that runs DDL runs
/// DDL too: calling it, the model knows it does not know.
#[test]
fn a_function_that_calls_one_that_runs_ddl_runs_ddl() {
    let s = replayed(
        "CREATE FUNCTION ensure_table(p text) RETURNS void LANGUAGE plpgsql AS $$
         BEGIN EXECUTE format('CREATE TABLE IF NOT EXISTS %I (id int)', p); END $$;
         CREATE FUNCTION bootstrap() RETURNS void LANGUAGE plpgsql AS $$
         BEGIN PERFORM ensure_table('events'); END $$;
         CREATE FUNCTION harmless() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
         SELECT harmless();",
    );
    assert!(!s.lost());
    let mut s2 = s.clone();
    super::tests::run(&mut s2, "SELECT bootstrap();");
    assert!(s2.lost());
}

/// DROP EXTENSION ... CASCADE takes the indexes of its operator classes and
/// what calls its functions: the indexes that may use one, the tables whose
/// expressions may call one and the views are doubted, plain ones not; DROP
/// ... CASCADE of an object the model does not keep (a collation) may take
/// anything.
#[test]
fn drop_extension_cascade_doubts_what_may_use_it() {
    let s = replayed(
        "CREATE EXTENSION btree_gist;
         CREATE TABLE res (id int PRIMARY KEY, room int, during tsrange,
             EXCLUDE USING gist (room WITH =, during WITH &&));
         CREATE INDEX res_room_gist ON res USING gist (room);
         CREATE INDEX res_room ON res (room);
         DROP EXTENSION btree_gist CASCADE;",
    );
    assert!(s.doubts(&QualName::public("res_room_gist")));
    assert!(s.doubts(&QualName::public("res_room_during_excl")));
    assert!(!s.doubts(&QualName::public("res_room")) && !s.doubts(&QualName::public("res_pkey")));
    assert!(!s.lost());
    // The down that makes them again is no error.
    let mut again = s.clone();
    let f = run(
        &mut again,
        "CREATE EXTENSION btree_gist;
         CREATE INDEX res_room_gist ON res USING gist (room);
         ALTER TABLE res ADD CONSTRAINT res_room_during_excl EXCLUDE USING gist (room WITH =, during WITH &&);",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    let s = replayed(
        "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
         CREATE TABLE u (email text COLLATE ci);
         DROP COLLATION ci CASCADE;",
    );
    assert!(s.lost());
}

/// ALTER TYPE ... ADD / DROP / ALTER / RENAME ATTRIBUTE ... CASCADE changes
/// the tables of the type; NOT OF makes a table its own (fixture 0072).
#[test]
fn alter_type_cascade_reaches_the_tables_of_the_type() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0072_alter_type_cascade_reaches_the_tables_of_the_type.up.sql"
    ));
    let p = &s.tables[&QualName::public("f72_people")];
    let cols: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["full_name", "age", "email"]);
    assert_eq!(p.column("age").unwrap().ty.name, "int8");
    let o = &s.tables[&QualName::public("f72_others")];
    let cols: Vec<&str> = o.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["name", "age"]);
    assert_eq!(o.column("age").unwrap().ty.name, "int4");
}

/// A unique constraint on the primary key's columns, or one that repeats
/// another, in one CREATE TABLE is no index of its own (Supabase's
/// auth.users: `id uuid NOT NULL UNIQUE, CONSTRAINT users_pkey PRIMARY KEY
/// (id)`); a deferrable one is (fixture 0073).
#[test]
fn a_unique_constraint_that_repeats_another_builds_no_index() {
    let s = replayed(
        "CREATE TABLE users (id uuid NOT NULL UNIQUE, email text UNIQUE UNIQUE,
             CONSTRAINT users_pkey PRIMARY KEY (id));
         CREATE UNIQUE INDEX users_id_key ON users (id);
         CREATE TABLE d (a int UNIQUE, b int, UNIQUE (a) DEFERRABLE);",
    );
    let mut names: Vec<&str> = s.indexes.keys().map(|q| q.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "d_a_key",
            "d_a_key1",
            "users_email_key",
            "users_id_key",
            "users_pkey"
        ]
    );
}

/// Once the model is lost (a DO block's EXECUTE made a schema, say), the
/// first schema of the search path may exist: new objects go there.
#[test]
fn once_lost_new_objects_go_to_the_first_schema_of_the_path() {
    let s = replayed(
        "DO $$ BEGIN EXECUTE format('CREATE SCHEMA %I', 'tenant_acme'); END $$;
         SET search_path TO tenant_acme, public;
         CREATE TABLE settings (key text PRIMARY KEY);",
    );
    assert!(
        s.tables
            .contains_key(&QualName::new("tenant_acme", "settings"))
    );
}

/// DROP SCHEMA ... CASCADE takes the extensions installed in it (Supabase's
/// `extensions` schema).
#[test]
fn drop_schema_cascade_takes_its_extensions() {
    let s = replayed(
        "CREATE SCHEMA extensions;
         CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA extensions;
         CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA extensions;
         CREATE EXTENSION citext;
         DROP SCHEMA extensions CASCADE;",
    );
    assert_eq!(
        s.extensions.iter().collect::<Vec<_>>(),
        ["citext", "plpgsql"]
    );
}

/// PostgreSQL 18 names NOT NULL constraints, and a column swapped in (ADD
/// COLUMN, SET NOT NULL, DROP the old, RENAME) keeps its constraint's name,
/// so on 18 a down that swaps back leaves another name; on 17 and before
/// nothing differs. Where the server decides (directory mode without
/// --postgres) that is not reported.
#[test]
fn a_not_null_constraints_name_differs_on_eighteen_only() {
    let before = super::tests::replayed_for(
        18,
        "CREATE TABLE payments (id int PRIMARY KEY, amount int NOT NULL);",
    );
    let swap = |from: &str, to: &str, ty: &str| {
        format!(
            "ALTER TABLE payments ADD COLUMN {to} {ty};
             ALTER TABLE payments ALTER COLUMN {to} SET NOT NULL;
             ALTER TABLE payments DROP COLUMN {from};
             ALTER TABLE payments RENAME COLUMN {to} TO {from};"
        )
    };
    let mut after = before.clone();
    run(&mut after, &swap("amount", "amount_new", "bigint"));
    run(&mut after, &swap("amount", "amount_old", "int"));
    let check = |lenient: bool| {
        let before = Schema {
            any_server: lenient,
            ..before.clone()
        };
        crate::check::reversal::check("2_x", "2_x.down.sql", &before, &after)
    };
    assert!(check(false).is_some_and(|d| d.message.contains("not_null")));
    assert!(check(true).is_none());
}

/// A sequence dropped with CASCADE takes the defaults that read it, in any
/// table: those the model cannot rule out are doubted (fixture 0076).
#[test]
fn a_sequence_dropped_with_cascade_doubts_the_defaults_that_may_read_it() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0076_a_table_swap_drops_the_sequence_its_copy_reads.up.sql"
    ));
    assert!(s.doubts(&QualName::public("f76_orders")));
    let s = replayed(
        "CREATE TABLE a (id serial PRIMARY KEY);
         CREATE TABLE b (id int PRIMARY KEY);
         DROP TABLE a CASCADE;",
    );
    assert!(!s.doubts(&QualName::public("b")));
}

/// Where the target stands for any server (directory mode without
/// --postgres): what only some versions refuse is no error (14 drops a
/// generated column with the column it reads), and what some versions do
/// differently is doubted (a partition shares its parent's identity from 17
/// on; a child keeps its own NOT NULL through its parent's DROP NOT NULL
/// from 18 on).
#[test]
fn where_the_server_decides_version_dependent_objects_are_doubted() {
    let mut s = Schema::empty();
    s.target = crate::check::version::PgVersion(18);
    s.any_server = true;
    let f = run(
        &mut s,
        "CREATE TABLE products (id int, price int, qty int,
             total bigint GENERATED ALWAYS AS (price * qty) STORED);
         ALTER TABLE products DROP COLUMN qty;
         CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, r text NOT NULL) PARTITION BY LIST (r);
         CREATE TABLE t_a PARTITION OF t FOR VALUES IN ('a');
         CREATE TABLE p (id int, v text NOT NULL);
         CREATE TABLE c (v text NOT NULL) INHERITS (p);
         ALTER TABLE p ALTER COLUMN v DROP NOT NULL;",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    assert!(super::tests::columns(&s, "products") == ["id", "price"]);
    assert!(s.doubts(&QualName::public("t_a")) && s.doubts(&QualName::public("c")));
    assert!(!s.doubts(&QualName::public("p")));
    // For one version, each is what that version does.
    let s = super::tests::replayed_for(
        16,
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, r text NOT NULL) PARTITION BY LIST (r);
         CREATE TABLE t_a PARTITION OF t FOR VALUES IN ('a');
         CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY);
         CREATE TABLE c () INHERITS (p);",
    );
    let identity = |t: &str| {
        s.tables[&QualName::public(t)]
            .column("id")
            .unwrap()
            .identity
    };
    assert!(identity("t_a").is_none() && identity("c").is_none());
    let s = super::tests::replayed_for(
        17,
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, r text NOT NULL) PARTITION BY LIST (r);
         CREATE TABLE t_a PARTITION OF t FOR VALUES IN ('a');",
    );
    assert!(
        s.tables[&QualName::public("t_a")]
            .column("id")
            .unwrap()
            .identity
            .is_some()
    );
}

/// ALTER TABLE ONLY ... SET / DROP NOT NULL leaves the children as they are
/// (before PostgreSQL 18; on 18 the children are doubted).
#[test]
fn alter_table_only_leaves_the_childrens_not_null() {
    let sql = "CREATE TABLE pa (id int, v text NOT NULL);
         CREATE TABLE ca () INHERITS (pa);
         ALTER TABLE ONLY pa ALTER COLUMN v DROP NOT NULL;
         ALTER TABLE ONLY pa ALTER COLUMN id SET NOT NULL;";
    let s = super::tests::replayed_for(15, sql);
    assert_eq!(super::tests::not_null_columns(&s, "ca"), ["v"]);
    assert_eq!(super::tests::not_null_columns(&s, "pa"), ["id"]);
    let s = super::tests::replayed_for(18, sql);
    assert!(s.doubts(&QualName::public("ca")));
}

/// A second session of hunting, 2026-12-02 (fixtures 0080 on).
mod second {
    use super::super::tests::replayed;
    use super::super::tests_found::undo;
    use crate::model::schema::QualName;

    fn triggers(s: &crate::model::schema::Schema) -> Vec<String> {
        (s.triggers.iter())
            .map(|((t, n), trig)| format!("{n} on {t} -> {}", trig.function))
            .collect()
    }

    /// `AS $$ ... $$ LANGUAGE plpgsql` and `LANGUAGE plpgsql AS $$ ... $$`
    /// are one function (fixture 0080).
    #[test]
    fn a_functions_attributes_in_another_order_are_the_same_function() {
        let setup = "CREATE FUNCTION touch() RETURNS trigger AS $$
            BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;";
        let down = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RETURN NEW; END $$;";
        assert_eq!(
            undo(setup, "DROP FUNCTION touch();", down),
            Vec::<String>::new()
        );
        assert_eq!(
            undo(setup, "DROP FUNCTION touch();", &down.replace("NEW", "OLD")),
            ["function touch has another body or signature"]
        );
    }

    /// ALTER FUNCTION / PROCEDURE / ROUTINE ... SET SCHEMA moves it; its
    /// triggers follow it (PostgreSQL keeps them by oid), so a new function
    /// of the old name has none (fixture 0081).
    #[test]
    fn set_schema_moves_a_function_and_its_triggers_follow() {
        let s = replayed(
            "CREATE SCHEMA old;
             CREATE TABLE t (a int);
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN RETURN NEW; END $b$;
             CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
             ALTER FUNCTION f() SET SCHEMA old;
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN RETURN NULL; END $b$;
             DROP FUNCTION f();
             CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;
             ALTER ROUTINE p() SET SCHEMA old;",
        );
        assert_eq!(triggers(&s), ["trg on t -> old.f"]);
        let names: Vec<String> = s.functions.keys().map(ToString::to_string).collect();
        assert_eq!(names, ["old.f", "old.p"]);
        let setup = "CREATE SCHEMA util;
            CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;";
        assert_eq!(
            undo(
                setup,
                "ALTER FUNCTION slugify(text) SET SCHEMA util;",
                "ALTER FUNCTION util.slugify(text) SET SCHEMA public;"
            ),
            Vec::<String>::new()
        );
    }

    /// A view's INSTEAD OF triggers move with it when it is renamed or moved
    /// (fixture 0082).
    #[test]
    fn a_views_triggers_move_with_it() {
        let s = replayed(
            "CREATE SCHEMA s;
             CREATE TABLE t (a int);
             CREATE VIEW v AS SELECT a FROM t;
             CREATE FUNCTION v_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_ins();
             ALTER VIEW v RENAME TO v_old;
             CREATE VIEW v AS SELECT a, a * 2 AS b FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_ins();
             ALTER VIEW v_old SET SCHEMA s;",
        );
        assert_eq!(
            triggers(&s),
            ["v_ins on v -> v_ins", "v_ins on s.v_old -> v_ins"]
        );
    }

    /// DROP COLUMN ... CASCADE drops the triggers whose UPDATE OF or WHEN
    /// names the column, also under its new name after a rename, and keeps
    /// the others (fixture 0083).
    #[test]
    fn drop_column_cascade_takes_the_triggers_on_the_column() {
        let s = replayed(
            "CREATE TABLE t (a int, b int, c int);
             CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER of_b AFTER UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION tf();
             CREATE TRIGGER when_c AFTER UPDATE ON t FOR EACH ROW
                 WHEN (OLD.c IS DISTINCT FROM NEW.c) EXECUTE FUNCTION tf();
             CREATE TRIGGER other AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION tf();
             ALTER TABLE t RENAME COLUMN c TO cc;
             ALTER TABLE t DROP COLUMN b CASCADE;
             ALTER TABLE t DROP COLUMN cc CASCADE;
             CREATE TRIGGER of_b AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION tf();
             CREATE TRIGGER when_c AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();",
        );
        assert_eq!(
            triggers(&s),
            ["of_b on t -> tf", "other on t -> tf", "when_c on t -> tf"]
        );
    }

    /// DROP EXTENSION ... CASCADE drops the triggers that execute one of its
    /// functions (moddatetime), not those of the model's own (fixture 0084).
    #[test]
    fn drop_extension_cascade_takes_the_triggers_on_its_functions() {
        let s = replayed(
            "CREATE EXTENSION moddatetime;
             CREATE TABLE t (id int, updated_at timestamptz);
             CREATE FUNCTION mine() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER set_updated_at BEFORE UPDATE ON t FOR EACH ROW
                 EXECUTE FUNCTION moddatetime(updated_at);
             CREATE TRIGGER own BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION mine();
             DROP EXTENSION moddatetime CASCADE;
             CREATE TRIGGER set_updated_at BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION mine();",
        );
        assert_eq!(
            triggers(&s),
            ["own on t -> mine", "set_updated_at on t -> mine"]
        );
        assert!(s.tables.contains_key(&QualName::public("t")));
    }
}

/// Partitioned indexes and renamed type parts (second session, fixtures
/// 0085 to 0087).
mod second_indexes {
    use super::super::tests_found::undo;

    /// ALTER TYPE ... RENAME VALUE / RENAME ATTRIBUTE: PostgreSQL keeps the
    /// label and the attribute by number, so an index's definition shows the
    /// new name, and a down recreating it so is the same index.
    #[test]
    fn a_renamed_label_or_attribute_shows_in_index_definitions() {
        let setup = "CREATE TYPE st AS ENUM ('new', 'shipped');
            CREATE TYPE address AS (street text, city text);
            CREATE TABLE o (id int, status st, home address);
            CREATE INDEX o_open ON o (id) WHERE status <> 'shipped';
            CREATE INDEX o_city ON o (((home).city));
            ALTER TYPE st RENAME VALUE 'shipped' TO 'delivered';
            ALTER TYPE address RENAME ATTRIBUTE city TO town;";
        let up = "DROP INDEX o_open; DROP INDEX o_city;";
        let down = "CREATE INDEX o_open ON o (id) WHERE status <> 'delivered';
            CREATE INDEX o_city ON o (((home).town));";
        assert_eq!(undo(setup, up, down), Vec::<String>::new());
        assert_eq!(
            undo(setup, up, &down.replace("delivered", "shipped")),
            ["index o_open is defined differently"]
        );
    }

    /// ALTER INDEX parent ATTACH PARTITION child: the child goes when the
    /// parent's index is dropped, so the model doubts it.
    #[test]
    fn an_attached_index_goes_with_its_parent() {
        let setup = "CREATE TABLE m (at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";
        let up = "CREATE INDEX m_at_idx ON ONLY m (at);
            CREATE INDEX m_2025_at_idx ON m_2025 (at);
            ALTER INDEX m_at_idx ATTACH PARTITION m_2025_at_idx;";
        assert_eq!(
            undo(setup, up, "DROP INDEX m_at_idx;"),
            Vec::<String>::new()
        );
    }

    /// A detached partition keeps its copies of the parent's indexes, which
    /// the model does not keep: one dropped and recreated is no difference.
    #[test]
    fn a_detached_partitions_index_copy_may_be_dropped_and_recreated() {
        let setup = "CREATE TABLE m (at date NOT NULL, k int NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE INDEX m_i ON m (at, k);
            ALTER TABLE m DETACH PARTITION m_2025;";
        assert_eq!(
            undo(
                setup,
                "DROP INDEX m_2025_at_k_idx;",
                "CREATE INDEX m_2025_at_k_idx ON m_2025 (at, k);"
            ),
            Vec::<String>::new()
        );
    }
}

/// PL/pgSQL is in every database: `CREATE EXTENSION IF NOT EXISTS plpgsql`
/// (old pg_dump's and Rails' first line) creates nothing a down must drop,
/// and without IF NOT EXISTS it is PostgreSQL's error.
#[test]
fn plpgsql_is_installed_from_the_start() {
    use super::tests_found::undo;
    assert_eq!(
        undo(
            "",
            "CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog; CREATE TABLE t (id int);",
            "DROP TABLE t;"
        ),
        Vec::<String>::new()
    );
    let e = errors("CREATE EXTENSION plpgsql;");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("extension \"plpgsql\" already exists"),
        "{e:?}"
    );
}

/// `CREATE RULE "_RETURN" AS ON SELECT TO t DO INSTEAD SELECT ...` makes the
/// table a view, on PostgreSQL 15 and before (old pg_dump output); 16
/// refuses it, and the model then only knows that it does not follow rules.
#[test]
fn a_return_rule_makes_a_table_a_view_before_16() {
    use super::tests::replayed_for;
    let sql = "CREATE TABLE base (a int, b text);
         CREATE TABLE base_v (a int, b text);
         CREATE RULE \"_RETURN\" AS ON SELECT TO base_v DO INSTEAD SELECT * FROM base;";
    let s = replayed_for(15, sql);
    let v = QualName::public("base_v");
    assert!(!s.tables.contains_key(&v));
    assert_eq!(s.views[&v].depends, [QualName::public("base")]);
    let names: Vec<String> = (s.views[&v].columns.iter().flatten())
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let s = replayed_for(16, sql);
    assert!(s.tables.contains_key(&v));
}
