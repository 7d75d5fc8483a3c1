//! The autodiff path: batches from the producer thread, the loss from the Burn module,
//! `backward()`, and any Burn optimizer — identical on every device.

use std::sync::Arc;

use burn::module::Module;
use burn::optim::{GradientsParams, OptimizerRecord};
use burn::prelude::*;
use burn::store::ModuleRecord;

use super::checkpoint::{Checkpoint, Position};
use super::monitor::Monitor;
use super::{
    LossKind, ModelKind, RunControl, TrainConfig, Trained, TrainedModel, build_optimizer,
    check_finite, lr_for,
};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::kernels::ChunkLoss;
use crate::model::{SkipGram, SkipGramConfig};
use crate::sampling::{BatchProducer, Message, PairConfig};
use crate::text::{Corpus, Vocab};

/// Steps between loss read-backs: reading forces the device to finish its queue.
const READ_LOSS_EVERY: u64 = 25;

pub(super) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    control: &mut RunControl,
) -> Result<Trained> {
    let device = device.clone().autodiff();
    let mut model = SkipGramConfig::new(vocab.len(), config.dim)
        .with_head_bias(config.loss == LossKind::Softmax)
        .init(config.seed, &device);
    let mut optimizer = build_optimizer(config.optimizer, None);
    let resume = control.resume.take();
    let mut position = Position::default();
    if let Some(checkpoint) = &resume {
        (model, optimizer) = restore(checkpoint, model, optimizer)?;
        position = checkpoint.position.clone();
    }
    // Batches of the epoch under way that the checkpoint had already trained.
    let mut skip = position.consumed.first().copied().unwrap_or(0);
    position.consumed = vec![skip];
    let mut monitor = Monitor::start(config, &vocab, control, &position)?;
    let total_words = monitor.total_words();
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
            cbow: (config.model == ModelKind::Cbow).then_some(config.cbow_mean),
        },
    );
    let mut step = 0u64;
    // Sum of (mean batch loss × pairs) since the last read-back, kept on the device.
    let mut interval_sum: Option<Tensor<1>> = None;
    let mut interval_pairs = 0u64;
    let result = loop {
        let Some(message) = producer.next_message() else {
            break Ok(());
        };
        match message {
            // What the checkpoint already trained is read again, not trained again.
            Message::Batch(batch) if batch.epoch < position.epoch => continue,
            Message::EpochEnd(epoch) if epoch < position.epoch => continue,
            Message::Batch(_) if skip > 0 => skip -= 1,
            Message::Batch(batch) => {
                let lr = lr_for(config, position.words, total_words);
                let (windows, weights) = (&batch.windows, &batch.window_weights);
                let loss = match (config.model, config.loss) {
                    (ModelKind::Skipgram, LossKind::Softmax) => {
                        model.softmax_loss(&batch.centers, &batch.contexts)
                    }
                    (ModelKind::Skipgram, LossKind::Negative) => {
                        model.negative_loss(&batch.centers, &batch.contexts, &batch.negatives)
                    }
                    (ModelKind::Cbow, LossKind::Softmax) => {
                        model.cbow_softmax_loss(windows, weights, &batch.centers)
                    }
                    (ModelKind::Cbow, LossKind::Negative) => {
                        model.cbow_negative_loss(windows, weights, &batch.centers, &batch.negatives)
                    }
                    (ModelKind::Glove, _) => unreachable!("GloVe trains in train::glove"),
                };
                let weighted = loss.clone().detach().inner() * batch.len() as f32;
                interval_sum = Some(match interval_sum.take() {
                    Some(s) => s + weighted,
                    None => weighted,
                });
                interval_pairs += batch.len() as u64;
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optimizer.step(lr, model, grads);
                position.words = batch.words_done;
                position.consumed[0] += 1;
                step += 1;
                if let Err(e) = monitor.after_step(
                    &mut position,
                    lr,
                    step.is_multiple_of(READ_LOSS_EVERY),
                    || {
                        let loss = take_loss(&mut interval_sum, &mut interval_pairs);
                        check_finite(loss.mean(), step, lr).map(|()| loss)
                    },
                    || embeddings_of(&model, &vocab),
                    |monitor, position| save(monitor, position, &model, &optimizer),
                ) {
                    break Err(e);
                }
            }
            Message::EpochEnd(_) => {
                let loss = take_loss(&mut interval_sum, &mut interval_pairs);
                let lr = lr_for(config, position.words, total_words);
                if loss.pairs > 0
                    && let Err(e) = check_finite(loss.mean(), step, lr)
                {
                    break Err(e);
                }
                if let Err(e) =
                    monitor.end_epoch(&mut position, loss, || embeddings_of(&model, &vocab))
                {
                    break Err(e);
                }
                // Batches of the next epoch are counted from zero.
                position.consumed = vec![0];
            }
        }
    };
    let producer_result = producer.finish();
    result?;
    producer_result?;
    monitor.evaluate(config.epochs - 1, position.words, || {
        embeddings_of(&model, &vocab)
    })?;
    monitor.end(position.words)?;
    let (seconds, report) = (monitor.seconds(), monitor.last_report.take());
    Ok(Trained {
        model: TrainedModel::SkipGram(model.valid()),
        vocab,
        epoch_losses: position.epoch_losses,
        words: position.words,
        seconds,
        report,
    })
}

