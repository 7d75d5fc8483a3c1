//! GloVe's fused step as a Burn backend extension, reached from any `Device` through Burn's
//! dispatch like the negative-sampling step: the training loop hands over the weights and a chunk
//! of entries, and the backend updates the touched rows in place with the reference's AdaGrad.
//! Kernels: [`cpu`] (reached through `flex`), `cube`.

pub(crate) mod cpu;
#[cfg(cubecl_backend)]
mod cube;
#[cfg(feature = "flex")]
mod flex;

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::prelude::*;

use super::loss::{LossSum, chunk_rows};

/// Settings of one fused GloVe step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GloveSettings {
    /// AdaGrad's rate for the vectors (the reference's `eta`; its biases learn at rate 1).
    pub lr: f32,
    /// f(x) = min(1, (x / x_max)^alpha).
    pub x_max: f32,
    pub alpha: f32,
    /// Each gradient component of a vector is clipped to ±`grad_clip` before the rate scales it
    /// (the reference's `grad_clip_value`).
    pub grad_clip: f32,
    /// CPU worker threads; GPU kernels ignore it.
    pub threads: u32,
    /// Cubes that train at once on a GPU, each walking its span of entries in order; 0 gives
    /// every 64 entries their own. The CPU ignores it.
    pub gpu_cubes: u32,
}

#[cfg(cubecl_backend)]
fn glove_loss_spec(
    counts: &burn::backend::fusion::custom::TensorSpec,
    settings: &GloveSettings,
) -> burn::backend::fusion::custom::TensorSpec {
    let (_, slots) = super::spans::spans_for(counts.shape.num_elements(), settings.gpu_cubes);
    burn::backend::fusion::custom::TensorSpec::new([slots, 3].into(), burn::tensor::DType::F32)
}

/// Backends that can run the fused GloVe step.
#[backend_extension(
    Flex: cfg(feature = "flex"),
    Cube: cfg(cubecl_backend),
    Fusion: cfg(cubecl_backend)
)]
pub trait GloveBackend: Backend {
    /// Trains GloVe on one chunk of co-occurrence entries with the reference's AdaGrad.
    /// `word`, `context` and their squared sums are [vocab, dim + 1] (vector, then bias);
    /// `pairs` holds (row, column) ids, two per entry, and `counts` their Xᵢⱼ. Returns the
    /// updated tensors and a [spans, 3] tensor of (loss sum, entries trained, entries skipped
    /// as non-finite) rows, one per GPU span (one row on the CPU).
    #[allow(clippy::type_complexity)]
    #[fusion(meta = |word, context, word_sq, context_sq, _pairs, counts, settings| (
        word.clone(),
        context.clone(),
        word_sq.clone(),
        context_sq.clone(),
        glove_loss_spec(counts, settings),
    ))]
    fn glove_chunk(
        word: FloatTensor<Self>,
        context: FloatTensor<Self>,
        word_sq: FloatTensor<Self>,
        context_sq: FloatTensor<Self>,
        pairs: IntTensor<Self>,
        counts: FloatTensor<Self>,
        settings: GloveSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    );
}

/// GloVe's weights as the fused step keeps them, each [vocab, dim + 1]: word and context rows
/// (vector, then bias) and AdaGrad's squared sums of each (zero at the start).
pub struct GloveWeights {
    pub word: Tensor<2>,
    pub context: Tensor<2>,
    pub word_sq: Tensor<2>,
    pub context_sq: Tensor<2>,
}

/// Runs the fused GloVe step on whatever device the weights live on; returns the updated
/// weights and the chunk's loss tensor (read it with [`read_glove_loss`]).
pub fn glove_step(
    weights: GloveWeights,
    pairs: Tensor<1, Int>,
    counts: Tensor<1>,
    settings: GloveSettings,
) -> (GloveWeights, Tensor<2>) {
    let (word, context, word_sq, context_sq, loss) = <Dispatch as GloveBackend>::glove_chunk(
        weights.word.into_dispatch(),
        weights.context.into_dispatch(),
        weights.word_sq.into_dispatch(),
        weights.context_sq.into_dispatch(),
        pairs.into_dispatch(),
        counts.into_dispatch(),
        settings,
    );
    let weights = GloveWeights {
        word: Tensor::from_dispatch(word),
        context: Tensor::from_dispatch(context),
        word_sq: Tensor::from_dispatch(word_sq),
        context_sq: Tensor::from_dispatch(context_sq),
    };
    (weights, Tensor::from_dispatch(loss))
}

/// Reads back the loss tensors of several [`glove_step`]s in one transfer: the loss of the
/// entries trained, and how many entries were skipped as non-finite.
pub fn read_glove_loss(losses: Vec<Tensor<2>>) -> (LossSum, u64) {
    chunk_rows(losses)
        .chunks_exact(3)
        .fold((LossSum::default(), 0), |(loss, skipped), row| {
            (
                loss.plus(LossSum {
                    sum: row[0] as f64,
                    pairs: row[1].round() as u64,
                }),
                skipped + row[2].round() as u64,
            )
        })
}
