//! word2vec's fused step, skip-gram and CBOW under negative sampling or hierarchical softmax: the
//! settings, the Burn backend extension with one implementation per backend (the Hogwild CPU
//! kernel on Flex, CubeCL kernels on wgpu and cuda) reached from any `Device` through Burn's
//! dispatch, and the weights it updates. Kernels: [`cpu`] (reached through `flex`), `cube`; the
//! subword model's step in [`subwords`].

pub(crate) mod cpu;
#[cfg(cubecl_backend)]
mod cube;
#[cfg(feature = "flex")]
mod flex;
mod sigmoid;
pub mod subwords;

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::prelude::*;

use super::loss::{LossSum, chunk_rows};
use super::optimizer::FusedOptimizer;
use super::spans::spans_for;
use crate::model::{Architecture, HuffmanTree};
use crate::sampling::NegativeSampler;

/// Draws of a noise word that keeps being the target before the subword model (which draws such
/// a word again, as fastText does) skips it after all: a noise distribution with one word in it
/// would draw it forever.
pub(crate) const MAX_NOISE_REDRAWS: u32 = 64;

/// Settings of one fused word2vec step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word2VecSettings {
    /// Largest half-width of the dynamic window.
    pub window: u32,
    /// Noise words per example (negative sampling).
    pub negative: u32,
    /// Hierarchical softmax instead of negative sampling: each example trains the inner nodes
    /// on its target's Huffman path, and the output rows are those nodes' vectors.
    pub hierarchical: bool,
    /// Input rows whose lock is 0 take no step (`--lock-init`, gensim's `vectors_lockf`).
    pub lock_rows: bool,
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
    /// How skip-gram's examples step: one (context, centre) pair at a time, or a centre's whole
    /// window at once. CBOW's example is its window either way.
    pub batching: Batching,
    /// How the touched rows step: plain SGD (the weights alone), or a stateful optimizer whose
    /// state the weights carry ([`Word2VecWeights::state`]).
    pub optimizer: FusedOptimizer,
}

/// How skip-gram's fused step groups its examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Batching {
    /// word2vec's: each (context, centre) pair draws its own negatives and steps before the
    /// next pair is scored, so later pairs see earlier pairs' updates.
    #[default]
    Pair,
    /// pWord2Vec's HogBatch (Ji et al. 2016): a centre's window shares one draw of negatives
    /// (under hierarchical softmax its pairs share the centre's path anyway); every score of
    /// the window is taken from the rows as they were, and each row then takes the window's
    /// summed step once (a row-wise rule's output row instead steps once per context that
    /// scored it, folded into one pass per context: `kernels::RowWise`). The same gradient to
    /// first order, with a row read and written once per window instead of once per pair: small
    /// matrix products, which is what makes a GPU cube fast and its writes few.
    Window,
}

/// The [`spans_for`] of a chunk of `tokens` positions under `settings`.
fn spans(tokens: usize, settings: &Word2VecSettings) -> (usize, usize) {
    spans_for(tokens, settings.gpu_cubes)
}

#[cfg(cubecl_backend)]
fn fused_loss_spec(
    tokens: &burn::backend::fusion::custom::TensorSpec,
    settings: &Word2VecSettings,
) -> burn::backend::fusion::custom::TensorSpec {
    burn::backend::fusion::custom::TensorSpec::new(
        [spans(tokens.shape.num_elements(), settings).1, 2].into(),
        burn::tensor::DType::F32,
    )
}

/// Backends that can run the fused step.
#[backend_extension(
    Flex: cfg(feature = "flex"),
    Cube: cfg(cubecl_backend),
    Fusion: cfg(cubecl_backend)
)]
pub trait Word2VecBackend: Backend {
    /// Trains skip-gram or CBOW, under negative sampling or hierarchical softmax, on one chunk of
    /// sentences, in place where the backend allows it. `input` and `output` are the [vocab, dim]
    /// input and output vectors, `tokens` the chunk (word ids, sentences separated by `SENTENCE_END`), `values` and `ids`
    /// the output layer's [`OutputTables`], `locks` one number a row (0: the input row is
    /// locked, 1: it trains) when `settings.lock_rows`, else ignored. Returns the updated vectors and the
    /// [`spans`] × 2 loss tensor of (loss sum, examples) rows.
    #[fusion(meta = |input, output, tokens, _values, _ids, _locks, settings| (
        input.clone(),
        output.clone(),
        fused_loss_spec(tokens, settings),
    ))]
    fn word2vec_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);

    /// The same step with a stateful row-sparse optimizer (`settings.optimizer`): `input_state`
    /// and `output_state` hold each row's state, [vocab, `state_width`], and come back updated
    /// with the vectors and the loss.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    #[fusion(meta = |input, output, input_state, output_state, tokens, _values, _ids, _locks, settings| (
        input.clone(),
        output.clone(),
        input_state.clone(),
        output_state.clone(),
        fused_loss_spec(tokens, settings),
    ))]
    fn word2vec_chunk_stateful(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_state: FloatTensor<Self>,
        output_state: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    );
}

/// The weights a fused run updates, outside any module so that each has a single owner and the
/// backends can update them in place: `input` is word2vec's syn0, `output` its syn1neg, both
/// [vocab, dim], with the optimizer's state when it keeps one.
pub struct Word2VecWeights {
    pub input: Tensor<2>,
    pub output: Tensor<2>,
    pub state: Option<OptimizerState>,
}