/// The loss summed since the last read-back, read from the device.
pub(super) fn take_loss(sum: &mut Option<Tensor<1>>, pairs: &mut u64) -> ChunkLoss {
    let total = sum.take().map_or(0.0, |s| s.into_scalar::<f32>() as f64);
    ChunkLoss {
        sum: total,
        pairs: std::mem::take(pairs),
    }
}

fn embeddings_of(model: &SkipGram, vocab: &Vocab) -> Embeddings {
    Embeddings::new(vocab.words().to_vec(), model.dim(), model.input_vectors())
        .expect("the model has one row per vocabulary word")
}

/// Saves a checkpoint of a Burn module and its optimizer's state (both paths' autodiff loops).
pub(super) fn save<M: Module>(
    monitor: &mut Monitor,
    position: &Position,
    model: &M,
    optimizer: &burn::optim::ModuleOptimizer,
) -> Result<std::path::PathBuf> {
    let record_error =
        |e: burn::store::RecordError| Error::Config(format!("saving a checkpoint: {e:?}"));
    let model_bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(record_error)?;
    let optimizer_bytes = optimizer.to_record().into_bytes().map_err(record_error)?;
    monitor.save_checkpoint(
        position.clone(),
        vec![
            ("model".to_string(), model_bytes.to_vec()),
            ("optimizer".to_string(), optimizer_bytes.to_vec()),
        ],
    )
}

/// The model's weights and the optimizer's state from a checkpoint; parameter ids travel with
/// the weights, so the optimizer state finds its parameters again.
pub(super) fn restore<M: Module>(
    checkpoint: &Checkpoint,
    model: M,
    optimizer: burn::optim::ModuleOptimizer,
) -> Result<(M, burn::optim::ModuleOptimizer)> {
    let path = &checkpoint.source;
    let bad = |what: &str, e: burn::store::RecordError| {
        Error::invalid(
            path,
            format!("the checkpoint's {what} does not load: {e:?}"),
        )
    };
    let bytes = |b: &[u8]| burn::tensor::Bytes::from_bytes_vec(b.to_vec());
    let record =
        ModuleRecord::from_bytes(bytes(checkpoint.blob("model")?)).map_err(|e| bad("model", e))?;
    let model = model.try_load_record(record).map_err(|e| bad("model", e))?;
    let record = OptimizerRecord::from_bytes(bytes(checkpoint.blob("optimizer")?))
        .map_err(|e| bad("optimizer state", e))?;
    Ok((model, optimizer.load_record(record)))
}
