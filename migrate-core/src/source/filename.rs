//! golang-migrate's file name grammar: `{version}_{name}.{up|down}.sql`.

/// Which way a file moves the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `.up.sql`: applies the migration.
    Up,
    /// `.down.sql`: reverts it.
    Down,
}

impl Direction {
    /// `up` or `down`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// The parts of a migration file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The version number.
    pub version: i64,
    /// The name between the version and the direction.
    pub name: String,
    /// `.up.sql` or `.down.sql`.
    pub direction: Direction,
}

/// Why a `.sql` file name is not a migration name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Not `{version}_{name}.up.sql` / `.down.sql` at all.
    Pattern,
    /// The digits do not fit PostgreSQL's bigint, which holds the version.
    VersionTooLarge(String),
}

/// Splits a file name; `None` for files that are not SQL and are ignored
/// (README.md, .keep), `Some(Err)` for SQL files that break the grammar.
pub fn parse(file: &str) -> Option<Result<FileName, NameError>> {
    let stem = file.strip_suffix(".sql")?;
    Some(parse_stem(stem))
}

fn parse_stem(stem: &str) -> Result<FileName, NameError> {
    let (rest, direction) = if let Some(r) = stem.strip_suffix(".up") {
        (r, Direction::Up)
    } else if let Some(r) = stem.strip_suffix(".down") {
        (r, Direction::Down)
    } else {
        return Err(NameError::Pattern);
    };
    let (digits, name) = rest.split_once('_').ok_or(NameError::Pattern)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return Err(NameError::Pattern);
    }
    let version = digits
        .parse::<i64>()
        .map_err(|_| NameError::VersionTooLarge(digits.to_owned()))?;
    Ok(FileName {
        version,
        name: name.to_owned(),
        direction,
    })
}

/// Turns free text into a file name part: lowercase words joined by `_`, no path
/// separators, dots or spaces (`create` uses it).
pub fn sanitize_name(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sequential_and_timestamp_versions() {
        assert_eq!(
            parse("000001_init_schema.up.sql"),
            Some(Ok(FileName {
                version: 1,
                name: "init_schema".into(),
                direction: Direction::Up
            }))
        );
        let ts = parse("20250101120000_add.down.sql").unwrap().unwrap();
        assert_eq!(ts.version, 20250101120000);
        assert_eq!(ts.direction, Direction::Down);
    }

    #[test]
    fn rejects_bad_names_and_ignores_other_files() {
        assert_eq!(parse("README.md"), None);
        assert_eq!(parse("init.sql"), Some(Err(NameError::Pattern)));
        assert_eq!(parse("1_x.sideways.sql"), Some(Err(NameError::Pattern)));
        assert_eq!(parse("v1_x.up.sql"), Some(Err(NameError::Pattern)));
        assert_eq!(parse("1_.up.sql"), Some(Err(NameError::Pattern)));
        assert_eq!(
            parse("99999999999999999999_x.up.sql"),
            Some(Err(NameError::VersionTooLarge(
                "99999999999999999999".into()
            )))
        );
    }

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize_name("Add GPU count"), "add_gpu_count");
        assert_eq!(sanitize_name("../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitize_name("  a--b  "), "a_b");
    }
}
