//! `vocab`: count a corpus and save its vocabulary.

use std::path::PathBuf;

use clap::Args;
use wordvec::text::{Corpus, Vocab};

#[derive(Args)]
pub struct VocabArgs {
    /// Corpus files, read in order.
    #[arg(long, required = true, num_args = 1..)]
    corpus: Vec<PathBuf>,
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Where to write `word count` lines.
    #[arg(long)]
    output: PathBuf,
}

pub fn run(args: VocabArgs) -> anyhow::Result<()> {
    let corpus = Corpus::open(&args.corpus)?;
    let (vocab, stats) = Vocab::build(&corpus, args.min_count, args.max_vocab)?;
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
