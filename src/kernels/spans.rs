//! How the GPU kernels cut a chunk among cubes: each cube walks one span of positions (word ids,
//! or GloVe's entries) in order and owns one row of the loss tensor, so rows need no atomics.
//! The CPU launches shape their loss tensors the same way.

/// The fewest positions one GPU cube walks in order.
const MIN_SPAN: usize = 64;

/// (positions per span, spans) for `items` positions and `gpu_cubes` cubes; 0 cubes gives every
/// 64 positions their own.
pub(crate) fn spans_for(items: usize, gpu_cubes: u32) -> (usize, usize) {
    let mut span = MIN_SPAN;
    if gpu_cubes > 0 {
        span = span.max(items.div_ceil(gpu_cubes as usize));
    }
    (span, items.div_ceil(span).max(1))
}
