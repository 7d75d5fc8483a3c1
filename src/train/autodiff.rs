//! The autodiff path: batches from the producer thread, the loss from the Burn module,
//! `backward()`, and any Burn optimizer — identical on every device.

use std::sync::Arc;

use burn::optim::GradientsParams;
use burn::prelude::*;

use super::{LossKind, Progress, TrainConfig, Trained, build_optimizer, check_finite, lr_for};
use crate::error::Result;
use crate::model::SkipGramConfig;
use crate::sampling::{BatchProducer, Message, PairConfig};
use crate::text::{Corpus, Vocab};

/// Steps between loss read-backs: reading forces the device to finish its queue.
const READ_LOSS_EVERY: u64 = 25;

pub(super) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    progress: &mut Progress,
) -> Result<Trained> {
    let device = device.clone().autodiff();
    let mut model = SkipGramConfig::new(vocab.len(), config.dim)
        .with_head_bias(config.loss == LossKind::Softmax)
        .init(config.seed, &device);
    let mut optimizer = build_optimizer(config.optimizer);
    let total_words = vocab.total_count() * config.epochs as u64;
    let mut producer = BatchProducer::spawn(
        corpus.clone(),
        vocab.clone(),
        PairConfig {
            window: config.window,
            negative: match config.loss {
                LossKind::Negative => config.negative,
                LossKind::Softmax => 0,
            },
            batch_size: config.batch_size,
            sample: config.sample,
            epochs: config.epochs,
            seed: config.seed,
        },
    );
    let mut epoch_losses = Vec::new();
    let mut step = 0u64;
    let mut words = 0u64;
    // Sums of (mean batch loss × pairs), kept on the device and read back now and then.
    let mut epoch_sum: Option<Tensor<1>> = None;
    let mut epoch_pairs = 0u64;
    let mut interval_sum: Option<Tensor<1>> = None;
    let mut interval_pairs = 0u64;
    let result = loop {
        let Some(message) = producer.next_message() else {
            break Ok(());
        };
        match message {
            Message::Batch(batch) => {
                let lr = lr_for(config, words, total_words);
                let loss = match config.loss {
                    LossKind::Softmax => model.softmax_loss(&batch.centers, &batch.contexts),
                    LossKind::Negative => {
                        model.negative_loss(&batch.centers, &batch.contexts, &batch.negatives)
                    }
                };
                let weighted = loss.clone().detach().inner() * batch.len() as f32;
                epoch_sum = Some(add(epoch_sum, weighted.clone()));
                interval_sum = Some(add(interval_sum, weighted));
                epoch_pairs += batch.len() as u64;
                interval_pairs += batch.len() as u64;
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optimizer.step(lr, model, grads);
                words = batch.words_done;
                step += 1;
                if step.is_multiple_of(READ_LOSS_EVERY) {
                    let mean = read(interval_sum.take()) / interval_pairs.max(1) as f64;
                    interval_pairs = 0;
                    if let Err(e) = check_finite(mean, step, lr) {
                        break Err(e);
                    }
                    progress.update(words, Some(mean), lr);
                }
            }
            Message::EpochEnd(epoch) => {
                let mean = read(epoch_sum.take()) / epoch_pairs.max(1) as f64;
                if let Err(e) = check_finite(mean, step, lr_for(config, words, total_words)) {
                    break Err(e);
                }
                progress.log(&format!(
                    "epoch {}/{}: mean loss {mean:.4} over {epoch_pairs} pairs, {:.0} words/s",
                    epoch + 1,
                    config.epochs,
                    words as f64 / progress.elapsed().max(1e-9)
                ));
                epoch_losses.push(mean);
                epoch_pairs = 0;
            }
        }
    };
    let producer_result = producer.finish();
    result?;
    producer_result?;
    Ok(Trained {
        model: model.valid(),
        vocab,
        epoch_losses,
        words,
        seconds: progress.elapsed(),
    })
}

fn add(sum: Option<Tensor<1>>, value: Tensor<1>) -> Tensor<1> {
    match sum {
        Some(s) => s + value,
        None => value,
    }
}

fn read(sum: Option<Tensor<1>>) -> f64 {
    sum.map_or(0.0, |s| s.into_scalar::<f32>() as f64)
}
