migrate_runtime::embed_migrations!("tests/ui/replay/altering_the_type_of_a_column_a_view_reads_is_rejected/migrations");

fn main() {}
