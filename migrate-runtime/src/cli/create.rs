//! `create NAME [--seq]`: a new, empty up/down pair.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use migrate_core::source::filename::{self, sanitize_name};

use crate::error::MigrateError;

/// golang-migrate's `-digits` default.
const SEQ_DIGITS: usize = 6;

/// Why `create` did nothing.
#[derive(Debug)]
pub enum CreateError {
    /// The name or an option is unusable: the user's mistake.
    BadName(String),
    /// A migration with this version exists already.
    Duplicate(String),
    /// The files could not be written.
    Io(MigrateError),
}

/// How `create` names the files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateOptions {
    /// The next number after the newest migration instead of a timestamp.
    pub seq: bool,
    /// With `seq`: this many digits (golang-migrate's `-digits`); by default
    /// the width of the newest migration's, else 6.
    pub digits: Option<usize>,
    /// The extension after `.up` / `.down`, with or without its dot.
    pub ext: String,
    /// golang-migrate's `-format`: a Go time layout, `unix` or `unixNano`;
    /// `None` is `20060102150405` (YYYYMMDDHHMMSS, UTC).
    pub format: Option<String>,
    /// Lower-case the name and keep letters, digits and `_` (this CLI's
    /// `create`); golang-migrate's keeps the name as given, and so does
    /// `false` (a name that would not make a migration file is refused).
    pub sanitize: bool,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            seq: false,
            digits: None,
            ext: "sql".to_owned(),
            format: None,
            sanitize: true,
        }
    }
}

/// Writes `{version}_{name}.up.sql` and `.down.sql` into `dir` (created when
/// missing); never overwrites. Returns the two paths.
///
/// The version is `now` as `YYYYMMDDHHMMSS` (UTC), or with `seq` the next
/// number after the newest migration, as wide as its digits.
pub fn create(
    dir: &Path,
    raw_name: &str,
    seq: bool,
    now: DateTime<Utc>,
) -> Result<(PathBuf, PathBuf), CreateError> {
    let opts = CreateOptions {
        seq,
        ..CreateOptions::default()
    };
    create_with(dir, raw_name, &opts, now)
}

/// [`create`] with golang-migrate's options.
pub fn create_with(
    dir: &Path,
    raw_name: &str,
    opts: &CreateOptions,
    now: DateTime<Utc>,
) -> Result<(PathBuf, PathBuf), CreateError> {
    let name = if opts.sanitize {
        sanitize_name(raw_name)
    } else {
        raw_name.to_owned()
    };
    if name.is_empty() || (!opts.sanitize && !plain_name(&name)) {
        return Err(CreateError::BadName(format!(
            "{raw_name:?} cannot name a migration: use letters, digits and `_`"
        )));
    }
    let ext = format!(".{}", opts.ext.trim_start_matches('.'));
    if opts.seq && opts.format.is_some() {
        return Err(CreateError::BadName(
            "the -seq and -format options are mutually exclusive".to_owned(),
        ));
    }
    if opts.digits == Some(0) {
        return Err(CreateError::BadName("Digits must be positive".to_owned()));
    }
    let io = |path: &Path, message: &str, source: std::io::Error| {
        CreateError::Io(MigrateError::Io {
            path: path.to_owned(),
            message: message.to_owned(),
            source,
        })
    };
    // File names only: a broken migration elsewhere must not stop `create`.
    let mut existing: Vec<(i64, usize)> = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, "cannot read the directory", e))? {
            let Ok(entry) = entry else { continue };
            let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Some(stem) = file.strip_suffix(&ext) else {
                continue;
            };
            if let Some(Ok(f)) = filename::parse(&format!("{stem}.sql")) {
                let digits = file.split('_').next().map_or(0, str::len);
                existing.push((f.version, digits));
            }
        }
    }
    let version = if opts.seq {
        let (max, width) = existing.iter().copied().max().unwrap_or((0, SEQ_DIGITS));
        let width = opts.digits.unwrap_or(width);
        let v = format!("{:0width$}", max + 1);
        if v.len() > width {
            return Err(CreateError::BadName(format!(
                "Next sequence number {v} too large. At most {width} digits are allowed"
            )));
        }
        v
    } else {
        time_version(now, opts.format.as_deref())?
    };
    let number: i64 = version.parse().unwrap_or(0);
    if existing.iter().any(|&(v, _)| v == number) {
        return Err(CreateError::Duplicate(version));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "cannot create the directory", e))?;
    let up = dir.join(format!("{version}_{name}.up{ext}"));
    let down = dir.join(format!("{version}_{name}.down{ext}"));
    let write = |p: &Path| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .map(drop)
            .map_err(|e| io(p, "cannot create the file (it is never overwritten)", e))
    };
    write(&up)?;
    if let Err(e) = write(&down) {
        let _ = std::fs::remove_file(&up);
        return Err(e);
    }
    Ok((up, down))
}

