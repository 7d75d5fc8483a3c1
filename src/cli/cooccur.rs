//! `cooccur`: GloVe's co-occurrence matrix of a corpus, in the reference's binary format, so
//! Stanford GloVe's `shuffle` and `glove` can train on it
//! (`train --model glove` counts its own).

use std::path::PathBuf;
use std::time::Instant;

use super::vocab::CorpusVocab;
use clap::Args;
use wordvec::files::atomic_write;
use wordvec::io::write_cooccurrence;
use wordvec::sampling::{CooccurConfig, count_cooccurrences};

#[derive(Args)]
pub struct CooccurArgs {
    #[command(flatten)]
    source: CorpusVocab,
    /// Largest distance between two counted words (each pair adds 1/distance).
    #[arg(long, default_value_t = 10)]
    window: usize,
    /// Count each pair in both directions (GloVe's default); `false`: only left context.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    symmetric: bool,
    /// Memory for the counting table before sorted runs spill to disk (gigabytes).
    #[arg(long, default_value_t = 4.0)]
    memory_gb: f64,
    /// Folder for the spilled runs [default: the system's temporary folder].
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// The matrix: GloVe's `CREC` records (i32 word, i32 context, f64 count; ids from 1 in the
    /// vocabulary's order), little-endian.
    #[arg(long)]
    output: PathBuf,
    /// The vocabulary the ids refer to (`word count` lines, GloVe's vocab_count format).
    #[arg(long)]
    vocab_output: PathBuf,
}

pub fn run(args: CooccurArgs) -> anyhow::Result<()> {
    if !(args.memory_gb.is_finite() && args.memory_gb > 0.0) {
        anyhow::bail!("--memory-gb must be a positive number");
    }
    if args.window == 0 {
        anyhow::bail!("--window must be at least 1");
    }
    let started = Instant::now();
    let (corpus, vocab, stats) = args.source.build()?;
    vocab.save(&args.vocab_output)?;
    eprintln!(
        "vocabulary: {} words of {} distinct, {} tokens ({:.1}s)",
        vocab.len(),
        stats.distinct,
        stats.tokens,
        started.elapsed().as_secs_f64()
    );
    let counting = Instant::now();
    let config = CooccurConfig {
        window: args.window,
        symmetric: args.symmetric,
        memory_bytes: (args.memory_gb * 1e9) as usize,
        temp_dir: args.temp_dir.clone(),
    };
    // A write error belongs to the output (atomic_write names it); a counting error names its
    // own file (the corpus, a run file) and is returned as it is.
    let mut counted = None;
    let written = atomic_write(&args.output, |w| {
        let mut write_error = None;
        let result = count_cooccurrences(&corpus, &vocab, &config, |c| {
            write_cooccurrence(w, &c).map_err(|e| {
                write_error = Some(e);
                wordvec::Error::Interrupted
            })
        });
        if let Some(e) = write_error {
            return Err(e);
        }
        let failed = result.is_err();
        counted = Some(result);
        if failed {
            return Err(std::io::Error::other("counting failed"));
        }
        Ok(())
    });
    let stats = match counted {
        Some(Err(e)) => return Err(e.into()),
        _ => {
            written?;
            counted.expect("counting ran")?
        }
    };
    eprintln!(
        "co-occurrences: {} non-zero entries from {} words, {} spilled run(s) merged ({:.1}s); written to {}",
        stats.entries,
        stats.tokens,
        stats.runs,
        counting.elapsed().as_secs_f64(),
        args.output.display()
    );
    Ok(())
}
