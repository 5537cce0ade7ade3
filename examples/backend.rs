//! A backend's view of the generated types: list the running VMs of an
//! organization with their node (a sea-query join over the generated names,
//! decoded into the generated row structs), then create a VM through the
//! generated insert struct.
//!
//! ```text
//! DB_URL=postgres://postgres:postgres@localhost:5432/novacron cargo run --example backend -- acme
//! ```

use novacron_db::schema::{enums::VmState, nodes, organizations, vms};
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use sea_query::{Expr, ExprTrait, Order, PostgresQueryBuilder, Query, Value, Values};

/// A running VM and the node it runs on.
#[derive(Debug)]
pub struct RunningVm {
    pub vm: vms::Row,
    pub node_name: String,
}

/// sea-query's values as `postgres` parameters (only the kinds these queries use).
fn params(values: &Values) -> Vec<Box<dyn ToSql + Sync>> {
    values
        .0
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Value::String(s) => Box::new(s.clone()),
                Value::BigInt(i) => Box::new(*i),
                Value::Int(i) => Box::new(*i),
                Value::Bool(b) => Box::new(*b),
                other => panic!("no parameter mapping for {other:?}"),
            }
        })
        .collect()
}

/// The running VMs of the organization with this slug, by name.
pub fn running_vms(client: &mut Client, org_slug: &str) -> Result<Vec<RunningVm>, postgres::Error> {
    let (sql, values) = Query::select()
        .column((vms::TABLE, sea_query::Asterisk))
        .expr_as(Expr::col((nodes::TABLE, nodes::columns::NAME)), "node_name")
        .from(vms::TABLE)
        .inner_join(
            organizations::TABLE,
            Expr::col((organizations::TABLE, organizations::columns::ID))
                .equals((vms::TABLE, vms::columns::ORGANIZATION_ID)),
        )
        .inner_join(
            nodes::TABLE,
            Expr::col((nodes::TABLE, nodes::columns::ID))
                .equals((vms::TABLE, vms::columns::NODE_ID)),
        )
        .and_where(Expr::col((organizations::TABLE, organizations::columns::SLUG)).eq(org_slug))
        // Compared as text: a bound parameter cast to the enum would have to be
        // sent as the enum type, which a plain String parameter is not.
        .and_where(
            Expr::col((vms::TABLE, vms::columns::STATE))
                .cast_as("text")
                .eq(VmState::Running.as_str()),
        )
        .order_by((vms::TABLE, vms::columns::NAME), Order::Asc)
        .build(PostgresQueryBuilder);
    let owned = params(&values);
    let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|p| p.as_ref()).collect();
    client
        .query(sql.as_str(), &refs)?
        .iter()
        .map(|row| {
            Ok(RunningVm {
                vm: vms::Row::from_row(row)?,
                node_name: row.try_get("node_name")?,
            })
        })
        .collect()
}

/// Creates a provisioning VM in the organization; defaults (id, state,
/// metadata, timestamps) come from the database.
pub fn create_vm(
    client: &mut Client,
    org: uuid::Uuid,
    name: &str,
) -> Result<vms::Row, postgres::Error> {
    // The required columns (organization, name, vcpus, memory, disk, image) in
    // table order; a column added later with a default or NULL allowed does not
    // change this call.
    vms::Insert::new(org, name, 2, 4096, 40, "ubuntu-24.04").insert(client)
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DB_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| {
            "postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable".to_owned()
        });
    let slug = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "novacron".to_owned());
    let mut client = Client::connect(&url, NoTls)?;
    for r in running_vms(&mut client, &slug)? {
        println!(
            "{:<24} {:>2} vCPU {:>6} MiB  on {}",
            r.vm.name, r.vm.vcpus, r.vm.memory_mb, r.node_name
        );
    }
    Ok(())
}
