//! The stateful row-sparse rules on a GPU (see [`FusedOptimizer`]): the rule as its launch struct
//! ([`Rule`]: its numbers at run time, which rule it is compiled in) and the device functions that
//! step a row's weights and state under it.

use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::args::StepTensors;
use crate::kernels::cube::{UNITS, contiguous_f32, cube_sum};
use crate::kernels::optimizer::FusedOptimizer;
use crate::kernels::word2vec::Word2VecSettings;

/// A stateful rule as the kernel runs it: its numbers — AdaGrad and row-wise AdaGrad: ε; Adam
/// and row-wise Adam: β₁ (`p1`), β₂ (`p2`), ε; RMSProp: α (`p1`), ε, momentum; SGD with momentum: dampening (`p1`), momentum;
/// weight decay for all (decoupled for AdamW) — the floats each row's state holds (`width`),
/// and, compiled in, which rule it is (none: plain SGD, the state never touched).
#[derive(CubeLaunch, CubeType, Clone, Copy)]
pub(super) struct Rule {
    pub p1: f32,
    pub p2: f32,
    pub epsilon: f32,
    pub weight_decay: f32,
    pub momentum: f32,
    pub width: u32,
    #[cube(comptime)]
    pub adagrad: bool,
    #[cube(comptime)]
    pub adam: bool,
    #[cube(comptime)]
    pub decoupled: bool,
    #[cube(comptime)]
    pub rmsprop: bool,
    #[cube(comptime)]
    pub sgd_momentum: bool,
    #[cube(comptime)]
    pub rowwise_adagrad: bool,
    #[cube(comptime)]
    pub rowwise_adam: bool,
    /// Any rule but plain SGD: the rows carry state.
    #[cube(comptime)]
    pub stateful: bool,
}

/// What a launch hands its kernel for the rows' rule: the rule, and the state beside the input
/// and output matrices — the optimizer's, or one-element stand-ins under plain SGD, whose rows
/// carry none.
pub(super) fn rule_and_state(
    step: &StepTensors,
    state: Option<(CubeTensor, CubeTensor)>,
    settings: &Word2VecSettings,
) -> (RuleLaunch, CubeTensor, CubeTensor) {
    match state {
        Some((input, output)) => (
            RuleLaunch::of(
                &settings.optimizer,
                settings.optimizer.state_width(step.dim),
            ),
            contiguous_f32(input),
            contiguous_f32(output),
        ),
        None => (
            RuleLaunch::of(&FusedOptimizer::Sgd, 0),
            step.empty([1, 1]),
            step.empty([1, 1]),
        ),
    }
}

impl RuleLaunch {
    /// `optimizer` as the kernel takes it, for rows whose state is `width` floats wide.
    pub(super) fn of(optimizer: &FusedOptimizer, width: usize) -> Self {
        let none = RuleLaunch {
            p1: 0.0,
            p2: 0.0,
            epsilon: 0.0,
            weight_decay: 0.0,
            momentum: 0.0,
            width: width.max(1) as u32,
            adagrad: false,
            adam: false,
            decoupled: false,
            rmsprop: false,
            sgd_momentum: false,
            rowwise_adagrad: false,
            rowwise_adam: false,
            stateful: *optimizer != FusedOptimizer::Sgd,
        };
        match *optimizer {
            FusedOptimizer::Sgd => none,
            FusedOptimizer::AdaGrad {
                epsilon,
                weight_decay,
            } => RuleLaunch {
                adagrad: true,
                epsilon,
                weight_decay,
                ..none
            },
            FusedOptimizer::Adam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
                decoupled,
            } => RuleLaunch {
                adam: true,
                decoupled,
                p1: beta1,
                p2: beta2,
                epsilon,
                weight_decay,
                ..none
            },
            FusedOptimizer::RmsProp {
                alpha,
                momentum,
                epsilon,
                weight_decay,
            } => RuleLaunch {
                rmsprop: true,
                p1: alpha,
                epsilon,
                weight_decay,
                momentum,
                ..none
            },
            FusedOptimizer::Momentum {
                momentum,
                dampening,
                weight_decay,
            } => RuleLaunch {
                sgd_momentum: true,
                p1: dampening,
                weight_decay,
                momentum,
                ..none
            },
            FusedOptimizer::RowAdaGrad {
                epsilon,
                weight_decay,
            } => RuleLaunch {
                rowwise_adagrad: true,
                epsilon,
                weight_decay,
                ..none
            },
            FusedOptimizer::RowAdam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => RuleLaunch {
                rowwise_adam: true,
                p1: beta1,
                p2: beta2,
                epsilon,
                weight_decay,
                ..none
            },
        }
    }
}

