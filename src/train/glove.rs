//! GloVe's run: count the co-occurrences, shuffle the non-zero entries, then iterate over them —
//! with the fused step (the reference's AdaGrad, Hogwild, in place) or with Burn autodiff and any
//! optimizer. Progress is kept in corpus words like word2vec's runs (one iteration = one pass over
//! the corpus's words), so metrics, evaluations by words, checkpoints and `compare` work the
//! same for every model.

use std::sync::Arc;
use std::time::Instant;

use burn::optim::GradientsParams;
use burn::prelude::*;

use super::autodiff::{restore, save as save_module, take_loss};
use super::checkpoint::{Checkpoint, Position, floats_from_bytes, floats_to_bytes};
use super::monitor::Monitor;
use super::{
    GloveVectors, Progress, RunControl, TrainConfig, Trained, TrainedModel, UpdateKind,
    build_optimizer, check_loss, lr_for, peak_memory_bytes,
};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::kernels::{ChunkLoss, GloveSettings, GloveWeights, glove_step, read_glove_loss};
use crate::model::{Glove, GloveConfig, Weighting, to_host};
use crate::sampling::{CooccurConfig, count_cooccurrences, rng_for};
use crate::text::{Corpus, Vocab};

/// Fused chunks between loss read-backs.
const READ_LOSS_EVERY: usize = 4;
/// Autodiff steps between loss read-backs.
const READ_LOSS_EVERY_STEPS: u64 = 25;
/// A stream of the run's RNG reserved for the shuffle.
const SHUFFLE_STREAM: u64 = 0x5487;

/// One non-zero co-occurrence count, as training reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub i: u32,
    pub j: u32,
    pub x: f32,
}

pub(super) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    control: &mut RunControl,
) -> Result<Trained> {
    let entries = prepare_entries(config, corpus, &vocab, &control.progress)?;
    if entries.is_empty() {
        return Err(Error::Config(
            "the corpus has no two vocabulary words within --window of each other: nothing for GloVe to fit"
                .into(),
        ));
    }
    let run = Run {
        config,
        entries: &entries,
        words_per_epoch: vocab.total_count(),
    };
    match config.update {
        UpdateKind::Fused => run.fused(vocab, device, control),
        UpdateKind::Autodiff => run.autodiff(vocab, device, control),
    }
}

/// The counting and shuffling phases, each reported with its time (and peak memory).
fn prepare_entries(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: &Vocab,
    progress: &Progress,
) -> Result<Vec<Entry>> {
    let began = Instant::now();
    progress.log(&format!(
        "counting co-occurrences: window {}, 1/distance weights, up to {} GB in memory",
        config.window, config.glove.memory_gb
    ));
    let mut entries = Vec::new();
    let stats = count_cooccurrences(
        corpus,
        vocab,
        &CooccurConfig {
            window: config.window,
            symmetric: true,
            memory_bytes: (config.glove.memory_gb * 1e9) as usize,
            temp_dir: config.glove.temp_dir.clone(),
        },
        |c| {
            entries.push(Entry {
                i: c.i,
                j: c.j,
                x: c.x as f32,
            });
            Ok(())
        },
    )?;
    progress.log(&format!(
        "co-occurrences: {} non-zero entries from {} words, {} sorted run(s) spilled and merged, {:.1}s{}",
        stats.entries,
        stats.tokens,
        stats.runs,
        began.elapsed().as_secs_f64(),
        peak_note()
    ));
    let began = Instant::now();
    shuffle(&mut entries, config.seed);
    progress.log(&format!(
        "shuffled {} entries in {:.1}s",
        entries.len(),
        began.elapsed().as_secs_f64()
    ));
    Ok(entries)
}

fn peak_note() -> String {
    peak_memory_bytes().map_or(String::new(), |b| {
        format!(", peak memory {:.2} GB", b as f64 / 1e9)
    })
}

/// Fisher–Yates from the run's seed: the same order on every machine, so a resumed run meets
/// the entries as the first part did.
pub(crate) fn shuffle(entries: &mut [Entry], seed: u64) {
    use rand::seq::SliceRandom;
    entries.shuffle(&mut rng_for(seed, SHUFFLE_STREAM));
}

