//! One file's bytes through what reads a migration file: name pairing,
//! UTF-8, markers, scan, parse, checksum (`discover_files`), and the plain
//! `sql::parse` the CLI's lint and seeds use.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_core::{LoadOptions, discover_files};

fuzz_target!(|data: &[u8]| {
    let found = discover_files(
        "m",
        vec![("1_f.up.sql".to_owned(), Ok(data.to_vec()))],
        &LoadOptions::default().with_require_down(false),
    );
    // Every finding renders (positions inside the file, carets on its lines).
    for d in found.diagnostics.iter() {
        let _ = d.to_string();
    }
    if let Ok(sql) = std::str::from_utf8(data) {
        let _ = migrate_core::sql::parse::parse("m/1_f.up.sql", sql);
    }
});
