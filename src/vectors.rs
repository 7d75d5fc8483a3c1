//! Vectors to query, however they are kept: a table in memory, a word2vec binary file mapped
//! into memory (millions of words open at once), or a subword model, which also answers for
//! words it never saw. The command line's queries, `serve` and the Python package all open
//! their files here.

use std::path::Path;

use crate::embeddings::{Embeddings, VectorRows};
use crate::error::{Error, Result};
use crate::io::{MappedVectors, VectorFormat, is_fasttext, read_vectors};
use crate::subword_vectors::SubwordVectors;
use crate::train::Trained;

/// Vectors in memory, mapped, or a subword model's.
pub enum Vectors {
    Memory(Embeddings),
    Mapped(MappedVectors),
    Subwords(SubwordVectors),
}

impl Vectors {
    /// Opens a vectors file: a fastText `.bin` model as subword vectors, anything else in
    /// `format` (detected from the content when `None`), loaded, or mapped when `mmap` (which
    /// takes word2vec binary files only).
    pub fn open(path: &Path, format: Option<VectorFormat>, mmap: bool) -> Result<Vectors> {
        if format.is_none() && is_fasttext(path)? {
            if mmap {
                return Err(Error::invalid(
                    path,
                    "memory-mapping reads word2vec binary files, and this is a fastText model: open it without mapping",
                ));
            }
            return Ok(Vectors::Subwords(SubwordVectors::read(path)?));
        }
        if !mmap {
            return Ok(Vectors::Memory(read_vectors(path, format)?));
        }
        let format = match format {
            Some(f) => f,
            None => VectorFormat::sniff(path)?,
        };
        if format != VectorFormat::Binary {
            return Err(Error::invalid(
                path,
                "memory-mapping reads word2vec binary files; convert this one with `wordvec export --format word2vec-binary`",
            ));
        }
        Ok(Vectors::Mapped(MappedVectors::open(path)?))
    }

    /// A finished run's vectors: a subword model's with its n-gram rows.
    pub fn trained(embeddings: Embeddings, trained: &Trained) -> Vectors {
        match trained.model.ngram_rows() {
            Some((rows, subwords)) => {
                Vectors::Subwords(SubwordVectors::new(embeddings, rows, subwords))
            }
            None => Vectors::Memory(embeddings),
        }
    }

    /// The vocabulary's rows as a table, where they are in memory (not for a mapped file).
    pub fn table(&self) -> Option<&Embeddings> {
        match self {
            Vectors::Memory(e) => Some(e),
            Vectors::Subwords(s) => Some(s.words()),
            Vectors::Mapped(_) => None,
        }
    }

    /// Whether unseen words get vectors (from their n-grams).
    pub fn has_subwords(&self) -> bool {
        matches!(self, Vectors::Subwords(_))
    }
}

impl VectorRows for Vectors {
    fn rows(&self) -> usize {
        match self {
            Vectors::Memory(v) => VectorRows::rows(v),
            Vectors::Mapped(v) => VectorRows::rows(v),
            Vectors::Subwords(v) => VectorRows::rows(v),
        }
    }

    fn dim(&self) -> usize {
        match self {
            Vectors::Memory(v) => VectorRows::dim(v),
            Vectors::Mapped(v) => VectorRows::dim(v),
            Vectors::Subwords(v) => VectorRows::dim(v),
        }
    }

    fn word(&self, row: usize) -> &str {
        match self {
            Vectors::Memory(v) => VectorRows::word(v, row),
            Vectors::Mapped(v) => VectorRows::word(v, row),
            Vectors::Subwords(v) => VectorRows::word(v, row),
        }
    }

    fn find(&self, word: &str) -> Option<usize> {
        match self {
            Vectors::Memory(v) => VectorRows::find(v, word),
            Vectors::Mapped(v) => VectorRows::find(v, word),
            Vectors::Subwords(v) => VectorRows::find(v, word),
        }
    }

    fn row_into(&self, row: usize, out: &mut [f32]) -> Result<()> {
        match self {
            Vectors::Memory(v) => v.row_into(row, out),
            Vectors::Mapped(v) => v.row_into(row, out),
            Vectors::Subwords(v) => v.row_into(row, out),
        }
    }

    fn unseen_into(&self, word: &str, out: &mut [f32]) -> bool {
        match self {
            Vectors::Subwords(v) => v.unseen_into(word, out),
            Vectors::Memory(_) | Vectors::Mapped(_) => false,
        }
    }
}
