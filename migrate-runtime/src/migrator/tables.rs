//! The migration tables themselves: which exist, creating them when missing
//! (under the lock), bringing an older history table up to date, and the SQL
//! that writes golang-migrate's version row. What they hold is read in
//! `state.rs`.

use super::conn::Conn;
use super::state::{DbState, HistoryDirection, Session, rows};
use crate::error::MigrateError;
use crate::sql::{QualifiedTable, literal};

/// Which of the migration tables exist, and whether the history has the
/// `down_checksum` column (tables written before it was kept do not).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tables {
    pub version: bool,
    pub history: bool,
    pub down_checksum: bool,
}

/// Looks for the migration tables: one round trip.
pub(crate) async fn tables<C: Conn>(client: &mut C, s: &Session) -> Result<Tables, MigrateError> {
    let exists = format!(
        "SELECT to_regclass({v}) IS NOT NULL, to_regclass({h}) IS NOT NULL, \
         EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({h}) \
                   AND attname = 'down_checksum' AND NOT attisdropped)",
        v = literal(&s.version_table.sql()),
        h = literal(&s.history_table.sql())
    );
    let msgs = client
        .simple(&exists)
        .await
        .map_err(|e| MigrateError::db("looking for the migration tables", e))?;
    let flags = rows(&msgs);
    Ok(flags
        .first()
        .map(|r| Tables {
            version: r[0].as_deref() == Some("t"),
            history: r[1].as_deref() == Some("t"),
            down_checksum: r[2].as_deref() == Some("t"),
        })
        .unwrap_or_default())
}

/// Creates the tables when missing. Called under the lock: `CREATE TABLE IF NOT
/// EXISTS` is not safe against a concurrent one.
pub(crate) async fn ensure_tables<C: Conn>(
    client: &mut C,
    s: &Session,
    state: &DbState,
) -> Result<(), MigrateError> {
    let mut sql = String::new();
    if !state.version_table_exists || !state.history_table_exists {
        // A schema named in --migrations-table may not exist yet. Only created
        // when missing: CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on
        // the database even when the schema exists.
        for schema in [&s.version_table.schema, &s.history_table.schema] {
            let found = client
                .simple(&format!(
                    "SELECT 1 FROM pg_namespace WHERE nspname = {}",
                    literal(schema)
                ))
                .await
                .map_err(|e| MigrateError::db("looking for the migration tables' schema", e))?;
            if rows(&found).is_empty() {
                sql.push_str(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {};",
                    crate::sql::ident(schema)
                ));
            }
        }
    }
    if !state.version_table_exists {
        // golang-migrate's definition, unchanged, so its driver accepts the table.
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);",
            s.version_table.sql()
        ));
    }
    if !state.history_table_exists {
        let dirs: Vec<String> = HistoryDirection::ALL
            .iter()
            .map(|d| literal(d.as_str()))
            .collect();
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} (
                id bigserial PRIMARY KEY,
                version bigint NOT NULL,
                name text NOT NULL,
                checksum text,
                down_checksum text,
                direction text NOT NULL CHECK (direction IN ({})),
                applied_at timestamptz NOT NULL DEFAULT now(),
                duration_ms bigint,
                applied_by text NOT NULL DEFAULT current_user
            );",
            s.history_table.sql(),
            dirs.join(", "),
        ));
    }
    if state.history_table_exists && !state.history_has_down_checksum {
        sql.push_str(&upgrade_history_sql(client, s).await?);
    }
    if sql.is_empty() {
        return Ok(());
    }
    if let Err(e) = client.batch(&format!("BEGIN; {sql} COMMIT;")).await {
        let _ = client.batch("ROLLBACK").await;
        return Err(MigrateError::db(
            format!("creating {} and {}", s.version_table, s.history_table),
            e,
        ));
    }
    Ok(())
}

/// Brings a history table made before down checksums and `repair` up to
/// date: the column is added (old rows keep NULL: their down was not
/// recorded) and the direction check admits every direction. Columns are only
/// added, so an older binary still reads and writes the table.
async fn upgrade_history_sql<C: Conn>(client: &mut C, s: &Session) -> Result<String, MigrateError> {
    let t = s.history_table.sql();
    let msgs = client
        .simple(&format!(
            "SELECT conname FROM pg_constraint WHERE conrelid = {}::regclass AND contype = 'c' \
               AND pg_get_constraintdef(oid) LIKE '%direction%'",
            literal(&t)
        ))
        .await
        .map_err(|e| {
            MigrateError::db(format!("reading the constraints of {}", s.history_table), e)
        })?;
    let mut sql = format!("ALTER TABLE {t} ADD COLUMN IF NOT EXISTS down_checksum text;");
    for r in rows(&msgs) {
        if let Some(name) = &r[0] {
            sql.push_str(&format!(
                "ALTER TABLE {t} DROP CONSTRAINT {};",
                crate::sql::ident(name)
            ));
        }
    }
    let dirs: Vec<String> = HistoryDirection::ALL
        .iter()
        .map(|d| literal(d.as_str()))
        .collect();
    sql.push_str(&format!(
        "ALTER TABLE {t} ADD CHECK (direction IN ({}));",
        dirs.join(", ")
    ));
    Ok(sql)
}

/// SQL that sets golang-migrate's row in place (no TRUNCATE: it takes an
/// exclusive lock and a new relation file every time), or deletes it for "no
/// version".
pub(crate) fn set_version_sql(table: &QualifiedTable, version: Option<i64>, dirty: bool) -> String {
    let t = table.sql();
    match version {
        Some(v) => format!(
            "UPDATE {t} SET version = {v}, dirty = {dirty}; \
             INSERT INTO {t} (version, dirty) SELECT {v}, {dirty} WHERE NOT EXISTS (SELECT 1 FROM {t});"
        ),
        None => format!("DELETE FROM {t};"),
    }
}

/// [`set_version_sql`] for a step whose row is known to exist (some version
/// was applied before it, under the lock): the UPDATE alone. This runs once per
/// migration, so the statement saved shows in long runs.
pub(crate) fn update_version_sql(
    table: &QualifiedTable,
    version: Option<i64>,
    dirty: bool,
) -> String {
    match version {
        Some(v) => format!("UPDATE {} SET version = {v}, dirty = {dirty};", table.sql()),
        None => format!("DELETE FROM {};", table.sql()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_sql_updates_in_place() {
        let t = QualifiedTable {
            schema: "public".into(),
            name: "schema_migrations".into(),
        };
        let sql = set_version_sql(&t, Some(5), false);
        assert!(sql.starts_with(
            "UPDATE \"public\".\"schema_migrations\" SET version = 5, dirty = false;"
        ));
        assert!(!sql.contains("TRUNCATE"));
        assert_eq!(
            set_version_sql(&t, None, false),
            "DELETE FROM \"public\".\"schema_migrations\";"
        );
    }
}
