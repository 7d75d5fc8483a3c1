//! What the training loop reports and when it pauses: progress, the metrics file, evaluations,
//! checkpoints and a requested stop. The one driver holds one `Monitor`, so a run looks the same
//! in its files whichever step trained it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::checkpoint::{CHECKPOINT_FILE, Checkpoint, Position, write_checkpoint};
use super::metrics::{MetricRecord, MetricsLog, Observer};
use super::start::Word2VecStart;
use super::{EvalEvery, Progress, TrainConfig};
use crate::distributed::Distributed;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::eval::{Benchmarks, EvalReport};
use crate::kernels::LossSum;
use crate::text::{FileFingerprint, Vocab, VocabStats};

/// What the caller hands a run besides its config and data: how to report, what to evaluate
/// on, when to stop, and where to continue from.
pub(crate) struct RunControl {
    pub progress: Progress,
    /// Scored during training as `config.eval.every` says, and at the end.
    pub benchmarks: Option<Benchmarks>,
    /// Set (by a Ctrl-C handler, say) to save a checkpoint and stop at the next chunk or batch.
    pub stop: Arc<AtomicBool>,
    /// The checkpoint to continue from.
    pub resume: Option<Checkpoint>,
    /// The counting pass's figures, kept in checkpoints and the summary.
    pub stats: VocabStats,
    /// The corpus's files as the run began, kept in checkpoints so a resume can tell a change.
    pub corpus: Vec<FileFingerprint>,
    /// word2vec's starting weights when they come from elsewhere (a continued run's).
    pub start: Option<Word2VecStart>,
    /// Write `metrics.jsonl` and checkpoints into the output's folder (off for library tests
    /// that train into memory only).
    pub write_files: bool,
    /// Sees every record (see `RunOptions::observer`).
    pub observer: Option<Observer>,
    /// The processes the run trains with, when more than this one.
    pub distributed: Option<Distributed>,
}

/// The folder a run writes its metrics and checkpoints into: its vectors' folder.
pub fn run_dir(config: &TrainConfig) -> PathBuf {
    match config.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(crate) struct Monitor<'a> {
    config: &'a TrainConfig,
    vocab: &'a Vocab,
    control: &'a mut RunControl,
    metrics: Option<MetricsLog>,
    dir: PathBuf,
    total_words: u64,
    /// Training seconds before this process took over (a resumed run).
    seconds_before: f64,
    /// Time spent evaluating and checkpointing, left out of training time.
    paused: f64,
    started: Instant,
    last_checkpoint: Instant,
    last_interval: (u64, f64),
    /// Evaluations are due at these words.
    pub next_eval: Option<u64>,
    /// The latest evaluation (none yet, or not asked for).
    pub last_report: Option<EvalReport>,
}

impl<'a> Monitor<'a> {
    /// Starts reporting a run at `position` (zero, or a checkpoint's).
    pub fn start(
        config: &'a TrainConfig,
        vocab: &'a Vocab,
        control: &'a mut RunControl,
        position: &Position,
    ) -> Result<Self> {
        let dir = run_dir(config);
        let total_words = vocab.total_count() * config.epochs as u64;
        let mut metrics = None;
        if control.write_files {
            metrics = Some(if position.words > 0 || position.epoch > 0 {
                MetricsLog::resume(&dir, position.words)?
            } else {
                MetricsLog::create(&dir)?
            });
        }
        control.progress.resume_at(position.words);
        let next_eval = match (config.eval.every, &control.benchmarks) {
            (Some(EvalEvery::Words(n)), Some(_)) => Some(position.next_eval.unwrap_or(n)),
            _ => None,
        };
        let mut monitor = Monitor {
            config,
            vocab,
            control,
            metrics,
            dir,
            total_words,
            seconds_before: position.seconds,
            paused: 0.0,
            started: Instant::now(),
            last_checkpoint: Instant::now(),
            last_interval: (position.words, position.seconds),
            next_eval,
            last_report: None,
        };
        monitor.write(MetricRecord::Start {
            config: Box::new(config.clone()),
            vocab_size: vocab.len(),
            total_words,
            resumed_at: position.words,
        })?;
        Ok(monitor)
    }

    /// Training seconds of the whole run so far.
    pub fn seconds(&self) -> f64 {
        self.seconds_before + self.started.elapsed().as_secs_f64() - self.paused
    }

    pub fn total_words(&self) -> u64 {
        self.total_words
    }

    fn write(&mut self, record: MetricRecord) -> Result<()> {
        if let Some(observer) = &self.control.observer {
            observer(&record);
        }
        match &mut self.metrics {
            Some(log) => log.write(&record),
            None => Ok(()),
        }
    }

    /// A line for the user, above the progress bar.
    pub fn log(&self, line: &str) {
        self.control.progress.log(line);
    }

    /// Moves the progress display without a new loss figure.
    pub fn progress(&mut self, words: u64, lr: f64) {
        self.control.progress.update(words, None, lr);
    }

    /// The loss of the examples trained since the previous interval.
    pub fn interval(&mut self, epoch: usize, words: u64, loss: LossSum, lr: f64) -> Result<()> {
        let seconds = self.seconds();
        let (w0, s0) = std::mem::replace(&mut self.last_interval, (words, seconds));
        let mean = (loss.pairs > 0).then(|| loss.mean());
        self.control.progress.update(words, mean, lr);
        match mean {
            Some(mean) => self.write(MetricRecord::Interval {
                epoch,
                words,
                seconds,
                loss: mean,
                examples: loss.pairs,
                lr,
                words_per_second: (words - w0) as f64 / (seconds - s0).max(1e-9),
            }),
            None => Ok(()),
        }
    }

