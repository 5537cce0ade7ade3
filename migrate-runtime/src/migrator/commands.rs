//! What every command does, written once over [`Conn`]: the blocking methods
//! (`mod.rs`) and the async ones (`tokio.rs`, feature `tokio-postgres`) only
//! wrap their client and call these.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use migrate_core::Direction;

use super::conn::Conn;
use super::plan::plan_steps;
use super::reconcile;
use super::session_reset::SessionReset;
use super::state::{self, DbState, Mark, Session, Sql, View};
use super::step_rows::StepRows;
use super::tables;
use super::{
    AppliedStep, Event, HistoryDirection, Migrator, Plan, Repaired, Report, Status, Step, Target,
    Tool, adopt, apply, current, lock, problems, status,
};
use crate::error::{MigrateError, MigrationRef};
use crate::migration::Version;

/// What `up` reads of a database before it needs the migrations (the
/// session, which tables exist, the server's summary of the history): the
/// CLI reads it while it loads them, so that a run with nothing to do costs
/// the longer of the two, not their sum. (Only the CLI reads ahead.)
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) struct Prefetched {
    session: Session,
    tables: tables::Tables,
    summary: Option<current::Summary>,
}

/// See [`Prefetched`].
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) async fn prefetch<C: Conn>(
    client: &mut C,
    options: &super::Options,
) -> Result<Prefetched, MigrateError> {
    let session = session_for(client, options).await?;
    let tables = tables::tables(client, &session).await?;
    let summary = current::summary(client, &session, tables).await?;
    Ok(Prefetched {
        session,
        tables,
        summary,
    })
}

/// The session facts for `options` (see [`state::session`]).
async fn session_for<C: Conn>(
    client: &mut C,
    options: &super::Options,
) -> Result<Session, MigrateError> {
    options.check_names()?;
    state::session(
        client,
        &options.table,
        &options.history_table(),
        options.url_database.as_deref(),
        options.session_settings.as_deref(),
    )
    .await
}

