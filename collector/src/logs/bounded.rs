//! A `--logs` input read under the collection's deadline. A regular file is checked between
//! reads (reading a file never waits on anyone); a pipe, a FIFO, a socket or standard input
//! (`fly logs | gaps collect --logs -`, a stream that may never end) is read by a thread of its
//! own and waited for only until the deadline, so a stream that stops sending cannot hold the
//! collection past it. What was read before is classified as usual.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};

use crate::deadline::Deadline;

/// How many chunks a stream's reading thread may be ahead of the classification.
const AHEAD: usize = 4;

/// A reader that fails with [`io::ErrorKind::TimedOut`] once the deadline is reached.
pub struct Bounded {
    source: Source,
    deadline: Option<Deadline>,
}

enum Source {
    /// Read on the caller's thread, the deadline checked before each read.
    Direct(Box<dyn Read + Send>),
    /// Read by a thread of its own, whose chunks are waited for until the deadline.
    Stream {
        chunks: Receiver<io::Result<Vec<u8>>>,
        current: Vec<u8>,
        pos: usize,
        ended: bool,
    },
}

impl Bounded {
    /// A regular file (or anything whose reads return promptly).
    pub fn direct(reader: impl Read + Send + 'static, deadline: Option<Deadline>) -> Bounded {
        Bounded {
            source: Source::Direct(Box::new(reader)),
            deadline,
        }
    }

    /// A stream that may block: read by a thread of its own in chunks of `chunk` bytes. Without
    /// a deadline there is nothing to bound, and it is read directly. Fails only when the
    /// thread cannot be started.
    pub fn stream(
        reader: impl Read + Send + 'static,
        chunk: usize,
        deadline: Option<Deadline>,
    ) -> io::Result<Bounded> {
        let Some(deadline) = deadline else {
            return Ok(Bounded::direct(reader, None));
        };
        let (tx, rx) = mpsc::sync_channel(AHEAD);
        let mut reader = reader;
        // The thread is not joined: once the deadline is reached it may be blocked in a read
        // that never returns; it ends at its next chunk (the receiver is gone) or with the
        // process.
        std::thread::Builder::new()
            .name("gaps-logs-stream".into())
            .spawn(move || {
                loop {
                    let mut buf = vec![0u8; chunk];
                    let sent = match reader.read(&mut buf) {
                        Ok(0) => {
                            let _ = tx.send(Ok(Vec::new()));
                            break;
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            tx.send(Ok(buf))
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            break;
                        }
                    };
                    if sent.is_err() {
                        break;
                    }
                }
            })?;
        Ok(Bounded {
            source: Source::Stream {
                chunks: rx,
                current: Vec::new(),
                pos: 0,
                ended: false,
            },
            deadline: Some(deadline),
        })
    }
}

fn reached() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the collection's deadline was reached",
    )
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.deadline.is_some_and(|d| d.reached()) {
            return Err(reached());
        }
        match &mut self.source {
            Source::Direct(reader) => reader.read(buf),
            Source::Stream {
                chunks,
                current,
                pos,
                ended,
            } => {
                if *pos == current.len() {
                    if *ended {
                        return Ok(0);
                    }
                    let left = self.deadline.map_or(std::time::Duration::MAX, |d| d.left());
                    match chunks.recv_timeout(left) {
                        Ok(Ok(chunk)) if chunk.is_empty() => {
                            *ended = true;
                            return Ok(0);
                        }
                        Ok(Ok(chunk)) => {
                            *current = chunk;
                            *pos = 0;
                        }
                        Ok(Err(e)) => {
                            *ended = true;
                            return Err(e);
                        }
                        Err(RecvTimeoutError::Timeout) => return Err(reached()),
                        Err(RecvTimeoutError::Disconnected) => {
                            *ended = true;
                            return Ok(0);
                        }
                    }
                }
                let n = buf.len().min(current.len() - *pos);
                buf[..n].copy_from_slice(&current[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_stream_that_stops_sending_ends_at_the_deadline_with_what_it_sent() {
        let (mut writer, reader) = UnixStream::pair().unwrap();
        writer.write_all(b"first line\nsecond line\n").unwrap();
        let started = Instant::now();
        let deadline = Deadline::starting_now(Duration::from_millis(400));
        let mut bounded = Bounded::stream(reader, 8, Some(deadline)).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 5];
        let err = loop {
            match bounded.read(&mut buf) {
                Ok(0) => panic!("the stream is still open: it must not look ended"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(got, b"first line\nsecond line\n");
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(350), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        drop(writer);
    }

    #[test]
    fn a_stream_that_ends_before_the_deadline_is_read_whole() {
        let (mut writer, reader) = UnixStream::pair().unwrap();
        let text = b"a\nb\nc\n".repeat(1000);
        writer.write_all(&text).unwrap();
        drop(writer);
        let deadline = Deadline::starting_now(Duration::from_secs(60));
        let mut got = Vec::new();
        Bounded::stream(reader, 100, Some(deadline))
            .unwrap()
            .read_to_end(&mut got)
            .unwrap();
        assert_eq!(got, text);
    }

    #[test]
    fn a_file_is_not_read_once_the_deadline_is_reached() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"line\n").unwrap();
        let mut bounded = Bounded::direct(file, Some(Deadline::starting_now(Duration::ZERO)));
        let err = bounded.read(&mut [0u8; 16]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
