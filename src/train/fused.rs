//! The fused path: chunks of sentences from the reader threads go through the fused step of the
//! device's backend ([`crate::kernels::sgns_step`]), which updates only the rows it touches, in
//! place, by SGD (word2vec) or AdaGrad. One loop for every device; the backend supplies the kernel.

use std::sync::Arc;

use burn::prelude::*;

use super::checkpoint::{Checkpoint, Position, floats_from_bytes, floats_to_bytes};
use super::monitor::Monitor;
use super::{
    EvalEvery, ModelKind, OptimizerKind, RunControl, TrainConfig, Trained, TrainedModel,
    check_loss, lr_for,
};
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::{
    AdaGradSums, Architecture, ChunkSettings, NoiseOnDevice, SgnsWeights, read_loss, sgns_step,
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
    control: &mut RunControl,
) -> Result<Trained> {
    let resume = control.resume.take();
    let (mut weights, mut position) = match &resume {
        Some(checkpoint) => (
            weights_from(checkpoint, config, vocab.len(), device)?,
            checkpoint.position.clone(),
        ),
        None => (
            initial_weights(config, vocab.len(), device),
            Position::default(),
        ),
    };
    let mut monitor = Monitor::start(config, &vocab, control, &position)?;
    let noise = NoiseOnDevice::new(&NegativeSampler::new(vocab.counts(), 0.75), device);
    let total_words = monitor.total_words();
    while position.epoch < config.epochs {
        let epoch = position.epoch;
        if position.consumed.len() != config.threads {
            position.consumed = vec![0; config.threads];
        }
        let mut producer = ChunkProducer::spawn(
            corpus,
            &vocab,
            &ChunkConfig {
                sample: config.sample,
                epoch,
                seed: config.seed,
                readers: config.threads,
                chunk_tokens: chunk_tokens(config, &vocab),
                skip: position.consumed.clone(),
            },
        );
        let mut pending = Vec::with_capacity(READ_LOSS_EVERY);
        let mut outcome = Ok(());
        while let Some(chunk) = producer.next_chunk() {
            let lr_start = lr_for(config, position.words, total_words);
            position.words += chunk.words;
            position.consumed[chunk.reader] += 1;
            let lr_end = lr_for(config, position.words, total_words);
            let n = chunk.tokens.len();
            let tokens = Tensor::<1, Int>::from_data(TensorData::new(chunk.tokens, [n]), device);
            let settings = ChunkSettings {
                window: config.window as u32,
                negative: config.negative as u32,
                lr_start: lr_start as f32,
                lr_end: lr_end as f32,
                seed: chunk_seed(config.seed, epoch, chunk.reader, chunk.index),
                threads: config.threads as u32,
                gpu_cubes: config.gpu_cubes,
                architecture: match config.model {
                    ModelKind::Skipgram => Architecture::SkipGram,
                    ModelKind::Cbow => Architecture::Cbow {
                        mean: config.cbow_mean,
                    },
                    ModelKind::Glove => unreachable!("GloVe trains in train::glove"),
                },
            };
            let (updated, loss) = sgns_step(weights, tokens, &noise, settings);
            weights = updated;
            pending.push(loss);
            let words = position.words;
            outcome = monitor.after_step(
                &mut position,
                lr_end,
                pending.len() == READ_LOSS_EVERY,
                || {
                    let loss = read_loss(std::mem::take(&mut pending));
                    check_loss(loss, words, lr_end).map(|()| loss)
                },
                || embeddings_of(&weights, &vocab, config.dim),
                |monitor, position| save(monitor, position, &weights),
            );
            if outcome.is_err() {
                break;
            }
        }
        let finished = producer.finish();
        outcome?;
        finished?;
        let loss = read_loss(pending);
        check_loss(
            loss,
            position.words,
            lr_for(config, position.words, total_words),
        )?;
        monitor.end_epoch(&mut position, loss, || {
            embeddings_of(&weights, &vocab, config.dim)
        })?;
    }
    monitor.evaluate(config.epochs - 1, position.words, || {
        embeddings_of(&weights, &vocab, config.dim)
    })?;
    monitor.end(position.words)?;
    let seconds = monitor.seconds();
    let report = monitor.last_report.take();
    let model = SkipGram::from_vectors(
        to_host(weights.input),
        to_host(weights.output),
        None,
        config.dim,
        device,
    );
    Ok(Trained {
        model: TrainedModel::SkipGram(model),
        vocab,
        epoch_losses: position.epoch_losses,
        words: position.words,
        seconds,
        report,
    })
}

