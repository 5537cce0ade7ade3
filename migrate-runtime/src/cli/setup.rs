//! What every command sets up first: the database URL, the registry (embedded
//! or a directory), the connection, the migrator's options, a confirmation.

use super::*;

/// `30s`, `500ms`, `2m`, `1h`, `1.5s`, or plain seconds. By hand rather than
/// humantime: plain seconds are golang-migrate's `-lock-timeout 15` (and the
/// old scripts'), and humantime refuses both them and fractions (`1.5s`).
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => {
            return Err(format!(
                "unknown unit {u:?} in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?}: {e}"))
}

/// The URL and whether the user gave one (flag, environment or ./.env, which
/// is in the environment by now); the app's default otherwise.
pub(super) fn database_url(g: &Global) -> Result<(String, bool), Failure> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match g
        .database_url
        .clone()
        .or_else(|| env("DB_URL"))
        .or_else(|| env("DATABASE_URL"))
    {
        Some(u) => Ok((u, true)),
        None => match g.app.default_url {
            Some(u) => Ok((u.to_owned(), false)),
            None => Err(Failure::Usage(NO_URL.to_owned())),
        },
    }
}

/// What to do when there is no URL and the app has no default.
const NO_URL: &str = "no database URL: give one with --database-url URL, or set DB_URL or \
     DATABASE_URL (in the environment or in ./.env), e.g. \
     DB_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE";

pub(super) fn load_registry(
    g: &Global,
    embedded: Option<&'static Registry>,
) -> Result<Cow<'static, Registry>, Failure> {
    let (registry, _) = registry_of(g, embedded, Trust::Metadata)?;
    print_down_warnings(registry.warnings());
    Ok(registry)
}

/// [`load_registry`] and [`connect_async`] at once: the connection (TCP,
/// authentication, the session's setup), then `then` on it (what `up` reads
/// of the database before it needs the migrations), wait on the server while
/// the registry is loaded (in directory mode, the `stat` of every file), so a
/// run with nothing to do costs about the longer of the two, not their sum. A
/// broken migration is reported before a connection failure, as when one
/// came after the other. With `--wait` they do come one after the other: a
/// broken file must not wait for a server that is down. `trust` is what the
/// analysis cache may be trusted on; the `bool` says whether the downs'
/// files were looked at (see [`Trust::Ups`]): their warnings are printed
/// only then.
pub(super) fn load_and_connect<T>(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
    trust: Trust,
    then: impl FnOnce(&mut AsyncConn) -> T,
) -> Result<(Cow<'static, Registry>, bool, AsyncConn, T), Failure> {
    let connect = |out: &mut Out| {
        connect_async(g, out).map(|mut c| {
            let t = then(&mut c);
            (c, t)
        })
    };
    if g.wait.is_some() {
        let registry = load_registry(g, embedded)?;
        let (c, t) = connect(out)?;
        return Ok((registry, true, c, t));
    }
    let (registry, connected) = std::thread::scope(|s| {
        let loading = s.spawn(|| registry_of(g, embedded, trust));
        let connected = connect(out);
        let registry = loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (registry, connected)
    });
    let (registry, downs_checked) = registry?;
    if downs_checked {
        print_down_warnings(registry.warnings());
    }
    let (c, t) = connected?;
    Ok((registry, downs_checked, c, t))
}

/// The registry: embedded, or loaded from the directory (trusting the
/// analysis cache on `trust`), and whether the downs' files were looked at.
fn registry_of(
    g: &Global,
    embedded: Option<&'static Registry>,
    trust: Trust,
) -> Result<(Cow<'static, Registry>, bool), Failure> {
    let (dir, display) = match (&g.dir, embedded) {
        (Some(dir), _) => {
            tracing::debug!(dir = %dir.display(), "loading migrations from a directory");
            let display = dir.display().to_string();
            (dir.as_path(), display.trim_end_matches('/').to_owned())
        }
        (None, Some(r)) => {
            if let Some(problem) = stale_embedding(r) {
                return Err(Failure::Reported(problem));
            }
            return Ok((Cow::Borrowed(r), true));
        }
        (None, None) => (Path::new("migrations"), "migrations".to_owned()),
    };
    let (registry, downs_checked) =
        Registry::from_dir_deferred(dir, &display, &dir_options(g), trust)?;
    Ok((Cow::Owned(registry), downs_checked))
}

