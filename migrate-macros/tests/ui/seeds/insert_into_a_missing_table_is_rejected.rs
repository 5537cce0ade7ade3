migrate_runtime::embed_migrations!(
    "tests/ui/seeds/insert_into_a_missing_table_is_rejected/migrations",
    seeds = "tests/ui/seeds/insert_into_a_missing_table_is_rejected/seeds"
);

fn main() {}
