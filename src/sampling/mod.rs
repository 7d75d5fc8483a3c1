//! Turning the token stream into training examples: subsampling of frequent words, dynamic
//! windows, negatives from the unigram^0.75 distribution, batches, all from one seed.

mod batches;
mod chunks;
mod cooccur;
mod negative;
mod sentences;
mod subsample;

pub use batches::{Batch, BatchProducer, Message, PairConfig};
pub use chunks::{CHUNK_TOKENS, Chunk, ChunkConfig, ChunkProducer, SENTENCE_END};
pub use cooccur::{
    CooccurConfig, CooccurStats, Cooccurrence, MAX_COOCCUR_WINDOW, RunReader, count_cooccurrences,
};
pub use negative::NegativeSampler;
pub use sentences::SentenceSink;
pub use subsample::Subsampler;

use crate::rng::Rng;

/// word2vec's dynamic window: the effective half-width is uniform in 1..=window, so near
/// context words are sampled more often than far ones.
pub fn reduced_window(rng: &mut Rng, window: usize) -> usize {
    use rand::Rng as _;
    rng.random_range(1..=window.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::rng_for;

    #[test]
    fn window_sizes_are_uniform_over_one_to_window() {
        let mut rng = rng_for(7, 0);
        let mut hist = [0u32; 6];
        let n = 60_000;
        for _ in 0..n {
            hist[reduced_window(&mut rng, 5)] += 1;
        }
        assert_eq!(hist[0], 0);
        for (w, &h) in hist.iter().enumerate().skip(1) {
            // Expected 12,000 each; 5 standard deviations is about 490.
            assert!((h as i64 - 12_000).abs() < 490, "size {w}: {h}");
        }
    }
}
