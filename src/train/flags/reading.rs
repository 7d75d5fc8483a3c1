//! How the corpus is read — folded, tokenized, its phrases joined — as flags: `train` and the
//! commands that count a corpus (`vocab`, `cooccur`, `phrases`) take the same ones.

use std::path::PathBuf;

use clap::Args;

use crate::text::Tokenizer;

#[derive(Args, Clone, Debug)]
pub struct ReadingFlags {
    /// Fold the corpus to lower case (Unicode's rules) before counting and training.
    #[arg(long)]
    pub lowercase: bool,
    /// How the corpus is cut into tokens: at whitespace (word2vec's), or each piece further at
    /// Unicode word boundaries, punctuation dropped.
    #[arg(long, value_enum, default_value_t = Tokenizer::Whitespace)]
    pub tokenizer: Tokenizer,
    /// Join the phrases of this table (`wordvec phrases` writes one) as the corpus is read:
    /// `new york` trains as `new_york`.
    #[arg(long)]
    pub phrases: Option<PathBuf>,
}
