//! Learning phrases from a corpus, as word2vec's `word2phrase` and gensim's `Phrases` do: a pass
//! counts every word and every candidate (two words next to each other on a line, with any
//! connector words between them) keyed by the words' ids, each thread over whole lines of its
//! part into its own tables (the candidates' memory-bounded), merged at the end; each candidate
//! is then scored from its count and its two words', and those above the
//! threshold are the pass's phrases. A later pass counts the text joined by the earlier ones, so
//! phrases grow a word a pass. The counting follows gensim's `_learn_vocab` and the scores its
//! scorers exactly, so tables compare entry for entry; the table applies as the corpus is read
//! ([`crate::text::PhraseTable`]).

mod counting;
mod settings;

pub use self::settings::{ENGLISH_CONNECTORS, MAX_ENTRIES, PhraseSettings, Scoring};

use self::counting::{Counts, NOT_CONNECTOR, count};
use crate::error::{Error, Result};
use crate::text::{Corpus, Phrase, PhraseTable};

/// What a pass counted and found.
#[derive(Debug, Clone, Default)]
pub struct PassStats {
    /// Tokens read, connector words included.
    pub words: u64,
    /// Entries in the counting table at the end: words (not connectors) and candidates.
    pub entries: u64,
    /// Times the table was pruned.
    pub prunings: u32,
    pub phrases: usize,
}

/// Learns `settings.passes` passes of phrases from `corpus`, each pass's figures handed to
/// `report` as it ends.
pub fn learn(
    corpus: &Corpus,
    settings: &PhraseSettings,
    mut report: impl FnMut(usize, &PassStats),
) -> Result<PhraseTable> {
    settings.validate()?;
    let mut table = PhraseTable {
        connectors: settings.connectors.clone(),
        ..PhraseTable::default()
    };
    for pass in 1..=settings.passes {
        let read = match pass {
            1 => corpus.clone(),
            _ => corpus.clone().joined(Some(&table)),
        };
        let (phrases, stats) = learn_pass(&read, settings, pass)?;
        report(pass, &stats);
        table.phrases.extend(phrases);
    }
    Ok(table)
}