impl<'r> Migrator<'r> {
    /// The version the database is at when what [`prefetch`] read proves
    /// that `up` has nothing to do, as [`Self::run_prefetched_on`] would
    /// find first (after checking the server is new enough).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn proven_by(&self, p: &Prefetched) -> Result<Option<Version>, MigrateError> {
        self.registry.check_server(p.session.server_version)?;
        Ok(p.summary.as_ref().and_then(|s| s.proves(self.registry)))
    }

    pub(crate) async fn run_on<C, P>(
        &self,
        client: &mut C,
        target: Target,
        progress: &mut P,
    ) -> Result<Report, MigrateError>
    where
        C: Conn,
        P: FnMut(Event<'_>) + ?Sized,
    {
        self.run_prefetched_on(client, target, progress, None).await
    }

    /// [`Self::run_on`], from what [`prefetch`] read with these options.
    pub(crate) async fn run_prefetched_on<C, P>(
        &self,
        client: &mut C,
        target: Target,
        progress: &mut P,
        prefetched: Option<Prefetched>,
    ) -> Result<Report, MigrateError>
    where
        C: Conn,
        P: FnMut(Event<'_>) + ?Sized,
    {
        let started = Instant::now();
        // Most runs have nothing to do (every deploy runs `up`): answer them from
        // one read, without the lock and without writing. Anything else, including
        // an error (a concurrent run may be half-way), is decided under the lock.
        let up = matches!(target, Target::Up { .. });
        let (s, tables, proven) = match prefetched {
            Some(p) => {
                let proven = self.proven_by(&p)?.filter(|_| up);
                (p.session, p.tables, proven)
            }
            None => {
                let s = self.session(client).await?;
                let tables = tables::tables(client, &s).await?;
                let proven = if up {
                    current::proven(client, &s, tables, self.registry).await?
                } else {
                    None
                };
                (s, tables, proven)
            }
        };
        if let Some(v) = proven {
            return Ok(Report {
                from: Some(v),
                to: Some(v),
                elapsed: started.elapsed(),
                ..Report::default()
            });
        }
        let st = state::read_with(client, &s, tables).await?;
        if st.version_table_exists
            && st.history_table_exists
            && let Ok((view, steps)) = self.prepare(&st, target)
            && steps.is_empty()
            && view.marks.is_empty()
        {
            let v = st.row.map(|r| Version::new(r.version));
            return Ok(Report {
                from: v,
                to: v,
                elapsed: started.elapsed(),
                ..Report::default()
            });
        }
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout).await?;
        let result = self.run_locked(client, &s, target, progress).await;
        lock::release(client, &s.lock_keys).await;
        result.map(|mut r| {
            r.elapsed = started.elapsed();
            r
        })
    }

    async fn run_locked<C, P>(
        &self,
        client: &mut C,
        s: &Session,
        target: Target,
        progress: &mut P,
    ) -> Result<Report, MigrateError>
    where
        C: Conn,
        P: FnMut(Event<'_>) + ?Sized,
    {
        let st = state::read(client, s).await?;
        tables::ensure_tables(client, s, &st).await?;
        let (view, steps) = self.prepare(&st, target)?;
        let mut report = Report {
            from: st.row.map(|r| Version::new(r.version)),
            ..Report::default()
        };
        report.to = report.from;
        if !view.marks.is_empty() {
            write_marks(client, s, &view.marks).await?;
            report.baselined = view.marks.len();
            let applied = view
                .marks
                .iter()
                .filter(|m| m.direction.is_applied())
                .count();
            progress(Event::Baselined {
                applied,
                reverted: view.marks.len() - applied,
            });
        }
        let total = steps.len();
        if self.options.single_transaction && !steps.is_empty() {
            if let Some(step) = steps
                .iter()
                .find(|st| st.direction != Direction::Up || !st.script().transactional)
            {
                return Err(MigrateError::NotTransactional {
                    migration: MigrationRef::of(step.migration),
                    direction: step.direction.as_str(),
                });
            }
            let durations = apply::run_single_transaction(client, s, &steps).await?;
            for (index, (step, duration)) in steps.iter().zip(durations).enumerate() {
                finished(&mut report, progress, step, index, total, duration);
            }
            return Ok(report);
        }
        let mut rows = StepRows::new(s);
        let mut session = SessionReset::new(s.event_triggers);
        for (index, step) in steps.iter().enumerate() {
            if self
                .options
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::SeqCst))
            {
                if index > 0 {
                    let _ = apply::reset(client, s, &mut rows, session.pending()).await;
                }
                return Err(MigrateError::Interrupted {
                    next: MigrationRef::of(step.migration),
                    at: report.to,
                });
            }
            progress(Event::Started { step, index, total });
            let reset = if session.pending() {
                &s.reset
            } else {
                &Sql::NONE
            };
            let duration = match apply::run(client, s, step, reset, &mut rows).await {
                Ok(d) => d,
                Err(e) => {
                    // Best effort: a failed no-transaction step may have
                    // changed settings; the caller's session gets its own back.
                    let _ = apply::reset(client, s, &mut rows, true).await;
                    return Err(e);
                }
            };
            session.ran(step.script());
            finished(&mut report, progress, step, index, total, duration);
        }
        if !steps.is_empty() {
            apply::reset(client, s, &mut rows, session.pending()).await?;
        }
        Ok(report)
    }

    pub(crate) async fn plan_on<C: Conn>(
        &self,
        client: &mut C,
        target: Target,
    ) -> Result<Plan<'r>, MigrateError> {
        let s = self.session(client).await?;
        let st = state::read(client, &s).await?;
        let (view, steps) = self.prepare(&st, target)?;
        Ok(Plan {
            from: st.row.map(|r| Version::new(r.version)),
            steps,
            baseline: view
                .marks
                .iter()
                .map(|m| (Version::new(m.version), m.direction))
                .collect(),
        })
    }

    pub(crate) async fn version_on<C: Conn>(
        &self,
        client: &mut C,
    ) -> Result<Option<(Version, bool)>, MigrateError> {
        let s = self.session(client).await?;
        let st = state::read(client, &s).await?;
        Ok(st.row.map(|r| (Version::new(r.version), r.dirty)))
    }

    pub(crate) async fn status_on<C: Conn>(&self, client: &mut C) -> Result<Status, MigrateError> {
        let s = self.session(client).await?;
        let st = state::read(client, &s).await?;
        Ok(status::build(self.registry, &st))
    }

    pub(crate) async fn force_on<C: Conn>(
        &self,
        client: &mut C,
        version: Option<Version>,
    ) -> Result<(), MigrateError> {
        if let Some(v) = version
            && self.registry.get(v).is_none()
        {
            return Err(MigrateError::UnknownTarget { version: v.get() });
        }
        self.locked(client, async |c, s| self.force_locked(c, s, version).await)
            .await
    }

    async fn force_locked<C: Conn>(
        &self,
        client: &mut C,
        s: &Session,
        version: Option<Version>,
    ) -> Result<(), MigrateError> {
        let st = state::read(client, s).await?;
        tables::ensure_tables(client, s, &st).await?;
        let marks = reconcile::linear_marks(
            self.registry,
            &st.history,
            version.map(Version::get),
            HistoryDirection::ForceUp,
            HistoryDirection::ForceDown,
        );
        let sql = format!(
            "BEGIN; {}{} COMMIT;",
            tables::set_version_sql(&s.version_table, version.map(Version::get), false),
            reconcile::marks_sql(&s.history_table, &marks)
        );
        transaction(client, &sql, || {
            format!("setting the version in {}", s.version_table)
        })
        .await
    }

    pub(crate) async fn repair_on<C: Conn>(
        &self,
        client: &mut C,
    ) -> Result<Repaired, MigrateError> {
        self.locked(client, async |c, s| self.repair_locked(c, s).await)
            .await
    }

    async fn repair_locked<C: Conn>(
        &self,
        client: &mut C,
        s: &Session,
    ) -> Result<Repaired, MigrateError> {
        let st = state::read(client, s).await?;
        tables::ensure_tables(client, s, &st).await?;
        let view = reconcile::reconcile(self.registry, &st);
        let mut done = Repaired::default();
        let mut marks = view.marks.clone();
        for m in self.registry.iter() {
            let Some(Some(entry)) = view.applied.get(&m.version.get()) else {
                continue;
            };
            let drift = problems::drifted(m, &view);
            let untracked = entry.checksum.is_none()
                || (entry.down_checksum.is_none() && m.down_checksum().is_some());
            if drift.is_empty() && !untracked {
                continue;
            }
            if drift.is_empty() {
                done.recorded.push(MigrationRef::of(m));
            }
            done.accepted.extend(drift);
            marks.push(Mark::of(m, HistoryDirection::Repair));
        }
        if !marks.is_empty() {
            write_marks(client, s, &marks).await?;
        }
        Ok(done)
    }

    pub(crate) async fn adopt_on<C: Conn>(
        &self,
        client: &mut C,
        tool: Tool,
    ) -> Result<Vec<Version>, MigrateError> {
        self.locked(client, async |c, s| self.adopt_locked(c, s, tool).await)
            .await
    }

    async fn adopt_locked<C: Conn>(
        &self,
        client: &mut C,
        s: &Session,
        tool: Tool,
    ) -> Result<Vec<Version>, MigrateError> {
        let applied = adopt::applied_versions(client, tool, self.registry, s).await?;
        adopt::check_lines_up(tool, self.registry, &applied)?;
        let st = state::read(client, s).await?;
        let ours_recorded = st.history.values().any(|e| e.direction.is_applied());
        let newest = applied.last().copied();
        let row_disagrees =
            tool != Tool::GolangMigrate && st.row.is_some_and(|r| Some(r.version) != newest);
        if ours_recorded || row_disagrees {
            return Err(MigrateError::AlreadyAdopted {
                table: if ours_recorded {
                    &s.history_table
                } else {
                    &s.version_table
                }
                .to_string(),
            });
        }
        tables::ensure_tables(client, s, &st).await?;
        let marks = adopt::marks(self.registry, &applied);
        let sql = format!(
            "BEGIN; {}{} COMMIT;",
            tables::set_version_sql(&s.version_table, newest, false),
            reconcile::marks_sql(&s.history_table, &marks)
        );
        transaction(client, &sql, || {
            format!("recording the adopted versions in {}", s.history_table)
        })
        .await?;
        Ok(applied.into_iter().map(Version::new).collect())
    }

    pub(crate) async fn drop_all_on<C: Conn>(&self, client: &mut C) -> Result<usize, MigrateError> {
        self.locked(client, async |c, s| drop_objects(c, s).await)
            .await
    }

    /// Runs `f` holding the migration lock, and lets go of it whatever `f`
    /// returns.
    async fn locked<C: Conn, T>(
        &self,
        client: &mut C,
        f: impl AsyncFnOnce(&mut C, &Session) -> Result<T, MigrateError>,
    ) -> Result<T, MigrateError> {
        let s = self.session(client).await?;
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout).await?;
        let result = f(client, &s).await;
        lock::release(client, &s.lock_keys).await;
        result
    }

    pub(crate) async fn problems_on<C: Conn>(
        &self,
        client: &mut C,
    ) -> Result<Vec<MigrateError>, MigrateError> {
        let s = self.session(client).await?;
        let st = state::read(client, &s).await?;
        let view = reconcile::reconcile(self.registry, &st);
        let mut found = problems::find(self.registry, &st, &view, problems::Files::Both);
        found.retain(|p| !self.tolerates(p));
        Ok(found)
    }

    pub(super) async fn session<C: Conn>(&self, client: &mut C) -> Result<Session, MigrateError> {
        let s = session_for(client, &self.options).await?;
        self.registry.check_server(s.server_version)?;
        Ok(s)
    }

    /// Whether the options let a run proceed despite `problem`.
    fn tolerates(&self, problem: &MigrateError) -> bool {
        match problem {
            MigrateError::Drift(_) => self.options.allow_drift,
            MigrateError::OutOfOrder { .. } => self.options.allow_out_of_order,
            _ => false,
        }
    }

    /// The refusals, then the plan.
    fn prepare(&self, st: &DbState, target: Target) -> Result<(View, Vec<Step<'r>>), MigrateError> {
        let view = reconcile::reconcile(self.registry, st);
        // Out-of-order migrations matter only to the steps that would apply
        // them (`down` does not, `goto V` only up to V): plan_steps decides.
        let files = match target {
            Target::Up { .. } => problems::Files::Ups,
            _ => problems::Files::Both,
        };
        if let Some(p) = problems::find(self.registry, st, &view, files)
            .into_iter()
            .find(|p| !self.tolerates(p) && !matches!(p, MigrateError::OutOfOrder { .. }))
        {
            return Err(p);
        }
        let steps = plan_steps(
            self.registry,
            &view.applied_set(),
            target,
            self.options.allow_out_of_order,
        )?;
        Ok((view, steps))
    }
}

