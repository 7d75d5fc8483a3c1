//! Raw text in, words out: the streaming tokenizer and the vocabulary. Knows nothing of tensors.

mod compression;
mod corpus;
mod counting;
mod counts;
mod encoding;
mod fingerprint;
mod phrases;
mod tokenize;
mod tokens;
mod vocab;

pub use compression::Compression;
pub use corpus::{Corpus, MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES, STDIN, TokenSink, Tokenizer};
pub use counting::VocabBuilder;
pub use fingerprint::{FileFingerprint, check_unchanged};
pub use phrases::{DELIMITER, Phrase, PhraseTable};
pub use vocab::{Vocab, VocabStats};
