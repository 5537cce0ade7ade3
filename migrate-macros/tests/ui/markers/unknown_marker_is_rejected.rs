migrate_runtime::embed_migrations!("tests/ui/markers/unknown_marker_is_rejected/migrations");

fn main() {}
