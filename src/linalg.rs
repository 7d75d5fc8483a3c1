//! Small vector arithmetic over f32 rows, shared by the CPU kernels and the queries. Every
//! function is `inline(always)` so that it is compiled for the target of its caller: the fused
//! CPU kernels' AVX-512 and AVX2 copies (see `kernels::simd`) vectorise it for those targets.

/// Σ aᵢbᵢ with sixteen independent partial sums (one AVX-512 accumulator, two AVX2 ones), added
/// up in halves: four dependent additions where summing them in order takes fifteen, each score
/// of the kernels waits on one.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..16 {
            acc[k] += x[k] * y[k];
        }
    }
    // Without the barrier the vectoriser narrows the loop above to the pairs the halving adds
    // (eight two-float accumulators); with it the loop keeps whole vectors.
    let acc = std::hint::black_box(acc);
    let eight: [f32; 8] = std::array::from_fn(|k| acc[k] + acc[k + 8]);
    let four: [f32; 4] = std::array::from_fn(|k| eight[k] + eight[k + 4]);
    (four[0] + four[2]) + (four[1] + four[3]) + tail
}

/// y += a·x.
#[inline(always)]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// grad += a·u, then u += a·x, in one pass: word2vec's two updates at an output row (the
/// gradient gathered from the row as it was, then the row's own step), reading the row once.
#[inline(always)]
pub fn axpy_pair(a: f32, u: &mut [f32], x: &[f32], grad: &mut [f32]) {
    for ((ui, xi), gi) in u.iter_mut().zip(x).zip(grad.iter_mut()) {
        *gi += a * *ui;
        *ui += a * xi;
    }
}

/// Scales `v` to unit length; a zero vector stays zero.
#[inline(always)]
pub fn normalize(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_sum() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5 - 3.0).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32).sin()).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-4);
    }

    #[test]
    fn axpy_pair_is_the_two_axpys_in_order() {
        let x: Vec<f32> = (0..37).map(|i| (i as f32).cos()).collect();
        let (mut u, mut grad): (Vec<f32>, Vec<f32>) = (0..37)
            .map(|i| ((i as f32 * 0.3).sin(), i as f32 * 0.01))
            .unzip();
        let (mut u2, mut grad2) = (u.clone(), grad.clone());
        axpy(0.7, &u2, &mut grad2);
        axpy(0.7, &x, &mut u2);
        axpy_pair(0.7, &mut u, &x, &mut grad);
        assert_eq!((u, grad), (u2, grad2));
    }

    #[test]
    fn axpy_adds_the_scaled_vector_and_normalize_makes_unit_length() {
        let mut y = vec![1.0, 2.0, 3.0];
        axpy(2.0, &[1.0, 0.0, -1.0], &mut y);
        assert_eq!(y, [3.0, 2.0, 1.0]);
        normalize(&mut y);
        assert!((dot(&y, &y) - 1.0).abs() < 1e-6);
        let mut zero = vec![0.0; 3];
        normalize(&mut zero);
        assert_eq!(zero, [0.0; 3]);
    }
}
