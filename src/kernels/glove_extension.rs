//! The fused GloVe step as a Burn backend extension, reached from any `Device` through Burn's
//! dispatch like the skip-gram step: the training loop hands over the weights and a chunk of
//! entries, and the backend updates the touched rows in place.

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::prelude::*;

use super::chunk::ChunkLoss;
use super::glove_cpu::GloveSettings;

#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn glove_loss_spec(
    counts: &burn::backend::fusion::custom::TensorSpec,
    settings: &GloveSettings,
) -> burn::backend::fusion::custom::TensorSpec {
    let (_, slots) = super::chunk::spans_for(counts.shape.num_elements(), settings.gpu_cubes);
    burn::backend::fusion::custom::TensorSpec::new([slots, 3].into(), burn::tensor::DType::F32)
}

/// Backends that can run the fused GloVe step.
#[backend_extension(
    Flex: cfg(feature = "flex"),
    Cube: cfg(any(feature = "wgpu", feature = "cuda")),
    Fusion: cfg(any(feature = "wgpu", feature = "cuda"))
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
pub fn read_glove_loss(losses: Vec<Tensor<2>>) -> (ChunkLoss, u64) {
    super::extension::chunk_rows(losses).chunks_exact(3).fold(
        (ChunkLoss::default(), 0),
        |(loss, skipped), row| {
            (
                loss.plus(ChunkLoss {
                    sum: row[0] as f64,
                    pairs: row[1].round() as u64,
                }),
                skipped + row[2].round() as u64,
            )
        },
    )
}

#[cfg(feature = "flex")]
mod flex {
    use burn::backend::Flex;
    use burn::tensor::TensorData;
    use burn_flex::FlexTensor;

    use super::super::glove_cpu::{GloveRows, GloveSettings, train_glove_chunk};
    use super::GloveBackend;
    use crate::kernels::extension::flex::{ids, owned_f32};

    impl GloveBackend for Flex {
        fn glove_chunk(
            word: FlexTensor,
            context: FlexTensor,
            word_sq: FlexTensor,
            context_sq: FlexTensor,
            pairs: FlexTensor,
            counts: FlexTensor,
            settings: GloveSettings,
        ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
            let (mut word, mut context) = (owned_f32(word), owned_f32(context));
            let (mut word_sq, mut context_sq) = (owned_f32(word_sq), owned_f32(context_sq));
            let dim = word.layout().shape()[1] - 1;
            let pairs = ids(&pairs);
            let counts = owned_f32(counts);
            let loss = train_glove_chunk(
                GloveRows {
                    word: word.storage_mut::<f32>(),
                    context: context.storage_mut::<f32>(),
                    word_sq: word_sq.storage_mut::<f32>(),
                    context_sq: context_sq.storage_mut::<f32>(),
                },
                dim,
                &pairs,
                counts.storage::<f32>(),
                &settings,
            );
            let row = vec![
                loss.loss.sum as f32,
                loss.loss.pairs as f32,
                loss.non_finite as f32,
            ];
            let loss = FlexTensor::from_data(TensorData::new(row, [1, 3]));
            (word, context, word_sq, context_sq, loss)
        }
    }
}
