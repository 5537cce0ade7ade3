//! The migration lock: golang-migrate's session-level advisory lock.
//!
//! golang-migrate locks `crc32(schema \0 table \0 database) * 1486364155` (a
//! wrapping `uint32` multiply, see its `database.GenerateAdvisoryLockId` and the
//! postgres driver's `Lock`). Taking the same key is what makes this tool and
//! golang-migrate exclude each other on one database, so the formula must not
//! drift from theirs.
//!
//! Its CLI fills the database name from the URL's path (`/novacron`, slash
//! included) while its library (`WithInstance`) asks for `current_database()`;
//! the two flavours lock different keys. We take both, always in the same order,
//! so we exclude either flavour; two of our processes never deadlock because they
//! take the keys in one order, and golang-migrate only ever holds one of them.

use std::time::{Duration, Instant};

use super::conn::Conn;
use crate::error::{LockHolder, MigrateError};

const SALT: u32 = 1_486_364_155;

/// golang-migrate's advisory lock key for a migrations table.
pub fn golang_migrate_lock_key(schema: &str, table: &str, database: &str) -> i64 {
    let mut h = crc32fast::Hasher::new();
    h.update(schema.as_bytes());
    h.update(&[0]);
    h.update(table.as_bytes());
    h.update(&[0]);
    h.update(database.as_bytes());
    i64::from(h.finalize().wrapping_mul(SALT))
}

/// Takes every key, waiting at most `timeout` in all (zero: do not wait).
///
/// The wait polls `pg_try_advisory_lock` instead of blocking in
/// `pg_advisory_lock`: a session blocked in a statement holds a snapshot, and
/// `CREATE INDEX CONCURRENTLY` in the running migration waits for every older
/// snapshot to go away, so a blocked waiter and the lock holder deadlock. A poll
/// holds no snapshot between tries.
pub(crate) async fn acquire<C: Conn>(
    client: &mut C,
    keys: &[i64],
    timeout: Duration,
) -> Result<(), MigrateError> {
    let start = Instant::now();
    for (i, &key) in keys.iter().enumerate() {
        let mut delay = Duration::from_millis(5);
        loop {
            match try_lock(client, key).await {
                Ok(true) => break,
                Ok(false) if start.elapsed() < timeout => {
                    client
                        .sleep(delay.min(timeout.saturating_sub(start.elapsed())))
                        .await;
                    delay = (delay * 2).min(Duration::from_millis(100));
                }
                Ok(false) => {
                    let holders = holders(client, key).await.unwrap_or_default();
                    release(client, &keys[..i]).await;
                    return Err(MigrateError::LockTimeout {
                        waited: start.elapsed(),
                        key,
                        holders,
                    });
                }
                Err(e) => {
                    release(client, &keys[..i]).await;
                    return Err(MigrateError::db("taking the migration lock", e));
                }
            }
        }
    }
    tracing::debug!(?keys, elapsed = ?start.elapsed(), "migration lock taken");
    Ok(())
}

async fn try_lock<C: Conn>(client: &mut C, key: i64) -> Result<bool, postgres::Error> {
    let rows = client
        .simple(&format!("SELECT pg_try_advisory_lock({key})"))
        .await?;
    Ok(first_value(&rows).as_deref() == Some("t"))
}

/// Lets go of the keys. Errors are ignored: the server drops session locks when
/// the connection ends, which is also what happens after a broken connection.
pub(crate) async fn release<C: Conn>(client: &mut C, keys: &[i64]) {
    if keys.is_empty() {
        return;
    }
    let sql: String = keys
        .iter()
        .rev()
        .map(|k| format!("SELECT pg_advisory_unlock({k});"))
        .collect();
    if let Err(e) = client.batch(&sql).await {
        tracing::debug!(error = %e, "releasing the migration lock failed");
    }
}

/// Who holds the advisory lock `key` in this database.
pub(crate) async fn holders<C: Conn>(
    client: &mut C,
    key: i64,
) -> Result<Vec<LockHolder>, postgres::Error> {
    // A bigint advisory key is split into classid (high half) and objid (low
    // half), with objsubid 1.
    let sql = format!(
        "SELECT l.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),
                coalesce(host(a.client_addr), 'local'),
                extract(epoch FROM now() - a.state_change)::bigint,
                left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 80)
           FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND (l.classid::bigint << 32) | l.objid::bigint = {key}
          ORDER BY l.pid"
    );
    let rows = client.query(&sql).await?;
    Ok(rows
        .iter()
        .map(|r| LockHolder {
            pid: r.get(0),
            application_name: r.get(1),
            user: r.get(2),
            client: r.get(3),
            state_seconds: r.get(4),
            query: r.get(5),
        })
        .collect())
}

/// The first column of the first row of a simple query's answer.
pub(crate) fn first_value(messages: &[postgres::SimpleQueryMessage]) -> Option<String> {
    messages.iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_golang_migrate() {
        // Values from golang-migrate's formula evaluated independently
        // (crc32 IEEE of the NUL-joined names times the salt, modulo 2^32).
        assert_eq!(
            golang_migrate_lock_key("public", "schema_migrations", "novacron"),
            1_391_844_350
        );
        assert_eq!(
            golang_migrate_lock_key("public", "schema_migrations", "/novacron"),
            1_197_996_527
        );
    }
}
