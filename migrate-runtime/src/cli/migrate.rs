//! `up`, `down`, `goto` and `validate`: runs, plans and their summaries.

use super::*;

pub(super) fn migrate(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
    target: Target,
    dry_run: bool,
    single_transaction: bool,
) -> Result<ExitCode, Failure> {
    // `up` reads the database's state while the migrations load; an error
    // there is met again by the run, which reports it as it would have.
    let prefetch = matches!(target, Target::Up { .. }) && !dry_run;
    // `up` looks at no down file until it knows it has something to do: a
    // run with nothing to do (most of them) needs only the ups.
    let trust = if prefetch {
        Trust::Ups
    } else {
        Trust::Metadata
    };
    let (mut registry, downs_checked, mut c, prefetched) =
        load_and_connect(g, embedded, out, trust, |c| {
            if !prefetch {
                return None;
            }
            let o = migrator_options(g, &c.opts).ok()?;
            c.runtime
                .block_on(Migrator::prefetch_async(&mut c.client, &o))
                .ok()
        })?;
    let mut options = migrator_options(g, &c.opts)?;
    options.single_transaction = single_transaction;
    if !downs_checked {
        let m = Migrator::with_options(&registry, options.clone());
        if let Some(p) = &prefetched
            && let Some(v) = m.proven_by(p)?
        {
            summary(
                out,
                &Report {
                    from: Some(v),
                    to: Some(v),
                    ..Report::default()
                },
            );
            return Ok(ExitCode::SUCCESS);
        }
        // Something to do, or to explain: every file counts now.
        registry = load_registry(g, embedded)?;
    }
    let m = Migrator::with_options(&registry, options);
    let rt = &c.runtime;
    if dry_run {
        let plan = rt.block_on(m.plan_async(&mut c.client, target))?;
        print_plan(out, &plan)?;
        return Ok(ExitCode::SUCCESS);
    }
    if target == Target::DownAll && !g.yes {
        let n = rt
            .block_on(m.plan_async(&mut c.client, target))?
            .steps
            .len();
        if n == 0 {
            out.line("no change: no migration is applied");
            return Ok(ExitCode::SUCCESS);
        }
        confirm(
            g,
            &format!("revert all {n} applied migrations of {}?", c.opts.target()),
        )?;
    }
    let interrupt = interrupt::Interrupt::install(&c.opts, c.client.cancel_token());
    let mut options = m.options().clone();
    options.interrupt = Some(interrupt.stop.clone());
    let m = Migrator::with_options(&registry, options);
    // What ran, for the closing line of an interrupted run.
    let (mut done, mut running) = (0usize, None::<String>);
    let progress = &mut |e: Event<'_>| {
        match e {
            Event::Started { step, .. } => running = Some(step.migration.label()),
            Event::Finished { .. } => {
                done += 1;
                running = None;
            }
            Event::Baselined { .. } => {}
        }
        out.event(e)
    };
    let result = rt.block_on(m.run_prefetched_async(&mut c.client, target, progress, prefetched));
    let Some((signal, code)) = interrupt.received() else {
        summary(out, &result?);
        return Ok(ExitCode::SUCCESS);
    };
    let stopped = match (&result, running) {
        (Err(MigrateError::Failed(_)), Some(label)) => {
            format!("{label} was cancelled (see above)")
        }
        (Err(MigrateError::Interrupted { next, .. }), _) => {
            format!("{next} and the ones after it did not start")
        }
        (Ok(_), _) => "the run had finished".to_owned(),
        (Err(_), _) => "it stopped with the error above".to_owned(),
    };
    if let Err(e) = &result
        && !matches!(e, MigrateError::Interrupted { .. })
    {
        out.error(&crate::migrator::apply::error_chain(e));
    }
    // Read twice if need be: a cancel request the server handles late (the
    // machine busy) can cancel this read instead of the statement it was for.
    let version = rt
        .block_on(m.version_async(&mut c.client))
        .or_else(|_| rt.block_on(m.version_async(&mut c.client)));
    let at = match version {
        Ok(Some((v, false))) => format!("the database is at version {v}"),
        Ok(Some((v, true))) => format!("the database is at version {v}, dirty"),
        Ok(None) => "no migration is applied".to_owned(),
        Err(e) => format!("where the database is could not be read ({e}): run `version`"),
    };
    out.error(&format!(
        "interrupted by {signal}: {done} migration{} done in this run; {stopped}; {at}",
        if done == 1 { "" } else { "s" }
    ));
    Ok(ExitCode::from(code))
}

