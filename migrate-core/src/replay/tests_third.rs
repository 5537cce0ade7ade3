//! Classes of statement found by a third session of writing migrations
//! against PostgreSQL and comparing (2026-12-02): what PostgreSQL does is in
//! each test's comment and, against a real server, in the fidelity fixtures
//! named there.

use super::tests::{errors, replayed, run};
use crate::model::schema::QualName;

/// A renamed column shows under its new name in the definitions of the
/// indexes on it, and nowhere else: not in the access method, the table, a
/// type, a function name, an operator class or a string (PostgreSQL keeps
/// columns by number; fixture 0102).
#[test]
fn a_column_rename_changes_only_the_column_in_index_definitions() {
    let base = "CREATE TABLE t (a int, z int, s text);
         CREATE INDEX t_z_idx ON t (z);
         CREATE INDEX t_h_idx ON t USING hash (z);
         CREATE INDEX t_s_idx ON t (lower(s) text_pattern_ops) WHERE s <> 'a' AND a > 0;";
    let before = replayed(base);
    for name in [
        "e",
        "t",
        "btree",
        "hash",
        "lower",
        "text_pattern_ops",
        "text",
        "Big",
    ] {
        let mut s = before.clone();
        run(
            &mut s,
            &format!("ALTER TABLE t RENAME COLUMN a TO \"{name}\";"),
        );
        run(
            &mut s,
            &format!("ALTER TABLE t RENAME COLUMN \"{name}\" TO a;"),
        );
        assert_eq!(s.indexes, before.indexes, "renamed to {name}");
    }
    let mut s = before.clone();
    run(&mut s, "ALTER TABLE t RENAME COLUMN a TO \"Amount\";");
    run(&mut s, "ALTER TABLE t RENAME COLUMN s TO label;");
    let def = &s.indexes[&QualName::public("t_s_idx")].definition;
    assert!(def.contains("lower(label) text_pattern_ops"), "{def}");
    assert!(def.contains("label <> 'a'"), "{def}");
    assert!(def.contains("\"Amount\" > 0"), "{def}");
    // The same index made under the new names is the same definition.
    let fresh = replayed(
        "CREATE TABLE t (\"Amount\" int, z int, label text);
         CREATE INDEX t_s_idx ON t (lower(label) text_pattern_ops) WHERE label <> 'a' AND \"Amount\" > 0;",
    );
    assert_eq!(&fresh.indexes[&QualName::public("t_s_idx")].definition, def);
    assert!(errors(base).is_empty());
}

/// Once the model lost track (a function that runs built DDL, as Diesel's
/// `diesel_manage_updated_at` does), a DROP of a table or trigger it does not
/// know proves that one existed: a down that makes it again leaves nothing
/// over (fixtures 0902 and 0903).
#[test]
fn a_drop_of_what_a_lost_model_does_not_know_is_no_difference_after_its_down() {
    let before = replayed(
        "CREATE TABLE posts (id int PRIMARY KEY, updated_at timestamp);
         CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
         CREATE FUNCTION manage(t regclass) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
           EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
             FOR EACH ROW EXECUTE FUNCTION set_updated_at()', t);
           EXECUTE 'CREATE TABLE side (id int)';
         END $$;
         SELECT manage('posts');",
    );
    assert!(before.lost());
    let mut s = before.clone();
    run(
        &mut s,
        "DROP TRIGGER set_updated_at ON posts;
         CREATE TRIGGER set_updated_at BEFORE INSERT OR UPDATE ON posts
           FOR EACH ROW EXECUTE FUNCTION set_updated_at();
         DROP TABLE side;",
    );
    run(
        &mut s,
        "DROP TRIGGER set_updated_at ON posts;
         CREATE TRIGGER set_updated_at BEFORE UPDATE ON posts
           FOR EACH ROW EXECUTE FUNCTION set_updated_at();
         CREATE TABLE side (id int);",
    );
    assert_eq!(before.differences(&s), Vec::<String>::new());
    // A known trigger dropped and made again differently still differs.
    let mut t = replayed(
        "CREATE TABLE p (id int);
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER tr BEFORE UPDATE ON p FOR EACH ROW EXECUTE FUNCTION f();",
    );
    let known = t.clone();
    run(&mut t, "DROP TRIGGER tr ON p; CREATE TABLE q (id int);");
    assert!(!known.differences(&t).is_empty());
}