/// One pass: every word and candidate counted, then every candidate scored.
fn learn_pass(
    corpus: &Corpus,
    settings: &PhraseSettings,
    pass: usize,
) -> Result<(Vec<Phrase>, PassStats)> {
    let Counts {
        words: names,
        counts,
        connector,
        mut pairs,
        mut bridged,
        longer,
        prunings,
        ..
    } = count(corpus, settings)?;
    let words: u64 = counts.iter().sum();
    if words == 0 {
        let first = corpus.paths().next().expect("a corpus has a file");
        return Err(Error::invalid(first, "the corpus holds no words"));
    }
    pairs.flush_all();
    bridged.flush_all();
    let distinct = connector.iter().filter(|&&c| c == NOT_CONNECTOR).count();
    let candidates = pairs.len() + bridged.len() + longer.len();
    let stats = PassStats {
        words,
        entries: (distinct + candidates) as u64,
        prunings,
        phrases: 0,
    };
    let name = |id: u32| String::from_utf8_lossy(&names[id as usize]).into_owned();
    // A candidate from `a` to `b` seen `together` times, as a phrase if it scores as one (its
    // tokens made only then).
    let phrase = |a: u32, b: u32, together: u64, tokens: &dyn Fn() -> Vec<String>| {
        let (na, nb) = (counts[a as usize], counts[b as usize]);
        let score = settings.score(na, nb, together, stats.entries, stats.words);
        (score > settings.threshold).then(|| Phrase {
            pass,
            tokens: tokens(),
            score,
            count: together,
        })
    };
    let mut phrases: Vec<Phrase> = (longer.iter())
        .filter_map(|(ids, &together)| {
            let (a, b) = (ids[0], ids[ids.len() - 1]);
            phrase(a, b, together, &|| ids.iter().map(|&id| name(id)).collect())
        })
        .collect();
    phrases.extend(pairs.score(settings.threads, |key, together| {
        let (a, b) = ((key >> 32) as u32, key as u32);
        phrase(a, b, together, &|| vec![name(a), name(b)])
    }));
    phrases.extend(bridged.score(settings.threads, |key, together| {
        let (a, b) = ((key as u64 >> 32) as u32, key as u32);
        let packed = (key >> 64) as u64;
        let tokens = || {
            let codes = (0..8).rev().map(|i| (packed >> (8 * i)) as u8);
            let between = codes.filter(|&c| c != NOT_CONNECTOR);
            let between = between.map(|c| settings.connectors[c as usize - 1].clone());
            std::iter::once(name(a))
                .chain(between)
                .chain([name(b)])
                .collect()
        };
        phrase(a, b, together, &tokens)
    }));
    // Highest score first; ties by their tokens, so the table never depends on threads.
    phrases.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.tokens.cmp(&y.tokens)));
    let stats = PassStats {
        phrases: phrases.len(),
        ..stats
    };
    Ok((phrases, stats))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn settings(scoring: Scoring, threshold: f64, min_count: u64) -> PhraseSettings {
        PhraseSettings {
            scoring,
            threshold,
            min_count,
            connectors: vec!["of".into()],
            max_entries: MAX_ENTRIES,
            passes: 1,
            threads: 1,
        }
    }

    fn corpus(dir: &Path, text: &str) -> Corpus {
        let path = dir.join("c.txt");
        std::fs::write(&path, text).unwrap();
        Corpus::open(&[path]).unwrap()
    }

    #[test]
    fn scores_match_a_count_by_hand() {
        // Lines: "new york is big" ×3, "new cars of york" ×1, "york new" ×1.
        let dir = tempfile::tempdir().unwrap();
        let text = "new york is big\n".repeat(3) + "new cars of york\nyork new\n";
        let c = corpus(dir.path(), &text);
        let s = settings(Scoring::Default, -1e300, 1);
        let table = learn(&c, &s, |_, _| {}).unwrap();
        // Words: new 5, york 5, is 3, big 3, cars 1 (of is a connector) — 5 words. Candidates:
        // new·york 3, york·is 3, is·big 3, new·cars 1, cars·of·york 1, york·new 1 — 6. Tokens:
        // 12 + 4 + 2 = 18.
        let (entries, words): (f64, f64) = (11.0, 18.0);
        let find = |tokens: &str| {
            let t: Vec<&str> = tokens.split(' ').collect();
            let p = table.phrases.iter().find(|p| p.tokens == t);
            p.unwrap_or_else(|| panic!("{tokens} missing"))
        };
        assert_eq!(find("new york").count, 3);
        assert_eq!(find("new york").score, (3.0 - 1.0) / (5.0 * 5.0) * entries);
        assert_eq!(find("cars of york").score, 0.0);
        assert_eq!(find("is big").score, 2.0 / 9.0 * entries);
        assert_eq!(table.phrases.len(), 6);
        let npmi = settings(Scoring::Npmi, -1.0, 1);
        let table = learn(&c, &npmi, |_, _| {}).unwrap();
        let p = &table
            .phrases
            .iter()
            .find(|p| p.tokens == ["is", "big"])
            .unwrap();
        let (pa, pab) = (3.0 / words, 3.0 / words);
        assert!((p.score - (pab / (pa * pa)).ln() / -pab.ln()).abs() < 1e-12);
    }

    #[test]
    fn the_threshold_min_count_and_passes_decide_what_is_a_phrase() {
        let dir = tempfile::tempdir().unwrap();
        let text = "new york times said\n".repeat(20) + &"old news papers today\n".repeat(20);
        let c = corpus(dir.path(), &text);
        let mut s = settings(Scoring::Default, 0.0, 5);
        s.passes = 2;
        let mut figures = Vec::new();
        let table = learn(&c, &s, |pass, stats| figures.push((pass, stats.words))).unwrap();
        assert_eq!(figures, [(1, 160), (2, 80)]);
        let second: Vec<String> = table
            .phrases
            .iter()
            .filter(|p| p.pass == 2)
            .map(Phrase::joined)
            .collect();
        assert!(
            second.contains(&"new_york_times_said".to_string()),
            "{second:?}"
        );
        // A candidate seen fewer times than min_count never scores above 0.
        s.min_count = 21;
        s.passes = 1;
        assert!(learn(&c, &s, |_, _| {}).unwrap().phrases.is_empty());
    }

    #[test]
    fn candidates_with_many_connectors_keep_every_token() {
        // Two connectors pack into the candidate's key; nine do not, and keep all their ids.
        let dir = tempfile::tempdir().unwrap();
        let nine = ["of"; 9].join(" ");
        let text =
            "x new of of york y\n".repeat(30) + &format!("p bank {nine} rome q\n").repeat(30);
        let c = corpus(dir.path(), &text);
        let mut s = settings(Scoring::Default, 0.0, 5);
        s.threads = 2;
        let table = learn(&c, &s, |_, _| {}).unwrap();
        let joined: Vec<String> = table.phrases.iter().map(Phrase::joined).collect();
        assert!(joined.contains(&"new_of_of_york".to_string()), "{joined:?}");
        let long = format!("bank_{}_rome", ["of"; 9].join("_"));
        assert!(joined.contains(&long), "{joined:?}");
    }

    #[test]
    fn threads_and_bad_settings() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a b c d e f\n".repeat(500) + &"b c x y\n".repeat(300);
        let c = corpus(dir.path(), &text);
        let one = learn(&c, &settings(Scoring::Default, 1.0, 5), |_, _| {}).unwrap();
        let mut s = settings(Scoring::Default, 1.0, 5);
        s.threads = 3;
        assert_eq!(learn(&c, &s, |_, _| {}).unwrap(), one);
        s.scoring = Scoring::Npmi;
        let e = learn(&c, &s, |_, _| {}).unwrap_err().to_string();
        assert!(e.contains("--threshold"), "{e}");
    }
}
