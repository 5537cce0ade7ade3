migrate_runtime::embed_migrations!(
    "tests/ui/pass/type_mapped_with_types_argument_is_accepted/migrations",
    types("money" => i64),
);

fn main() {
    let invoice = schema::invoices::Insert { id: 1, amount: 1_999 };
    let cents: i64 = invoice.amount;
    assert_eq!(cents, 1_999);
}
