//! `--optimizer` to a Burn optimizer.

use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{
    AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig,
};

use super::config::OptimizerKind;

/// The optimizer with Burn's default hyper-parameters, each gradient component clipped to
/// ±`clip` when given; the learning rate is given per step.
pub fn build_optimizer(kind: OptimizerKind, clip: Option<f64>) -> ModuleOptimizer {
    let clip = clip.map(|c| GradientClippingConfig::Value(c as f32));
    match kind {
        OptimizerKind::Sgd => SgdConfig::new().with_gradient_clipping(clip).init(),
        OptimizerKind::Adam => AdamConfig::new().with_grad_clipping(clip).init(),
        OptimizerKind::Adamw => AdamWConfig::new().with_grad_clipping(clip).init(),
        OptimizerKind::Adagrad => AdaGradConfig::new().with_grad_clipping(clip).init(),
        OptimizerKind::Rmsprop => RmsPropConfig::new().with_grad_clipping(clip).init(),
    }
}
