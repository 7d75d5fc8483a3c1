//! `--optimizer` to a Burn optimizer.

use burn::optim::{
    AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig,
};

use super::config::OptimizerKind;

/// The optimizer with Burn's default hyper-parameters; the learning rate is given per step.
pub fn build_optimizer(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Sgd => SgdConfig::new().init(),
        OptimizerKind::Adam => AdamConfig::new().init(),
        OptimizerKind::Adamw => AdamWConfig::new().init(),
        OptimizerKind::Adagrad => AdaGradConfig::new().init(),
        OptimizerKind::Rmsprop => RmsPropConfig::new().init(),
    }
}
