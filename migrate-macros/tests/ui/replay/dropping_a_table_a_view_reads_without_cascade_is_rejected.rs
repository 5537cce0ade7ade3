migrate_runtime::embed_migrations!("tests/ui/replay/dropping_a_table_a_view_reads_without_cascade_is_rejected/migrations");

fn main() {}