pub(super) fn summary(out: &mut Out, r: &Report) {
    let at = match r.to {
        Some(v) => format!("the database is at version {v}"),
        None => "no migration is applied".to_owned(),
    };
    if r.steps.is_empty() {
        out.line(&format!("no change: {at}"));
        return;
    }
    let ups = r
        .steps
        .iter()
        .filter(|s| s.direction == migrate_core::Direction::Up)
        .count();
    let downs = r.steps.len() - ups;
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "migration" } else { "migrations" };
    if ups > 0 {
        parts.push(format!("{ups} {} applied", plural(ups)));
    }
    if downs > 0 {
        parts.push(format!("{downs} {} reverted", plural(downs)));
    }
    out.line(&format!(
        "{} in {}; {at}",
        parts.join(", "),
        fmt_duration(r.elapsed)
    ));
}

pub(super) fn print_plan(out: &mut Out, plan: &Plan<'_>) -> Result<(), Failure> {
    let at = plan
        .from
        .map_or("no version".to_owned(), |v| format!("version {v}"));
    out.line(&format!(
        "-- dry run: nothing is changed; the database is at {at}"
    ));
    if !plan.baseline.is_empty() {
        out.line(&format!(
            "-- would record {} versions moved by another tool in the history (nothing run)",
            plan.baseline.len()
        ));
    }
    if plan.steps.is_empty() {
        out.line("-- nothing to do");
        return Ok(());
    }
    for step in &plan.steps {
        let s = step.script();
        let verb = match step.direction {
            migrate_core::Direction::Up => "apply",
            migrate_core::Direction::Down => "revert",
        };
        let how = if s.transactional {
            "in one transaction with its history row"
        } else {
            "without a transaction, one statement at a time"
        };
        let after = step
            .after
            .map_or("no version".to_owned(), |v| format!("version {v}"));
        out.line(&format!(
            "-- would {verb} {} ({}, {how}; then {after})",
            step.migration.label(),
            s.path
        ));
        out.line(s.text().map_err(MigrateError::from)?.trim_end());
        out.line("");
    }
    Ok(())
}

pub(super) fn validate(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let registry = load_registry(g, embedded)?;
    // `up` runs past findings on downs; `validate` is the files' whole verdict,
    // as `cargo build` would give it.
    if !registry.warnings().is_empty() {
        return Err(Failure::Reported(format!(
            "{} problem(s) in down files (above)",
            registry.warnings().len()
        )));
    }
    let source = if g.dir.is_some() || embedded.is_none() {
        "checked now"
    } else {
        "embedded; checked when the binary was built"
    };
    out.line(&format!(
        "files: {} migrations, ok ({source})",
        registry.len()
    ));
    let explicit = database_url(g).is_ok_and(|(_, explicit)| explicit);
    if !explicit {
        out.note("database: not checked (give --database-url, DB_URL or DATABASE_URL)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut c = connect(g, out)?;
    let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
    let st = m.status(&mut c.client)?;
    let problems = m.problems(&mut c.client)?;
    if problems.is_empty() {
        out.line(&format!(
            "database {}: ok ({} applied, {} pending)",
            c.opts.target(),
            st.applied(),
            st.pending()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        out.error(&p.to_string());
    }
    Err(Failure::Reported(format!(
        "database {}: {} problem{} found",
        c.opts.target(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )))
}
