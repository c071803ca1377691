//! Reading `--logs` inputs (files, stdin, .gz), streamed in fixed-size chunks into the pure
//! [`LogAnalyzer`]. Memory stays flat: one read buffer plus at most one carried line per
//! thread. With `--jobs N`, N threads read different inputs; each input is analysed on its
//! own and the results are merged in input order, so the evidence is the same for every N.
//! The collection's deadline bounds the reading too (see the `bounded` module): an input it
//! stops keeps the lines read before and says where it stopped.

mod bounded;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use gaps_core::logs::{LogAnalyzer, LogFormat, LogsEvidence};
use gaps_core::section::Section;

use crate::deadline::Deadline;
use bounded::Bounded;

/// Read buffer size.
const CHUNK: usize = 256 * 1024;

/// Classifies every `--logs` input (`-` is standard input), in `forced` format when given,
/// else detecting each file's, reading up to `jobs` files at once, until `deadline`.
pub fn collect(
    paths: &[PathBuf],
    forced: Option<LogFormat>,
    jobs: usize,
    deadline: Option<Deadline>,
) -> Section<LogsEvidence> {
    if paths.is_empty() {
        return Section::skipped("no --logs given");
    }
    let evidence = classify_paths(paths, forced, jobs, deadline);
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
/// one input at a time, until `deadline`; the evidence does not depend on `jobs`.
pub fn classify_paths(
    paths: &[impl AsRef<Path> + Sync],
    forced: Option<LogFormat>,
    jobs: usize,
    deadline: Option<Deadline>,
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
                    let analyzer = classify_path(path.as_ref(), forced, deadline);
                    if tx.send((i, analyzer)).is_err() {
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
fn classify_path(
    path: &Path,
    forced: Option<LogFormat>,
    deadline: Option<Deadline>,
) -> LogAnalyzer {
    let mut analyzer = LogAnalyzer::new();
    let name = path.display().to_string();
    let error = match opened(path, &name, deadline) {
        Ok(reader) => read_input(&mut analyzer, &name, reader, forced, deadline),
        Err(e) => {
            analyzer.begin_input(&name, forced, false);
            Some(e)
        }
    };
    analyzer.end_input(error);
    analyzer
}

/// The input opened for reading under the deadline (`-` is standard input), or why not.
fn opened(path: &Path, name: &str, deadline: Option<Deadline>) -> Result<Bounded, String> {
    if let Some(d) = deadline.filter(|d| d.reached()) {
        return Err(format!("not read: {} was reached", d.name()));
    }
    let thread = |e: std::io::Error| format!("could not start a thread to read {name}: {e}");
    if name == "-" {
        return Bounded::stream(std::io::stdin(), CHUNK, deadline).map_err(thread);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("could not open {name}: {e}"))?;
    // A regular file's reads return promptly; a FIFO, socket or device may wait forever.
    if file.metadata().is_ok_and(|m| m.is_file()) {
        Ok(Bounded::direct(file, deadline))
    } else {
        Bounded::stream(file, CHUNK, deadline).map_err(thread)
    }
}

/// Why reading `name` stopped early: the deadline when it was reached, else `what`.
fn stopped(name: &str, deadline: Option<Deadline>, what: impl FnOnce() -> String) -> String {
    match deadline.filter(|d| d.reached()) {
        Some(d) => format!(
            "reading {name} stopped at {}; the lines before were classified",
            d.name()
        ),
        None => what(),
    }
}

/// Streams one input; gzip is recognised by its magic bytes. Returns why reading stopped
/// early, if it did.
fn read_input(
    analyzer: &mut LogAnalyzer,
    name: &str,
    mut reader: Bounded,
    forced: Option<LogFormat>,
    deadline: Option<Deadline>,
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
                return Some(stopped(name, deadline, || format!("reading {name}: {e}")));
            }
        }
    }
    let gz = head >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
    analyzer.begin_input(name, forced, gz);
    let prefix = std::io::Cursor::new(buf[..head].to_vec());
    let chained = prefix.chain(reader);
    let error = if gz {
        pump(
            analyzer,
            name,
            flate2::read::MultiGzDecoder::new(chained),
            &mut buf,
            true,
        )
    } else {
        pump(analyzer, name, chained, &mut buf, false)
    };
    error.map(|what| stopped(name, deadline, || what))
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
