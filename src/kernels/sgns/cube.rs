//! The negative-sampling step on CubeCL backends (wgpu, cuda): one cube of 32 units walks a span of centre
//! positions in order ([`spans`]), the units splitting each vector's dimensions
//! between them, so every row is read and written in coalesced 128-byte runs. Thousands of cubes
//! run at once and update rows without locks or atomics (Hogwild on the GPU: a conflicting write
//! loses one sparse update, it never sums hundreds of them, which is what makes large batches of
//! word2vec-rate updates diverge). Windows and negatives are drawn on the device from a hash of
//! (seed, position), so nothing but the chunk of word ids crosses the bus.

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::tensor::DType;
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::{NegativeSamplingBackend, NegativeSamplingSettings, spans};
use crate::kernels::cube::{MAX_GPU_DIM, UNITS, contiguous_f32, contiguous_i32, cube_sum, grid};
use crate::kernels::optimizer::FusedOptimizer;
use crate::model::Architecture;

/// Added to a span's loss when a score is not finite: far above anything a finite run reports
/// (each example costs at most about 31 per target), so the host sees divergence even where the
/// GPU's float rules would hide a NaN.
const BROKEN_LOSS: f32 = 1.0e30;

/// A 32-bit integer hash (lowbias32): the device's random numbers, one stream per position.
#[cube]
pub(super) fn mix(x: u32) -> u32 {
    let mut v = x;
    v ^= v >> 16;
    v *= 0x7feb_352du32;
    v ^= v >> 15;
    v *= 0x846c_a68bu32;
    v ^= v >> 16;
    v
}

/// Uniform in [0, 1) from the top 24 bits.
#[cube]
fn unit_float(r: u32) -> f32 {
    f32::cast_from(r >> 8) * (1.0f32 / 16_777_216.0f32)
}

/// The positions `[start, end)` cube `slot` walks: its span of the chunk's `n`.
#[cube]
pub(super) fn span_range(slot: usize, span: u32, n: usize) -> (usize, usize) {
    let start = slot * span as usize;
    let mut end = start + span as usize;
    if end > n {
        end = n;
    }
    (start, end)
}

/// The window `[lo, hi]` around position `i` for half-width `b`, stopped at sentence ends (the
/// negative ids) and at the chunk's `n` positions.
#[cube]
pub(super) fn window_range(tokens: &Tensor<i32>, i: usize, b: u32, n: usize) -> (usize, usize) {
    let mut lo = i;
    let mut k = 0u32;
    while k < b && lo > 0 && tokens[lo - 1] >= 0 {
        lo -= 1;
        k += 1;
    }
    let mut hi = i;
    k = 0u32;
    while k < b && hi + 1 < n && tokens[hi + 1] >= 0 {
        hi += 1;
        k += 1;
    }
    (lo, hi)
}

/// A noise word from the Walker alias tables (`values` the acceptance probabilities, `ids` the
/// aliases): bucket from `r_bucket`, kept or replaced by its alias by `r_accept`.
#[cube]
pub(super) fn noise_word(
    values: &Tensor<f32>,
    ids: &Tensor<i32>,
    r_bucket: u32,
    r_accept: u32,
) -> usize {
    let bucket = r_bucket % u32::cast_from(values.len());
    let mut w = ids[usize::cast_from(bucket)];
    if unit_float(r_accept) < values[usize::cast_from(bucket)] {
        w = i32::cast_from(bucket);
    }
    usize::cast_from(w)
}

/// One target's score: the clamped score, the gradient factor label − σ(score), and the loss
/// (−log σ(score) for label 1, −log σ(−score) for label 0). Once the weights leave the finite
/// numbers the loss says so with [`BROKEN_LOSS`], a value no finite run reaches (|score| is
/// clamped to 30).
#[cube]
pub(super) fn score_terms(score: f32, label: f32) -> (f32, f32, f32) {
    let mut broken = 0.0f32;
    if f32::is_nan(score) || f32::is_inf(score) {
        broken = BROKEN_LOSS;
    }
    let f = f32::clamp(score, -30.0f32, 30.0f32);
    let e = f32::exp(-f);
    let softplus = f32::ln(1.0f32 + e);
    let mut loss = softplus + broken;
    if label <= 0.5f32 {
        loss += f;
    }
    (f, label - 1.0f32 / (1.0f32 + e), loss)
}

