//! The generated types against a migrated, seeded database: every row of every
//! table decodes, and the backend example works.

#[path = "../examples/backend.rs"]
mod backend;
mod common;

use common::{count, seeded_db};
use novacron_db::schema::{self, enums::VmState};

#[test]
fn every_row_of_every_table_decodes_into_its_row_struct() {
    let db = seeded_db();
    let mut client = db.client();
    assert!(
        schema::TABLES.len() >= 15,
        "only {} tables generated",
        schema::TABLES.len()
    );
    for (s, t) in schema::TABLES {
        let rows = client
            .query(&format!("SELECT * FROM \"{s}\".\"{t}\""), &[])
            .unwrap();
        assert!(!rows.is_empty(), "seeds leave table {t} empty");
        for row in &rows {
            schema::decode(s, t, row)
                .expect("listed table has a decoder")
                .unwrap_or_else(|e| panic!("decoding a row of {t}: {e}"));
        }
    }
}

#[test]
fn backend_lists_running_vms_with_their_node_and_inserts_through_the_insert_struct() {
    let db = seeded_db();
    let mut client = db.client();
    let running = backend::running_vms(&mut client, "novacron").unwrap();
    let expected = count(
        &mut client,
        "SELECT count(*) FROM vms v JOIN organizations o ON o.id = v.organization_id
         WHERE o.slug = 'novacron' AND v.state = 'running'",
    );
    assert!(expected > 0, "the seeds have running VMs in NovaCron Inc");
    assert_eq!(running.len() as i64, expected);
    assert!(
        running
            .iter()
            .all(|r| r.vm.state == VmState::Running && !r.node_name.is_empty())
    );

    let org: uuid::Uuid = client
        .query_one("SELECT id FROM organizations WHERE slug = 'acme'", &[])
        .unwrap()
        .get(0);
    let vm = backend::create_vm(&mut client, org, "example-vm").unwrap();
    assert_eq!(vm.state, VmState::Provisioning);
    assert_eq!(vm.organization_id, org);
    assert_eq!(vm.metadata, serde_json::json!({}));
    assert!(vm.created_at <= chrono::Utc::now());
}
