//! One file that parses, replayed into the schema of an empty database, then
//! replayed again on top of itself (a second migration with the same text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_core::analyze::initial_schema;
use migrate_core::replay::{ReplayFindings, replay_statements};

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(statements) = migrate_core::sql::parse::parse("m/1_f.up.sql", sql) else {
        return;
    };
    let mut schema = initial_schema("schema_migrations", Default::default());
    for _ in 0..2 {
        let mut findings = ReplayFindings::default();
        replay_statements(&mut schema, "m/1_f.up.sql", sql, &statements, &mut findings);
        for d in findings.errors.iter().chain(findings.incomplete.iter()) {
            let _ = d.to_string();
        }
    }
});
