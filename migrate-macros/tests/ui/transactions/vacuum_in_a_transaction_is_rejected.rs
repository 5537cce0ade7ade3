migrate_runtime::embed_migrations!("tests/ui/transactions/vacuum_in_a_transaction_is_rejected/migrations");

fn main() {}
