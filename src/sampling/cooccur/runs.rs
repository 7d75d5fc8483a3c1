//! Spilled co-occurrence counts on disk: run files (sorted records ending in a CRC-32), their
//! reader and writer, and the merge of sorted runs, in levels of at most [`MERGE_FAN_IN`] files.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A run file's first bytes.
const RUN_MAGIC: &[u8; 8] = b"WVCORUN2";
/// A run file's record: the key (i << 32 | j) and the count's numerator, little-endian.
const RECORD: usize = 24;

/// One sorted stream of (key, numerator) for the merge.
pub(super) type Source<'a> = Box<dyn FnMut() -> Result<Option<(u64, u128)>> + 'a>;

/// Writes a run file: the magic, the entry count (patched in at the end), the sorted entries,
/// and the CRC-32 of the entries.
pub(super) struct RunWriter {
    path: PathBuf,
    writer: BufWriter<File>,
    entries: u64,
    crc: crc32fast::Hasher,
}

impl RunWriter {
    pub(super) fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writer
            .write_all(RUN_MAGIC)
            .and_then(|()| writer.write_all(&0u64.to_le_bytes()))
            .map_err(|e| Error::io(path, e))?;
        Ok(RunWriter {
            path: path.to_path_buf(),
            writer,
            entries: 0,
            crc: crc32fast::Hasher::new(),
        })
    }

    pub(super) fn push(&mut self, key: u64, numerator: u128) -> Result<()> {
        let mut bytes = [0u8; RECORD];
        bytes[..8].copy_from_slice(&key.to_le_bytes());
        bytes[8..].copy_from_slice(&numerator.to_le_bytes());
        self.crc.update(&bytes);
        self.entries += 1;
        self.writer
            .write_all(&bytes)
            .map_err(|e| Error::io(&self.path, e))
    }

    pub(super) fn finish(mut self) -> Result<()> {
        use std::io::{Seek, SeekFrom};
        let path = self.path.clone();
        let io = |e| Error::io(&path, e);
        self.writer
            .write_all(&self.crc.finalize().to_le_bytes())
            .map_err(io)?;
        let mut file = self.writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(RUN_MAGIC.len() as u64))
            .and_then(|_| file.write_all(&self.entries.to_le_bytes()))
            .map_err(io)
    }
}

/// The most run files open at once: the last merge reads this many, and longer lists of runs
/// are merged in groups of this many into larger runs first (each level removing its inputs),
/// so counting works under a small limit of open files (GloVe users meet "Too many open files"
/// with the reference's one-level merge).
pub(super) const MERGE_FAN_IN: usize = 32;

/// Merges `runs` (in `dir`) level by level, `fan_in` at a time, until at most `fan_in` are
/// left; returns those. Sums are exact, so the final matrix does not depend on the grouping.
pub(super) fn merge_levels(
    mut runs: Vec<PathBuf>,
    dir: &Path,
    fan_in: usize,
) -> Result<Vec<PathBuf>> {
    let mut next = 0;
    while runs.len() > fan_in {
        let mut merged = Vec::with_capacity(runs.len().div_ceil(fan_in));
        for group in runs.chunks(fan_in) {
            let path = dir.join(format!("merged-{next:05}.bin"));
            next += 1;
            let mut readers = group
                .iter()
                .map(|p| RunReader::open(p))
                .collect::<Result<Vec<_>>>()?;
            let sources: Vec<Source<'_>> = readers
                .iter_mut()
                .map(|r| Box::new(move || r.next_entry()) as Source<'_>)
                .collect();
            let mut run = RunWriter::create(&path)?;
            merge(sources, &mut |k, x| run.push(k, x))?;
            run.finish()?;
            drop(readers);
            for p in group {
                std::fs::remove_file(p).map_err(|e| Error::io(p, e))?;
            }
            merged.push(path);
        }
        runs = merged;
    }
    Ok(runs)
}

/// Reads one run file back in order, checking its length and checksum.
pub struct RunReader {
    path: PathBuf,
    reader: BufReader<File>,
    left: u64,
    total: u64,
    crc: crc32fast::Hasher,
}

impl RunReader {
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut head = [0u8; 16];
        reader
            .read_exact(&mut head)
            .map_err(|e| truncated_or(path, e, "its header"))?;
        if &head[..8] != RUN_MAGIC {
            return Err(Error::invalid(
                path,
                "not a co-occurrence run file (wrong magic bytes)",
            ));
        }
        let total = u64::from_le_bytes(head[8..].try_into().expect("8 bytes"));
        Ok(RunReader {
            path: path.to_path_buf(),
            reader,
            left: total,
            total,
            crc: crc32fast::Hasher::new(),
        })
    }

    /// The next entry, or `None` after the last one (whose checksum it then verifies).
    pub fn next_entry(&mut self) -> Result<Option<(u64, u128)>> {
        if self.left == 0 {
            let mut tail = [0u8; 4];
            self.reader
                .read_exact(&mut tail)
                .map_err(|e| truncated_or(&self.path, e, "its checksum"))?;
            if u32::from_le_bytes(tail) != self.crc.clone().finalize() {
                return Err(Error::invalid(
                    &self.path,
                    "damaged co-occurrence run file: the checksum does not match",
                ));
            }
            return Ok(None);
        }
        let mut bytes = [0u8; RECORD];
        let n = self.total - self.left + 1;
        self.reader
            .read_exact(&mut bytes)
            .map_err(|e| truncated_or(&self.path, e, &format!("entry {n} of {}", self.total)))?;
        self.crc.update(&bytes);
        self.left -= 1;
        let k = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        let x = u128::from_le_bytes(bytes[8..].try_into().expect("16 bytes"));
        Ok(Some((k, x)))
    }
}

fn truncated_or(path: &Path, e: std::io::Error, what: &str) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::invalid(
            path,
            format!("truncated co-occurrence run file: {what} is missing"),
        )
    } else {
        Error::io(path, e)
    }
}

/// Merges sorted sources, summing the entries of one (i, j).
pub(super) fn merge(
    mut sources: Vec<Source<'_>>,
    emit: &mut impl FnMut(u64, u128) -> Result<()>,
) -> Result<()> {
    let mut heap = BinaryHeap::with_capacity(sources.len());
    let mut values = vec![0u128; sources.len()];
    for (r, source) in sources.iter_mut().enumerate() {
        if let Some((k, x)) = source()? {
            values[r] = x;
            heap.push(Reverse((k, r)));
        }
    }
    let mut current: Option<(u64, u128)> = None;
    while let Some(Reverse((k, r))) = heap.pop() {
        let x = values[r];
        current = match current {
            Some((ck, cx)) if ck == k => Some((ck, cx + x)),
            Some((ck, cx)) => {
                emit(ck, cx)?;
                Some((k, x))
            }
            None => Some((k, x)),
        };
        if let Some((k, x)) = sources[r]()? {
            values[r] = x;
            heap.push(Reverse((k, r)));
        }
    }
    if let Some((k, x)) = current {
        emit(k, x)?;
    }
    Ok(())
}
