//! Row-sparse ("lazy") optimizers for the fused steps: each row an example touches takes its
//! optimizer's step for the gradient it got, and rows a step does not touch keep their weights
//! and their state, as PyTorch's `SparseAdam` and TensorFlow's `LazyAdam` do. Each rule is Burn's
//! own (`burn::optim`), written for one row, so that with one row touched per step the fused
//! update equals Burn's optimizer on the same gradient.
//!
//! A matrix's state sits beside it as one [rows, `state_width`] matrix; a row's state is its
//! slots in order — first moment (or velocity, or squared sum), second moment (or RMSProp's
//! velocity) — then what the rule counts per row. Bias correction (Adam, AdamW) counts the steps
//! *of that row*, so a rare word's first updates are corrected as a fresh parameter's are: the
//! row keeps β₁ᵗ and β₂ᵗ themselves (zero before its first step, then one multiply a step; a
//! `powi` a row cost a quarter of the run). SGD with momentum keeps a first-step flag,
//! so that a row's velocity starts at its first gradient, as Burn's does.

/// The optimizer a fused step applies, with Burn's hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FusedOptimizer {
    /// word2vec's plain SGD: no state.
    Sgd,
    /// SGD with momentum (Burn's `SgdConfig` with a `MomentumConfig`, not Nesterov): a row's
    /// velocity is its first gradient, then momentum · velocity + (1 − dampening) · gradient.
    Momentum {
        momentum: f32,
        dampening: f32,
        weight_decay: f32,
    },
    /// AdaGrad (Burn's, no rate decay): w −= lr · g / (√Σg² + ε).
    AdaGrad { epsilon: f32, weight_decay: f32 },
    /// Adam, or AdamW when `decoupled` (the weight decay then shrinks the weights by
    /// lr · weight_decay instead of joining the gradient).
    Adam {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
        weight_decay: f32,
        decoupled: bool,
    },
    /// RMSProp (Burn's, not centered): w −= lr · v, v = momentum · v + g / (√avg(g²) + ε), or
    /// without momentum the scaled gradient itself.
    RmsProp {
        alpha: f32,
        momentum: f32,
        epsilon: f32,
        weight_decay: f32,
    },
    /// Row-wise AdaGrad (fbgemm's and DLRM's): one sum per row of the squared gradient's mean
    /// over the row, s += mean(g²), w −= lr · g / (√s + ε).
    RowAdaGrad { epsilon: f32, weight_decay: f32 },
    /// Adam with a per-row second moment (fbgemm's partial row-wise Adam): m per weight as Adam's,
    /// v = β₂v + (1 − β₂)·mean(g²) per row, the same bias corrections.
    RowAdam {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
        weight_decay: f32,
    },
}

/// A power of β below which 1 − βᵗ rounds to 1 in f32 (half an ulp of 1 is 6e-8).
const SETTLED: f32 = 1e-9;

mod sequence;

pub use sequence::RowWise;

use crate::linalg::{axpy, dot};

impl FusedOptimizer {
    /// Floats of state per row of a matrix of `dim` columns (0: no state).
    pub fn state_width(&self, dim: usize) -> usize {
        match *self {
            FusedOptimizer::Sgd => 0,
            FusedOptimizer::Momentum { .. } => dim + 1,
            FusedOptimizer::AdaGrad { .. } => dim,
            FusedOptimizer::Adam { .. } => 2 * dim + 2,
            FusedOptimizer::RmsProp { momentum, .. } if momentum > 0.0 => 2 * dim,
            FusedOptimizer::RmsProp { .. } => dim,
            FusedOptimizer::RowAdaGrad { .. } => 1,
            FusedOptimizer::RowAdam { .. } => dim + 3,
        }
    }

