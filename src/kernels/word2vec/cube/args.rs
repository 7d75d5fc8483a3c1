//! What a CubeCL word2vec launch hands its kernel besides the tensors, as launch structs (Burn's
//! way): the step's tensors made contiguous with the numbers derived from them ([`StepTensors`]),
//! the chunk's scalars and the model's compiled-in flags ([`StepArgs`]).

use burn::tensor::DType;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::super::{Word2VecSettings, spans};
use crate::kernels::cube::{contiguous_f32, contiguous_i32};
use crate::model::Architecture;

/// The chunk's numbers, read at run time, and the model's flags, compiled in (a kernel per
/// model, so the loops carry no branch they never take).
#[derive(CubeLaunch, CubeType)]
pub(super) struct StepArgs {
    // Positions in the chunk.
    pub n_tokens: u32,
    // Words: the output matrix's rows, and the input's first rows.
    pub rows: u32,
    pub dim: u32,
    // Largest half-width of the dynamic window.
    pub window: u32,
    // Noise words per example.
    pub negative: u32,
    // The rate at the chunk's first position, and its change per position.
    pub lr_start: f32,
    pub lr_step: f32,
    // The chunk's 32-bit seed.
    pub seed: u32,
    // Positions per cube.
    pub span: u32,
    // CBOW (else skip-gram), and whether it averages its context rows (else sums them).
    #[cube(comptime)]
    pub cbow: bool,
    #[cube(comptime)]
    pub cbow_mean: bool,
    // Hierarchical softmax (else negative sampling): the output rows are the path's nodes.
    #[cube(comptime)]
    pub hierarchical: bool,
    // Input rows whose lock is 0 take no step.
    #[cube(comptime)]
    pub lock_rows: bool,
}

impl StepArgsLaunch {
    // The arguments of a step on `step`'s tensors under `settings`.
    pub(super) fn of(step: &StepTensors, settings: &Word2VecSettings) -> Self {
        StepArgsLaunch {
            n_tokens: step.n as u32,
            rows: step.rows as u32,
            dim: step.dim as u32,
            window: settings.window.max(1),
            negative: settings.negative,
            lr_start: settings.lr_start,
            lr_step: step.lr_step,
            seed: step.seed,
            span: step.span as u32,
            cbow: matches!(settings.architecture, Architecture::Cbow { .. }),
            cbow_mean: matches!(settings.architecture, Architecture::Cbow { mean: true }),
            hierarchical: settings.hierarchical,
            lock_rows: settings.lock_rows,
        }
    }
}

/// A step's tensors as the kernels index them (contiguous f32 and i32), and what every launch
/// derives from them and the settings.
pub(super) struct StepTensors {
    pub input: CubeTensor,
    pub output: CubeTensor,
    pub tokens: CubeTensor,
    pub values: CubeTensor,
    pub ids: CubeTensor,
    pub locks: CubeTensor,
    pub rows: usize,
    pub dim: usize,
    // Positions in the chunk.
    pub n: usize,
    // Positions per cube, and cubes (see `spans`).
    pub span: usize,
    pub slots: usize,
    // The [`spans`] × 2 loss rows the kernel fills.
    pub loss: CubeTensor,
    // The rate's change per position, and the chunk's 32-bit seed.
    pub lr_step: f32,
    pub seed: u32,
}

impl StepTensors {
    pub fn new(
        input: CubeTensor,
        output: CubeTensor,
        tokens: CubeTensor,
        values: CubeTensor,
        ids: CubeTensor,
        locks: CubeTensor,
        settings: &Word2VecSettings,
    ) -> Self {
        let (input, output) = (contiguous_f32(input), contiguous_f32(output));
        let (tokens, ids) = (contiguous_i32(tokens), contiguous_i32(ids));
        let (values, locks) = (contiguous_f32(values), contiguous_f32(locks));
        let shape = input.meta.shape().clone();
        // The words: the output's rows (the subword model's input has its buckets' rows too).
        let rows = output.meta.shape()[0];
        let n = tokens.meta.shape().num_elements();
        let (span, slots) = spans(n, settings);
        StepTensors {
            loss: empty_like(&input, [slots, 2]),
            input,
            output,
            tokens,
            values,
            ids,
            locks,
            rows,
            dim: shape[1],
            n,
            span,
            slots,
            lr_step: (settings.lr_end - settings.lr_start) / n.max(1) as f32,
            seed: (settings.seed ^ (settings.seed >> 32)) as u32,
        }
    }

    // An uninitialised f32 tensor on the step's device.
    pub fn empty(&self, shape: [usize; 2]) -> CubeTensor {
        empty_like(&self.input, shape)
    }
}

/// An uninitialised f32 tensor of `shape` on `tensor`'s device.
fn empty_like(tensor: &CubeTensor, shape: [usize; 2]) -> CubeTensor {
    empty_device_dtype(
        tensor.client.clone(),
        tensor.device.clone(),
        shape.into(),
        DType::F32,
    )
}
