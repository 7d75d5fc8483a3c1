//! One example's output side on CubeCL backends, shared by the word-level per-pair kernel and the
//! subword one: the hidden layer (in shared memory) scored against a word's targets — the word
//! and its noise words, or the inner nodes of its Huffman path — each output row stepping from
//! the hidden layer as it is, while the hidden layer's own step gathers in `grad`.

use cubecl::prelude::*;

use super::args::StepArgs;
use super::device::{mix, noise_word, score_terms};
use super::rule::{Rule, count_row_step, step_weight};
use crate::kernels::cube::{UNITS, cube_sum};
use crate::kernels::word2vec::MAX_NOISE_REDRAWS;

/// Trains `hidden` to score `word` high and its noise words low (or to follow `word`'s path):
/// the output rows take their steps and `grad` is set to the hidden layer's (SGD: the rate in
/// it; a stateful rule: the negative gradient). `random` is the example's random state; with
/// `redraw` a noise word equal to `word` is drawn again (fastText's rule, the subword model's),
/// else skipped (word2vec's). Returns the loss (unit 0's; the others return 0) and the random
/// state after the draws.
#[cube]
#[allow(clippy::too_many_arguments)]
pub(super) fn train_targets(
    output: &mut Tensor<f32>,
    output_state: &mut Tensor<f32>,
    values: &Tensor<f32>,
    ids: &Tensor<i32>,
    hidden: &Shared<[f32]>,
    grad: &mut Shared<[f32]>,
    sums: &mut Shared<[f32]>,
    info: &mut Shared<[f32]>,
    word: usize,
    random: u32,
    lr: f32,
    unit: usize,
    args: &StepArgs,
    rule: &Rule,
    #[comptime] redraw: bool,
) -> (f32, u32) {
    let units = UNITS as usize;
    let rows = args.rows;
    let hierarchical = args.hierarchical;
    let dim_u = args.dim as usize;
    let stateful = rule.stateful;
    let width = rule.width as usize;
    let mut state = random;
    let mut loss_sum = 0.0f32;
    let mut d = unit;
    while d < dim_u {
        grad[d] = 0.0f32;
        d += units;
    }
    // Negative sampling: the word, then the noise words; hierarchical softmax: the inner nodes
    // on the word's path.
    let mut targets = args.negative + 1;
    let mut path = 0usize;
    if hierarchical {
        path = usize::cast_from(ids[word]);
        targets = u32::cast_from(ids[word + 1]) - u32::cast_from(path);
    }
    for t in 0..targets {
        let mut target = word;
        let mut label = 1.0f32;
        if hierarchical {
            let step = path + usize::cast_from(t);
            target = usize::cast_from(ids[usize::cast_from(rows) + 1 + step]);
            label = values[step];
        } else if t > 0 {
            state = mix(state + 0x9e37_79b9u32);
            let r_bucket = state;
            state = mix(state + 0x9e37_79b9u32);
            target = noise_word(values, ids, r_bucket, state);
            if redraw {
                let mut redraws = 0u32;
                while target == word && redraws < MAX_NOISE_REDRAWS {
                    state = mix(state + 0x9e37_79b9u32);
                    let r_bucket = state;
                    state = mix(state + 0x9e37_79b9u32);
                    target = noise_word(values, ids, r_bucket, state);
                    redraws += 1;
                }
            }
            label = 0.0f32;
        }
        if (hierarchical || t == 0 || target != word) && target < usize::cast_from(rows) {
            let out_base = target * dim_u;
            let mut partial = 0.0f32;
            let mut d = unit;
            while d < dim_u {
                partial += hidden[d] * output[out_base + d];
                d += units;
            }
            cube_sum(sums, unit, partial);
            let score = sums[0];
            sync_cube();
            let (f, g, loss) = score_terms(score, label);
            // Hierarchical softmax leaves a decided node alone (word2vec's MAX_EXP skip,
            // `model::SATURATED`).
            let mut update = true;
            if hierarchical && f32::abs(f) >= 6.0f32 {
                update = false;
            }
            if unit == 0 {
                loss_sum += loss;
            }
            if update {
                let state_base = target * width;
                count_row_step(
                    output,
                    output_state,
                    out_base,
                    state_base,
                    hidden,
                    -g,
                    info,
                    sums,
                    unit,
                    width,
                    dim_u,
                    rule,
                );
                let mut d = unit;
                while d < dim_u {
                    let u = output[out_base + d];
                    if stateful {
                        grad[d] += g * u;
                        let (at, s) = (out_base + d, state_base + d);
                        let gradient = -g * hidden[d];
                        step_weight(output, output_state, at, s, dim_u, gradient, lr, info, rule);
                    } else {
                        grad[d] += g * lr * u;
                        output[out_base + d] = u + g * lr * hidden[d];
                    }
                    d += units;
                }
            }
        }
    }
    (loss_sum, state)
}
