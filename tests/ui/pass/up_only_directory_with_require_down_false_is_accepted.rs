migrate_runtime::embed_migrations!(
    "tests/ui/pass/up_only_directory_with_require_down_false_is_accepted/migrations",
    require_down = false,
);

fn main() {
    let vms = MIGRATIONS.get(versions::V000001_CREATE_VMS).unwrap();
    assert!(vms.down.is_none());
    assert!(!vms.irreversible);
}
