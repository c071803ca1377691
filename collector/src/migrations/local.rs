//! The local migrations folder: which folder (flag, `sqlx::migrate!` in the source, sqlx.toml,
//! or `DIR/migrations`) and every entry in it, classified by sqlx's rules in gaps-core.

use std::path::{Path, PathBuf};

use gaps_core::migrations::{LocalMigrations, classify_entry, find_migrate_macros, not_a_file};

use super::config::MigrateConfig;

/// The folder to read and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The folder.
    pub dir: PathBuf,
    /// "flag", "migrate_macro", "sqlx_toml" or "default".
    pub how: &'static str,
    /// The file that named it, relative to the source directory.
    pub file: Option<String>,
    /// Line of the `sqlx::migrate!` call.
    pub line: Option<u32>,
    /// The sqlx.toml that applies (the crate's, else the source root's).
    pub config: MigrateConfig,
}

/// Why the folder could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{during}: {message}")]
pub struct LocalError {
    /// What was being done.
    pub during: String,
    /// What went wrong.
    pub message: String,
}

/// Chooses the migrations folder: `--migrations`, else the first `sqlx::migrate!` call in the
/// source (resolved against its crate root, as the macro does), else sqlx.toml's
/// `migrations-dir`, else `DIR/migrations`.
pub fn locate(flag: Option<&Path>, source: Option<&Path>) -> Result<Located, LocalError> {
    let config_err = |e: super::config::ConfigError| LocalError {
        during: "reading sqlx.toml".into(),
        message: e.to_string(),
    };
    let root_config = match source {
        Some(s) => MigrateConfig::load(s).map_err(config_err)?,
        None => MigrateConfig::default(),
    };
    if let Some(dir) = flag {
        return Ok(Located {
            dir: dir.to_path_buf(),
            how: "flag",
            file: None,
            line: None,
            config: root_config,
        });
    }
    let Some(source) = source else {
        return Err(LocalError {
            during: "choosing the migrations folder".into(),
            message: "no --source or --migrations given".into(),
        });
    };
    if let Some((file, line, path)) = first_macro_call(source) {
        let crate_root = crate_root_of(&source.join(&file), source);
        let config = if crate_root == source {
            root_config
        } else {
            MigrateConfig::load(&crate_root).map_err(config_err)?
        };
        let rel = path
            .or_else(|| config.migrations_dir.clone())
            .unwrap_or_else(|| "./migrations".into());
        return Ok(Located {
            dir: clean_join(&crate_root, &rel),
            how: "migrate_macro",
            file: Some(file),
            line: Some(line),
            config,
        });
    }
    if let Some(rel) = root_config.migrations_dir.clone() {
        return Ok(Located {
            dir: clean_join(source, &rel),
            how: "sqlx_toml",
            file: Some("sqlx.toml".into()),
            line: None,
            config: root_config,
        });
    }
    Ok(Located {
        dir: source.join("migrations"),
        how: "default",
        file: None,
        line: None,
        config: root_config,
    })
}

/// `base/rel` without a `./` in the middle.
pub fn clean_join(base: &Path, rel: &str) -> PathBuf {
    let rel = Path::new(rel);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    base.join(rel)
}

/// The nearest directory at or above `file` (but not above `source`) holding a Cargo.toml.
pub fn crate_root_of(file: &Path, source: &Path) -> PathBuf {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d.join("Cargo.toml").is_file() {
            return d.to_path_buf();
        }
        if d == source {
            break;
        }
        dir = d.parent();
    }
    source.to_path_buf()
}

/// The first `sqlx::migrate!` call in the source's .rs files (sorted by path; .gitignore'd
/// and `target/` directories skipped): (file relative to source, line, path literal).
fn first_macro_call(source: &Path) -> Option<(String, u32, Option<String>)> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(source)
        .filter_entry(|e| e.file_name() != "target")
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files.into_iter().find_map(|path| {
        let text = std::fs::read_to_string(&path).ok()?;
        if !text.contains("migrate!") {
            return None;
        }
        let call = find_migrate_macros(&text).into_iter().next()?;
        let rel = path
            .strip_prefix(source)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        Some((rel, call.line, call.path))
    })
}

/// Reads every entry of the folder, as sqlx would: files directly inside it (symlinks
/// followed), each a migration or an ignored file with the reason.
pub fn read(located: &Located) -> Result<LocalMigrations, LocalError> {
    let dir = &located.dir;
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| LocalError {
        during: format!("reading the migrations folder {shown}"),
        message: e.to_string(),
    })?;
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| LocalError {
            during: format!("listing the migrations folder {shown}"),
            message: e.to_string(),
        })?;
        names.push((
            entry.file_name().to_string_lossy().into_owned(),
            entry.path(),
        ));
    }
    names.sort();
    let ignored_chars = &located.config.ignored_chars;
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for (name, path) in names {
        let classified = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => match std::fs::read(&path) {
                Ok(bytes) => classify_entry(&name, Some(&bytes), ignored_chars),
                Err(e) => Err(unreadable(&name, &e)),
            },
            Ok(m) => Err(not_a_file(&name, file_kind(&m.file_type()))),
            Err(e) => Err(unreadable(&name, &e)),
        };
        match classified {
            Ok(m) => files.push(m),
            Err(i) => ignored.push(i),
        }
    }
    files.sort_by(|a, b| (a.version, a.kind, &a.file).cmp(&(b.version, b.kind, &b.file)));
    Ok(LocalMigrations {
        directory: shown,
        directory_source: located.how.to_string(),
        source_file: located.file.clone(),
        source_line: located.line,
        ignored_chars: ignored_chars.iter().map(|c| c.to_string()).collect(),
        files,
        ignored,
    })
}

