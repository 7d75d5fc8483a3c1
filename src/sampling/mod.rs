//! Turning the token stream into training examples: subsampling of frequent words, dynamic
//! windows, negatives from the unigram^0.75 distribution, batches, all from one seed.

mod batches;
mod chunks;
mod cooccur;
mod negative;
mod sentences;
mod subsample;

pub use batches::{Batch, BatchProducer, Message, PairConfig, reduced_window};
pub use chunks::{CHUNK_TOKENS, Chunk, ChunkConfig, ChunkProducer, SENTENCE_END, global_reader};
pub use cooccur::{
    CooccurConfig, CooccurStats, Cooccurrence, MAX_COOCCUR_WINDOW, RunReader, count_cooccurrences,
};
pub use negative::NegativeSampler;
pub use sentences::SentenceSink;
pub use subsample::Subsampler;
