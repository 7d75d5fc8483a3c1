//! The device functions both CubeCL word2vec kernels share: the random stream, a centre's window,
//! a noise word from the alias tables, and a target's score terms.

use cubecl::prelude::*;

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