/// Records a step that has been applied and tells `progress`.
fn finished<P: FnMut(Event<'_>) + ?Sized>(
    report: &mut Report,
    progress: &mut P,
    step: &Step<'_>,
    index: usize,
    total: usize,
    duration: Duration,
) {
    report.to = step.after;
    report.steps.push(AppliedStep {
        migration: MigrationRef::of(step.migration),
        direction: step.direction,
        duration,
    });
    progress(Event::Finished {
        step,
        index,
        total,
        duration,
    });
}

/// Sends `BEGIN; ... COMMIT;` as one message; on an error rolls back (an
/// error leaves the session in an aborted transaction) and says what was
/// being done.
async fn transaction<C: Conn>(
    client: &mut C,
    sql: &str,
    doing: impl FnOnce() -> String,
) -> Result<(), MigrateError> {
    match client.batch(sql).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = client.batch("ROLLBACK").await;
            Err(MigrateError::db(doing(), e))
        }
    }
}

async fn write_marks<C: Conn>(
    client: &mut C,
    s: &Session,
    marks: &[Mark],
) -> Result<(), MigrateError> {
    let sql = format!(
        "BEGIN; {} COMMIT;",
        reconcile::marks_sql(&s.history_table, marks)
    );
    transaction(client, &sql, || {
        format!("recording history rows in {}", s.history_table)
    })
    .await
}

