//! Syntax that only newer PostgreSQL versions accept.
//!
//! libpg_query parses PostgreSQL 18's grammar, so a migration written for 18
//! parses here even when the target (the oldest server it must run on) is 14.
//! Each feature below is one whose parse tree says so unambiguously; the list
//! errs on the side of leaving a feature out, because a wrong entry would
//! reject what the target accepts.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, AlterTableType, ConstrType};

/// The oldest PostgreSQL major version the tool follows.
pub const OLDEST: u32 = 14;
/// The newest PostgreSQL major version the tool follows (libpg_query's).
pub const NEWEST: u32 = 18;

/// The target a migration set is checked for: the oldest server major version
/// it must run on (`embed_migrations!(.., postgres = "15")`, `--postgres 15`,
/// at run time the server's own). Behaviour that differs follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PgVersion(pub u32);

impl Default for PgVersion {
    /// 14 and up: the versions the old README promises.
    fn default() -> Self {
        PgVersion(OLDEST)
    }
}

impl PgVersion {
    /// Parses `"15"` (also `"15.4"`, the major part counts); only 14 to 18.
    ///
    /// # Errors
    ///
    /// A message saying which versions are known.
    pub fn parse(s: &str) -> Result<PgVersion, String> {
        let major = s.trim().split('.').next().unwrap_or_default();
        match major.parse::<u32>() {
            Ok(v) if (OLDEST..=NEWEST).contains(&v) => Ok(PgVersion(v)),
            _ => Err(format!(
                "unknown PostgreSQL version \"{s}\": the tool follows {OLDEST} to {NEWEST}"
            )),
        }
    }

    /// From `server_version_num` (150004 is 15.4); versions past the newest
    /// the tool knows are taken as the newest.
    pub fn from_server_version_num(n: u32) -> PgVersion {
        PgVersion((n / 10_000).clamp(OLDEST, NEWEST))
    }
}

