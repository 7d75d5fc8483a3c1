//! Skip-gram batches built on their own thread, so the device never waits on text.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::text::{Corpus, Vocab};

use super::{NegativeSampler, SentenceSink, Subsampler};
use crate::rng::{Rng, rng_for};

/// How pairs are drawn.
#[derive(Debug, Clone)]
pub struct PairConfig {
    pub window: usize,
    /// Negatives per pair; 0 for the full softmax.
    pub negative: usize,
    /// Negatives are drawn in proportion to count^`ns_exponent`.
    pub ns_exponent: f64,
    pub batch_size: usize,
    pub sample: f64,
    pub epochs: usize,
    pub seed: u64,
    /// `Some(mean)` makes CBOW examples (a window of contexts per centre, their weights 1/n for
    /// the mean or 1 for the sum) instead of skip-gram pairs.
    pub cbow: Option<bool>,
}

/// (centre, context) pairs with their negatives, `negative` per pair, row-major.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub centers: Vec<u32>,
    pub contexts: Vec<u32>,
    pub negatives: Vec<u32>,
    /// CBOW: each example's context ids, `2·window` a row, padded with id 0.
    pub windows: Vec<u32>,
    /// CBOW: each context's weight in the hidden layer: 1/n (mean) or 1 (sum); 0 for padding.
    pub window_weights: Vec<f32>,
    /// Vocabulary words read since the run began, up to this batch: drives the schedule.
    pub words_done: u64,
    pub epoch: usize,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.centers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.centers.is_empty()
    }
}

/// What the producer sends.
#[derive(Debug)]
pub enum Message {
    Batch(Batch),
    /// Every batch of `epoch` (0-based) has been sent.
    EpochEnd(usize),
}

/// Owns the producer thread; iterate to receive its messages in order.
pub struct BatchProducer {
    receiver: Option<Receiver<Message>>,
    handle: Option<JoinHandle<Result<()>>>,
}

impl BatchProducer {
    pub fn spawn(corpus: Corpus, vocab: Arc<Vocab>, config: PairConfig) -> Self {
        let (tx, rx) = sync_channel(16);
        let handle = std::thread::Builder::new()
            .name("wordvec-batches".into())
            .spawn(move || produce(&corpus, &vocab, &config, &tx))
            .expect("spawn the batch thread");
        BatchProducer {
            receiver: Some(rx),
            handle: Some(handle),
        }
    }

    /// The next message, or `None` when the producer is done; its error, if any, comes from
    /// [`BatchProducer::finish`].
    pub fn next_message(&mut self) -> Option<Message> {
        self.receiver.as_ref()?.recv().ok()
    }

    /// Stops the producer (if still running) and returns the error it met, if any.
    pub fn finish(mut self) -> Result<()> {
        self.receiver = None;
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(Err(Error::Interrupted))) | None => Ok(()),
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(Error::Config("the batch thread panicked".into())),
        }
    }
}

fn produce(
    corpus: &Corpus,
    vocab: &Vocab,
    cfg: &PairConfig,
    tx: &SyncSender<Message>,
) -> Result<()> {
    let subsampler = Subsampler::new(vocab.counts(), cfg.sample);
    let negatives =
        (cfg.negative > 0).then(|| NegativeSampler::new(vocab.counts(), cfg.ns_exponent));
    let mut words_done = 0u64;
    for epoch in 0..cfg.epochs {
        let mut rng = rng_for(cfg.seed, epoch as u64);
        let mut batch = Batch {
            epoch,
            ..Batch::default()
        };
        let send = |batch: &mut Batch, words_done: u64| -> Result<()> {
            let next = Batch {
                epoch: batch.epoch,
                ..Batch::default()
            };
            let mut full = std::mem::replace(batch, next);
            full.words_done = words_done;
            tx.send(Message::Batch(full))
                .map_err(|_| Error::Interrupted)
        };
        let sink = SentenceSink::new(
            vocab,
            &subsampler,
            &mut rng,
            |sentence, read, rng: &mut Rng| {
                words_done += read;
                for (i, &center) in sentence.iter().enumerate() {
                    let b = reduced_window(rng, cfg.window);
                    let lo = i.saturating_sub(b);
                    let hi = (i + b).min(sentence.len() - 1);
                    if let Some(mean) = cfg.cbow {
                        // One example: the window's words (all but the centre) predict it.
                        let n = hi - lo;
                        if n == 0 {
                            continue;
                        }
                        let width = 2 * cfg.window.max(1);
                        let weight = if mean { 1.0 / n as f32 } else { 1.0 };
                        let start = batch.windows.len();
                        for (j, &context) in sentence.iter().enumerate().take(hi + 1).skip(lo) {
                            if j != i {
                                batch.windows.push(context);
                                batch.window_weights.push(weight);
                            }
                        }
                        batch.windows.resize(start + width, 0);
                        batch.window_weights.resize(start + width, 0.0);
                        batch.centers.push(center);
                        if let Some(sampler) = &negatives {
                            for _ in 0..cfg.negative {
                                batch.negatives.push(draw_negative(sampler, center, rng));
                            }
                        }
                        if batch.len() == cfg.batch_size {
                            send(&mut batch, words_done)?;
                        }
                        continue;
                    }
                    for (j, &context) in sentence.iter().enumerate().take(hi + 1).skip(lo) {
                        if j == i {
                            continue;
                        }
                        batch.centers.push(center);
                        batch.contexts.push(context);
                        if let Some(sampler) = &negatives {
                            for _ in 0..cfg.negative {
                                batch.negatives.push(draw_negative(sampler, context, rng));
                            }
                        }
                        if batch.len() == cfg.batch_size {
                            send(&mut batch, words_done)?;
                        }
                    }
                }
                Ok(())
            },
        );
        let mut sink = sink;
        corpus.scan(0..corpus.total_bytes(), &mut sink)?;
        sink.finish()?;
        if !batch.is_empty() {
            send(&mut batch, words_done)?;
        }
        tx.send(Message::EpochEnd(epoch))
            .map_err(|_| Error::Interrupted)?;
    }
    Ok(())
}

