//! gzip of the page's packed data on every core, as pigz does it: the input is cut into fixed
//! blocks, each block is deflated on its own thread with the 32 KiB before it as its
//! dictionary and ends in a sync flush (byte-aligned, not final), and the raw deflate of the
//! blocks, put end to end, is one deflate stream. The result is a single ordinary gzip member
//! (what `DecompressionStream('gzip')` and `GzDecoder` read); the block size, not the number of
//! cores, decides where blocks are cut, so the same input gives the same bytes on any machine.

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// The input cut into blocks of this size: large enough that the cut costs nothing in size
/// (each block starts with a full 32 KiB window), small enough to share out among the cores.
const BLOCK: usize = 1 << 20;
/// The deflate window, handed to each block as its dictionary.
const WINDOW: usize = 32 * 1024;

/// `bytes` gzip-compressed at `level` (deterministic: no name, mtime 0, OS "unknown").
pub fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let blocks: Vec<&[u8]> = if bytes.is_empty() {
        vec![bytes]
    } else {
        bytes.chunks(BLOCK).collect()
    };
    let deflated = on_all_cores(blocks.len(), |i| {
        let start = i * BLOCK;
        let dictionary = &bytes[start.saturating_sub(WINDOW)..start];
        deflate_block(blocks[i], dictionary, i + 1 == blocks.len(), level)
    });
    let mut crc = Crc::new();
    let body: usize = deflated.iter().map(|(d, _)| d.len()).sum();
    let mut out = Vec::with_capacity(10 + body + 8);
    // Magic, deflate, no flags, mtime 0, extra flags 0, OS 255 (unknown): flate2's header.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    for (d, c) in &deflated {
        out.extend_from_slice(d);
        crc.combine(c);
    }
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

/// The raw deflate of one block (ending in a sync flush, or the final block) and its CRC.
fn deflate_block(
    block: &[u8],
    dictionary: &[u8],
    last: bool,
    level: Compression,
) -> (Vec<u8>, Crc) {
    let mut crc = Crc::new();
    crc.update(block);
    let mut c = Compress::new(level, false);
    if !dictionary.is_empty() {
        // Setting a dictionary on a fresh raw stream cannot fail.
        let _ = c.set_dictionary(dictionary);
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(block.len() / 4 + 64);
    loop {
        let read = c.total_in() as usize;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(4096));
        }
        let status = c.compress_vec(&block[read..], &mut out, flush);
        let done = c.total_in() as usize == block.len();
        match status {
            Ok(Status::StreamEnd) => break,
            // A sync flush is complete once all input is in and the output was not filled.
            Ok(_) if !last && done && out.len() < out.capacity() => break,
            Ok(_) => {}
            // Compressing into a Vec cannot fail; an error would be a bug in the backend.
            Err(e) => unreachable!("deflate failed: {e}"),
        }
    }
    (out, crc)
}

/// `job(0..n)` shared out among the machine's cores, the results in order.
fn on_all_cores<T: Send>(n: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(n);
    if threads <= 1 {
        return (0..n).map(job).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return mine;
                        }
                        mine.push((i, job(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(mine) => mine,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut d = flate2::read::GzDecoder::new(gz);
        d.read_to_end(&mut out).expect("valid gzip");
        // One member: nothing may follow it.
        let mut rest = Vec::new();
        d.into_inner().read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "bytes after the gzip member");
        out
    }

    /// Text that repeats across block boundaries (so the dictionary matters) and does not
    /// compress to nothing.
    fn sample(len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        let mut x: u32 = 7;
        while out.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            out.extend_from_slice(
                format!("{{\"table\":\"t{}\",\"n\":{}}},", x % 997, x >> 20).as_bytes(),
            );
        }
        out.truncate(len);
        out
    }

    #[test]
    fn one_gzip_member_that_unpacks_to_the_input_at_every_size() {
        for len in [0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12_345] {
            let input = sample(len);
            for level in [Compression::fast(), Compression::default()] {
                assert_eq!(gunzip(&gzip(&input, level)), input, "{len} bytes");
            }
        }
    }

    #[test]
    fn blocks_cost_next_to_nothing_against_one_stream() {
        let input = sample(4 * BLOCK);
        let whole = {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(&input).unwrap();
            e.finish().unwrap()
        };
        let blocks = gzip(&input, Compression::default());
        assert!(
            blocks.len() <= whole.len() + whole.len() / 100,
            "{} against {}",
            blocks.len(),
            whole.len()
        );
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let input = sample(2 * BLOCK + 5);
        assert_eq!(
            gzip(&input, Compression::default()),
            gzip(&input, Compression::default())
        );
    }
}
