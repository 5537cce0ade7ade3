migrate_runtime::embed_migrations!(
    "tests/ui/seeds/value_that_is_not_an_enum_label_is_rejected/migrations",
    seeds = "tests/ui/seeds/value_that_is_not_an_enum_label_is_rejected/seeds"
);

fn main() {}
