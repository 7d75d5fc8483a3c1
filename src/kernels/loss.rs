//! The loss a fused step reports, summed over its examples, and its read-back from the device.

use burn::prelude::*;

/// A loss per example above this means the weights are broken (see [`LossSum::diverged`]).
const MAX_FINITE_EXAMPLE_LOSS: f64 = 1.0e6;

/// Loss summed over some examples (a chunk's, an interval's, an epoch's), and their number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LossSum {
    pub sum: f64,
    pub pairs: u64,
}

impl LossSum {
    pub fn plus(self, other: LossSum) -> LossSum {
        LossSum {
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

/// Several steps' loss tensors in one transfer: each chunk's rows summed on the device (example
/// counts stay exact in f32), one summed row per chunk, row-major on the host.
pub(crate) fn chunk_rows(losses: Vec<Tensor<2>>) -> Vec<f32> {
    if losses.is_empty() {
        return Vec::new();
    }
    let per_chunk = Tensor::cat(losses.into_iter().map(|l| l.sum_dim(0)).collect(), 0);
    crate::tensors::to_host(per_chunk)
}
