//! Subcommands. Each parses its flags into library calls; no logic lives here that the library
//! lacks.

mod eval;
mod export;
mod query;
mod train;
mod vocab;

use clap::{Parser, Subcommand};

/// Word embeddings (word2vec skip-gram) trained with Burn on CPU or GPU.
#[derive(Parser)]
#[command(name = "wordvec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train word vectors (on the embedded synthetic corpus when no --corpus is given).
    Train(Box<train::TrainArgs>),
    /// Evaluate vectors on analogy and word-similarity benchmarks.
    Eval(eval::EvalArgs),
    /// The words nearest to a word.
    Similar(query::SimilarArgs),
    /// a is to b as c is to ?
    Analogy(query::AnalogyArgs),
    /// Count a corpus and save its vocabulary (`word count` per line).
    Vocab(vocab::VocabArgs),
    /// Convert vectors between word2vec text/binary, GloVe text and fastText `.vec`.
    Export(export::ExportArgs),
}

pub fn run() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Train(args) => train::run(*args),
        Command::Eval(args) => eval::run(args),
        Command::Similar(args) => query::similar(args),
        Command::Analogy(args) => query::analogy(args),
        Command::Vocab(args) => vocab::run(args),
        Command::Export(args) => export::run(args),
    }
}
