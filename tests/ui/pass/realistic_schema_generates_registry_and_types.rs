migrate_runtime::embed_migrations!(
    "tests/ui/pass/realistic_schema_generates_registry_and_types/migrations",
    seeds = "tests/ui/pass/realistic_schema_generates_registry_and_types/seeds",
);

use migrate_runtime::Version;
use sea_query::{PostgresQueryBuilder, Query};

use schema::enums::VmState;

// A target version named by a constant: a typo here does not compile.
const BEFORE_METRICS: Version = versions::V000002_CREATE_VMS;

fn main() {
    // Sequential and timestamp versions, ordered by number.
    assert_eq!(MIGRATIONS.len(), 3);
    let latest = MIGRATIONS.latest().unwrap();
    assert_eq!(latest.version, versions::V20250301120000_CREATE_VM_METRICS);
    assert_eq!(latest.version.get(), 20_250_301_120_000);
    let vms = MIGRATIONS.get(BEFORE_METRICS).unwrap();
    assert_eq!(vms.name, "create_vms");
    assert_eq!(vms.label(), "000002_create_vms");
    assert_eq!(
        vms.up.path,
        "tests/ui/pass/realistic_schema_generates_registry_and_types/migrations/000002_create_vms.up.sql"
    );
    assert!(vms.up.sql.starts_with("CREATE TABLE vms ("));
    assert_eq!(
        MIGRATIONS.iter().map(|m| m.version.get()).collect::<Vec<_>>(),
        [1, 2, 20_250_301_120_000]
    );

    assert_eq!(SEEDS.files().len(), 1);
    assert_eq!(SEEDS.files()[0].name, "01_nodes");
    assert!(SEEDS.clean().is_some());

    // Columns with a default or an identity are optional; `type` is a raw identifier.
    let vm = schema::vms::Insert {
        id: None,
        node_id: 1,
        name: "web-1".to_owned(),
        r#type: Some("gpu".to_owned()),
        state: Some(VmState::Running),
        memory_mb: 2048,
        created_at: None,
    };
    assert_eq!(vm.r#type.as_deref(), Some("gpu"));
    let _node = schema::nodes::Insert {
        id: None,
        hostname: "hv-1".to_owned(),
    };
    let _metric = schema::vm_metrics::Insert {
        vm_id: migrate_runtime::__private::uuid::Uuid::nil(),
        recorded_at: migrate_runtime::__private::chrono::Utc::now(),
        cpu_percent: Some(12.5),
    };

    assert_eq!(schema::vms::TABLE, "vms");
    assert_eq!(schema::vms::Column::Type.as_str(), "type");
    assert_eq!(schema::vms::Column::MemoryMb.as_str(), "memory_mb");
    assert_eq!(schema::vms::columns::TYPE, "type");
    assert_eq!(
        VmState::ALL,
        [VmState::Stopped, VmState::Running, VmState::Migrating]
    );
    assert_eq!(VmState::Migrating.as_str(), "migrating");
    assert_eq!("running".parse::<VmState>(), Ok(VmState::Running));

    let sql = Query::select()
        .column(schema::vms::Column::Id)
        .column(schema::vms::Column::Type)
        .from(schema::vms::Table)
        .to_string(PostgresQueryBuilder);
    assert_eq!(sql, r#"SELECT "id", "type" FROM "vms""#);
}