/// `_name` is the array type of `name`: built-in by its internal name, an
/// enum's, a domain's, a table's row type (fixture 0104).
#[test]
fn an_underscore_name_is_the_array_of_the_type() {
    let s = replayed(
        "CREATE TYPE mood AS ENUM ('happy', 'sad');
         CREATE DOMAIN posint AS int CHECK (VALUE > 0);
         CREATE TABLE item (id int);
         CREATE TABLE people (id int, moods _mood, tags _text, n pg_catalog._int4,
           p _posint, items _item, plain mood[]);",
    );
    let t = &s.tables[&QualName::public("people")];
    let ty = |c: &str| t.column(c).unwrap().ty.clone();
    assert_eq!(ty("moods"), ty("plain"));
    assert_eq!(ty("tags").name, "text");
    assert_eq!(ty("tags").array_dims, 1);
    assert_eq!(ty("n").name, "int4");
    assert_eq!(ty("p").array_dims, 1);
    assert_eq!(ty("items").array_dims, 1);
    let e = errors("CREATE TABLE x (a _integer, b _nope);");
    assert_eq!(e.len(), 2, "{e:?}");
}

/// A search path given as text is read as PostgreSQL reads the setting:
/// unquoted names folded to lower case, quoted ones as written, each cut to
/// 63 bytes, the setting's name in any case; one built at run time or set
/// inside an expression is not followed (fixture 0105).
#[test]
fn a_search_path_as_text_is_read_as_postgresql_reads_it() {
    let long = "tenant_0123456789_0123456789_0123456789_0123456789_0123456789_long";
    let s = replayed(&format!(
        "CREATE SCHEMA app; CREATE SCHEMA \"Mixed\"; CREATE SCHEMA \"{}\";
         SELECT set_config('search_path', 'App', false); CREATE TABLE a (id int);
         SELECT set_config('SEARCH_PATH', ' \"Mixed\" , public', false); CREATE TABLE m (id int);
         SET search_path TO '{long}', public; CREATE TABLE l (id int);",
        &long[..63]
    ));
    assert!(!s.lost());
    assert!(s.tables.contains_key(&QualName::new("app", "a")));
    assert!(s.tables.contains_key(&QualName::new("Mixed", "m")));
    assert!(s.tables.contains_key(&QualName::new(&long[..63], "l")));
    for dynamic in [
        "SELECT set_config('search_path', 'app' || ', public', false);",
        "SELECT 1 WHERE set_config('search_path', 'app', false) IS NOT NULL;",
        "DO $$ BEGIN PERFORM set_config('search_path', current_setting('x.y'), true); END $$;",
    ] {
        let s = replayed(&format!("CREATE SCHEMA app; {dynamic}"));
        assert!(s.lost(), "{dynamic}");
    }
    let s = replayed(
        "CREATE SCHEMA app;
         DO $$ BEGIN PERFORM set_config('search_path', 'app', false); END $$;
         CREATE TABLE t (id int);",
    );
    assert!(s.tables.contains_key(&QualName::new("app", "t")));
}

/// `ADD UNIQUE USING INDEX idx` / `ADD PRIMARY KEY USING INDEX idx` without
/// a name: the constraint is named after the index, which keeps its name
/// (fixture 0092).
#[test]
fn an_unnamed_constraint_using_an_index_takes_the_index_name() {
    let s = replayed(
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL);
         CREATE UNIQUE INDEX t_a_uidx ON t (a);
         CREATE UNIQUE INDEX t_b_uidx ON t (b);
         ALTER TABLE t ADD UNIQUE USING INDEX t_a_uidx;
         ALTER TABLE t ADD PRIMARY KEY USING INDEX t_b_uidx;",
    );
    let names = super::tests::constraint_names(&s, "t");
    assert!(
        names.contains(&"t_a_uidx") && names.contains(&"t_b_uidx"),
        "{names:?}"
    );
    assert!(s.indexes.contains_key(&QualName::public("t_a_uidx")));
    assert!(s.indexes.contains_key(&QualName::public("t_b_uidx")));
    assert!(!s.indexes.contains_key(&QualName::public("t_pkey")));
    let e = errors(
        "CREATE TABLE t (a int);
         CREATE UNIQUE INDEX t_a_uidx ON t (a);
         ALTER TABLE t ADD UNIQUE USING INDEX t_a_uidx;
         ALTER TABLE t DROP CONSTRAINT t_a_uidx;",
    );
    assert!(e.is_empty(), "{e:?}");
}