/// Ids per chunk: `--chunk-tokens`, made smaller where a corpus is short (so an epoch still has
/// about 32 loss readings and checkpoint points) or evaluations come often (so they fall near the
/// words asked for). A function of the config and vocabulary only, so a resumed run cuts its
/// chunks as the first part did.
fn chunk_tokens(config: &TrainConfig, vocab: &Vocab) -> usize {
    const FEWEST: usize = 4096;
    let per_epoch = usize::try_from(vocab.total_count()).unwrap_or(usize::MAX);
    let mut tokens = config.chunk_tokens.min((per_epoch / 32).max(FEWEST));
    if let Some(EvalEvery::Words(words)) = config.eval.every {
        let words = usize::try_from(words).unwrap_or(usize::MAX);
        tokens = tokens.min((words / 2).max(FEWEST));
    }
    tokens.min(config.chunk_tokens)
}

fn initial_weights(config: &TrainConfig, vocab: usize, device: &Device) -> SgnsWeights {
    let (input, output) = SkipGramConfig::new(vocab, config.dim).init_vectors(config.seed);
    let shape = [vocab, config.dim];
    SgnsWeights {
        input: Tensor::from_data(TensorData::new(input, shape), device),
        output: Tensor::from_data(TensorData::new(output, shape), device),
        adagrad: (config.optimizer == OptimizerKind::Adagrad)
            .then(|| AdaGradSums::zeros(shape, device)),
    }
}

/// The weights (and AdaGrad sums) a checkpoint saved, on `device`.
fn weights_from(
    checkpoint: &Checkpoint,
    config: &TrainConfig,
    vocab: usize,
    device: &Device,
) -> Result<SgnsWeights> {
    let shape = [vocab, config.dim];
    let tensor = |name: &str| -> Result<Tensor<2>> {
        let values = floats_from_bytes(
            checkpoint.blob(name)?,
            vocab * config.dim,
            &checkpoint.source,
        )?;
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    };
    let adagrad = match config.optimizer {
        OptimizerKind::Adagrad => Some(AdaGradSums {
            input: tensor("adagrad-input")?,
            output: tensor("adagrad-output")?,
        }),
        _ => None,
    };
    Ok(SgnsWeights {
        input: tensor("input")?,
        output: tensor("output")?,
        adagrad,
    })
}

fn save(
    monitor: &mut Monitor,
    position: &Position,
    weights: &SgnsWeights,
) -> Result<std::path::PathBuf> {
    let blob = |t: &Tensor<2>| floats_to_bytes(&to_host(t.clone()));
    let mut blobs = vec![
        ("input".to_string(), blob(&weights.input)),
        ("output".to_string(), blob(&weights.output)),
    ];
    if let Some(sums) = &weights.adagrad {
        blobs.push(("adagrad-input".to_string(), blob(&sums.input)));
        blobs.push(("adagrad-output".to_string(), blob(&sums.output)));
    }
    monitor.save_checkpoint(position.clone(), blobs)
}

fn embeddings_of(weights: &SgnsWeights, vocab: &Vocab, dim: usize) -> Embeddings {
    Embeddings::new(vocab.words().to_vec(), dim, to_host(weights.input.clone()))
        .expect("the weights have one row per vocabulary word")
}

/// The seed of one chunk's windows and negatives: a function of where the chunk is, so a resumed
/// run draws what the uninterrupted one would have.
fn chunk_seed(seed: u64, epoch: usize, reader: usize, index: u64) -> u64 {
    let stream = 0xC4_0000 ^ ((epoch as u64) << 44) ^ ((reader as u64) << 36) ^ index;
    rand::RngCore::next_u64(&mut rng_for(seed, stream))
}
