//! `similar` and `analogy`: nearest neighbours from a vectors file.

use std::path::PathBuf;

use clap::Args;
use wordvec::embeddings::Neighbour;
use wordvec::io::{VectorFormat, read_vectors};

#[derive(Args)]
pub struct SimilarArgs {
    /// Vectors file (word2vec text or binary, GloVe text, fastText .vec; detected from the content).
    #[arg(long)]
    vectors: PathBuf,
    /// Force the file format instead of detecting it.
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// How many neighbours to print.
    #[arg(short = 'n', long, default_value_t = 10)]
    top: usize,
    word: String,
}

#[derive(Args)]
pub struct AnalogyArgs {
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    #[arg(short = 'n', long, default_value_t = 5)]
    top: usize,
    /// a is to b …
    a: String,
    b: String,
    /// … as c is to ?
    c: String,
}

fn print(neighbours: &[Neighbour]) {
    for n in neighbours {
        println!("{:<24} {:.4}", n.word, n.score);
    }
}

pub fn similar(args: SimilarArgs) -> anyhow::Result<()> {
    let e = read_vectors(&args.vectors, args.format)?;
    print(&e.similar(&args.word, args.top)?);
    Ok(())
}

pub fn analogy(args: AnalogyArgs) -> anyhow::Result<()> {
    let e = read_vectors(&args.vectors, args.format)?;
    print(&e.analogy(&args.a, &args.b, &args.c, args.top)?);
    Ok(())
}
