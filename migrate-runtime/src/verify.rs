//! `verify-schema`: the live database's catalogue against the schema the
//! migrations say it should have at its recorded version.

use std::collections::BTreeMap;

use migrate_core::model::rust::domain_not_null;
use migrate_core::model::schema::Schema;
use migrate_core::{Analysis, Options, analyze_files};
use postgres::Client;

use crate::registry::Registry;

/// Rebuilds the model from the migrations embedded in a registry. They were
/// checked when the binary was compiled; this only replays them again, so that
/// run-time tools (`lint`, `schema`, `verify-schema`) see the same model.
pub fn analysis_of(registry: &Registry) -> Analysis {
    let mut display = "migrations".to_owned();
    let mut files = Vec::new();
    for m in registry.iter() {
        for s in std::iter::once(&m.up).chain(m.down.as_ref()) {
            let (dir, name) = s.path.rsplit_once('/').unwrap_or(("migrations", &s.path));
            display = dir.to_owned();
            // A file that cannot be read now is analysed as empty: its
            // step would refuse to run it anyway.
            files.push((
                name.to_owned(),
                s.text().unwrap_or_default().as_bytes().to_vec(),
            ));
        }
    }
    // Irreversible downs are not embedded, and the reversal was checked at
    // compile time.
    let opts = Options::default()
        .with_require_down(false)
        .with_check_reversal(false);
    analyze_files(&display, files, &opts)
}

/// (schema, table) -> column -> (data_type, nullable)
type Shape = BTreeMap<(String, String), BTreeMap<String, (String, bool)>>;

/// What differs between the database and `expected`, one sentence each; empty
/// when they match. Tables named in `ignore` (the tool's own history tables) are
/// left out on both sides.
///
/// # Errors
///
/// The catalogue could not be read.
pub fn differences(
    client: &mut Client,
    expected: &Schema,
    ignore: &[&str],
) -> Result<Vec<String>, postgres::Error> {
    let schemas: Vec<String> = expected.schemas.iter().cloned().collect();
    let mut live: Shape = BTreeMap::new();
    for row in client.query(
        "SELECT t.table_schema::text, t.table_name::text, c.column_name::text, c.data_type::text,
                c.is_nullable = 'YES', c.character_maximum_length
         FROM information_schema.tables t
         LEFT JOIN information_schema.columns c
           ON c.table_schema = t.table_schema AND c.table_name = t.table_name
         WHERE t.table_schema = ANY($1) AND NOT EXISTS (
             SELECT FROM pg_depend d
             WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
               AND d.objid = format('%I.%I', t.table_schema, t.table_name)::regclass)",
        &[&schemas],
    )? {
        let key = (row.get::<_, String>(0), row.get::<_, String>(1));
        let cols = live.entry(key).or_default();
        if let Some(col) = row.get::<_, Option<String>>(2) {
            let mut ty: String = row.get(3);
            if let Some(len) = row.get::<_, Option<i32>>(5) {
                ty = format!("{ty}({len})");
            }
            cols.insert(col, (ty, row.get(4)));
        }
    }
    // information_schema leaves materialized views out; their columns are
    // taken as they are (the model knows them by name).
    for row in client.query(
        "SELECT schemaname::text, matviewname::text FROM pg_matviews WHERE schemaname = ANY($1)",
        &[&schemas],
    )? {
        live.entry((row.get(0), row.get(1))).or_default();
    }
    let mut model: Shape = BTreeMap::new();
    // Objects the model lost track of are compared by existence only: it makes
    // no claim about their shape.
    for t in expected.tables.values() {
        if expected.doubts(&t.name) {
            if let Some(l) = live.get(&(t.name.schema.clone(), t.name.name.clone())) {
                let l = l.clone();
                model
                    .entry((t.name.schema.clone(), t.name.name.clone()))
                    .or_default()
                    .extend(l);
            } else {
                model
                    .entry((t.name.schema.clone(), t.name.name.clone()))
                    .or_default();
            }
            continue;
        }
        let cols = model
            .entry((t.name.schema.clone(), t.name.name.clone()))
            .or_default();
        for c in &t.columns {
            // information_schema counts a NOT NULL domain as not nullable.
            cols.insert(
                c.name.clone(),
                (
                    column_type(expected, &c.ty),
                    c.nullable && !domain_not_null(&c.ty, expected),
                ),
            );
        }
    }
    for v in expected.views.values() {
        let cols = model
            .entry((v.name.schema.clone(), v.name.name.clone()))
            .or_default();
        match &v.columns {
            Some(c) if !v.materialized => cols.extend(
                // A view's columns are nullable, but for a NOT NULL domain's.
                c.iter().map(|c| {
                    (
                        c.name.clone(),
                        (
                            column_type(expected, &c.ty),
                            !domain_not_null(&c.ty, expected),
                        ),
                    )
                }),
            ),
            // Columns the model could not derive are taken as they are.
            _ => {
                if let Some(l) = live.get(&(v.name.schema.clone(), v.name.name.clone())) {
                    cols.extend(l.clone());
                }
            }
        }
    }
    let skip = |k: &(String, String)| ignore.contains(&k.1.as_str());
    let name = |k: &(String, String)| {
        if k.0 == "public" {
            k.1.clone()
        } else {
            format!("{}.{}", k.0, k.1)
        }
    };
    let mut out = Vec::new();
    for (k, cols) in &model {
        if skip(k) {
            continue;
        }
        let Some(live_cols) = live.get(k) else {
            // An object the model doubts may well be gone (a CASCADE it could
            // not follow).
            let q = migrate_core::model::schema::QualName::new(k.0.clone(), k.1.clone());
            if !expected.doubts(&q) {
                out.push(format!("table {} is missing", name(k)));
            }
            continue;
        };
        for (c, (ty, null)) in cols {
            match live_cols.get(c) {
                None => out.push(format!("column {}.{c} is missing", name(k))),
                Some((lty, lnull)) => {
                    if lty != ty && ty != UNKNOWN_TYPE {
                        out.push(format!(
                            "column {}.{c} has type {lty}, the migrations say {ty}",
                            name(k)
                        ));
                    }
                    if lnull != null {
                        let say = |n: bool| if n { "nullable" } else { "NOT NULL" };
                        out.push(format!(
                            "column {}.{c} is {}, the migrations say {}",
                            name(k),
                            say(*lnull),
                            say(*null)
                        ));
                    }
                }
            }
        }
        for c in live_cols.keys() {
            if !cols.contains_key(c) {
                out.push(format!("column {}.{c} is not in the migrations", name(k)));
            }
        }
    }
    for k in live.keys() {
        // After a statement that may have changed anything, a table the model
        // does not know may well be there.
        // Nor one in a schema IMPORT FOREIGN SCHEMA filled. (An extension's
        // own relations, pg_stat_statements and the like, are not read.)
        if !skip(k)
            && !model.contains_key(k)
            && !expected.lost()
            && !expected.foreign_imports.contains(&k.0)
        {
            out.push(format!("table {} is not in the migrations", name(k)));
        }
    }
    // Indexes by name: a missing one is a slow query waiting to happen.
    // (schema, index) -> the table it is on.
    let live_indexes: BTreeMap<(String, String), String> = client
        .query(
            "SELECT schemaname::text, indexname::text, tablename::text FROM pg_indexes
             WHERE schemaname = ANY($1)",
            &[&schemas],
        )?
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let ignored_index =
        |ix: &(String, String)| ignore.iter().any(|t| ix.1.starts_with(&format!("{t}_")));
    for (q, ix) in &expected.indexes {
        let k = (q.schema.clone(), q.name.clone());
        // The tool's own tables (left out on both sides) keep their indexes out too.
        let own = ignore.contains(&ix.table.name.as_str());
        if !own
            && !live_indexes.contains_key(&k)
            && !expected.doubts(q)
            && !expected.doubts(&ix.table)
        {
            out.push(format!("index {} is missing", name(&k)));
        }
    }
    for (k, table) in &live_indexes {
        let known = expected
            .indexes
            .keys()
            .any(|q| q.schema == k.0 && q.name == k.1);
        let on = migrate_core::model::schema::QualName::new(k.0.clone(), table.clone());
        // Partitions get their own copies of the parent's indexes, which the
        // model does not keep; an opaque table's indexes are not claimed,
        // nor an index whose name the model doubts.
        let on_partition = expected.tables.get(&on).is_some_and(|t| t.is_partition());
        let doubted = expected.lost()
            || expected.doubts(&on)
            || expected.doubts(&migrate_core::model::schema::QualName::new(
                k.0.clone(),
                k.1.clone(),
            ));
        if !known && !on_partition && !ignored_index(k) && !doubted {
            out.push(format!("index {} is not in the migrations", name(k)));
        }
    }
    Ok(out)
}

