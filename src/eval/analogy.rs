//! Analogy questions ("a is to b as c is to d"), answered by 3CosAdd and 3CosMul among the most
//! frequent words, as word2vec's compute-accuracy and gensim's `evaluate_word_analogies` do.

use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::files::numbered_lines;
use crate::linalg::dot;

/// One question, lowercased.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalogyQuestion {
    pub section: String,
    pub words: [String; 4],
}

/// Accuracy within one section of the question file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnalogySection {
    pub name: String,
    pub questions: usize,
    pub accuracy_3cosadd: f64,
    pub accuracy_3cosmul: f64,
}

/// The whole analogy evaluation; accuracies are fractions of the questions answered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnalogyReport {
    pub file: String,
    /// Questions evaluated (all four words among the searched words).
    pub questions: usize,
    /// Questions left out because a word is outside the searched words.
    pub skipped: usize,
    pub accuracy_3cosadd: f64,
    pub accuracy_3cosmul: f64,
    pub semantic_3cosadd: f64,
    pub syntactic_3cosadd: f64,
    pub sections: Vec<AnalogySection>,
}

impl std::fmt::Display for AnalogyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "analogy: {}", self.file)?;
        for s in &self.sections {
            writeln!(
                f,
                "  {:<32} {:>6} questions  3CosAdd {:>6.2}%  3CosMul {:>6.2}%",
                s.name,
                s.questions,
                100.0 * s.accuracy_3cosadd,
                100.0 * s.accuracy_3cosmul
            )?;
        }
        writeln!(
            f,
            "  semantic {:.2}%  syntactic {:.2}%  total 3CosAdd {:.2}%  3CosMul {:.2}%  ({} questions, {} skipped)",
            100.0 * self.semantic_3cosadd,
            100.0 * self.syntactic_3cosadd,
            100.0 * self.accuracy_3cosadd,
            100.0 * self.accuracy_3cosmul,
            self.questions,
            self.skipped
        )
    }
}

/// Reads a question file in the Google format: `: section` headers, then four words a line.
pub fn read_analogies(path: &Path) -> Result<Vec<AnalogyQuestion>> {
    let mut section: Option<String> = None;
    let mut questions = Vec::new();
    for line in numbered_lines(path)? {
        let (n, line) = line?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix(':') {
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::parse(path, n, "section header without a name"));
            }
            section = Some(name.to_string());
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
        let Ok(words) = <[String; 4]>::try_from(words) else {
            return Err(Error::parse(
                path,
                n,
                "expected four words `a b c d` (a is to b as c is to d)",
            ));
        };
        let Some(section) = section.clone() else {
            return Err(Error::parse(
                path,
                n,
                "question before the first `: section` line",
            ));
        };
        questions.push(AnalogyQuestion { section, words });
    }
    if questions.is_empty() {
        return Err(Error::invalid(path, "no analogy questions in the file"));
    }
    Ok(questions)
}

/// Answers every question among the `restrict` most frequent words (rows in file order),
/// excluding the three question words; questions with a word outside them are skipped.
pub fn evaluate_analogies(
    embeddings: &Embeddings,
    questions: &[AnalogyQuestion],
    restrict: usize,
    file: &str,
) -> AnalogyReport {
    let unit = embeddings.normalized();
    let restrict = restrict.min(unit.len());
    let ok = unit.lowercase_index(restrict);
    let lowered: Vec<String> = unit.words()[..restrict]
        .iter()
        .map(|w| w.to_lowercase())
        .collect();
    let answerable: Vec<(&AnalogyQuestion, [usize; 4])> = questions
        .iter()
        .filter_map(|q| {
            let ids =
                [&q.words[0], &q.words[1], &q.words[2], &q.words[3]].map(|w| ok.get(w).copied());
            match ids {
                [Some(a), Some(b), Some(c), Some(d)] => Some((q, [a, b, c, d])),
                _ => None,
            }
        })
        .collect();
    let sims = cosine_rows(
        &unit,
        restrict,
        answerable
            .iter()
            .flat_map(|(_, ids)| ids[..3].iter().copied()),
    );

    let mut per_section: Vec<(String, usize, usize, usize)> = Vec::new();
    for (q, [a, b, c, d]) in &answerable {
        let (sa, sb, sc) = (&sims[a], &sims[b], &sims[c]);
        let ignore = [&q.words[0], &q.words[1], &q.words[2]];
        let allowed = |i: usize| i != *a && i != *b && i != *c && !ignore.contains(&&lowered[i]);
        let mut best_add = (usize::MAX, f32::NEG_INFINITY);
        let mut best_mul = (usize::MAX, f32::NEG_INFINITY);
        for i in 0..restrict {
            let add = sb[i] - sa[i] + sc[i];
            let mul = ((1.0 + sb[i]) / 2.0) * ((1.0 + sc[i]) / 2.0) / ((1.0 + sa[i]) / 2.0 + 1e-6);
            if add > best_add.1 && allowed(i) {
                best_add = (i, add);
            }
            if mul > best_mul.1 && allowed(i) {
                best_mul = (i, mul);
            }
        }
        let hit = |best: usize| best != usize::MAX && lowered[best] == lowered[*d];
        if per_section.last().is_none_or(|s| s.0 != q.section) {
            per_section.push((q.section.clone(), 0, 0, 0));
        }
        let s = per_section.last_mut().expect("pushed above");
        s.1 += 1;
        s.2 += hit(best_add.0) as usize;
        s.3 += hit(best_mul.0) as usize;
    }
    // Sections may repeat in a file; merge them by name, keeping first-seen order.
    let mut merged: Vec<(String, usize, usize, usize)> = Vec::new();
    for s in per_section {
        match merged.iter_mut().find(|m| m.0 == s.0) {
            Some(m) => {
                m.1 += s.1;
                m.2 += s.2;
                m.3 += s.3;
            }
            None => merged.push(s),
        }
    }
    let frac = |hits: usize, n: usize| if n == 0 { 0.0 } else { hits as f64 / n as f64 };
    let sum = |pred: &dyn Fn(&str) -> bool, k: usize| -> (usize, usize) {
        merged
            .iter()
            .filter(|s| pred(&s.0))
            .fold((0, 0), |(h, n), s| (h + [s.1, s.2, s.3][k], n + s.1))
    };
    let syntactic = |name: &str| name.starts_with("gram");
    let (add_hits, total) = sum(&|_| true, 1);
    let (mul_hits, _) = sum(&|_| true, 2);
    let (sem_hits, sem_n) = sum(&|n| !syntactic(n), 1);
    let (syn_hits, syn_n) = sum(&syntactic, 1);
    AnalogyReport {
        file: file.to_string(),
        questions: total,
        skipped: questions.len() - answerable.len(),
        accuracy_3cosadd: frac(add_hits, total),
        accuracy_3cosmul: frac(mul_hits, total),
        semantic_3cosadd: frac(sem_hits, sem_n),
        syntactic_3cosadd: frac(syn_hits, syn_n),
        sections: merged
            .into_iter()
            .map(|(name, n, add, mul)| AnalogySection {
                name,
                questions: n,
                accuracy_3cosadd: frac(add, n),
                accuracy_3cosmul: frac(mul, n),
            })
            .collect(),
    }
}

