//! What one fused step receives besides the weights: a chunk of sentences and its settings.

/// Separates sentences in a chunk of word ids; no window crosses it.
pub const SENTENCE_END: i32 = -1;

/// Centre positions whose loss shares one slot of the loss tensor: on the GPU one cube handles
/// them in turn, so slots need no atomics.
pub const POSITIONS_PER_SLOT: usize = 64;

/// Rows of the [slots, 2] loss tensor a chunk of `tokens` positions returns: (loss sum, pairs)
/// per slot, summed on the device and read back only now and then.
pub fn loss_slots(tokens: usize) -> usize {
    tokens.div_ceil(POSITIONS_PER_SLOT).max(1)
}

/// Settings of one fused skip-gram negative-sampling step.
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
}
