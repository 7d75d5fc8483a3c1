//! `eval`: analogy accuracy and similarity ρ of a vectors file.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use wordvec::eval::Benchmarks;
use wordvec::io::{VectorFormat, is_fasttext, read_vectors};
use wordvec::subword_vectors::SubwordVectors;

#[derive(Args)]
pub struct EvalArgs {
    /// Vectors file (word2vec text or binary, GloVe text, fastText .vec, or a fastText .bin
    /// model; detected from the content).
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    #[command(flatten)]
    sets: EvalSets,
    /// Words outside the vocabulary: skip the questions and pairs that have one (word2vec's and
    /// gensim's rule), or also score them with the vectors of their n-grams (a fastText .bin
    /// model), reporting both.
    #[arg(long, value_enum, default_value_t = Oov::Skip)]
    oov: Oov,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Oov {
    Skip,
    Subwords,
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
    if args.oov == Oov::Skip {
        let report = sets.evaluate(&read_vectors(&args.vectors, args.format)?);
        match args.json {
            true => println!("{}", serde_json::to_string(&report)?),
            false => print!("{report}"),
        }
        return Ok(());
    }
    if args.format.is_some() || !is_fasttext(&args.vectors)? {
        anyhow::bail!(
            "{}: --oov subwords needs a subword model's n-grams: give its fastText .bin",
            args.vectors.display()
        );
    }
    let vectors = SubwordVectors::read(&args.vectors)?;
    let (report, unseen) = (
        sets.evaluate(vectors.words()),
        sets.evaluate_with_unseen(&vectors),
    );
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        json["with_unseen_words"] = serde_json::to_value(&unseen)?;
        println!("{json}");
    } else {
        print!("{report}\nwith the unseen words' vectors from their n-grams:\n{unseen}");
    }
    Ok(())
}