/// Cosines of each distinct question word with the first `restrict` rows, computed once per word
/// (a few hundred words answer thousands of questions), on all cores.
fn cosine_rows(
    unit: &Embeddings,
    restrict: usize,
    ids: impl Iterator<Item = usize>,
) -> FxHashMap<usize, Vec<f32>> {
    let distinct: Vec<usize> = ids.collect::<FxHashSet<_>>().into_iter().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = distinct.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = distinct
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&w| {
                            let q = unit.row(w);
                            (w, (0..restrict).map(|i| dot(unit.row(i), q)).collect())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("cosine worker panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_and_rejects_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("q.txt");
        std::fs::write(
            &p,
            ": capital\nAthens Greece Paris France\n: gram1\na b c d\n",
        )
        .unwrap();
        let q = read_analogies(&p).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].words[0], "athens");
        assert_eq!(q[1].section, "gram1");
        std::fs::write(&p, ": s\na b c\n").unwrap();
        let e = read_analogies(&p).unwrap_err().to_string();
        assert!(e.contains("q.txt:2") && e.contains("four words"), "{e}");
        std::fs::write(&p, "a b c d\n").unwrap();
        assert!(
            read_analogies(&p)
                .unwrap_err()
                .to_string()
                .contains("q.txt:1")
        );
    }

    #[test]
    fn scores_sections_and_skips_unknown_words() {
        let words = ["man", "woman", "king", "queen", "boy", "girl", "apple"];
        let data = vec![
            1.0, 0.0, 0.0, 0.1, //
            1.0, 1.0, 0.0, 0.1, //
            1.0, 0.0, 1.0, 0.0, //
            1.0, 1.0, 1.0, 0.0, //
            1.0, 0.0, 0.0, 1.0, //
            1.0, 1.0, 0.0, 1.0, //
            -1.0, 0.3, -0.2, 0.0,
        ];
        let e = Embeddings::new(words.iter().map(|s| s.to_string()).collect(), 4, data).unwrap();
        let q = |s: &str, w: [&str; 4]| AnalogyQuestion {
            section: s.into(),
            words: w.map(String::from),
        };
        let questions = vec![
            q("family", ["man", "woman", "king", "queen"]),
            q("family", ["man", "woman", "boy", "girl"]),
            q("family", ["man", "woman", "prince", "princess"]),
            q("gram-x", ["man", "woman", "king", "apple"]),
        ];
        let r = evaluate_analogies(&e, &questions, 100, "t");
        assert_eq!(r.questions, 3);
        assert_eq!(r.skipped, 1);
        assert_eq!(r.sections[0].accuracy_3cosadd, 1.0);
        assert_eq!(r.sections[1].accuracy_3cosadd, 0.0);
        assert!((r.accuracy_3cosadd - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.semantic_3cosadd, 1.0);
        assert_eq!(r.syntactic_3cosadd, 0.0);
        // Restricting the search to the first four words leaves only the king/queen question.
        let r = evaluate_analogies(&e, &questions, 4, "t");
        assert_eq!((r.questions, r.skipped), (1, 3));
    }
}
