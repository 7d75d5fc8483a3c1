//! `vocab`: count a corpus and save its vocabulary.

use std::path::PathBuf;

use clap::Args;
use wordvec::text::{Corpus, PhraseTable, Vocab, VocabStats};
use wordvec::train::ReadingFlags;

/// A corpus and how it is read: the flags `vocab`, `cooccur` and `phrases` share.
#[derive(Args)]
pub struct CorpusArgs {
    /// Corpus files, read in order.
    #[arg(long, required = true, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// Threads counting, each over its own part of the corpus [default: every core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    #[command(flatten)]
    reading: ReadingFlags,
}

impl CorpusArgs {
    /// Opens the corpus as the flags say it is read.
    pub fn open(&self) -> anyhow::Result<Corpus> {
        let reading = &self.reading;
        let table = reading
            .phrases
            .as_deref()
            .map(PhraseTable::load)
            .transpose()?;
        let corpus = Corpus::open(&self.corpus)?
            .lowercased(reading.lowercase)
            .tokenized(reading.tokenizer)
            .joined(table.as_ref());
        for (stream, copy) in corpus.spooled() {
            eprintln!(
                "{stream} copied to {} to be read more than once (removed at the end)",
                copy.display()
            );
        }
        Ok(corpus)
    }

    pub fn threads(&self) -> usize {
        self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |t| t as usize,
        )
    }
}

/// A corpus and how its vocabulary is counted: the flags `vocab` and `cooccur` share.
#[derive(Args)]
pub struct CorpusVocab {
    #[command(flatten)]
    corpus: CorpusArgs,
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
}

impl CorpusVocab {
    /// Opens the corpus and counts its vocabulary.
    pub fn build(&self) -> anyhow::Result<(Corpus, Vocab, VocabStats)> {
        let corpus = self.corpus.open()?;
        let threads = self.corpus.threads();
        let (vocab, stats) = Vocab::build(&corpus, self.min_count, self.max_vocab, threads)?;
        Ok((corpus, vocab, stats))
    }
}

#[derive(Args)]
pub struct VocabArgs {
    #[command(flatten)]
    source: CorpusVocab,
    /// Where to write `word count` lines.
    #[arg(long)]
    output: PathBuf,
}

pub fn run(args: VocabArgs) -> anyhow::Result<()> {
    let (_, vocab, stats) = args.source.build()?;
    vocab.save(&args.output)?;
    eprintln!(
        "{} words kept of {} distinct, {} tokens; written to {}",
        vocab.len(),
        stats.distinct,
        stats.tokens,
        args.output.display()
    );
    Ok(())
}