struct Run<'a> {
    config: &'a TrainConfig,
    /// The shuffled entries, read in order each iteration.
    entries: &'a [Entry],
    words_per_epoch: u64,
}

impl Run<'_> {
    /// Corpus words that count as done once `done` entries of iteration `epoch` are trained.
    fn words_at(&self, epoch: usize, done: usize) -> u64 {
        let part = self.words_per_epoch as u128 * done as u128 / self.entries.len() as u128;
        epoch as u64 * self.words_per_epoch + part as u64
    }

    fn weighting(&self) -> Weighting {
        Weighting {
            x_max: self.config.glove.x_max,
            alpha: self.config.glove.alpha,
        }
    }

    /// Entries per fused step: `--chunk-tokens`, smaller where there are few entries (an
    /// iteration still has about 32 loss readings) and at most 2^24 (the step's counts stay
    /// exact in f32).
    fn chunk_entries(&self) -> usize {
        (self.entries.len() / 32)
            .max(4096)
            .min(self.config.chunk_tokens)
            .min(1 << 24)
    }

    fn fused(
        self,
        vocab: Arc<Vocab>,
        device: &Device,
        control: &mut RunControl,
    ) -> Result<Trained> {
        let config = self.config;
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
        let total_words = monitor.total_words();
        let chunk = self.chunk_entries();
        let settings = |lr: f64| GloveSettings {
            lr: lr as f32,
            x_max: config.glove.x_max as f32,
            alpha: config.glove.alpha as f32,
            grad_clip: config.glove.grad_clip as f32,
            threads: config.threads as u32,
            gpu_cubes: config.gpu_cubes,
        };
        let embeddings = |w: &GloveWeights| glove_embeddings(w, &vocab, config);
        while position.epoch < config.epochs {
            let epoch = position.epoch;
            let began = Instant::now();
            let first = position.consumed.first().copied().unwrap_or(0) as usize;
            position.consumed = vec![first as u64];
            let mut pending = Vec::with_capacity(READ_LOSS_EVERY);
            for (index, part) in self.entries.chunks(chunk).enumerate().skip(first) {
                let lr = lr_for(config, position.words, total_words);
                let (pairs, counts) = entry_tensors(part, device);
                let (updated, loss) = glove_step(weights, pairs, counts, settings(lr));
                weights = updated;
                pending.push(loss);
                position.consumed[0] += 1;
                position.words =
                    self.words_at(epoch, (index * chunk + part.len()).min(self.entries.len()));
                let words = position.words;
                monitor.after_step(
                    &mut position,
                    lr,
                    pending.len() == READ_LOSS_EVERY,
                    || checked_loss(std::mem::take(&mut pending), words, lr),
                    || embeddings(&weights),
                    |monitor, position| monitor.save_checkpoint(position.clone(), blobs(&weights)),
                )?;
            }
            let lr = lr_for(config, position.words, total_words);
            let loss = checked_loss(pending, position.words, lr)?;
            end_iteration(&mut monitor, &mut position, loss, began, || {
                embeddings(&weights)
            })?;
        }
        monitor.evaluate(config.epochs - 1, position.words, || embeddings(&weights))?;
        monitor.end(position.words)?;
        let model = Glove::from_packed(
            &to_host(weights.word),
            &to_host(weights.context),
            config.dim,
            device,
        );
        finished(model, vocab.clone(), position, &mut monitor, config)
    }

    fn autodiff(
        self,
        vocab: Arc<Vocab>,
        device: &Device,
        control: &mut RunControl,
    ) -> Result<Trained> {
        let config = self.config;
        let device = device.clone().autodiff();
        let mut model = GloveConfig::new(vocab.len(), config.dim).init(config.seed, &device);
        let mut optimizer = build_optimizer(config.optimizer, Some(config.glove.grad_clip));
        let mut position = Position::default();
        if let Some(checkpoint) = control.resume.take() {
            (model, optimizer) = restore(&checkpoint, model, optimizer)?;
            position = checkpoint.position.clone();
        }
        let mut monitor = Monitor::start(config, &vocab, control, &position)?;
        let total_words = monitor.total_words();
        let weighting = self.weighting();
        let embeddings = |m: &Glove| glove_embeddings_of(m, &vocab, config);
        let mut step = 0u64;
        while position.epoch < config.epochs {
            let epoch = position.epoch;
            let began = Instant::now();
            let first = position.consumed.first().copied().unwrap_or(0) as usize;
            position.consumed = vec![first as u64];
            let mut interval_sum: Option<Tensor<1>> = None;
            let mut interval_pairs = 0u64;
            let batches = self.entries.chunks(config.batch_size);
            for (index, batch) in batches.enumerate().skip(first) {
                let lr = lr_for(config, position.words, total_words);
                let rows: Vec<u32> = batch.iter().map(|e| e.i).collect();
                let cols: Vec<u32> = batch.iter().map(|e| e.j).collect();
                let counts: Vec<f32> = batch.iter().map(|e| e.x).collect();
                let loss = model.loss(&rows, &cols, &counts, weighting);
                let weighted = loss.clone().detach().inner() * batch.len() as f32;
                interval_sum = Some(match interval_sum.take() {
                    Some(s) => s + weighted,
                    None => weighted,
                });
                interval_pairs += batch.len() as u64;
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optimizer.step(lr, model, grads);
                step += 1;
                position.consumed[0] += 1;
                let done = index * config.batch_size + batch.len();
                position.words = self.words_at(epoch, done);
                let words = position.words;
                monitor.after_step(
                    &mut position,
                    lr,
                    step.is_multiple_of(READ_LOSS_EVERY_STEPS),
                    || {
                        let loss = take_loss(&mut interval_sum, &mut interval_pairs);
                        check_loss(loss, words, lr).map(|()| loss)
                    },
                    || embeddings(&model),
                    |monitor, position| save_module(monitor, position, &model, &optimizer),
                )?;
            }
            let loss = take_loss(&mut interval_sum, &mut interval_pairs);
            check_loss(
                loss,
                position.words,
                lr_for(config, position.words, total_words),
            )?;
            end_iteration(&mut monitor, &mut position, loss, began, || {
                embeddings(&model)
            })?;
        }
        monitor.evaluate(config.epochs - 1, position.words, || embeddings(&model))?;
        monitor.end(position.words)?;
        finished(model.valid(), vocab.clone(), position, &mut monitor, config)
    }
}

