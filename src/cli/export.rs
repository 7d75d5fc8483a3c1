//! `export`: converts a vectors file between the formats, optionally to unit length.

use std::path::PathBuf;

use clap::Args;
use wordvec::io::{VectorFormat, read_vectors, write_vectors};

#[derive(Args)]
pub struct ExportArgs {
    /// Vectors file to read (format detected from the content).
    #[arg(long)]
    vectors: PathBuf,
    /// Force the input format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<VectorFormat>,
    /// Format to write.
    #[arg(long, value_enum)]
    format: VectorFormat,
    /// File to write (atomically: a temporary file renamed into place).
    #[arg(long)]
    output: PathBuf,
    /// Write unit-length vectors.
    #[arg(long)]
    normalize: bool,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let mut embeddings = read_vectors(&args.vectors, args.input_format)?;
    if args.normalize {
        embeddings = embeddings.normalized();
    }
    write_vectors(&args.output, &embeddings, args.format)?;
    eprintln!(
        "{} vectors of dimension {} written to {}",
        embeddings.len(),
        embeddings.dim(),
        args.output.display()
    );
    Ok(())
}