/// A stateful rule as the kernel runs it (see `KernelRule`): its numbers — AdaGrad: ε; Adam: β₁
/// (`p1`), β₂ (`p2`), ε; RMSProp: α (`p1`), ε, momentum; SGD with momentum: dampening (`p1`),
/// momentum; weight decay for all (decoupled for AdamW) — and, compiled in, which rule it is.
#[derive(CubeType, Clone, Copy)]
struct Rule {
    p1: f32,
    p2: f32,
    epsilon: f32,
    weight_decay: f32,
    momentum_factor: f32,
    #[cube(comptime)]
    adagrad: bool,
    #[cube(comptime)]
    adam: bool,
    #[cube(comptime)]
    decoupled: bool,
    #[cube(comptime)]
    rmsprop: bool,
    #[cube(comptime)]
    momentum: bool,
}

/// Unit 0 moves a row's per-row counters (the last floats of its state) one step on and shares
/// what the row's update needs — Adam's bias corrections, whether it is the row's first step
/// (momentum) — through `info`; every unit reads it after the barrier. Runs only for the rules
/// that count steps.
#[cube]
fn count_step(
    state: &mut Tensor<f32>,
    state_base: usize,
    info: &mut Shared<[f32]>,
    unit: usize,
    width: usize,
    rule: &Rule,
) {
    let adam = rule.adam;
    let beta1 = rule.p1;
    let beta2 = rule.p2;
    if adam || rule.momentum {
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
fn step_weight(
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
    let (weight_decay, momentum_factor) = (rule.weight_decay, rule.momentum_factor);
    let decoupled = rule.decoupled;
    let w = weights[at];
    let mut g = gradient;
    if !decoupled {
        g += weight_decay * w;
    }
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
        if momentum_factor > 0.0f32 {
            step += state[s + dim] * momentum_factor;
            state[s + dim] = step;
        }
        weights[at] = w - step * lr;
    }
    if rule.momentum {
        let mut velocity = g;
        if info[2] == 0.0f32 {
            velocity = g * (1.0f32 - p1) + state[s] * momentum_factor;
        }
        state[s] = velocity;
        weights[at] = w - velocity * lr;
    }
}

/// Adds an input row's step, the unit's dimensions of it: `grad` itself (SGD, already scaled by
/// the rate) or the stateful rule's step for the gradient −`grad`.
#[cube]
#[allow(clippy::too_many_arguments)]
fn step_row(
    input: &mut Tensor<f32>,
    input_state: &mut Tensor<f32>,
    grad: &Shared<[f32]>,
    info: &mut Shared<[f32]>,
    row: usize,
    unit: usize,
    dim_u: usize,
    lr: f32,
    width: usize,
    rule: &Rule,
) {
    let base = row * dim_u;
    let state_base = row * width;
    count_step(input_state, state_base, info, unit, width, rule);
    let stateful = rule.adagrad || rule.adam || rule.rmsprop || rule.momentum;
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

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn negative_sampling_kernel(
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
    input_state: &mut Tensor<f32>,
    output_state: &mut Tensor<f32>,
    // The stateful rule's numbers (see `KernelRule`): AdaGrad: ε; Adam: β₁ (`p1`), β₂ (`p2`),
    // ε; RMSProp: α (`p1`), ε, momentum; SGD with momentum: dampening (`p1`), momentum; weight
    // decay for all (decoupled for AdamW).
    p1: f32,
    p2: f32,
    epsilon: f32,
    weight_decay: f32,
    momentum_factor: f32,
    state_width: u32,
    n_tokens: u32,
    rows: u32,
    dim: u32,
    window: u32,
    negative: u32,
    lr_start: f32,
    lr_step: f32,
    seed: u32,
    span: u32,
    #[comptime] dim_cap: usize,
    #[comptime] adagrad: bool,
    #[comptime] adam: bool,
    #[comptime] decoupled: bool,
    #[comptime] rmsprop: bool,
    #[comptime] momentum: bool,
    #[comptime] cbow: bool,
    #[comptime] cbow_mean: bool,
    #[comptime] hierarchical: bool,
    #[comptime] lock_rows: bool,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let n = n_tokens as usize;
    let dim_u = dim as usize;
    let (start, end) = span_range(slot, span, n);
    let mut red = Shared::<[f32]>::new_slice(32usize);
    let mut grad = Shared::new_slice(dim_cap);
    let mut hid = Shared::<[f32]>::new_slice(dim_cap);
    let mut info = Shared::<[f32]>::new_slice(4usize);
    let rule = Rule {
        p1,
        p2,
        epsilon,
        weight_decay,
        momentum_factor,
        adagrad,
        adam,
        decoupled,
        rmsprop,
        momentum,
    };
    let stateful = adagrad || adam || rmsprop || momentum;
    let width = state_width as usize;
    let mut loss_sum = 0.0f32;
    let mut pairs = 0.0f32;
    for i in start..end {
        let c = tokens[i];
        if c >= 0 && u32::cast_from(c) < rows {
            let mut state = mix(seed ^ mix(u32::cast_from(i) + 0x9e37_79b9u32));
            let b = 1 + state % window;
            let lr = lr_start + lr_step * f32::cast_from(i);
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
                let mut d = unit;
                while d < dim_u {
                    grad[d] = 0.0f32;
                    d += units;
                }
                if cbow {
                    // Skip-gram overwrites its hidden layer with a row; CBOW sums into it.
                    let mut d = unit;
                    while d < dim_u {
                        hid[d] = 0.0f32;
                        d += units;
                    }
                    let mut count = 0.0f32;
                    for m in lo..hi + 1 {
                        let ctx = tokens[m];
                        if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                            let base = usize::cast_from(ctx) * dim_u;
                            let mut d = unit;
                            while d < dim_u {
                                hid[d] += input[base + d];
                                d += units;
                            }
                            count += 1.0f32;
                        }
                    }
                    if cbow_mean && count > 0.0f32 {
                        let mut d = unit;
                        while d < dim_u {
                            hid[d] /= count;
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
                            hid[d] = input[row_base + d];
                            d += units;
                        }
                    }
                }
                if have {
                    // Negative sampling: the centre, then the noise words; hierarchical
                    // softmax: the inner nodes on the centre's path.
                    let mut targets = negative + 1;
                    let mut path = 0usize;
                    if hierarchical {
                        path = usize::cast_from(ids[center]);
                        targets = u32::cast_from(ids[center + 1]) - u32::cast_from(path);
                    }
                    for t in 0..targets {
                        let mut target = center;
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
                            label = 0.0f32;
                        }
                        if (hierarchical || t == 0 || target != center)
                            && target < usize::cast_from(rows)
                        {
                            let out_base = target * dim_u;
                            let mut partial = 0.0f32;
                            let mut d = unit;
                            while d < dim_u {
                                partial += hid[d] * output[out_base + d];
                                d += units;
                            }
                            cube_sum(&mut red, unit, partial);
                            let score = red[0];
                            sync_cube();
                            let (f, g, loss) = score_terms(score, label);
                            // Hierarchical softmax leaves a decided node alone (word2vec's
                            // MAX_EXP skip, `model::SATURATED`).
                            let mut update = true;
                            if hierarchical && f32::abs(f) >= 6.0f32 {
                                update = false;
                            }
                            if unit == 0 {
                                loss_sum += loss;
                            }
                            if update {
                                let state_base = target * width;
                                count_step(output_state, state_base, &mut info, unit, width, &rule);
                                let mut d = unit;
                                while d < dim_u {
                                    let u = output[out_base + d];
                                    if stateful {
                                        grad[d] += g * u;
                                        let (at, s) = (out_base + d, state_base + d);
                                        let gradient = -g * hid[d];
                                        step_weight(
                                            output,
                                            output_state,
                                            at,
                                            s,
                                            dim_u,
                                            gradient,
                                            lr,
                                            &mut info,
                                            &rule,
                                        );
                                    } else {
                                        grad[d] += g * lr * u;
                                        output[out_base + d] = u + g * lr * hid[d];
                                    }
                                    d += units;
                                }
                            }
                        }
                    }
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
                                usize::cast_from(ctx),
                                unit,
                                dim_u,
                                lr,
                                width,
                                &rule,
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

/// Launches the kernel; `state` is the stateful optimizer's, or `None` for plain SGD.
#[allow(clippy::too_many_arguments)]
fn launch(
    input: CubeTensor,
    output: CubeTensor,
    state: Option<(CubeTensor, CubeTensor)>,
    tokens: CubeTensor,
    values: CubeTensor,
    ids: CubeTensor,
    locks: CubeTensor,
    settings: NegativeSamplingSettings,
) -> (
    CubeTensor,
    CubeTensor,
    Option<(CubeTensor, CubeTensor)>,
    CubeTensor,
) {
    let step = StepTensors::new(input, output, tokens, values, ids, locks, &settings);
    let (rows, dim, n) = (step.rows, step.dim, step.n);
    assert!(
        dim <= MAX_GPU_DIM,
        "the GPU kernel handles dim ≤ {MAX_GPU_DIM}"
    );
    let stateful = state.is_some();
    // Plain SGD never touches the state: one-element stand-ins fill the kernel's slots.
    let (input_state, output_state) = match state {
        Some((i, o)) => (contiguous_f32(i), contiguous_f32(o)),
        None => (step.empty([1, 1]), step.empty([1, 1])),
    };
    let rule = KernelRule::of(&settings.optimizer);
    negative_sampling_kernel::launch(
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
        rule.p1,
        rule.p2,
        rule.epsilon,
        rule.weight_decay,
        rule.momentum,
        settings.optimizer.state_width(dim).max(1) as u32,
        n as u32,
        rows as u32,
        dim as u32,
        settings.window.max(1),
        settings.negative,
        settings.lr_start,
        step.lr_step,
        step.seed,
        step.span as u32,
        dim.next_multiple_of(UNITS as usize),
        stateful && rule.adagrad,
        stateful && rule.adam,
        rule.decoupled,
        stateful && rule.rmsprop,
        stateful && rule.velocity,
        matches!(settings.architecture, Architecture::Cbow { .. }),
        matches!(settings.architecture, Architecture::Cbow { mean: true }),
        settings.hierarchical,
        settings.lock_rows,
    );
    (
        step.input,
        step.output,
        stateful.then_some((input_state, output_state)),
        step.loss,
    )
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
    /// Positions in the chunk.
    pub n: usize,
    /// Positions per cube, and cubes (see `spans`).
    pub span: usize,
    pub slots: usize,
    /// The [`spans`] × 2 loss rows the kernel fills.
    pub loss: CubeTensor,
    /// The rate's change per position, and the chunk's 32-bit seed.
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
        settings: &NegativeSamplingSettings,
    ) -> Self {
        let (input, output) = (contiguous_f32(input), contiguous_f32(output));
        let (tokens, ids) = (contiguous_i32(tokens), contiguous_i32(ids));
        let (values, locks) = (contiguous_f32(values), contiguous_f32(locks));
        let shape = input.meta.shape().clone();
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
            rows: shape[0],
            dim: shape[1],
            n,
            span,
            slots,
            lr_step: (settings.lr_end - settings.lr_start) / n.max(1) as f32,
            seed: (settings.seed ^ (settings.seed >> 32)) as u32,
        }
    }

    /// An uninitialised f32 tensor on the step's device.
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

/// A [`FusedOptimizer`] as the kernel takes it: which rule to compile, and its numbers.
struct KernelRule {
    adagrad: bool,
    adam: bool,
    decoupled: bool,
    rmsprop: bool,
    velocity: bool,
    p1: f32,
    p2: f32,
    epsilon: f32,
    weight_decay: f32,
    momentum: f32,
}

impl KernelRule {
    fn of(optimizer: &FusedOptimizer) -> Self {
        let none = KernelRule {
            adagrad: false,
            adam: false,
            decoupled: false,
            rmsprop: false,
            velocity: false,
            p1: 0.0,
            p2: 0.0,
            epsilon: 0.0,
            weight_decay: 0.0,
            momentum: 0.0,
        };
        match *optimizer {
            FusedOptimizer::Sgd => none,
            FusedOptimizer::AdaGrad {
                epsilon,
                weight_decay,
            } => KernelRule {
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
            } => KernelRule {
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
            } => KernelRule {
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
            } => KernelRule {
                velocity: true,
                p1: dampening,
                weight_decay,
                momentum,
                ..none
            },
        }
    }
}

impl NegativeSamplingBackend for CubeBackend {
    fn negative_sampling_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: NegativeSamplingSettings,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        if super::window_cube::applies(&input, &settings) {
            return super::window_cube::launch(input, output, tokens, values, ids, locks, settings);
        }
        let (input, output, _, loss) =
            launch(input, output, None, tokens, values, ids, locks, settings);
        (input, output, loss)
    }

    fn negative_sampling_chunk_stateful(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_state: FloatTensor<Self>,
        output_state: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: NegativeSamplingSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        let state = Some((input_state, output_state));
        let (input, output, state, loss) =
            launch(input, output, state, tokens, values, ids, locks, settings);
        let (input_state, output_state) = state.expect("a stateful optimizer keeps its state");
        (input, output, input_state, output_state, loss)
    }
}
