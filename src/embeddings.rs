//! Trained vectors with their words: lookup, normalisation, nearest neighbours and analogies.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::linalg::{dot, normalize};

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
            normalize(row);
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

    /// Words closest to `word` by cosine.
    pub fn similar(&self, word: &str, n: usize) -> Result<Vec<Neighbour>> {
        similar(self, word, n)
    }

    /// "a is to b as c is to ?" by 3CosAdd (Mikolov et al.): the word nearest b − a + c, computed
    /// on unit vectors as word2vec and gensim do.
    pub fn analogy(&self, a: &str, b: &str, c: &str, n: usize) -> Result<Vec<Neighbour>> {
        analogy(self, a, b, c, n)
    }
}

/// Word vectors that answer cosine queries, one unit row at a time: the table in memory and the
/// memory-mapped file ([`crate::io::MappedVectors`]) alike, so both give the same answers.
pub trait UnitRows {
    /// Rows, in vocabulary (frequency) order.
    fn rows(&self) -> usize;
    fn dim(&self) -> usize;
    fn word(&self, row: usize) -> &str;
    /// The row of an exact word.
    fn find(&self, word: &str) -> Option<usize>;
    /// Row `row` scaled to unit length (a zero row stays zero), written into `out`; a row that
    /// cannot be read is an error naming where it is.
    fn unit_row(&self, row: usize, out: &mut [f32]) -> Result<()>;
}

impl UnitRows for Embeddings {
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
        self.id(word)
    }

    fn unit_row(&self, row: usize, out: &mut [f32]) -> Result<()> {
        out.copy_from_slice(self.row(row));
        normalize(out);
        Ok(())
    }
}

/// Words closest to `word` by cosine, best first.
pub fn similar(rows: &impl UnitRows, word: &str, n: usize) -> Result<Vec<Neighbour>> {
    let id = require(rows, word)?;
    let mut query = vec![0.0; rows.dim()];
    rows.unit_row(id, &mut query)?;
    nearest(rows, &query, n, &[id])
}

/// "a is to b as c is to ?" by 3CosAdd on unit vectors: the words nearest b − a + c, best first.
pub fn analogy(
    rows: &impl UnitRows,
    a: &str,
    b: &str,
    c: &str,
    n: usize,
) -> Result<Vec<Neighbour>> {
    let ids = [require(rows, a)?, require(rows, b)?, require(rows, c)?];
    let mut unit = vec![vec![0.0; rows.dim()]; 3];
    for (row, &id) in unit.iter_mut().zip(&ids) {
        rows.unit_row(id, row)?;
    }
    // Normalising the query changes no ranking; it makes the scores cosines.
    let mut query: Vec<f32> = (0..rows.dim())
        .map(|k| unit[1][k] - unit[0][k] + unit[2][k])
        .collect();
    normalize(&mut query);
    nearest(rows, &query, n, &ids)
}

fn require(rows: &impl UnitRows, word: &str) -> Result<usize> {
    rows.find(word)
        .ok_or_else(|| Error::UnknownWord(word.to_string()))
}

/// The `n` words nearest `query` (a unit vector) by cosine, leaving out `exclude`. Scores stream
/// into the top-n as rows are read: no per-row buffer on the heap.
fn nearest(
    rows: &impl UnitRows,
    query: &[f32],
    n: usize,
    exclude: &[usize],
) -> Result<Vec<Neighbour>> {
    let mut row = vec![0.0; rows.dim()];
    let mut failure = None;
    let scores = (0..rows.rows()).map_while(|i| match rows.unit_row(i, &mut row) {
        Ok(()) => Some((i, dot(&row, query))),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let best = best_scores(scores, n, exclude);
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(best
        .into_iter()
        .map(|(i, score)| Neighbour {
            word: rows.word(i).to_string(),
            score,
        })
        .collect())
}

/// The `n` highest `(row, score)` pairs, best first, leaving out the rows in `exclude`.
fn best_scores(
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
    fn duplicates_are_rejected() {
        let e = Embeddings::new(vec!["a".into(), "a".into()], 1, vec![1.0, 2.0]).unwrap_err();
        assert!(e.contains("twice"));
    }
}