impl std::fmt::Display for PgVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The first feature of `node` (whose source text is `text`) that needs a newer
/// server than `target`: the feature and the version that brought it.
///
/// Constraints and ALTER TABLE commands are read where they sit; expressions
/// (SQL/JSON, MERGE inside WITH) only when the text names them, so that the
/// common statement costs no walk of its tree.
pub fn needs(node: &NodeEnum, text: &str, target: PgVersion) -> Option<(&'static str, u32)> {
    let mut found: Option<(&'static str, u32)> = None;
    let mut note = |what: &'static str, v: u32| {
        if v > target.0 && found.is_none_or(|(_, f)| v < f) {
            found = Some((what, v));
        }
    };
    match node {
        NodeEnum::MergeStmt(m) => {
            note("MERGE", 15);
            if m.returning_clause
                .as_ref()
                .is_some_and(|r| !r.exprs.is_empty())
            {
                note("MERGE ... RETURNING", 17);
            }
        }
        NodeEnum::IndexStmt(s) if s.nulls_not_distinct => note("NULLS NOT DISTINCT", 15),
        NodeEnum::CreateStmt(s) => {
            for e in &s.table_elts {
                match &e.node {
                    Some(NodeEnum::Constraint(c)) => {
                        if c.contype == ConstrType::ConstrNotnull as i32 {
                            note("a table-level NOT NULL constraint", 18);
                        }
                        constraint(c, &mut note);
                    }
                    Some(NodeEnum::ColumnDef(cd)) => column(cd, &mut note),
                    _ => {}
                }
            }
        }
        NodeEnum::AlterTableStmt(s) => {
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                    continue;
                };
                if cmd.subtype == AlterTableType::AtSetExpression as i32 {
                    note("ALTER COLUMN ... SET EXPRESSION", 17);
                }
                if cmd.subtype == AlterTableType::AtSetAccessMethod as i32 {
                    note("ALTER TABLE ... SET ACCESS METHOD", 15);
                }
                match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                    Some(NodeEnum::Constraint(c)) => {
                        if cmd.subtype == AlterTableType::AtAddConstraint as i32
                            && c.contype == ConstrType::ConstrNotnull as i32
                        {
                            note("ADD CONSTRAINT ... NOT NULL", 18);
                        }
                        constraint(c, &mut note);
                    }
                    Some(NodeEnum::ColumnDef(cd)) => column(cd, &mut note),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    let lower = text.to_ascii_lowercase();
    if ["json", "merge"].iter().any(|k| lower.contains(k)) {
        let kinds = crate::sql::walk::walk_node(node).kinds;
        let has = |k: &str| kinds.iter().any(|x| x == k);
        if has("JsonTable") {
            note("JSON_TABLE", 17);
        }
        if has("JsonIsPredicate") {
            note("IS JSON", 16);
        }
        let constructors = [
            "JsonObjectConstructor",
            "JsonArrayConstructor",
            "JsonArrayQueryConstructor",
            "JsonObjectAgg",
            "JsonArrayAgg",
        ];
        if constructors.iter().any(|k| has(k)) {
            note("SQL/JSON constructors (JSON_OBJECT, JSON_ARRAY, ...)", 16);
        }
        if has("MergeStmt") {
            note("MERGE", 15);
        }
    }
    found
}

fn column(cd: &pb::ColumnDef, note: &mut impl FnMut(&'static str, u32)) {
    for c in &cd.constraints {
        if let Some(NodeEnum::Constraint(c)) = &c.node {
            constraint(c, note);
        }
    }
}

fn constraint(c: &pb::Constraint, note: &mut impl FnMut(&'static str, u32)) {
    if c.nulls_not_distinct {
        note("NULLS NOT DISTINCT", 15);
    }
    if c.without_overlaps {
        note("WITHOUT OVERLAPS", 18);
    }
    if c.contype == ConstrType::ConstrGenerated as i32 && c.generated_kind == "v" {
        note(
            "a virtual generated column (GENERATED ALWAYS AS without STORED)",
            18,
        );
    }
    let enforceable = c.contype == ConstrType::ConstrCheck as i32
        || c.contype == ConstrType::ConstrForeign as i32;
    if !c.is_enforced && enforceable {
        note("NOT ENFORCED", 18);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse;

    fn first_need(sql: &str, target: u32) -> Option<(&'static str, u32)> {
        parse("t.sql", sql)
            .expect("parses")
            .iter()
            .find_map(|s| needs(&s.node, &sql[s.start..s.end], PgVersion(target)))
    }

    #[test]
    fn what_postgresql_14_accepts_needs_nothing_newer() {
        let sql = "CREATE TABLE a (id int PRIMARY KEY, b int NOT NULL UNIQUE, c int CHECK (c > 0),
                       d int REFERENCES a (id) ON DELETE CASCADE, e int GENERATED ALWAYS AS (b * 2) STORED,
                       f int GENERATED BY DEFAULT AS IDENTITY, CONSTRAINT k CHECK (b < 10),
                       FOREIGN KEY (b) REFERENCES a (id) DEFERRABLE INITIALLY DEFERRED, EXCLUDE USING gist (c WITH =));
                   ALTER TABLE a ADD CONSTRAINT c2 CHECK (c < 5) NOT VALID, ALTER COLUMN b SET NOT NULL;
                   ALTER TABLE a ADD CONSTRAINT u UNIQUE (c), ADD CONSTRAINT f2 FOREIGN KEY (c) REFERENCES a (id);
                   CREATE UNIQUE INDEX ON a (b) WHERE c > 0;
                   CREATE VIEW v AS SELECT json_build_object('a', 1), to_jsonb(a) FROM a;
                   INSERT INTO a (id, b) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET b = 3 RETURNING *;";
        assert_eq!(first_need(sql, 14), None);
    }

    #[test]
    fn newer_syntax_names_the_version_it_needs() {
        let cases = [
            ("CREATE TABLE a (b int UNIQUE NULLS NOT DISTINCT)", 15),
            (
                "MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE",
                15,
            ),
            ("SELECT JSON_OBJECT('a' VALUE 1)", 16),
            ("SELECT '1' IS JSON", 16),
            ("ALTER TABLE a ALTER COLUMN b SET EXPRESSION AS (c + 1)", 17),
            (
                "SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (a int PATH '$.a')) t",
                17,
            ),
            (
                "CREATE TABLE a (b int, c int GENERATED ALWAYS AS (b + 1))",
                18,
            ),
            ("CREATE TABLE a (b int, CONSTRAINT a_b_nn NOT NULL b)", 18),
            ("ALTER TABLE a ADD CONSTRAINT a_b_nn NOT NULL b", 18),
            (
                "ALTER TABLE a ADD CONSTRAINT c CHECK (b > 0) NOT ENFORCED",
                18,
            ),
        ];
        for (sql, v) in cases {
            assert_eq!(first_need(sql, 14).map(|(_, n)| n), Some(v), "{sql}");
            assert_eq!(first_need(sql, v), None, "{sql} on {v}");
        }
    }
}
