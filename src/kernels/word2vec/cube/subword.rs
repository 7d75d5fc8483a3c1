//! fastText's subword model on CubeCL backends (wgpu, cuda), every optimizer: the per-pair
//! kernel's layout — one cube of 32 units walks a span of centre positions, each unit owning the
//! dimensions d ≡ unit (mod 32) of every row — with a bag of input rows where a word had one
//! row. Skip-gram: the centre's bag (its row and its n-grams' rows) is averaged into the hidden
//! layer once a window, each context word in turn is the target, and the bag's rows gather the
//! window's steps and take them once at its end while the hidden layer follows each step as the
//! mean of the stepped rows would (`follows`, the CPU kernel's rule, see
//! `SubwordBags::follow`); CBOW: the hidden layer is the mean of every context word's bag rows,
//! and each of those rows takes its whole step.

use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::args::{StepArgs, StepArgsLaunch, StepTensors};
use super::device::{mix, window_range};
use super::rule::{Rule, rule_and_state, step_row};
use super::targets::train_targets;
use crate::kernels::cube::{MAX_GPU_DIM, UNITS, contiguous_f32, contiguous_i32, grid, span_range};
use crate::kernels::word2vec::{Batching, Word2VecSettings};

/// Adds the unit's dimensions of word `word`'s bag rows into `hidden`; returns how many rows
/// the bag holds. `bags` is `[offsets (words + 1) | rows]`.
#[cube]
fn add_bag(
    input: &mut Tensor<f32>,
    bags: &Tensor<i32>,
    hidden: &mut Shared<[f32]>,
    word: usize,
    words: usize,
    unit: usize,
    dim_u: usize,
) -> f32 {
    let first = usize::cast_from(bags[word]);
    let last = usize::cast_from(bags[word + 1]);
    for e in first..last {
        let base = usize::cast_from(bags[words + 1 + e]) * dim_u;
        let mut d = unit;
        while d < dim_u {
            hidden[d] += input[base + d];
            d += UNITS as usize;
        }
    }
    f32::cast_from(last - first)
}

