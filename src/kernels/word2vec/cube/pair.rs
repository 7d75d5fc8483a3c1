//! The per-pair step on CubeCL backends (wgpu, cuda), every optimizer: one cube of 32 units walks
//! a span of centre positions in order ([`span_range`]), the units splitting each vector's
//! dimensions between them, so every row is read and written in coalesced 128-byte runs.
//! Thousands of cubes run at once and update rows without locks or atomics (Hogwild on the GPU: a
//! conflicting write loses one sparse update, it never sums hundreds of them, which is what makes
//! large batches of word2vec-rate updates diverge). Windows and negatives are drawn on the device
//! from a hash of (seed, position), so nothing but the chunk of word ids crosses the bus.

use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::args::{StepArgs, StepArgsLaunch, StepTensors};
use super::device::{mix, window_range};
use super::rule::{Rule, rule_and_state, step_row};
use super::targets::train_targets;
use crate::kernels::cube::{MAX_GPU_DIM, UNITS, grid, span_range};
use crate::kernels::word2vec::Word2VecSettings;

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn pair_kernel(
    input: &mut Tensor<f32>,
    output: &mut Tensor<f32>,
    tokens: &Tensor<i32>,
    // The output layer's tables (see `OutputTables`): the noise's acceptance probabilities
    // and aliases, or the Huffman paths' labels and their offsets then nodes.
    values: &Tensor<f32>,
    ids: &Tensor<i32>,
    // 0 for each input row that stays as it is (`lock_rows`).
    locks: &Tensor<f32>,
    loss: &mut Tensor<f32>,
    // The rule's state beside each matrix (one-element stand-ins under plain SGD).
    input_state: &mut Tensor<f32>,
    output_state: &mut Tensor<f32>,
    args: &StepArgs,
    rule: &Rule,
    // `dim` rounded up to the units: the shared rows' length.
    #[comptime] dim_cap: usize,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let rows = args.rows;
    let window = args.window;
    let cbow = args.cbow;
    let cbow_mean = args.cbow_mean;
    let lock_rows = args.lock_rows;
    let n = args.n_tokens as usize;
    let dim_u = args.dim as usize;
    let (start, end) = span_range(slot, args.span, n);
    let mut sums = Shared::<[f32]>::new_slice(32usize);
    let mut grad = Shared::new_slice(dim_cap);
    let mut hidden = Shared::<[f32]>::new_slice(dim_cap);
    let mut info = Shared::<[f32]>::new_slice(4usize);
    let width = rule.width as usize;
    let mut loss_sum = 0.0f32;
    let mut pairs = 0.0f32;
    for i in start..end {
        let c = tokens[i];
        if c >= 0 && u32::cast_from(c) < rows {
            let mut state = mix(args.seed ^ mix(u32::cast_from(i) + 0x9e37_79b9u32));
            let b = 1 + state % window;
            let lr = args.lr_start + args.lr_step * f32::cast_from(i);
            let (lo, hi) = window_range(tokens, i, b, n);
            let center = usize::cast_from(c);
            // Examples of this centre: skip-gram makes one per context word (whose row is the
            // hidden layer), CBOW one for the whole window (the rows' mean or sum). The hidden
            // layer sits in shared memory; each unit owns the dimensions d ≡ unit (mod 32) of it
            // and of the gradient, so only the dot products need the cube to meet.
            let mut j = lo;
            let mut more = true;
            while more {
                let mut have = false;
                let mut row_base = 0usize;
                // Skip-gram: the position of the context word whose row is the hidden layer.
                let mut row_pos = n;
                if cbow {
                    // Skip-gram overwrites its hidden layer with a row; CBOW sums into it.
                    let mut d = unit;
                    while d < dim_u {
                        hidden[d] = 0.0f32;
                        d += units;
                    }
                    let mut count = 0.0f32;
                    for m in lo..hi + 1 {
                        let ctx = tokens[m];
                        if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                            let base = usize::cast_from(ctx) * dim_u;
                            let mut d = unit;
                            while d < dim_u {
                                hidden[d] += input[base + d];
                                d += units;
                            }
                            count += 1.0f32;
                        }
                    }
                    if cbow_mean && count > 0.0f32 {
                        let mut d = unit;
                        while d < dim_u {
                            hidden[d] /= count;
                            d += units;
                        }
                    }
                    have = count > 0.0f32;
                    more = false;
                } else {
                    while !have && j <= hi {
                        let ctx = tokens[j];
                        if j != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                            row_base = usize::cast_from(ctx) * dim_u;
                            row_pos = j;
                            have = true;
                        }
                        j += 1;
                    }
                    more = have;
                    if have {
                        let mut d = unit;
                        while d < dim_u {
                            hidden[d] = input[row_base + d];
                            d += units;
                        }
                    }
                }
                if have {
                    let (loss, after) = train_targets(
                        output,
                        output_state,
                        values,
                        ids,
                        &hidden,
                        &mut grad,
                        &mut sums,
                        &mut info,
                        center,
                        state,
                        lr,
                        unit,
                        args,
                        rule,
                        false,
                    );
                    loss_sum += loss;
                    state = after;
                    // The hidden layer's step goes to its row (skip-gram: the context at
                    // `row_pos`) or, whole, to every context row (CBOW, as word2vec).
                    for m in lo..hi + 1 {
                        let ctx = tokens[m];
                        let mut take = m == row_pos;
                        if cbow {
                            take = m != i && ctx >= 0 && u32::cast_from(ctx) < rows;
                        }
                        if lock_rows && take {
                            take = locks[usize::cast_from(ctx)] != 0.0f32;
                        }
                        if take {
                            step_row(
                                input,
                                input_state,
                                &grad,
                                &mut info,
                                &mut sums,
                                usize::cast_from(ctx),
                                unit,
                                dim_u,
                                lr,
                                width,
                                rule,
                            );
                        }
                    }
                    pairs += 1.0f32;
                }
            }
        }
    }
    // The grid may hold a few cubes past the last slot.
    if unit == 0 && slot * 2 < loss.len() {
        loss[slot * 2] = loss_sum;
        loss[slot * 2 + 1] = pairs;
    }
}

/// Launches the kernel on `step`; `state` is the stateful optimizer's, or `None` for plain SGD.
/// Returns the updated weights, state and the loss.
pub(super) fn launch(
    step: StepTensors,
    state: Option<(CubeTensor, CubeTensor)>,
    settings: &Word2VecSettings,
) -> (
    CubeTensor,
    CubeTensor,
    Option<(CubeTensor, CubeTensor)>,
    CubeTensor,
) {
    let dim = step.dim;
    assert!(
        dim <= MAX_GPU_DIM,
        "the GPU kernel handles dim ≤ {MAX_GPU_DIM}"
    );
    let stateful = state.is_some();
    let (rule, input_state, output_state) = rule_and_state(&step, state, settings);
    let args = StepArgsLaunch::of(&step, settings);
    pair_kernel::launch(
        &step.input.client,
        grid(step.slots),
        CubeDim::new_1d(UNITS),
        step.input.clone().into_tensor_arg(),
        step.output.clone().into_tensor_arg(),
        step.tokens.into_tensor_arg(),
        step.values.into_tensor_arg(),
        step.ids.into_tensor_arg(),
        step.locks.into_tensor_arg(),
        step.loss.clone().into_tensor_arg(),
        input_state.clone().into_tensor_arg(),
        output_state.clone().into_tensor_arg(),
        args,
        rule,
        dim.next_multiple_of(UNITS as usize),
    );
    (
        step.input,
        step.output,
        stateful.then_some((input_state, output_state)),
        step.loss,
    )
}
