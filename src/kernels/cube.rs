//! What the CubeCL kernels share (wgpu, cuda): the cube's shape, its tree sum, its span of a
//! chunk, the grid a launch spreads its cubes over, and the tensors' layout as the kernels read
//! them.

use burn::tensor::{DType, IntDType};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

/// Units per cube: one warp on NVIDIA, and the width of the tree reduction below.
pub(crate) const UNITS: u32 = 32;
/// Largest `dim` the kernels accept (shared memory holds one gradient row per cube).
pub const MAX_GPU_DIM: usize = 1024;

/// One level of the cube's sum: the lower `half` units add the upper half's partial sums.
#[cube]
fn tree_step(sums: &mut Shared<[f32]>, unit: usize, #[comptime] half: usize) {
    if unit < half {
        sums[unit] += sums[unit + half];
    }
    sync_cube();
}

/// Sums the 32 units' `partial`s into `sums[0]` (every unit may read it after this returns).
#[cube]
pub(crate) fn cube_sum(sums: &mut Shared<[f32]>, unit: usize, partial: f32) {
    sums[unit] = partial;
    sync_cube();
    tree_step(sums, unit, 16usize);
    tree_step(sums, unit, 8usize);
    tree_step(sums, unit, 4usize);
    tree_step(sums, unit, 2usize);
    tree_step(sums, unit, 1usize);
}

/// The positions `[start, end)` cube `slot` walks: its span of the chunk's `n`.
#[cube]
pub(crate) fn span_range(slot: usize, span: u32, n: usize) -> (usize, usize) {
    let start = slot * span as usize;
    let mut end = start + span as usize;
    if end > n {
        end = n;
    }
    (start, end)
}

/// `slots` cubes on a 2-D grid: one dimension alone caps at 65,535 on some APIs. The grid may
/// hold a few cubes past the last slot; kernels leave those idle.
pub(crate) fn grid(slots: usize) -> CubeCount {
    let x = slots.min(32_768) as u32;
    let y = slots.div_ceil(x as usize) as u32;
    CubeCount::Static(x, y, 1)
}

/// The tensor as contiguous f32, as the kernels index it.
pub(crate) fn contiguous_f32(tensor: CubeTensor) -> CubeTensor {
    assert_eq!(
        tensor.dtype,
        DType::F32,
        "the fused step trains f32 vectors"
    );
    into_contiguous(tensor)
}

/// The ids as contiguous i32, as the kernels index them.
pub(crate) fn contiguous_i32(tensor: CubeTensor) -> CubeTensor {
    let tensor = if tensor.dtype == DType::I32 {
        tensor
    } else {
        <CubeBackend as burn::backend::ops::IntTensorOps<CubeBackend>>::int_cast(
            tensor,
            IntDType::I32,
        )
    };
    into_contiguous(tensor)
}
