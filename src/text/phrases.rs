//! Phrase tables and their application while reading: each line's tokens joined with `_` where
//! the table holds the phrase, greedily left to right, as gensim's `FrozenPhrases[sentence]`
//! does (a phrase found ends the candidate; connector words may sit inside one, never at its
//! ends). A table learnt in several passes applies them in order, each on the one before's
//! output, so `new_york times` becomes `new_york_times`. Phrases never cross a line's end.
//!
//! The file (`wordvec phrases` writes it) is tab-separated text: `#` lines are comments, a
//! `connectors` line lists the connector words (space-separated), and each phrase is a line
//! `PASS  TOKENS  SCORE  COUNT`, its tokens space-separated, most of them joined by earlier passes.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use super::tokens::{MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES, TokenSink};
use crate::error::{Error, Result};
use crate::files::{atomic_write, numbered_lines};

/// What joins a phrase's tokens, as gensim's `delimiter`.
pub const DELIMITER: u8 = b'_';

/// One phrase of a table: its tokens, score and count in the pass that found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub pass: usize,
    pub tokens: Vec<String>,
    pub score: f64,
    pub count: u64,
}

impl Phrase {
    /// The token it becomes: its tokens joined by `_`.
    pub fn joined(&self) -> String {
        self.tokens
            .join(std::str::from_utf8(&[DELIMITER]).expect("ASCII"))
    }
}

/// The phrases to join, by pass, and the connector words that may sit inside them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhraseTable {
    pub phrases: Vec<Phrase>,
    pub connectors: Vec<String>,
    /// Comment lines written at the top (settings and figures), without their `# `.
    pub notes: Vec<String>,
}

impl PhraseTable {
    /// The passes the table holds.
    pub fn passes(&self) -> usize {
        self.phrases.iter().map(|p| p.pass).max().unwrap_or(0)
    }

    /// Writes the table (atomically).
    pub fn save(&self, path: &Path) -> Result<()> {
        atomic_write(path, |out| {
            for note in &self.notes {
                writeln!(out, "# {note}")?;
            }
            writeln!(out, "# pass\ttokens\tscore\tcount")?;
            if !self.connectors.is_empty() {
                writeln!(out, "connectors\t{}", self.connectors.join(" "))?;
            }
            for p in &self.phrases {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    p.pass,
                    p.tokens.join(" "),
                    p.score,
                    p.count
                )?;
            }
            Ok(())
        })
    }

    /// Reads a table, naming the line of anything that is not one.
    pub fn load(path: &Path) -> Result<Self> {
        let mut table = PhraseTable::default();
        for line in numbered_lines(path)? {
            let (number, text) = line?;
            let bad = |m: &str| Err(Error::parse(path, number, m.to_string()));
            if text.starts_with('#') || text.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = text.split('\t').collect();
            if fields[0] == "connectors" && fields.len() == 2 {
                table.connectors = fields[1].split(' ').map(str::to_string).collect();
                continue;
            }
            let [pass, tokens, score, count] = fields[..] else {
                return bad(
                    "not a phrase: expected PASS, TOKENS, SCORE and COUNT separated by tabs",
                );
            };
            let Ok(pass) = pass.parse::<usize>() else {
                return bad("the pass is not a whole number");
            };
            if pass == 0 || pass < table.passes() {
                return bad("passes start at 1 and never go back");
            }
            let tokens: Vec<String> = tokens.split(' ').map(str::to_string).collect();
            if tokens.len() < 2 || tokens.iter().any(String::is_empty) {
                return bad("a phrase has two tokens or more, one space apart");
            }
            let Ok(score) = score.parse::<f64>() else {
                return bad("the score is not a number");
            };
            let Ok(count) = count.parse::<u64>() else {
                return bad("the count is not a whole number");
            };
            table.phrases.push(Phrase {
                pass,
                tokens,
                score,
                count,
            });
        }
        if table.phrases.is_empty() {
            return Err(Error::invalid(path, "no phrases in it"));
        }
        Ok(table)
    }
}

