//! `create NAME [--seq]`: a new, empty up/down pair.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use migrate_core::source::filename::{self, sanitize_name};

use crate::error::MigrateError;

/// golang-migrate's `-seq-digits` default.
const SEQ_DIGITS: usize = 6;

/// Why `create` did nothing.
#[derive(Debug)]
pub enum CreateError {
    /// The name has nothing left after sanitising: the user's mistake.
    BadName(String),
    /// The files could not be written.
    Io(MigrateError),
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
    let name = sanitize_name(raw_name);
    if name.is_empty() {
        return Err(CreateError::BadName(format!(
            "{raw_name:?} has no letters or digits to name a migration with"
        )));
    }
    let io = |path: &Path, message: &str, source: std::io::Error| {
        CreateError::Io(MigrateError::Io {
            path: path.to_owned(),
            message: message.to_owned(),
            source,
        })
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "cannot create the directory", e))?;
    // File names only: a broken migration elsewhere must not stop `create`.
    let mut existing: Vec<(i64, usize)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, "cannot read the directory", e))? {
        let Ok(entry) = entry else { continue };
        let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(Ok(f)) = filename::parse(&file) {
            let digits = file.split('_').next().map_or(0, str::len);
            existing.push((f.version, digits));
        }
    }
    let version = if seq {
        let (max, digits) = existing.iter().copied().max().unwrap_or((0, SEQ_DIGITS));
        format!("{:0width$}", max + 1, width = digits)
    } else {
        now.format("%Y%m%d%H%M%S").to_string()
    };
    let number: i64 = version.parse().unwrap_or(0);
    if existing.iter().any(|&(v, _)| v == number) {
        return Err(CreateError::Io(MigrateError::Io {
            path: dir.to_owned(),
            message: format!(
                "a migration with version {version} already exists; wait a second or use --seq"
            ),
            source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        }));
    }
    let up = dir.join(format!("{version}_{name}.up.sql"));
    let down = dir.join(format!("{version}_{name}.down.sql"));
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
            Err(CreateError::Io(_))
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
    }
}
