//! What the CLI prints: one line per migration, a summary, a progress bar on a
//! terminal, colour unless NO_COLOR.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::ticker::Ticker;
use crate::error::fmt_duration;
use crate::migrator::{ChecksumState, MigrationState};
use crate::migrator::{Event, Status};

/// Runs at least this long get a progress bar (on a terminal).
const BAR_FROM: usize = 10;

pub(crate) struct Out {
    color: bool,
    color_err: bool,
    bar: bool,
    bar_shown: bool,
    /// The elapsed time of the migration that is running (see ticker.rs).
    ticker: Ticker,
}

/// `--color`: when output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set or TERM is dumb.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Whether a stream that is (or is not) a terminal gets colour.
    fn on(self, terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            // https://no-color.org: any non-empty value turns colour off.
            ColorWhen::Auto => {
                terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").as_deref() != Ok("dumb")
            }
        }
    }
}

impl Out {
    pub fn new(color: ColorWhen) -> Self {
        Out {
            color: color.on(std::io::stdout().is_terminal()),
            color_err: color.on(std::io::stderr().is_terminal()),
            bar: std::io::stderr().is_terminal(),
            bar_shown: false,
            ticker: Ticker::new(std::io::stderr().is_terminal()),
        }
    }

    pub fn paint(&self, code: &str, text: &str) -> String {
        paint(self.color, code, text)
    }

    pub fn line(&mut self, text: &str) {
        self.clear_bar();
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{text}");
        let _ = o.flush();
    }

    /// A remark on stderr, so stdout stays the answer (`version | ...`).
    pub fn note(&mut self, text: &str) {
        self.clear_bar();
        err_line(&paint(self.color_err, "2", text));
    }

    pub fn error(&mut self, text: &str) {
        self.clear_bar();
        err_line(&format!(
            "{} {text}",
            paint(self.color_err, "1;31", "error:")
        ));
    }