    /// The name of its state in checkpoints (`None`: no state).
    pub fn state_name(&self) -> Option<&'static str> {
        match self {
            FusedOptimizer::Sgd => None,
            FusedOptimizer::Momentum { .. } => Some("momentum"),
            FusedOptimizer::AdaGrad { .. } => Some("adagrad"),
            FusedOptimizer::Adam {
                decoupled: false, ..
            } => Some("adam"),
            FusedOptimizer::Adam {
                decoupled: true, ..
            } => Some("adamw"),
            FusedOptimizer::RmsProp { .. } => Some("rmsprop"),
            FusedOptimizer::RowAdaGrad { .. } => Some("rowwise-adagrad"),
            FusedOptimizer::RowAdam { .. } => Some("rowwise-adam"),
        }
    }

    /// One row's step at rate `lr` for the gradient `scale`·`x`: `w` and its `state` row
    /// ([`FusedOptimizer::state_width`] floats) updated in place. Plain SGD is not stepped here:
    /// the kernels fold its rate into the gradient as word2vec does.
    #[inline(always)]
    pub fn step_row(&self, scale: f32, x: &[f32], w: &mut [f32], state: &mut [f32], lr: f32) {
        self.step_row_with(scale, x, None, w, state, lr)
    }

    /// What a row-wise rule needs of an `x` that several rows step with (an example's input
    /// row, against each of its targets): the mean of its squares, worked out once. `None` for
    /// the other rules, which need nothing.
    #[inline(always)]
    pub fn row_statistic(&self, x: &[f32]) -> Option<f32> {
        match self {
            FusedOptimizer::RowAdaGrad { .. } | FusedOptimizer::RowAdam { .. } => {
                Some(dot(x, x) / x.len().max(1) as f32)
            }
            _ => None,
        }
    }

    /// An output row's two updates: `grad` += g·`u` (the input's gradient, from the row as it
    /// was), then the row's step for the gradient −g·`x` — in one pass over the row for the
    /// row-wise rules without weight decay, whose rate is known before the row is read (`x`'s
    /// [`FusedOptimizer::row_statistic`] given), as word2vec's SGD does it.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn step_output_row(
        &self,
        g: f32,
        x: &[f32],
        x_mean_square: Option<f32>,
        u: &mut [f32],
        grad: &mut [f32],
        state: &mut [f32],
        lr: f32,
    ) {
        let scale = -g;
        match (*self, x_mean_square) {
            (
                FusedOptimizer::RowAdaGrad {
                    epsilon,
                    weight_decay: 0.0,
                },
                Some(ms),
            ) => {
                state[0] += scale * scale * ms;
                let rate = lr / (state[0].sqrt() + epsilon);
                for ((ui, xi), gi) in u.iter_mut().zip(x).zip(grad.iter_mut()) {
                    *gi += g * *ui;
                    *ui -= rate * (scale * xi);
                }
            }
            (
                FusedOptimizer::RowAdam {
                    beta1,
                    beta2,
                    epsilon,
                    weight_decay: 0.0,
                },
                Some(ms),
            ) => {
                let dim = u.len();
                let (m, rest) = state.split_at_mut(dim);
                let (v, powers) = rest.split_at_mut(1);
                let (factor, correction2) = count_adam_step(powers, beta1, beta2);
                v[0] = v[0] * beta2 + scale * scale * ms * (1.0 - beta2);
                let rate = lr * factor / (v[0].sqrt() + epsilon * correction2);
                let keep1 = 1.0 - beta1;
                for (((ui, mi), xi), gi) in u.iter_mut().zip(m.iter_mut()).zip(x).zip(grad) {
                    *gi += g * *ui;
                    *mi = *mi * beta1 + scale * xi * keep1;
                    *ui -= rate * *mi;
                }
            }
            _ => {
                axpy(g, u, grad);
                self.step_row_with(scale, x, x_mean_square, u, state, lr);
            }
        }
    }

    /// [`FusedOptimizer::step_row`] given `x`'s [`FusedOptimizer::row_statistic`], where it is
    /// known.
    #[inline(always)]
    pub fn step_row_with(
        &self,
        scale: f32,
        x: &[f32],
        x_mean_square: Option<f32>,
        w: &mut [f32],
        state: &mut [f32],
        lr: f32,
    ) {
        let dim = w.len();
        match *self {
            FusedOptimizer::Sgd => {
                for (wi, xi) in w.iter_mut().zip(x) {
                    *wi -= lr * scale * xi;
                }
            }
            FusedOptimizer::AdaGrad {
                epsilon,
                weight_decay,
            } => {
                let sums = &mut state[..dim];
                if weight_decay == 0.0 {
                    for ((wi, si), xi) in w.iter_mut().zip(sums.iter_mut()).zip(x) {
                        let g = scale * xi;
                        *si += g * g;
                        *wi -= lr * g / (si.sqrt() + epsilon);
                    }
                } else {
                    for ((wi, si), xi) in w.iter_mut().zip(sums.iter_mut()).zip(x) {
                        let g = scale * xi + weight_decay * *wi;
                        *si += g * g;
                        *wi -= lr * g / (si.sqrt() + epsilon);
                    }
                }
            }
            FusedOptimizer::Momentum {
                momentum,
                dampening,
                weight_decay,
            } => {
                let (velocity, count) = state.split_at_mut(dim);
                let first = count[0] == 0.0;
                count[0] = 1.0;
                for ((wi, vi), xi) in w.iter_mut().zip(velocity.iter_mut()).zip(x) {
                    let g = scale * xi + weight_decay * *wi;
                    *vi = if first {
                        g
                    } else {
                        g * (1.0 - dampening) + *vi * momentum
                    };
                    *wi -= *vi * lr;
                }
            }
            FusedOptimizer::Adam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
                decoupled,
            } => {
                let (moments, powers) = state.split_at_mut(2 * dim);
                let (m, v) = moments.split_at_mut(dim);
                let (factor, correction2) = count_adam_step(powers, beta1, beta2);
                let (keep1, keep2) = (1.0 - beta1, 1.0 - beta2);
                let (rate, floor) = (lr * factor, epsilon * correction2);
                let rows = w.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(x);
                // A loop each, the common case (no weight decay) the tightest.
                if weight_decay == 0.0 {
                    for (((wi, mi), vi), xi) in rows {
                        let g = scale * xi;
                        *mi = *mi * beta1 + g * keep1;
                        *vi = *vi * beta2 + g * g * keep2;
                        *wi -= rate * *mi / (vi.sqrt() + floor);
                    }
                } else if decoupled {
                    let decay = 1.0 - lr * weight_decay;
                    for (((wi, mi), vi), xi) in rows {
                        let g = scale * xi;
                        *mi = *mi * beta1 + g * keep1;
                        *vi = *vi * beta2 + g * g * keep2;
                        *wi = *wi * decay - rate * *mi / (vi.sqrt() + floor);
                    }
                } else {
                    for (((wi, mi), vi), xi) in rows {
                        let g = scale * xi + weight_decay * *wi;
                        *mi = *mi * beta1 + g * keep1;
                        *vi = *vi * beta2 + g * g * keep2;
                        *wi -= rate * *mi / (vi.sqrt() + floor);
                    }
                }
            }
            FusedOptimizer::RmsProp {
                alpha,
                momentum,
                epsilon,
                weight_decay,
            } => {
                let (avg, velocity) = state.split_at_mut(dim);
                let averaged = w.iter_mut().zip(avg.iter_mut()).zip(x);
                if momentum > 0.0 {
                    for (((wi, ai), xi), vi) in averaged.zip(velocity.iter_mut()) {
                        let g = scale * xi + weight_decay * *wi;
                        *ai = *ai * alpha + g * g * (1.0 - alpha);
                        *vi = *vi * momentum + g / (ai.sqrt() + epsilon);
                        *wi -= *vi * lr;
                    }
                } else {
                    for ((wi, ai), xi) in averaged {
                        let g = scale * xi + weight_decay * *wi;
                        *ai = *ai * alpha + g * g * (1.0 - alpha);
                        *wi -= g / (ai.sqrt() + epsilon) * lr;
                    }
                }
            }
            FusedOptimizer::RowAdaGrad {
                epsilon,
                weight_decay,
            } => {
                state[0] += mean_square(scale, x, x_mean_square, w, weight_decay);
                let rate = lr / (state[0].sqrt() + epsilon);
                for (wi, xi) in w.iter_mut().zip(x) {
                    let g = scale * xi + weight_decay * *wi;
                    *wi -= rate * g;
                }
            }
            FusedOptimizer::RowAdam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                let (m, rest) = state.split_at_mut(dim);
                let (v, powers) = rest.split_at_mut(1);
                let (factor, correction2) = count_adam_step(powers, beta1, beta2);
                let mean = mean_square(scale, x, x_mean_square, w, weight_decay);
                v[0] = v[0] * beta2 + mean * (1.0 - beta2);
                let rate = lr * factor / (v[0].sqrt() + epsilon * correction2);
                let keep1 = 1.0 - beta1;
                for ((wi, mi), xi) in w.iter_mut().zip(m.iter_mut()).zip(x) {
                    let g = scale * xi + weight_decay * *wi;
                    *mi = *mi * beta1 + g * keep1;
                    *wi -= rate * *mi;
                }
            }
        }
    }
}