/// A negative that is not the true context word (unless the vocabulary leaves no other choice).
pub(crate) fn draw_negative(sampler: &NegativeSampler, context: u32, rng: &mut Rng) -> u32 {
    for _ in 0..16 {
        let w = sampler.sample(rng);
        if w != context {
            return w;
        }
    }
    sampler.sample(rng)
}

/// word2vec's dynamic window: the effective half-width is uniform in 1..=window, so near
/// context words are sampled more often than far ones.
pub fn reduced_window(rng: &mut Rng, window: usize) -> usize {
    use rand::Rng as _;
    rng.random_range(1..=window.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_stay_within_window_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.txt");
        // Two lines; no pair may join words of different lines.
        std::fs::write(&p, "a b c d e f g h\nw x y z\n").unwrap();
        let corpus = Corpus::open(&[&p]).unwrap();
        let (vocab, _) = Vocab::build(&corpus, 1, None, 1).unwrap();
        let vocab = Arc::new(vocab);
        let cfg = PairConfig {
            window: 2,
            negative: 3,
            ns_exponent: 0.75,
            batch_size: 7,
            sample: 0.0,
            epochs: 2,
            seed: 1,
            cbow: None,
        };
        let mut producer = BatchProducer::spawn(corpus, vocab.clone(), cfg);
        let mut epochs_ended = 0;
        let mut pairs = 0;
        let mut last_words = 0;
        while let Some(m) = producer.next_message() {
            match m {
                Message::Batch(b) => {
                    assert!(b.len() <= 7 && !b.is_empty());
                    assert_eq!(b.negatives.len(), 3 * b.len());
                    assert!(b.words_done >= last_words);
                    last_words = b.words_done;
                    for (&c, &t) in b.centers.iter().zip(&b.contexts) {
                        let (c, t) = (vocab.word(c), vocab.word(t));
                        let line = |w: &str| "abcdefgh".contains(w);
                        assert_eq!(line(c), line(t), "{c} {t}");
                        let gap = (c.as_bytes()[0] as i32 - t.as_bytes()[0] as i32).abs();
                        assert!((1..=2).contains(&gap), "{c} {t}");
                        pairs += 1;
                    }
                    for (k, &n) in b.negatives.iter().enumerate() {
                        assert_ne!(n, b.contexts[k / 3]);
                    }
                }
                Message::EpochEnd(e) => {
                    assert_eq!(e, epochs_ended);
                    epochs_ended += 1;
                }
            }
        }
        producer.finish().unwrap();
        assert_eq!(epochs_ended, 2);
        assert_eq!(last_words, 24);
        // At least one pair per neighbour, at most all within distance 2.
        assert!(
            (2 * (7 + 3) * 2..=2 * (2 * (13 + 5))).contains(&pairs),
            "{pairs}"
        );
    }

    #[test]
    fn cbow_windows_stay_in_their_line_and_average() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.txt");
        std::fs::write(&p, "a b c d e f g h\nw x y z\nq\n").unwrap();
        let corpus = Corpus::open(&[&p]).unwrap();
        let (vocab, _) = Vocab::build(&corpus, 1, None, 1).unwrap();
        let vocab = Arc::new(vocab);
        let cfg = PairConfig {
            window: 2,
            negative: 2,
            ns_exponent: 0.75,
            batch_size: 5,
            sample: 0.0,
            epochs: 1,
            seed: 3,
            cbow: Some(true),
        };
        let mut producer = BatchProducer::spawn(corpus, vocab.clone(), cfg);
        let mut examples = 0;
        while let Some(m) = producer.next_message() {
            let Message::Batch(b) = m else { continue };
            assert_eq!(b.windows.len(), 4 * b.len());
            assert_eq!(b.window_weights.len(), 4 * b.len());
            assert_eq!(b.negatives.len(), 2 * b.len());
            for (e, &center) in b.centers.iter().enumerate() {
                let c = vocab.word(center);
                let weights = &b.window_weights[e * 4..e * 4 + 4];
                assert!(
                    (weights.iter().sum::<f32>() - 1.0).abs() < 1e-6,
                    "{weights:?}"
                );
                for (k, &w) in weights.iter().enumerate() {
                    if w > 0.0 {
                        let t = vocab.word(b.windows[e * 4 + k]);
                        assert_eq!("abcdefgh".contains(c), "abcdefgh".contains(t), "{c} {t}");
                        let gap = (c.as_bytes()[0] as i32 - t.as_bytes()[0] as i32).abs();
                        assert!((1..=2).contains(&gap), "{c} {t}");
                    }
                }
                assert!(b.negatives[e * 2..e * 2 + 2].iter().all(|&n| n != center));
                examples += 1;
            }
        }
        producer.finish().unwrap();
        // Every word of the two long lines has a neighbour; "q", alone on its line, has none.
        assert_eq!(examples, 12);
    }

    #[test]
    fn window_sizes_are_uniform_over_one_to_window() {
        let mut rng = rng_for(7, 0);
        let mut hist = [0u32; 6];
        let n = 60_000;
        for _ in 0..n {
            hist[reduced_window(&mut rng, 5)] += 1;
        }
        assert_eq!(hist[0], 0);
        for (w, &h) in hist.iter().enumerate().skip(1) {
            // Expected 12,000 each; 5 standard deviations is about 490.
            assert!((h as i64 - 12_000).abs() < 490, "size {w}: {h}");
        }
    }
}
