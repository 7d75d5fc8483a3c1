//! What a checkpoint remembers of its corpus, so that a resumed run refuses a corpus that has
//! changed: each file's size and a CRC-32 of blocks sampled across it (its whole content when it
//! is small). Reading the samples costs about a megabyte a file, whatever its size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Blocks sampled from each file, first and last included.
const BLOCKS: u64 = 16;
const BLOCK_BYTES: u64 = 64 * 1024;

/// One corpus file as a checkpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFingerprint {
    pub path: PathBuf,
    pub len: u64,
    pub crc32: u32,
}

impl FileFingerprint {
    /// Reads `path`'s size and sampled blocks.
    pub fn of(path: &Path) -> Result<Self> {
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut hasher = crc32fast::Hasher::new();
        let mut block = vec![0u8; BLOCK_BYTES as usize];
        let mut covered = 0u64;
        for k in 0..BLOCKS {
            // Evenly spread starts, the last block ending at the end of the file; blocks that
            // would overlap the previous one start where it ended.
            let start = (len.saturating_sub(BLOCK_BYTES) * k / (BLOCKS - 1)).max(covered);
            let n = BLOCK_BYTES.min(len - start.min(len)) as usize;
            if n == 0 {
                break;
            }
            file.seek(SeekFrom::Start(start)).map_err(io)?;
            file.read_exact(&mut block[..n]).map_err(io)?;
            hasher.update(&block[..n]);
            covered = start + n as u64;
        }
        Ok(FileFingerprint {
            path: path.to_path_buf(),
            len,
            crc32: hasher.finalize(),
        })
    }
}

/// Checks that `now` (the corpus as it is) matches `then` (as a checkpoint recorded it), file by
/// file in reading order; the error names the file that changed and how.
pub fn check_unchanged(then: &[FileFingerprint], now: &[FileFingerprint]) -> Result<()> {
    if then.len() != now.len() {
        let path = now
            .first()
            .or(then.first())
            .map_or(PathBuf::new(), |f| f.path.clone());
        return Err(Error::invalid(
            &path,
            format!(
                "the corpus had {} file(s) when the checkpoint was saved and has {} now: resume refuses a changed corpus",
                then.len(),
                now.len()
            ),
        ));
    }
    for (a, b) in then.iter().zip(now) {
        let how = if a.len != b.len {
            format!(
                "{} bytes when the checkpoint was saved, {} now",
                a.len, b.len
            )
        } else if a.crc32 != b.crc32 {
            "same size, different content".to_string()
        } else {
            continue;
        };
        return Err(Error::invalid(
            &b.path,
            format!(
                "changed since the checkpoint ({how}): resume refuses a changed corpus; start a new run to train on it"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_in_size_or_sampled_content_is_caught_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.txt");
        for len in [0usize, 10, 70_000, 3_000_000] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&p, &text).unwrap();
            let then = vec![FileFingerprint::of(&p).unwrap()];
            assert_eq!(then[0].len, len as u64);
            check_unchanged(&then, &[FileFingerprint::of(&p).unwrap()]).unwrap();
            if len == 0 {
                continue;
            }
            // A byte changed at the start, or in the last block, is seen.
            for at in [0, len - 1] {
                let mut changed = text.clone();
                changed[at] = b'#';
                std::fs::write(&p, &changed).unwrap();
                let e = check_unchanged(&then, &[FileFingerprint::of(&p).unwrap()])
                    .unwrap_err()
                    .to_string();
                assert!(
                    e.contains("c.txt") && e.contains("different content"),
                    "{e}"
                );
            }
            std::fs::write(&p, &text[..len - 1]).unwrap();
            let e = check_unchanged(&then, &[FileFingerprint::of(&p).unwrap()])
                .unwrap_err()
                .to_string();
            assert!(e.contains("bytes when the checkpoint was saved"), "{e}");
        }
        let e = check_unchanged(&[], &[FileFingerprint::of(&p).unwrap()]).unwrap_err();
        assert!(e.to_string().contains("0 file(s)"), "{e}");
    }
}
