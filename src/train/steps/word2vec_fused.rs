//! word2vec's fused step: chunks of sentences from the reader threads go through the backend's
//! kernel ([`word2vec_step`], negative sampling or hierarchical softmax), which updates
//! only the rows it touches, in place, by SGD (word2vec) or a row-sparse optimizer. One step for
//! every device; the backend supplies the kernel.

use std::sync::Arc;

use burn::prelude::*;

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::{
    Batching, FusedOptimizer, LossSum, OptimizerState, OutputTables, SubwordTables,
    Word2VecSettings, Word2VecWeights, gpu_runs_windowed, read_word2vec_loss, subword_step,
    word2vec_step,
};
use crate::model::{HuffmanTree, SubwordBags, Word2Vec};
use crate::rng::rng_for;
use crate::sampling::{ChunkConfig, ChunkProducer, NegativeSampler, global_reader};
use crate::tensors::{matrix, to_host};
use crate::text::{Corpus, Vocab};
use crate::train::checkpoint::{Checkpoint, Position};
use crate::train::divergence::check_loss;
use crate::train::driver::Step;
use crate::train::monitor::RunControl;
use crate::train::schedule::Schedule;
use crate::train::start::Word2VecStart;
use crate::train::trained::TrainedModel;
use crate::train::{BackendKind, EvalEvery, LossKind, TrainConfig, Word2VecOptions};

/// Chunks between loss read-backs: a read waits for the device, and bounds its queue.
const READ_LOSS_EVERY: usize = 4;

pub(crate) struct FusedWord2Vec<'a> {
    config: &'a TrainConfig,
    options: Word2VecOptions,
    corpus: &'a Corpus,
    vocab: Arc<Vocab>,
    device: Device,
    /// Always present between calls; taken while the kernel owns them.
    weights: Option<Word2VecWeights>,
    /// The rows' update rule; its state travels with the weights.
    optimizer: FusedOptimizer,
    /// Where each example's output rows come from (noise words or Huffman paths).
    tables: OutputTables,
    /// The subword model's bags, on the host and on the device; `None` for the word-level model.
    subwords: Option<(Arc<SubwordBags>, SubwordTables)>,
    /// `--lock-init`'s rows (0: locked), and whether any are.
    locks: Tensor<1>,
    /// Whether `locks` holds a row's lock each, or is the one-number stand-in.
    lock_rows: bool,
    chunk_tokens: usize,
    /// The readers of the epoch under way.
    producer: Option<ChunkProducer>,
    /// Loss tensors of the chunks since the last read-back.
    pending: Vec<Tensor<2>>,
    /// This process's share of the corpus, `(rank, processes)` (see [`ChunkConfig::share`]).
    share: (usize, usize),
    /// Hierarchical softmax: the output rows are the tree's nodes, the most trained last.
    hot_last: bool,
}

impl<'a> FusedWord2Vec<'a> {
    /// word2vec's starting weights (and the optimizer's zero state when it keeps one). Under
    /// hierarchical softmax the output rows are the Huffman tree's inner nodes (the last row,
    /// one more than there are nodes, stays unused). The subword model's input has its
    /// buckets' rows after the words'.
    pub fn new(
        config: &'a TrainConfig,
        options: Word2VecOptions,
        start: Word2VecStart,
        corpus: &'a Corpus,
        vocab: Arc<Vocab>,
        device: &Device,
        control: &RunControl,
    ) -> Result<Self> {
        let (progress, distributed) = (&control.progress, control.distributed.as_ref());
        let (rows, dim) = (vocab.len(), config.dim);
        let tokens = chunk_tokens(config, &vocab);
        let Word2VecStart {
            input,
            output,
            locks,
        } = start;
        // Without locks the kernels ignore the tensor: one number stands in.
        let lock_rows = locks.is_some();
        let locks = match locks {
            Some(locks) => {
                let n = locks.len();
                Tensor::from_data(TensorData::new(locks, [n]), device)
            }
            None => Tensor::ones([1], device),
        };
        let subwords = options.subwords.map(|settings| {
            let bags = SubwordBags::new(settings, vocab.words());
            let tables = SubwordTables::new(&bags, device);
            (Arc::new(bags), tables)
        });
        let inputs = subwords
            .as_ref()
            .map_or(rows, |(bags, _)| bags.input_rows());
        let optimizer = config.optimizer_params.fused(config.optimizer);
        let weights = Word2VecWeights {
            input: matrix(input, [inputs, dim], device),
            output: matrix(output, [rows, dim], device),
            state: OptimizerState::zeros(&optimizer, [inputs, rows, dim], device),
        };
        let tables = match options.loss {
            LossKind::Hierarchical => {
                OutputTables::hierarchical(&HuffmanTree::new(vocab.counts())?, device)
            }
            // The full softmax has no fused step (`TrainConfig::validate`).
            LossKind::Negative | LossKind::Softmax => {
                let noise = NegativeSampler::new(vocab.counts(), options.ns_exponent);
                OutputTables::negative(&noise, device)
            }
        };
        let step = FusedWord2Vec {
            optimizer,
            tables,
            subwords,
            locks,
            lock_rows,
            // A distributed run meets after a chunk: chunks no longer than a sync's words.
            chunk_tokens: distributed.map_or(tokens, |d| {
                let sync = usize::try_from(d.sync.words).unwrap_or(usize::MAX);
                sync.clamp(1, tokens)
            }),
            weights: Some(weights),
            config,
            options,
            corpus,
            vocab,
            device: device.clone(),
            producer: None,
            pending: Vec::with_capacity(READ_LOSS_EVERY),
            share: distributed.map_or((0, 1), |d| (d.cluster.rank(), d.cluster.processes())),
            hot_last: options.loss == LossKind::Hierarchical,
        };
        if let Some(kernel) = step.gpu_kernel() {
            progress.log(kernel);
        }
        Ok(step)
    }

