//! The fused GloVe step on CubeCL backends (wgpu, cuda): one cube of 32 units walks a span of
//! entries in order, the units splitting each row's dimensions between them (coalesced reads
//! and writes), and thousands of cubes update rows at once without locks — Hogwild, as the
//! reference's threads. Unit 0 alone reads and writes the biases, so no unit ever reads a value
//! another unit of its cube wrote to global memory.

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::tensor::DType;
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::{GloveBackend, GloveSettings};
use crate::kernels::cube::{
    MAX_GPU_DIM, UNITS, contiguous_f32, contiguous_i32, cube_sum, grid, span_range,
};
use crate::kernels::spans::spans_for;

/// The step's numbers: its entries, the matrices' rows and `dim` (each row holds `dim` weights
/// and the bias), the rate, the weighting's `x_max` and `alpha`, the clipping, and the entries
/// each cube walks.
#[derive(CubeLaunch, CubeType)]
struct GloveArgs {
    n_entries: u32,
    rows: u32,
    dim: u32,
    lr: f32,
    x_max: f32,
    alpha: f32,
    grad_clip: f32,
    span: u32,
}

#[cube(launch)]
fn glove_kernel(
    word: &mut Tensor<f32>,
    context: &mut Tensor<f32>,
    word_sq: &mut Tensor<f32>,
    context_sq: &mut Tensor<f32>,
    pairs: &Tensor<i32>,
    counts: &Tensor<f32>,
    loss: &mut Tensor<f32>,
    args: &GloveArgs,
) {
    let slot = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let units = UNITS as usize;
    let rows = args.rows;
    let x_max = args.x_max;
    let alpha = args.alpha;
    let grad_clip = args.grad_clip;
    let lr = args.lr;
    let dim_u = args.dim as usize;
    let width = dim_u + 1;
    let (start, end) = span_range(slot, args.span, args.n_entries as usize);
    let log_x_max = f32::ln(x_max);
    let mut sums = Shared::<[f32]>::new_slice(32usize);
    let mut loss_sum = 0.0f32;
    let mut trained = 0.0f32;
    let mut skipped = 0.0f32;
    for k in start..end {
        let i = pairs[2 * k];
        let j = pairs[2 * k + 1];
        if i >= 0 && j >= 0 && u32::cast_from(i) < rows && u32::cast_from(j) < rows {
            let wi = usize::cast_from(i) * width;
            let cj = usize::cast_from(j) * width;
            let x = counts[k];
            let log_x = f32::ln(x);
            let mut partial = 0.0f32;
            let mut d = unit;
            while d < dim_u {
                partial += word[wi + d] * context[cj + d];
                d += units;
            }
            cube_sum(&mut sums, unit, partial);
            if unit == 0 {
                sums[0] = sums[0] + word[wi + dim_u] + context[cj + dim_u] - log_x;
            }
            sync_cube();
            let diff = sums[0];
            sync_cube();
            let mut weight = 1.0f32;
            if x < x_max {
                weight = f32::exp(alpha * (log_x - log_x_max));
            }
            let fdiff = weight * diff;
            if f32::is_nan(diff) || f32::is_inf(diff) || f32::is_nan(fdiff) || f32::is_inf(fdiff) {
                skipped += 1.0f32;
            } else {
                trained += 1.0f32;
                loss_sum += 0.5f32 * fdiff * diff;
                let mut d = unit;
                while d < dim_u {
                    let wd = word[wi + d];
                    let cd = context[cj + d];
                    let gw = f32::clamp(fdiff * cd, -grad_clip, grad_clip) * lr;
                    let gc = f32::clamp(fdiff * wd, -grad_clip, grad_clip) * lr;
                    let sw = word_sq[wi + d];
                    let sc = context_sq[cj + d];
                    word[wi + d] = wd - gw / f32::sqrt(1.0f32 + sw);
                    context[cj + d] = cd - gc / f32::sqrt(1.0f32 + sc);
                    word_sq[wi + d] = sw + gw * gw;
                    context_sq[cj + d] = sc + gc * gc;
                    d += units;
                }
                if unit == 0 {
                    let b = wi + dim_u;
                    let cb = cj + dim_u;
                    // The biases learn at rate 1, unclipped, as in the reference.
                    word[b] -= fdiff / f32::sqrt(1.0f32 + word_sq[b]);
                    context[cb] -= fdiff / f32::sqrt(1.0f32 + context_sq[cb]);
                    word_sq[b] += fdiff * fdiff;
                    context_sq[cb] += fdiff * fdiff;
                }
            }
        }
    }
    // The grid may hold a few cubes past the last slot.
    if unit == 0 && slot * 3 < loss.len() {
        loss[slot * 3] = loss_sum;
        loss[slot * 3 + 1] = trained;
        loss[slot * 3 + 2] = skipped;
    }
}

impl GloveBackend for CubeBackend {
    fn glove_chunk(
        word: FloatTensor<Self>,
        context: FloatTensor<Self>,
        word_sq: FloatTensor<Self>,
        context_sq: FloatTensor<Self>,
        pairs: IntTensor<Self>,
        counts: FloatTensor<Self>,
        settings: GloveSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        let (word, context) = (contiguous_f32(word), contiguous_f32(context));
        let (word_sq, context_sq) = (contiguous_f32(word_sq), contiguous_f32(context_sq));
        let (pairs, counts): (CubeTensor, CubeTensor) =
            (contiguous_i32(pairs), contiguous_f32(counts));
        let shape = word.meta.shape().clone();
        let (rows, width) = (shape[0], shape[1]);
        assert!(
            width - 1 <= MAX_GPU_DIM,
            "the GPU kernel handles dim ≤ {MAX_GPU_DIM}"
        );
        let n = counts.meta.shape().num_elements();
        let (span, slots) = spans_for(n, settings.gpu_cubes);
        let client = word.client.clone();
        let loss = empty_device_dtype(
            client.clone(),
            word.device.clone(),
            [slots, 3].into(),
            DType::F32,
        );
        glove_kernel::launch(
            &client,
            grid(slots),
            CubeDim::new_1d(UNITS),
            word.clone().into_tensor_arg(),
            context.clone().into_tensor_arg(),
            word_sq.clone().into_tensor_arg(),
            context_sq.clone().into_tensor_arg(),
            pairs.into_tensor_arg(),
            counts.into_tensor_arg(),
            loss.clone().into_tensor_arg(),
            GloveArgsLaunch {
                n_entries: n as u32,
                rows: rows as u32,
                dim: (width - 1) as u32,
                lr: settings.lr,
                x_max: settings.x_max,
                alpha: settings.alpha,
                grad_clip: settings.grad_clip,
                span: span as u32,
            },
        );
        (word, context, word_sq, context_sq, loss)
    }
}
