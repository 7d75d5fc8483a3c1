//! `--optimizer` and its hyper-parameters to a Burn optimizer (the autodiff path).

use burn::optim::decay::WeightDecayConfig;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{
    AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig,
};

use super::config::{MOMENTUM_DAMPENING, OptimizerKind, OptimizerParams, RMSPROP_ALPHA};
use crate::error::{Error, Result};

/// The optimizer with `params` (Burn's names; see [`OptimizerParams`]), each gradient component
/// clipped to ±`clip` when given; the learning rate is given per step. The row-wise rules have
/// no Burn optimizer: a config that asks for them here was refused by its validation.
pub fn build_optimizer(
    kind: OptimizerKind,
    params: &OptimizerParams,
    clip: Option<f64>,
) -> Result<ModuleOptimizer> {
    let clip = clip.map(|c| GradientClippingConfig::Value(c as f32));
    let l2 =
        (params.weight_decay > 0.0).then(|| WeightDecayConfig::new(params.weight_decay as f32));
    let (beta1, beta2) = (params.beta1 as f32, params.beta2 as f32);
    let (epsilon, momentum) = (params.epsilon as f32, params.momentum as f32);
    Ok(match kind {
        OptimizerKind::Sgd => SgdConfig::new()
            .with_weight_decay(l2)
            .with_momentum((momentum > 0.0).then(|| {
                MomentumConfig::new()
                    .with_momentum(params.momentum)
                    .with_dampening(MOMENTUM_DAMPENING as f64)
            }))
            .with_gradient_clipping(clip)
            .init(),
        OptimizerKind::Adam => AdamConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(epsilon)
            .with_weight_decay(l2)
            .with_grad_clipping(clip)
            .init(),
        OptimizerKind::Adamw => AdamWConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(epsilon)
            .with_weight_decay(params.weight_decay as f32)
            .with_grad_clipping(clip)
            .init(),
        OptimizerKind::Adagrad => AdaGradConfig::new()
            .with_epsilon(epsilon)
            .with_weight_decay(l2)
            .with_grad_clipping(clip)
            .init(),
        OptimizerKind::Rmsprop => RmsPropConfig::new()
            .with_alpha(RMSPROP_ALPHA)
            .with_momentum(momentum)
            .with_epsilon(epsilon)
            .with_weight_decay(l2)
            .with_grad_clipping(clip)
            .init(),
        OptimizerKind::RowwiseAdagrad | OptimizerKind::RowwiseAdam => {
            return Err(Error::Config(
                "the row-wise optimizers run on the fused update only: use --update fused".into(),
            ));
        }
    })
}
