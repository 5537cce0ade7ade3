//! PostgreSQL's own view of a schema, as a set of facts, one sentence each.
//!
//! This is the oracle the corpus suite and the ground-truth tests hold the tool
//! against: it reads only the server's catalogues, never the tool's model, so a
//! mistake in the model cannot hide in it. Two snapshots are equal exactly when
//! the objects a migration tool is responsible for are the same: schemas,
//! relations, columns (type, nullability, whether a default exists, identity,
//! generation), constraints (their full definition), indexes (their full
//! definition), functions (signature and body), triggers, views (their
//! definition), types and extensions. Column order is left out: a down that
//! re-adds a dropped column can only append it. Objects that belong to an
//! extension are left out too; the extension stands for them.

use std::collections::BTreeSet;

use postgres::Client;

/// The facts, sorted.
pub type Snapshot = BTreeSet<String>;

/// Schemas that are PostgreSQL's own.
const SYSTEM: &str = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

/// `oid` is not part of an extension.
fn not_extension(oid: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')")
}

/// Reads every fact of the current database (the current transaction's view).
///
/// # Errors
///
/// A catalogue query failed.
pub fn snapshot(client: &mut Client) -> Result<Snapshot, postgres::Error> {
    let rel = not_extension("c.oid");
    let queries = [
        format!("SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE {SYSTEM}"),
        "SELECT 'extension ' || extname FROM pg_extension".to_owned(),
        format!(
            "SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind ' || c.relkind::text
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {rel}"
        ),
        format!(
            "SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' '
                    || format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                    || CASE WHEN a.atthasdef THEN ' with default' ELSE '' END
                    || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
                    || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
               AND a.attnum > 0 AND NOT a.attisdropped AND {rel}"
        ),
        format!(
            "SELECT 'constraint ' || con.conname || ' on ' || n.nspname || '.' || c.relname || ': '
                    || pg_get_constraintdef(con.oid)
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {SYSTEM} AND {rel}"
        ),
        format!(
            "SELECT 'index ' || n.nspname || '.' || i.relname || ': ' || pg_get_indexdef(i.oid)
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class c ON c.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = i.relnamespace
             WHERE {SYSTEM} AND {rel}"
        ),
        format!(
            "SELECT 'view ' || n.nspname || '.' || c.relname || ': ' || pg_get_viewdef(c.oid)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {SYSTEM} AND c.relkind IN ('v', 'm') AND {rel}"
        ),
        format!(
            "SELECT 'function ' || n.nspname || '.' || p.proname || '('
                    || pg_get_function_identity_arguments(p.oid) || ') kind ' || p.prokind::text
                    || ' body ' || md5(coalesce(p.prosrc, ''))
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE {SYSTEM} AND {}",
            not_extension("p.oid")
        ),
        format!(
            "SELECT 'trigger ' || t.tgname || ' on ' || n.nspname || '.' || c.relname || ': '
                    || pg_get_triggerdef(t.oid)
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {SYSTEM} AND NOT t.tgisinternal"
        ),
        format!(
            "SELECT 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
                    || CASE t.typtype
                         WHEN 'e' THEN ' labels ' || coalesce((SELECT string_agg(e.enumlabel, ','
                                ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
                         WHEN 'd' THEN ' over ' || format_type(t.typbasetype, t.typtypmod)
                                || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
                         ELSE '' END
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE {SYSTEM} AND t.typtype IN ('e', 'd', 'c', 'r')
               AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
               AND {}",
            not_extension("t.oid")
        ),
    ];
    let mut out = Snapshot::new();
    for q in &queries {
        for row in client.query(q.as_str(), &[])? {
            if let Some(fact) = row.get::<_, Option<String>>(0) {
                out.insert(fact);
            }
        }
    }
    Ok(out)
}

/// What `after` has that `before` lacks and the other way round, as lines
/// (`+ fact`, `- fact`); empty when equal.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let gone = before.difference(after).map(|f| format!("- {f}"));
    let new = after.difference(before).map(|f| format!("+ {f}"));
    gone.chain(new).collect()
}
