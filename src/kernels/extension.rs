//! The fused skip-gram negative-sampling step as a Burn backend extension: one operation, one
//! implementation per backend (the Hogwild CPU kernel on Flex, a CubeCL kernel on wgpu and cuda),
//! reached from any `Device` through Burn's dispatch, so the training loop is written once.

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::prelude::*;

use super::chunk::{ChunkLoss, ChunkSettings, spans};

#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn fused_loss_spec(
    tokens: &burn::backend::fusion::custom::TensorSpec,
    settings: &ChunkSettings,
) -> burn::backend::fusion::custom::TensorSpec {
    burn::backend::fusion::custom::TensorSpec::new(
        [spans(tokens.shape.num_elements(), settings).1, 2].into(),
        burn::tensor::DType::F32,
    )
}

/// Backends that can run the fused step.
#[backend_extension(
    Flex: cfg(feature = "flex"),
    Cube: cfg(any(feature = "wgpu", feature = "cuda")),
    Fusion: cfg(any(feature = "wgpu", feature = "cuda"))
)]
pub trait SgnsBackend: Backend {
    /// Trains skip-gram with negative sampling on one chunk of sentences, in place where the
    /// backend allows it. `input` and `output` are the [vocab, dim] input and output vectors,
    /// `tokens` the chunk (word ids, sentences separated by `SENTENCE_END`), `accept` and
    /// `alias` the noise distribution's alias tables. Returns the updated vectors and the
    /// [`spans`] × 2 loss tensor of (loss sum, examples) rows.
    #[fusion(meta = |input, output, tokens, _accept, _alias, settings| (
        input.clone(),
        output.clone(),
        fused_loss_spec(tokens, settings),
    ))]
    fn sgns_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        accept: FloatTensor<Self>,
        alias: IntTensor<Self>,
        settings: ChunkSettings,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);

    /// The same step with row-sparse AdaGrad: `input_sq` and `output_sq` hold the squared
    /// gradient sums of every weight and come back updated with the vectors and the loss.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    #[fusion(meta = |input, output, input_sq, output_sq, tokens, _accept, _alias, settings| (
        input.clone(),
        output.clone(),
        input_sq.clone(),
        output_sq.clone(),
        fused_loss_spec(tokens, settings),
    ))]
    fn sgns_chunk_adagrad(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_sq: FloatTensor<Self>,
        output_sq: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        accept: FloatTensor<Self>,
        alias: IntTensor<Self>,
        settings: ChunkSettings,
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
/// [vocab, dim], with AdaGrad's squared-gradient sums when the step is AdaGrad's.
pub struct SgnsWeights {
    pub input: Tensor<2>,
    pub output: Tensor<2>,
    pub adagrad: Option<AdaGradSums>,
}

/// AdaGrad's state: the squared gradients summed per weight, shaped as the vectors.
pub struct AdaGradSums {
    pub input: Tensor<2>,
    pub output: Tensor<2>,
}

impl AdaGradSums {
    /// Sums that start at zero, as Burn's AdaGrad's do.
    pub fn zeros(shape: [usize; 2], device: &Device) -> Self {
        AdaGradSums {
            input: Tensor::zeros(shape, device),
            output: Tensor::zeros(shape, device),
        }
    }
}

/// The noise distribution (unigram^0.75) as alias tables on the training device.
#[derive(Clone)]
pub struct NoiseOnDevice {
    accept: Tensor<1>,
    alias: Tensor<1, Int>,
}

impl NoiseOnDevice {
    pub fn new(sampler: &crate::sampling::NegativeSampler, device: &Device) -> Self {
        let (accept, alias) = sampler.tables();
        let n = accept.len();
        let alias: Vec<i32> = alias.iter().map(|&a| a as i32).collect();
        NoiseOnDevice {
            accept: Tensor::from_data(TensorData::new(accept, [n]), device),
            alias: Tensor::from_data(TensorData::new(alias, [n]), device),
        }
    }

    /// A distribution that always draws `word`: makes the fused step deterministic for tests.
    pub fn always(word: u32, device: &Device) -> Self {
        NoiseOnDevice {
            accept: Tensor::from_data(TensorData::new(vec![0.0f32], [1]), device),
            alias: Tensor::from_data(TensorData::new(vec![word as i32], [1]), device),
        }
    }
}

/// Runs the fused step on whatever device the weights live on; returns the updated weights and
/// the chunk's loss tensor (still on the device: read it with [`read_loss`] when needed).
pub fn sgns_step(
    weights: SgnsWeights,
    tokens: Tensor<1, Int>,
    noise: &NoiseOnDevice,
    settings: ChunkSettings,
) -> (SgnsWeights, Tensor<2>) {
    let (accept, alias) = (
        noise.accept.clone().into_dispatch(),
        noise.alias.clone().into_dispatch(),
    );
    let (input, output) = (
        weights.input.into_dispatch(),
        weights.output.into_dispatch(),
    );
    let tokens = tokens.into_dispatch();
    match weights.adagrad {
        None => {
            let (input, output, loss) = <Dispatch as SgnsBackend>::sgns_chunk(
                input, output, tokens, accept, alias, settings,
            );
            let weights = SgnsWeights {
                input: Tensor::from_dispatch(input),
                output: Tensor::from_dispatch(output),
                adagrad: None,
            };
            (weights, Tensor::from_dispatch(loss))
        }
        Some(sums) => {
            let (input, output, input_sq, output_sq, loss) =
                <Dispatch as SgnsBackend>::sgns_chunk_adagrad(
                    input,
                    output,
                    sums.input.into_dispatch(),
                    sums.output.into_dispatch(),
                    tokens,
                    accept,
                    alias,
                    settings,
                );
            let weights = SgnsWeights {
                input: Tensor::from_dispatch(input),
                output: Tensor::from_dispatch(output),
                adagrad: Some(AdaGradSums {
                    input: Tensor::from_dispatch(input_sq),
                    output: Tensor::from_dispatch(output_sq),
                }),
            };
            (weights, Tensor::from_dispatch(loss))
        }
    }
}

/// Reads back the loss tensors of [`sgns_step`] in one transfer: each chunk is summed on the
/// device (its example count stays exact in f32), the chunks on the host in f64.
pub fn read_loss(losses: Vec<Tensor<2>>) -> ChunkLoss {
    chunk_rows(losses)
        .chunks_exact(2)
        .fold(ChunkLoss::default(), |total, row| {
            total.plus(ChunkLoss {
                sum: row[0] as f64,
                pairs: row[1].round() as u64,
            })
        })
}

/// Several steps' loss tensors in one transfer: each chunk's rows summed on the device (example
/// counts stay exact in f32), one summed row per chunk, row-major on the host.
pub(super) fn chunk_rows(losses: Vec<Tensor<2>>) -> Vec<f32> {
    if losses.is_empty() {
        return Vec::new();
    }
    let per_chunk = Tensor::cat(losses.into_iter().map(|l| l.sum_dim(0)).collect(), 0);
    crate::model::to_host(per_chunk)
}

#[cfg(feature = "flex")]
pub(super) mod flex {
    use std::borrow::Cow;

    use burn::backend::Flex;
    use burn::tensor::{DType, TensorData};
    use burn_flex::FlexTensor;

    use super::super::chunk::{ChunkSettings, spans};
    use super::super::cpu::{NoiseTables, SquareSums, train_chunk};
    use super::SgnsBackend;

    /// Whether the tensor's storage is exactly its elements, in order (no view, no offset).
    fn whole_storage(tensor: &FlexTensor) -> bool {
        tensor.is_contiguous()
            && tensor.layout().contiguous_offsets() == Some((0, tensor.layout().num_elements()))
    }

    /// A contiguous, uniquely owned f32 tensor whose storage can be updated in place.
    pub(in crate::kernels) fn owned_f32(tensor: FlexTensor) -> FlexTensor {
        if tensor.dtype() == DType::F32 && whole_storage(&tensor) {
            tensor
        } else {
            FlexTensor::from_data(tensor.into_data().convert::<f32>())
        }
    }

    /// The ids as i32, borrowed when the tensor already holds them so (no copy per chunk).
    pub(in crate::kernels) fn ids(tensor: &FlexTensor) -> Cow<'_, [i32]> {
        match tensor.dtype() {
            DType::I32 if whole_storage(tensor) => Cow::Borrowed(tensor.storage::<i32>()),
            _ => Cow::Owned(
                tensor
                    .clone()
                    .into_data()
                    .convert::<i32>()
                    .try_into_vec::<i32>()
                    .expect("integer ids convert to i32"),
            ),
        }
    }

    /// Runs the CPU kernel on the tensors' own memory; returns the loss tensor.
    fn run(
        input: &mut FlexTensor,
        output: &mut FlexTensor,
        sums: Option<(&mut FlexTensor, &mut FlexTensor)>,
        tokens: &FlexTensor,
        accept: FlexTensor,
        alias: &FlexTensor,
        settings: &ChunkSettings,
    ) -> FlexTensor {
        let dim = input.layout().shape()[1];
        let tokens = ids(tokens);
        let accept = owned_f32(accept);
        let alias = ids(alias);
        let sums = sums.map(|(i, o)| SquareSums {
            input: i.storage_mut::<f32>(),
            output: o.storage_mut::<f32>(),
        });
        let loss = train_chunk(
            input.storage_mut::<f32>(),
            output.storage_mut::<f32>(),
            sums,
            dim,
            &tokens,
            NoiseTables {
                accept: accept.storage::<f32>(),
                alias: &alias,
            },
            settings,
        );
        let mut rows = vec![0.0f32; spans(tokens.len(), settings).1 * 2];
        rows[0] = loss.sum as f32;
        rows[1] = loss.pairs as f32;
        let n = rows.len() / 2;
        FlexTensor::from_data(TensorData::new(rows, [n, 2]))
    }

    impl SgnsBackend for Flex {
        fn sgns_chunk(
            input: FlexTensor,
            output: FlexTensor,
            tokens: FlexTensor,
            accept: FlexTensor,
            alias: FlexTensor,
            settings: ChunkSettings,
        ) -> (FlexTensor, FlexTensor, FlexTensor) {
            let (mut input, mut output) = (owned_f32(input), owned_f32(output));
            let loss = run(
                &mut input,
                &mut output,
                None,
                &tokens,
                accept,
                &alias,
                &settings,
            );
            (input, output, loss)
        }

        fn sgns_chunk_adagrad(
            input: FlexTensor,
            output: FlexTensor,
            input_sq: FlexTensor,
            output_sq: FlexTensor,
            tokens: FlexTensor,
            accept: FlexTensor,
            alias: FlexTensor,
            settings: ChunkSettings,
        ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
            let (mut input, mut output) = (owned_f32(input), owned_f32(output));
            let (mut input_sq, mut output_sq) = (owned_f32(input_sq), owned_f32(output_sq));
            let loss = run(
                &mut input,
                &mut output,
                Some((&mut input_sq, &mut output_sq)),
                &tokens,
                accept,
                &alias,
                &settings,
            );
            (input, output, input_sq, output_sq, loss)
        }
    }
}
