//! The replayed model against PostgreSQL's own catalogue: apply the same files to
//! a real database, read information_schema, and find no difference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use migrate_core::model::schema::Schema;
use migrate_core::{Analysis, Options, analyze};
use postgres::Client;
use test_support::TestDb;

/// (table, column) -> (data_type, is_nullable)
type Columns = BTreeMap<(String, String), (String, bool)>;

fn catalogue(client: &mut Client) -> (Vec<String>, Columns) {
    let tables = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES'
             FROM information_schema.columns WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3))))
        .collect();
    (tables, columns)
}

fn model(schema: &Schema) -> (Vec<String>, Columns) {
    let mut tables: Vec<String> = schema
        .tables
        .keys()
        .chain(schema.views.keys())
        .filter(|q| q.schema == "public")
        .map(|q| q.name.clone())
        .collect();
    tables.sort();
    let mut columns = Columns::new();
    for t in schema.tables.values().filter(|t| t.name.schema == "public") {
        for c in &t.columns {
            columns.insert(
                (t.name.name.clone(), c.name.clone()),
                (c.ty.information_schema_name(), c.nullable),
            );
        }
    }
    for v in schema.views.values().filter(|v| v.name.schema == "public") {
        for c in v.columns.iter().flatten() {
            columns.insert(
                (v.name.name.clone(), c.name.clone()),
                (c.ty.information_schema_name(), true),
            );
        }
    }
    (tables, columns)
}

fn apply(client: &mut Client, sql: &str, what: &str) {
    client
        .batch_execute(&format!("BEGIN;\n{sql}\n;COMMIT;"))
        .unwrap_or_else(|e| panic!("applying {what}: {e}"));
}

/// golang-migrate creates its table before the first migration; the model
/// starts with it too.
const HISTORY: &str =
    "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)";

fn assert_same(live: (Vec<String>, Columns), model: (Vec<String>, Columns), context: &str) {
    assert_eq!(live.0, model.0, "{context}: tables differ");
    let mut diffs = Vec::new();
    for (k, v) in &live.1 {
        match model.1.get(k) {
            None => diffs.push(format!("{}.{} missing from the model", k.0, k.1)),
            Some(m) if m != v => {
                diffs.push(format!("{}.{}: catalogue {v:?}, model {m:?}", k.0, k.1))
            }
            _ => {}
        }
    }
    for k in model.1.keys() {
        if !live.1.contains_key(k) {
            diffs.push(format!("{}.{} only in the model", k.0, k.1));
        }
    }
    assert!(
        diffs.is_empty(),
        "{context}: {} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

fn load(dir: &Path, require_down: bool) -> Analysis {
    let a = analyze(
        dir,
        "migrations",
        &Options::default().with_require_down(require_down),
    );
    assert!(a.errors.is_empty(), "{}", a.errors);
    a
}

#[test]
fn novacron_model_matches_the_catalogue_after_every_migration() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let a = load(&dir, true);
    let db = TestDb::new();
    let mut client = db.client();
    client.batch_execute(HISTORY).unwrap();
    for (m, schema) in a.migrations.iter().zip(&a.schemas) {
        apply(&mut client, &m.up.sql, &m.up.path);
        assert_same(catalogue(&mut client), model(schema), &m.up.path);
    }
}

/// What the reversal check proves on the model, proved on PostgreSQL: each down
/// leaves tables, columns, indexes, constraints and types as before its up.
#[test]
fn novacron_downs_restore_the_catalogue() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let a = load(&dir, true);
    let db = TestDb::new();
    let mut client = db.client();
    let shape = |c: &mut Client| {
        let mut s = format!("{:?}", catalogue(c));
        for q in [
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            "SELECT conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = 'public' ORDER BY 1",
            "SELECT typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' ORDER BY 1",
            "SELECT proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' ORDER BY 1",
            "SELECT extname::text FROM pg_extension ORDER BY 1",
        ] {
            let rows: Vec<String> = c.query(q, &[]).unwrap().iter().map(|r| r.get(0)).collect();
            s.push_str(&format!("{rows:?}"));
        }
        s
    };
    for m in &a.migrations {
        let before = shape(&mut client);
        apply(&mut client, &m.up.sql, &m.up.path);
        let after_up = shape(&mut client);
        let down = m.down.as_ref().expect("NovaCron migrations have downs");
        apply(&mut client, &down.sql, &down.path);
        assert_eq!(
            before,
            shape(&mut client),
            "{} does not restore the catalogue",
            down.path
        );
        apply(&mut client, &m.up.sql, &m.up.path);
        assert_eq!(after_up, shape(&mut client));
    }
}

/// Every type of pg_catalog a column can have is a built-in of the model: an
/// unknown one would be a false "type does not exist".
#[test]
fn every_column_type_of_pg_catalog_is_known() {
    let db = TestDb::new();
    let mut client = db.client();
    let names: Vec<String> = client
        .query(
            "SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'pg_catalog' AND t.typtype IN ('b', 'r', 'm') AND t.typisdefined
               AND t.typname NOT LIKE '\\_%' AND t.typrelid = 0",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(names.len() > 60, "only {} types read", names.len());
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| migrate_core::model::types::resolve_builtin(n).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "types the model does not know: {unknown:?}"
    );
}

/// The types the model says an extension brings are the ones it brings: a type
/// left out of the list would be a false "type does not exist".
#[test]
fn extensions_bring_the_types_the_model_says() {
    let db = TestDb::new();
    let mut client = db.client();
    let available: Vec<String> = client
        .query("SELECT name::text FROM pg_available_extensions", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut checked = 0;
    for ext in available {
        let Some(listed) = migrate_core::model::types::extension_types(&ext) else {
            continue;
        };
        if ext == "plpgsql" {
            continue;
        }
        client
            .batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS \"{ext}\" CASCADE"))
            .unwrap_or_else(|e| panic!("CREATE EXTENSION {ext}: {e}"));
        let types: Vec<String> = client
            .query(
                "SELECT t.typname::text FROM pg_type t JOIN pg_depend d ON d.objid = t.oid
                 JOIN pg_extension e ON e.oid = d.refobjid
                 WHERE d.deptype = 'e' AND e.extname = $1 AND t.typname NOT LIKE '\\_%'
                   AND t.typrelid = 0",
                &[&ext],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let missing: Vec<&String> = types
            .iter()
            .filter(|t| !listed.contains(&t.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "extension {ext} brings types the model does not list: {missing:?}"
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} extensions checked");
}
