//! The async example against a real PostgreSQL: NovaCron's migrations and
//! seeds applied through a deadpool connection inside a tokio runtime, then
//! the generated types read and written over tokio-postgres.

#[path = "../examples/async_backend.rs"]
mod async_backend;

use novacron_db::schema::enums::VmState;
use test_support::AsyncTestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrates_seeds_reads_and_inserts_through_a_pool() {
    let db = AsyncTestDb::new();
    let pool = async_backend::pool(db.url(), 4).unwrap();

    // Two instances of the app starting at once: one migrates, the other waits
    // for the lock (polling on the runtime) and then finds nothing to do.
    let (a, b) = tokio::join!(async_backend::migrate(&pool), async_backend::migrate(&pool));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.steps.len() + b.steps.len(), novacron_db::MIGRATIONS.len());
    assert!(a.steps.is_empty() || b.steps.is_empty());
    let latest = novacron_db::MIGRATIONS.latest().map(|m| m.version);
    assert_eq!((a.to, b.to), (latest, latest));
    async_backend::seed(&pool).await.unwrap();

    let running = async_backend::running_vms(&pool, "novacron").await.unwrap();
    let conn = pool.get().await.unwrap();
    let expected: i64 = conn
        .query_one(
            "SELECT count(*) FROM vms v JOIN organizations o ON o.id = v.organization_id
             WHERE o.slug = 'novacron' AND v.state = 'running'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(expected > 0, "the seeds have running VMs in NovaCron Inc");
    assert_eq!(running.len() as i64, expected);
    assert!(running.iter().all(|vm| vm.state == VmState::Running));

    let org: uuid::Uuid = conn
        .query_one("SELECT id FROM organizations WHERE slug = 'acme'", &[])
        .await
        .unwrap()
        .get(0);
    let vm = async_backend::create_vm(&pool, org, "async-example-vm")
        .await
        .unwrap();
    assert_eq!((vm.state, vm.organization_id), (VmState::Provisioning, org));
    let audited: i64 = conn
        .query_one(
            "SELECT count(*) FROM audit_logs WHERE action = 'vm.create' AND resource_id = $1",
            &[&vm.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(audited, 1);
    let again = async_backend::create_vm(&pool, org, "async-example-vm").await;
    assert!(again.is_err(), "the name is unique per organization");
}
