//! What a scan of the corpus hands on, and the bounds on it: the one interface between reading
//! text and everything that consumes tokens (counting, phrases, training).

use std::path::Path;

use crate::error::Result;

/// Longest token kept, in bytes; longer ones are cut (on a character boundary), as word2vec does,
/// so that a file without separators cannot exhaust memory.
pub const MAX_TOKEN_BYTES: usize = 1000;

/// Longest sentence handed to training; longer lines are cut into pieces of this size (gensim's
/// limit), so a single-line corpus still gets windows that never span its whole length.
pub const MAX_SENTENCE_TOKENS: usize = 10_000;

/// Receives the tokens of a scan in order.
pub trait TokenSink {
    /// One token's bytes; `line` is 1-based within `file` when the scan began at the file's start.
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()>;
    /// A line ended: windows never cross it.
    fn line_end(&mut self) -> Result<()> {
        Ok(())
    }
}