/// Closes an iteration whose last chunks or batches had loss `last`: its cost logged (before
/// any evaluation), then the epoch closed as every loop closes it.
fn end_iteration(
    monitor: &mut Monitor,
    position: &mut Position,
    last: ChunkLoss,
    began: Instant,
    embeddings: impl FnOnce() -> Embeddings,
) -> Result<()> {
    let seconds = began.elapsed().as_secs_f64();
    let entries = position.epoch_examples + last.pairs;
    monitor.log(&format!(
        "iteration {}: {:.1}s, {:.0} entries/s",
        position.epoch + 1,
        seconds,
        entries as f64 / seconds.max(1e-9)
    ));
    monitor.end_epoch(position, last, embeddings)
}

fn finished(
    model: Glove,
    vocab: Arc<Vocab>,
    position: Position,
    monitor: &mut Monitor,
    config: &TrainConfig,
) -> Result<Trained> {
    Ok(Trained {
        model: TrainedModel::Glove {
            model,
            vectors: config.glove.vectors,
        },
        vocab,
        epoch_losses: position.epoch_losses,
        words: position.words,
        seconds: monitor.seconds(),
        report: monitor.last_report.take(),
    })
}

/// The chunk's (row, column) ids and counts as tensors on `device`.
fn entry_tensors(part: &[Entry], device: &Device) -> (Tensor<1, Int>, Tensor<1>) {
    let pairs: Vec<i32> = part.iter().flat_map(|e| [e.i as i32, e.j as i32]).collect();
    let counts: Vec<f32> = part.iter().map(|e| e.x).collect();
    let n = part.len();
    (
        Tensor::from_data(TensorData::new(pairs, [2 * n]), device),
        Tensor::from_data(TensorData::new(counts, [n]), device),
    )
}