/// When the directory an embedded registry was built from is on this machine
/// and holds migrations the binary lacks (or lacks files it embeds), what to
/// say: cargo reruns `embed_migrations!` when an embedded file changes, but
/// not when one is added, unless a build script watches the directory, so
/// such a binary would silently leave the new migration out.
pub(super) fn stale_embedding(registry: &Registry) -> Option<String> {
    let dir = Path::new(registry.source_dir()?);
    let entries = std::fs::read_dir(dir).ok()?;
    let mut on_disk = std::collections::BTreeMap::<i64, String>::new();
    for entry in entries.flatten() {
        let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(Ok(f)) = migrate_core::source::filename::parse(&file) {
            on_disk.entry(f.version).or_insert(file);
        }
    }
    let added: Vec<&str> = on_disk
        .iter()
        .filter(|(v, _)| registry.get(Version::new(**v)).is_none())
        .map(|(_, f)| f.as_str())
        .collect();
    let gone: Vec<String> = registry
        .iter()
        .filter(|m| !on_disk.contains_key(&m.version.get()))
        .map(|m| m.label())
        .collect();
    if added.is_empty() && gone.is_empty() {
        return None;
    }
    let mut what = Vec::new();
    if !added.is_empty() {
        what.push(format!("{} is not in it", added.join(", ")));
    }
    if !gone.is_empty() {
        what.push(format!(
            "it embeds {} whose files are gone",
            gone.join(", ")
        ));
    }
    Some(format!(
        "this binary is older than the migrations in {}: {}; nothing was run\n  \
         help: cargo does not rebuild for a file added to (or removed from) the directory \
         unless a build script watches it: give the package a build.rs with\n    \
         fn main() {{ println!(\"cargo:rerun-if-changed={}\"); }}\n  \
         then rebuild (cargo build); or run the files themselves with --dir {}",
        dir.display(),
        what.join("; "),
        // The directory as the macro's argument names it (relative to the package).
        registry
            .iter()
            .next()
            .and_then(|m| m.up.path.rsplit_once('/'))
            .map_or_else(
                || dir
                    .file_name()
                    .map_or("migrations".into(), |n| n.to_string_lossy()),
                |(d, _)| d.into()
            ),
        dir.display()
    ))
}

/// Directory mode's options, from the command line: one place for all commands.
pub(super) fn dir_options(g: &Global) -> crate::registry::DirOptions {
    crate::registry::DirOptions {
        require_down: if g.no_require_down { Some(false) } else { None },
        history_table: history_table_name(g),
        postgres: g.postgres,
    }
}

pub(super) fn parse_pg_version(s: &str) -> Result<migrate_core::check::version::PgVersion, String> {
    migrate_core::check::version::PgVersion::parse(s)
}

/// golang-migrate's version table as `--migrations-table` names it, without its
/// schema: the table the model starts with.
pub(super) fn history_table_name(g: &Global) -> String {
    g.migrations_table
        .as_deref()
        .map(|t| {
            t.rsplit('.')
                .next()
                .unwrap_or(t)
                .trim_matches('"')
                .to_owned()
        })
        .unwrap_or_else(|| "schema_migrations".to_owned())
}

/// Findings about down files in directory mode: they do not stop the command.
pub(super) fn print_down_warnings(warnings: &[migrate_core::Diagnostic]) {
    for w in warnings {
        eprintln!(
            "warning: {} (this down is left out: `down` will refuse to revert it)",
            w.headline()
        );
    }
}

