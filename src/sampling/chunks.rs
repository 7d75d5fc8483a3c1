//! Chunks of subsampled sentences for the fused step, read on their own threads so the trainer
//! never waits on text: each reader streams its share of the corpus, maps words to ids, drops
//! unknown words, subsamples frequent ones, and sends about `CHUNK_TOKENS` ids at a time,
//! sentences separated by [`SENTENCE_END`].

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::text::{Corpus, Vocab};

use super::{SentenceSink, Subsampler};
use crate::rng::{Rng, rng_for};

/// Separates sentences in a chunk of word ids; no window crosses it.
pub const SENTENCE_END: i32 = -1;

/// Ids per chunk: large enough to keep a GPU busy and to make a CPU thread start cheap, small
/// enough that the learning rate moves smoothly between chunks.
pub const CHUNK_TOKENS: usize = 1 << 20;

/// One chunk of one epoch.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    /// Word ids, sentences separated by [`SENTENCE_END`]; every sentence ends in it.
    pub tokens: Vec<i32>,
    /// Vocabulary words read to make it, before subsampling: drives the schedule.
    pub words: u64,
    /// The reader that made it, and its place among that reader's chunks of the epoch: where
    /// the chunk is, for seeding and for resuming.
    pub reader: usize,
    pub index: u64,
}

/// How chunks are made.
#[derive(Debug, Clone)]
pub struct ChunkConfig {
    pub sample: f64,
    pub epoch: usize,
    pub seed: u64,
    /// Reader threads, each with its own part of the corpus. One reader keeps the chunk order,
    /// and so a single-threaded run, reproducible.
    pub readers: usize,
    /// Ids per chunk ([`CHUNK_TOKENS`] unless a run says otherwise).
    pub chunk_tokens: usize,
    /// Chunks each reader makes but does not send (a resumed epoch): they are read and
    /// subsampled as before, so the chunks that follow are the ones the first run would have sent.
    pub skip: Vec<u64>,
    /// The process's share of the corpus, `(rank, processes)`: its readers are readers
    /// `rank · readers ..` of `processes · readers` (`(0, 1)`: the whole corpus).
    pub share: (usize, usize),
}

/// Reader `r` of the `readers` of the process `share` (`(rank, processes)`) among every
/// process's readers, and how many there are: where it reads and what it draws.
pub fn global_reader(share: (usize, usize), readers: usize, r: usize) -> (usize, usize) {
    let (rank, processes) = share;
    let readers = readers.max(1);
    (rank * readers + r, processes.max(1) * readers)
}

/// The reader threads of one epoch; receive chunks with [`ChunkProducer::next_chunk`].
pub struct ChunkProducer {
    receiver: Option<Receiver<Chunk>>,
    handles: Vec<JoinHandle<Result<()>>>,
}

impl ChunkProducer {
    pub fn spawn(corpus: &Corpus, vocab: &Arc<Vocab>, config: &ChunkConfig) -> Self {
        let readers = config.readers.max(1);
        let (tx, rx) = sync_channel(2 * readers);
        let subsampler = Arc::new(Subsampler::new(vocab.counts(), config.sample));
        let handles = (0..readers)
            .map(|r| {
                let (corpus, vocab, tx) = (corpus.clone(), vocab.clone(), tx.clone());
                let subsampler = subsampler.clone();
                let (global, all) = global_reader(config.share, readers, r);
                let stream = ((config.epoch as u64) << 16) | global as u64;
                let part = Part {
                    reader: r,
                    share: global,
                    shares: all,
                    chunk_tokens: config.chunk_tokens.max(1),
                    skip: config.skip.get(r).copied().unwrap_or(0),
                };
                let mut rng = rng_for(config.seed, stream);
                std::thread::Builder::new()
                    .name(format!("wordvec-reader-{r}"))
                    .spawn(move || read_part(&corpus, &part, &vocab, &subsampler, &mut rng, &tx))
                    .expect("spawn a reader thread")
            })
            .collect();
        ChunkProducer {
            receiver: Some(rx),
            handles,
        }
    }

    /// The next chunk, or `None` once every reader is done; their errors come from
    /// [`ChunkProducer::finish`].
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        self.receiver.as_ref()?.recv().ok()
    }

    /// Stops the readers (if still running) and returns the first error one met.
    pub fn finish(mut self) -> Result<()> {
        self.receiver = None;
        let mut result = Ok(());
        for h in self.handles.drain(..) {
            let r = match h.join() {
                Ok(Err(Error::Interrupted)) => Ok(()),
                Ok(r) => r,
                Err(_) => Err(Error::Config("a reader thread panicked".into())),
            };
            if result.is_ok() {
                result = r;
            }
        }
        result
    }
}

/// One reader's share of an epoch.
struct Part {
    /// This process's reader, and which of every process's readers it is, of how many.
    reader: usize,
    share: usize,
    shares: usize,
    chunk_tokens: usize,
    skip: u64,
}

fn read_part(
    corpus: &Corpus,
    part: &Part,
    vocab: &Vocab,
    subsampler: &Subsampler,
    rng: &mut Rng,
    tx: &SyncSender<Chunk>,
) -> Result<()> {
    let empty = |index| Chunk {
        tokens: Vec::with_capacity(part.chunk_tokens + 1),
        words: 0,
        reader: part.reader,
        index,
    };
    let send = |chunk: Chunk| -> Result<()> {
        if chunk.index < part.skip {
            return Ok(());
        }
        tx.send(chunk).map_err(|_| Error::Interrupted)
    };
    let mut chunk = empty(0);
    let mut sink = SentenceSink::new(vocab, subsampler, rng, |sentence, read, _: &mut Rng| {
        chunk.words += read;
        if !sentence.is_empty() {
            chunk.tokens.extend(sentence.iter().map(|&id| id as i32));
            chunk.tokens.push(SENTENCE_END);
        }
        if chunk.tokens.len() >= part.chunk_tokens {
            let next = empty(chunk.index + 1);
            send(std::mem::replace(&mut chunk, next))?;
        }
        Ok(())
    });
    corpus.scan(corpus.part(part.share, part.shares), &mut sink)?;
    sink.finish()?;
    if chunk.words > 0 {
        send(chunk)?;
    }
    Ok(())
}
