//! A subword model's vectors for queries: each vocabulary word's composed vector, and the n-gram
//! buckets' rows, so a word outside the vocabulary still gets one (the mean of its n-grams' rows,
//! as `fasttext print-word-vectors` gives it).

use std::path::Path;

use crate::embeddings::{Embeddings, VectorRows};
use crate::error::Result;
use crate::io::{FastTextModel, read_fasttext};
use crate::model::{Subwords, mean_of_rows};

pub struct SubwordVectors {
    words: Embeddings,
    /// [bucket, dim].
    ngrams: Vec<f32>,
    subwords: Subwords,
}

impl SubwordVectors {
    /// A fastText `.bin` model, ours or fastText's.
    pub fn read(path: &Path) -> Result<Self> {
        Ok(Self::from_fasttext(read_fasttext(path)?))
    }

    /// The vocabulary's vectors `words` and the n-gram buckets' rows `ngrams` ([bucket, dim]).
    pub fn new(words: Embeddings, ngrams: Vec<f32>, subwords: Subwords) -> Self {
        assert_eq!(ngrams.len(), subwords.bucket * words.dim());
        SubwordVectors {
            words,
            ngrams,
            subwords,
        }
    }

    pub fn from_fasttext(model: FastTextModel<'_>) -> Self {
        let words = model.word_vectors();
        // The buckets' rows are the input's tail: moved down in place, not copied.
        let mut ngrams = model.input.into_owned();
        ngrams.drain(..words.len() * words.dim());
        SubwordVectors {
            words,
            ngrams,
            subwords: model.args.subwords,
        }
    }

    /// The vocabulary words' vectors.
    pub fn words(&self) -> &Embeddings {
        &self.words
    }

    /// The vector of a word outside the vocabulary: the mean of its n-grams' rows; `None` when
    /// it has none (no n-grams of the model's lengths, or a model without subwords).
    pub fn unseen(&self, word: &str) -> Option<Vec<f32>> {
        let mut out = vec![0.0; self.words.dim()];
        self.unseen_into(word, &mut out).then_some(out)
    }
}

impl VectorRows for SubwordVectors {
    fn rows(&self) -> usize {
        self.words.len()
    }

    fn dim(&self) -> usize {
        self.words.dim()
    }

    fn word(&self, row: usize) -> &str {
        &self.words.words()[row]
    }

    fn find(&self, word: &str) -> Option<usize> {
        self.words.id(word)
    }

    fn row_into(&self, row: usize, out: &mut [f32]) -> Result<()> {
        self.words.row_into(row, out)
    }

    fn unseen_into(&self, word: &str, out: &mut [f32]) -> bool {
        let rows = self.subwords.unseen_rows(word, 0);
        mean_of_rows(&self.ngrams, self.words.dim(), &rows, out);
        !rows.is_empty()
    }
}
