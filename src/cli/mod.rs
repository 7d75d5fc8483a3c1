//! Subcommands. Each parses its flags into library calls; no logic lives here that the library
//! lacks.

mod compare;
mod cooccur;
mod eval;
mod export;
mod phrases;
mod plot;
mod query;
mod serve;
mod signals;
mod sweep;
mod train;
mod vocab;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// The words nearest to a word, or to the sum of --positive words minus --negative ones
    /// (gensim's most_similar).
    Similar(query::SimilarArgs),
    /// a is to b as c is to ?
    Analogy(query::AnalogyArgs),
    /// The word that fits least with the others (gensim's doesnt_match).
    DoesntMatch(query::DoesntMatchArgs),
    /// Cosine similarity of two words.
    Similarity(query::SimilarityArgs),
    /// A word's vector.
    Vector(query::VectorArgs),
    /// Answer queries read from standard input, one a line: `similar w… -w…`, `analogy a b c`,
    /// `doesnt-match w…`, `similarity a b`, `vector w`.
    Query(query::QueryArgs),
    /// Count a corpus and save its vocabulary (`word count` per line).
    Vocab(vocab::VocabArgs),
    /// Convert vectors between word2vec text/binary, GloVe text and fastText `.vec`.
    Export(export::ExportArgs),
    /// Compare runs: a table of settings and results, and charts of loss and figures.
    Compare(compare::CompareArgs),
    /// Train a grid of runs (comma lists of train flags) and compare them.
    Sweep(sweep::SweepArgs),
    /// Project chosen words to 2-D (PCA) and draw them.
    Plot(plot::PlotArgs),
    /// Learn phrases ("new_york") from a corpus as word2phrase and gensim's Phrases do, or
    /// write the corpus with a table's phrases joined.
    Phrases(phrases::PhrasesArgs),
    /// A local page to explore vectors and compare runs: neighbours, analogies, maps, two
    /// models side by side, loss and evaluation curves.
    Serve(serve::ServeArgs),
    /// GloVe's co-occurrence matrix (symmetric window, 1/distance), memory-bounded, in the
    /// reference's binary format.
    Cooccur(cooccur::CooccurArgs),
}

pub fn run() -> anyhow::Result<()> {
    let command = Cli::command().mut_subcommand("train", wordvec::train::document_defaults);
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Eval(args) => eval::run(args),
        Command::Similar(args) => query::similar(args),
        Command::Analogy(args) => query::analogy(args),
        Command::DoesntMatch(args) => query::doesnt_match_words(args),
        Command::Similarity(args) => query::similarity_of(args),
        Command::Vector(args) => query::vector_of(args),
        Command::Query(args) => query::batch(args),
        Command::Vocab(args) => vocab::run(args),
        Command::Export(args) => export::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Cooccur(args) => cooccur::run(args),
        Command::Phrases(args) => phrases::run(args),
    }
}
