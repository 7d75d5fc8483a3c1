//! The fused path: chunks of sentences from the reader threads go through the fused step of the
//! device's backend ([`crate::kernels::sgns_step`]), which updates only the rows it touches, in
//! place, by SGD (word2vec) or AdaGrad. One loop for every device; the backend supplies the kernel.

use std::sync::Arc;

use burn::prelude::*;

use super::{OptimizerKind, Progress, TrainConfig, Trained, lr_for};
use crate::error::Error;
use crate::error::Result;
use crate::kernels::{
    AdaGradSums, ChunkLoss, ChunkSettings, NoiseOnDevice, SgnsWeights, read_loss, sgns_step,
};
use crate::model::{SkipGram, SkipGramConfig, to_host};
use crate::sampling::{ChunkConfig, ChunkProducer, NegativeSampler, rng_for};
use crate::text::{Corpus, Vocab};

/// Chunks between loss read-backs: a read waits for the device, and bounds its queue.
const READ_LOSS_EVERY: usize = 4;

pub(super) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    progress: &mut Progress,
) -> Result<Trained> {
    let (input, output) = SkipGramConfig::new(vocab.len(), config.dim).init_vectors(config.seed);
    let shape = [vocab.len(), config.dim];
    let mut weights = SgnsWeights {
        input: Tensor::from_data(TensorData::new(input, shape), device),
        output: Tensor::from_data(TensorData::new(output, shape), device),
        adagrad: (config.optimizer == OptimizerKind::Adagrad)
            .then(|| AdaGradSums::zeros(shape, device)),
    };
    let noise = NoiseOnDevice::new(&NegativeSampler::new(vocab.counts(), 0.75), device);
    let total_words = vocab.total_count() * config.epochs as u64;
    let mut seeds = rng_for(config.seed, 0xC4_0000);
    let mut words_done = 0u64;
    let mut epoch_losses = Vec::new();
    for epoch in 0..config.epochs {
        let mut producer = ChunkProducer::spawn(
            corpus,
            &vocab,
            &ChunkConfig {
                sample: config.sample,
                epoch,
                seed: config.seed,
                readers: config.threads,
            },
        );
        let mut epoch_loss = ChunkLoss::default();
        let mut pending = Vec::with_capacity(READ_LOSS_EVERY);
        let mut failure = None;
        while let Some(chunk) = producer.next_chunk() {
            let lr_start = lr_for(config, words_done, total_words);
            words_done += chunk.words;
            let lr_end = lr_for(config, words_done, total_words);
            let n = chunk.tokens.len();
            let tokens = Tensor::<1, Int>::from_data(TensorData::new(chunk.tokens, [n]), device);
            let settings = ChunkSettings {
                window: config.window as u32,
                negative: config.negative as u32,
                lr_start: lr_start as f32,
                lr_end: lr_end as f32,
                seed: rand::RngCore::next_u64(&mut seeds),
                threads: config.threads as u32,
                gpu_cubes: config.gpu_cubes,
            };
            let (updated, loss) = sgns_step(weights, tokens, &noise, settings);
            weights = updated;
            pending.push(loss);
            let mut interval = None;
            if pending.len() == READ_LOSS_EVERY {
                let loss = read_loss(std::mem::take(&mut pending));
                epoch_loss = epoch_loss.plus(loss);
                if loss.diverged() {
                    failure = Some(diverged(loss, words_done, lr_end));
                    break;
                }
                interval = Some(loss.mean());
            }
            progress.update(words_done, interval, lr_end);
        }
        producer.finish()?;
        if let Some(e) = failure {
            return Err(e);
        }
        epoch_loss = epoch_loss.plus(read_loss(pending));
        let mean = epoch_loss.mean();
        if epoch_loss.diverged() {
            let lr = lr_for(config, words_done, total_words);
            return Err(diverged(epoch_loss, words_done, lr));
        }
        progress.log(&format!(
            "epoch {}/{}: mean loss {mean:.4} over {} pairs, {:.0} words/s",
            epoch + 1,
            config.epochs,
            epoch_loss.pairs,
            words_done as f64 / progress.elapsed().max(1e-9)
        ));
        epoch_losses.push(mean);
    }
    let model = SkipGram::from_vectors(
        to_host(weights.input),
        to_host(weights.output),
        None,
        config.dim,
        device,
    );
    Ok(Trained {
        model,
        vocab,
        epoch_losses,
        words: words_done,
        seconds: progress.elapsed(),
    })
}

/// The error for a loss that shows broken weights, at `words_done` words with rate `lr`.
fn diverged(loss: ChunkLoss, words_done: u64, lr: f64) -> Error {
    let value = if loss.sum.is_finite() {
        f64::INFINITY
    } else {
        loss.sum
    };
    Error::Diverged {
        loss: value,
        step: words_done,
        lr,
    }
}
