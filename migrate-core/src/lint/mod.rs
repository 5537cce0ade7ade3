//! Zero-downtime rules over the replayed model. Each rule knows the schema before
//! the migration, so a table created in the same file is free to change and an
//! older one, which running code uses, is not.

use std::collections::BTreeSet;

use pg_query::NodeEnum;

use crate::analyze::Analysis;
use crate::diag::Diagnostic;
use crate::lower::{self, Change};
use crate::model::schema::{QualName, Schema};
use crate::source::sql_file::SqlFile;
use crate::sql::parse::Statement;
use crate::sql::position::LineIndex;

mod rules;

/// How bad a finding is: errors make `lint` exit 1 (and fail the build with
/// `deny_lints`), warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Reported; fails nothing by itself.
    Warning,
    /// Fails `lint`, and the build with `deny_lints`.
    Error,
}

impl Level {
    /// `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The rule's id, as `-- lint:ignore <id>` names it.
    pub id: &'static str,
    /// How serious a finding of the rule is.
    pub level: Level,
    /// One sentence: why it hurts.
    pub why: &'static str,
    /// One sentence: what to do instead.
    pub fix: &'static str,
}

/// A rule broken at a place.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// `message` names the object; `help` is the rule's fix.
    pub diag: Diagnostic,
}

impl Finding {
    /// `{ "rule", "level", "path", "line", "col", "message", "help" }`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rule": self.rule.id,
            "level": self.rule.level.as_str(),
            "path": self.diag.path,
            "line": self.diag.pos.map(|p| p.line),
            "col": self.diag.pos.map(|p| p.col),
            "message": self.diag.message,
            "help": self.diag.help,
        })
    }
}

impl std::fmt::Display for Finding {
    /// `path:line:col: error[rule-id]: message` then the snippet and help.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = self.diag.clone();
        d.message = format!(
            "{}[{}]: {}",
            self.rule.level.as_str(),
            self.rule.id,
            d.message
        );
        write!(f, "{d}")
    }
}

/// Every rule, for `lint --help` and the README.
pub fn rules() -> &'static [Rule] {
    rules::ALL
}

/// Runs every rule over every up migration of an analysis.
pub fn lint(analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut state = rules::History::default();
    for (i, m) in analysis.migrations.iter().enumerate() {
        let before = i
            .checked_sub(1)
            .and_then(|p| analysis.schemas.get(p))
            .unwrap_or(&analysis.initial);
        if m.up.spans.is_empty() && !m.up.parse_failed {
            out.push(Finding {
                rule: &rules::EMPTY_MIGRATION,
                diag: crate::diag::Diagnostic::file(&m.up.path, "the up migration is empty"),
            });
        }
        let mut cx = Context::new(&m.up, before);
        m.up.statements_in_turn(&mut |statements| {
            for stmt in statements {
                cx.stmt_start = stmt.start;
                cx.base = stmt.base;
                cx.statement(&mut state, stmt);
            }
        });
        out.extend(cx.findings);
    }
    for d in analysis.incomplete.iter() {
        out.push(Finding {
            rule: &rules::MODEL_INCOMPLETE,
            diag: d.clone(),
        });
    }
    out.retain(|f| !ignored(analysis, f));
    out.sort_by(|a, b| (&a.diag.path, a.diag.pos).cmp(&(&b.diag.path, b.diag.pos)));
    out
}

/// True when the lines just above the finding say `-- lint:ignore <rule> <reason>`.
fn ignored(analysis: &Analysis, f: &Finding) -> bool {
    let Some(pos) = f.diag.pos else { return false };
    let Some(file) = analysis
        .migrations
        .iter()
        .flat_map(|m| std::iter::once(&m.up).chain(m.down.as_ref()))
        .find(|file| file.path == f.diag.path)
    else {
        return false;
    };
    let lines: Vec<&str> = file.sql.lines().collect();
    let mut n = pos.line as usize - 1;
    // The statement's own line may carry the comment at its end.
    let own = lines.get(n).copied().unwrap_or_default();
    if mentions(own, f.rule.id) {
        return true;
    }
    while n > 0 {
        n -= 1;
        let Some(l) = lines.get(n).map(|l| l.trim()) else {
            break;
        };
        if !l.starts_with("--") {
            break;
        }
        if mentions(l, f.rule.id) {
            return true;
        }
    }
    false
}

fn mentions(line: &str, rule: &str) -> bool {
    line.split("--").skip(1).any(|c| {
        let mut w = c.split_whitespace();
        w.next() == Some("lint:ignore") && w.next() == Some(rule)
    })
}

/// What a rule sees at one statement.
pub(crate) struct Context<'a> {
    pub file: &'a SqlFile,
    pub before: &'a Schema,
    index: LineIndex<'a>,
    /// Where the statement the rules are at starts.
    pub stmt_start: usize,
    /// Added to the parser's locations in the statement ([`Statement::base`]).
    pub base: usize,
    /// Tables created earlier in this same file.
    pub created_here: BTreeSet<String>,
    /// A `SET lock_timeout` ran earlier in this file.
    pub lock_timeout_set: bool,
    pub findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    fn new(file: &'a SqlFile, before: &'a Schema) -> Self {
        Context {
            file,
            before,
            index: LineIndex::new(&file.sql),
            stmt_start: 0,
            base: 0,
            created_here: BTreeSet::new(),
            lock_timeout_set: false,
            findings: Vec::new(),
        }
    }

    /// True when the table existed before this migration and was not created again
    /// in it: running code may be using it.
    pub fn existing(&self, schema: &str, name: &str) -> bool {
        let schema = if schema.is_empty() { "public" } else { schema };
        !self.created_here.contains(name)
            && self
                .before
                .tables
                .contains_key(&QualName::new(schema, name))
    }

    pub fn report(&mut self, rule: &'static Rule, offset: Option<i32>, message: String) {
        let start = self.stmt_start;
        let off = offset
            .filter(|o| *o >= 0)
            .map_or(start, |o| o as usize + self.base);
        let pos = self.index.pos(off);
        self.findings.push(Finding {
            rule,
            diag: Diagnostic {
                path: self.file.path.clone(),
                pos: Some(pos),
                message: format!("{message}: {}", rule.why),
                snippet: Some(self.index.line(pos.line).to_owned()),
                help: Some(rule.fix.to_owned()),
            },
        });
    }

    /// Runs the rules over one statement, lowered as the replay lowers it, then
    /// notes what later statements of the file need to know.
    fn statement(&mut self, h: &mut rules::History, stmt: &Statement) {
        // `SET` is session state, which the replay follows itself: no change.
        if let NodeEnum::VariableSetStmt(s) = &stmt.node {
            if s.name == "lock_timeout" {
                self.lock_timeout_set = true;
            }
            return;
        }
        let Some(change) = lower::lower(&stmt.node) else {
            return;
        };
        rules::statement(self, h, &change);
        if let Change::CreateTable(t) = &change {
            self.created_here.insert(t.name.name.to_owned());
        }
    }
}
