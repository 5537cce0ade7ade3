migrate_runtime::embed_migrations!("tests/ui/pass/create_index_concurrently_in_a_no_transaction_file_is_accepted/migrations");

fn main() {
    let index = MIGRATIONS.get(versions::V000002_INDEX_VM_NAMES).unwrap();
    assert!(!index.up.transactional);
    assert!(!index.down.as_ref().unwrap().transactional);
    assert!(MIGRATIONS.get(versions::V000001_CREATE_VMS).unwrap().up.transactional);
}
