//! word2vec's autodiff step: batches from the producer thread, the loss from the Burn module,
//! `backward()`, and any Burn optimizer — identical on every device. The subword model is an
//! embedding bag over each word's rows and its n-grams' (CBOW's weighted hidden layer), before
//! the same heads.

use std::sync::Arc;

use burn::prelude::*;

use super::autodiff::ModuleTraining;
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::LossSum;
use burn::tensor::FloatDType;

use crate::model::{Architecture, HuffmanTree, SubwordBags, Word2Vec};
use crate::sampling::{Batch, BatchProducer, Message, PairConfig};
use crate::text::{Corpus, Vocab};
use crate::train::checkpoint::{Checkpoint, Position};
use crate::train::driver::Step;
use crate::train::schedule::Schedule;
use crate::train::start::Word2VecStart;
use crate::train::trained::TrainedModel;
use crate::train::{LossKind, TrainConfig, Word2VecOptions, build_optimizer};

pub(crate) struct AutodiffWord2Vec<'a> {
    config: &'a TrainConfig,
    options: Word2VecOptions,
    corpus: &'a Corpus,
    vocab: Arc<Vocab>,
    training: ModuleTraining<Word2Vec>,
    output: OutputLayer,
    /// The subword model's bags; `None` for the word-level model.
    bags: Option<Arc<SubwordBags>>,
    /// Batches for every epoch, in order, with an end mark after each epoch's (one producer for
    /// the whole run, started with the first epoch).
    producer: Option<BatchProducer>,
    /// Batches of the epoch under way still to pass over (a resumed run's).
    skip: u64,
}

impl<'a> AutodiffWord2Vec<'a> {
    /// The Burn module (with a head bias for the full softmax) on `device`'s autodiff twin.
    pub fn new(
        config: &'a TrainConfig,
        options: Word2VecOptions,
        start: Word2VecStart,
        corpus: &'a Corpus,
        vocab: Arc<Vocab>,
        device: &Device,
    ) -> Result<Self> {
        // The full softmax's head carries a bias, as `nn.Linear` does; it starts at zero.
        let bias = (options.loss == LossKind::Softmax).then(|| vec![0.0; vocab.len()]);
        let model = Word2Vec::from_vectors(
            start.input,
            start.output,
            bias,
            config.dim,
            &device.clone().autodiff(),
        );
        Ok(AutodiffWord2Vec {
            training: ModuleTraining::new(
                model,
                build_optimizer(config.optimizer, &config.optimizer_params, None)?,
            ),
            output: match options.loss {
                LossKind::Softmax => {
                    OutputLayer::Softmax(options.precision.dtype(config.backend, device)?)
                }
                LossKind::Negative => OutputLayer::Negative,
                LossKind::Hierarchical => {
                    OutputLayer::Hierarchical(HuffmanTree::new(vocab.counts())?)
                }
            },
            bags: options
                .subwords
                .map(|settings| Arc::new(SubwordBags::new(settings, vocab.words()))),
            config,
            options,
            corpus,
            vocab,
            producer: None,
            skip: 0,
        })
    }

    /// The run's batches, started with its first epoch.
    fn producer(&mut self) -> &mut BatchProducer {
        if self.producer.is_none() {
            let (config, options) = (self.config, self.options);
            self.producer = Some(BatchProducer::spawn(
                self.corpus.clone(),
                self.vocab.clone(),
                PairConfig {
                    window: config.window,
                    negative: match options.loss {
                        LossKind::Negative => options.negative,
                        LossKind::Softmax | LossKind::Hierarchical => 0,
                    },
                    ns_exponent: options.ns_exponent,
                    batch_size: config.batch_size,
                    sample: options.sample,
                    epochs: config.epochs,
                    seed: config.seed,
                    cbow: match options.architecture {
                        Architecture::SkipGram => None,
                        Architecture::Cbow { mean } => Some(mean),
                    },
                },
            ));
        }
        self.producer.as_mut().expect("started above")
    }

    /// Trains one batch at rate `lr`.
    fn train_batch(&mut self, batch: &Batch, lr: f64) {
        if let Some(bags) = self.bags.clone() {
            return self.train_bags(&bags, batch, lr);
        }
        let (windows, weights) = (&batch.windows, &batch.window_weights);
        let architecture = self.options.architecture;
        let output = &self.output;
        self.training
            .step(lr, batch.len(), |model| match (architecture, output) {
                (Architecture::SkipGram, &OutputLayer::Softmax(precision)) => {
                    model.softmax_loss(&batch.centers, &batch.contexts, precision)
                }
                (Architecture::SkipGram, OutputLayer::Negative) => {
                    model.negative_loss(&batch.centers, &batch.contexts, &batch.negatives)
                }
                (Architecture::SkipGram, OutputLayer::Hierarchical(tree)) => {
                    model.hierarchical_loss(&batch.centers, &batch.contexts, tree)
                }
                (Architecture::Cbow { .. }, &OutputLayer::Softmax(precision)) => {
                    model.cbow_softmax_loss(windows, weights, &batch.centers, precision)
                }
                (Architecture::Cbow { .. }, OutputLayer::Negative) => {
                    model.cbow_negative_loss(windows, weights, &batch.centers, &batch.negatives)
                }
                (Architecture::Cbow { .. }, OutputLayer::Hierarchical(tree)) => {
                    model.cbow_hierarchical_loss(windows, weights, &batch.centers, tree)
                }
            });
    }
}

