//! What one fused step receives besides the weights: a chunk of sentences and its settings.

/// Separates sentences in a chunk of word ids; no window crosses it.
pub const SENTENCE_END: i32 = -1;

/// The fewest centre positions one GPU cube walks in order.
const MIN_SPAN: usize = 64;

/// How a chunk of `tokens` positions is cut into spans, each walked in order by one GPU cube and
/// each owning one (loss sum, examples) row of the loss tensor, so rows need no atomics:
/// (positions per span, spans).
pub fn spans(tokens: usize, settings: &ChunkSettings) -> (usize, usize) {
    spans_for(tokens, settings.gpu_cubes)
}

/// [`spans`] of `items` positions (word ids, or GloVe's entries) for `gpu_cubes` cubes.
pub fn spans_for(items: usize, gpu_cubes: u32) -> (usize, usize) {
    let mut span = MIN_SPAN;
    if gpu_cubes > 0 {
        span = span.max(items.div_ceil(gpu_cubes as usize));
    }
    (span, items.div_ceil(span).max(1))
}

/// A loss per example above this means the weights are broken (see [`ChunkLoss::diverged`]).
const MAX_FINITE_EXAMPLE_LOSS: f64 = 1.0e6;

/// Which word2vec model a fused step trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// Each context word's input vector predicts the centre word (word2vec's skip-gram).
    #[default]
    SkipGram,
    /// The context words' input vectors, averaged (`mean`) or summed, predict the centre word;
    /// every context row then takes the whole hidden-layer step, as in word2vec.
    Cbow { mean: bool },
}

/// Settings of one fused negative-sampling step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkSettings {
    /// Largest half-width of the dynamic window.
    pub window: u32,
    /// Noise words per example.
    pub negative: u32,
    /// Learning rate at the chunk's first position; it moves linearly to `lr_end` at its last,
    /// so word2vec's linear decay stays smooth across chunks.
    pub lr_start: f32,
    pub lr_end: f32,
    /// Seeds the windows and negatives of this chunk (one stream per thread on the CPU, one per
    /// position on the GPU).
    pub seed: u64,
    /// CPU worker threads; GPU kernels ignore it.
    pub threads: u32,
    /// Cubes that train at once on a GPU, each walking its span of the chunk in order; 0 gives
    /// every 64 positions their own. Fewer is closer to sequential SGD, more is faster. The CPU
    /// ignores it.
    pub gpu_cubes: u32,
    /// Skip-gram or CBOW.
    pub architecture: Architecture,
}

/// Loss summed over a chunk's examples, and their number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChunkLoss {
    pub sum: f64,
    pub pairs: u64,
}

impl ChunkLoss {
    pub fn plus(self, other: ChunkLoss) -> ChunkLoss {
        ChunkLoss {
            sum: self.sum + other.sum,
            pairs: self.pairs + other.pairs,
        }
    }

    /// Mean loss per example; NaN when there were none.
    pub fn mean(&self) -> f64 {
        self.sum / self.pairs as f64
    }

    /// Whether the weights behind this loss left the finite numbers: a NaN or infinite sum, or
    /// a mean no finite run reaches (scores are clamped to ±30, so an example with its
    /// negatives costs well under `MAX_FINITE_EXAMPLE_LOSS`).
    pub fn diverged(&self) -> bool {
        !self.sum.is_finite() || (self.pairs > 0 && self.mean() > MAX_FINITE_EXAMPLE_LOSS)
    }
}