    /// Before anything else is printed: no live line may follow it (a failed
    /// migration has no Finished event, and its error comes next).
    fn clear_bar(&mut self) {
        self.ticker.stop();
        if self.bar_shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.bar_shown = false;
        }
    }

    fn draw_bar(&mut self, done: usize, total: usize, label: &str) {
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2K{}{label}",
            bar_text(done, total)
        );
        let _ = std::io::stderr().flush();
        self.bar_shown = true;
    }

    /// Prints a run's progress.
    pub fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Baselined { applied, reverted } => {
                let mut parts = Vec::new();
                if applied > 0 {
                    parts.push(format!("{applied} applied"));
                }
                if reverted > 0 {
                    parts.push(format!("{reverted} reverted"));
                }
                self.note(&format!(
                    "recorded {} by another tool (golang-migrate) in the history; nothing was run for them",
                    parts.join(" and ")
                ));
            }
            Event::Started { step, index, total } => {
                let label = step.migration.label();
                let long_run = self.bar && total >= BAR_FROM;
                if long_run {
                    self.draw_bar(index, total, &label);
                }
                let doing = match step.direction {
                    migrate_core::Direction::Up => "applying",
                    migrate_core::Direction::Down => "reverting",
                };
                let prefix = if long_run {
                    bar_text(index, total)
                } else {
                    String::new()
                };
                self.ticker.start(format!("{doing} {label}"), prefix);
            }
            Event::Finished {
                step,
                index,
                total,
                duration,
            } => {
                let verb = match step.direction {
                    migrate_core::Direction::Up => self.paint("32", "applied "),
                    migrate_core::Direction::Down => self.paint("33", "reverted"),
                };
                let tx = if step.script().transactional {
                    ""
                } else {
                    " [no transaction]"
                };
                self.line(&format!(
                    "{verb} {}{tx} ({})",
                    step.migration.label(),
                    fmt_duration(duration)
                ));
                if self.bar && total >= BAR_FROM && index + 1 < total {
                    self.draw_bar(index + 1, total, "");
                }
            }
        }
    }

    pub fn finish(&mut self) {
        self.clear_bar();
    }

    pub fn status_table(&mut self, target: &str, st: &Status) {
        let version = match (st.version, st.dirty) {
            (None, _) => "no version".to_owned(),
            (Some(v), false) => format!("version {v}"),
            (Some(v), true) => format!("version {v} {}", self.paint("1;31", "(dirty)")),
        };
        self.line(&format!("database {target}: {version}"));
        let headers = [
            "VERSION",
            "NAME",
            "STATE",
            "APPLIED AT (UTC)",
            "DURATION",
            "CHECKSUM",
        ];
        let rows: Vec<[String; 6]> = st
            .migrations
            .iter()
            .map(|m| {
                let digits = m.label.len().saturating_sub(m.name.len() + 1);
                let state = match m.state {
                    MigrationState::Applied => match m.how {
                        Some(crate::migrator::HistoryDirection::Baseline) => "applied (baseline)",
                        Some(crate::migrator::HistoryDirection::ForceUp) => "applied (forced)",
                        Some(crate::migrator::HistoryDirection::Repair) => "applied (repaired)",
                        None => "applied (by another tool)",
                        _ => "applied",
                    },
                    MigrationState::Pending => "pending",
                    MigrationState::OutOfOrder => "pending (out of order)",
                    MigrationState::Dirty => "DIRTY",
                };
                let checksum = match m.checksum_state {
                    ChecksumState::Ok => "ok",
                    ChecksumState::Drift => "DRIFT",
                    ChecksumState::Unrecorded => "unrecorded",
                    ChecksumState::None => "",
                };
                [
                    m.label[..digits].to_owned(),
                    m.name.clone(),
                    state.to_owned(),
                    m.applied_at
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default(),
                    m.duration_ms
                        .map(|d| fmt_duration(Duration::from_millis(d.max(0) as u64)))
                        .unwrap_or_default(),
                    checksum.to_owned(),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let fmt_row = |cells: &[String; 6], color: bool| -> String {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let pad = widths[i] - c.chars().count();
                let text = match (i, c.as_str()) {
                    (2, t) if t.starts_with("applied") => paint(color, "32", t),
                    (2, t) if t.starts_with("pending") => paint(color, "33", t),
                    (2, "DIRTY") | (5, "DRIFT") => paint(color, "1;31", c),
                    _ => c.clone(),
                };
                s.push_str(&text);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad + 2));
                }
            }
            s.trim_end().to_owned()
        };
        let head = headers.map(str::to_owned);
        self.line(&fmt_row(&head, false));
        for r in &rows {
            let l = fmt_row(r, self.color);
            self.line(&l);
        }
        for m in &st.missing {
            self.line(&format!(
                "{}  {}  {}",
                m.version,
                m.name,
                self.paint("1;31", "applied, but its file is missing")
            ));
        }
        let mut summary = format!("{} applied, ", st.applied());
        if st.dirty_count() > 0 {
            summary.push_str(&format!("{} dirty, ", st.dirty_count()));
        }
        summary.push_str(&format!("{} pending", st.pending()));
        if st.baseline_pending {
            summary
                .push_str("; the version was moved by another tool (recorded on the next write)");
        }
        if st.unknown_version {
            summary.push_str("; the version is not among these migrations (newer build?)");
        }
        self.line(&summary);
    }
}

/// `[#########                     ] 3/10 `: the bar before a label.
fn bar_text(done: usize, total: usize) -> String {
    const WIDTH: usize = 30;
    let filled = WIDTH * done / total.max(1);
    format!(
        "[{}{}] {done}/{total} ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    )
}

/// Writes a line to stderr, ignoring a closed pipe (`2>&1 | head -1`):
/// `eprintln!` would panic there. stdout is written the same way in `line`.
fn err_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}
