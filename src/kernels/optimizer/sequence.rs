//! A row-wise rule's steps of one row over a window (`--batching window`): the row steps once
//! for each context that scored it, in order, as it would per pair, on gradients taken from the
//! rows as they were (the window's approximation). A row-wise rule's rate is one number a row
//! and step, known from scalars alone (each gradient's mean square), so the n steps fold into
//! one pass over the row and one per gradient: AdaGrad's as a weighted sum of the gradients,
//! Adam's first moment through weights per gradient worked out backwards (R_i = rate_i +
//! β₁·R_{i+1} is how much of gradient i the later steps still carry). Stepping once on the
//! window's summed gradient instead moves a row as far as one pair does, so the window needed
//! another rate; this way the rule and its rate stay the per-pair ones.

use super::{FusedOptimizer, count_adam_step};
use crate::linalg::{axpy, dot};

/// A rule whose rate is one number a row: [`FusedOptimizer::RowAdaGrad`] or
/// [`FusedOptimizer::RowAdam`] ([`FusedOptimizer::row_wise`] makes one of no other).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowWise(FusedOptimizer);

impl FusedOptimizer {
    /// The rule as a [`RowWise`] one, if it is.
    pub fn row_wise(&self) -> Option<RowWise> {
        matches!(
            self,
            FusedOptimizer::RowAdaGrad { .. } | FusedOptimizer::RowAdam { .. }
        )
        .then_some(RowWise(*self))
    }
}

impl RowWise {
    /// Row `w` and its `state` after one step for each gradient `scales[i]`·`xs[i]` (plus the
    /// rule's weight decay times `w` as it was) in turn, at rate `lr`; a scale of 0 is no step
    /// (a node the example left alone). `mean_squares` holds each x's mean square, worked out
    /// once per x; `weights` is scratch.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn step_sequence(
        &self,
        scales: &[f32],
        xs: &[&[f32]],
        mean_squares: &[f32],
        w: &mut [f32],
        state: &mut [f32],
        lr: f32,
        weights: &mut Vec<f32>,
    ) {
        let steps = || {
            scales
                .iter()
                .zip(xs)
                .zip(mean_squares)
                .filter(|((scale, _), _)| **scale != 0.0)
        };
        weights.clear();
        match self.0 {
            FusedOptimizer::RowAdaGrad {
                epsilon,
                weight_decay,
            } => {
                let decayed = Decayed::new(w, weight_decay);
                // w − Σ rateᵢ·(scaleᵢ·xᵢ + decay·w)
                let mut rates = 0.0;
                for ((&scale, x), &x_mean_square) in steps() {
                    state[0] += decayed.mean_square(scale, x, x_mean_square, w);
                    let rate = lr / (state[0].sqrt() + epsilon);
                    rates += rate;
                    weights.push(rate * scale);
                }
                if weights.is_empty() {
                    return;
                }
                if weight_decay != 0.0 {
                    let keep = 1.0 - weight_decay * rates;
                    w.iter_mut().for_each(|wi| *wi *= keep);
                }
                for (((_, x), _), &c) in steps().zip(weights.iter()) {
                    axpy(-c, x, w);
                }
            }
            FusedOptimizer::RowAdam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                let decayed = Decayed::new(w, weight_decay);
                let (m, rest) = state.split_at_mut(w.len());
                let (v, powers) = rest.split_at_mut(1);
                for ((&scale, x), &x_mean_square) in steps() {
                    let (factor, correction2) = count_adam_step(powers, beta1, beta2);
                    let mean_square = decayed.mean_square(scale, x, x_mean_square, w);
                    v[0] = v[0] * beta2 + mean_square * (1.0 - beta2);
                    weights.push(lr * factor / (v[0].sqrt() + epsilon * correction2));
                }
                if weights.is_empty() {
                    return;
                }
                // With mⱼ = β₁mⱼ₋₁ + (1 − β₁)gⱼ: Σⱼ rateⱼmⱼ = β₁R₀·m₀ + Σᵢ (1 − β₁)Rᵢ·gᵢ, and
                // mₙ = β₁ⁿm₀ + Σᵢ (1 − β₁)β₁ⁿ⁻¹⁻ⁱ·gᵢ: each gradient's two weights, after the rates.
                let n = weights.len();
                let keep1 = 1.0 - beta1;
                let (mut carried, mut power) = (0.0f32, 1.0f32);
                weights.resize(3 * n, 0.0);
                for i in (0..n).rev() {
                    carried = weights[i] + beta1 * carried;
                    weights[n + i] = keep1 * carried;
                    weights[2 * n + i] = keep1 * power;
                    power *= beta1;
                }
                let (first, decays) = (beta1 * carried, power);
                let (to_w, to_m) = weights[n..].split_at(n);
                let (w_decay, m_decay) = match weight_decay {
                    0.0 => (1.0, 0.0),
                    d => (
                        1.0 - d * to_w.iter().sum::<f32>(),
                        d * to_m.iter().sum::<f32>(),
                    ),
                };
                for (wi, mi) in w.iter_mut().zip(m.iter_mut()) {
                    let (w0, m0) = (*wi, *mi);
                    *wi = w0 * w_decay - first * m0;
                    *mi = m0 * decays + m_decay * w0;
                }
                for ((((&scale, x), _), &cw), &cm) in steps().zip(to_w).zip(to_m) {
                    let (cw, cm) = (cw * scale, cm * scale);
                    for ((wi, mi), xi) in w.iter_mut().zip(m.iter_mut()).zip(*x) {
                        *wi -= cw * xi;
                        *mi += cm * xi;
                    }
                }
            }
            _ => unreachable!("a RowWise holds a row-wise rule"),
        }
    }
}

