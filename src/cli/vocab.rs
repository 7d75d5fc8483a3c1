//! `vocab`: count a corpus and save its vocabulary.

use std::path::PathBuf;

use clap::Args;
use wordvec::text::{Corpus, Tokenizer, Vocab, VocabStats};

/// A corpus and how its vocabulary is counted: the flags `vocab` and `cooccur` share.
#[derive(Args)]
pub struct CorpusVocab {
    /// Corpus files, read in order.
    #[arg(long, required = true, num_args = 1..)]
    corpus: Vec<PathBuf>,
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Threads counting the vocabulary, each over its own part of the corpus [default: every
    /// core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Fold the corpus to lower case (Unicode's rules) first, as `train --lowercase` does.
    #[arg(long)]
    lowercase: bool,
    /// How the corpus is cut into tokens, as `train --tokenizer`.
    #[arg(long, value_enum, default_value_t = Tokenizer::Whitespace)]
    tokenizer: Tokenizer,
}

impl CorpusVocab {
    /// Opens the corpus and counts its vocabulary.
    pub fn build(&self) -> anyhow::Result<(Corpus, Vocab, VocabStats)> {
        let corpus = Corpus::open(&self.corpus)?
            .lowercased(self.lowercase)
            .tokenized(self.tokenizer);
        for (stream, copy) in corpus.spooled() {
            eprintln!(
                "{stream} copied to {} to be read more than once (removed at the end)",
                copy.display()
            );
        }
        let threads = self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |t| t as usize,
        );
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
