//! `adopt --from TOOL`: take over a database another migration tool manages, by
//! reading its history table and recording ours, without running any SQL.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::conn::Conn;
use super::state::{self, HistoryDirection, Mark, Session};
use crate::error::{MigrateError, MigrationRef};
use crate::migration::Version;
use crate::registry::Registry;
use crate::sql::literal;

/// A tool whose history table can be adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `schema_migrations(version, dirty)`: the version and everything below it.
    GolangMigrate,
    /// `refinery_schema_history(version int4, name, applied_on, checksum)`.
    Refinery,
    /// `_sqlx_migrations(version bigint, ..., success)`: the successful rows.
    Sqlx,
    /// `__diesel_schema_migrations(version varchar, run_on)`: digits of the
    /// directory's timestamp (`2023-01-01-120000` is stored as `20230101120000`).
    Diesel,
}

impl Tool {
    /// The tool's history table, as it names it by default.
    pub fn table(self) -> &'static str {
        match self {
            Tool::GolangMigrate => "schema_migrations",
            Tool::Refinery => "refinery_schema_history",
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Diesel => "__diesel_schema_migrations",
        }
    }
}

impl FromStr for Tool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "golang-migrate" | "migrate" => Tool::GolangMigrate,
            "refinery" => Tool::Refinery,
            "sqlx" => Tool::Sqlx,
            "diesel" => Tool::Diesel,
            other => {
                return Err(format!(
                    "{other:?} is not one of golang-migrate, refinery, sqlx, diesel"
                ));
            }
        })
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::GolangMigrate => "golang-migrate",
            Tool::Refinery => "refinery",
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
        })
    }
}

/// The versions another tool applied, read from its table.
pub(crate) async fn applied_versions<C: Conn>(
    client: &mut C,
    tool: Tool,
    registry: &Registry,
    s: &Session,
) -> Result<BTreeSet<i64>, MigrateError> {
    let table = match tool {
        Tool::GolangMigrate => s.version_table.sql(),
        _ => tool.table().to_owned(),
    };
    let found = client
        .simple(&format!(
            "SELECT to_regclass({}) IS NOT NULL",
            literal(&table)
        ))
        .await
        .map_err(|e| MigrateError::db(format!("looking for {table}"), e))?;
    if super::lock::first_value(&found).as_deref() != Some("t") {
        return Err(MigrateError::AdoptNoTable {
            tool: tool.to_string(),
            table,
        });
    }
    let sql = match tool {
        Tool::GolangMigrate => format!("SELECT version::text, dirty::text FROM {table}"),
        Tool::Refinery => format!("SELECT version::text, 'false' FROM {table}"),
        Tool::Sqlx => format!("SELECT version::text, 'false' FROM {table} WHERE success"),
        Tool::Diesel => format!("SELECT version::text, 'false' FROM {table}"),
    };
    let msgs = client
        .simple(&sql)
        .await
        .map_err(|e| MigrateError::db(format!("reading {table}"), e))?;
    let mut out = BTreeSet::new();
    for row in state::result_sets(&msgs).into_iter().flatten() {
        let raw = row[0].clone().unwrap_or_default();
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let v: i64 = digits.parse().map_err(|_| MigrateError::BadTable {
            table: table.clone(),
            message: format!("version {raw:?} is not a number"),
        })?;
        if tool == Tool::GolangMigrate {
            if row[1].as_deref() == Some("t") {
                return Err(MigrateError::Dirty {
                    version: Version::new(v),
                    migration: registry.get(Version::new(v)).map(MigrationRef::of),
                    before: registry
                        .iter()
                        .rev()
                        .map(|m| m.version)
                        .find(|x| x.get() < v),
                });
            }
            // golang-migrate is linear: the version means everything up to it.
            out.extend(registry.iter().map(|m| m.version.get()).filter(|&x| x <= v));
            out.insert(v);
        } else {
            out.insert(v);
        }
    }
    Ok(out)
}

/// Checks that the applied versions are exactly the registry's oldest ones.
pub(crate) fn check_lines_up(
    tool: Tool,
    registry: &Registry,
    applied: &BTreeSet<i64>,
) -> Result<(), MigrateError> {
    let unknown: Vec<i64> = applied
        .iter()
        .copied()
        .filter(|v| registry.get(Version::new(*v)).is_none())
        .collect();
    let newest = applied.last().copied();
    let gaps: Vec<MigrationRef> = registry
        .iter()
        .filter(|m| {
            !applied.contains(&m.version.get()) && newest.is_some_and(|n| m.version.get() < n)
        })
        .map(MigrationRef::of)
        .collect();
    if unknown.is_empty() && gaps.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::AdoptMismatch {
            tool: tool.to_string(),
            unknown,
            gaps,
        })
    }
}

/// The baseline rows for the adopted versions.
pub(crate) fn marks(registry: &Registry, applied: &BTreeSet<i64>) -> Vec<Mark> {
    registry
        .iter()
        .filter(|m| applied.contains(&m.version.get()))
        .map(|m| Mark::of(m, HistoryDirection::Baseline))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_parse() {
        assert_eq!("sqlx".parse::<Tool>(), Ok(Tool::Sqlx));
        assert_eq!("golang-migrate".parse::<Tool>(), Ok(Tool::GolangMigrate));
        assert!("flyway".parse::<Tool>().is_err());
        assert_eq!(Tool::Diesel.table(), "__diesel_schema_migrations");
    }
}
