//! `similar` and `analogy`: nearest neighbours from a vectors file.

use std::path::{Path, PathBuf};

use clap::Args;
use wordvec::embeddings::Neighbour;
use wordvec::io::{MappedVectors, VectorFormat, read_vectors};

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
    /// Query the word2vec binary file memory-mapped instead of loading it (big files: memory
    /// for the word index only).
    #[arg(long)]
    mmap: bool,
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
    /// Query the word2vec binary file memory-mapped instead of loading it.
    #[arg(long)]
    mmap: bool,
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

/// The file mapped, when it is (or is said to be) word2vec binary.
fn mapped(path: &Path, format: Option<VectorFormat>) -> anyhow::Result<MappedVectors> {
    let format = match format {
        Some(f) => f,
        None => VectorFormat::sniff(path)?,
    };
    if format != VectorFormat::Binary {
        anyhow::bail!(
            "{}: --mmap reads word2vec binary files; convert this one with `wordvec export --format word2vec-binary`",
            path.display()
        );
    }
    Ok(MappedVectors::open(path)?)
}

pub fn similar(args: SimilarArgs) -> anyhow::Result<()> {
    let neighbours = if args.mmap {
        mapped(&args.vectors, args.format)?.similar(&args.word, args.top)?
    } else {
        read_vectors(&args.vectors, args.format)?.similar(&args.word, args.top)?
    };
    print(&neighbours);
    Ok(())
}

pub fn analogy(args: AnalogyArgs) -> anyhow::Result<()> {
    let (a, b, c) = (&args.a, &args.b, &args.c);
    let neighbours = if args.mmap {
        mapped(&args.vectors, args.format)?.analogy(a, b, c, args.top)?
    } else {
        read_vectors(&args.vectors, args.format)?.analogy(a, b, c, args.top)?
    };
    print(&neighbours);
    Ok(())
}
