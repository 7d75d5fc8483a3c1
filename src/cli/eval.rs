//! `eval`: analogy accuracy and similarity ρ of a vectors file.

use std::path::{Path, PathBuf};

use clap::Args;
use wordvec::embeddings::Embeddings;
use wordvec::eval::{
    AnalogyQuestion, EvalReport, SimilarityPair, evaluate_analogies, evaluate_similarity,
    read_analogies, read_similarity,
};
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

fn name(p: &Path) -> String {
    p.display().to_string()
}

/// Benchmark files read and checked, ready to score any vectors.
pub struct LoadedSets {
    analogies: Option<(String, Vec<AnalogyQuestion>)>,
    similarity: Vec<(String, Vec<SimilarityPair>)>,
    restrict: usize,
}

impl EvalSets {
    pub fn is_empty(&self) -> bool {
        self.analogies.is_none() && self.similarity.is_empty()
    }

    /// Reads every file, so a malformed one fails before any work.
    pub fn load(&self) -> anyhow::Result<LoadedSets> {
        let analogies = match &self.analogies {
            Some(p) => Some((name(p), read_analogies(p)?)),
            None => None,
        };
        let similarity = self
            .similarity
            .iter()
            .map(|p| read_similarity(p).map(|pairs| (name(p), pairs)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LoadedSets {
            analogies,
            similarity,
            restrict: self.restrict,
        })
    }
}

impl LoadedSets {
    pub fn evaluate(&self, embeddings: &Embeddings) -> EvalReport {
        EvalReport {
            analogy: self
                .analogies
                .as_ref()
                .map(|(file, q)| evaluate_analogies(embeddings, q, self.restrict, file)),
            similarity: self
                .similarity
                .iter()
                .map(|(file, pairs)| evaluate_similarity(embeddings, pairs, usize::MAX, file))
                .collect(),
        }
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
