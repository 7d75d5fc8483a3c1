//! Benchmark files read once and checked, ready to score any vectors: what `eval` scores a file
//! with and what training scores its own vectors with along the way.

use std::path::{Path, PathBuf};

use super::{
    AnalogyQuestion, EvalReport, SimilarityPair, evaluate_analogies, evaluate_similarity,
    read_analogies, read_similarity,
};
use crate::embeddings::Embeddings;
use crate::error::Result;

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
