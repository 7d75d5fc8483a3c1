//! The windowed step on CubeCL backends ([`Batching::Window`], SGD): one cube of 32 units walks
//! a span of centre positions in order, and for each centre stages its window's rows in shared
//! memory — the context rows (CBOW: their mean or sum), and the output rows of the centre and
//! its one draw of noise words (or its Huffman path) — scores every (context, target) pair at
//! once, one pair per unit, and adds each row's summed step back with one atomic add per
//! weight. Rows are read with atomic loads too, so no cube works from a stale copy in a
//! non-coherent cache, and no cube's update is lost to another's write: concurrent cubes only
//! make each other's reads a little older. The per-pair kernel (`pair`) guarantees neither: its
//! plain read-modify-writes of the hottest output rows, from hundreds of cubes at once, are the
//! likeliest cause of its quality falling as the cubes grow (on a GPU, not yet measured apart).
//!
//! It needs f32 atomic adds in storage buffers (CUDA; Vulkan with `shaderBufferFloat32AtomicAdd`)
//! and the shared memory for one window; where either is missing, the per-pair kernel runs.

use burn::backend::DispatchDevice;
use burn::prelude::Device;
use burn_cubecl::tensor::CubeTensor;
use cubecl::features::AtomicUsage;
use cubecl::ir::{DeviceProperties, ElemType, FloatKind, Type};
use cubecl::prelude::*;

use super::args::{StepArgs, StepArgsLaunch, StepTensors};
use super::device::{mix, noise_word, score_terms, window_range};
use crate::kernels::cube::{UNITS, cube_sum, grid, span_range};
use crate::kernels::optimizer::FusedOptimizer;
use crate::kernels::word2vec::{Batching, Word2VecSettings};
use crate::model::MAX_DEPTH;

