//! Benchmark files read once and checked, ready to score any vectors: what `eval` scores a file
//! with and what training scores its own vectors with along the way.

use std::path::{Path, PathBuf};

use super::{
    AnalogyQuestion, EvalReport, SimilarityPair, evaluate_analogies, evaluate_similarity,
    read_analogies, read_similarity,
};
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::subword_vectors::SubwordVectors;

/// Loaded analogy and similarity sets.
#[derive(Debug, Clone)]
pub struct Benchmarks {
    analogies: Option<(String, Vec<AnalogyQuestion>)>,
    similarity: Vec<(String, Vec<SimilarityPair>)>,
    restrict: usize,
}

fn name(p: &Path) -> String {
    p.display().to_string()
}

impl Benchmarks {
    /// Reads every file, so a malformed one fails before any work.
    pub fn load(analogies: Option<&Path>, similarity: &[PathBuf], restrict: usize) -> Result<Self> {
        let analogies = match analogies {
            Some(p) => Some((name(p), read_analogies(p)?)),
            None => None,
        };
        let similarity = similarity
            .iter()
            .map(|p| read_similarity(p).map(|pairs| (name(p), pairs)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Benchmarks {
            analogies,
            similarity,
            restrict,
        })
    }

    /// Sets built in memory (the embedded corpus's own questions).
    pub fn from_sets(
        analogies: Option<(String, Vec<AnalogyQuestion>)>,
        similarity: Vec<(String, Vec<SimilarityPair>)>,
        restrict: usize,
    ) -> Self {
        Benchmarks {
            analogies,
            similarity,
            restrict,
        }
    }

    /// The scores of a subword model with its unseen words in (`eval --oov subwords`): every
    /// benchmark word outside the vocabulary takes its n-grams' vector and joins the words
    /// searched, so a question or pair is skipped only where a word has no n-gram at all.
    pub fn evaluate_with_unseen(&self, vectors: &SubwordVectors) -> EvalReport {
        let words = vectors.words();
        let known = words.lowercase_index(words.len());
        let mut unseen: Vec<&str> = self
            .analogies
            .iter()
            .flat_map(|(_, questions)| questions.iter().flat_map(|q| q.words.iter()))
            .chain(
                self.similarity
                    .iter()
                    .flat_map(|(_, pairs)| pairs.iter().flat_map(|p| [&p.a, &p.b])),
            )
            .map(String::as_str)
            .filter(|w| !known.contains_key(*w))
            .collect();
        unseen.sort_unstable();
        unseen.dedup();
        let composed: Vec<(&str, Vec<f32>)> = unseen
            .into_iter()
            .filter_map(|w| vectors.unseen(w).map(|v| (w, v)))
            .collect();
        // The first `rows` vocabulary words, then the unseen words.
        let table = |rows: usize| {
            let rows = rows.min(words.len());
            let mut names = words.words()[..rows].to_vec();
            let mut data = words.data()[..rows * words.dim()].to_vec();
            for (word, vector) in &composed {
                names.push(word.to_string());
                data.extend_from_slice(vector);
            }
            Embeddings::new(names, words.dim(), data)
                .expect("the unseen words are not in the vocabulary")
        };
        let analogy = self.analogies.as_ref().map(|(file, q)| {
            let table = table(self.restrict);
            evaluate_analogies(&table, q, table.len(), file)
        });
        let all = table(words.len());
        EvalReport {
            analogy,
            similarity: self
                .similarity
                .iter()
                .map(|(file, pairs)| evaluate_similarity(&all, pairs, usize::MAX, file))
                .collect(),
        }
    }

    pub fn evaluate(&self, embeddings: &Embeddings) -> EvalReport {
        EvalReport {
            analogy: self
                .analogies
                .as_ref()
                .map(|(file, q)| evaluate_analogies(embeddings, q, self.restrict, file)),
            similarity: self
                .similarity
                .iter()
                .map(|(file, pairs)| evaluate_similarity(embeddings, pairs, usize::MAX, file))
                .collect(),
        }
    }
}
