//! Partitions and inheritance children: what a child has from its parents
//! (columns, NOT NULL, constraints) and what a parent's changes do to it;
//! classes the differential test found, PostgreSQL's answers in the comments
//! and, against a real server, in tests/fixtures/fidelity.

use super::tests::{
    columns, constraint_names, errors, not_null_columns, replayed, replayed_for, run,
};
use crate::check::version::PgVersion;
use crate::model::schema::{QualName, Schema};

/// A parent's DROP COLUMN reaches its partitions and children, and so does
/// CASCADE: the views that read the column there are dropped, and without
/// CASCADE they make the drop an error.
#[test]
fn a_parents_drop_column_takes_the_views_on_its_partitions_and_children() {
    let setup = "CREATE TABLE p (id int NOT NULL, v text) PARTITION BY RANGE (id);
         CREATE TABLE n PARTITION OF p FOR VALUES FROM (0) TO (10);
         CREATE TABLE par (id int, v text);
         CREATE TABLE ch (x int) INHERITS (par);
         CREATE MATERIALIZED VIEW mv AS SELECT v, count(*) AS k FROM n GROUP BY v;
         CREATE VIEW w AS SELECT * FROM mv;
         CREATE VIEW w2 AS SELECT v FROM ch;";
    let s = replayed(&format!(
        "{setup}
         ALTER TABLE p DROP COLUMN v CASCADE;
         ALTER TABLE par DROP COLUMN v CASCADE;"
    ));
    assert!(
        s.views.is_empty(),
        "{:?}",
        s.views.keys().collect::<Vec<_>>()
    );
    assert_eq!(columns(&s, "n"), ["id"]);
    assert_eq!(columns(&s, "ch"), ["id", "x"]);
    let e = errors(&format!("{setup} ALTER TABLE par DROP COLUMN v;"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("view w2 depends on it"), "{e:?}");
}

/// A child keeps a column its parent drops when it defines the column itself
/// (merged in CREATE TABLE ... INHERITS, or in the child before the parent's
/// ADD COLUMN, or a table that became a child by INHERIT) or has it from
/// another parent too; NO INHERIT and DETACH PARTITION make the columns its
/// own, ATTACH PARTITION makes them the parent's.
#[test]
fn a_child_keeps_the_columns_it_has_of_its_own_or_from_another_parent() {
    let s = replayed(
        "CREATE TABLE par (id int, v text, w int);
         CREATE TABLE merged (v text) INHERITS (par);
         CREATE TABLE added (x int) INHERITS (par);
         ALTER TABLE added ADD COLUMN z int;
         ALTER TABLE par ADD COLUMN z int;
         ALTER TABLE par ADD COLUMN IF NOT EXISTS z int;
         ALTER TABLE par DROP COLUMN v;
         ALTER TABLE par DROP COLUMN z;
         CREATE TABLE p1 (id int, a int);
         CREATE TABLE p2 (id int, a int);
         CREATE TABLE two () INHERITS (p1, p2);
         ALTER TABLE p1 DROP COLUMN a;
         CREATE TABLE lone (id int, w int);
         ALTER TABLE lone INHERIT par;
         ALTER TABLE par ADD COLUMN q int;
         ALTER TABLE par DROP COLUMN q;
         ALTER TABLE lone NO INHERIT par;
         ALTER TABLE par ADD COLUMN r int;
         CREATE TABLE pp (id int, a int, b int) PARTITION BY LIST (id);
         CREATE TABLE pp1 (id int, a int, b int);
         ALTER TABLE pp ATTACH PARTITION pp1 FOR VALUES IN (1);
         ALTER TABLE pp DROP COLUMN a;
         ALTER TABLE pp DETACH PARTITION pp1;
         ALTER TABLE pp DROP COLUMN b;",
    );
    assert_eq!(columns(&s, "merged"), ["id", "v", "w", "r"]);
    assert_eq!(columns(&s, "added"), ["id", "w", "x", "z", "r"]);
    assert_eq!(columns(&s, "two"), ["id", "a"]);
    assert_eq!(columns(&s, "lone"), ["id", "w"]);
    assert_eq!(columns(&s, "pp1"), ["id", "b"]);
}

/// A primary key added to a parent makes its columns NOT NULL on the children
/// and partitions too, all the way down.
#[test]
fn a_parents_primary_key_makes_the_childrens_columns_not_null() {
    let s = replayed(
        "CREATE TABLE par (id int, c text, d int);
         CREATE TABLE ch (x int) INHERITS (par);
         CREATE TABLE gch () INHERITS (ch);
         ALTER TABLE par ADD PRIMARY KEY (c);
         ALTER TABLE par ADD CONSTRAINT par_d_key UNIQUE (d);
         CREATE TABLE p (id int, at date, v text) PARTITION BY RANGE (at);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         ALTER TABLE p ADD PRIMARY KEY (id, at);",
    );
    let not_null = |t: &str| {
        s.tables[&QualName::public(t)]
            .columns
            .iter()
            .filter(|c| !c.nullable)
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(not_null("ch"), ["c"]);
    assert_eq!(not_null("gch"), ["c"]);
    assert_eq!(not_null("p1"), ["id", "at"]);
}

/// A parent's DROP COLUMN ... CASCADE takes the generated columns that read the
/// column on its children too (with their indexes); without CASCADE it is an
/// error.
#[test]
fn a_parents_drop_column_takes_its_childrens_generated_columns() {
    let setup = "CREATE TABLE par (id int PRIMARY KEY, v text);
         CREATE TABLE child (extra int) INHERITS (par);
         ALTER TABLE child ADD COLUMN g int GENERATED ALWAYS AS (length(id::text)) STORED;
         CREATE INDEX ON child (g);";
    let s = replayed(&format!("{setup} ALTER TABLE par DROP COLUMN id CASCADE;"));
    assert_eq!(columns(&s, "child"), ["v", "extra"]);
    assert!(!s.indexes.contains_key(&QualName::public("child_g_idx")));
    // PostgreSQL 15 and later refuse it without CASCADE; 14 drops them silently.
    let without = format!("{setup} ALTER TABLE par DROP COLUMN id;");
    let on = |major: u32| {
        let mut s = Schema::empty();
        s.target = PgVersion(major);
        let f = run(&mut s, &without);
        (f.errors.len(), s)
    };
    let (n, _) = on(15);
    assert_eq!(n, 1);
    let (n, s) = on(14);
    assert_eq!(n, 0);
    assert_eq!(columns(&s, "child"), ["v", "extra"]);
}

/// From PostgreSQL 18 on NOT NULL is an inherited constraint: a parent's DROP
/// NOT NULL (or DROP CONSTRAINT of it) leaves it on a child where it is the
/// child's own too, or where another parent gives it, and on that child's
/// children; a partition's always goes. A NOT NULL written in a child's
/// CREATE TABLE is named after the child. Before 18 every child loses it.
/// (A model difference found by the differential test on 18 at seed 30046;
/// fixture 0042 applies the same statements to a server.)
#[test]
fn dropping_a_parents_not_null_leaves_the_childrens_own() {
    let sql = format!(
        "{}
         ALTER TABLE f42_p DROP CONSTRAINT f42_p_d_not_null;",
        include_str!(
            "../../../tests/fixtures/fidelity/migrations/0042_drop_not_null_on_a_parent_whose_children_keep_it.up.sql"
        )
    );
    let s = replayed_for(18, &sql);
    // What PostgreSQL 18.4's catalogue says after the same statements.
    for (t, cols, cons) in [
        ("f42_p", &[][..], &[][..]),
        ("f42_k1", &[], &[]),
        ("f42_g1", &[], &[]),
        ("f42_k2", &["c"], &["f42_k2_c_not_null"]),
        ("f42_g2", &["c"], &["f42_k2_c_not_null"]),
        (
            "f42_k3",
            &["c", "d"],
            &["f42_p_c_not_null", "f42_p_d_not_null"],
        ),
        ("f42_k4", &["c"], &["f42_p_c_not_null"]),
        ("f42_k5", &[], &[]),
        ("f42_k6", &["c"], &["f42_mine"]),
        ("f42_k7", &["c"], &["f42_p_c_not_null"]),
        (
            "f42_k8",
            &["c", "d"],
            &["f42_p_c_not_null", "f42_p_d_not_null"],
        ),
        ("f42_r1", &[], &[]),
        ("f42_r2", &[], &[]),
    ] {
        assert_eq!(not_null_columns(&s, t), cols, "NOT NULL columns of {t}");
        assert_eq!(constraint_names(&s, t), cons, "constraints of {t}");
    }
    // PostgreSQL 15: every child loses it.
    let s = replayed_for(
        15,
        include_str!(
            "../../../tests/fixtures/fidelity/migrations/0042_drop_not_null_on_a_parent_whose_children_keep_it.up.sql"
        ),
    );
    for t in [
        "f42_k2", "f42_g2", "f42_k3", "f42_k4", "f42_k6", "f42_k7", "f42_k8",
    ] {
        let c = s.tables[&QualName::public(t)].column("c").unwrap();
        assert!(c.nullable, "{t}.c");
    }
}

/// The constraints written on a column that CREATE TABLE ... INHERITS merges
/// with a parent's are the child's own: the merge once kept only its NOT NULL
/// and DEFAULT, so dropping them was a false error (fixture 0043).
#[test]
fn constraints_on_a_merged_column_are_the_childs() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0043_constraints_on_a_column_merged_with_an_inherited_one.up.sql"
    ));
    assert!(s.tables[&QualName::public("f43_k")].constraints.is_empty());
    let s = replayed(
        "CREATE TABLE p (c int);
         CREATE TABLE k (c int PRIMARY KEY CHECK (c > 0)) INHERITS (p);",
    );
    let k = &s.tables[&QualName::public("k")];
    assert_eq!(
        k.constraints.keys().collect::<Vec<_>>(),
        ["k_c_check", "k_pkey"]
    );
    assert!(!k.column("c").unwrap().nullable);
    assert!(s.indexes.contains_key(&QualName::public("k_pkey")));
}