pub(super) struct Conn {
    pub(super) client: Client,
    pub(super) opts: ConnectOptions,
}

pub(super) fn connect(g: &Global, out: &mut Out) -> Result<Conn, Failure> {
    let opts = connect_options(g)?;
    let client = connect_with(g, out, &opts, || opts.connect())?;
    Ok(Conn { client, opts })
}

/// A session on the async client, with the runtime it runs on: what up,
/// down and goto use, since it tells how many statements of a failed message
/// completed, so each migration goes in one message (`Conn::COUNTS_STATEMENTS`).
pub(super) struct AsyncConn {
    pub(super) runtime: tokio::runtime::Runtime,
    pub(super) client: tokio_postgres::Client,
    pub(super) opts: ConnectOptions,
}

pub(super) fn connect_async(g: &Global, out: &mut Out) -> Result<AsyncConn, Failure> {
    let opts = connect_options(g)?;
    // One thread: the run's messages go one after another, and the timer
    // waits for the lock.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Reported(format!("cannot start the async runtime: {e}")))?;
    let client = connect_with(g, out, &opts, || runtime.block_on(opts.connect_async()))?;
    Ok(AsyncConn {
        runtime,
        client,
        opts,
    })
}

/// The URL's options, with the app's name as the default application name.
fn connect_options(g: &Global) -> Result<ConnectOptions, Failure> {
    let (url, _) = database_url(g)?;
    // A URL that cannot be parsed is the invocation's fault: exit 2.
    let mut opts = ConnectOptions::parse(&url).map_err(|e| match e {
        MigrateError::InvalidUrl(_) => Failure::Usage(e.to_string()),
        e => Failure::Error(e),
    })?;
    if !g.app.name.is_empty() {
        opts.default_application_name(g.app.name);
    }
    Ok(opts)
}

/// `connect` once, or for up to `--wait` while the server starts.
fn connect_with<T>(
    g: &Global,
    out: &mut Out,
    opts: &ConnectOptions,
    connect: impl FnMut() -> Result<T, MigrateError>,
) -> Result<T, Failure> {
    let mut connect = connect;
    Ok(match g.wait {
        Some(w) => {
            let target = opts.target();
            crate::connect::retrying(
                w,
                &mut |_| {
                    out.note(&format!(
                        "waiting up to {} for {target} to accept connections",
                        fmt_duration(w)
                    ))
                },
                connect,
            )?
        }
        None => connect()?,
    })
}

pub(super) fn migrator_options(g: &Global, c: &ConnectOptions) -> Result<Options, Failure> {
    let mut o = Options::default();
    if let Some(t) = &g.migrations_table {
        o.table =
            TableName::parse(t).map_err(|e| Failure::Usage(format!("--migrations-table: {e}")))?;
    } else if let Some(t) = &c.migrations_table {
        o.table = t.clone();
    }
    // Refused up front, before any command reads or writes: exit 2.
    o.check_names().map_err(|e| Failure::Usage(e.to_string()))?;
    o.lock_timeout = g.lock_timeout;
    o.allow_drift = g.allow_drift;
    o.allow_out_of_order = g.allow_out_of_order;
    o.url_database = c.url_database().map(str::to_owned);
    o.session_settings = Some(c.session_settings());
    Ok(o)
}

/// Asks on the terminal; without one, refuses unless `--yes`.
pub(super) fn confirm(g: &Global, question: &str) -> Result<(), Failure> {
    if g.yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::Usage(format!(
            "{question}: there is no terminal to confirm on; pass --yes"
        )));
    }
    // A closed stderr must not panic; the answer is read all the same.
    let _ = write!(std::io::stderr(), "{question} [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        // A refused destructive command exits 2, as without a terminal.
        Err(Failure::Usage(
            MigrateError::NotConfirmed("cancelled; nothing was changed".to_owned()).to_string(),
        ))
    }
}