/// What the squared gradient's mean needs of the weight decay: mean((scale·x + decay·w)²), with
/// w the row before the sequence's first step.
struct Decayed {
    decay: f32,
    /// w's mean square (0 without decay).
    row_mean_square: f32,
}

impl Decayed {
    #[inline(always)]
    fn new(w: &[f32], decay: f32) -> Self {
        let row_mean_square = match decay {
            0.0 => 0.0,
            _ => dot(w, w) / w.len().max(1) as f32,
        };
        Decayed {
            decay,
            row_mean_square,
        }
    }

    /// `w` must still be the row as it was.
    #[inline(always)]
    fn mean_square(&self, scale: f32, x: &[f32], x_mean_square: f32, w: &[f32]) -> f32 {
        let plain = scale * scale * x_mean_square;
        match self.decay {
            0.0 => plain,
            decay => {
                let cross = 2.0 * scale * decay * dot(x, w) / w.len().max(1) as f32;
                plain + cross + decay * decay * self.row_mean_square
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FusedOptimizer;
    use crate::linalg::dot;

    const DIM: usize = 7;

    fn rows(count: usize) -> Vec<Vec<f32>> {
        (0..count)
            .map(|r| {
                (0..DIM)
                    .map(|k| ((r * 11 + k * 5) as f32 * 0.43).sin() * (0.3 + r as f32 * 0.2))
                    .collect()
            })
            .collect()
    }

    /// The sequence against the rule stepped once per gradient, each gradient scale·x + decay·w
    /// with w the row before the first: the same row and state to 1e-5, through the first steps
    /// of a fresh row (Adam's bias corrections) and later ones.
    #[test]
    fn a_row_wise_sequence_equals_one_step_per_gradient() {
        let rules = |weight_decay| {
            [
                FusedOptimizer::RowAdaGrad {
                    epsilon: 1e-10,
                    weight_decay,
                },
                FusedOptimizer::RowAdam {
                    beta1: 0.9,
                    beta2: 0.999,
                    epsilon: 1e-5,
                    weight_decay,
                },
            ]
        };
        for weight_decay in [0.0, 0.01] {
            for (rule, undecayed) in rules(weight_decay).into_iter().zip(rules(0.0)) {
                let xs = rows(6);
                // A zero scale (a node left alone) takes no step.
                let scales = [0.7, -0.4, 0.0, -1.3, 0.2, 0.55];
                let mut w = rows(9).pop().unwrap();
                let mut state = vec![0.0; rule.state_width(DIM)];
                let (mut w_seq, mut state_seq) = (w.clone(), state.clone());
                let mut weights = Vec::new();
                // Two windows, of 4 and 2 steps.
                for window in [0..4, 4..6] {
                    let w0 = w.clone();
                    for i in window.clone().filter(|&i| scales[i] != 0.0) {
                        let x: Vec<f32> = xs[i]
                            .iter()
                            .zip(&w0)
                            .map(|(xi, wi)| scales[i] * xi + weight_decay * wi)
                            .collect();
                        undecayed.step_row(1.0, &x, &mut w, &mut state, 0.05);
                    }
                    let rows: Vec<&[f32]> = xs[window.clone()].iter().map(|x| &x[..]).collect();
                    let mean_squares: Vec<f32> =
                        rows.iter().map(|x| dot(x, x) / DIM as f32).collect();
                    rule.row_wise().unwrap().step_sequence(
                        &scales[window],
                        &rows,
                        &mean_squares,
                        &mut w_seq,
                        &mut state_seq,
                        0.05,
                        &mut weights,
                    );
                    for (a, b) in w.iter().zip(&w_seq).chain(state.iter().zip(&state_seq)) {
                        assert!((a - b).abs() < 1e-5, "{rule:?}: {a} vs {b}");
                    }
                }
                assert!(w.iter().zip(rows(9).pop().unwrap()).any(|(a, b)| a != &b));
            }
        }
    }
}
