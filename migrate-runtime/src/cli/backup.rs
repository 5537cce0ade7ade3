//! `backup` and what it shares with `restore` (restore.rs): PostgreSQL's own
//! `pg_dump` / `pg_restore`, with the schema version recorded beside the dump
//! and checked before restoring.
//!
//! The tools come from `pg_config --bindir` when there is a `pg_config` (the
//! real binaries, not Debian's version-picking wrapper), else from PATH. The
//! connection reaches them through libpq's environment variables (PGHOST,
//! PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ...) of the parsed URL
//! ([`crate::conninfo::ConnInfo::libpq_env`]): never on the command line,
//! where `ps` would show the password.
//!
//! A backup is two files: `<name>.dump` (pg_dump's custom format) and
//! `<name>.dump.json`, the sidecar with the schema version read back from the
//! dump itself. `restore` trusts the sidecar, or without one reads the version
//! out of the dump's `schema_migrations` data.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::output::Out;
use super::pg_tools::{Server, Tool, check_versions, find_tool, run_tool, server, stderr_of};
use super::{Failure, Global, connect, migrator_options};
use crate::error::{MigrateError, fmt_duration};
use crate::sql::TableName;

/// The version row of the migrations table inside a dump: `None` when the dump
/// has no such table or the table no row.
pub(super) fn version_in_dump(
    pg_restore: &Tool,
    file: &Path,
    table: &TableName,
) -> Result<Option<(i64, bool)>, Failure> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "--data-only".into(),
        format!("--table={}", table.name).into(),
    ];
    if let Some(s) = &table.schema {
        args.push(format!("--schema={s}").into());
    }
    args.extend(["--file=-".into(), file.as_os_str().to_owned()]);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let o = run_tool(pg_restore, None, &args)?;
    if !o.status.success() {
        return Err(Failure::Reported(format!(
            "{} is not a dump pg_restore {} can read: {}",
            file.display(),
            pg_restore.major,
            String::from_utf8_lossy(&o.stderr).trim()
        )));
    }
    parse_copy_version(&String::from_utf8_lossy(&o.stdout)).map_err(|m| {
        Failure::Reported(format!(
            "{}: the {table} data in the dump is not golang-migrate's: {m}",
            file.display()
        ))
    })
}

/// `COPY public.schema_migrations (version, dirty) FROM stdin;` then the row.
fn parse_copy_version(script: &str) -> Result<Option<(i64, bool)>, String> {
    let mut lines = script.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        let cols = rest
            .split_once(" (")
            .and_then(|(_, c)| c.split_once(") FROM stdin"))
            .map(|(c, _)| c)
            .ok_or_else(|| format!("unexpected COPY line {line:?}"))?;
        let cols: Vec<&str> = cols.split(", ").map(|c| c.trim_matches('"')).collect();
        let at = |name: &str| {
            cols.iter()
                .position(|c| *c == name)
                .ok_or_else(|| format!("no {name} column (columns: {})", cols.join(", ")))
        };
        let (vi, di) = (at("version")?, at("dirty")?);
        let Some(row) = lines.next().filter(|r| *r != "\\.") else {
            return Ok(None);
        };
        let fields: Vec<&str> = row.split('\t').collect();
        let version = fields
            .get(vi)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| format!("version {:?} is not a number", fields.get(vi)))?;
        let dirty = matches!(fields.get(di), Some(&"t"));
        return Ok(Some((version, dirty)));
    }
    Ok(None)
}

/// The migrations table as the options name it, schema resolved on `server`.
pub(super) fn migrations_table(
    g: &Global,
    c: &super::Conn,
    server: &Server,
) -> Result<TableName, Failure> {
    let mut t = migrator_options(g, &c.opts)?.table;
    if t.schema.is_none() {
        t.schema = server.current_schema.clone();
    }
    Ok(t)
}

pub(super) fn sidecar_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