/// Unit 0 moves a row's per-row counters (the last floats of its state) one step on and shares
/// what the row's update needs — Adam's bias corrections, whether it is the row's first step
/// (momentum), a row-wise rule's denominator from the row's `mean_square` gradient — through
/// `info`; every unit reads it after the barrier. Runs only for the rules that count steps.
#[cube]
#[allow(clippy::too_many_arguments)]
fn count_step(
    state: &mut Tensor<f32>,
    state_base: usize,
    info: &mut Shared<[f32]>,
    unit: usize,
    width: usize,
    dim: usize,
    mean_square: f32,
    rule: &Rule,
) {
    let adam = rule.adam || rule.rowwise_adam;
    let beta1 = rule.p1;
    let beta2 = rule.p2;
    if rule.rowwise_adagrad {
        sync_cube();
        if unit == 0 {
            let sum = state[state_base] + mean_square;
            state[state_base] = sum;
            info[3] = f32::sqrt(sum) + rule.epsilon;
        }
        sync_cube();
    }
    if adam || rule.sgd_momentum {
        // Every unit is done with the previous row's `info`.
        sync_cube();
        if unit == 0 {
            if adam {
                // βᵗ for this row's t, one step on (see `FusedOptimizer`).
                let at = state_base + width - 2;
                let mut p1 = beta1;
                let mut p2 = beta2;
                // Powers stop below 1e-9, where 1 − βᵗ is 1 (see `FusedOptimizer`).
                if state[at] != 0.0f32 {
                    p1 = state[at];
                    if p1 >= 1e-9f32 {
                        p1 *= beta1;
                    }
                }
                if state[at + 1] != 0.0f32 {
                    p2 = state[at + 1];
                    if p2 >= 1e-9f32 {
                        p2 *= beta2;
                    }
                }
                state[at] = p1;
                state[at + 1] = p2;
                let correction2 = f32::sqrt(1.0f32 - p2);
                info[0] = correction2 / (1.0f32 - p1);
                info[1] = correction2;
                if rule.rowwise_adam {
                    // The row's one second moment sits after its first moments.
                    let v = state[state_base + dim] * beta2 + mean_square * (1.0f32 - beta2);
                    state[state_base + dim] = v;
                    info[3] = f32::sqrt(v) + rule.epsilon * correction2;
                }
            } else {
                let at = state_base + width - 1;
                info[2] = 0.0f32;
                if state[at] == 0.0f32 {
                    info[2] = 1.0f32;
                }
                state[at] = 1.0f32;
            }
        }
        sync_cube();
    }
}

