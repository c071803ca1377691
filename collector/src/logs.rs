//! Reading `--logs` inputs (files, stdin, .gz), streamed in fixed-size chunks into the pure
//! [`LogAnalyzer`]. Memory stays flat: one read buffer plus at most one carried line.

use std::io::Read;
use std::path::{Path, PathBuf};

use gaps_core::logs::{LogAnalyzer, LogFormat, LogsEvidence};
use gaps_core::section::Section;

/// Read buffer size.
const CHUNK: usize = 256 * 1024;

/// Classifies every `--logs` input (`-` is standard input), in `forced` format when given,
/// else detecting each file's.
pub fn collect(paths: &[PathBuf], forced: Option<LogFormat>) -> Section<LogsEvidence> {
    if paths.is_empty() {
        return Section::skipped("no --logs given");
    }
    let evidence = classify_paths(paths, forced);
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

/// Classifies the given inputs (`-` is standard input).
pub fn classify_paths(paths: &[impl AsRef<Path>], forced: Option<LogFormat>) -> LogsEvidence {
    let mut analyzer = LogAnalyzer::new();
    for p in paths {
        let path = p.as_ref();
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
    }
    analyzer.finish()
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