async fn drop_objects<C: Conn>(client: &mut C, s: &Session) -> Result<usize, MigrateError> {
    // Objects that belong to an extension go with the extension; dependent
    // objects go with CASCADE, hence IF EXISTS on everything.
    let list = "
        WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()),
             ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
        SELECT 1, format('DROP %s IF EXISTS %s CASCADE',
                   CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                  ELSE 'TABLE' END, c.oid::regclass)
          FROM pg_class c
         WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND c.oid NOT IN (SELECT objid FROM ext)
        UNION ALL
        SELECT 2, format('DROP %s IF EXISTS %s CASCADE',
                   CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure)
          FROM pg_proc p
         WHERE p.pronamespace = (SELECT oid FROM ns) AND p.oid NOT IN (SELECT objid FROM ext)
        UNION ALL
        SELECT 3, format('DROP %s IF EXISTS %s CASCADE',
                   CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype)
          FROM pg_type t
         WHERE t.typnamespace = (SELECT oid FROM ns) AND t.oid NOT IN (SELECT objid FROM ext)
           AND (t.typtype IN ('e', 'r', 'd')
                OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        ORDER BY 1";
    let msgs = client
        .simple(list)
        .await
        .map_err(|e| MigrateError::db("listing the schema's objects", e))?;
    let mut stmts: Vec<String> = state::result_sets(&msgs)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get(1).cloned().flatten())
        .collect();
    let count = stmts.len();
    for t in [&s.version_table, &s.history_table] {
        stmts.push(format!("DROP TABLE IF EXISTS {} CASCADE", t.sql()));
    }
    // Chunks keep each transaction under max_locks_per_transaction on schemas
    // with thousands of objects.
    for chunk in stmts.chunks(100) {
        let sql = format!("BEGIN; {}; COMMIT;", chunk.join("; "));
        transaction(client, &sql, || "dropping the schema's objects".to_owned()).await?;
    }
    Ok(count)
}
