//! Proving that `up` has nothing to do without reading the history.
//!
//! Most runs of `up` have nothing to do (every deploy runs it), and reading the
//! latest history row of every version costs a row per migration on the wire
//! and in the client: at 5,000 migrations, more than the rest of the run. The
//! server instead sums up what the checks would read: how many versions are
//! applied, and a SHA-256 of each applied version with its recorded up
//! checksum. When that is exactly what this registry would have written
//! (every migration applied, the same checksums, the version row clean at the
//! newest), the checks of the full read would find nothing and no step would
//! run; anything else (a pending migration, drift, a missing file, a checksum
//! never recorded, an unknown row) falls back to the full read, which decides
//! and explains. The summary only ever says "the same as the full read would
//! conclude", or nothing.

use migrate_core::source::checksum::hex;
use sha2::{Digest, Sha256};

use super::conn::Conn;
use super::state::{HistoryDirection, Session, parse_i64, result_sets};
use super::tables::Tables;
use crate::error::MigrateError;
use crate::migration::Version;
use crate::registry::Registry;
use crate::sql::literal;

/// One line of the digest: the version, and the up's checksum as recorded
/// (`+` and the text) or absent (nothing), so that a NULL and any text
/// differ. The downs are not in it: `up` runs none, and an edited down is
/// not its refusal ([`super::problems::Files`]). The server spells the same
/// line in [`summary_sql`].
fn line(version: i64, checksum: Option<&str>) -> String {
    format!(
        "{version} {}",
        checksum.map_or(String::new(), |c| format!("+{c}"))
    )
}

/// The digest the history of a database at this registry's newest version
/// has when every migration was applied from these files.
fn expected(registry: &Registry) -> String {
    let mut h = Sha256::new();
    for (i, m) in registry.iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(line(m.version.get(), Some(m.checksum())).as_bytes());
    }
    hex(&h.finalize())
}

