//! `export`: converts a vectors file between the formats, optionally to unit length, or writes
//! it for the Embedding Projector.

use std::path::PathBuf;

use clap::Args;
use clap::builder::PossibleValue;
use wordvec::io::{VectorFormat, read_vectors, write_projector, write_vectors};

/// What `export` writes: a vectors format, or the Embedding Projector's pair of TSV files.
#[derive(Clone, Copy)]
enum ExportFormat {
    Vectors(VectorFormat),
    Projector,
}

impl clap::ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ExportFormat::Vectors(VectorFormat::Text),
            ExportFormat::Vectors(VectorFormat::Binary),
            ExportFormat::Vectors(VectorFormat::Glove),
            ExportFormat::Projector,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            ExportFormat::Vectors(format) => format.to_possible_value(),
            ExportFormat::Projector => Some(PossibleValue::new("projector").help(
                "The Embedding Projector's TSV files: the vectors in OUTPUT, the words in OUTPUT's NAME.metadata.tsv",
            )),
        }
    }
}

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
    format: ExportFormat,
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
    let also = match args.format {
        ExportFormat::Vectors(format) => {
            write_vectors(&args.output, &embeddings, format)?;
            String::new()
        }
        ExportFormat::Projector => {
            let metadata = write_projector(&args.output, &embeddings)?;
            format!(", the words in {}", metadata.display())
        }
    };
    eprintln!(
        "{} vectors of dimension {} written to {}{also}",
        embeddings.len(),
        embeddings.dim(),
        args.output.display()
    );
    Ok(())
}
