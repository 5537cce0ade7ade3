//! An async backend on a connection pool (tokio, deadpool-postgres): the
//! schema is migrated at start-up through one of the pool's connections, then
//! the generated types read and write through the others.
//!
//! ```text
//! DB_URL=postgres://postgres:postgres@localhost:5432/novacron cargo run --example async_backend -- acme
//! ```

use std::error::Error;

use deadpool_postgres::{Manager, Pool};
use migrate_runtime::{Migrator, Report, Seeder};
use novacron_db::schema::{audit_logs, enums::VmState, vms};
use tokio_postgres::NoTls;

type BoxError = Box<dyn Error + Send + Sync>;

/// A pool of connections to `url`.
pub fn pool(url: &str, size: usize) -> Result<Pool, BoxError> {
    let config: tokio_postgres::Config = url.parse()?;
    Ok(Pool::builder(Manager::new(config, NoTls))
        .max_size(size)
        .build()?)
}

/// Applies the pending migrations, as `novacron-db up` would (the same lock,
/// checks and history), through one pooled connection; other instances of
/// the app starting at the same time wait for the lock and then find nothing
/// to do.
pub async fn migrate(pool: &Pool) -> Result<Report, BoxError> {
    let mut conn = pool.get().await?;
    // `&mut conn` coerces to `&mut tokio_postgres::Client` (deadpool's
    // connection derefs to it).
    Ok(Migrator::new(&novacron_db::MIGRATIONS)
        .up_async(&mut conn)
        .await?)
}

/// Loads the development seed data (`novacron-db seed`).
pub async fn seed(pool: &Pool) -> Result<(), BoxError> {
    let mut conn = pool.get().await?;
    Seeder::new(&novacron_db::SEEDS)
        .seed_async(&mut conn, &mut |_, _| {})
        .await?;
    Ok(())
}

/// The running VMs of the organization with this slug, by name.
pub async fn running_vms(pool: &Pool, org_slug: &str) -> Result<Vec<vms::Row>, BoxError> {
    let conn = pool.get().await?;
    let rows = conn
        .query(
            "SELECT v.* FROM vms v JOIN organizations o ON o.id = v.organization_id \
             WHERE o.slug = $1 AND v.state = $2 ORDER BY v.name",
            &[&org_slug, &VmState::Running],
        )
        .await?;
    // `Row::from_row` decodes a tokio-postgres row as it does a postgres one.
    Ok(rows
        .iter()
        .map(vms::Row::from_row)
        .collect::<Result<_, _>>()?)
}

/// Creates a provisioning VM and its audit entry in one transaction; the
/// defaults (id, state, metadata, timestamps) come from the database.
pub async fn create_vm(pool: &Pool, org: uuid::Uuid, name: &str) -> Result<vms::Row, BoxError> {
    let mut conn = pool.get().await?;
    let tx = conn.transaction().await?;
    // `&*tx`: the tokio_postgres transaction inside deadpool's wrapper.
    let vm = vms::Insert::new(org, name, 2, 4096, 40, "ubuntu-24.04")
        .insert_async(&*tx)
        .await?;
    audit_logs::Insert {
        organization_id: Some(org),
        resource_id: Some(vm.id),
        ..audit_logs::Insert::new("vm.create", "vm")
    }
    .insert_async(&*tx)
    .await?;
    tx.commit().await?;
    Ok(vm)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let url = std::env::var("DB_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| novacron_db::DEFAULT_URL.to_owned());
    let slug = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "novacron".to_owned());
    let pool = pool(&url, 4)?;
    let report = migrate(&pool).await?;
    println!(
        "schema at version {} ({} migrations applied now)",
        report.to.map_or("none".to_owned(), |v| v.to_string()),
        report.steps.len()
    );
    for vm in running_vms(&pool, &slug).await? {
        println!(
            "{:<24} {:>2} vCPU {:>6} MiB",
            vm.name, vm.vcpus, vm.memory_mb
        );
    }
    Ok(())
}
