//! A small in-memory migrations directory through the whole analysis the
//! macro runs (`analyze_files`): the input is cut at NUL bytes into up to four
//! files, `1_a.up.sql`, `1_a.down.sql`, `2_b.up.sql`, `2_b.down.sql`. The
//! same files parsed a chunk of statements at a time (what files of 4 MB and
//! more get; here every file, at every statement) must give the same findings
//! and the same schemas.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_core::{Options, analyze_files};

const NAMES: [&str; 4] = ["1_a.up.sql", "1_a.down.sql", "2_b.up.sql", "2_b.down.sql"];

fuzz_target!(|data: &[u8]| {
    let files: Vec<(String, Vec<u8>)> = data
        .splitn(NAMES.len(), |&b| b == 0)
        .zip(NAMES)
        .map(|(bytes, name)| (name.to_owned(), bytes.to_vec()))
        .collect();
    let analysis = analyze_files("m", files.clone(), &Options::default());
    for d in analysis.errors.iter().chain(analysis.incomplete.iter()) {
        let _ = d.to_string();
    }
    let chunked = analyze_files(
        "m",
        files,
        &Options::default().with_chunked_from(1),
    );
    assert_eq!(chunked.errors, analysis.errors);
    assert_eq!(chunked.incomplete, analysis.incomplete);
    assert_eq!(chunked.schemas, analysis.schemas);
});
