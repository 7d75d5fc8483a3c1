//! The one training loop. Every way of training — fused or autodiff, word2vec or GloVe — is a
//! [`Step`]: it keeps its weights, trains one unit (a chunk, a batch) at a time, reads its loss
//! back when asked and hands over its state for checkpoints. The driver owns the rest, the same
//! for all: resuming, epochs, the learning-rate schedule, progress, metrics, evaluations,
//! checkpoints and a requested stop. New update paths (kernels, optimizers, heads) plug in here
//! by implementing [`Step`].

use std::sync::Arc;
use std::time::Instant;

use super::TrainConfig;
use super::checkpoint::{Checkpoint, Position};
use super::monitor::{Monitor, RunControl};
use super::schedule::Schedule;
use super::trained::{Trained, TrainedModel};
use crate::distributed::{Syncer, Wants};
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::LossSum;
use crate::text::Vocab;

/// One way of updating a model, unit by unit. A step starts from fresh weights; the driver calls
/// [`Step::restore`] first when the run continues from a checkpoint.
pub(crate) trait Step {
    /// Replaces the fresh state with the checkpoint's (weights, optimizer state).
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()>;

    /// Starts epoch `position.epoch`, whose first `position.consumed` units a resumed run has
    /// trained already (they are passed over, not trained again).
    fn begin_epoch(&mut self, position: &mut Position) -> Result<()>;

    /// Trains the next unit of the epoch under way at the rate `schedule` gives, and moves
    /// `position` past it (words, units consumed); returns the rate it ended at, or `None` once
    /// the epoch has no more units. Its loss stays on the device until [`Step::read_loss`].
    fn train_unit(&mut self, position: &mut Position, schedule: &Schedule) -> Result<Option<f64>>;

    /// Whether the units since the last read-back are enough to read the loss now (a read waits
    /// for the device, so it is spaced out).
    fn loss_due(&self) -> bool;

    /// The loss of the units since the last read-back, read from the device; an error once it
    /// shows broken weights (at `words` words, rate `lr`).
    fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum>;

    /// Closes the epoch under way (joins its readers, reporting their errors).
    fn end_epoch(&mut self) -> Result<()> {
        Ok(())
    }

    /// Closes the run, whether it ended or failed (joins readers that span epochs).
    fn close(&mut self) -> Result<()> {
        Ok(())
    }

    /// The vectors users keep, as they stand, with their words.
    fn embeddings(&self) -> Embeddings;

    /// The state a checkpoint holds, as named binary parts.
    fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>>;

    /// The trained model.
    fn into_model(self) -> TrainedModel;

    /// Hands the model's rows to `merge`, a block at a time, as (matrix, offset of the block's
    /// first value, values), and keeps what it leaves in them: the `hot` most trained rows of
    /// each matrix, or every row (`None`). How a distributed run's processes make their copies
    /// one; steps that cannot train distributed are refused before they start.
    fn merge_rows(
        &mut self,
        _hot: Option<usize>,
        _merge: &mut dyn FnMut(usize, usize, &mut [f32]),
    ) {
        unreachable!("a distributed run trains word2vec's fused step (checked at its start)")
    }

    /// Whether each epoch's time and examples per second are logged (GloVe's iterations, whose
    /// cost users compare with the reference's).
    fn logs_iterations(&self) -> bool {
        false
    }
}

