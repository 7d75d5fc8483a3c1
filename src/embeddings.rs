//! Trained vectors with their words: lookup, normalisation, nearest neighbours and analogies.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// A word-vector table, rows in vocabulary (frequency) order.
#[derive(Debug, Clone)]
pub struct Embeddings {
    words: Vec<String>,
    dim: usize,
    data: Vec<f32>,
    index: FxHashMap<String, usize>,
}

/// A neighbour found by a query, with its cosine (or 3CosMul) score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Neighbour {
    pub word: String,
    pub score: f32,
}

impl Embeddings {
    /// Builds the table; fails on a shape mismatch or a duplicated word.
    pub fn new(words: Vec<String>, dim: usize, data: Vec<f32>) -> Result<Self, String> {
        if data.len() != words.len() * dim {
            return Err(format!(
                "{} words of dimension {dim} need {} values, got {}",
                words.len(),
                words.len() * dim,
                data.len()
            ));
        }
        let mut index = FxHashMap::default();
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i).is_some() {
                return Err(format!("word '{w}' appears twice (row {})", i + 1));
            }
        }
        Ok(Embeddings {
            words,
            dim,
            data,
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

    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn data(&self) -> &[f32] {
        &self.data
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Lowercased word → row among the first `restrict` rows; on a case collision the more
    /// frequent (earlier) spelling wins, as in gensim's case-insensitive evaluations.
    pub fn lowercase_index(&self, restrict: usize) -> FxHashMap<String, usize> {
        let mut index = FxHashMap::default();
        for (i, w) in self.words[..restrict.min(self.len())]
            .iter()
            .enumerate()
            .rev()
        {
            index.insert(w.to_lowercase(), i);
        }
        index
    }

    /// Row of an exact word.
    pub fn id(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// Row of a word that must exist, as a query needs.
    pub fn require(&self, word: &str) -> Result<usize> {
        self.id(word)
            .ok_or_else(|| Error::UnknownWord(word.to_string()))
    }

    /// The same table with every row scaled to unit length (zero rows stay zero), as cosine
    /// queries need.
    pub fn normalized(&self) -> Embeddings {
        let mut data = self.data.clone();
        for row in data.chunks_exact_mut(self.dim) {
            let norm = dot(row, row).sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        Embeddings {
            words: self.words.clone(),
            dim: self.dim,
            data,
            index: self.index.clone(),
        }
    }

    /// Cosine of two rows of a normalised table.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        dot(self.row(a), self.row(b))
    }

    /// The `n` rows among the first `restrict` with the highest dot product with `query`,
    /// leaving out `exclude`. On a normalised table with a unit query this is cosine similarity.
    pub fn nearest(
        &self,
        query: &[f32],
        n: usize,
        restrict: usize,
        exclude: &[usize],
    ) -> Vec<Neighbour> {
        let scores = (0..self.len().min(restrict)).map(|i| (i, dot(self.row(i), query)));
        self.top(scores, n, exclude)
    }

    /// Words closest to `word` by cosine.
    pub fn similar(&self, word: &str, n: usize) -> Result<Vec<Neighbour>> {
        let unit = self.normalized();
        let id = unit.require(word)?;
        Ok(unit.nearest(unit.row(id), n, unit.len(), &[id]))
    }

    /// "a is to b as c is to ?" by 3CosAdd (Mikolov et al.): the word nearest b − a + c, computed
    /// on unit vectors as word2vec and gensim do.
    pub fn analogy(&self, a: &str, b: &str, c: &str, n: usize) -> Result<Vec<Neighbour>> {
        let unit = self.normalized();
        let ids = [unit.require(a)?, unit.require(b)?, unit.require(c)?];
        let query = unit.cos_add_query(ids[0], ids[1], ids[2]);
        Ok(unit.nearest(&query, n, unit.len(), &ids))
    }

    /// The 3CosAdd query vector b − a + c, normalised (which changes no ranking).
    pub(crate) fn cos_add_query(&self, a: usize, b: usize, c: usize) -> Vec<f32> {
        let mut q: Vec<f32> = (0..self.dim)
            .map(|k| self.row(b)[k] - self.row(a)[k] + self.row(c)[k])
            .collect();
        let norm = dot(&q, &q).sqrt();
        if norm > 0.0 {
            q.iter_mut().for_each(|v| *v /= norm);
        }
        q
    }

    fn top(
        &self,
        scores: impl Iterator<Item = (usize, f32)>,
        n: usize,
        exclude: &[usize],
    ) -> Vec<Neighbour> {
        best_scores(scores, n, exclude)
            .into_iter()
            .map(|(i, score)| Neighbour {
                word: self.words[i].clone(),
                score,
            })
            .collect()
    }
}

/// The `n` highest `(row, score)` pairs, best first, leaving out the rows in `exclude`.
pub(crate) fn best_scores(
    scores: impl Iterator<Item = (usize, f32)>,
    n: usize,
    exclude: &[usize],
) -> Vec<(usize, f32)> {
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(n + 1);
    if n == 0 {
        return best;
    }
    for (i, s) in scores {
        if exclude.contains(&i) || (best.len() == n && s <= best[n - 1].1) {
            continue;
        }
        let at = best.partition_point(|&(_, b)| b >= s);
        best.insert(at, (i, s));
        best.truncate(n);
    }
    best
}

/// Σ aᵢbᵢ with sixteen independent partial sums, so the compiler keeps two vector accumulators
/// (and vectorises it for whatever target the caller is compiled for, the fused CPU kernel's
/// AVX2 copy included: hence `inline(always)`).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..16 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Embeddings {
        let words = ["man", "woman", "king", "queen", "apple"];
        let data = vec![
            1.0, 0.0, 0.0, //
            1.0, 1.0, 0.0, //
            1.0, 0.0, 1.0, //
            1.0, 1.0, 1.0, //
            -1.0, 0.2, -0.3,
        ];
        Embeddings::new(words.iter().map(|s| s.to_string()).collect(), 3, data).unwrap()
    }

    #[test]
    fn analogy_finds_the_fourth_word() {
        let best = table().analogy("man", "woman", "king", 1).unwrap();
        assert_eq!(best[0].word, "queen");
        let e = table().analogy("man", "woman", "prince", 1).unwrap_err();
        assert!(e.to_string().contains("prince"));
    }

    #[test]
    fn similar_excludes_the_word_and_orders_by_cosine() {
        let t = table();
        let s = t.similar("king", 4).unwrap();
        assert_eq!(s.len(), 4);
        assert!(s.iter().all(|n| n.word != "king"));
        assert!(s.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(s[3].word, "apple");
    }

    #[test]
    fn dot_matches_naive_sum() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5 - 3.0).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32).sin()).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-4);
    }

    #[test]
    fn duplicates_are_rejected() {
        let e = Embeddings::new(vec!["a".into(), "a".into()], 1, vec![1.0, 2.0]).unwrap_err();
        assert!(e.contains("twice"));
    }
}
