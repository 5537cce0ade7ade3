//! Listing the `.sql` files of a directory: every one is read, or its reading
//! fails loudly. Nothing is skipped because of how it is stored.
//!
//! Symbolic links are followed, to files and through directories: Kubernetes
//! mounts a ConfigMap as `000001_x.up.sql -> ..data/000001_x.up.sql` with
//! `..data -> ..2026_11_01_09_00_00.123/`, and a migration that is not applied
//! because it is a link is a migration silently lost.

use std::io;
use std::path::{Path, PathBuf};

/// One `.sql` entry of a directory.
#[derive(Debug)]
pub struct DirFile {
    /// The entry's name (lossy when it is not UTF-8; the read then fails).
    pub name: String,
    /// The directory joined with the name.
    pub path: PathBuf,
    /// The file's bytes, or why they could not be had, worded for a message
    /// that already names the file.
    pub bytes: io::Result<Vec<u8>>,
}

/// Every entry of `dir` whose name ends in `.sql`, sorted by name, each read
/// through any symbolic links. An entry that is not a readable regular file
/// (a broken link, a directory, a name that is not UTF-8, no permission)
/// keeps its error in [`DirFile::bytes`] for the caller to report.
///
/// # Errors
///
/// The directory itself cannot be listed, or listing stops half-way (then
/// entries would be missing without a word).
pub fn sql_files(dir: &Path) -> io::Result<Vec<DirFile>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let raw = entry.file_name();
        let path = entry.path();
        let (name, utf8) = match raw.into_string() {
            Ok(n) => (n, true),
            Err(raw) => (raw.to_string_lossy().into_owned(), false),
        };
        if !name.ends_with(".sql") {
            continue;
        }
        let bytes = if utf8 {
            read_followed(&path)
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file name is not valid UTF-8; rename it",
            ))
        };
        out.push(DirFile { name, path, bytes });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Reads `path` after following links; says what the entry is when it is not
/// a regular file, since the OS's "No such file or directory" for a broken
/// link or "Is a directory" reads like the file is not there at all.
fn read_followed(path: &Path) -> io::Result<Vec<u8>> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => std::fs::read(path),
        Ok(m) if m.is_dir() => Err(io::Error::other(
            "it is a directory, not a file; rename it or move it out of the directory",
        )),
        Ok(_) => Err(io::Error::other(
            "it is not a regular file (a socket, FIFO or device); replace it with the SQL file",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let target = std::fs::read_link(path)
                .map(|t| format!(" to {}", t.display()))
                .unwrap_or_default();
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "it is a symbolic link{target}, which does not exist; fix the link or delete it"
                ),
            ))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "migrate-core-dir-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_like_a_configmap_mount_and_names_broken_ones() {
        use std::os::unix::fs::symlink;
        let d = temp();
        let data = d.join("..2026_11_01");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("1_a.up.sql"), "SELECT 1;").unwrap();
        symlink("..2026_11_01", d.join("..data")).unwrap();
        symlink("..data/1_a.up.sql", d.join("1_a.up.sql")).unwrap();
        symlink("..data/nope.sql", d.join("2_b.up.sql")).unwrap();
        std::fs::create_dir(d.join("3_c.up.sql")).unwrap();
        std::fs::write(d.join("README.md"), "not sql").unwrap();

        let files = sql_files(&d).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["1_a.up.sql", "2_b.up.sql", "3_c.up.sql"]);
        assert_eq!(files[0].bytes.as_ref().unwrap(), b"SELECT 1;");
        let broken = files[1].bytes.as_ref().unwrap_err().to_string();
        assert!(
            broken.contains("symbolic link to ..data/nope.sql"),
            "{broken}"
        );
        let dir = files[2].bytes.as_ref().unwrap_err().to_string();
        assert!(dir.contains("is a directory"), "{dir}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
