//! The seed data's promises (the old README's figures), on a real database.

mod common;

use common::{clean, count, seed, seeded_db};

#[test]
fn seeds_have_the_documented_counts() {
    let db = seeded_db();
    let mut c = db.client();
    assert_eq!(count(&mut c, "SELECT count(*) FROM organizations"), 5);
    let names: Vec<String> = c
        .query("SELECT name FROM organizations ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        names,
        [
            "Acme Corporation",
            "Dev Team",
            "Enterprise Co",
            "NovaCron Inc",
            "TechStart"
        ]
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM users"), 9);
    // 2 admin, 2 operator, 2 viewer among the active users; 3 test users in other states.
    for (role, n) in [("admin", 2), ("operator", 2), ("viewer", 2)] {
        let sql = format!("SELECT count(*) FROM users WHERE role = '{role}' AND status = 'active'");
        assert_eq!(count(&mut c, &sql), n, "{role}");
    }
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM users WHERE status <> 'active'"
        ),
        3
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(DISTINCT status) FROM users WHERE status <> 'active'"
        ),
        3
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM users WHERE username = 'admin' AND role = 'admin'"
        ),
        1
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM nodes"), 9);
    assert_eq!(
        count(&mut c, "SELECT count(DISTINCT environment) FROM nodes"),
        4
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM vms"), 10);
    assert!(count(&mut c, "SELECT count(DISTINCT state) FROM vms") >= 5);
}

#[test]
fn every_password_is_a_bcrypt_hash_of_password123() {
    let db = seeded_db();
    let mut c = db.client();
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM users WHERE crypt('Password123!', password_hash) = password_hash"
        ),
        9
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM users WHERE password_hash LIKE '$2a$%'"
        ),
        9
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM users WHERE password_hash LIKE '%Password123%'"
        ),
        0
    );
}

#[test]
fn metrics_cover_the_last_24_hours_of_every_vm_and_node() {
    let db = seeded_db();
    let mut c = db.client();
    assert_eq!(
        count(&mut c, "SELECT count(DISTINCT vm_id) FROM vm_metrics"),
        10
    );
    assert_eq!(
        count(&mut c, "SELECT count(DISTINCT node_id) FROM node_metrics"),
        9
    );
    for t in ["vm_metrics", "node_metrics"] {
        let span: f64 = c
            .query_one(
                &format!(
                    "SELECT extract(epoch FROM max(time) - min(time))::float8 / 3600 FROM {t}
                     WHERE time > now() - interval '25 hours'"
                ),
                &[],
            )
            .unwrap()
            .get(0);
        assert!((23.0..=24.0).contains(&span), "{t} spans {span} hours");
        assert_eq!(
            count(
                &mut c,
                &format!("SELECT count(*) FROM {t} WHERE time > now()")
            ),
            0
        );
    }
}

#[test]
fn seeding_twice_changes_no_count() {
    let db = seeded_db();
    let mut c = db.client();
    let counts = |c: &mut postgres::Client| -> Vec<i64> {
        novacron_db::schema::TABLES
            .iter()
            .map(|(s, t)| count(c, &format!("SELECT count(*) FROM \"{s}\".\"{t}\"")))
            .collect()
    };
    let first = counts(&mut c);
    seed(&mut c);
    assert_eq!(first, counts(&mut c));
}

#[test]
fn clean_removes_exactly_the_seed_rows() {
    let db = seeded_db();
    let mut c = db.client();
    c.batch_execute(
        "INSERT INTO organizations (id, name, slug) VALUES ('eeeeeeee-0000-4000-8000-000000000001', 'Mine', 'mine');
         INSERT INTO users (id, organization_id, username, email, password_hash, role)
           VALUES ('eeeeeeee-0000-4000-8000-000000000002', 'eeeeeeee-0000-4000-8000-000000000001',
                   'me', 'me@example.com', crypt('x', gen_salt('bf')), 'viewer');
         INSERT INTO vms (id, organization_id, name, vcpus, memory_mb, disk_gb, image)
           VALUES ('eeeeeeee-0000-4000-8000-000000000003', 'eeeeeeee-0000-4000-8000-000000000001',
                   'my-vm', 1, 512, 10, 'alpine');",
    )
    .unwrap();
    clean(&mut c);
    for (s, t) in novacron_db::schema::TABLES {
        let n = count(&mut c, &format!("SELECT count(*) FROM \"{s}\".\"{t}\""));
        let mine = match *t {
            "organizations" | "users" | "vms" => 1,
            _ => 0,
        };
        assert_eq!(n, mine, "{t} after clean");
    }
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM vms WHERE name = 'my-vm'"),
        1
    );
}

/// A metric sample you add for a seed VM or node (at a 5-minute boundary, as
/// a collector writes them) survives `seed` and `clean`, and keeps its VM or
/// node (their metrics cascade) and what that VM or node needs. The samples
/// are told from the seed's by a CPU figure with three decimals: the seed
/// rounds its curves to two, and on some days hit 12.5 or 50 exactly.
#[test]
fn seed_and_clean_keep_the_metrics_you_added_for_seed_resources() {
    let db = seeded_db();
    let mut c = db.client();
    let vm = "'40000000-0000-4000-8000-000000000001'";
    let node = "'30000000-0000-4000-8000-000000000001'";
    c.batch_execute(&format!(
        "INSERT INTO vm_metrics (vm_id, time, cpu_percent, memory_used_bytes, disk_read_bytes,
                                 disk_write_bytes, network_rx_bytes, network_tx_bytes)
           VALUES ({vm}, date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00'),
                   12.345, 1, 2, 3, 4, 5),
                  ({vm}, now() - interval '2 hours', 50.005, 1, 2, 3, 4, 5);
         INSERT INTO node_metrics (node_id, time, cpu_percent, memory_used_bytes, disk_used_bytes,
                                   network_rx_bytes, network_tx_bytes, load_average, running_vms)
           VALUES ({node}, date_bin('5 minutes', now(), timestamptz '2000-01-01 00:00:00+00'),
                   7.005, 1, 2, 3, 4, 0.5, 1);"
    ))
    .unwrap();
    let mine = |c: &mut postgres::Client| {
        (
            count(
                c,
                &format!(
                    "SELECT count(*) FROM vm_metrics WHERE vm_id = {vm} AND cpu_percent IN (12.345, 50.005)"
                ),
            ),
            count(
                c,
                &format!(
                    "SELECT count(*) FROM node_metrics WHERE node_id = {node} AND cpu_percent = 7.005"
                ),
            ),
        )
    };
    let seed_samples = count(&mut c, "SELECT count(*) FROM vm_metrics");
    seed(&mut c);
    assert_eq!(mine(&mut c), (2, 1), "seed deleted a sample of yours");
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM vm_metrics"),
        seed_samples
    );

    clean(&mut c);
    assert_eq!(mine(&mut c), (2, 1), "clean deleted a sample of yours");
    assert_eq!(count(&mut c, "SELECT count(*) FROM vm_metrics"), 2);
    assert_eq!(count(&mut c, "SELECT count(*) FROM node_metrics"), 1);
    assert_eq!(
        count(&mut c, &format!("SELECT count(*) FROM vms WHERE id = {vm}")),
        1
    );
    assert_eq!(
        count(
            &mut c,
            &format!("SELECT count(*) FROM nodes WHERE id = {node}")
        ),
        1
    );
}