    /// Closes the epoch under way, whose last examples' loss is `last`: the epoch's record,
    /// the position moved to the next epoch, and the evaluation after it when one is asked for
    /// each epoch (the last epoch's is the run's final one, made by the caller).
    pub fn end_epoch(
        &mut self,
        position: &mut Position,
        last: LossSum,
        embeddings: impl FnOnce() -> Embeddings,
    ) -> Result<()> {
        position.add_loss(last);
        let epoch = position.epoch;
        self.epoch_end(epoch, position.words, position.epoch_loss())?;
        position.next_epoch();
        if self.eval_each_epoch() && position.epoch < self.config.epochs {
            self.evaluate(epoch, position.words, embeddings)?;
        }
        Ok(())
    }

    /// An epoch ended with `loss` over all of its examples.
    fn epoch_end(&mut self, epoch: usize, words: u64, loss: LossSum) -> Result<()> {
        let seconds = self.seconds();
        self.control.progress.log(&format!(
            "epoch {}/{}: mean loss {:.4} over {} examples, {:.0} words/s",
            epoch + 1,
            self.config.epochs,
            loss.mean(),
            loss.pairs,
            words as f64 / seconds.max(1e-9)
        ));
        self.write(MetricRecord::Epoch {
            epoch,
            words,
            seconds,
            loss: loss.mean(),
            examples: loss.pairs,
        })
    }

    /// Whether an evaluation by words is due at `words`.
    pub fn eval_due(&self, words: u64) -> bool {
        self.next_eval.is_some_and(|n| words >= n)
    }

    /// Whether the run evaluates at each epoch's end.
    fn eval_each_epoch(&self) -> bool {
        self.control.benchmarks.is_some() && self.config.eval.every == Some(EvalEvery::Epoch)
    }

    /// Scores `embeddings` (made only when there is something to score) and records it.
    pub fn evaluate(
        &mut self,
        epoch: usize,
        words: u64,
        embeddings: impl FnOnce() -> Embeddings,
    ) -> Result<()> {
        if self.control.benchmarks.is_none() {
            return Ok(());
        }
        let began = Instant::now();
        let seconds = self.seconds();
        let report = self
            .control
            .benchmarks
            .as_ref()
            .expect("checked above")
            .evaluate(&embeddings());
        let figures = report.figures();
        self.control.progress.log(&format!(
            "evaluation at {words} words: {}",
            figures
                .iter()
                .map(|(k, v)| format!("{k} {v:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let (Some(next), Some(EvalEvery::Words(n))) =
            (&mut self.next_eval, self.config.eval.every)
        {
            while *next <= words {
                *next += n;
            }
        }
        self.last_report = Some(report);
        self.paused += began.elapsed().as_secs_f64();
        self.write(MetricRecord::Eval {
            epoch,
            words,
            seconds,
            figures,
        })
    }

    /// Whether a stop was asked for.
    pub fn stop_requested(&self) -> bool {
        self.control.stop.load(Ordering::SeqCst)
    }

    /// Whether it is time to save a checkpoint (its interval passed, or a stop was asked for).
    pub fn checkpoint_due(&self) -> bool {
        self.control.write_files
            && (self.stop_requested()
                || self
                    .config
                    .checkpoint_every
                    .is_some_and(|s| self.last_checkpoint.elapsed().as_secs_f64() >= s))
    }

    /// Saves the run's state (`blobs` gives the step's parts); `position.seconds` and
    /// `next_eval` are filled in here. A run that writes no files (a distributed run's other
    /// processes) saves nothing and names the checkpoint process 0 writes.
    pub fn save_checkpoint(
        &mut self,
        mut position: Position,
        blobs: impl FnOnce() -> Result<Vec<(String, Vec<u8>)>>,
    ) -> Result<PathBuf> {
        if !self.control.write_files {
            return Ok(self.dir.join(CHECKPOINT_FILE));
        }
        let blobs = blobs()?;
        let began = Instant::now();
        position.seconds = self.seconds();
        position.next_eval = self.next_eval;
        let path = write_checkpoint(
            &self.dir,
            self.config,
            &self.control.corpus,
            self.vocab,
            &self.control.stats,
            &position,
            &blobs,
        )?;
        self.control.progress.log(&format!(
            "checkpoint at {} words: {}",
            position.words,
            path.display()
        ));
        self.last_checkpoint = Instant::now();
        self.paused += began.elapsed().as_secs_f64();
        Ok(path)
    }

    /// The error that ends a run stopped at `words` after saving `checkpoint`.
    pub fn stopped(&self, words: u64, checkpoint: PathBuf) -> Error {
        Error::Stopped {
            words,
            checkpoint,
            run_dir: self.dir.clone(),
        }
    }

    /// The run is done: the last record.
    pub fn end(&mut self, words: u64) -> Result<()> {
        let seconds = self.seconds();
        self.write(MetricRecord::End {
            words,
            seconds,
            words_per_second: words as f64 / seconds.max(1e-9),
        })
    }
}
