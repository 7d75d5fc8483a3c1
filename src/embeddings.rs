//! Trained vectors with their words: lookup, normalisation, nearest neighbours and analogies.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::linalg::{axpy, dot, normalize};

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

/// Word vectors that answer queries one row at a time: the table in memory and the
/// memory-mapped file ([`crate::io::MappedVectors`]) alike, so both give the same answers.
pub trait VectorRows {
    /// Rows, in vocabulary (frequency) order.
    fn rows(&self) -> usize;
    fn dim(&self) -> usize;
    fn word(&self, row: usize) -> &str;
    /// The row of an exact word.
    fn find(&self, word: &str) -> Option<usize>;
    /// Row `row`'s values, written into `out`; a row that cannot be read is an error naming
    /// where it is.
    fn row_into(&self, row: usize, out: &mut [f32]) -> Result<()>;

    /// The vector of a word the rows do not hold, written to `out`, where the vectors can make
    /// one (a subword model's, from the word's character n-grams); false where they cannot.
    fn unseen_into(&self, _word: &str, _out: &mut [f32]) -> bool {
        false
    }

    /// Row `row` scaled to unit length (a zero row stays zero).
    fn unit_row(&self, row: usize, out: &mut [f32]) -> Result<()> {
        self.row_into(row, out)?;
        normalize(out);
        Ok(())
    }
}

impl VectorRows for Embeddings {
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

    fn row_into(&self, row: usize, out: &mut [f32]) -> Result<()> {
        out.copy_from_slice(self.row(row));
        Ok(())
    }
}

/// Words closest to `word` by cosine, best first.
pub fn similar(rows: &impl VectorRows, word: &str, n: usize) -> Result<Vec<Neighbour>> {
    most_similar(rows, &[word], &[], n, None)
}

/// "a is to b as c is to ?" by 3CosAdd on unit vectors: the words nearest b − a + c, best first.
pub fn analogy(
    rows: &impl VectorRows,
    a: &str,
    b: &str,
    c: &str,
    n: usize,
) -> Result<Vec<Neighbour>> {
    most_similar(rows, &[b, c], &[a], n, None)
}

/// gensim's `most_similar`: the `n` words nearest the sum of the `positive` words' unit vectors
/// minus the `negative` ones' (normalised, so scores are cosines), among the first `restrict`
/// rows (all without), the query words left out; best first.
pub fn most_similar(
    rows: &impl VectorRows,
    positive: &[&str],
    negative: &[&str],
    n: usize,
    restrict: Option<usize>,
) -> Result<Vec<Neighbour>> {
    if positive.is_empty() && negative.is_empty() {
        return Err(Error::Config(
            "a similarity query needs at least one word".into(),
        ));
    }
    let mut query = vec![0.0; rows.dim()];
    let mut unit = vec![0.0; rows.dim()];
    let mut ids = Vec::with_capacity(positive.len() + negative.len());
    for (words, sign) in [(positive, 1.0), (negative, -1.0)] {
        for word in words {
            ids.extend(unit_of(rows, word, &mut unit)?);
            axpy(sign, &unit, &mut query);
        }
    }
    normalize(&mut query);
    nearest(rows, &query, n, &ids, restrict.unwrap_or(usize::MAX))
}

/// Cosine similarity of two words.
pub fn similarity(rows: &impl VectorRows, a: &str, b: &str) -> Result<f32> {
    let mut unit = [vec![0.0; rows.dim()], vec![0.0; rows.dim()]];
    for (word, out) in [a, b].into_iter().zip(&mut unit) {
        unit_of(rows, word, out)?;
    }
    Ok(dot(&unit[0], &unit[1]))
}

/// gensim's `doesnt_match`: of `words`, the one farthest (by cosine) from their mean direction.
pub fn doesnt_match<'w>(rows: &impl VectorRows, words: &[&'w str]) -> Result<&'w str> {
    if words.len() < 2 {
        return Err(Error::Config(
            "doesnt-match needs at least two words to choose among".into(),
        ));
    }
    let mut units = vec![vec![0.0; rows.dim()]; words.len()];
    let mut mean = vec![0.0; rows.dim()];
    for (word, unit) in words.iter().zip(&mut units) {
        unit_of(rows, word, unit)?;
        axpy(1.0, unit, &mut mean);
    }
    normalize(&mut mean);
    let (odd, _) = words
        .iter()
        .zip(&units)
        .map(|(w, u)| (*w, dot(u, &mean)))
        .fold((words[0], f32::INFINITY), |best, c| {
            if c.1 < best.1 { c } else { best }
        });
    Ok(odd)
}

/// A word's vector as stored (an unseen word's from its n-grams, where the vectors can).
pub fn vector(rows: &impl VectorRows, word: &str) -> Result<Vec<f32>> {
    let mut out = vec![0.0; rows.dim()];
    match rows.find(word) {
        Some(row) => rows.row_into(row, &mut out)?,
        None if rows.unseen_into(word, &mut out) => {}
        None => return Err(Error::UnknownWord(word.to_string())),
    }
    Ok(out)
}

/// `word`'s unit vector, written to `out`, and its row where the rows hold it (`None`: an unseen
/// word's vector, made from its n-grams).
fn unit_of(rows: &impl VectorRows, word: &str, out: &mut [f32]) -> Result<Option<usize>> {
    match rows.find(word) {
        Some(row) => rows.unit_row(row, out).map(|()| Some(row)),
        None if rows.unseen_into(word, out) => {
            normalize(out);
            Ok(None)
        }
        None => Err(Error::UnknownWord(word.to_string())),
    }
}

/// The `n` words nearest `query` (a unit vector) by cosine among the first `restrict` rows,
/// leaving out `exclude`. Scores stream into the top-n as rows are read: no per-row buffer on
/// the heap.
fn nearest(
    rows: &impl VectorRows,
    query: &[f32],
    n: usize,
    exclude: &[usize],
    restrict: usize,
) -> Result<Vec<Neighbour>> {
    let mut row = vec![0.0; rows.dim()];
    let mut failure = None;
    let scores = (0..rows.rows().min(restrict)).map_while(|i| match rows.unit_row(i, &mut row) {
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
