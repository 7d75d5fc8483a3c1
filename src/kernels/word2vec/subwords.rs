//! fastText's subword model as a fused step: the Burn backend extension, the bag tables on the
//! device, and the step that runs it. The input matrix holds the words' rows then the n-gram
//! buckets'; a word's input is the mean of its bag ([`SubwordBags`]). The CPU kernel runs it on
//! Flex, a CubeCL kernel on wgpu and cuda.

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::prelude::*;

use super::{OptimizerState, OutputTables, Word2VecSettings, Word2VecWeights};
use crate::model::SubwordBags;

/// Backends that run the subword model's fused step.
#[backend_extension(
    Flex: cfg(feature = "flex"),
    Cube: cfg(cubecl_backend),
    Fusion: cfg(cubecl_backend)
)]
pub trait SubwordBackend: Backend {
    /// [`super::Word2VecBackend::word2vec_chunk_stateful`] for the subword model: `input` and
    /// `input_state` have [`SubwordBags::input_rows`] rows, `output` and `output_state` one a
    /// word; `bag_ids` and `bag_follow` are the [`SubwordTables`]. Under plain SGD the states
    /// are stand-ins and come back as they went.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    #[fusion(meta = |input, output, input_state, output_state, tokens, _values, _ids, _bag_ids, _bag_follow, settings| (
        input.clone(),
        output.clone(),
        input_state.clone(),
        output_state.clone(),
        super::fused_loss_spec(tokens, settings),
    ))]
    fn word2vec_subword_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_state: FloatTensor<Self>,
        output_state: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        bag_ids: IntTensor<Self>,
        bag_follow: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    );
}

/// The bags on the training device: `ids` is `[offsets (words + 1) | rows]`, `follow` each
/// word's [`SubwordBags::follow`].
#[derive(Clone)]
pub struct SubwordTables {
    ids: Tensor<1, Int>,
    follow: Tensor<1>,
}

impl SubwordTables {
    pub fn new(bags: &SubwordBags, device: &Device) -> Self {
        let ids: Vec<i32> = bags
            .offsets
            .iter()
            .chain(&bags.rows)
            .map(|&i| i as i32)
            .collect();
        let follow = bags.follow();
        let (i, f) = (ids.len(), follow.len());
        SubwordTables {
            ids: Tensor::from_data(TensorData::new(ids, [i]), device),
            follow: Tensor::from_data(TensorData::new(follow, [f]), device),
        }
    }
}

/// Runs the subword model's fused step on the device the weights live on; returns the updated
/// weights and the chunk's loss tensor, as [`super::word2vec_step`] does.
pub fn subword_step(
    weights: Word2VecWeights,
    tokens: Tensor<1, Int>,
    tables: &OutputTables,
    bags: &SubwordTables,
    settings: Word2VecSettings,
) -> (Word2VecWeights, Tensor<2>) {
    let device = weights.input.device();
    let stateful = weights.state.is_some();
    let (input_state, output_state) = match weights.state {
        Some(state) => (state.input, state.output),
        None => (
            Tensor::zeros([1, 1], &device),
            Tensor::zeros([1, 1], &device),
        ),
    };
    let (input, output, input_state, output_state, loss) =
        <Dispatch as SubwordBackend>::word2vec_subword_chunk(
            weights.input.into_dispatch(),
            weights.output.into_dispatch(),
            input_state.into_dispatch(),
            output_state.into_dispatch(),
            tokens.into_dispatch(),
            tables.values.clone().into_dispatch(),
            tables.ids.clone().into_dispatch(),
            bags.ids.clone().into_dispatch(),
            bags.follow.clone().into_dispatch(),
            settings,
        );
    let weights = Word2VecWeights {
        input: Tensor::from_dispatch(input),
        output: Tensor::from_dispatch(output),
        state: stateful.then(|| OptimizerState {
            input: Tensor::from_dispatch(input_state),
            output: Tensor::from_dispatch(output_state),
        }),
    };
    (weights, Tensor::from_dispatch(loss))
}
