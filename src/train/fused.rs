//! The fused path: word2vec's multi-threaded sparse SGD over host copies of the model's vectors,
//! written back into the module when the run ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use burn::prelude::Device;

use super::{Progress, TrainConfig, Trained, check_finite, lr_for};
use crate::error::Result;
use crate::kernels::{EpochRun, HogwildConfig, SgnsBuffers, train_epoch};
use crate::model::{SkipGram, SkipGramConfig};
use crate::sampling::{NegativeSampler, Subsampler};
use crate::text::{Corpus, Vocab};

pub(super) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    progress: &mut Progress,
) -> Result<Trained> {
    let model = SkipGramConfig::new(vocab.len(), config.dim).init(config.seed, device);
    let mut buffers = SgnsBuffers {
        input: model.input_vectors(),
        output: model.output_vectors(),
        dim: config.dim,
    };
    let subsampler = Subsampler::new(vocab.counts(), config.sample);
    let negatives = NegativeSampler::new(vocab.counts(), 0.75);
    let total_words = vocab.total_count() * config.epochs as u64;
    let hogwild = HogwildConfig {
        window: config.window,
        negative: config.negative,
        threads: config.threads,
        seed: config.seed,
        lr: config.lr,
        linear_decay: config.lr_schedule == super::LrSchedule::Linear,
        total_words,
    };
    let mut epoch_losses = Vec::new();
    let mut words_before = 0u64;
    for epoch in 0..config.epochs {
        let run = EpochRun::starting_at(words_before);
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                train_epoch(
                    &mut buffers,
                    corpus,
                    &vocab,
                    &subsampler,
                    &negatives,
                    &hogwild,
                    epoch,
                    &run,
                )
            });
            let (mut last_loss, mut last_pairs) = (0.0, 0u64);
            while !worker.is_finished() {
                std::thread::sleep(Duration::from_millis(100));
                let (loss, pairs) = (run.loss_sum(), run.pairs.load(Ordering::Relaxed));
                let interval =
                    (pairs > last_pairs).then(|| (loss - last_loss) / (pairs - last_pairs) as f64);
                if pairs > last_pairs {
                    (last_loss, last_pairs) = (loss, pairs);
                }
                let done = run.words_done.load(Ordering::Relaxed);
                progress.update(done, interval, lr_for(config, done, total_words));
            }
            worker.join().expect("the epoch's thread does not panic")
        })?;
        words_before = run.words_done.load(Ordering::Relaxed);
        let pairs = run.pairs.load(Ordering::Relaxed).max(1);
        let mean = run.loss_sum() / pairs as f64;
        check_finite(
            mean,
            words_before,
            lr_for(config, words_before, total_words),
        )?;
        progress.log(&format!(
            "epoch {}/{}: mean loss {mean:.4} over {pairs} pairs, {:.0} words/s",
            epoch + 1,
            config.epochs,
            words_before as f64 / progress.elapsed().max(1e-9)
        ));
        epoch_losses.push(mean);
    }
    let model = SkipGram::from_vectors(buffers.input, buffers.output, None, config.dim, device);
    Ok(Trained {
        model,
        vocab,
        epoch_losses,
        words: words_before,
        seconds: progress.elapsed(),
    })
}
