//! GloVe's update on the CPU, as the reference `glove.c` makes it: each thread walks its share of
//! a chunk of shuffled co-occurrence entries and updates the two rows (vector and bias) each entry
//! touches, in place and without locks ([`HogwildRows`]). AdaGrad in the reference's form
//! (`glove.c` as Stanford ships it): each gradient component of a vector is clipped, scaled by the rate,
//! divided by √(1 + the sum of its earlier squares), and that sum grows by its square; the
//! biases take the same step unclipped and at rate 1 — the reference applies `eta` to the
//! vectors only, and its published figures come from that rule. The reference starts its sums
//! at 1 in double precision; here they start at 0 and the 1 is added when dividing, so that in
//! f32 the many tiny squares of rare pairs still add up instead of vanishing against the 1.
//! Entries whose error is not finite are skipped and counted, so the caller can stop with a clear
//! error instead of spreading a NaN.

use super::GloveSettings;
use crate::kernels::hogwild::HogwildRows;
use crate::kernels::loss::LossSum;
use crate::kernels::simd::{SimdWork, with_best_simd};
use crate::linalg::dot;

/// The weights the GloVe step updates: word and context rows of `dim` vector values then the
/// bias ([rows, dim + 1], as the reference packs them), and AdaGrad's squared sums beside each
/// (zero at the start).
pub(crate) struct GloveRows<'a> {
    pub word: &'a mut [f32],
    pub context: &'a mut [f32],
    pub word_sq: &'a mut [f32],
    pub context_sq: &'a mut [f32],
}

/// The four matrices the workers share.
#[derive(Clone, Copy)]
struct Shared<'a> {
    word: HogwildRows<'a>,
    context: HogwildRows<'a>,
    word_sq: HogwildRows<'a>,
    context_sq: HogwildRows<'a>,
}

/// The loss of a chunk: ½ f(X)·diff² summed over its entries, their number, and the entries
/// skipped because their error was not finite.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GloveLoss {
    pub loss: LossSum,
    pub non_finite: u64,
}

/// Trains on one chunk: entry k is (`pairs[2k]`, `pairs[2k + 1]`) with count `counts[k]`.
/// Entries with an id outside the matrices are an error of the caller and are skipped.
pub(crate) fn train_glove_chunk(
    rows: GloveRows<'_>,
    dim: usize,
    pairs: &[i32],
    counts: &[f32],
    settings: &GloveSettings,
) -> GloveLoss {
    let width = dim + 1;
    let len = rows.word.len();
    assert!(dim > 0 && len.is_multiple_of(width));
    assert!(rows.context.len() == len && rows.word_sq.len() == len && rows.context_sq.len() == len);
    assert_eq!(pairs.len(), counts.len() * 2);
    let shared = Shared {
        word: HogwildRows::new(rows.word, width),
        context: HogwildRows::new(rows.context, width),
        word_sq: HogwildRows::new(rows.word_sq, width),
        context_sq: HogwildRows::new(rows.context_sq, width),
    };
    let threads = (settings.threads.max(1) as usize).min(counts.len().max(1));
    let part = |t: usize| counts.len() * t / threads..counts.len() * (t + 1) / threads;
    if threads == 1 {
        return run_part(shared, pairs, counts, part(0), settings);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || run_part(shared, pairs, counts, part(t), settings)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a training thread does not panic"))
            .fold(GloveLoss::default(), |a, b| GloveLoss {
                loss: a.loss.plus(b.loss),
                non_finite: a.non_finite + b.non_finite,
            })
    })
}

fn run_part(
    shared: Shared<'_>,
    pairs: &[i32],
    counts: &[f32],
    range: std::ops::Range<usize>,
    settings: &GloveSettings,
) -> GloveLoss {
    with_best_simd(Part {
        shared,
        pairs,
        counts,
        range,
        settings,
    })
}

/// One thread's share of a chunk, as [`with_best_simd`] runs it.
struct Part<'a, 't> {
    shared: Shared<'a>,
    pairs: &'t [i32],
    counts: &'t [f32],
    range: std::ops::Range<usize>,
    settings: &'t GloveSettings,
}

impl SimdWork for Part<'_, '_> {
    type Output = GloveLoss;

    #[inline(always)]
    fn run(self) -> GloveLoss {
        part(
            self.shared,
            self.pairs,
            self.counts,
            self.range,
            self.settings,
        )
    }
}