/// A column's type as the live query above spells it: information_schema's
/// `data_type` (a domain's is its base type's, one level down: a domain over
/// a domain is `USER-DEFINED`), with the length of character and bit strings.
fn column_type(expected: &Schema, ty: &migrate_core::model::types::SqlType) -> String {
    // A type of an extension the model knows no types of (`lo` is a domain
    // over oid): what information_schema says of it is not known here.
    if let Some(s) = &ty.schema {
        let q = migrate_core::model::schema::QualName::new(s.clone(), ty.name.clone());
        let known = expected.domains.contains_key(&q)
            || expected.enums.contains_key(&q)
            || expected.composites.contains_key(&q)
            || expected.other_types.contains(&q)
            || expected.tables.contains_key(&q)
            || expected.views.contains_key(&q);
        if !known {
            return UNKNOWN_TYPE.to_owned();
        }
    }
    if ty.array_dims == 0
        && let Some(s) = &ty.schema
        && let Some(d) = expected
            .domains
            .get(&migrate_core::model::schema::QualName::new(
                s.clone(),
                ty.name.clone(),
            ))
        && d.base != *ty
    {
        return spelled(&d.base);
    }
    spelled(ty)
}

/// [`column_type`] of a type the model does not know: any live type matches.
const UNKNOWN_TYPE: &str = "(a type the migrations do not define)";

/// [`column_type`] of a type that is not a domain of the model's.
fn spelled(ty: &migrate_core::model::types::SqlType) -> String {
    let name = ty.information_schema_name();
    // information_schema gives the length of character and bit strings. The
    // grammar writes `char` and `bit` as length 1; a bare `bpchar`, `varchar`
    // or `varbit` has none.
    if matches!(ty.name.as_str(), "varchar" | "bpchar" | "bit" | "varbit")
        && ty.array_dims == 0
        && let Some(len) = ty.modifiers.first()
    {
        return format!("{name}({len})");
    }
    name
}
