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

use super::{ADAGRAD_EPSILON, NegativeSamplingBackend, NegativeSamplingSettings, spans};
use crate::kernels::cube::{MAX_GPU_DIM, UNITS, contiguous_f32, contiguous_i32, cube_sum, grid};
use crate::model::Architecture;

/// Added to a span's loss when a score is not finite: far above anything a finite run reports
/// (each example costs at most about 31 per target), so the host sees divergence even where the
/// GPU's float rules would hide a NaN.
const BROKEN_LOSS: f32 = 1.0e30;

/// A 32-bit integer hash (lowbias32): the device's random numbers, one stream per position.
#[cube]
fn mix(x: u32) -> u32 {
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

/// Adds an input row's step, the unit's dimensions of it: `grad` itself (SGD, already scaled by
/// the rate) or AdaGrad's step for the negative gradient −`grad`.
#[cube]
#[allow(clippy::too_many_arguments)]
fn step_row(
    input: &mut Tensor<f32>,
    input_sq: &mut Tensor<f32>,
    grad: &Shared<[f32]>,
    base: usize,
    unit: usize,
    dim_u: usize,
    lr: f32,
    #[comptime] adagrad: bool,
) {
    let mut d = unit;
    while d < dim_u {
        if adagrad {
            let gv = -grad[d];
            let sum = input_sq[base + d] + gv * gv;
            input_sq[base + d] = sum;
            input[base + d] -= lr * gv / (f32::sqrt(sum) + ADAGRAD_EPSILON);
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
    accept: &Tensor<f32>,
    alias: &Tensor<i32>,
    loss: &mut Tensor<f32>,
    input_sq: &mut Tensor<f32>,
    output_sq: &mut Tensor<f32>,
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
    #[comptime] cbow: bool,
    #[comptime] cbow_mean: bool,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let n = n_tokens as usize;
    let dim_u = dim as usize;
    let noise_len = u32::cast_from(accept.len());
    let start = slot * span as usize;
    let mut end = start + span as usize;
    if end > n {
        end = n;
    }
    let mut red = Shared::<[f32]>::new_slice(32usize);
    let mut grad = Shared::new_slice(dim_cap);
    let mut hid = Shared::<[f32]>::new_slice(dim_cap);
    let mut loss_sum = 0.0f32;
    let mut pairs = 0.0f32;
    for i in start..end {
        let c = tokens[i];
        if c >= 0 && u32::cast_from(c) < rows {
            let mut state = mix(seed ^ mix(u32::cast_from(i) + 0x9e37_79b9u32));
            let b = 1 + state % window;
            let lr = lr_start + lr_step * f32::cast_from(i);
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
                    for t in 0..negative + 1 {
                        let mut target = center;
                        let mut label = 1.0f32;
                        if t > 0 {
                            state = mix(state + 0x9e37_79b9u32);
                            let bucket = state % noise_len;
                            state = mix(state + 0x9e37_79b9u32);
                            let mut w = alias[usize::cast_from(bucket)];
                            if unit_float(state) < accept[usize::cast_from(bucket)] {
                                w = i32::cast_from(bucket);
                            }
                            target = usize::cast_from(w);
                            label = 0.0f32;
                        }
                        if (t == 0 || target != center) && target < usize::cast_from(rows) {
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
                            // Once the weights leave the finite numbers the loss says so with a
                            // value no finite run reaches (|score| is clamped to 30 below).
                            let mut broken = 0.0f32;
                            if f32::is_nan(score) || f32::is_inf(score) {
                                broken = BROKEN_LOSS;
                            }
                            let f = f32::clamp(score, -30.0f32, 30.0f32);
                            let e = f32::exp(-f);
                            let g = label - 1.0f32 / (1.0f32 + e);
                            if unit == 0 {
                                // −log σ(f) for the target, −log σ(−f) for noise.
                                let softplus = f32::ln(1.0f32 + e);
                                if t == 0 {
                                    loss_sum += softplus + broken;
                                } else {
                                    loss_sum += softplus + f + broken;
                                }
                            }
                            let mut d = unit;
                            while d < dim_u {
                                let u = output[out_base + d];
                                if adagrad {
                                    grad[d] += g * u;
                                    let gu = -g * hid[d];
                                    let sum = output_sq[out_base + d] + gu * gu;
                                    output_sq[out_base + d] = sum;
                                    output[out_base + d] =
                                        u - lr * gu / (f32::sqrt(sum) + ADAGRAD_EPSILON);
                                } else {
                                    grad[d] += g * lr * u;
                                    output[out_base + d] = u + g * lr * hid[d];
                                }
                                d += units;
                            }
                        }
                    }
                    // The hidden layer's step goes to its row (skip-gram) or, whole, to every
                    // context row (CBOW, as word2vec).
                    if cbow {
                        for m in lo..hi + 1 {
                            let ctx = tokens[m];
                            if m != i && ctx >= 0 && u32::cast_from(ctx) < rows {
                                step_row(
                                    input,
                                    input_sq,
                                    &grad,
                                    usize::cast_from(ctx) * dim_u,
                                    unit,
                                    dim_u,
                                    lr,
                                    adagrad,
                                );
                            }
                        }
                    } else {
                        step_row(input, input_sq, &grad, row_base, unit, dim_u, lr, adagrad);
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

/// Launches the kernel; `sums` are AdaGrad's squared-gradient sums, or `None` for SGD.
fn launch(
    input: CubeTensor,
    output: CubeTensor,
    sums: Option<(CubeTensor, CubeTensor)>,
    tokens: CubeTensor,
    accept: CubeTensor,
    alias: CubeTensor,
    settings: NegativeSamplingSettings,
) -> (
    CubeTensor,
    CubeTensor,
    Option<(CubeTensor, CubeTensor)>,
    CubeTensor,
) {
    let (input, output) = (contiguous_f32(input), contiguous_f32(output));
    let (tokens, alias) = (contiguous_i32(tokens), contiguous_i32(alias));
    let accept = contiguous_f32(accept);
    let shape = input.meta.shape().clone();
    let (rows, dim) = (shape[0], shape[1]);
    assert!(
        dim <= MAX_GPU_DIM,
        "the GPU kernel handles dim ≤ {MAX_GPU_DIM}"
    );
    let n = tokens.meta.shape().num_elements();
    let (span, slots) = spans(n, &settings);
    let client = input.client.clone();
    let empty = |shape: [usize; 2]| {
        empty_device_dtype(
            client.clone(),
            input.device.clone(),
            shape.into(),
            DType::F32,
        )
    };
    let loss = empty([slots, 2]);
    let adagrad = sums.is_some();
    // Plain SGD never touches the sums: one-element stand-ins fill the kernel's slots.
    let (input_sq, output_sq) = match sums {
        Some((i, o)) => (contiguous_f32(i), contiguous_f32(o)),
        None => (empty([1, 1]), empty([1, 1])),
    };
    let lr_step = (settings.lr_end - settings.lr_start) / n.max(1) as f32;
    let seed = (settings.seed ^ (settings.seed >> 32)) as u32;
    negative_sampling_kernel::launch(
        &client,
        grid(slots),
        CubeDim::new_1d(UNITS),
        input.clone().into_tensor_arg(),
        output.clone().into_tensor_arg(),
        tokens.into_tensor_arg(),
        accept.into_tensor_arg(),
        alias.into_tensor_arg(),
        loss.clone().into_tensor_arg(),
        input_sq.clone().into_tensor_arg(),
        output_sq.clone().into_tensor_arg(),
        n as u32,
        rows as u32,
        dim as u32,
        settings.window.max(1),
        settings.negative,
        settings.lr_start,
        lr_step,
        seed,
        span as u32,
        dim.next_multiple_of(UNITS as usize),
        adagrad,
        matches!(settings.architecture, Architecture::Cbow { .. }),
        matches!(settings.architecture, Architecture::Cbow { mean: true }),
    );
    (
        input,
        output,
        adagrad.then_some((input_sq, output_sq)),
        loss,
    )
}

impl NegativeSamplingBackend for CubeBackend {
    fn negative_sampling_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        accept: FloatTensor<Self>,
        alias: IntTensor<Self>,
        settings: NegativeSamplingSettings,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (input, output, _, loss) = launch(input, output, None, tokens, accept, alias, settings);
        (input, output, loss)
    }

    fn negative_sampling_chunk_adagrad(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_sq: FloatTensor<Self>,
        output_sq: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        accept: FloatTensor<Self>,
        alias: IntTensor<Self>,
        settings: NegativeSamplingSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        let sums = Some((input_sq, output_sq));
        let (input, output, sums, loss) =
            launch(input, output, sums, tokens, accept, alias, settings);
        let (input_sq, output_sq) = sums.expect("AdaGrad keeps its sums");
        (input, output, input_sq, output_sq, loss)
    }
}