/// A name golang-migrate would write that this tool also reads back.
fn plain_name(name: &str) -> bool {
    !name.contains(['/', '\\'])
        && matches!(filename::parse(&format!("1_{name}.up.sql")), Some(Ok(f)) if f.version == 1)
}

/// The version from the time: golang-migrate's `-format` (a Go layout made of
/// the numeric fields 2006 01 02 15 04 05, or `unix`, `unixNano`). Go's time
/// formatting is not a crate; only the numeric layouts a version can be made
/// of are translated, anything else is refused rather than guessed.
fn time_version(now: DateTime<Utc>, format: Option<&str>) -> Result<String, CreateError> {
    let layout = match format {
        None => return Ok(now.format("%Y%m%d%H%M%S").to_string()),
        Some("unix") => return Ok(now.timestamp().to_string()),
        Some("unixNano") => {
            return Ok(now
                .timestamp_nanos_opt()
                .map_or_else(|| now.timestamp().to_string(), |n| n.to_string()));
        }
        Some(l) => l,
    };
    let mut chrono_fmt = String::new();
    let mut rest = layout;
    while !rest.is_empty() {
        let (token, spec) = [
            ("2006", "%Y"),
            ("01", "%m"),
            ("02", "%d"),
            ("15", "%H"),
            ("04", "%M"),
            ("05", "%S"),
        ]
        .into_iter()
        .find(|(t, _)| rest.starts_with(t))
        .ok_or_else(|| {
            CreateError::BadName(format!(
                "-format {layout:?}: only the Go layout fields 2006 01 02 15 04 05 (a version is \
                 digits), unix and unixNano are supported"
            ))
        })?;
        chrono_fmt.push_str(spec);
        rest = &rest[token.len()..];
    }
    Ok(now.format(&chrono_fmt).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nc-create-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn timestamps_and_sequences() {
        let dir = tmp("a");
        let now = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        let (up, down) = create(&dir, "Add GPU count", false, now).unwrap();
        assert!(up.ends_with("20250102030405_add_gpu_count.up.sql"));
        assert!(down.ends_with("20250102030405_add_gpu_count.down.sql"));
        assert!(matches!(
            create(&dir, "again", false, now),
            Err(CreateError::Duplicate(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();

        let dir = tmp("b");
        let (up, _) = create(&dir, "init", true, now).unwrap();
        assert!(up.ends_with("000001_init.up.sql"));
        let (up, _) = create(&dir, "../../etc/passwd", true, now).unwrap();
        assert!(up.ends_with("000002_etc_passwd.up.sql"));
        assert_eq!(up.parent(), Some(dir.as_path()));
        assert!(matches!(
            create(&dir, "../..", true, now),
            Err(CreateError::BadName(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();

        let dir = tmp("c");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0041_x.up.sql"), "").unwrap();
        let (up, _) = create(&dir, "y", true, now).unwrap();
        assert!(up.ends_with("0042_y.up.sql"));
        std::fs::remove_dir_all(&dir).unwrap();

        // golang-migrate's options.
        let dir = tmp("d");
        let go = CreateOptions {
            seq: true,
            digits: Some(3),
            ext: ".sql".to_owned(),
            format: None,
            sanitize: false,
        };
        let (up, _) = create_with(&dir, "Add_X", &go, now).unwrap();
        assert!(up.ends_with("001_Add_X.up.sql"));
        assert!(matches!(
            create_with(&dir, "a/b", &go, now),
            Err(CreateError::BadName(_))
        ));
        let ts = CreateOptions {
            seq: false,
            format: Some("200601021504".to_owned()),
            ..go.clone()
        };
        let (up, _) = create_with(&dir, "t", &ts, now).unwrap();
        assert!(up.ends_with("202501020304_t.up.sql"));
        let bad = CreateOptions {
            format: Some("Jan 2".to_owned()),
            ..ts
        };
        assert!(matches!(
            create_with(&dir, "t", &bad, now),
            Err(CreateError::BadName(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