/// Moves a row's βᵗ pair (`powers`: 0 before its first step) one step on and returns Adam's
/// bias factors: √(1 − β₂ᵗ)/(1 − β₁ᵗ) for the rate, and √(1 − β₂ᵗ) for ε. Below `SETTLED`
/// 1 − βᵗ is exactly 1, so a power stops there: shrinking on into subnormal floats would cost a
/// slow CPU path on every step of every frequent row.
#[inline(always)]
fn count_adam_step(powers: &mut [f32], beta1: f32, beta2: f32) -> (f32, f32) {
    let next = |p: f32, beta: f32| match p {
        0.0 => beta,
        p if p < SETTLED => p,
        p => p * beta,
    };
    powers[0] = next(powers[0], beta1);
    powers[1] = next(powers[1], beta2);
    let correction2 = (1.0 - powers[1]).sqrt();
    (correction2 / (1.0 - powers[0]), correction2)
}

/// The mean over the row of the squared gradient `scale`·x + `weight_decay`·w (the row-wise
/// rules' one statistic), from x's own mean square where it is given.
#[inline(always)]
fn mean_square(
    scale: f32,
    x: &[f32],
    x_mean_square: Option<f32>,
    w: &[f32],
    weight_decay: f32,
) -> f32 {
    if weight_decay != 0.0 {
        let sum: f32 = x
            .iter()
            .zip(w)
            .map(|(xi, wi)| (scale * xi + weight_decay * wi).powi(2))
            .sum();
        return sum / x.len().max(1) as f32;
    }
    let x_mean_square = x_mean_square.unwrap_or_else(|| dot(x, x) / x.len().max(1) as f32);
    scale * scale * x_mean_square
}