/// The list of directions, quoted, for `IN (...)`.
fn directions(pick: impl Fn(HistoryDirection) -> bool) -> String {
    HistoryDirection::ALL
        .into_iter()
        .filter(|d| pick(*d))
        .map(|d| literal(d.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The version row, then (count of applied versions, whether every latest
/// row is of a known kind, the digest of the applied ones).
fn summary_sql(s: &Session) -> String {
    let applied = directions(HistoryDirection::is_applied);
    let known = directions(|_| true);
    format!(
        "SELECT version, dirty FROM {vt} LIMIT 1; \
         SELECT count(*) FILTER (WHERE direction IN ({applied})), \
                coalesce(bool_and(direction IN ({known})), true), \
                encode(sha256(convert_to(coalesce(string_agg(\
                    version::text || ' ' || coalesce('+' || checksum, ''), \
                    E'\\n' ORDER BY version) FILTER (WHERE direction IN ({applied})), ''), 'UTF8')), 'hex') \
         FROM (SELECT DISTINCT ON (version) version, checksum, direction \
               FROM {ht} ORDER BY version, id DESC) h;",
        vt = s.version_table.sql(),
        ht = s.history_table.sql(),
    )
}

/// What the server says of a database's history (see the module docs): read
/// without the migrations, so the CLI reads it while it loads them.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    version: i64,
    clean: bool,
    count: Option<usize>,
    known: bool,
    digest: Option<String>,
}

impl Summary {
    /// The version the database is at, when this proves that `up` with
    /// `registry` has nothing to do.
    pub(crate) fn proves(&self, registry: &Registry) -> Option<Version> {
        let latest = registry.latest()?;
        let proven = self.clean
            && self.version == latest.version.get()
            && self.known
            && self.count == Some(registry.len())
            && self.digest.as_deref() == Some(expected(registry).as_str());
        proven.then_some(Version::new(self.version))
    }
}

/// The server's summary; `None` without both tables or a version row.
pub(crate) async fn summary<C: Conn>(
    client: &mut C,
    s: &Session,
    t: Tables,
) -> Result<Option<Summary>, MigrateError> {
    if !(t.version && t.history) {
        return Ok(None);
    }
    let msgs = client.simple(&summary_sql(s)).await.map_err(|e| {
        MigrateError::db(
            format!("reading {} and {}", s.version_table, s.history_table),
            e,
        )
    })?;
    let sets = result_sets(&msgs);
    let (Some([row]), Some([summary])) = (
        sets.first().map(Vec::as_slice),
        sets.get(1).map(Vec::as_slice),
    ) else {
        return Ok(None);
    };
    let (Some(version), Some(dirty)) = (row.first(), row.get(1)) else {
        return Ok(None);
    };
    Ok(Some(Summary {
        version: parse_i64(version, &s.version_table)?,
        clean: dirty.as_deref() == Some("f"),
        count: summary
            .first()
            .and_then(|c| c.as_deref()?.parse::<usize>().ok()),
        known: summary.get(1).is_some_and(|k| k.as_deref() == Some("t")),
        digest: summary.get(2).cloned().flatten(),
    }))
}

/// The version the database is at, when the server's summary proves that
/// `up` has nothing to do; `None` when it does not (then read the history).
pub(crate) async fn proven<C: Conn>(
    client: &mut C,
    s: &Session,
    t: Tables,
    registry: &Registry,
) -> Result<Option<Version>, MigrateError> {
    if registry.latest().is_none() {
        return Ok(None);
    }
    Ok(summary(client, s, t)
        .await?
        .and_then(|sum| sum.proves(registry)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::{Migration, Script};
    use crate::migrator::conn::{Blocking, block_on};
    use crate::migrator::{Migrator, Options, tables};

    #[test]
    fn a_null_and_any_text_differ() {
        assert_ne!(line(1, None), line(1, Some("")));
        assert_eq!(line(12, Some("ab")), "12 +ab");
    }

    fn registry(downs: bool) -> Registry {
        let script = |sql: &str| {
            let checksum = migrate_core::source::checksum::checksum(sql);
            Script::new(
                "m/x.sql".into(),
                sql.into(),
                checksum,
                true,
                vec![(0, sql.len())],
            )
        };
        Registry::new(
            (1..=3)
                .map(|v| {
                    let down = downs.then(|| (script(&format!("DROP TABLE t{v}")), false));
                    Migration::new(
                        Version::new(v),
                        format!("t{v}"),
                        script(&format!("CREATE TABLE t{v} (id int)")),
                        down,
                    )
                })
                .collect(),
        )
    }

    /// What the summary says of the database as it is now.
    fn proven_now(client: &mut postgres::Client, registry: &Registry) -> Option<Version> {
        let m = Migrator::with_options(registry, Options::default());
        let c = &mut Blocking(client);
        block_on(async {
            let s = m.session(c).await?;
            let t = tables::tables(c, &s).await?;
            proven(c, &s, t, registry).await
        })
        .unwrap()
    }

    /// The summary proves "nothing to do" exactly when the database is at the
    /// newest version with every migration applied from these files; every
    /// other state is left to the full read (whose answers the migrator
    /// tests check).
    #[test]
    fn proves_nothing_to_do_only_when_the_history_is_these_files() {
        let db = test_support::TestDb::new();
        let mut c = db.client();
        let reg = registry(true);
        assert_eq!(proven_now(&mut c, &reg), None, "no tables yet");
        Migrator::new(&reg).up(&mut c).unwrap();
        assert_eq!(proven_now(&mut c, &reg), Some(Version::new(3)));
        // Seen from a registry without downs: the downs are not `up`'s
        // concern (as for the full read, `problems::Files::Ups`).
        assert_eq!(proven_now(&mut c, &registry(false)), Some(Version::new(3)));
        // With one migration more (pending), or one fewer (missing file): not
        // proven.
        let mut more: Vec<Migration> = reg.iter().cloned().collect();
        let mut extra = more[2].clone();
        extra.version = Version::new(4);
        more.push(extra);
        assert_eq!(proven_now(&mut c, &Registry::new(more)), None);
        let fewer: Vec<Migration> = reg.iter().take(2).cloned().collect();
        assert_eq!(proven_now(&mut c, &Registry::new(fewer)), None);
        let h = "schema_migrations_history";
        let changes = [
            // Drift: an up's recorded checksum differs.
            format!("UPDATE {h} SET checksum = 'x' WHERE version = 2"),
            // A checksum never recorded (a database taken over): the full read decides.
            format!("UPDATE {h} SET checksum = NULL WHERE version = 1"),
            "UPDATE schema_migrations SET dirty = true".to_owned(),
            // The version row moved by another tool.
            "UPDATE schema_migrations SET version = 2".to_owned(),
            // A row of a kind this build does not know, for a version not here.
            format!(
                "ALTER TABLE {h} DROP CONSTRAINT {h}_direction_check; \
                 INSERT INTO {h} (version, name, direction) VALUES (9, 'x', 'sideways')"
            ),
            // An applied version whose file is gone.
            format!("INSERT INTO {h} (version, name, direction) VALUES (9, 'x', 'up')"),
            // The newest migration reverted by hand in the history.
            format!("INSERT INTO {h} (version, name, direction) VALUES (3, 't3', 'down')"),
        ];
        for change in &changes {
            let db = test_support::TestDb::new();
            let mut c = db.client();
            Migrator::new(&reg).up(&mut c).unwrap();
            assert_eq!(proven_now(&mut c, &reg), Some(Version::new(3)));
            c.batch_execute(change).unwrap();
            assert_eq!(proven_now(&mut c, &reg), None, "after {change}");
        }
        // An edited down, or one never recorded, is no obstacle to `up`,
        // nor is a reverted migration that is not in the files any more:
        // the full read would find nothing either.
        c.batch_execute(&format!(
            "UPDATE {h} SET down_checksum = 'x' WHERE version = 1; \
             UPDATE {h} SET down_checksum = NULL WHERE version = 2"
        ))
        .unwrap();
        assert_eq!(proven_now(&mut c, &reg), Some(Version::new(3)));
        c.batch_execute(&format!(
            "INSERT INTO {h} (version, name, direction) VALUES (9, 'x', 'down')"
        ))
        .unwrap();
        assert_eq!(proven_now(&mut c, &reg), Some(Version::new(3)));
    }
}
