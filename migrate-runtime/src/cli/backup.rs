//! `backup` and `restore`: PostgreSQL's own `pg_dump` / `pg_restore`, with the
//! schema version recorded beside the dump and checked before restoring.
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

use postgres::Client;

use super::output::Out;
use super::pg_tools::{
    Major, Server, Tool, check_versions, find_tool, run_tool, server, stderr_of,
};
use super::{Failure, Global, connect, load_registry, migrator_options};
use crate::conninfo::quote_value;
use crate::error::{MigrateError, fmt_duration};
use crate::migration::Version;
use crate::migrator::Migrator;
use crate::registry::Registry;
use crate::sql::TableName;

/// The version row of the migrations table inside a dump: `None` when the dump
/// has no such table or the table no row.
fn version_in_dump(
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
fn migrations_table(g: &Global, c: &super::Conn, server: &Server) -> Result<TableName, Failure> {
    let mut t = migrator_options(g, &c.opts)?.table;
    if t.schema.is_none() {
        t.schema = server.current_schema.clone();
    }
    Ok(t)
}

fn sidecar_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Failure {
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

/// What a dump says about itself.
struct DumpInfo {
    version: Option<i64>,
    dirty: bool,
    /// The pg_dump that made it, when the sidecar says.
    pg_dump: Option<String>,
    source: String,
}

fn read_sidecar(path: &Path) -> Result<DumpInfo, Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| io_error(path, "cannot read the sidecar", e))?;
    let bad = |m: &str| Failure::Reported(format!("{}: {m}", path.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let version = match v.get("version") {
        None | Some(serde_json::Value::Null) => None,
        Some(n) => Some(
            n.as_i64()
                .ok_or_else(|| bad(&format!("version {n} is not an integer")))?,
        ),
    };
    Ok(DumpInfo {
        version,
        dirty: v
            .get("dirty")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        pg_dump: v
            .get("pg_dump_version")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        source: format!("sidecar {}", path.display()),
    })
}

/// Relations in `public` (and the current schema) that are not an extension's.
fn user_relations(client: &mut Client) -> Result<Vec<String>, Failure> {
    let rows = client
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('public', current_schema())
                AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                   AND d.deptype = 'e')
              ORDER BY 1",
            &[],
        )
        .map_err(|e| MigrateError::db("listing the tables of the target database", e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Has pg_restore read the whole archive, data included, into nothing: a dump
/// cut short or damaged fails here, before anything is dropped.
fn read_to_the_end(pg_restore: &Tool, file: &Path) -> Result<(), Failure> {
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut to = std::ffi::OsString::from("--file=");
    to.push(null);
    let o = run_tool(
        pg_restore,
        None,
        &["--exit-on-error".as_ref(), to.as_os_str(), file.as_os_str()],
    )?;
    if o.status.success() {
        return Ok(());
    }
    Err(Failure::Reported(format!(
        "{} cannot be read to the end by pg_restore {} (cut short or damaged); nothing was dropped or changed:\n{}\n  \
         help: restore from another backup, or copy this one again",
        file.display(),
        pg_restore.major,
        String::from_utf8_lossy(&o.stderr).trim()
    )))
}

/// `novacron-db restore FILE [--force]`.
pub(super) fn restore(
    g: &Global,
    embedded: Option<&'static Registry>,
    file: &Path,
    force: bool,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    if !file.is_file() {
        return Err(Failure::Usage(format!(
            "{} does not exist or is not a file (make db-backup writes them into backups/)",
            file.display()
        )));
    }
    let registry = load_registry(g, embedded)?;
    let mut c = connect(g, out)?;
    let srv = server(&mut c.client)?;
    let pg_restore = find_tool("pg_restore", Some(srv.major))?;
    check_versions(&pg_restore, &srv, "restore into")?;

    // Everything that can refuse comes before anything is dropped.
    let sidecar = sidecar_path(file);
    let info = if sidecar.is_file() {
        read_sidecar(&sidecar)?
    } else {
        let table = migrations_table(g, &c, &srv)?;
        let v = version_in_dump(&pg_restore, file, &table)?;
        DumpInfo {
            version: v.map(|(v, _)| v),
            dirty: v.is_some_and(|(_, d)| d),
            pg_dump: None,
            source: format!("the dump's {} data (no sidecar)", table.name),
        }
    };
    if let Some(made_by) = info.pg_dump.as_deref().and_then(Major::parse)
        && made_by > pg_restore.major
    {
        return Err(Failure::Reported(format!(
            "pg_restore {} cannot read a dump made by pg_dump {made_by}; install postgresql-client-{made_by}\n  \
             ({} is version {})",
            pg_restore.major,
            pg_restore.path.display(),
            pg_restore.version
        )));
    }
    // A readable archive? (The sidecar alone proves nothing about the dump.)
    let listed = run_tool(&pg_restore, None, &["--list".as_ref(), file.as_os_str()])?;
    if !listed.status.success() {
        return Err(Failure::Reported(format!(
            "{} is not a dump pg_restore {} can read; nothing was changed:\n{}",
            file.display(),
            pg_restore.major,
            String::from_utf8_lossy(&listed.stderr).trim()
        )));
    }
    match info.version {
        Some(v) if registry.get(Version::new(v)).is_none() => {
            let known = match (registry.iter().next(), registry.latest()) {
                (Some(first), Some(last)) => format!(
                    "{} migrations, {} to {}",
                    registry.len(),
                    first.version,
                    last.version
                ),
                _ => "no migrations".to_owned(),
            };
            return Err(Failure::Reported(format!(
                "{} is at schema version {v} ({}), which this binary does not know (it has {known}); \
                 nothing was changed\n  help: restore it with a {} built from migrations that include {v}",
                file.display(),
                info.source,
                g.app.name
            )));
        }
        Some(v) if info.dirty => out.note(&format!(
            "note: the dump is dirty at version {v}; the restored database will be too (see `force`)"
        )),
        Some(_) => {}
        None => out.note(&format!(
            "note: {} records no migration version ({}); restoring it as it is",
            file.display(),
            info.source
        )),
    }

    let existing = user_relations(&mut c.client)?;
    let target = c.opts.target();
    if !existing.is_empty() {
        if !force {
            let mut shown: Vec<&str> = existing.iter().take(5).map(String::as_str).collect();
            if existing.len() > shown.len() {
                shown.push("...");
            }
            return Err(Failure::Usage(format!(
                "{target} is not empty: {} tables ({}); nothing was changed\n  \
                 help: restore into an empty database, or pass --force to drop everything in it first",
                existing.len(),
                shown.join(", ")
            )));
        }
        // `--list` reads only the table of contents, which a dump cut short
        // keeps: the drop must wait until every data block has been read.
        read_to_the_end(&pg_restore, file)?;
        let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
        let n = m.drop_all(&mut c.client)?;
        out.line(&format!(
            "--force: dropped {n} objects (and the migration tables) from {target}"
        ));
    }

    let start = Instant::now();
    let dbname = format!("--dbname=dbname={}", quote_value(&srv.database));
    let o = run_tool(
        &pg_restore,
        Some(&c.opts),
        &[
            "--no-owner".as_ref(),
            "--exit-on-error".as_ref(),
            "--single-transaction".as_ref(),
            "--no-password".as_ref(),
            dbname.as_ref(),
            file.as_os_str(),
        ],
    )?;
    let stderr = stderr_of(&o, &c.opts);
    if !o.status.success() {
        return Err(Failure::Reported(format!(
            "pg_restore failed ({}); its single transaction was rolled back{}:\n{stderr}",
            o.status,
            if existing.is_empty() {
                ", the database is as it was"
            } else {
                ", but --force had already emptied the database"
            }
        )));
    }
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        out.note(&format!("pg_restore: {line}"));
    }
    let elapsed = start.elapsed();

    let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
    let now = m.version(&mut c.client)?;
    let tables = user_relations(&mut c.client)?.len();
    let at = match now {
        Some((v, false)) => format!("version {v}"),
        Some((v, true)) => format!("version {v} (dirty)"),
        None => "no migration version".to_owned(),
    };
    out.line(&format!(
        "restored {} into {target} in {}: {tables} tables, {at}",
        file.display(),
        fmt_duration(elapsed)
    ));
    if now.map(|(v, _)| v.get()) != info.version {
        out.note(&format!(
            "warning: {} said version {}, but the restored database is at {at}",
            info.source,
            info.version.map_or("none".to_owned(), |v| v.to_string())
        ));
    }
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
