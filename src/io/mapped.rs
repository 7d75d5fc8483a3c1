//! Queries straight from a memory-mapped word2vec binary file: the vectors stay in the page
//! cache instead of the heap, so a file of millions of words answers `similar` and `analogy`
//! with memory for its word index only, and opens in the time it takes to find the rows.

use std::path::{Path, PathBuf};

use memmap2::Mmap;
use rustc_hash::FxHashMap;

use super::word2vec::read_header;
use crate::embeddings::{Neighbour, VectorRows, analogy, similar};
use crate::error::{Error, Result};

/// A word2vec binary file, mapped; rows are read (and checked) as queries scan them.
pub struct MappedVectors {
    path: PathBuf,
    map: Mmap,
    dim: usize,
    /// Byte offset of each row's values.
    offsets: Vec<usize>,
    words: Vec<Box<str>>,
    index: FxHashMap<Box<str>, usize>,
}

impl MappedVectors {
    /// Maps `path` and finds its rows; the values themselves are not read yet.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read only; a file changed underneath while mapped gives wrong
        // numbers (or SIGBUS if truncated), as with any reader of a file being rewritten.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        let mut rest: &[u8] = &map;
        let (rows, dim) = read_header(path, &mut rest)?;
        let mut at = map.len() - rest.len();
        let row_bytes = dim * 4;
        let mut offsets = Vec::with_capacity(rows.min(1 << 20));
        let mut words = Vec::with_capacity(rows.min(1 << 20));
        let mut index = FxHashMap::default();
        for row in 0..rows {
            while map.get(at) == Some(&b'\n') {
                at += 1;
            }
            let truncated = || {
                Error::invalid(
                    path,
                    format!(
                        "truncated: the header announces {rows} rows but row {} is cut short",
                        row + 1
                    ),
                )
            };
            let space = map[at..]
                .iter()
                .position(|&b| b == b' ')
                .ok_or_else(truncated)?;
            let word = std::str::from_utf8(&map[at..at + space]).map_err(|_| {
                Error::invalid(
                    path,
                    format!("row {} (byte {at}): the word is not valid UTF-8", row + 1),
                )
            })?;
            if word.is_empty() {
                return Err(Error::invalid(
                    path,
                    format!("row {} (byte {at}): empty word", row + 1),
                ));
            }
            let start = at + space + 1;
            if map.len() < start + row_bytes {
                return Err(truncated());
            }
            if index.insert(word.into(), row).is_some() {
                return Err(Error::invalid(
                    path,
                    format!("row {} (byte {at}): word '{word}' appears twice", row + 1),
                ));
            }
            words.push(word.into());
            offsets.push(start);
            at = start + row_bytes;
        }
        Ok(MappedVectors {
            path: path.to_path_buf(),
            map,
            dim,
            offsets,
            words,
            index,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Words closest to `word` by cosine (as [`crate::embeddings::Embeddings::similar`]).
    pub fn similar(&self, word: &str, n: usize) -> Result<Vec<Neighbour>> {
        similar(self, word, n)
    }

    /// "a is to b as c is to ?" by 3CosAdd on unit vectors (as
    /// [`crate::embeddings::Embeddings::analogy`]).
    pub fn analogy(&self, a: &str, b: &str, c: &str, n: usize) -> Result<Vec<Neighbour>> {
        analogy(self, a, b, c, n)
    }
}

impl VectorRows for MappedVectors {
    fn rows(&self) -> usize {
        self.len()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn word(&self, row: usize) -> &str {
        &self.words[row]
    }

    fn find(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// Row `i` decoded into `out`; non-finite values are an error.
    fn row_into(&self, i: usize, out: &mut [f32]) -> Result<()> {
        let bytes = &self.map[self.offsets[i]..self.offsets[i] + self.dim * 4];
        for (v, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            *v = f32::from_le_bytes(b.try_into().expect("4 bytes"));
        }
        if out.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                &self.path,
                format!(
                    "row {} ('{}', byte {}) holds a non-finite value",
                    i + 1,
                    self.words[i],
                    self.offsets[i]
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::Embeddings;
    use crate::io::{VectorFormat, write_vectors};

    fn sample() -> Embeddings {
        let words: Vec<String> = (0..50).map(|i| format!("w{i}")).collect();
        let data: Vec<f32> = (0..50 * 8)
            .map(|i| ((i * 7919 % 101) as f32 - 50.0) / 17.0)
            .collect();
        Embeddings::new(words, 8, data).unwrap()
    }

    #[test]
    fn answers_as_the_loaded_vectors_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        let e = sample();
        write_vectors(&path, &e, VectorFormat::Binary).unwrap();
        let m = MappedVectors::open(&path).unwrap();
        assert_eq!((m.len(), m.dim()), (50, 8));
        let close = |a: &[Neighbour], b: &[Neighbour]| {
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x.word, y.word);
                assert!((x.score - y.score).abs() < 1e-5);
            }
        };
        close(&m.similar("w3", 5).unwrap(), &e.similar("w3", 5).unwrap());
        close(
            &m.analogy("w1", "w2", "w3", 4).unwrap(),
            &e.analogy("w1", "w2", "w3", 4).unwrap(),
        );
        assert!(matches!(m.similar("nope", 3), Err(Error::UnknownWord(_))));
    }

    #[test]
    fn a_cut_file_is_named_as_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        write_vectors(&path, &sample(), VectorFormat::Binary).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let e = MappedVectors::open(&path).err().unwrap().to_string();
        assert!(
            e.contains("v.bin") && e.contains("truncated") && e.contains("row 50"),
            "{e}"
        );
    }
}
