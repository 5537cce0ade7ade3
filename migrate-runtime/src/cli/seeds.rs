//! `seed`, `clean` and `reset`: the verbs of an app that embeds seeds.

use super::*;

pub(super) fn execute_seeds(
    g: &Global,
    command: SeedCommand,
    app: App,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let embedded = app.migrations;
    match command {
        SeedCommand::Seed => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let st = m.status(&mut c.client)?;
            if st.dirty || st.pending() > 0 {
                return Err(Failure::Reported(format!(
                    "the database is not at the latest migration ({} pending{}): the seeds fit the latest schema; \
                     run `up` first",
                    st.pending(),
                    if st.dirty { ", dirty" } else { "" }
                )));
            }
            seed(out, &mut c.client, &seeds)?;
            Ok(ExitCode::SUCCESS)
        }
        SeedCommand::Clean => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            match Seeder::new(&seeds).clean(&mut c.client)? {
                Some(d) => {
                    out.line(&format!("cleaned  (clean.sql, {})", fmt_duration(d)));
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(Failure::Reported(
                    "there is no clean.sql among the seeds".to_owned(),
                )),
            }
        }
        SeedCommand::Reset => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            confirm(
                g,
                &format!(
                    "drop everything in the current schema of {}, migrate and seed it again?",
                    c.opts.target()
                ),
            )?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let n = m.drop_all(&mut c.client)?;
            out.line(&format!("dropped {n} objects (and the migration tables)"));
            let report = m.run(&mut c.client, Target::Up { limit: None }, &mut |e| {
                out.event(e)
            })?;
            summary(out, &report);
            seed(out, &mut c.client, &seeds)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The seeds to run: embedded ones were checked at compile time; those read
/// from a directory are checked here against the schema `registry` builds,
/// the same checks, before anything runs.
pub(super) fn load_seeds(
    g: &Global,
    embedded: Option<&'static Seeds>,
    registry: &Registry,
) -> Result<Cow<'static, Seeds>, Failure> {
    match (&g.seed_dir, embedded) {
        (Some(dir), _) => Ok(Cow::Owned(registry.seeds_from_dir(dir)?)),
        (None, Some(s)) => Ok(Cow::Borrowed(s)),
        (None, None) => Ok(Cow::Owned(registry.seeds_from_dir(Path::new("seeds"))?)),
    }
}

pub(super) fn seed(out: &mut Out, client: &mut Client, seeds: &Seeds) -> Result<(), Failure> {
    let start = std::time::Instant::now();
    Seeder::new(seeds).seed(client, &mut |s, d| {
        out.line(&format!("seeded   {} ({})", s.name, fmt_duration(d)))
    })?;
    out.line(&format!(
        "{} seed files run in {}",
        seeds.files.len(),
        fmt_duration(start.elapsed())
    ));
    Ok(())
}
