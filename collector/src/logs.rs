//! Reading `--logs` inputs (files, stdin, .gz), streamed in fixed-size chunks into the pure
//! [`LogAnalyzer`]. Memory stays flat: one read buffer plus at most one carried line per
//! thread. With `--jobs N`, N threads read different inputs; each input is analysed on its
//! own and the results are merged in input order, so the evidence is the same for every N.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use gaps_core::logs::{LogAnalyzer, LogFormat, LogsEvidence};
use gaps_core::section::Section;

/// Read buffer size.
const CHUNK: usize = 256 * 1024;

/// Classifies every `--logs` input (`-` is standard input), in `forced` format when given,
/// else detecting each file's, reading up to `jobs` files at once.
pub fn collect(paths: &[PathBuf], forced: Option<LogFormat>, jobs: usize) -> Section<LogsEvidence> {
    if paths.is_empty() {
        return Section::skipped("no --logs given");
    }
    let evidence = classify_paths(paths, forced, jobs);
    if evidence
        .inputs
        .iter()
        .all(|i| i.error.is_some() && i.bytes == 0)
    {
        let errors: Vec<String> = evidence
            .inputs
            .iter()
            .map(|i| format!("{}: {}", i.name, i.error.clone().unwrap_or_default()))
            .collect();
        return Section::failed("reading the --logs inputs", errors.join("; "));
    }
    Section::collected(evidence)
}

/// Classifies the given inputs (`-` is standard input) with up to `jobs` threads, each reading
/// one input at a time; the evidence does not depend on `jobs`.
pub fn classify_paths(
    paths: &[impl AsRef<Path> + Sync],
    forced: Option<LogFormat>,
    jobs: usize,
) -> LogsEvidence {
    let jobs = jobs.clamp(1, paths.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    if tx.send((i, classify_path(path.as_ref(), forced))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Merged in input order as soon as the next one is done (a later input waits).
        let mut merged = LogAnalyzer::new();
        let mut done = BTreeMap::new();
        let mut want = 0;
        for (i, analyzer) in rx {
            done.insert(i, analyzer);
            while let Some(a) = done.remove(&want) {
                merged.merge(a);
                want += 1;
            }
        }
        merged.finish()
    })
}

/// Reads and classifies one input in an analyzer of its own.
fn classify_path(path: &Path, forced: Option<LogFormat>) -> LogAnalyzer {
    let mut analyzer = LogAnalyzer::new();
    let name = path.display().to_string();
    let error = if name == "-" {
        read_input(&mut analyzer, &name, std::io::stdin().lock(), forced)
    } else {
        match std::fs::File::open(path) {
            Ok(f) => read_input(&mut analyzer, &name, f, forced),
            Err(e) => {
                analyzer.begin_input(&name, forced, false);
                Some(format!("could not open {name}: {e}"))
            }
        }
    };
    analyzer.end_input(error);
    analyzer
}

/// Streams one input; gzip is recognised by its magic bytes. Returns why reading stopped
/// early, if it did.
fn read_input(
    analyzer: &mut LogAnalyzer,
    name: &str,
    mut reader: impl Read,
    forced: Option<LogFormat>,
) -> Option<String> {
    let mut buf = vec![0u8; CHUNK];
    let mut head = 0;
    // Fill at least two bytes to look for the gzip magic.
    while head < 2 {
        match reader.read(&mut buf[head..]) {
            Ok(0) => break,
            Ok(n) => head += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                analyzer.begin_input(name, forced, false);
                return Some(format!("reading {name}: {e}"));
            }
        }
    }
    let gz = head >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
    analyzer.begin_input(name, forced, gz);
    let prefix = std::io::Cursor::new(buf[..head].to_vec());
    let chained = prefix.chain(reader);
    if gz {
        pump(
            analyzer,
            name,
            flate2::read::MultiGzDecoder::new(chained),
            &mut buf,
            true,
        )
    } else {
        pump(analyzer, name, chained, &mut buf, false)
    }
}

fn pump(
    analyzer: &mut LogAnalyzer,
    name: &str,
    mut reader: impl Read,
    buf: &mut [u8],
    gz: bool,
) -> Option<String> {
    loop {
        match reader.read(buf) {
            Ok(0) => return None,
            Ok(n) => analyzer.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let what = if gz && e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "the gzip stream is truncated".to_string()
                } else if gz {
                    format!("the gzip stream is corrupt: {e}")
                } else {
                    e.to_string()
                };
                return Some(format!(
                    "reading {name} stopped: {what}; the lines before were classified"
                ));
            }
        }
    }
}
