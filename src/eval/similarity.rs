//! Word-similarity benchmarks (WordSim-353, SimLex-999): Spearman ρ between human scores and
//! cosines, over the pairs whose words are both known.

use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::files::numbered_lines;

/// A scored pair, lowercased.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarityPair {
    pub a: String,
    pub b: String,
    pub score: f64,
}

/// One similarity file's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SimilarityReport {
    pub file: String,
    /// Pairs evaluated.
    pub pairs: usize,
    /// Pairs left out because a word is unknown.
    pub skipped: usize,
    pub spearman: f64,
}

impl std::fmt::Display for SimilarityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "similarity: {}  Spearman ρ {:.4}  ({} pairs, {} skipped)",
            self.file, self.spearman, self.pairs, self.skipped
        )
    }
}

/// Reads `word1<TAB>word2<TAB>score` lines; `#` lines are comments. Columns may also be separated
/// by spaces.
pub fn read_similarity(path: &Path) -> Result<Vec<SimilarityPair>> {
    let mut pairs = Vec::new();
    for line in numbered_lines(path)? {
        let (n, line) = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        let [a, b, score] = fields.as_slice() else {
            return Err(Error::parse(
                path,
                n,
                "expected `word1<TAB>word2<TAB>score`",
            ));
        };
        let score: f64 = score
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite())
            .ok_or_else(|| Error::parse(path, n, format!("score '{score}' is not a number")))?;
        pairs.push(SimilarityPair {
            a: a.to_lowercase(),
            b: b.to_lowercase(),
            score,
        });
    }
    if pairs.is_empty() {
        return Err(Error::invalid(path, "no word pairs in the file"));
    }
    Ok(pairs)
}

/// Spearman ρ over the pairs whose words are among the first `restrict` rows (case-insensitive).
pub fn evaluate_similarity(
    embeddings: &Embeddings,
    pairs: &[SimilarityPair],
    restrict: usize,
    file: &str,
) -> SimilarityReport {
    let unit = embeddings.normalized();
    let restrict = restrict.min(unit.len());
    let ok = unit.lowercase_index(restrict);
    let (mut gold, mut model) = (Vec::new(), Vec::new());
    for p in pairs {
        if let (Some(&a), Some(&b)) = (ok.get(&p.a), ok.get(&p.b)) {
            gold.push(p.score);
            model.push(unit.cosine(a, b) as f64);
        }
    }
    SimilarityReport {
        file: file.to_string(),
        pairs: gold.len(),
        skipped: pairs.len() - gold.len(),
        spearman: spearman(&gold, &model),
    }
}

/// Spearman's ρ with average ranks for ties (as scipy's `spearmanr`); NaN below two points.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    pearson(&ranks(x), &ranks(y))
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_matches_known_values() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.948_683_298_050_513_8).abs() < 1e-12, "{r}");
    }

    #[test]
    fn parses_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ws.tsv");
        std::fs::write(&p, "# header\nTiger\tcat\t7.35\n").unwrap();
        let pairs = read_similarity(&p).unwrap();
        assert_eq!(pairs[0].a, "tiger");
        std::fs::write(&p, "# header\ntiger\tcat\tseven\n").unwrap();
        let e = read_similarity(&p).unwrap_err().to_string();
        assert!(e.contains("ws.tsv:2") && e.contains("seven"), "{e}");
        std::fs::write(&p, "tiger cat\n").unwrap();
        assert!(
            read_similarity(&p)
                .unwrap_err()
                .to_string()
                .contains("ws.tsv:1")
        );
    }
}