impl AutodiffWord2Vec<'_> {
    /// Trains one batch of the subword model: each example's input is a bag of rows averaged
    /// (CBOW's weighted hidden layer) — skip-gram's its centre's, predicting the context word;
    /// CBOW's every context word's, predicting the centre — and the true gradient of the mean
    /// reaches every row of the bag (1/n of it each, where the fused path gives each fastText's
    /// whole step).
    fn train_bags(&mut self, bags: &SubwordBags, batch: &Batch, lr: f64) {
        let (ids, weights, targets) = match self.options.architecture {
            Architecture::SkipGram => {
                let rows = batch.centers.iter().map(|&c| vec![(c, 1.0)]);
                let (ids, weights) = bag_rows(bags, rows, true);
                (ids, weights, &batch.contexts)
            }
            Architecture::Cbow { mean } => {
                let width = batch.windows.len() / batch.len().max(1);
                let rows = batch
                    .windows
                    .chunks(width.max(1))
                    .zip(batch.window_weights.chunks(width.max(1)))
                    .map(|(ids, w)| {
                        ids.iter()
                            .zip(w)
                            .filter(|&(_, &w)| w > 0.0)
                            .map(|(&id, &w)| (id, w))
                            .collect::<Vec<_>>()
                    });
                let (ids, weights) = bag_rows(bags, rows, mean);
                (ids, weights, &batch.centers)
            }
        };
        let output = &self.output;
        self.training.step(lr, batch.len(), |model| match output {
            &OutputLayer::Softmax(precision) => {
                model.cbow_softmax_loss(&ids, &weights, targets, precision)
            }
            OutputLayer::Negative => {
                model.cbow_negative_loss(&ids, &weights, targets, &batch.negatives)
            }
            OutputLayer::Hierarchical(tree) => {
                model.cbow_hierarchical_loss(&ids, &weights, targets, tree)
            }
        });
    }
}

/// The bags of each example's words (`(word, weight)` rows) as CBOW's padded rows of ids and
/// weights: every entry of every bag weighs 1/(the example's entries) with `mean` (fastText's
/// hidden layer), else its word's weight; padding weighs 0.
fn bag_rows(
    bags: &SubwordBags,
    examples: impl Iterator<Item = Vec<(u32, f32)>>,
    mean: bool,
) -> (Vec<u32>, Vec<f32>) {
    let examples: Vec<Vec<(u32, f32)>> = examples
        .map(|words| {
            let entries: Vec<(u32, f32)> = words
                .iter()
                .flat_map(|&(w, weight)| bags.bag(w as usize).iter().map(move |&r| (r, weight)))
                .collect();
            let n = entries.len().max(1) as f32;
            entries
                .into_iter()
                .map(|(r, weight)| (r, if mean { 1.0 / n } else { weight }))
                .collect()
        })
        .collect();
    let width = examples.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut ids = Vec::with_capacity(examples.len() * width);
    let mut weights = Vec::with_capacity(examples.len() * width);
    for entries in examples {
        let pad = width - entries.len();
        ids.extend(
            entries
                .iter()
                .map(|&(r, _)| r)
                .chain(std::iter::repeat_n(0, pad)),
        );
        weights.extend(
            entries
                .iter()
                .map(|&(_, w)| w)
                .chain(std::iter::repeat_n(0.0, pad)),
        );
    }
    (ids, weights)
}

/// The objective's output layer, with what it needs: the type of the full softmax's products,
/// the tree hierarchical softmax walks.
enum OutputLayer {
    Softmax(FloatDType),
    Negative,
    Hierarchical(HuffmanTree),
}

impl Step for AutodiffWord2Vec<'_> {
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.training.restore(checkpoint)
    }

    fn begin_epoch(&mut self, position: &mut Position) -> Result<()> {
        // A resumed epoch's first batches were trained before the checkpoint.
        self.skip = position.begin_counted_epoch();
        Ok(())
    }

    fn train_unit(&mut self, position: &mut Position, schedule: &Schedule) -> Result<Option<f64>> {
        loop {
            let Some(message) = self.producer().next_message() else {
                // The producer stopped early: `close` reports why.
                return Ok(None);
            };
            match message {
                // What the checkpoint already trained is read again, not trained again.
                Message::Batch(batch) if batch.epoch < position.epoch => continue,
                Message::EpochEnd(epoch) if epoch < position.epoch => continue,
                Message::Batch(_) if self.skip > 0 => self.skip -= 1,
                Message::Batch(batch) => {
                    let lr = schedule.at(position.words);
                    self.train_batch(&batch, lr);
                    position.words = batch.words_done;
                    position.consumed[0] += 1;
                    return Ok(Some(lr));
                }
                Message::EpochEnd(_) => return Ok(None),
            }
        }
    }

    fn loss_due(&self) -> bool {
        self.training.loss_due()
    }

    fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum> {
        self.training.read_loss(words, lr)
    }

    fn close(&mut self) -> Result<()> {
        self.producer.take().map_or(Ok(()), BatchProducer::finish)
    }

    fn embeddings(&self) -> Embeddings {
        let model = self.training.model();
        let (dim, input) = (model.dim(), model.input_vectors());
        let vectors = match &self.bags {
            Some(bags) => bags.compose(&input, dim),
            None => input,
        };
        Embeddings::new(self.vocab.word_list(), dim, vectors)
            .expect("the model has one row per vocabulary word")
    }

    fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        self.training.checkpoint_parts()
    }

    fn into_model(self) -> TrainedModel {
        let model = self.training.into_model();
        match self.bags {
            Some(bags) => TrainedModel::Subwords {
                input: model.input_vectors(),
                output: model.output_vectors(),
                bags,
            },
            None => TrainedModel::Word2Vec(model),
        }
    }
}