/// One weight's step for gradient `g` (before weight decay) under a stateful rule, its state at
/// `s` (first slot) and `s + dim` (second slot).
#[cube]
#[allow(clippy::too_many_arguments)]
pub(super) fn step_weight(
    weights: &mut Tensor<f32>,
    state: &mut Tensor<f32>,
    at: usize,
    s: usize,
    dim: usize,
    gradient: f32,
    lr: f32,
    info: &mut Shared<[f32]>,
    rule: &Rule,
) {
    let (p1, p2, epsilon) = (rule.p1, rule.p2, rule.epsilon);
    let (weight_decay, momentum) = (rule.weight_decay, rule.momentum);
    let decoupled = rule.decoupled;
    let w = weights[at];
    let g = row_gradient(w, gradient, rule);
    if rule.adagrad {
        let sum = state[s] + g * g;
        state[s] = sum;
        weights[at] = w - lr * g / (f32::sqrt(sum) + epsilon);
    }
    if rule.adam {
        let m = state[s] * p1 + g * (1.0f32 - p1);
        let v = state[s + dim] * p2 + g * g * (1.0f32 - p2);
        state[s] = m;
        state[s + dim] = v;
        let step = m * info[0] / (f32::sqrt(v) + epsilon * info[1]);
        let mut decay = 1.0f32;
        if decoupled {
            decay = 1.0f32 - lr * weight_decay;
        }
        weights[at] = w * decay - step * lr;
    }
    if rule.rmsprop {
        let avg = state[s] * p1 + g * g * (1.0f32 - p1);
        state[s] = avg;
        let mut step = g / (f32::sqrt(avg) + epsilon);
        if momentum > 0.0f32 {
            step += state[s + dim] * momentum;
            state[s + dim] = step;
        }
        weights[at] = w - step * lr;
    }
    if rule.rowwise_adagrad {
        weights[at] = w - lr * g / info[3];
    }
    if rule.rowwise_adam {
        let m = state[s] * p1 + g * (1.0f32 - p1);
        state[s] = m;
        weights[at] = w - lr * info[0] * m / info[3];
    }
    if rule.sgd_momentum {
        let mut velocity = g;
        if info[2] == 0.0f32 {
            velocity = g * (1.0f32 - p1) + state[s] * momentum;
        }
        state[s] = velocity;
        weights[at] = w - velocity * lr;
    }
}

/// [`count_step`] for the row at `base` of `weights` (its state at `state_base`), whose gradient
/// is `scale`·`source`: a row-wise rule's one statistic, the mean over the row of the gradient's
/// squares (with the weight decay it adds), is summed across the cube first.
#[cube]
#[allow(clippy::too_many_arguments)]
pub(super) fn count_row_step(
    weights: &mut Tensor<f32>,
    state: &mut Tensor<f32>,
    base: usize,
    state_base: usize,
    source: &Shared<[f32]>,
    scale: f32,
    info: &mut Shared<[f32]>,
    sums: &mut Shared<[f32]>,
    unit: usize,
    width: usize,
    dim_u: usize,
    rule: &Rule,
) {
    let mut mean_square = 0.0f32;
    if rule.rowwise_adagrad || rule.rowwise_adam {
        let mut partial = 0.0f32;
        let mut d = unit;
        while d < dim_u {
            let g = row_gradient(weights[base + d], scale * source[d], rule);
            partial += g * g;
            d += UNITS as usize;
        }
        cube_sum(sums, unit, partial);
        mean_square = sums[0] / f32::cast_from(dim_u);
    }
    count_step(
        state,
        state_base,
        info,
        unit,
        width,
        dim_u,
        mean_square,
        rule,
    );
}

/// Adds an input row's step, the unit's dimensions of it: `grad` itself (SGD, already scaled by
/// the rate) or the stateful rule's step for the gradient −`grad`.
#[cube]
#[allow(clippy::too_many_arguments)]
pub(super) fn step_row(
    input: &mut Tensor<f32>,
    input_state: &mut Tensor<f32>,
    grad: &Shared<[f32]>,
    info: &mut Shared<[f32]>,
    sums: &mut Shared<[f32]>,
    row: usize,
    unit: usize,
    dim_u: usize,
    lr: f32,
    width: usize,
    rule: &Rule,
) {
    let base = row * dim_u;
    let state_base = row * width;
    count_row_step(
        input,
        input_state,
        base,
        state_base,
        grad,
        -1.0f32,
        info,
        sums,
        unit,
        width,
        dim_u,
        rule,
    );
    let stateful = rule.stateful;
    let mut d = unit;
    while d < dim_u {
        if stateful {
            let (at, s) = (base + d, state_base + d);
            step_weight(input, input_state, at, s, dim_u, -grad[d], lr, info, rule);
        } else {
            input[base + d] += grad[d];
        }
        d += UNITS as usize;
    }
}

/// A weight's gradient with the L2 weight decay a (not decoupled) rule adds to it.
#[cube]
fn row_gradient(w: f32, gradient: f32, rule: &Rule) -> f32 {
    let mut g = gradient;
    if !rule.decoupled {
        g += rule.weight_decay * w;
    }
    g
}