/// A table ready to join: each pass's phrases as joined keys.
#[derive(Debug)]
pub(crate) struct Joiner {
    passes: Vec<HashSet<Vec<u8>>>,
    connectors: HashSet<Vec<u8>>,
}

impl Joiner {
    pub fn new(table: &PhraseTable) -> Self {
        let mut passes = vec![HashSet::new(); table.passes()];
        for p in &table.phrases {
            passes[p.pass - 1].insert(p.joined().into_bytes());
        }
        Joiner {
            passes,
            connectors: table
                .connectors
                .iter()
                .map(|c| c.as_bytes().to_vec())
                .collect(),
        }
    }

    /// Whether `token` is a connector word.
    pub fn is_connector(&self, token: &[u8]) -> bool {
        self.connectors.contains(token)
    }

    /// `line`'s tokens after every pass.
    fn join_line(&self, line: &mut Tokens, spare: &mut Tokens) {
        for phrases in &self.passes {
            spare.clear();
            self.join_pass(phrases, line, spare);
            std::mem::swap(line, spare);
        }
    }

    /// gensim's `analyze_sentence` over one pass's phrases: a candidate runs from a word through
    /// any connectors to the next word; joined when the table has it, else its first word goes
    /// out alone and the next word starts a candidate.
    fn join_pass(&self, phrases: &HashSet<Vec<u8>>, line: &Tokens, out: &mut Tokens) {
        let mut start: Option<usize> = None;
        let mut key = Vec::new();
        for i in 0..line.len() {
            let word = line.get(i);
            if self.is_connector(word) {
                if start.is_none() {
                    out.push(word);
                }
                continue;
            }
            let Some(first) = start else {
                start = Some(i);
                continue;
            };
            key.clear();
            for j in first..=i {
                if j > first {
                    key.push(DELIMITER);
                }
                key.extend_from_slice(line.get(j));
            }
            if key.len() <= MAX_TOKEN_BYTES && phrases.contains(&key) {
                out.push(&key);
                start = None;
            } else {
                for j in first..i {
                    out.push(line.get(j));
                }
                start = Some(i);
            }
        }
        if let Some(first) = start {
            for j in first..line.len() {
                out.push(line.get(j));
            }
        }
    }
}

/// A line's tokens: their bytes one after another, and each one's end.
#[derive(Default)]
struct Tokens {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Tokens {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn push(&mut self, token: &[u8]) {
        self.bytes.extend_from_slice(token);
        self.ends.push(self.bytes.len());
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// Longest line the joiner holds before it joins what it has (word2vec cuts sentences there
/// too): a phrase across the cut is not joined.
const MAX_LINE_TOKENS: usize = MAX_SENTENCE_TOKENS;

/// Hands a line's tokens on joined by a [`Joiner`], once the line has ended.
pub(crate) struct Joining<'s, S> {
    pub inner: &'s mut S,
    pub joiner: &'s Joiner,
    line: Tokens,
    spare: Tokens,
    /// Where the line's first token was, for the errors of whoever reads on.
    at: Option<(std::path::PathBuf, u64)>,
}

impl<'s, S: TokenSink> Joining<'s, S> {
    pub fn new(inner: &'s mut S, joiner: &'s Joiner) -> Self {
        Joining {
            inner,
            joiner,
            line: Tokens::default(),
            spare: Tokens::default(),
            at: None,
        }
    }

    /// Joins the tokens held and hands them on.
    pub fn flush(&mut self) -> Result<()> {
        let Some((file, line)) = self.at.take() else {
            return Ok(());
        };
        self.joiner.join_line(&mut self.line, &mut self.spare);
        for i in 0..self.line.len() {
            self.inner.token(self.line.get(i), &file, line)?;
        }
        self.line.clear();
        Ok(())
    }
}

impl<S: TokenSink> TokenSink for Joining<'_, S> {
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()> {
        if self.at.is_none() {
            self.at = Some((file.to_path_buf(), line));
        }
        self.line.push(token);
        if self.line.len() >= MAX_LINE_TOKENS {
            self.flush()?;
        }
        Ok(())
    }

