//! `restore`: a backup (backup.rs) back through `pg_restore`, refusing a dump
//! whose schema version this build does not know, or a database that is not
//! empty without `--force`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use postgres::Client;

use super::backup::{io_error, migrations_table, sidecar_path, version_in_dump};
use super::output::Out;
use super::pg_tools::{Major, Tool, check_versions, find_tool, run_tool, server, stderr_of};
use super::{Failure, Global, connect, load_registry, migrator_options};
use crate::conninfo::quote_value;
use crate::error::{MigrateError, fmt_duration};
use crate::migration::Version;
use crate::migrator::Migrator;
use crate::registry::Registry;

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
