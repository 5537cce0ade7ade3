migrate_runtime::embed_migrations!("tests/ui/transactions/create_index_concurrently_in_a_transaction_is_rejected/migrations");

fn main() {}