/// PostgreSQL 18: a NOT NULL added to a parent (SET NOT NULL, ADD CONSTRAINT
/// ... NOT NULL) reaches its partitions and children under the parent's
/// name, unless the child has one of its own already; `NO INHERIT` keeps it
/// off the children.
#[test]
fn a_parents_new_not_null_reaches_its_children_under_its_name() {
    let sql = "CREATE TABLE pa (c int, d int); CREATE TABLE ka () INHERITS (pa); CREATE TABLE ga () INHERITS (ka);
        ALTER TABLE pa ALTER c SET NOT NULL; ALTER TABLE pa ADD CONSTRAINT pa_dd NOT NULL d;
        CREATE TABLE pb (c int) PARTITION BY LIST (c); CREATE TABLE kb PARTITION OF pb FOR VALUES IN (1);
        ALTER TABLE pb ALTER c SET NOT NULL;
        CREATE TABLE pc (c int); CREATE TABLE kc (c int NOT NULL) INHERITS (pc); ALTER TABLE pc ALTER c SET NOT NULL;
        CREATE TABLE pd (c int NOT NULL NO INHERIT, d int); CREATE TABLE kd () INHERITS (pd);
        CREATE TABLE pe (c int, d int); ALTER TABLE pe ADD CONSTRAINT pe_nn NOT NULL c NO INHERIT;
        CREATE TABLE ke () INHERITS (pe);
        CREATE TABLE pf (c int, d int); ALTER TABLE pf ADD CONSTRAINT pf_cnn NOT NULL c NO INHERIT;
        CREATE TABLE kf () INHERITS (pf);
        ALTER TABLE pf ADD CONSTRAINT pf_dnn NOT NULL d;
        CREATE TABLE kf2 () INHERITS (pf);
        ALTER TABLE pf ALTER CONSTRAINT pf_dnn NO INHERIT;
        CREATE TABLE kf3 () INHERITS (pf);
        ALTER TABLE pf ALTER c DROP NOT NULL; ALTER TABLE pf ALTER d DROP NOT NULL;
        CREATE TABLE pg (c int NOT NULL NO INHERIT); CREATE TABLE kg () INHERITS (pg);
        ALTER TABLE pg ALTER CONSTRAINT pg_c_not_null INHERIT;
        CREATE TABLE pp (id int NOT NULL, x int GENERATED ALWAYS AS IDENTITY) PARTITION BY RANGE (id);
        CREATE TABLE pp1 PARTITION OF pp FOR VALUES FROM (0) TO (10);";
    let s = replayed_for(18, sql);
    // What PostgreSQL 18.4's catalogue says after the same statements.
    for (t, cols, cons) in [
        ("ka", &["c", "d"][..], &["pa_c_not_null", "pa_dd"][..]),
        ("ga", &["c", "d"], &["pa_c_not_null", "pa_dd"]),
        ("kb", &["c"], &["pb_c_not_null"]),
        ("kc", &["c"], &["kc_c_not_null"]),
        ("pd", &["c"], &["pd_c_not_null"]),
        ("kd", &[], &[]),
        ("pe", &["c"], &["pe_nn"]),
        ("ke", &[], &[]),
        ("pf", &[], &[]),
        ("kf", &["d"], &["pf_dnn"]),
        ("kf2", &["d"], &["pf_dnn"]),
        ("kf3", &[], &[]),
        ("kg", &["c"], &["pg_c_not_null"]),
        ("pp1", &["id", "x"], &["pp_id_not_null", "pp_x_not_null"]),
    ] {
        assert_eq!(not_null_columns(&s, t), cols, "NOT NULL columns of {t}");
        assert_eq!(constraint_names(&s, t), cons, "constraints of {t}");
    }
}