/// What a directory entry that is not a regular file is, in words.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

fn unreadable(name: &str, e: &std::io::Error) -> gaps_core::migrations::IgnoredFile {
    // A file sqlx would skip by name anyway is quietly ignored, not fatal.
    let (cause, reason) = match gaps_core::migrations::parse_file_name(name) {
        Err((cause, reason)) => (cause, reason),
        Ok(_) => (
            gaps_core::migrations::IgnoreCause::Unreadable,
            format!("cannot be read ({e}): sqlx refuses the whole migrations folder"),
        ),
    };
    gaps_core::migrations::IgnoredFile {
        file: name.to_string(),
        reason,
        cause,
        fatal: cause.is_fatal(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn flag_wins_over_everything() {
        let src = tempfile::tempdir().unwrap();
        write(&src.path().join("src/main.rs"), "sqlx::migrate!(\"db\");");
        let l = locate(Some(Path::new("/elsewhere")), Some(src.path())).unwrap();
        assert_eq!((l.dir, l.how), (PathBuf::from("/elsewhere"), "flag"));
    }

    #[test]
    fn migrate_macro_is_resolved_against_its_crate_root_with_file_and_line() {
        let src = tempfile::tempdir().unwrap();
        write(&src.path().join("Cargo.toml"), "[workspace]\n");
        write(&src.path().join("api/Cargo.toml"), "[package]\n");
        write(
            &src.path().join("api/src/db.rs"),
            "// setup\n\npub static M: Migrator = sqlx::migrate!(\"./db/migrations\");\n",
        );
        let l = locate(None, Some(src.path())).unwrap();
        assert_eq!(l.how, "migrate_macro");
        assert_eq!(l.dir, src.path().join("api/db/migrations"));
        assert_eq!(l.file.as_deref(), Some("api/src/db.rs"));
        assert_eq!(l.line, Some(3));
    }

    #[test]
    fn bare_migrate_macro_uses_the_crate_sqlx_toml_dir() {
        let src = tempfile::tempdir().unwrap();
        write(&src.path().join("Cargo.toml"), "[package]\n");
        write(
            &src.path().join("sqlx.toml"),
            "[migrate]\nmigrations-dir = \"sql\"\n",
        );
        write(
            &src.path().join("src/main.rs"),
            "fn main() { sqlx::migrate!(); }\n",
        );
        let l = locate(None, Some(src.path())).unwrap();
        assert_eq!((l.dir, l.how), (src.path().join("sql"), "migrate_macro"));
    }

    #[test]
    fn without_a_macro_the_default_folder_is_used() {
        let src = tempfile::tempdir().unwrap();
        write(&src.path().join("src/main.rs"), "fn main() {}\n");
        let l = locate(None, Some(src.path())).unwrap();
        assert_eq!((l.dir, l.how), (src.path().join("migrations"), "default"));
    }

    #[test]
    fn reads_every_entry_sorted_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path();
        write(&m.join("2_b.sql"), "SELECT 2;\n");
        write(&m.join("1_a.up.sql"), "SELECT 1;\n");
        write(&m.join("1_a.down.sql"), "SELECT -1;\n");
        write(&m.join("notes.txt"), "hi");
        std::fs::create_dir(m.join("old")).unwrap();
        let located = locate(Some(m), None).unwrap();
        let l = read(&located).unwrap();
        let files: Vec<&str> = l.files.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(files, ["1_a.up.sql", "1_a.down.sql", "2_b.sql"]);
        let ignored: Vec<&str> = l.ignored.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(ignored, ["notes.txt", "old"]);
        assert_eq!(l.directory_source, "flag");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_in_the_migrations_folder_is_not_called_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("2_pipe.sql");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo only reads the NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        write(&dir.path().join("1_a.sql"), "SELECT 1;\n");
        let l = read(&locate(Some(dir.path()), None).unwrap()).unwrap();
        assert_eq!(l.files.len(), 1);
        let ignored = &l.ignored[0];
        assert_eq!(ignored.file, "2_pipe.sql");
        assert!(
            ignored.reason.contains("named pipe (FIFO)"),
            "{}",
            ignored.reason
        );
        assert!(!ignored.reason.contains("directory"), "{}", ignored.reason);
        assert!(!ignored.fatal);
    }

    #[test]
    fn missing_folder_is_an_error_naming_it() {
        let located = locate(Some(Path::new("/nonexistent/gaps-m")), None).unwrap();
        let err = read(&located).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/gaps-m"), "{err}");
    }
}
