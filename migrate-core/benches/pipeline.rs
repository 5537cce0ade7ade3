//! `make bench`: how long the compile-time pipeline takes on 1,000 generated
//! migrations of ~20 lines each (a table with columns, constraints and an index,
//! and its down). Prints a table; the goal for discover+parse+checksum is < 1 s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pgcheck_core::source::load::{LoadOptions, discover};
use pgcheck_core::{Options, analyze, lint};

const N: usize = 1000;
const RUNS: usize = 5;

fn generate(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 1..=N {
        let up = format!(
            "-- migration {i}: table t{i}\n\
             CREATE TABLE t{i} (\n\
             \x20   id bigserial PRIMARY KEY,\n\
             \x20   name varchar(255) NOT NULL,\n\
             \x20   note text,\n\
             \x20   amount numeric(12,2) NOT NULL DEFAULT 0,\n\
             \x20   flags integer[] NOT NULL DEFAULT '{{}}',\n\
             \x20   payload jsonb,\n\
             \x20   ip inet,\n\
             \x20   created_at timestamptz NOT NULL DEFAULT now(),\n\
             \x20   updated_at timestamptz NOT NULL DEFAULT now(),\n\
             \x20   parent_id bigint{parent},\n\
             \x20   CONSTRAINT t{i}_amount_check CHECK (amount >= 0),\n\
             \x20   CONSTRAINT t{i}_name_key UNIQUE (name)\n\
             );\n\
             \n\
             CREATE INDEX t{i}_created_at_idx ON t{i} (created_at);\n\
             CREATE INDEX t{i}_parent_idx ON t{i} (parent_id);\n\
             COMMENT ON TABLE t{i} IS 'generated for the benchmark';\n",
            parent = if i > 1 {
                format!(" REFERENCES t{} (id)", i - 1)
            } else {
                String::new()
            }
        );
        let down = format!("DROP TABLE t{i};\n");
        std::fs::write(dir.join(format!("{i:06}_create_t{i}.up.sql")), up).unwrap();
        std::fs::write(dir.join(format!("{i:06}_create_t{i}.down.sql")), down).unwrap();
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(f: impl Fn() -> T) -> Duration {
    let _warm = f();
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let dir: PathBuf = std::env::temp_dir().join(format!("novacron_bench_{}", std::process::id()));
    generate(&dir);
    let lines: usize = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap()
                .lines()
                .count()
        })
        .sum();

    let discover_t = time(|| discover(&dir, "m", &LoadOptions::default()));
    let no_reversal = Options::default().with_check_reversal(false);
    let replay_t = time(|| analyze(&dir, "m", &no_reversal));
    let full_t = time(|| analyze(&dir, "m", &Options::default()));
    let a = analyze(&dir, "m", &Options::default());
    assert!(a.errors.is_empty(), "{}", a.errors);
    assert_eq!(a.latest().tables.len(), N + 1);
    let lint_t = time(|| lint::lint(&a));
    std::fs::remove_dir_all(&dir).unwrap();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "migrate-core pipeline: {N} migrations ({} files, {lines} lines), median of {RUNS} runs",
        2 * N
    );
    println!("{:<44} {:>10} {:>14}", "stage", "total ms", "µs/migration");
    let rows = [
        ("discover + parse + checksum (goal < 1000 ms)", discover_t),
        ("+ replay into the model", replay_t),
        ("+ reversal check (= what the macro runs)", full_t),
        ("lint over the analysis", lint_t),
    ];
    for (name, d) in rows {
        println!(
            "{:<44} {:>10.1} {:>14.1}",
            name,
            ms(d),
            ms(d) * 1000.0 / N as f64
        );
    }
}