#[cfg(test)]
mod tests {
    use burn::module::{Module, Param};
    use burn::optim::{GradientsParams, ModuleOptimizer};
    use burn::prelude::*;

    use super::FusedOptimizer;

    /// A module of one [rows, dim] parameter, for Burn's optimizers to step.
    #[derive(Module, Debug)]
    struct Rows {
        weight: Param<Tensor<2>>,
    }

    const ROWS: usize = 3;
    const DIM: usize = 5;
    /// The one row every step touches.
    const ROW: usize = 1;

    fn gradient(step: usize) -> Vec<f32> {
        (0..DIM)
            .map(|k| ((step * 7 + k * 3) as f32 * 0.61).sin() * (0.5 + step as f32 * 0.3))
            .collect()
    }

    /// Burn's optimizer and the fused rule side by side for six steps of a gradient on one row:
    /// the same row after each, to 1e-5.
    fn matches_burn(fused: FusedOptimizer, mut burn: ModuleOptimizer, lr: f32) {
        let device = Device::default().autodiff();
        let start: Vec<f32> = (0..ROWS * DIM).map(|i| (i as f32 * 0.37).cos()).collect();
        let mut module = Rows {
            weight: Param::from_tensor(Tensor::from_data(
                TensorData::new(start.clone(), [ROWS, DIM]),
                &device,
            )),
        };
        let mut weights = start;
        let mut state = vec![0.0f32; ROWS * fused.state_width(DIM)];
        let width = fused.state_width(DIM);
        for step in 0..6 {
            let g = gradient(step);
            // Burn: the loss Σ g·w over the row gives exactly gradient g there, 0 elsewhere.
            let mut mask = vec![0.0f32; ROWS * DIM];
            mask[ROW * DIM..(ROW + 1) * DIM].copy_from_slice(&g);
            let mask = Tensor::<2>::from_data(TensorData::new(mask, [ROWS, DIM]), &device);
            let loss = (module.weight.val() * mask).sum();
            let grads = GradientsParams::from_grads(loss.backward(), &module);
            module = burn.step(lr as f64, module, grads);
            // Fused: the row's step for the gradient 1·g.
            fused.step_row(
                1.0,
                &g,
                &mut weights[ROW * DIM..(ROW + 1) * DIM],
                &mut state[ROW * width..(ROW + 1) * width],
                lr,
            );
            // The touched row. (Burn's dense step also moves untouched rows where weight decay
            // gives them a gradient; the lazy rule leaves them, by design.)
            let want: Vec<f32> = module.weight.val().into_data().try_to_vec::<f32>().unwrap();
            let row = ROW * DIM..(ROW + 1) * DIM;
            for (k, (a, b)) in weights[row.clone()].iter().zip(&want[row]).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                    "{fused:?} step {step}, weight {k}: fused {a}, Burn {b}"
                );
            }
        }
    }

    #[test]
    fn each_fused_rule_equals_burns_optimizer_on_one_row() {
        use burn::optim::decay::WeightDecayConfig;
        use burn::optim::momentum::MomentumConfig;
        use burn::optim::{AdaGradConfig, AdamConfig, AdamWConfig, RmsPropConfig, SgdConfig};
        let wd = |w: f32| Some(WeightDecayConfig::new(w));
        matches_burn(
            FusedOptimizer::Adam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-5,
                weight_decay: 0.0,
                decoupled: false,
            },
            AdamConfig::new().init(),
            0.05,
        );
        matches_burn(
            FusedOptimizer::Adam {
                beta1: 0.8,
                beta2: 0.99,
                epsilon: 1e-4,
                weight_decay: 0.01,
                decoupled: false,
            },
            AdamConfig::new()
                .with_beta_1(0.8)
                .with_beta_2(0.99)
                .with_epsilon(1e-4)
                .with_weight_decay(wd(0.01))
                .init(),
            0.05,
        );
        matches_burn(
            FusedOptimizer::Adam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-5,
                weight_decay: 0.1,
                decoupled: true,
            },
            AdamWConfig::new().with_weight_decay(0.1).init(),
            0.05,
        );
        for momentum in [0.9, 0.0] {
            matches_burn(
                FusedOptimizer::RmsProp {
                    alpha: 0.99,
                    momentum,
                    epsilon: 1e-5,
                    weight_decay: 0.0,
                },
                RmsPropConfig::new().with_momentum(momentum).init(),
                0.01,
            );
        }
        matches_burn(
            FusedOptimizer::Momentum {
                momentum: 0.9,
                dampening: 0.1,
                weight_decay: 0.01,
            },
            SgdConfig::new()
                .with_momentum(Some(MomentumConfig::new()))
                .with_weight_decay(wd(0.01))
                .init(),
            0.1,
        );
        matches_burn(
            FusedOptimizer::AdaGrad {
                epsilon: 1e-5,
                weight_decay: 0.0,
            },
            AdaGradConfig::new().init(),
            0.1,
        );
        matches_burn(FusedOptimizer::Sgd, SgdConfig::new().init(), 0.1);
    }

    /// Steps `a` and `b` side by side on the same gradients, each step's row equal to 1e-6.
    fn same_steps(a: FusedOptimizer, b: FusedOptimizer, gradients: impl Fn(usize) -> Vec<f32>) {
        let start: Vec<f32> = (0..DIM).map(|i| (i as f32 * 0.37).cos()).collect();
        let (mut wa, mut wb) = (start.clone(), start);
        let mut sa = vec![0.0f32; a.state_width(DIM)];
        let mut sb = vec![0.0f32; b.state_width(DIM)];
        for step in 0..8 {
            let g = gradients(step);
            a.step_row(1.0, &g, &mut wa, &mut sa, 0.05);
            b.step_row(1.0, &g, &mut wb, &mut sb, 0.05);
            for (x, y) in wa.iter().zip(&wb) {
                assert!(
                    (x - y).abs() <= 1e-6,
                    "{a:?} vs {b:?}, step {step}: {wa:?} {wb:?}"
                );
            }
        }
    }

    #[test]
    fn row_wise_rules_equal_the_element_wise_ones_when_every_weight_gets_the_same_magnitude() {
        // ±c in every column: the row's mean of g² is each weight's own g².
        let even = |step: usize| {
            let c = 0.3 + step as f32 * 0.2;
            (0..DIM)
                .map(|k| if (k + step).is_multiple_of(3) { -c } else { c })
                .collect()
        };
        same_steps(
            FusedOptimizer::RowAdaGrad {
                epsilon: 1e-5,
                weight_decay: 0.0,
            },
            FusedOptimizer::AdaGrad {
                epsilon: 1e-5,
                weight_decay: 0.0,
            },
            even,
        );
        same_steps(
            FusedOptimizer::RowAdam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-5,
                weight_decay: 0.0,
            },
            FusedOptimizer::Adam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-5,
                weight_decay: 0.0,
                decoupled: false,
            },
            even,
        );
    }

    #[test]
    fn row_wise_adagrad_keeps_one_sum_of_the_mean_square_per_row() {
        let rule = FusedOptimizer::RowAdaGrad {
            epsilon: 1e-5,
            weight_decay: 0.01,
        };
        let mut w: Vec<f32> = (0..DIM).map(|i| i as f32 * 0.1).collect();
        let mut state = vec![0.0f32; rule.state_width(DIM)];
        assert_eq!(state.len(), 1);
        let mut sum = 0.0f32;
        for step in 0..4 {
            let x = gradient(step);
            let g: Vec<f32> = x
                .iter()
                .zip(&w)
                .map(|(xi, wi)| 2.0 * xi + 0.01 * wi)
                .collect();
            sum += g.iter().map(|g| g * g).sum::<f32>() / DIM as f32;
            let want: Vec<f32> = w
                .iter()
                .zip(&g)
                .map(|(wi, gi)| wi - 0.1 * gi / (sum.sqrt() + 1e-5))
                .collect();
            rule.step_row(2.0, &x, &mut w, &mut state, 0.1);
            assert!(
                (state[0] - sum).abs() <= 1e-5 * sum,
                "{} vs {sum}",
                state[0]
            );
            for (a, b) in w.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-6, "step {step}: {w:?} vs {want:?}");
            }
        }
        let adam = FusedOptimizer::RowAdam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-5,
            weight_decay: 0.0,
        };
        assert_eq!(adam.state_width(DIM), DIM + 3);
    }

    #[test]
    fn adam_corrections_reach_one_and_powers_stay_normal() {
        let adam = FusedOptimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-5,
            weight_decay: 0.0,
            decoupled: false,
        };
        let mut w = vec![1.0f32; DIM];
        let mut state = vec![0.0f32; adam.state_width(DIM)];
        for _ in 0..40_000 {
            adam.step_row(1.0, &[1e-3; DIM], &mut w, &mut state, 1e-6);
        }
        // βᵗ has settled where 1 − βᵗ is exactly 1, and never went subnormal.
        assert!(
            state[2 * DIM..]
                .iter()
                .all(|&p| p.is_normal() && 1.0 - p == 1.0)
        );
        assert!(w.iter().all(|&v| v < 1.0 && v.is_finite()));
    }
}
