//! The checks a config passes before any work is done: each names the flag to mend. Whether a
//! flag applies to the run at all is the table of settings' to say (`train::flags`).

use super::{
    BackendKind, GloveOptions, LossKind, ModelOptions, OptimizerKind, TrainConfig, UpdateKind,
    Word2VecOptions,
};
use crate::error::{Error, Result};
use crate::kernels::{Batching, FusedOptimizer};
use crate::model::Subwords;
use crate::text::MAX_SENTENCE_TOKENS;

/// Most n-gram buckets a subword run takes: 2³⁰ rows, leaving room for a vocabulary's.
const MAX_BUCKETS: usize = 1 << 30;

impl TrainConfig {
    /// Rejects settings that cannot train, before any work is done.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if self.dim == 0 {
            return bad("--dim must be at least 1");
        }
        if self.window == 0 {
            return bad("--window must be at least 1");
        }
        if self.window > MAX_SENTENCE_TOKENS {
            return Err(Error::Config(format!(
                "--window {} reaches beyond any sentence (lines are cut every {MAX_SENTENCE_TOKENS} tokens): lower it",
                self.window
            )));
        }
        if self.epochs == 0 {
            return bad("--epochs must be at least 1");
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1");
        }
        if self.chunk_tokens == 0 {
            return bad("--chunk-tokens must be at least 1");
        }
        if self.threads == 0 {
            return bad("--threads must be at least 1");
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("--lr must be a positive number");
        }
        let p = &self.optimizer_params;
        if !(0.0..1.0).contains(&p.beta1) || !(0.0..1.0).contains(&p.beta2) {
            return bad("--beta1 and --beta2 must be at least 0 and below 1");
        }
        if !(p.epsilon.is_finite() && p.epsilon > 0.0) {
            return bad("--epsilon must be a positive number");
        }
        if !(p.weight_decay.is_finite() && p.weight_decay >= 0.0) {
            return bad("--weight-decay must be zero or positive");
        }
        if !(0.0..1.0).contains(&p.momentum) {
            return bad("--momentum must be at least 0 and below 1");
        }
        if self.optimizer.is_rowwise() && self.update == UpdateKind::Autodiff {
            return Err(Error::Config(format!(
                "--optimizer {} is a row-sparse rule of skip-gram's and CBOW's fused update (one state value per row): use --update fused, or an element-wise optimizer on the autodiff path",
                serde_json::to_value(self.optimizer)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            )));
        }
        // The embedded corpus brings its own questions.
        if self.eval.every.is_some() && self.eval.is_empty() && !self.corpus.is_empty() {
            return bad("--eval-every needs --analogies or --similarity");
        }
        match &self.model {
            ModelOptions::Word2Vec(w) => self.validate_word2vec(w),
            ModelOptions::Glove(g) => self.validate_glove(g),
        }
    }

    /// The checks that need the vocabulary's size, once it is counted.
    pub fn validate_for_words(&self, words: usize) -> Result<()> {
        match self.word2vec() {
            Some(w) if w.loss == LossKind::Negative && w.negative > words => {
                Err(Error::Config(format!(
                    "--negative {} draws more noise words for each example than the vocabulary has words ({words}): lower it (word2vec's are 5 to 20)",
                    w.negative
                )))
            }
            _ => Ok(()),
        }
    }

    fn validate_word2vec(&self, w: &Word2VecOptions) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if !(w.sample.is_finite() && w.sample >= 0.0) {
            return bad("--sample must be zero or positive");
        }
        if self.lock_init && self.init_vectors.is_none() {
            return bad("--lock-init keeps the rows of --init-vectors: give that file too");
        }
        if !w.ns_exponent.is_finite() {
            return bad("--ns-exponent must be a finite number");
        }
        if w.loss == LossKind::Negative && w.negative == 0 {
            return bad("--loss negative needs --negative of at least 1");
        }
        if let Some(subwords) = w.subwords {
            self.validate_subwords(subwords)?;
        }
        let gpu = matches!(self.backend, BackendKind::Wgpu | BackendKind::Cuda);
        let sgd = self.optimizer_params.fused(self.optimizer) == FusedOptimizer::Sgd;
        if w.batching == Some(Batching::Window) && gpu && !sgd {
            return bad(
                "on a GPU, --batching window runs plain SGD (the stateful optimizers and momentum step per pair there): use --batching pair, or --optimizer sgd without --momentum",
            );
        }
        if self.update == UpdateKind::Autodiff {
            return Ok(());
        }
        if w.loss == LossKind::Softmax {
            return bad("the full softmax is dense: use --update autodiff with --loss softmax");
        }
        if self.backend == BackendKind::Ndarray {
            return bad(
                "the fused update has kernels for the cpu, wgpu and cuda backends: use --update autodiff on ndarray",
            );
        }
        Ok(())
    }

    /// The subword model's own checks, and what it does not train with.
    fn validate_subwords(&self, s: Subwords) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if s.minn == 0 || s.minn > s.maxn {
            return bad("--minn must be at least 1 and at most --maxn");
        }
        // Row ids travel as i32, the words' first.
        if s.bucket == 0 || s.bucket > MAX_BUCKETS {
            return Err(Error::Config(format!(
                "--bucket must be between 1 and {MAX_BUCKETS}"
            )));
        }
        if self.init_vectors.is_some() {
            return bad(
                "--init-vectors starts the words' rows, and the subword model's vectors are means of n-gram rows too: train without it",
            );
        }
        Ok(())
    }

    fn validate_glove(&self, glove: &GloveOptions) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if self.init_vectors.is_some() {
            return bad("--init-vectors starts skip-gram and CBOW runs, not GloVe");
        }
        if !(glove.x_max.is_finite() && glove.x_max > 0.0) {
            return bad("--x-max must be a positive number");
        }
        if !(glove.alpha.is_finite() && glove.alpha >= 0.0) {
            return bad("--alpha must be zero or positive");
        }
        if !(glove.grad_clip.is_finite() && glove.grad_clip > 0.0) {
            return bad("--grad-clip must be a positive number");
        }
        if !(glove.memory_gb.is_finite() && glove.memory_gb > 0.0) {
            return bad("--memory-gb must be a positive number");
        }
        if self.window > crate::sampling::MAX_COOCCUR_WINDOW {
            return Err(Error::Config(format!(
                "--window must be at most {} for GloVe (its 1/distance weights are counted exactly)",
                crate::sampling::MAX_COOCCUR_WINDOW
            )));
        }
        if self.update == UpdateKind::Fused && self.optimizer != OptimizerKind::Adagrad {
            return bad(
                "GloVe's fused update is the reference's AdaGrad: use --update autodiff to train GloVe with another optimizer",
            );
        }
        if self.update == UpdateKind::Fused && self.backend == BackendKind::Ndarray {
            return bad(
                "GloVe's fused update has kernels for the cpu, wgpu and cuda backends: use --update autodiff on ndarray",
            );
        }
        Ok(())
    }
}