    fn line_end(&mut self) -> Result<()> {
        self.flush()?;
        self.inner.line_end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(pass: usize, tokens: &str) -> Phrase {
        Phrase {
            pass,
            tokens: tokens.split(' ').map(str::to_string).collect(),
            score: 20.0,
            count: 7,
        }
    }

    fn table(phrases: &[(usize, &str)], connectors: &[&str]) -> PhraseTable {
        PhraseTable {
            phrases: phrases.iter().map(|&(p, t)| phrase(p, t)).collect(),
            connectors: connectors.iter().map(|c| c.to_string()).collect(),
            notes: vec!["test".into()],
        }
    }

    /// Collects tokens and line ends as text: `a b | c`.
    #[derive(Default)]
    struct Collect(Vec<String>);

    impl TokenSink for Collect {
        fn token(&mut self, token: &[u8], _: &Path, _: u64) -> Result<()> {
            self.0.push(String::from_utf8(token.to_vec()).unwrap());
            Ok(())
        }
        fn line_end(&mut self) -> Result<()> {
            self.0.push("|".into());
            Ok(())
        }
    }

    fn joined(table: &PhraseTable, text: &str) -> String {
        let joiner = Joiner::new(table);
        let mut out = Collect::default();
        let mut joining = Joining::new(&mut out, &joiner);
        for line in text.split('\n') {
            for token in line.split_whitespace() {
                joining.token(token.as_bytes(), Path::new("t"), 1).unwrap();
            }
            joining.line_end().unwrap();
        }
        out.0.join(" ")
    }

    #[test]
    fn overlapping_candidates_join_greedily_left_to_right() {
        // `a b c` with both `a_b` and `b_c`: the first found wins, as in gensim.
        let t = table(&[(1, "a b"), (1, "b c")], &[]);
        assert_eq!(joined(&t, "a b c"), "a_b c |");
        assert_eq!(joined(&t, "x b c a b"), "x b_c a_b |");
        // A candidate that is no phrase leaves its first word alone and starts at the next.
        assert_eq!(joined(&t, "a a b"), "a a_b |");
    }

    #[test]
    fn a_phrase_split_across_a_line_end_is_never_joined() {
        let t = table(&[(1, "new york")], &[]);
        assert_eq!(joined(&t, "in new\nyork now"), "in new | york now |");
        assert_eq!(joined(&t, "in new york now"), "in new_york now |");
    }

    #[test]
    fn connectors_sit_inside_phrases_never_at_their_ends() {
        let t = table(&[(1, "bank of america")], &["of", "the"]);
        assert_eq!(
            joined(&t, "the bank of america of the year"),
            "the bank_of_america of the year |"
        );
        assert_eq!(joined(&t, "bank of england"), "bank of england |");
    }

    #[test]
    fn later_passes_join_what_earlier_ones_made() {
        let t = table(&[(1, "new york"), (2, "new_york times")], &[]);
        assert_eq!(
            joined(&t, "the new york times said"),
            "the new_york_times said |"
        );
    }

    #[test]
    fn a_table_reads_back_as_written_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phrases.txt");
        let t = table(&[(1, "new york"), (2, "new_york times")], &["of"]);
        t.save(&path).unwrap();
        assert_eq!(
            PhraseTable::load(&path).unwrap(),
            PhraseTable { notes: vec![], ..t }
        );
        for (text, problem) in [
            ("1\tnew york\t3.5\n", "expected PASS"),
            ("x\tnew york\t3.5\t2\n", "pass is not"),
            ("2\ta b\t3\t2\n1\tc d\t3\t2\n", "never go back"),
            ("1\tnew\t3.5\t2\n", "two tokens"),
            ("1\tnew york\tmany\t2\n", "score"),
            ("1\tnew york\t3.5\t-2\n", "count"),
        ] {
            std::fs::write(&path, format!("# a table\n{text}")).unwrap();
            let e = PhraseTable::load(&path).unwrap_err().to_string();
            assert!(e.contains("phrases.txt:") && e.contains(problem), "{e}");
        }
        std::fs::write(&path, "# nothing\n").unwrap();
        let e = PhraseTable::load(&path).unwrap_err().to_string();
        assert!(e.contains("no phrases"), "{e}");
    }
}
