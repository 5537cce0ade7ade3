//! Read-only views of the schema model: `lint`, `schema` and `verify-schema`.
//! They run migrate-core over the same migrations the binary applies, so what
//! they report is what the compile-time checks saw.

use std::process::ExitCode;

use migrate_core::Analysis;
use migrate_core::lint::{Level, lint as run_lint};
use migrate_core::render::{Format, render};

use super::output::Out;
use super::{Failure, Global, connect, migrator_options};
use crate::migrator::Migrator;
use crate::registry::Registry;
use crate::verify::{analysis_of, differences};

/// The model of the directory (`--dir`) or of the embedded migrations.
fn analysis(g: &Global, embedded: Option<&'static Registry>) -> Result<Analysis, Failure> {
    let report = |errors: &migrate_core::Diagnostics| {
        Failure::Reported(format!(
            "{errors}\n\n{} problem(s) in the migrations",
            errors.len()
        ))
    };
    match (&g.dir, embedded) {
        (None, Some(r)) => {
            let a = analysis_of(r);
            if a.errors.is_empty() {
                Ok(a)
            } else {
                Err(report(&a.errors))
            }
        }
        (dir, _) => {
            let dir = dir.clone().unwrap_or_else(|| "migrations".into());
            let display = dir.display().to_string();
            let (a, warnings) = crate::registry::analyze_dir(
                &dir,
                display.trim_end_matches('/'),
                &super::dir_options(g),
            )
            .map_err(|e| report(&e))?;
            super::print_down_warnings(&warnings);
            Ok(a)
        }
    }
}

/// `lint [--format text|json]`: exit 1 when a finding of level error remains.
pub(super) fn lint(
    g: &Global,
    embedded: Option<&'static Registry>,
    json: bool,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let a = analysis(g, embedded)?;
    let found = run_lint(&a);
    let errors = found
        .iter()
        .filter(|f| f.rule.level == Level::Error)
        .count();
    if json {
        let list: Vec<serde_json::Value> = found.iter().map(|f| f.to_json()).collect();
        out.line(&serde_json::to_string_pretty(&list).unwrap_or_default());
    } else {
        for f in &found {
            out.line(&format!("{f}\n"));
        }
        out.line(&format!(
            "lint: {} migrations, {errors} error(s), {} warning(s)",
            a.migrations.len(),
            found.len() - errors
        ));
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `schema --format mermaid|dot|markdown [--version V]`.
pub(super) fn schema(
    g: &Global,
    embedded: Option<&'static Registry>,
    format: &str,
    version: Option<i64>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let format: Format = format.parse().map_err(Failure::Usage)?;
    let a = analysis(g, embedded)?;
    let schema = match version {
        Some(v) if !a.migrations.iter().any(|m| m.version == v) => {
            return Err(Failure::Usage(format!("no migration has version {v}")));
        }
        Some(v) => a.at_version(v),
        None => a.latest(),
    };
    out.line(render(schema, format).trim_end());
    Ok(ExitCode::SUCCESS)
}

/// `verify-schema`: the live catalogue against the model at the database's
/// recorded version; exit 1 on any difference.
pub(super) fn verify_schema(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let a = analysis(g, embedded)?;
    let registry = super::load_registry(g, embedded)?;
    let mut c = connect(g, out)?;
    let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
    let version = m.version(&mut c.client)?;
    let (label, expected) = match version {
        Some((_, true)) => {
            return Err(Failure::Reported(
                "the database is dirty: a migration stopped half way, so there is no version to compare with; fix it and run `force V` first".to_owned(),
            ));
        }
        Some((v, false)) => (format!("version {v}"), a.at_version(v.get())),
        None => ("no version".to_owned(), &a.initial),
    };
    let ignore = [
        m.options().table.name.clone(),
        m.options().history_table().name,
    ];
    let ignore: Vec<&str> = ignore.iter().map(String::as_str).collect();
    let found = differences(&mut c.client, expected, &ignore)
        .map_err(|e| Failure::Reported(format!("reading the catalogue: {e}")))?;
    if found.is_empty() {
        out.line(&format!("schema matches the migrations at {label}"));
        return Ok(ExitCode::SUCCESS);
    }
    for d in &found {
        out.line(&format!("  {d}"));
    }
    Err(Failure::Reported(format!(
        "{} difference(s) between the database and the migrations at {label}",
        found.len()
    )))
}