/// A stateful optimizer's state beside each matrix: [vocab, `FusedOptimizer::state_width`].
pub struct OptimizerState {
    pub input: Tensor<2>,
    pub output: Tensor<2>,
}

impl OptimizerState {
    /// The state of `optimizer` before its first step (zero, as Burn's optimizers start), for
    /// [input rows, output rows, dim] matrices (the rows differ under the subword model, whose
    /// input has the n-gram buckets too); `None` when it keeps none.
    pub fn zeros(
        optimizer: &FusedOptimizer,
        [inputs, outputs, dim]: [usize; 3],
        device: &Device,
    ) -> Option<Self> {
        let width = optimizer.state_width(dim);
        (width > 0).then(|| OptimizerState {
            input: Tensor::zeros([inputs, width], device),
            output: Tensor::zeros([outputs, width], device),
        })
    }
}

/// The tables the output layer draws each example's rows from, on the training device: under
/// negative sampling the noise distribution (unigram^0.75) as Walker alias tables (`values` the
/// acceptance probabilities, `ids` the aliases); under hierarchical softmax the Huffman paths
/// (`ids` the offsets then the nodes, `values` each step's label; see [`HuffmanTree::tables`]).
#[derive(Clone)]
pub struct OutputTables {
    values: Tensor<1>,
    ids: Tensor<1, Int>,
}

impl OutputTables {
    fn from_host(values: Vec<f32>, ids: Vec<i32>, device: &Device) -> Self {
        let (v, i) = (values.len(), ids.len());
        OutputTables {
            values: Tensor::from_data(TensorData::new(values, [v]), device),
            ids: Tensor::from_data(TensorData::new(ids, [i]), device),
        }
    }

    /// Negative sampling's noise distribution.
    pub fn negative(sampler: &NegativeSampler, device: &Device) -> Self {
        let (accept, alias) = sampler.tables();
        Self::from_host(accept, alias.iter().map(|&a| a as i32).collect(), device)
    }

    /// A noise distribution that always draws `word`: makes the fused step deterministic for
    /// tests.
    pub fn always(word: u32, device: &Device) -> Self {
        Self::from_host(vec![0.0], vec![word as i32], device)
    }

    /// Hierarchical softmax's paths.
    pub fn hierarchical(tree: &HuffmanTree, device: &Device) -> Self {
        let (ids, labels) = tree.tables();
        Self::from_host(labels, ids, device)
    }
}

/// Whether a step under `settings` on `device`, with `dim`-wide rows, runs the GPU's windowed
/// kernel: [`Batching::Window`] under plain SGD on a device with f32 atomic adds and the shared
/// memory for a window. The step decides the same way; this tells the run's log before it starts.
pub fn gpu_runs_windowed(device: &Device, dim: usize, settings: &Word2VecSettings) -> bool {
    #[cfg(cubecl_backend)]
    return cube::runs_on(device, dim, settings);
    #[cfg(not(cubecl_backend))]
    {
        let _ = (device, dim, settings);
        false
    }
}

/// Runs the fused step on whatever device the weights live on; returns the updated weights and
/// the chunk's loss tensor (still on the device: read it with [`read_word2vec_loss`] when needed).
pub fn word2vec_step(
    weights: Word2VecWeights,
    tokens: Tensor<1, Int>,
    tables: &OutputTables,
    locks: &Tensor<1>,
    settings: Word2VecSettings,
) -> (Word2VecWeights, Tensor<2>) {
    let (values, ids) = (
        tables.values.clone().into_dispatch(),
        tables.ids.clone().into_dispatch(),
    );
    let locks = locks.clone().into_dispatch();
    let (input, output) = (
        weights.input.into_dispatch(),
        weights.output.into_dispatch(),
    );
    let tokens = tokens.into_dispatch();
    match weights.state {
        None => {
            let (input, output, loss) = <Dispatch as Word2VecBackend>::word2vec_chunk(
                input, output, tokens, values, ids, locks, settings,
            );
            let weights = Word2VecWeights {
                input: Tensor::from_dispatch(input),
                output: Tensor::from_dispatch(output),
                state: None,
            };
            (weights, Tensor::from_dispatch(loss))
        }
        Some(state) => {
            let (input, output, input_state, output_state, loss) =
                <Dispatch as Word2VecBackend>::word2vec_chunk_stateful(
                    input,
                    output,
                    state.input.into_dispatch(),
                    state.output.into_dispatch(),
                    tokens,
                    values,
                    ids,
                    locks,
                    settings,
                );
            let weights = Word2VecWeights {
                input: Tensor::from_dispatch(input),
                output: Tensor::from_dispatch(output),
                state: Some(OptimizerState {
                    input: Tensor::from_dispatch(input_state),
                    output: Tensor::from_dispatch(output_state),
                }),
            };
            (weights, Tensor::from_dispatch(loss))
        }
    }
}

/// Reads back the loss tensors of [`word2vec_step`] in one transfer: each chunk is summed on the
/// device (its example count stays exact in f32), the chunks on the host in f64.
pub fn read_word2vec_loss(losses: Vec<Tensor<2>>) -> LossSum {
    chunk_rows(losses)
        .chunks_exact(2)
        .fold(LossSum::default(), |total, row| {
            total.plus(LossSum {
                sum: row[0] as f64,
                pairs: row[1].round() as u64,
            })
        })
}
