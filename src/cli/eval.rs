//! `eval`: analogy accuracy and similarity ρ of a vectors file.

use std::path::PathBuf;

use clap::Args;
use wordvec::eval::Benchmarks;
use wordvec::io::{VectorFormat, read_vectors};

#[derive(Args)]
pub struct EvalArgs {
    /// Vectors file (word2vec text or binary, GloVe text, fastText .vec; detected from the content).
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    #[command(flatten)]
    sets: EvalSets,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// Benchmark files, shared by `eval` and `train`.
#[derive(Args, Clone, Default)]
pub struct EvalSets {
    /// Analogy questions in the Google format (`: section`, then `a b c d`).
    #[arg(long)]
    pub analogies: Option<PathBuf>,
    /// Word-similarity files (`word1<TAB>word2<TAB>score`); repeat or comma-separate.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub similarity: Vec<PathBuf>,
    /// Search analogy answers among this many most frequent words (word2vec's 30,000).
    #[arg(long, default_value_t = 30_000)]
    pub restrict: usize,
}

impl EvalSets {
    pub fn is_empty(&self) -> bool {
        self.analogies.is_none() && self.similarity.is_empty()
    }

    /// Reads every file, so a malformed one fails before any work.
    pub fn load(&self) -> anyhow::Result<Benchmarks> {
        Ok(Benchmarks::load(
            self.analogies.as_deref(),
            &self.similarity,
            self.restrict,
        )?)
    }
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    if args.sets.is_empty() {
        anyhow::bail!("nothing to evaluate: give --analogies and/or --similarity");
    }
    let sets = args.sets.load()?;
    let embeddings = read_vectors(&args.vectors, args.format)?;
    let report = sets.evaluate(&embeddings);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