/// The shared memory a window stages, compiled in: rows `stride` floats apart (dim rounded up to
/// 32, plus one, so the units reading one row each at the same offset hit different banks), room
/// for the most contexts and targets one window has.
#[derive(CubeLaunch, CubeType)]
struct WindowShape {
    #[cube(comptime)]
    stride: usize,
    #[cube(comptime)]
    max_contexts: usize,
    #[cube(comptime)]
    max_targets: usize,
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn window_kernel(
    input: &mut Tensor<Atomic<f32>>,
    output: &mut Tensor<Atomic<f32>>,
    tokens: &Tensor<i32>,
    // The output layer's tables (see `OutputTables`).
    values: &Tensor<f32>,
    ids: &Tensor<i32>,
    locks: &Tensor<f32>,
    loss: &mut Tensor<f32>,
    args: &StepArgs,
    shape: &WindowShape,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let rows = args.rows;
    let window = args.window;
    let negative = args.negative;
    let cbow = args.cbow;
    let cbow_mean = args.cbow_mean;
    let hierarchical = args.hierarchical;
    let lock_rows = args.lock_rows;
    let stride = shape.stride;
    let max_contexts = shape.max_contexts;
    let max_targets = shape.max_targets;
    let n = args.n_tokens as usize;
    let dim_u = args.dim as usize;
    let rows_u = rows as usize;
    let (start, end) = span_range(slot, args.span, n);
    let mut sums = Shared::<[f32]>::new_slice(32usize);
    // Skip-gram: one row per context; CBOW: the hidden layer alone, in row 0.
    let mut rows_in = Shared::<[f32]>::new_slice(comptime!(max_contexts * stride));
    let mut rows_out = Shared::<[f32]>::new_slice(comptime!(max_targets * stride));
    // Each (context, target) pair's lr·(label − σ(score)), context-major.
    let mut factors = Shared::<[f32]>::new_slice(comptime!(max_contexts * max_targets));
    let mut context_ids = Shared::<[u32]>::new_slice(max_contexts);
    let mut target_ids = Shared::<[u32]>::new_slice(max_targets);
    let mut labels = Shared::<[f32]>::new_slice(max_targets);
    let mut drawn = Shared::<[u32]>::new_slice(max_targets);
    let mut drawn_labels = Shared::<[f32]>::new_slice(max_targets);
    // The window's number of contexts and of targets.
    let mut counts = Shared::<[u32]>::new_slice(2usize);
    let mut loss_sum = 0.0f32;
    let mut pairs = 0.0f32;
    for i in start..end {
        // Every unit is done with the previous window's shared rows.
        sync_cube();
        let c = tokens[i];
        if c >= 0 && u32::cast_from(c) < rows {
            let center = usize::cast_from(c);
            let lr = args.lr_start + args.lr_step * f32::cast_from(i);
            let base = mix(args.seed ^ mix(u32::cast_from(i) + 0x9e37_79b9u32));
            // The targets, drawn by the units at once into `drawn` (one candidate each; a path
            // node each under hierarchical softmax), then kept in order by unit 0 below.
            let mut candidates = usize::cast_from(negative) + 1;
            let mut path = 0usize;
            if hierarchical {
                path = usize::cast_from(ids[center]);
                candidates = usize::cast_from(ids[center + 1]) - path;
                if candidates > max_targets {
                    candidates = max_targets;
                }
            }
            let mut t = unit;
            while t < candidates {
                let mut w = center;
                let mut label = 1.0f32;
                if hierarchical {
                    w = usize::cast_from(ids[rows_u + 1 + path + t]);
                    label = values[path + t];
                } else if t > 0 {
                    // Noise word t's own stream: a bucket, then whether to keep it or its alias.
                    let r = mix(base + u32::cast_from(t) * 0x632b_e5abu32);
                    w = noise_word(values, ids, r, mix(r + 0x9e37_79b9u32));
                    label = 0.0f32;
                }
                drawn[t] = u32::cast_from(w);
                drawn_labels[t] = label;
                t += units;
            }
            if unit == 0 {
                let (lo, hi) = window_range(tokens, i, 1 + base % window, n);
                let mut contexts = 0usize;
                for m in lo..hi + 1 {
                    let ctx = tokens[m];
                    if m != i && ctx >= 0 && u32::cast_from(ctx) < rows && contexts < max_contexts {
                        context_ids[contexts] = u32::cast_from(ctx);
                        contexts += 1;
                    }
                }
                counts[0] = u32::cast_from(contexts);
            }
            sync_cube();
            if unit == 0 {
                // Noise words equal to the centre are dropped, as word2vec does; ids outside
                // the matrix are an error of the caller's tables and are skipped.
                let mut targets = 0usize;
                for t in 0..candidates {
                    let w = usize::cast_from(drawn[t]);
                    if w < rows_u && (hierarchical || t == 0 || w != center) {
                        target_ids[targets] = u32::cast_from(w);
                        labels[targets] = drawn_labels[t];
                        targets += 1;
                    }
                }
                counts[1] = u32::cast_from(targets);
            }
            sync_cube();
            let contexts = usize::cast_from(counts[0]);
            let targets = usize::cast_from(counts[1]);
            if contexts > 0 {
                let mut inputs = contexts;
                if cbow {
                    inputs = 1usize;
                    let mut d = unit;
                    while d < dim_u {
                        let mut h = 0.0f32;
                        for s in 0..contexts {
                            h += input[usize::cast_from(context_ids[s]) * dim_u + d].load();
                        }
                        if cbow_mean {
                            h /= f32::cast_from(contexts);
                        }
                        rows_in[d] = h;
                        d += units;
                    }
                } else {
                    for s in 0..contexts {
                        let base = usize::cast_from(context_ids[s]) * dim_u;
                        let mut d = unit;
                        while d < dim_u {
                            rows_in[s * stride + d] = input[base + d].load();
                            d += units;
                        }
                    }
                }
                for t in 0..targets {
                    let base = usize::cast_from(target_ids[t]) * dim_u;
                    let mut d = unit;
                    while d < dim_u {
                        rows_out[t * stride + d] = output[base + d].load();
                        d += units;
                    }
                }
                sync_cube();
                // Every pair's score, one pair per unit at a time.
                let mut p = unit;
                while p < inputs * targets {
                    let j = p / targets;
                    let k = p % targets;
                    let mut score = 0.0f32;
                    for d in 0..dim_u {
                        score += rows_in[j * stride + d] * rows_out[k * stride + d];
                    }
                    let (f, g, loss) = score_terms(score, labels[k]);
                    loss_sum += loss;
                    let mut g = g * lr;
                    // Hierarchical softmax leaves a decided node alone (word2vec's MAX_EXP skip,
                    // `model::SATURATED`).
                    if hierarchical && f32::abs(f) >= 6.0f32 {
                        g = 0.0f32;
                    }
                    factors[p] = g;
                    p += units;
                }
                sync_cube();
                // Each unit adds its dimensions of every row's summed step, from the staged
                // rows (as they were before the window).
                let mut d = unit;
                while d < dim_u {
                    for j in 0..inputs {
                        let mut step = 0.0f32;
                        for k in 0..targets {
                            step += factors[j * targets + k] * rows_out[k * stride + d];
                        }
                        if cbow {
                            // The hidden layer's whole step to every context row (word2vec).
                            for s in 0..contexts {
                                let row = usize::cast_from(context_ids[s]);
                                if !lock_rows || locks[row] != 0.0f32 {
                                    input[row * dim_u + d].fetch_add(step);
                                }
                            }
                        } else {
                            let row = usize::cast_from(context_ids[j]);
                            if !lock_rows || locks[row] != 0.0f32 {
                                input[row * dim_u + d].fetch_add(step);
                            }
                        }
                    }
                    for k in 0..targets {
                        let mut step = 0.0f32;
                        for j in 0..inputs {
                            step += factors[j * targets + k] * rows_in[j * stride + d];
                        }
                        if step != 0.0f32 {
                            output[usize::cast_from(target_ids[k]) * dim_u + d].fetch_add(step);
                        }
                    }
                    d += units;
                }
                pairs += f32::cast_from(inputs);
            }
        }
    }
    cube_sum(&mut sums, unit, loss_sum);
    // The grid may hold a few cubes past the last slot.
    if unit == 0 && slot * 2 < loss.len() {
        loss[slot * 2] = sums[0];
        loss[slot * 2 + 1] = pairs;
    }
}

/// Most contexts and targets one window stages, under `settings`.
fn window_shape(settings: &Word2VecSettings) -> (usize, usize) {
    let contexts = 2 * settings.window.max(1) as usize;
    let targets = match settings.hierarchical {
        true => MAX_DEPTH,
        false => settings.negative as usize + 1,
    };
    (contexts, targets)
}

/// Whether the windowed kernel runs `step` on its device: SGD, [`Batching::Window`], f32 atomic
/// adds, and one window's rows within the device's shared memory.
pub(super) fn applies(step: &StepTensors, settings: &Word2VecSettings) -> bool {
    fits(step.input.client.properties(), step.dim, settings)
}

/// [`applies`] for a step on `device` with `dim`-wide rows, before any tensor exists.
pub(crate) fn runs_on(device: &Device, dim: usize, settings: &Word2VecSettings) -> bool {
    match device.as_dispatch() {
        DispatchDevice::Cube(cube) => fits(cube.client().properties(), dim, settings),
        _ => false,
    }
}

fn fits(properties: &DeviceProperties, dim: usize, settings: &Word2VecSettings) -> bool {
    let atomic_add = properties
        .atomic_type_usage(Type::atomic(ElemType::Float(FloatKind::F32)))
        .contains(AtomicUsage::Add);
    let (contexts, targets) = window_shape(settings);
    let stride = dim.next_multiple_of(UNITS as usize) + 1;
    let floats = (contexts + targets) * stride + contexts * targets + 4 * targets + contexts + 34;
    settings.batching == Batching::Window
        && settings.optimizer == FusedOptimizer::Sgd
        && atomic_add
        && floats * 4 <= properties.hardware.max_shared_memory_size
}

/// Launches the windowed kernel on `step` (see [`applies`]); returns the updated weights and the
/// loss.
pub(super) fn launch(
    step: StepTensors,
    settings: &Word2VecSettings,
) -> (CubeTensor, CubeTensor, CubeTensor) {
    let (max_contexts, max_targets) = window_shape(settings);
    let shape = WindowShapeLaunch {
        stride: step.dim.next_multiple_of(UNITS as usize) + 1,
        max_contexts,
        max_targets,
    };
    let args = StepArgsLaunch::of(&step, settings);
    window_kernel::launch(
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
        args,
        shape,
    );
    (step.input, step.output, step.loss)
}