    /// The fused step's settings for a chunk trained from rate `lr_start` to `lr_end`.
    fn settings(&self, lr_start: f32, lr_end: f32, seed: u64) -> Word2VecSettings {
        let config = self.config;
        Word2VecSettings {
            window: config.window as u32,
            negative: self.options.negative as u32,
            lr_start,
            lr_end,
            seed,
            threads: config.threads as u32,
            gpu_cubes: config.gpu_cubes,
            architecture: self.options.architecture,
            batching: self.options.batching_on(config.backend, &self.optimizer),
            optimizer: self.optimizer,
            hierarchical: self.options.loss == LossKind::Hierarchical,
            lock_rows: self.lock_rows,
        }
    }

    /// On a GPU asked for windows, which kernel will train: the windowed one needs f32 atomic
    /// adds and the shared memory for a window, and without them the per-pair one runs.
    fn gpu_kernel(&self) -> Option<&'static str> {
        let gpu = matches!(self.config.backend, BackendKind::Wgpu | BackendKind::Cuda);
        let settings = self.settings(0.0, 0.0, 0);
        if !gpu || settings.batching != Batching::Window {
            return None;
        }
        if self.subwords.is_some() {
            return Some(
                "GPU kernel: the subword model's, a window's pairs scored from its rows as they were",
            );
        }
        Some(
            match gpu_runs_windowed(&self.device, self.config.dim, &settings) {
                true => "GPU kernel: a window at a time (rows in shared memory, f32 atomic adds)",
                false => {
                    "GPU kernel: per pair — this device lacks f32 atomic adds, or a window does not fit its shared memory"
                }
            },
        )
    }

    /// Input rows: one a word, and the subword model's buckets.
    fn input_rows(&self) -> usize {
        self.subwords
            .as_ref()
            .map_or(self.vocab.len(), |(bags, _)| bags.input_rows())
    }

    fn weights(&self) -> &Word2VecWeights {
        self.weights
            .as_ref()
            .expect("the weights are back after each step")
    }
}