pub(super) fn io_error(path: &Path, what: &str, e: std::io::Error) -> Failure {
    Failure::Error(MigrateError::Io {
        path: path.to_owned(),
        message: format!("{what}: {e}"),
        source: e,
    })
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// Keeps a database name usable in a file name.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Removes a half-written file unless disarmed.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `novacron-db backup [FILE]`.
pub(super) fn backup(
    g: &Global,
    file: Option<PathBuf>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    if let Some(f) = &file
        && f.exists()
    {
        return Err(Failure::Usage(format!(
            "{} exists; a backup never overwrites one: remove it or choose another name",
            f.display()
        )));
    }
    let mut c = connect(g, out)?;
    let srv = server(&mut c.client)?;
    let pg_dump = find_tool("pg_dump", Some(srv.major))?;
    check_versions(&pg_dump, &srv, "dump")?;
    let pg_restore = find_tool("pg_restore", Some(srv.major))?;
    let table = migrations_table(g, &c, &srv)?;

    let now = chrono::Utc::now();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let partial = match &file {
        Some(f) => {
            let mut p = f.as_os_str().to_owned();
            p.push(".partial");
            PathBuf::from(p)
        }
        None => PathBuf::from("backups").join(format!(
            ".{}_{stamp}.dump.partial",
            file_safe(&srv.database)
        )),
    };
    if let Some(dir) = partial.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| io_error(dir, "cannot create the directory", e))?;
    }
    let mut guard = Partial(Some(partial.clone()));

    let start = Instant::now();
    let mut file_arg = std::ffi::OsString::from("--file=");
    file_arg.push(&partial);
    let o = run_tool(
        &pg_dump,
        Some(&c.opts),
        &[
            "--format=custom".as_ref(),
            "--no-password".as_ref(),
            file_arg.as_os_str(),
        ],
    )?;
    let stderr = stderr_of(&o, &c.opts);
    if !o.status.success() {
        return Err(Failure::Reported(format!(
            "pg_dump failed ({}); no backup was written:\n{stderr}",
            o.status
        )));
    }
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        out.note(&format!("pg_dump: {line}"));
    }
    let elapsed = start.elapsed();

    // The version the dump holds, not the one read before it: a migration
    // may have run in between.
    let version = version_in_dump(&pg_restore, &partial, &table)?;
    let path = match file {
        Some(f) => f,
        None => PathBuf::from("backups").join(format!(
            "{}_{stamp}_v{}.dump",
            file_safe(&srv.database),
            version.map_or("none".to_owned(), |(v, _)| v.to_string())
        )),
    };
    if path.exists() {
        return Err(Failure::Reported(format!(
            "{} appeared while dumping; not overwriting it (nothing was written)",
            path.display()
        )));
    }
    let sidecar = sidecar_path(&path);
    let meta = serde_json::json!({
        "version": version.map(|(v, _)| v),
        "dirty": version.is_some_and(|(_, d)| d),
        "database": srv.database,
        "created_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "pg_dump_version": pg_dump.version,
        "server_version": srv.version,
        "migrations_table": table.to_string(),
        "format": "custom",
        "dump": path.file_name().map(|n| n.to_string_lossy().into_owned()),
    });
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Failure::Reported(e.to_string()))?;
    std::fs::write(&sidecar, format!("{text}\n"))
        .map_err(|e| io_error(&sidecar, "cannot write the sidecar", e))?;
    if let Err(e) = std::fs::rename(&partial, &path) {
        let _ = std::fs::remove_file(&sidecar);
        return Err(io_error(&path, "cannot move the dump into place", e));
    }
    guard.0 = None;

    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let at = match version {
        Some((v, false)) => format!("version {v}"),
        Some((v, true)) => format!("version {v}, dirty"),
        None => "no migration version".to_owned(),
    };
    if let Some((v, true)) = version {
        out.note(&format!(
            "note: the database is dirty at version {v}; the backup records it as it is"
        ));
    }
    out.line(&format!(
        "wrote {} ({}, {at}, {} by pg_dump {} in {})",
        path.display(),
        human_size(size),
        c.opts.target(),
        pg_dump.major,
        fmt_duration(elapsed)
    ));
    out.line(&format!("wrote {}", sidecar.display()));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_version() {
        let s = "SET x = 1;\n\nCOPY public.schema_migrations (version, dirty) FROM stdin;\n11\tf\n\\.\n";
        assert_eq!(parse_copy_version(s), Ok(Some((11, false))));
        let s = "COPY s.\"m\" (dirty, \"version\") FROM stdin;\nt\t7\n\\.\n";
        assert_eq!(parse_copy_version(s), Ok(Some((7, true))));
        let s = "COPY public.schema_migrations (version, dirty) FROM stdin;\n\\.\n";
        assert_eq!(parse_copy_version(s), Ok(None));
        assert_eq!(parse_copy_version("SET x = 1;\n"), Ok(None));
        assert!(parse_copy_version("COPY t (a) FROM stdin;\n1\n\\.\n").is_err());
    }
}