/// The loss of the chunks read back, or the error for weights that broke: an entry whose error
/// was not finite (the step skipped it, the run stops) or a loss that overflowed.
fn checked_loss(pending: Vec<Tensor<2>>, words: u64, lr: f64) -> Result<ChunkLoss> {
    let (loss, non_finite) = read_glove_loss(pending);
    if non_finite > 0 {
        return Err(Error::Diverged {
            loss: f64::NAN,
            step: words,
            lr,
        });
    }
    check_loss(loss, words, lr)?;
    Ok(loss)
}

/// The reference's start: small random rows, no squared gradients yet.
fn initial_weights(config: &TrainConfig, vocab: usize, device: &Device) -> GloveWeights {
    let (word, context) = GloveConfig::new(vocab, config.dim).init_packed(config.seed);
    let shape = [vocab, config.dim + 1];
    GloveWeights {
        word: Tensor::from_data(TensorData::new(word, shape), device),
        context: Tensor::from_data(TensorData::new(context, shape), device),
        word_sq: Tensor::zeros(shape, device),
        context_sq: Tensor::zeros(shape, device),
    }
}

const PARTS: [&str; 4] = ["word", "context", "word-sq", "context-sq"];

fn blobs(weights: &GloveWeights) -> Vec<(String, Vec<u8>)> {
    let tensors = [
        &weights.word,
        &weights.context,
        &weights.word_sq,
        &weights.context_sq,
    ];
    PARTS
        .iter()
        .zip(tensors)
        .map(|(name, t)| (name.to_string(), floats_to_bytes(&to_host(t.clone()))))
        .collect()
}

fn weights_from(
    checkpoint: &Checkpoint,
    config: &TrainConfig,
    vocab: usize,
    device: &Device,
) -> Result<GloveWeights> {
    let shape = [vocab, config.dim + 1];
    let tensor = |name: &str| -> Result<Tensor<2>> {
        let values = floats_from_bytes(
            checkpoint.blob(name)?,
            vocab * (config.dim + 1),
            &checkpoint.source,
        )?;
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    };
    Ok(GloveWeights {
        word: tensor(PARTS[0])?,
        context: tensor(PARTS[1])?,
        word_sq: tensor(PARTS[2])?,
        context_sq: tensor(PARTS[3])?,
    })
}

/// The vectors the run's output will hold, from the fused weights.
fn glove_embeddings(weights: &GloveWeights, vocab: &Vocab, config: &TrainConfig) -> Embeddings {
    let vectors = |t: &Tensor<2>| t.clone().slice([0..vocab.len(), 0..config.dim]);
    let values = chosen_vectors(
        config.glove.vectors,
        vectors(&weights.word),
        vectors(&weights.context),
    );
    Embeddings::new(vocab.words().to_vec(), config.dim, values)
        .expect("the weights have one row per vocabulary word")
}

fn glove_embeddings_of(model: &Glove, vocab: &Vocab, config: &TrainConfig) -> Embeddings {
    let values = chosen_vectors(
        config.glove.vectors,
        model.word.weight.val(),
        model.context.weight.val(),
    );
    Embeddings::new(vocab.words().to_vec(), config.dim, values)
        .expect("the model has one row per vocabulary word")
}

/// The vectors a GloVe run keeps, on the host, from its word and context vectors [vocab, dim]:
/// wᵢ + w̃ᵢ (the reference's `-model 2`: both halves were trained on the same counts, and their
/// sum scores a little better than either), or wᵢ alone.
pub(super) fn chosen_vectors(
    choice: GloveVectors,
    word: Tensor<2>,
    context: Tensor<2>,
) -> Vec<f32> {
    match choice {
        GloveVectors::WordPlusContext => to_host(word + context),
        GloveVectors::Word => to_host(word),
    }
}