/// A partition or child has its parent's generated columns with what they
/// read, so LIKE ... INCLUDING GENERATED of it copies the dependency and
/// dropping the column read takes the generated column (a model difference
/// found by the differential test on PostgreSQL 17 at seed 50082; fixture
/// 0046).
#[test]
fn a_childs_inherited_generated_column_reads_what_the_parents_reads() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0046_like_a_partition_with_its_parents_generated_column.up.sql"
    ));
    assert_eq!(columns(&s, "f46_l"), ["at", "v"]);
    assert_eq!(columns(&s, "f46_l2"), Vec::<String>::new());
    let n = &s.tables[&QualName::public("f46_n")];
    assert_eq!(n.generated_from["g"], ["id"]);
}

/// RENAME CONSTRAINT of a parent's CHECK renames the copies its partitions
/// and children hold under its name (found by the differential test with
/// DIFF_CONSTRAINTS=1 on PostgreSQL 15 at seed 22605; fixture 0048, whose
/// names are PostgreSQL 15's and 18's).
#[test]
fn renaming_a_parents_check_renames_the_childrens_copies() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0048_rename_constraint_of_a_parent_renames_the_childrens_copies.up.sql"
    ));
    for (t, cons) in [
        ("f48_p", &["f48_c2", "f48_p_pkey"][..]),
        ("f48_k", &["f48_c2"]),
        ("f48_k2", &["f48_c", "f48_c2"]),
        ("f48_q", &["f48_qc2"]),
        ("f48_q1", &["f48_qc2"]),
    ] {
        assert_eq!(constraint_names(&s, t), cons, "constraints of {t}");
    }
}