#[inline(always)]
fn part(
    shared: Shared<'_>,
    pairs: &[i32],
    counts: &[f32],
    range: std::ops::Range<usize>,
    settings: &GloveSettings,
) -> GloveLoss {
    let (rows, width) = (shared.word.rows(), shared.word.width());
    let dim = width - 1;
    let clip = settings.grad_clip;
    let log_x_max = settings.x_max.ln();
    let mut out = GloveLoss::default();
    for k in range {
        let (i, j) = (pairs[2 * k], pairs[2 * k + 1]);
        if i < 0 || j < 0 || i as usize >= rows || j as usize >= rows {
            continue;
        }
        let (i, j) = (i as usize, j as usize);
        // Other threads may write the same rows at the same time (Hogwild).
        let (w, c, w_sq, c_sq) = (
            shared.word.row(i),
            shared.context.row(j),
            shared.word_sq.row(i),
            shared.context_sq.row(j),
        );
        let x = counts[k];
        let log_x = x.ln();
        let diff = dot(&w[..dim], &c[..dim]) + w[dim] + c[dim] - log_x;
        let weight = if x >= settings.x_max {
            1.0
        } else {
            (settings.alpha * (log_x - log_x_max)).exp()
        };
        let fdiff = weight * diff;
        if !diff.is_finite() || !fdiff.is_finite() {
            out.non_finite += 1;
            continue;
        }
        out.loss.sum += 0.5 * fdiff as f64 * diff as f64;
        out.loss.pairs += 1;
        let lr = settings.lr;
        for d in 0..dim {
            let (wd, cd) = (w[d], c[d]);
            let gw = (fdiff * cd).max(-clip).min(clip) * lr;
            let gc = (fdiff * wd).max(-clip).min(clip) * lr;
            w[d] = wd - gw / (1.0 + w_sq[d]).sqrt();
            c[d] = cd - gc / (1.0 + c_sq[d]).sqrt();
            w_sq[d] += gw * gw;
            c_sq[d] += gc * gc;
        }
        w[dim] -= fdiff / (1.0 + w_sq[dim]).sqrt();
        c[dim] -= fdiff / (1.0 + c_sq[dim]).sqrt();
        w_sq[dim] += fdiff * fdiff;
        c_sq[dim] += fdiff * fdiff;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: GloveSettings = GloveSettings {
        lr: 0.05,
        x_max: 4.0,
        alpha: 0.75,
        grad_clip: 100.0,
        threads: 1,
        gpu_cubes: 0,
    };

    fn weights(rows: usize, width: usize) -> (Vec<f32>, Vec<f32>) {
        let word = (0..rows * width)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) / 10.0)
            .collect();
        let context = (0..rows * width)
            .map(|i| ((i * 5 % 13) as f32 - 6.0) / 9.0)
            .collect();
        (word, context)
    }

    /// One entry's step against `glove.c`'s arithmetic, written out in f64.
    #[test]
    fn one_step_matches_the_reference_arithmetic() {
        let (dim, width) = (3, 4);
        let (mut word, mut context) = weights(3, width);
        let (w0, c0) = (word.clone(), context.clone());
        let mut w_sq = vec![0.0f32; 12];
        let mut c_sq: Vec<f32> = (0..12).map(|i| i as f32 / 4.0).collect();
        let c_sq0 = c_sq.clone();
        let loss = train_glove_chunk(
            GloveRows {
                word: &mut word,
                context: &mut context,
                word_sq: &mut w_sq,
                context_sq: &mut c_sq,
            },
            dim,
            &[2, 1],
            &[1.5],
            &SETTINGS,
        );
        let (i, j) = (8, 4);
        let dot: f64 = (0..dim).map(|d| w0[i + d] as f64 * c0[j + d] as f64).sum();
        let diff = dot + w0[i + 3] as f64 + c0[j + 3] as f64 - 1.5f64.ln();
        let f = (1.5f64 / 4.0).powf(0.75);
        assert!((loss.loss.sum - 0.5 * f * diff * diff).abs() < 1e-6);
        assert_eq!((loss.loss.pairs, loss.non_finite), (1, 0));
        let step = f * diff * 0.05;
        for d in 0..dim {
            let gw = step * c0[j + d] as f64;
            let gc = step * w0[i + d] as f64;
            assert!((word[i + d] as f64 - (w0[i + d] as f64 - gw)).abs() < 1e-6);
            let want = c0[j + d] as f64 - gc / (1.0 + c_sq0[j + d] as f64).sqrt();
            assert!((context[j + d] as f64 - want).abs() < 1e-6);
            assert!((w_sq[i + d] as f64 - gw * gw).abs() < 1e-9);
        }
        // The bias learns at rate 1, as in the reference.
        let want_bias = c0[j + 3] as f64 - f * diff / (1.0 + c_sq0[j + 3] as f64).sqrt();
        assert!((context[j + 3] as f64 - want_bias).abs() < 1e-6);
        // Rows the entry does not touch stay as they were.
        assert_eq!(word[..8], w0[..8]);
        assert_eq!(context[8..], c0[8..]);
    }

    #[test]
    fn gradients_are_clipped() {
        let (mut word, mut context) = (vec![10.0f32; 4], vec![10.0f32; 4]);
        let (mut w_sq, mut c_sq) = (vec![0.0f32; 4], vec![0.0f32; 4]);
        let settings = GloveSettings {
            grad_clip: 0.5,
            x_max: 1.0,
            lr: 0.5,
            ..SETTINGS
        };
        train_glove_chunk(
            GloveRows {
                word: &mut word,
                context: &mut context,
                word_sq: &mut w_sq,
                context_sq: &mut c_sq,
            },
            3,
            &[0, 0],
            &[1.0],
            &settings,
        );
        // Each component moved by the clipped 0.5 times the rate 0.5, over √1; the bias takes
        // its whole error, 10·10·3 + 10 + 10 − ln 1 = 320, unclipped at rate 1.
        assert_eq!(word[..3], [9.75; 3]);
        assert_eq!(w_sq[..3], [0.0625; 3]);
        assert_eq!(word[3], 10.0 - 320.0);
    }

    #[test]
    fn non_finite_errors_are_counted_and_skipped() {
        let (mut word, mut context) = weights(2, 3);
        word[0] = f32::INFINITY;
        let before = context.clone();
        let (mut w_sq, mut c_sq) = (vec![0.0f32; 6], vec![0.0f32; 6]);
        let loss = train_glove_chunk(
            GloveRows {
                word: &mut word,
                context: &mut context,
                word_sq: &mut w_sq,
                context_sq: &mut c_sq,
            },
            2,
            &[0, 1, 1, 0, 5, 0],
            &[2.0, 2.0, 2.0],
            &GloveSettings {
                threads: 2,
                ..SETTINGS
            },
        );
        assert_eq!(loss.non_finite, 1);
        assert_eq!(loss.loss.pairs, 1, "the out-of-range entry is skipped");
        assert_eq!(
            context[3..],
            before[3..],
            "the broken entry left its context row"
        );
    }
}
