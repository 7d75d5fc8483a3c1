//! How a scan's raw tokens become the tokens counted and trained: cut further at Unicode's word
//! boundaries (`--tokenizer unicode`) and folded to lower case (`--lowercase`), each a sink that
//! hands its tokens on to the next.

use std::path::Path;

use unicode_segmentation::UnicodeSegmentation;

use super::tokens::TokenSink;
use crate::error::Result;

/// How a corpus is cut into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Tokenizer {
    /// At whitespace, as word2vec, gensim's `LineSentence` and GloVe do: punctuation stays
    /// attached ("end." and "end" are two words).
    #[default]
    Whitespace,
    /// Each whitespace-separated piece cut further at Unicode's word boundaries (UAX #29),
    /// keeping the words and dropping punctuation: "end." → "end", "l'été" stays whole, "東京"
    /// splits as Unicode's rules say.
    Unicode,
}

/// Hands on the Unicode words of each whitespace-separated token (see [`Tokenizer::Unicode`]);
/// tokens of ASCII letters and digits alone pass without a look, bytes that are not UTF-8 pass
/// unchanged for the reader that checks them.
pub(super) struct UnicodeWords<'s, S> {
    inner: &'s mut S,
}

impl<'s, S> UnicodeWords<'s, S> {
    pub fn new(inner: &'s mut S) -> Self {
        UnicodeWords { inner }
    }
}

impl<S: TokenSink> TokenSink for UnicodeWords<'_, S> {
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()> {
        if token.iter().all(u8::is_ascii_alphanumeric) {
            return self.inner.token(token, file, line);
        }
        match std::str::from_utf8(token) {
            Ok(text) => {
                for word in text.unicode_words() {
                    self.inner.token(word.as_bytes(), file, line)?;
                }
                Ok(())
            }
            Err(_) => self.inner.token(token, file, line),
        }
    }

    fn line_end(&mut self) -> Result<()> {
        self.inner.line_end()
    }
}

/// Hands each token on lower-cased: as is when it has no capital (no copy), ASCII folded byte
/// by byte, anything else by Unicode's rules. Bytes that are not UTF-8 pass unchanged, so the
/// reader that checks them still names the line.
pub(super) struct Lowercasing<'s, S> {
    inner: &'s mut S,
    folded: String,
}

impl<'s, S> Lowercasing<'s, S> {
    pub fn new(inner: &'s mut S) -> Self {
        Lowercasing {
            inner,
            folded: String::new(),
        }
    }
}

impl<S: TokenSink> TokenSink for Lowercasing<'_, S> {
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()> {
        if token.is_ascii() {
            if !token.iter().any(u8::is_ascii_uppercase) {
                return self.inner.token(token, file, line);
            }
            self.folded.clear();
            self.folded
                .extend(token.iter().map(|b| b.to_ascii_lowercase() as char));
            return self.inner.token(self.folded.as_bytes(), file, line);
        }
        match std::str::from_utf8(token) {
            // Already folded (every char its own lower case): as is, no copy.
            Ok(text) if text.chars().all(|c| c.to_lowercase().eq([c])) => {
                self.inner.token(token, file, line)
            }
            // `str::to_lowercase`, as the queries fold their words (final sigma included).
            Ok(text) => self.inner.token(text.to_lowercase().as_bytes(), file, line),
            Err(_) => self.inner.token(token, file, line),
        }
    }

    fn line_end(&mut self) -> Result<()> {
        self.inner.line_end()
    }
}