/// Trains `step` over the run `config` describes (from the checkpoint in `control`, if any).
pub(crate) fn drive<S: Step>(
    mut step: S,
    config: &TrainConfig,
    vocab: Arc<Vocab>,
    control: &mut RunControl,
) -> Result<Trained> {
    let mut position = Position::default();
    if let Some(checkpoint) = control.resume.take() {
        step.restore(&checkpoint)?;
        position = checkpoint.position;
        if let Some(d) = &control.distributed {
            position.consumed = d.own_share(&position.consumed)?;
        }
    }
    let mut syncer = control.distributed.clone().map(|d| {
        Syncer::new(d.cluster, d.sync, position.words, &mut |hot, merge| {
            step.merge_rows(hot, merge)
        })
    });
    let mut monitor = Monitor::start(config, &vocab, control, &position)?;
    let rate_scale = syncer.as_ref().map_or(1.0, Syncer::rate_scale);
    let schedule = Schedule::new(config, monitor.total_words()).scaled(rate_scale);
    let trained = epochs(
        &mut step,
        &mut position,
        (&mut monitor, syncer.as_mut()),
        &schedule,
        config.epochs,
    );
    let closed = step.close();
    trained?;
    closed?;
    if let Some(syncer) = syncer.as_ref().filter(|s| s.processes() > 1) {
        let fingerprint = syncer.check_agree()?;
        monitor.log(&format!(
            "every process holds the same weights (fingerprint {fingerprint:016x}); {}",
            syncer.summary()
        ));
    }
    monitor.evaluate(config.epochs - 1, position.words, || step.embeddings())?;
    monitor.end(position.words)?;
    Ok(Trained {
        seconds: monitor.seconds(),
        report: monitor.last_report.take(),
        model: step.into_model(),
        vocab,
        epoch_losses: position.epoch_losses,
        words: position.words,
    })
}

fn epochs<S: Step>(
    step: &mut S,
    position: &mut Position,
    (monitor, mut syncer): (&mut Monitor, Option<&mut Syncer>),
    schedule: &Schedule,
    epochs: usize,
) -> Result<()> {
    while position.epoch < epochs {
        let began = Instant::now();
        step.begin_epoch(position)?;
        let trained = units(step, position, (monitor, syncer.as_deref_mut()), schedule);
        let ended = step.end_epoch();
        trained?;
        ended?;
        if let Some(syncer) = syncer.as_deref_mut() {
            syncer.end_epoch(position, &mut |hot, merge| step.merge_rows(hot, merge));
        }
        let last = step.read_loss(position.words, schedule.at(position.words))?;
        if step.logs_iterations() {
            let seconds = began.elapsed().as_secs_f64();
            let examples = position.epoch_examples + last.pairs;
            monitor.log(&format!(
                "iteration {}: {:.1}s, {:.0} entries/s",
                position.epoch + 1,
                seconds,
                examples as f64 / seconds.max(1e-9)
            ));
        }
        monitor.end_epoch(position, last, || step.embeddings())?;
    }
    Ok(())
}

/// The units of one epoch, each followed by what is due after it: the loss read back (when
/// the step asks, or an evaluation or a checkpoint needs it), the progress display, the
/// evaluation and the checkpoint; a requested stop ends the run once its checkpoint is saved.
fn units<S: Step>(
    step: &mut S,
    position: &mut Position,
    (monitor, mut syncer): (&mut Monitor, Option<&mut Syncer>),
    schedule: &Schedule,
) -> Result<()> {
    loop {
        let before = position.words;
        let Some(lr) = step.train_unit(position, schedule)? else {
            break;
        };
        // A distributed run checkpoints and stops where its processes decide it together.
        let (save_due, stop) = match syncer.as_deref_mut() {
            Some(syncer) => {
                let words = position.words - before;
                let wants = Wants {
                    checkpoint: monitor.checkpoint_due(),
                    stop: monitor.stop_requested(),
                };
                let rows = &mut |hot, merge: &mut dyn FnMut(usize, usize, &mut [f32])| {
                    step.merge_rows(hot, merge)
                };
                let decided = syncer.after_unit(words, position, wants, rows);
                decided.map_or((false, false), |d| (d.checkpoint, d.stop))
            }
            None => (monitor.checkpoint_due(), monitor.stop_requested()),
        };
        let (epoch, words) = (position.epoch, position.words);
        let eval_due = monitor.eval_due(words);
        if step.loss_due() || eval_due || save_due {
            let loss = step.read_loss(words, lr)?;
            position.add_loss(loss);
            monitor.interval(epoch, words, loss, lr)?;
        } else {
            monitor.progress(words, lr);
        }
        if eval_due {
            monitor.evaluate(epoch, words, || step.embeddings())?;
        }
        if save_due {
            let mut saved = position.clone();
            if let Some(syncer) = syncer.as_deref() {
                saved.consumed = syncer.gather_consumed(&position.consumed);
            }
            let path = monitor.save_checkpoint(saved, || step.checkpoint_parts())?;
            if stop {
                return Err(monitor.stopped(words, path));
            }
        }
    }
    Ok(())
}