/// A parent's CHECK ... NO INHERIT stays off its children, and off the
/// parent's RENAME and DROP CONSTRAINT there; LIKE ... INCLUDING CONSTRAINTS
/// copies it (fixture 0049, whose names are PostgreSQL 14's, 15's and 18's).
#[test]
fn a_parents_no_inherit_check_stays_off_its_children() {
    let sql = include_str!(
        "../../../tests/fixtures/fidelity/migrations/0049_a_parents_no_inherit_check_stays_off_its_children.up.sql"
    );
    let s = replayed(sql);
    for (t, cons) in [
        ("f49_p", &["f49_x"][..]),
        ("f49_c", &["f49_x"]),
        ("f49_c3", &[]),
        ("f49_l", &["f49_x"]),
        ("f49_c4", &["f49_w"]),
    ] {
        assert_eq!(constraint_names(&s, t), cons, "constraints of {t}");
    }
    // PostgreSQL: constraint "f49_x" of relation "f49_c3" does not exist.
    let e = errors(&format!("{sql} ALTER TABLE f49_c3 DROP CONSTRAINT f49_x;"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("f49_x"), "{e:?}");
}

/// DROP ... CASCADE of a table takes its children and partitions, and the
/// foreign keys other tables have to them (found by the differential test
/// with DIFF_CONSTRAINTS=1 on PostgreSQL 17 at seed 50468; fixture 0050).
/// Without CASCADE a child, or a foreign key to a partition, makes the drop
/// an error, as PostgreSQL says ("table c depends on table p", "constraint
/// r2_ref_fkey on table r2 depends on table q1").
#[test]
fn dropping_a_parent_takes_the_foreign_keys_to_its_children() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0050_dropping_a_parent_takes_the_foreign_keys_to_its_children.up.sql"
    ));
    assert!(!s.tables.contains_key(&QualName::public("f50_c")));
    assert_eq!(
        constraint_names(&s, "f50_r"),
        ["f50_r_pkey", "f50_r_ref_fkey"]
    );
    let setup = "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (x int) INHERITS (p);
         CREATE TABLE q (id int PRIMARY KEY) PARTITION BY RANGE (id);
         CREATE TABLE q1 PARTITION OF q FOR VALUES FROM (0) TO (10);
         CREATE TABLE r2 (id int, ref int REFERENCES q1);";
    let e = errors(&format!("{setup} DROP TABLE p;"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("table \"c\" depends on it"), "{e:?}");
    let e = errors(&format!("{setup} DROP TABLE q;"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("constraint \"r2_ref_fkey\""), "{e:?}");
    assert!(errors(&format!("{setup} DROP TABLE c, p; DROP TABLE r2, q;")).is_empty());
}

/// ALTER TABLE ... SET SCHEMA moves the doubt about a partition's index that
/// a parent's index may have adopted (and DROP INDEX ... CASCADE of the
/// parent's then took): found by the differential test on PostgreSQL 14 at
/// seed 40373; fixture 0051, where the index is gone.
#[test]
fn set_schema_keeps_the_doubt_about_an_adopted_index() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0051_set_schema_keeps_the_doubt_about_an_adopted_index.up.sql"
    ));
    let moved = QualName::new("f51_s".to_owned(), "f51_n_at_idx".to_owned());
    assert!(s.doubts(&moved), "{:?}", s.opaque);
    assert!(
        !s.doubts(&QualName::public("f51_n_at_idx")),
        "{:?}",
        s.opaque
    );
}

/// LIKE ... INCLUDING INDEXES names the copies of indexes that ask for the
/// same name in the order the source's indexes were made, which the model
/// does not keep, so it doubts which copy has which name (found by the
/// differential test on PostgreSQL 16 at seed 60409 and on 15 at 22696;
/// fixture 0052, where PostgreSQL keeps f52_l2_lower_idx).
#[test]
fn like_doubts_the_names_of_copies_on_the_same_columns() {
    let s = replayed(include_str!(
        "../../../tests/fixtures/fidelity/migrations/0052_like_copies_of_indexes_on_the_same_columns.up.sql"
    ));
    for name in [
        "f52_l_lower_idx",
        "f52_l_lower_idx1",
        "f52_l2_lower_idx",
        "f52_l2_lower_idx1",
    ] {
        assert!(s.doubts(&QualName::public(name)), "{name}: {:?}", s.opaque);
    }
    assert!(!s.doubts(&QualName::public("f52_l2_pkey")));
}
