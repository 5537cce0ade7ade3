// PostgreSQL accepts a `money` column, so the build does not fail on it: the
// column is left out of Row, and the table gets no Insert (it would need the
// column). `types("money" => ...)` maps it.
migrate_runtime::embed_migrations!("tests/ui/pass/column_type_without_rust_mapping_is_left_out/migrations");

fn main() {
    // Row has exactly the mapped columns.
    let row = schema::invoices::Row { id: 1 };
    assert_eq!(row.id, 1);
    assert_eq!(schema::invoices::columns::AMOUNT, "amount");
}
