//! The migration files to replay, in the order sqlx applies them: exactly the files of the
//! `local_migrations` section (which owns folder discovery and sqlx's naming rules), never a
//! second reading of the directory with rules of its own. A file that cannot be read is named
//! in the problems returned and the others are still replayed.

use std::path::{Path, PathBuf};

use gaps_core::code::replay::MigrationSource;
use gaps_core::migrations::LocalMigrations;

/// Reads the files listed in the local-migrations section (simple and up migrations only):
/// the sources that could be read, and one message per file that could not.
pub fn from_section(local: &LocalMigrations) -> (Vec<MigrationSource>, Vec<String>) {
    let dir = PathBuf::from(&local.directory);
    let mut files: Vec<_> = local.files.iter().filter(|f| f.kind.is_applied()).collect();
    files.sort_by_key(|f| f.version);
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        match read(&dir, &f.file) {
            Ok(sql) => sources.push(MigrationSource {
                version: f.version,
                file: f.file.clone(),
                sql,
            }),
            Err(e) => problems.push(e),
        }
    }
    (sources, problems)
}

/// Reads `dir/name`. The section records names as (lossy) UTF-8, as sqlx does; a name that
/// was not UTF-8 on disk is found again among the entries whose lossy name matches.
fn read(dir: &Path, name: &str) -> Result<String, String> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && name.contains('\u{fffd}') => {
            let on_disk = std::fs::read_dir(dir).ok().and_then(|entries| {
                entries
                    .filter_map(Result::ok)
                    .find(|e| e.file_name().to_string_lossy() == name)
                    .map(|e| e.path())
            });
            match on_disk {
                Some(p) => std::fs::read(&p),
                None => Err(e),
            }
        }
        other => other,
    }
    .map_err(|e| {
        format!("migration {name} could not be read ({e}); it is left out of the replay")
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("migration {name} is not valid UTF-8; it is left out of the replay")
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaps_core::migrations::classify_entry;

    fn section(dir: &Path, names: &[&str]) -> LocalMigrations {
        LocalMigrations {
            directory: dir.display().to_string(),
            directory_source: "flag".into(),
            source_file: None,
            source_line: None,
            ignored_chars: vec![],
            files: names
                .iter()
                .map(|n| classify_entry(n, Some(b"SELECT 1;"), &[]).unwrap())
                .collect(),
            ignored: vec![],
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_non_utf8_file_name_is_read_and_the_rest_goes_on() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let raw = std::ffi::OsStr::from_bytes(b"2_caf\xe9.sql");
        std::fs::write(dir.path().join(raw), "CREATE TABLE b (id int);").unwrap();
        std::fs::write(dir.path().join("1_a.sql"), "CREATE TABLE a (id int);").unwrap();
        let lossy = raw.to_string_lossy().into_owned();
        let (sources, problems) = from_section(&section(dir.path(), &["1_a.sql", &lossy]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[1].sql, "CREATE TABLE b (id int);");
    }

    #[test]
    fn a_file_that_vanished_is_named_and_the_rest_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("1_a.sql"), "CREATE TABLE a (id int);").unwrap();
        let (sources, problems) = from_section(&section(dir.path(), &["1_a.sql", "2_gone.sql"]));
        assert_eq!(sources.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("2_gone.sql"), "{}", problems[0]);
        assert!(
            problems[0].contains("left out of the replay"),
            "{}",
            problems[0]
        );
    }
}
