//! What the autodiff steps share: a Burn module on the device's autodiff twin, its optimizer, and
//! the loss of the steps since the last read-back, kept on the device.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use crate::error::Result;
use crate::kernels::LossSum;
use crate::train::checkpoint::Checkpoint;
use crate::train::divergence::check_loss;

/// Steps between loss read-backs: reading forces the device to finish its queue.
const READ_LOSS_EVERY: u64 = 25;

pub(crate) struct ModuleTraining<M: Module> {
    /// Always present between calls; taken while the optimizer steps it.
    model: Option<M>,
    /// Always present between calls; taken while a checkpoint's state is loaded into it.
    optimizer: Option<ModuleOptimizer>,
    steps: u64,
    /// The sum of each batch's mean loss times its examples, since the last read-back.
    loss_sum: Option<Tensor<1>>,
    examples: u64,
}

impl<M: Module> ModuleTraining<M> {
    pub fn new(model: M, optimizer: ModuleOptimizer) -> Self {
        ModuleTraining {
            model: Some(model),
            optimizer: Some(optimizer),
            steps: 0,
            loss_sum: None,
            examples: 0,
        }
    }

    pub fn model(&self) -> &M {
        self.model
            .as_ref()
            .expect("the model is back after each step")
    }

    /// The module's weights and the optimizer's state from `checkpoint`.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        let model = self
            .model
            .take()
            .expect("the model is back after each step");
        let optimizer = self
            .optimizer
            .take()
            .expect("the optimizer is back after each load");
        let (model, optimizer) = checkpoint.restore_module(model, optimizer)?;
        self.model = Some(model);
        self.optimizer = Some(optimizer);
        Ok(())
    }

    /// One optimizer step at rate `lr` on a batch of `examples`, whose mean loss `loss` computes.
    pub fn step(&mut self, lr: f64, examples: usize, loss: impl FnOnce(&M) -> Tensor<1>) {
        let model = self
            .model
            .take()
            .expect("the model is back after each step");
        let loss = loss(&model);
        let weighted = loss.clone().detach().inner() * examples as f32;
        self.loss_sum = Some(match self.loss_sum.take() {
            Some(s) => s + weighted,
            None => weighted,
        });
        self.examples += examples as u64;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let optimizer = self
            .optimizer
            .as_mut()
            .expect("the optimizer is back after each load");
        self.model = Some(optimizer.step(lr, model, grads));
        self.steps += 1;
    }

    pub fn loss_due(&self) -> bool {
        self.steps.is_multiple_of(READ_LOSS_EVERY)
    }

    /// The loss summed since the last read-back, read from the device and checked.
    pub fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum> {
        let sum = self
            .loss_sum
            .take()
            .map_or(0.0, |s| s.into_scalar::<f32>() as f64);
        let loss = LossSum {
            sum,
            pairs: std::mem::take(&mut self.examples),
        };
        check_loss(loss, words, lr)?;
        Ok(loss)
    }

    pub fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let optimizer = self
            .optimizer
            .as_ref()
            .expect("the optimizer is back after each load");
        Checkpoint::module_parts(self.model(), optimizer)
    }

    /// The trained module, off the autodiff graph.
    pub fn into_model(mut self) -> M {
        self.model
            .take()
            .expect("the model is back after each step")
            .valid()
    }
}
