migrate_runtime::embed_migrations!("tests/ui/pass/irreversible_down_is_accepted/migrations");

fn main() {
    let gpus = MIGRATIONS.get(versions::V000002_ADD_GPU_COUNT).unwrap();
    assert!(gpus.irreversible);
    assert!(gpus.down.is_none());
    assert!(!MIGRATIONS.get(versions::V000001_CREATE_VMS).unwrap().irreversible);
}
