//! Burn modules and their losses. Runs on any device; knows nothing of batching or updates.

mod glove;
mod huffman;
mod subwords;
mod word2vec;

pub use glove::{Glove, GloveConfig, Weighting};
pub use huffman::{HuffmanTree, MAX_DEPTH, SATURATED};
pub use subwords::{SubwordBags, Subwords, fasttext_hash, mean_of_rows};
pub use word2vec::{Word2Vec, Word2VecConfig};

/// Which word2vec model: what predicts what. Both train the same [`Word2Vec`] weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// Each context word's input vector predicts the centre word (word2vec's skip-gram).
    #[default]
    SkipGram,
    /// The context words' input vectors, averaged (`mean`) or summed, predict the centre word;
    /// every context row then takes the whole hidden-layer step, as in word2vec.
    Cbow { mean: bool },
}