/// Every entry of word `word`'s bag takes the hidden layer's step `grad` (a row twice in the bag,
/// twice), under the kernel's rule.
#[cube]
#[allow(clippy::too_many_arguments)]
fn step_bag(
    input: &mut Tensor<f32>,
    input_state: &mut Tensor<f32>,
    bags: &Tensor<i32>,
    grad: &Shared<[f32]>,
    info: &mut Shared<[f32]>,
    sums: &mut Shared<[f32]>,
    word: usize,
    words: usize,
    unit: usize,
    dim_u: usize,
    lr: f32,
    width: usize,
    rule: &Rule,
) {
    let first = usize::cast_from(bags[word]);
    let last = usize::cast_from(bags[word + 1]);
    for e in first..last {
        let row = usize::cast_from(bags[words + 1 + e]);
        step_row(
            input,
            input_state,
            grad,
            info,
            sums,
            row,
            unit,
            dim_u,
            lr,
            width,
            rule,
        );
    }
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn subword_kernel(
    input: &mut Tensor<f32>,
    output: &mut Tensor<f32>,
    tokens: &Tensor<i32>,
    // The output layer's tables (see `OutputTables`).
    values: &Tensor<f32>,
    ids: &Tensor<i32>,
    // The bags (`SubwordTables`): `[offsets | rows]`, and how far each word's mean follows a
    // step of its rows.
    bags: &Tensor<i32>,
    follow: &Tensor<f32>,
    loss: &mut Tensor<f32>,
    // The rule's state beside each matrix (one-element stand-ins under plain SGD).
    input_state: &mut Tensor<f32>,
    output_state: &mut Tensor<f32>,
    args: &StepArgs,
    rule: &Rule,
    // `dim` rounded up to the units: the shared rows' length.
    #[comptime] dim_cap: usize,
    // Skip-gram's hidden layer follows each pair's step (per-pair SGD), else the window is
    // scored from the rows as they were.
    #[comptime] follows: bool,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let rows = args.rows;
    let words = rows as usize;
    let cbow = args.cbow;
    let n = args.n_tokens as usize;
    let dim_u = args.dim as usize;
    let width = rule.width as usize;
    let (start, end) = span_range(slot, args.span, n);
    let mut sums = Shared::<[f32]>::new_slice(32usize);
    let mut grad = Shared::<[f32]>::new_slice(dim_cap);
    let mut hidden = Shared::<[f32]>::new_slice(dim_cap);
    // Skip-gram: the window's steps of the centre's bag.
    let mut gathered = Shared::<[f32]>::new_slice(dim_cap);
    let mut info = Shared::<[f32]>::new_slice(4usize);
    let mut loss_sum = 0.0f32;
    let mut pairs = 0.0f32;
    for i in start..end {
        let c = tokens[i];
        if c >= 0 && u32::cast_from(c) < rows {
            let mut state = mix(args.seed ^ mix(u32::cast_from(i) + 0x9e37_79b9u32));
            let b = 1 + state % args.window;
            let lr = args.lr_start + args.lr_step * f32::cast_from(i);
            let (lo, hi) = window_range(tokens, i, b, n);
            let center = usize::cast_from(c);
            let mut d = unit;
            while d < dim_u {
                hidden[d] = 0.0f32;
                gathered[d] = 0.0f32;
                d += units;
            }
            // The hidden layer: the centre's bag (skip-gram) or every context word's (CBOW).
            let mut count = 0.0f32;
            let mut contexts = 0u32;
            if cbow {
                for m in lo..hi + 1 {
                    let ctx = tokens[m];
                    if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                        let word = usize::cast_from(ctx);
                        count += add_bag(input, bags, &mut hidden, word, words, unit, dim_u);
                        contexts += 1;
                    }
                }
            } else {
                count = add_bag(input, bags, &mut hidden, center, words, unit, dim_u);
            }
            if (args.cbow_mean || !cbow) && count > 0.0f32 {
                let mut d = unit;
                while d < dim_u {
                    hidden[d] /= count;
                    d += units;
                }
            }
            if cbow {
                if contexts > 0 {
                    let (l, after) = train_targets(
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
                        true,
                    );
                    loss_sum += l;
                    state = after;
                    // Every row of every context word's bag takes the hidden layer's step (a
                    // row twice in the bag, twice).
                    for m in lo..hi + 1 {
                        let ctx = tokens[m];
                        if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                            step_bag(
                                input,
                                input_state,
                                bags,
                                &grad,
                                &mut info,
                                &mut sums,
                                usize::cast_from(ctx),
                                words,
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
            } else {
                let shift = follow[center];
                for m in lo..hi + 1 {
                    let ctx = tokens[m];
                    if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                        let (l, after) = train_targets(
                            output,
                            output_state,
                            values,
                            ids,
                            &hidden,
                            &mut grad,
                            &mut sums,
                            &mut info,
                            usize::cast_from(ctx),
                            state,
                            lr,
                            unit,
                            args,
                            rule,
                            true,
                        );
                        loss_sum += l;
                        state = after;
                        let mut d = unit;
                        while d < dim_u {
                            gathered[d] += grad[d];
                            if follows {
                                hidden[d] += shift * grad[d];
                            }
                            d += units;
                        }
                        contexts += 1;
                        pairs += 1.0f32;
                    }
                }
                if contexts > 0 {
                    step_bag(
                        input,
                        input_state,
                        bags,
                        &gathered,
                        &mut info,
                        &mut sums,
                        center,
                        words,
                        unit,
                        dim_u,
                        lr,
                        width,
                        rule,
                    );
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

/// Launches the kernel on `step` with the bags `bags` (`[offsets | rows]`) and `follow`;
/// `state` is the stateful optimizer's, or `None` for plain SGD. Returns the updated weights,
/// state and the loss.
pub(super) fn launch(
    step: StepTensors,
    bags: CubeTensor,
    follow: CubeTensor,
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
    // The CPU kernel's rule: per-pair SGD follows the mean; the stateful rules step each row
    // once on the window's gradient, scored from the rows as they were.
    let follows = !stateful && settings.batching == Batching::Pair;
    let args = StepArgsLaunch::of(&step, settings);
    subword_kernel::launch(
        &step.input.client,
        grid(step.slots),
        CubeDim::new_1d(UNITS),
        step.input.clone().into_tensor_arg(),
        step.output.clone().into_tensor_arg(),
        step.tokens.into_tensor_arg(),
        step.values.into_tensor_arg(),
        step.ids.into_tensor_arg(),
        contiguous_i32(bags).into_tensor_arg(),
        contiguous_f32(follow).into_tensor_arg(),
        step.loss.clone().into_tensor_arg(),
        input_state.clone().into_tensor_arg(),
        output_state.clone().into_tensor_arg(),
        args,
        rule,
        dim.next_multiple_of(UNITS as usize),
        follows,
    );
    (
        step.input,
        step.output,
        stateful.then_some((input_state, output_state)),
        step.loss,
    )
}
