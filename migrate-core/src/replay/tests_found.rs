//! The classes of statement the differential test (tests/differential.rs) found
//! the model getting wrong, one test each; PostgreSQL's behaviour is in the
//! test's comments and, against a real server, in tests/fixtures/fidelity.

use super::tests::{columns, errors, replayed, run};
use crate::check::version::PgVersion;
use crate::model::schema::{QualName, Schema};

/// DROP TYPE ... CASCADE takes the type's columns as DROP COLUMN ... CASCADE
/// would (their indexes, constraints and the views that read them, on
/// partitions too), the domains over it and their columns, composite types'
/// attributes of it and the views that return it. A rename reaches all of them.
#[test]
fn drop_type_cascade_takes_what_drop_column_cascade_takes() {
    let s = replayed(
        "CREATE TYPE mood AS ENUM ('a', 'b');
         CREATE DOMAIN dmood AS mood;
         CREATE TABLE t (id int PRIMARY KEY, m mood, ms mood[], d dmood, k int);
         CREATE UNIQUE INDEX ON t (m) WHERE m IS NOT NULL;
         CREATE INDEX t_k_idx ON t (k) INCLUDE (d);
         ALTER TABLE t ADD CONSTRAINT t_m_check CHECK (m IS NOT NULL OR k > 0);
         CREATE VIEW v AS SELECT id, m FROM t;
         CREATE VIEW vk AS SELECT id, k FROM t;
         CREATE VIEW vm AS SELECT 'a'::mood AS x;
         CREATE TABLE pt (id int, m mood) PARTITION BY LIST (id);
         CREATE TABLE pt1 PARTITION OF pt FOR VALUES IN (1);
         CREATE INDEX ON pt1 (m);
         CREATE TYPE pair AS (a int, m mood);
         DROP TYPE mood CASCADE;
         CREATE TYPE mood2 AS ENUM ('x');
         CREATE TYPE pair2 AS (a int, m mood2);
         CREATE VIEW vm2 AS SELECT 'x'::mood2 AS x;
         ALTER TYPE mood2 RENAME TO mood3;",
    );
    assert_eq!(columns(&s, "t"), ["id", "k"]);
    assert_eq!(columns(&s, "pt1"), ["id"]);
    let names = |m: Vec<&QualName>| m.into_iter().map(|q| q.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(s.indexes.keys().collect()), ["t_pkey"]);
    assert!(s.domains.is_empty());
    assert_eq!(names(s.views.keys().collect()), ["vk", "vm2"]);
    assert!(s.tables[&QualName::public("t")].constraints.len() == 1);
    let attrs = |n: &str| {
        s.composites[&QualName::public(n)]
            .iter()
            .map(|c| (c.name.clone(), c.ty.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(attrs("pair"), [("a".to_owned(), "int4".to_owned())]);
    assert_eq!(attrs("pair2")[1].1, "mood3");
    let vm2 = s.views[&QualName::public("vm2")]
        .columns
        .clone()
        .unwrap_or_default();
    assert_eq!(
        vm2.iter().map(|c| c.ty.name.as_str()).collect::<Vec<_>>(),
        ["mood3"]
    );
}

/// Renaming a column leaves its indexes' own column names as they were;
/// ALTER COLUMN ... TYPE rebuilds the indexes that use the column, which then
/// take today's names, and LIKE ... INCLUDING INDEXES names its copies after
/// them.
#[test]
fn a_retyped_columns_indexes_take_todays_names() {
    let s = replayed(
        "CREATE TABLE s (id int, c jsonb, k int);
         CREATE INDEX ix1 ON s (c) WHERE c IS NOT NULL;
         CREATE INDEX ix2 ON s (lower(c::text), k);
         ALTER TABLE s ADD CONSTRAINT s_uk UNIQUE (k, id);
         ALTER TABLE s RENAME COLUMN c TO c2;
         ALTER TABLE s RENAME COLUMN k TO kk;
         CREATE TABLE before (LIKE s INCLUDING ALL);
         ALTER TABLE s ALTER COLUMN c2 TYPE text USING c2::text;
         CREATE TABLE p1 (LIKE s INCLUDING ALL);
         ALTER TABLE s ALTER COLUMN kk TYPE bigint;
         CREATE TABLE p2 (LIKE s INCLUDING ALL);",
    );
    let on = |t: &str| {
        let mut v: Vec<String> = s
            .indexes
            .iter()
            .filter(|(_, ix)| ix.table == QualName::public(t))
            .map(|(q, _)| q.name.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        on("before"),
        ["before_c_idx", "before_k_id_key", "before_lower_k_idx"]
    );
    assert_eq!(on("p1"), ["p1_c2_idx", "p1_k_id_key", "p1_lower_kk_idx"]);
    assert_eq!(on("p2"), ["p2_c2_idx", "p2_kk_id_key", "p2_lower_kk_idx"]);
}

/// LIKE ... INCLUDING INDEXES of a partition copies indexes whose names the
/// model does not keep: the copy is opaque, and dropping one of its indexes is
/// no error, also once no partition is left.
#[test]
fn an_opaque_tables_unknown_index_may_be_dropped() {
    let setup = "CREATE TABLE part (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE n PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE INDEX ON part (at) WHERE at IS NOT NULL;";
    assert_eq!(
        errors(&format!(
            "{setup} CREATE TABLE copy (LIKE n INCLUDING ALL);
             DROP TABLE part; DROP INDEX copy_at_idx;"
        )),
        Vec::<String>::new()
    );
    // Without an opaque table or a partition, the unknown index is an error.
    let e = errors(&format!(
        "{setup} DROP TABLE part; CREATE TABLE copy (id int); DROP INDEX copy_at_idx;"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
}

/// A detached partition keeps its copies of the parent's indexes, named after
/// what the partition was called when each was made: the model does not name
/// them, so the detached table is opaque; one detached from an unindexed
/// parent is not.
#[test]
fn a_detached_partition_of_an_indexed_parent_is_opaque() {
    let s = replayed(
        "CREATE TABLE part (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE n PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         ALTER TABLE part DETACH PARTITION n;
         DROP INDEX n_pkey;
         CREATE TABLE bare (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE b1 PARTITION OF bare FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         ALTER TABLE bare DETACH PARTITION b1;",
    );
    assert!(s.opaque.contains(&QualName::public("n")));
    assert!(!s.opaque.contains(&QualName::public("b1")));
    assert!(!s.tables[&QualName::public("n")].is_partition());
}

/// A view the model cannot read precisely (a CTE, a UNION) may have gone with
/// a dropped column: it is opaque, and so are the views on it. A generated
/// column dropped with the column it reads takes the views that read it; so
/// does a column that DROP EXTENSION ... CASCADE takes.
#[test]
fn what_cascades_take_with_a_column() {
    let s = replayed(
        "CREATE TABLE t (id int, v text);
         CREATE VIEW v AS WITH w AS (SELECT id AS x FROM t) SELECT x FROM w UNION SELECT id FROM t;
         CREATE VIEW vv AS SELECT * FROM v;
         ALTER TABLE t DROP COLUMN id CASCADE;
         CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
         CREATE VIEW gv AS SELECT b FROM g;
         ALTER TABLE g DROP COLUMN a CASCADE;
         CREATE EXTENSION citext;
         CREATE TABLE e (id int, email citext);
         CREATE VIEW ev AS SELECT email FROM e;
         DROP EXTENSION citext CASCADE;",
    );
    assert!(s.opaque.contains(&QualName::public("v")));
    assert!(s.opaque.contains(&QualName::public("vv")));
    assert!(!s.views.contains_key(&QualName::public("gv")));
    assert!(!s.views.contains_key(&QualName::public("ev")));
    assert_eq!(columns(&s, "e"), ["id"]);
}

/// DROP IDENTITY IF EXISTS of a column that is no identity (a serial) drops
/// nothing: its sequence stays.
#[test]
fn drop_identity_if_exists_of_a_serial_keeps_its_sequence() {
    let s = replayed(
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n serial);
         ALTER TABLE t ALTER COLUMN n DROP IDENTITY IF EXISTS;
         ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS;",
    );
    assert!(s.sequences.contains(&QualName::public("t_n_seq")));
    assert!(!s.sequences.contains(&QualName::public("t_id_seq")));
    assert!(
        errors(
            "CREATE TABLE t (n serial);
         ALTER TABLE t ALTER COLUMN n DROP IDENTITY IF EXISTS;
         DROP SEQUENCE t_n_seq CASCADE;"
        )
        .is_empty()
    );
}

/// A view that may have gone with a dropped column is opaque; it does not make
/// a later DROP without CASCADE an error (if it were still there, PostgreSQL
/// would refuse the DROP).
#[test]
fn an_opaque_dependent_refuses_no_drop() {
    let e = errors(
        "CREATE TABLE t (id int, k int);
         CREATE VIEW v AS WITH w AS (SELECT id AS x FROM t) SELECT x FROM w UNION SELECT id FROM t;
         CREATE VIEW vv AS SELECT * FROM v;
         ALTER TABLE t DROP COLUMN id CASCADE;
         ALTER TABLE t DROP COLUMN k;
         DROP TABLE t;",
    );
    assert!(e.is_empty(), "{e:?}");
    // A view the model is sure of still refuses it.
    let e = errors("CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t; DROP TABLE t;");
    assert_eq!(e.len(), 1, "{e:?}");
}

/// An index on a partitioned table adopts a partition's matching index instead
/// of building a copy, and dropping the parent's index drops it: the model
/// cannot tell which match, so the candidates are opaque.
#[test]
fn a_partitions_index_a_parents_index_may_adopt_is_opaque() {
    let s = replayed(
        "CREATE TABLE part (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);
         CREATE TABLE n1 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE INDEX ON n1 (id);
         CREATE INDEX ON n1 (v);
         CREATE INDEX part_x ON part (id);
         DROP INDEX part_x;",
    );
    assert!(s.opaque.contains(&QualName::public("n1_id_idx")));
    assert!(!s.opaque.contains(&QualName::public("n1_v_idx")));
}

/// ALTER VIEW / MATERIALIZED VIEW (or TABLE) ... RENAME COLUMN renames the
/// view's column; the views on it keep their own names.
#[test]
fn a_views_column_is_renamed() {
    let s = replayed(
        "CREATE TABLE t (id int, v text);
         CREATE VIEW v AS SELECT id, v FROM t;
         CREATE VIEW vv AS SELECT * FROM v;
         ALTER VIEW v RENAME COLUMN id TO ident;
         ALTER TABLE vv RENAME COLUMN v TO vx;",
    );
    let cols = |n: &str| {
        s.views[&QualName::public(n)]
            .columns
            .iter()
            .flatten()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(cols("v"), ["ident", "v"]);
    assert_eq!(cols("vv"), ["id", "vx"]);
}

/// ALTER DOMAIN ... SET / DROP NOT NULL (and ADD CONSTRAINT ... NOT NULL)
/// change the domain; a dropped named constraint may be its NOT NULL one, so
/// the tables using it become opaque.
#[test]
fn alter_domain_changes_not_null() {
    let s = replayed(
        "CREATE DOMAIN d1 AS int;
         CREATE DOMAIN d2 AS text NOT NULL;
         CREATE DOMAIN d4 AS int;
         CREATE DOMAIN d5 AS int CONSTRAINT d5_nn NOT NULL;
         CREATE TABLE t5 (c d5);
         ALTER DOMAIN d1 SET NOT NULL;
         ALTER DOMAIN d2 DROP NOT NULL;
         ALTER DOMAIN d4 ADD CONSTRAINT d4_nn NOT NULL;
         ALTER DOMAIN d5 DROP CONSTRAINT d5_nn;",
    );
    let nn = |n: &str| s.domains[&QualName::public(n)].not_null;
    assert!(nn("d1") && !nn("d2") && nn("d4"));
    assert!(s.opaque.contains(&QualName::public("t5")));
}

/// After DROP EXPRESSION a column is no longer generated and depends on
/// nothing: dropping a column its expression read needs no CASCADE and leaves
/// it.
#[test]
fn drop_expression_frees_a_generated_column() {
    let mut s = Schema::empty();
    s.target = PgVersion(15);
    let f = run(
        &mut s,
        "CREATE TABLE t (id int, c int);
         ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (length(id::text)) STORED;
         ALTER TABLE t ALTER COLUMN g DROP EXPRESSION;
         ALTER TABLE t DROP COLUMN id;",
    );
    assert!(f.errors.is_empty(), "{}", f.errors);
    assert_eq!(columns(&s, "t"), ["c", "g"]);
}

/// A column may own several sequences (OWNED BY); DROP IDENTITY drops the
/// identity's own one only, and the others stay known (opaque).
#[test]
fn a_column_owning_two_sequences_keeps_its_identitys() {
    let s = replayed(
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);
         CREATE SEQUENCE s1 OWNED BY t.id;
         ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS;
         DROP SEQUENCE s1;",
    );
    assert!(!s.sequences.contains(&QualName::public("t_id_seq")));
    assert!(!s.sequences.contains(&QualName::public("s1")));
}

/// A partition holds its own copies of its parent's constraints (a foreign
/// key under the parent's name, a primary key or unique constraint under a
/// name chosen from the partition's), which the model does not keep: renaming
/// one is no error, on a partition and after DETACH. A constraint of a plain
/// table, or of a partition whose parent has only checks, is still looked for.
#[test]
fn a_partitions_copies_of_its_parents_constraints_may_be_renamed() {
    let setup = "CREATE TABLE r (id int PRIMARY KEY);
         CREATE TABLE p (id int NOT NULL, at date NOT NULL, rid int REFERENCES r) PARTITION BY RANGE (at);
         CREATE TABLE n1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         ALTER TABLE p ADD CONSTRAINT k UNIQUE (at);
         CREATE TABLE n2 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";
    replayed(&format!(
        "{setup}
         ALTER TABLE n1 RENAME CONSTRAINT n1_at_key TO a;
         ALTER TABLE n2 RENAME CONSTRAINT p_rid_fkey TO b;
         ALTER TABLE p DETACH PARTITION n1;
         ALTER TABLE n1 RENAME CONSTRAINT p_rid_fkey TO c;"
    ));
    for sql in [
        "CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t RENAME CONSTRAINT t_id_key TO x;",
        "CREATE TABLE c (id int, at date NOT NULL, CHECK (id > 0)) PARTITION BY RANGE (at);
         CREATE TABLE c1 PARTITION OF c FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         ALTER TABLE c1 RENAME CONSTRAINT c1_id_key TO x;",
    ] {
        let e = errors(sql);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("does not exist"), "{e:?}");
    }
}

/// An index on a partitioned table puts a copy on each partition, under a name
/// chosen from the partition's (`n2_v_idx`) that the model does not keep: an
/// index whose name the model then chooses on that partition may be called
/// otherwise (`n2_v_idx1`), so it is opaque, and the name it was given is free
/// for a CREATE INDEX that names it.
#[test]
fn an_index_name_chosen_on_a_partition_with_its_parents_copies_is_doubted() {
    let s = replayed(
        "CREATE TABLE part1 (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);
         CREATE TABLE n2 PARTITION OF part1 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE INDEX ix38 ON part1 (v) WHERE v IS NOT NULL;
         CREATE UNIQUE INDEX ON n2 (v) WHERE v IS NOT NULL;
         DROP INDEX ix38;
         CREATE INDEX n2_v_idx ON n2 (id);",
    );
    assert!(s.indexes.contains_key(&QualName::public("n2_v_idx")));
    // With no index on the parent, the name is the model's, and taken.
    let e = errors(
        "CREATE TABLE part1 (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);
         CREATE TABLE n2 PARTITION OF part1 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE UNIQUE INDEX ON n2 (v);
         CREATE INDEX n2_v_idx ON n2 (id);",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("already exists"), "{e:?}");
}

/// `DROP CONSTRAINT key CASCADE` takes the foreign keys that use the key
/// (one written without columns uses the primary key), so the referenced
/// table may then be dropped without CASCADE; without CASCADE nothing goes.
#[test]
fn dropping_a_key_with_cascade_takes_the_foreign_keys_on_it() {
    let setup = "CREATE TABLE a (id int PRIMARY KEY, u int UNIQUE);
         CREATE TABLE b (aid int REFERENCES a, au int REFERENCES a (u));";
    let s = replayed(&format!(
        "{setup}
         ALTER TABLE a DROP CONSTRAINT a_pkey CASCADE;
         ALTER TABLE a DROP CONSTRAINT a_u_key CASCADE;
         DROP TABLE a;"
    ));
    assert!(s.tables[&QualName::public("b")].constraints.is_empty());
    let e = errors(&format!(
        "{setup}
         ALTER TABLE a DROP CONSTRAINT a_u_key CASCADE;
         DROP TABLE a;"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("b_aid_fkey"), "{e:?}");
}

/// DROP TYPE ... CASCADE may take a column of a relation the model doubts,
/// and the views that read it: those views are doubted (a model difference
/// found by the differential test on PostgreSQL 18 at seed 30653; fixture
/// 0047).
#[test]
fn drop_type_cascade_doubts_the_views_on_a_doubted_table() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0047_drop_type_cascade_and_a_view_of_a_doubted_table.up.sql"
    ));
    let v = QualName::public("f47_v");
    assert!(!s.views.contains_key(&v) || s.doubts(&v));
    // With nothing doubted, the view is certain and stays (it reads no
    // column of the type).
    let s = replayed(
        "CREATE TYPE m AS ENUM ('a');
         CREATE TABLE t (id int, x m);
         CREATE VIEW v AS SELECT id FROM t;
         DROP TYPE m CASCADE;",
    );
    let v = QualName::public("v");
    assert!(s.views.contains_key(&v) && !s.doubts(&v));
}

/// What `down` leaves different after `up`, from the schema `setup` makes,
/// with the errors of `up` and `down`: empty for a down that undoes its up.
pub(super) fn undo(setup: &str, up: &str, down: &str) -> Vec<String> {
    let mut s = replayed(setup);
    let before = s.clone();
    let mut out: Vec<String> = Vec::new();
    for sql in [up, down] {
        out.extend(run(&mut s, sql).errors.iter().map(|d| d.to_string()));
    }
    out.extend(s.differences(&before));
    out
}

/// A function's argument and result types compare as types: PostgreSQL
/// keeps `bigint` as int8, `text[]` as _text, `t` as public.t, `IN a` as `a`
/// and drops `char(3)`'s modifier, so a down that restores the function in
/// other spellings restores it; another body is still a difference.
#[test]
fn a_functions_types_compare_by_type_not_spelling() {
    let setup = "CREATE TYPE t AS ENUM ('a');
        CREATE FUNCTION f(a int8, IN b int4, c float8, d timestamptz, e _text, g bool,
                          h real, i smallint, j bpchar, k t, OUT l int)
            LANGUAGE sql AS $$ SELECT 1 $$;";
    let up = "CREATE OR REPLACE FUNCTION f(a int8, IN b int4, c float8, d timestamptz,
            e _text, g bool, h real, i smallint, j bpchar, k t, OUT l int)
            LANGUAGE sql AS $$ SELECT 2 $$;";
    let down = "CREATE OR REPLACE FUNCTION f(a bigint, b int, c double precision,
            d timestamp with time zone, e text[], g boolean, h float4, i int2,
            j char(3), k public.t, OUT l integer)
            LANGUAGE SQL AS $$ SELECT 1 $$;";
    assert_eq!(undo(setup, up, down), Vec::<String>::new());
    let wrong = down.replace("SELECT 1", "SELECT 3");
    assert_eq!(
        undo(setup, up, &wrong),
        ["function f has another body or signature"]
    );
}

/// A SQL-standard body (RETURN, BEGIN ATOMIC) is compared as a body: CREATE
/// OR REPLACE, the attributes' order and spacing are not part of it.
#[test]
fn a_sql_standard_body_compares_by_its_tree() {
    let setup = "CREATE TABLE log (msg text);
        CREATE FUNCTION tax(a numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
            RETURN a * 1.20;
        CREATE PROCEDURE note(m text) LANGUAGE sql
            BEGIN ATOMIC INSERT INTO log (msg) VALUES (m); END;";
    let up = "CREATE OR REPLACE FUNCTION tax(a numeric) RETURNS numeric LANGUAGE sql
            RETURN a * 1.21;
        CREATE OR REPLACE PROCEDURE note(m text) LANGUAGE sql
            BEGIN ATOMIC INSERT INTO log (msg) VALUES (upper(m)); END;";
    let down = "CREATE OR REPLACE FUNCTION tax(a numeric) RETURNS numeric IMMUTABLE
            LANGUAGE sql RETURN a   *   1.20;
        CREATE OR REPLACE PROCEDURE note(m text)
        LANGUAGE sql
        BEGIN ATOMIC
          INSERT INTO log (msg)   VALUES (m);
        END;";
    assert_eq!(undo(setup, up, down), Vec::<String>::new());
    let wrong = down.replace("1.20", "1.21");
    assert_eq!(
        undo(setup, up, &wrong),
        ["function tax has another body or signature"]
    );
}

/// DROP TABLE / TYPE / DOMAIN ... CASCADE takes the functions that take or
/// return the type (SETOF a table's rows too); without CASCADE PostgreSQL
/// refuses.
#[test]
fn drop_cascade_of_a_type_takes_the_functions_of_it() {
    let setup = "CREATE TYPE role AS ENUM ('admin');
        CREATE DOMAIN email AS text;
        CREATE TABLE users (id int, r role);
        CREATE FUNCTION admins() RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users $$;
        CREATE FUNCTION is_admin(r role[]) RETURNS bool LANGUAGE sql AS $$ SELECT true $$;
        CREATE FUNCTION valid(e email) RETURNS bool LANGUAGE sql AS $$ SELECT true $$;
        CREATE FUNCTION keep(i int) RETURNS int LANGUAGE sql AS $$ SELECT i $$;";
    let s = replayed(&format!(
        "{setup} DROP TABLE users CASCADE; DROP TYPE role CASCADE; DROP DOMAIN email CASCADE;"
    ));
    let names: Vec<&str> = s.functions.keys().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["keep"]);
    let refused = errors(&format!("{setup} DROP TABLE users;"));
    assert!(
        refused[0].contains("function admins depends"),
        "{refused:?}"
    );
    let refused = errors(&format!(
        "{setup} DROP TABLE users CASCADE; DROP TYPE role;"
    ));
    assert!(
        refused[0].contains("function is_admin depends"),
        "{refused:?}"
    );
}

/// DROP FUNCTION ... CASCADE takes the triggers that execute it and what
/// calls it, expression indexes, checks and views among them. The model
/// keeps no calls, so these become opaque: a later index of a dropped one's
/// name is no error.
#[test]
fn drop_function_cascade_doubts_what_may_call_it() {
    let s = replayed(
        "CREATE TABLE p (id int, sku text NOT NULL);
         CREATE TABLE q (id int);
         CREATE FUNCTION norm(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(s) $$;
         CREATE UNIQUE INDEX p_norm_idx ON p (norm(sku));
         CREATE INDEX q_id_idx ON q (id);
         ALTER TABLE p ADD CONSTRAINT p_sku_ck CHECK (norm(sku) <> '');
         CREATE VIEW v AS SELECT id, norm(sku) AS sku FROM p;
         DROP FUNCTION norm(text) CASCADE;
         CREATE UNIQUE INDEX p_norm_idx ON p (lower(sku));
         ALTER TABLE p ADD CONSTRAINT p_sku_ck CHECK (sku <> '');
         CREATE VIEW v AS SELECT id FROM p;",
    );
    assert!(s.functions.is_empty());
    assert!(!s.opaque.contains(&QualName::public("q")));
    assert!(!s.opaque.contains(&QualName::public("q_id_idx")));
}

/// DROP SCHEMA ... CASCADE takes the triggers, on tables elsewhere, that
/// execute one of its functions.
#[test]
fn drop_schema_cascade_takes_the_triggers_of_its_functions() {
    let s = replayed(
        "CREATE TABLE orders (id int, at timestamptz);
         CREATE SCHEMA audit;
         CREATE FUNCTION audit.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit.touch();
         DROP SCHEMA audit CASCADE;",
    );
    assert!(s.triggers.is_empty() && s.functions.is_empty());
}

/// A trigger executes the overload without arguments: dropping another one
/// of the same name is no error and keeps the trigger, and a down that
/// restores it restores the schema; dropping the trigger's one still is.
#[test]
fn a_trigger_depends_on_its_functions_overload_only() {
    let setup = "CREATE TABLE posts (id int, at timestamptz);
        CREATE FUNCTION touch(ts timestamptz) RETURNS timestamptz LANGUAGE sql AS $$ SELECT ts $$;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();";
    let up = "DROP FUNCTION touch(timestamptz);";
    let down = "CREATE FUNCTION touch(ts timestamp with time zone) RETURNS timestamptz
        LANGUAGE sql AS $$ SELECT ts $$;";
    assert_eq!(undo(setup, up, down), Vec::<String>::new());
    let refused = errors(&format!("{setup} DROP FUNCTION touch();"));
    assert!(refused[0].contains("trigger posts_touch"), "{refused:?}");
}

/// A table's row type is renamed with the table, so a function that takes
/// it then takes the new name: a down that restores it under the new name
/// and renames the table back restores it.
#[test]
fn a_functions_row_type_follows_the_tables_rename() {
    let setup = "CREATE TABLE accounts (id int);
        CREATE FUNCTION label(a accounts) RETURNS text LANGUAGE sql AS $$ SELECT 'a' $$;";
    let up = "ALTER TABLE accounts RENAME TO wallets;
        CREATE OR REPLACE FUNCTION label(a wallets) RETURNS text LANGUAGE sql AS $$ SELECT 'w' $$;";
    let down =
        "CREATE OR REPLACE FUNCTION label(a wallets) RETURNS text LANGUAGE sql AS $$ SELECT 'a' $$;
        ALTER TABLE wallets RENAME TO accounts;";
    assert_eq!(undo(setup, up, down), Vec::<String>::new());
    let s = replayed(&format!("{setup} {up}"));
    let label = &s.functions[&QualName::public("label")];
    assert_eq!(label.len(), 1, "one overload, of wallets: {label:?}");
}

/// DROP COLUMN ... CASCADE on a parent takes the column from a child that
/// has it from the parent alone, with the child's primary key on it and the
/// foreign keys to that key, a REFERENCES without columns among them (found
/// by the differential test on PostgreSQL 14 at seed 40630).
#[test]
fn a_parents_drop_column_takes_the_foreign_keys_to_a_childs_key() {
    let s = replayed(
        "CREATE TABLE s6 (id int, c23 int);
         CREATE TABLE child10 (extra2 int) INHERITS (s6);
         ALTER TABLE child10 ADD PRIMARY KEY (c23);
         CREATE TABLE t27 (id serial PRIMARY KEY, ref29 int REFERENCES child10 ON DELETE CASCADE);
         ALTER TABLE s6 DROP COLUMN c23 CASCADE;",
    );
    let t27 = &s.tables[&QualName::public("t27")];
    assert!(!t27.constraints.contains_key("t27_ref29_fkey"));
    let e = errors(
        "CREATE TABLE s6 (id int, c23 int);
         CREATE TABLE child10 (extra2 int) INHERITS (s6);
         ALTER TABLE child10 ADD PRIMARY KEY (c23);
         CREATE TABLE t27 (ref29 int REFERENCES child10);
         ALTER TABLE s6 DROP COLUMN c23;",
    );
    assert!(e.iter().any(|e| e.contains("t27_ref29_fkey")), "{e:?}");
}
