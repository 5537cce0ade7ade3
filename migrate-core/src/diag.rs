//! Findings about migration files, with the place they point at.

use std::fmt;

/// A line and column in a SQL file, both 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// One problem found in the migration files: where, what, and how to fix it.
///
/// `Display` renders the form users see in compile errors and in the CLI:
///
/// ```text
/// migrations/000003_orders.up.sql:12:5: type "txet" does not exist
///    |
/// 12 |     name txet NOT NULL,
///    |          ^
/// help: did you mean "text"?
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The file, as the user names it (relative to the crate or the working dir).
    pub path: String,
    /// Where in the file, when the problem has a place inside it.
    pub pos: Option<SourcePos>,
    /// Lowercase, states the rule that was broken.
    pub message: String,
    /// The offending line of the file, shown with a caret under `pos.col`.
    pub snippet: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding about a whole file or directory.
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            pos: None,
            message: message.into(),
            snippet: None,
            help: None,
        }
    }

    /// Adds a fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The first line: `path:line:col: message`.
    pub fn headline(&self) -> String {
        match self.pos {
            Some(p) => format!("{}:{}:{}: {}", self.path, p.line, p.col, self.message),
            None => format!("{}: {}", self.path, self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let (Some(pos), Some(line)) = (self.pos, &self.snippet) {
            let num = pos.line.to_string();
            let pad = " ".repeat(num.len());
            // Tabs would shift the caret; show them as single spaces.
            let shown = line.replace('\t', " ");
            let caret = " ".repeat(pos.col.saturating_sub(1) as usize);
            write!(f, "\n{pad} |\n{num} | {shown}\n{pad} | {caret}^")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\nhelp: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Several findings, reported together so the user fixes them in one go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds a finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    /// True when there is no finding.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The number of findings.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The findings, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    /// Adds several findings.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Edit distance where swapping two neighbours counts as one edit (`txet`/`text`),
/// the commonest typo: strsim's optimal string alignment distance.
fn levenshtein(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_place_snippet_and_help() {
        let d = Diagnostic {
            path: "migrations/000003_orders.up.sql".into(),
            pos: Some(SourcePos { line: 12, col: 10 }),
            message: "type \"txet\" does not exist".into(),
            snippet: Some("    name txet NOT NULL,".into()),
            help: Some("did you mean \"text\"?".into()),
        };
        assert_eq!(
            d.to_string(),
            "migrations/000003_orders.up.sql:12:10: type \"txet\" does not exist\n   |\n12 |     name txet NOT NULL,\n   |          ^\nhelp: did you mean \"text\"?"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("vm", ["vms", "nodes"]), Some("vms"));
        assert_eq!(did_you_mean("txet", ["text", "int4"]), Some("text"));
        assert_eq!(did_you_mean("zzzz", ["text", "int4"]), None);
    }
}
