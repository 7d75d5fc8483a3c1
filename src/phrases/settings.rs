//! What a phrase is and how it is looked for: the settings of `wordvec phrases`, their checks,
//! and the scores (gensim's scorers, exactly).

use crate::error::{Error, Result};

/// How a candidate is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Scoring {
    /// word2vec's `(count(ab) − min_count) / (count(a) · count(b)) · entries`, with gensim's
    /// number of entries counted (words and candidates) for word2phrase's corpus size.
    #[default]
    Default,
    /// Normalised pointwise mutual information, `ln(p(ab) / (p(a) p(b))) / −ln p(ab)`, in
    /// [−1, 1] (Bouma 2009).
    Npmi,
}

/// gensim's `ENGLISH_CONNECTOR_WORDS`: articles, prepositions and conjunctions that may sit
/// inside a phrase (`bank_of_america`) but never start or end one.
pub const ENGLISH_CONNECTORS: [&str; 15] = [
    "a", "an", "the", "for", "of", "with", "without", "at", "from", "to", "in", "on", "by", "and",
    "or",
];

/// gensim's `max_vocab_size`: entries (words and candidates) the counting table holds before it
/// prunes its rarest.
pub const MAX_ENTRIES: usize = 40_000_000;

/// What a phrase is, and how it is looked for.
#[derive(Debug, Clone)]
pub struct PhraseSettings {
    pub scoring: Scoring,
    /// A candidate scoring above it is a phrase.
    pub threshold: f64,
    /// The candidate count the default scoring subtracts; the least count npmi scores.
    pub min_count: u64,
    pub connectors: Vec<String>,
    /// Entries counted before the rarest are pruned.
    pub max_entries: usize,
    pub passes: usize,
    pub threads: usize,
}

impl PhraseSettings {
    /// Refuses settings no table could come from.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if self.passes == 0 {
            return bad("--passes must be at least 1");
        }
        if !self.threshold.is_finite() {
            return bad("--threshold must be a number");
        }
        if self.scoring == Scoring::Npmi && !(-1.0..1.0).contains(&self.threshold) {
            return bad("npmi scores lie between -1 and 1: give --threshold below 1 (0.5, say)");
        }
        if self.max_entries == 0 || self.threads == 0 {
            return bad("--max-entries and --threads must be at least 1");
        }
        if self
            .connectors
            .iter()
            .any(|c| c.is_empty() || c.contains(' '))
        {
            return bad("a connector word is one token, not empty");
        }
        Ok(())
    }

    /// The score of a candidate seen `together` times whose words were seen `a` and `b` times,
    /// in a pass of `words` tokens whose table holds `entries` entries.
    pub fn score(&self, a: u64, b: u64, together: u64, entries: u64, words: u64) -> f64 {
        match self.scoring {
            Scoring::Default => {
                let denominator = (a * b) as f64;
                (together as f64 - self.min_count as f64) / denominator * entries as f64
            }
            Scoring::Npmi if together >= self.min_count => {
                let words = words as f64;
                let (pa, pb, pab) = (a as f64 / words, b as f64 / words, together as f64 / words);
                (pab / (pa * pb)).ln() / -pab.ln()
            }
            Scoring::Npmi => f64::NEG_INFINITY,
        }
    }
}