impl Step for FusedWord2Vec<'_> {
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        let (inputs, rows, dim) = (self.input_rows(), self.vocab.len(), self.config.dim);
        let part = |name: &str, shape| checkpoint.tensor(name, shape, &self.device);
        let state = match self.optimizer.state_name() {
            Some(name) => {
                let width = self.optimizer.state_width(dim);
                Some(OptimizerState {
                    input: part(&format!("{name}-input"), [inputs, width])?,
                    output: part(&format!("{name}-output"), [rows, width])?,
                })
            }
            None => None,
        };
        self.weights = Some(Word2VecWeights {
            input: part("input", [inputs, dim])?,
            output: part("output", [rows, dim])?,
            state,
        });
        Ok(())
    }

    fn begin_epoch(&mut self, position: &mut Position) -> Result<()> {
        // An epoch a resumed run takes up keeps the readers it began with (each its byte range
        // of the corpus), whatever the kernel's threads are now.
        if position.consumed.is_empty() {
            position.consumed = vec![0; self.config.threads];
        }
        self.producer = Some(ChunkProducer::spawn(
            self.corpus,
            &self.vocab,
            &ChunkConfig {
                sample: self.options.sample,
                epoch: position.epoch,
                seed: self.config.seed,
                readers: position.consumed.len(),
                chunk_tokens: self.chunk_tokens,
                skip: position.consumed.clone(),
                share: self.share,
            },
        ));
        Ok(())
    }

    fn train_unit(&mut self, position: &mut Position, schedule: &Schedule) -> Result<Option<f64>> {
        let producer = self.producer.as_mut().expect("an epoch is under way");
        let Some(chunk) = producer.next_chunk() else {
            return Ok(None);
        };
        let lr_start = schedule.at(position.words);
        position.words += chunk.words;
        position.consumed[chunk.reader] += 1;
        let lr_end = schedule.at(position.words);
        let n = chunk.tokens.len();
        let tokens = Tensor::<1, Int>::from_data(TensorData::new(chunk.tokens, [n]), &self.device);
        // Each process's readers draw their own windows and noise.
        let (reader, _) = global_reader(self.share, position.consumed.len(), chunk.reader);
        let seed = chunk_seed(self.config.seed, position.epoch, reader, chunk.index);
        let settings = self.settings(lr_start as f32, lr_end as f32, seed);
        let weights = self
            .weights
            .take()
            .expect("the weights are back after each step");
        let (updated, loss) = match &self.subwords {
            Some((_, bags)) => subword_step(weights, tokens, &self.tables, bags, settings),
            None => word2vec_step(weights, tokens, &self.tables, &self.locks, settings),
        };
        self.weights = Some(updated);
        self.pending.push(loss);
        Ok(Some(lr_end))
    }

    fn loss_due(&self) -> bool {
        self.pending.len() == READ_LOSS_EVERY
    }

    fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum> {
        let loss = read_word2vec_loss(std::mem::take(&mut self.pending));
        check_loss(loss, words, lr)?;
        Ok(loss)
    }

    fn end_epoch(&mut self) -> Result<()> {
        self.producer.take().map_or(Ok(()), ChunkProducer::finish)
    }

    fn merge_rows(&mut self, hot: Option<usize>, merge: &mut dyn FnMut(usize, usize, &mut [f32])) {
        let mut weights = self
            .weights
            .take()
            .expect("the weights are back after each step");
        let words = self.vocab.len();
        // The input's hot rows are its most frequent words', the output's those words' or,
        // under hierarchical softmax, the nodes nearest the root, which every path crosses.
        let rows = |n: usize, hot_last: bool| match hot {
            None => 0..n,
            Some(k) if hot_last => n.saturating_sub(k.min(words))..n,
            Some(k) => 0..k.min(words).min(n),
        };
        let input_rows = rows(weights.input.dims()[0], false);
        let output_rows = rows(weights.output.dims()[0], self.hot_last);
        weights.input = merge_matrix(weights.input, input_rows, &mut |o, v| merge(0, o, v));
        weights.output = merge_matrix(weights.output, output_rows, &mut |o, v| merge(1, o, v));
        self.weights = Some(weights);
    }

    fn embeddings(&self) -> Embeddings {
        let (dim, input) = (self.config.dim, to_host(self.weights().input.clone()));
        let vectors = match &self.subwords {
            Some((bags, _)) => bags.compose(&input, dim),
            None => input,
        };
        Embeddings::new(self.vocab.word_list(), dim, vectors)
            .expect("the weights have one row per vocabulary word")
    }

    fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let weights = self.weights();
        let mut parts = vec![
            Checkpoint::tensor_blob("input", &weights.input),
            Checkpoint::tensor_blob("output", &weights.output),
        ];
        if let (Some(state), Some(name)) = (&weights.state, self.optimizer.state_name()) {
            parts.push(Checkpoint::tensor_blob(
                &format!("{name}-input"),
                &state.input,
            ));
            parts.push(Checkpoint::tensor_blob(
                &format!("{name}-output"),
                &state.output,
            ));
        }
        Ok(parts)
    }

    fn into_model(mut self) -> TrainedModel {
        let weights = self
            .weights
            .take()
            .expect("the weights are back after each step");
        let (input, output) = (to_host(weights.input), to_host(weights.output));
        match self.subwords.take() {
            Some((bags, _)) => TrainedModel::Subwords {
                input,
                output,
                bags,
            },
            None => TrainedModel::Word2Vec(Word2Vec::from_vectors(
                input,
                output,
                None,
                self.config.dim,
                &self.device,
            )),
        }
    }
}

/// `matrix` with its rows `rows` replaced by what `merge` makes of them (called with the
/// offset of each block's first value), a block at a time so that merging a whole model needs
/// no second copy of it.
fn merge_matrix(
    mut matrix: Tensor<2>,
    rows: std::ops::Range<usize>,
    merge: &mut dyn FnMut(usize, &mut [f32]),
) -> Tensor<2> {
    const BLOCK_ROWS: usize = 1 << 16;
    let (dim, device) = (matrix.dims()[1], matrix.device());
    let mut start = rows.start;
    while start < rows.end {
        let end = rows.end.min(start + BLOCK_ROWS);
        let mut values = to_host(matrix.clone().slice([start..end, 0..dim]));
        merge(start * dim, &mut values);
        let block = Tensor::from_data(TensorData::new(values, [end - start, dim]), &device);
        matrix = matrix.slice_assign([start..end, 0..dim], block);
        start = end;
    }
    matrix
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

/// The seed of one chunk's windows and negatives: a function of where the chunk is, so a resumed
/// run draws what the uninterrupted one would have.
fn chunk_seed(seed: u64, epoch: usize, reader: usize, index: u64) -> u64 {
    let stream = 0xC4_0000 ^ ((epoch as u64) << 44) ^ ((reader as u64) << 36) ^ index;
    rand::RngCore::next_u64(&mut rng_for(seed, stream))
}
