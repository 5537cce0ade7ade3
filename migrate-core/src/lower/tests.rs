//! Lowering reads only the statement: each family's changes, checked on the
//! statement alone, with no model.

use super::alter::{AlterCmd, ColumnChange};
use super::constraints::ConstraintDef;
use super::drop::DropKind;
use super::rename::Target;
use super::tables::{ColumnConstraint, Element};
use super::{Change, lower};
use crate::sql::parse::parse;

fn lowered(sql: &str, check: impl FnOnce(Change<'_>)) {
    let stmts = parse("t.sql", sql).unwrap();
    let stmt = stmts.first().unwrap();
    check(lower(&stmt.node).unwrap());
}

#[test]
fn an_unnamed_index_carries_the_label_and_column_names_its_name_is_chosen_from() {
    lowered(
        "CREATE UNIQUE INDEX ON s.t (lower(name)) INCLUDE (id) WHERE id > 0",
        |c| {
            let Change::CreateIndex(ix) = c else {
                panic!("{c:?}")
            };
            assert_eq!((ix.table.schema, ix.table.name), ("s", "t"));
            assert_eq!(ix.name, None);
            assert_eq!(ix.label, "idx");
            assert_eq!(ix.columns, ["(expr)"]);
            // INCLUDE columns are in the name too (t_lower_id_idx).
            assert_eq!(ix.names, ["lower", "id"]);
            assert_eq!(ix.named, ["id"]);
            assert_eq!(ix.uses, ["name", "id"]);
            assert!(ix.unique && ix.partial);
        },
    );
}

#[test]
fn a_repeated_index_column_name_is_numbered_within_an_identifiers_length() {
    use crate::lower::colname::distinct_names;
    let names = |v: &[&str]| distinct_names(v.iter().map(|s| s.to_string()));
    assert_eq!(names(&["a", "a", "b", "a"]), ["a", "a1", "b", "a2"]);
    assert_eq!(names(&["a", "a1", "a"]), ["a", "a1", "a2"]);
    // The number stays inside the 63 bytes, and no character is cut in two.
    let long = format!("{}é", "x".repeat(61));
    let got = names(&[&long, &long]);
    assert_eq!(got[1], format!("{}1", "x".repeat(61)));
    lowered("CREATE INDEX ON t (a, a, lower(b), lower(c))", |c| {
        let Change::CreateIndex(ix) = c else {
            panic!("{c:?}")
        };
        assert_eq!(ix.names, ["a", "a1", "lower", "lower1"]);
    });
}

#[test]
fn a_column_constraint_names_its_column_and_only_a_named_not_null_is_built() {
    lowered(
        "CREATE TABLE t (a int NOT NULL, b int CONSTRAINT b_nn NOT NULL REFERENCES u, CHECK (a > b))",
        |c| {
            let Change::CreateTable(t) = c else {
                panic!("{c:?}")
            };
            let [
                Element::Column(a),
                Element::Column(b),
                Element::Constraint(check),
            ] = t.elements.as_slice()
            else {
                panic!("{:?}", t.elements)
            };
            assert!(matches!(
                a.constraints.as_slice(),
                [ColumnConstraint::NotNull(None)]
            ));
            let [
                ColumnConstraint::NotNull(Some(nn)),
                ColumnConstraint::Table(fk),
            ] = b.constraints.as_slice()
            else {
                panic!("{:?}", b.constraints)
            };
            assert_eq!(
                (nn.name, nn.keys.as_slice()),
                (Some("b_nn"), ["b".to_owned()].as_slice())
            );
            assert!(
                matches!(&fk.kind, ConstraintDef::ForeignKey { columns, .. } if columns == &["b"])
            );
            assert!(
                matches!(&check.kind, ConstraintDef::Check { reads, no_inherit: false, not_null_of: None } if reads == &["a", "b"])
            );
        },
    );
}

#[test]
fn alter_table_commands_are_typed_and_ones_the_model_keeps_nothing_of_are_other() {
    lowered(
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT NULL, SET (fillfactor = 70), DROP COLUMN b CASCADE, OWNER TO r, VALIDATE CONSTRAINT c",
        |c| {
            let Change::AlterTable(a) = c else {
                panic!("{c:?}")
            };
            let [
                AlterCmd::AlterColumn {
                    column: "a",
                    change: ColumnChange::DefaultNull,
                },
                AlterCmd::Other,
                AlterCmd::DropColumn {
                    column: "b",
                    missing_ok: false,
                    cascade: true,
                },
                AlterCmd::ChangeOwner,
                AlterCmd::ValidateConstraint("c"),
            ] = a.cmds.as_slice()
            else {
                panic!("{:?}", a.cmds)
            };
        },
    );
}

#[test]
fn drops_and_renames_keep_the_kind_the_statement_says() {
    lowered("DROP FUNCTION IF EXISTS s.f(int) CASCADE", |c| {
        let Change::Drop(d) = c else { panic!("{c:?}") };
        assert_eq!(d.kind, DropKind::Function);
        assert_eq!(d.objects, [["s", "f"]]);
        assert!(d.missing_ok && d.cascade);
    });
    // ALTER TABLE also renames views: what the name is, the model decides.
    lowered("ALTER TABLE v RENAME TO w", |c| {
        let Change::Rename(r) = c else {
            panic!("{c:?}")
        };
        assert_eq!(r.target, Target::Table);
        assert_eq!((r.relation.map(|r| r.name), r.newname), (Some("v"), "w"));
    });
}

#[test]
fn what_the_lint_rules_read_is_lowered_too() {
    // Validity, a check that says one column IS NOT NULL, a default's call.
    lowered(
        "ALTER FOREIGN TABLE t ADD COLUMN a uuid NOT NULL DEFAULT 1 DEFAULT public.gen_random_uuid(), \
         ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID, ADD FOREIGN KEY (a) REFERENCES u",
        |c| {
            let Change::AlterTable(a) = c else {
                panic!("{c:?}")
            };
            assert!(a.foreign);
            let [
                AlterCmd::AddColumn { def, .. },
                AlterCmd::AddConstraint(check),
                AlterCmd::AddConstraint(fk),
            ] = a.cmds.as_slice()
            else {
                panic!("{:?}", a.cmds)
            };
            assert_eq!(def.default_calls.as_deref(), Some("gen_random_uuid"));
            assert!(def.any_default() && def.any_not_null() && !def.serial());
            assert!(check.not_valid && !fk.not_valid);
            assert!(matches!(&check.kind,
                ConstraintDef::Check { not_null_of: Some(col), .. } if col == "a"));
        },
    );
    lowered("CREATE INDEX CONCURRENTLY ON t (a)", |c| {
        let Change::CreateIndex(ix) = c else {
            panic!("{c:?}")
        };
        assert!(ix.concurrent);
    });
}

/// pg_dump's spelling of an index is the same index; another index is not.
#[test]
fn an_index_in_pg_dumps_spelling_has_the_same_definition() {
    let def = |sql: &str| {
        let mut out = String::new();
        lowered(sql, |c| {
            let Change::CreateIndex(ix) = c else {
                panic!("{c:?}")
            };
            out = ix.definition.clone();
        });
        out
    };
    let same = [
        (
            "CREATE INDEX i ON t (lower(b))",
            "CREATE INDEX i ON public.t USING btree (lower((b)::text))",
        ),
        (
            "CREATE INDEX i ON t (a) WHERE a IN (1, 2)",
            "CREATE INDEX i ON t (a) WHERE (a = ANY (ARRAY[1, 2]))",
        ),
        (
            "CREATE INDEX i ON t (a) WHERE b = 'x'",
            "CREATE INDEX i ON t (a) WHERE ((b)::text = 'x'::text)",
        ),
        (
            "CREATE INDEX i ON t (c text_ops)",
            "CREATE INDEX i ON ONLY t (c)",
        ),
        (
            "CREATE INDEX i ON t ((c::int))",
            "CREATE INDEX i ON t (CAST(c AS int4))",
        ),
        (
            "CREATE INDEX i ON t (pg_catalog.lower(c) COLLATE \"default\")",
            "CREATE INDEX i ON t (lower(c))",
        ),
    ];
    for (a, b) in same {
        assert_eq!(def(a), def(b), "{a} / {b}");
    }
    // What pg_get_indexdef prints of what the analysis made of them.
    let loose = [
        (
            "CREATE INDEX i ON t (id) WHERE n > 0",
            "CREATE INDEX i ON t (id) WHERE (n > (0)::numeric)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE id = -1",
            "CREATE INDEX i ON t (id) WHERE (id = '-1'::integer)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE n <> 1e3",
            "CREATE INDEX i ON t (id) WHERE (n <> '1000'::numeric)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE id BETWEEN 1 AND 10",
            "CREATE INDEX i ON t (id) WHERE ((id >= 1) AND (id <= 10))",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE s LIKE 'a%'",
            "CREATE INDEX i ON t (id) WHERE ((s)::text ~~ 'a%'::text)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE s NOT ILIKE 'a%'",
            "CREATE INDEX i ON t (id) WHERE ((s)::text !~~* 'a%'::text)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE j @> '{\"a\":1}'",
            "CREATE INDEX i ON t (id) WHERE (j @> '{\"a\": 1}'::jsonb)",
        ),
        (
            "CREATE INDEX i ON t (id) WHERE arr && '{1, 2}'",
            "CREATE INDEX i ON t (id) WHERE (arr && '{1,2}'::integer[])",
        ),
        (
            "CREATE INDEX i ON t (((id::int4)))",
            "CREATE INDEX i ON t (id)",
        ),
        (
            "CREATE INDEX i ON t ((tx COLLATE \"C\"))",
            "CREATE INDEX i ON t (tx COLLATE \"C\")",
        ),
    ];
    for (a, b) in loose {
        assert_eq!(def(a), def(b), "{a} / {b}");
    }
    // SIMILAR TO's call of pg_catalog.similar_to_escape keeps its name: the
    // deparser asserts on it (an abort, not an error).
    assert!(def("CREATE INDEX i ON t (tx) WHERE tx SIMILAR TO 'a%'").contains("SIMILAR TO"));
    assert!(def("CREATE INDEX i ON t ((tx NOT SIMILAR TO 'a%' ESCAPE '#'))").contains("SIMILAR"));
    let differ = [
        (
            "CREATE INDEX i ON t (lower(b))",
            "CREATE INDEX i ON t (upper(b))",
        ),
        (
            "CREATE INDEX i ON t (c)",
            "CREATE INDEX i ON t (c text_pattern_ops)",
        ),
        (
            "CREATE INDEX i ON t (a) WHERE a IN (1, 2)",
            "CREATE INDEX i ON t (a) WHERE a IN (1, 3)",
        ),
        (
            "CREATE INDEX i ON t (a) WHERE n > 0",
            "CREATE INDEX i ON t (a) WHERE n > 1",
        ),
        (
            "CREATE INDEX i ON t (c COLLATE \"C\")",
            "CREATE INDEX i ON t (c)",
        ),
    ];
    for (a, b) in differ {
        assert_ne!(def(a), def(b), "{a} / {b}");
    }
}

/// A SQL-standard body in pg_dump's spelling is the same body; another
/// body is not.
#[test]
fn a_sql_standard_body_in_pg_dumps_spelling_is_the_same_body() {
    let body = |sql: &str| {
        let mut out = String::new();
        lowered(sql, |c| {
            let Change::CreateFunction(f) = c else {
                panic!("{c:?}")
            };
            out = f.body.clone();
        });
        out
    };
    let f = |b: &str| format!("CREATE FUNCTION f(x int, s varchar) RETURNS int LANGUAGE sql {b}");
    let same = [
        (
            "RETURN (SELECT count(*) FROM t)",
            "RETURN (SELECT count(*) AS count FROM public.t)",
        ),
        ("RETURN x IN (1, 2)", "RETURN (x = ANY (ARRAY[1, 2]))"),
        ("RETURN $1 + f.x", "RETURN (x + x)"),
        ("RETURN s || 'a'", "RETURN ((s)::text || 'a'::text)"),
        (
            "BEGIN ATOMIC SELECT pg_catalog.lower(s); END",
            "BEGIN ATOMIC SELECT lower(s); END",
        ),
        (
            "BEGIN ATOMIC SELECT sum(a) FROM t WHERE s = 'x'; END",
            "BEGIN ATOMIC SELECT sum(t.a) AS sum FROM public.t WHERE ((t.s)::text = 'x'::text); END",
        ),
    ];
    for (a, b) in same {
        assert_eq!(body(&f(a)), body(&f(b)), "{a} / {b}");
    }
    let differ = [
        (
            "RETURN (SELECT count(*) FROM t)",
            "RETURN (SELECT count(*) FROM u)",
        ),
        (
            "RETURN (SELECT count(*) AS n FROM t)",
            "RETURN (SELECT count(*) FROM t)",
        ),
        ("RETURN $1", "RETURN $2"),
        ("RETURN x IN (1, 2)", "RETURN x NOT IN (1, 2)"),
    ];
    for (a, b) in differ {
        assert_ne!(body(&f(a)), body(&f(b)), "{a} / {b}");
    }
}
