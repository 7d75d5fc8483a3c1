//! `plot`: chosen words projected to 2-D (PCA) and drawn as a labelled scatter plot.

use std::path::PathBuf;

use clap::Args;
use wordvec::io::{VectorFormat, read_vectors};
use wordvec::plot::{Labelled, scatter};
use wordvec::projection::pca;
use wordvec::train::{BackendKind, select_device};

#[derive(Args)]
pub struct PlotArgs {
    /// Vectors file (any format `eval` reads).
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// The words: a file (whitespace-separated words) or a comma-separated list.
    #[arg(long)]
    words: String,
    /// The plot; `.png` or `.svg`.
    #[arg(long, default_value = "words.png")]
    output: PathBuf,
}

pub fn run(args: PlotArgs) -> anyhow::Result<()> {
    let list = PathBuf::from(&args.words);
    let words: Vec<String> = if list.is_file() {
        std::fs::read_to_string(&list)
            .map_err(|e| anyhow::anyhow!("{}: {e}", list.display()))?
            .split_whitespace()
            .map(String::from)
            .collect()
    } else {
        args.words
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    if words.len() < 2 {
        anyhow::bail!("--words: give at least two words to plot (a comma list or a file)");
    }
    let embeddings = read_vectors(&args.vectors, args.format)?;
    let unknown: Vec<&str> = words
        .iter()
        .filter(|w| embeddings.id(w).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        anyhow::bail!(
            "{}: not in the vocabulary of {}",
            unknown.join(", "),
            args.vectors.display()
        );
    }
    let rows: Vec<&[f32]> = words
        .iter()
        .map(|w| embeddings.row(embeddings.id(w).expect("checked above")))
        .collect();
    let device = select_device(BackendKind::Cpu)?;
    let projection = pca(&rows, embeddings.dim(), 2, &device);
    let points: Vec<Labelled> = words
        .iter()
        .zip(&projection.points)
        .map(|(w, p)| Labelled {
            label: w.clone(),
            x: p[0],
            y: p[1],
        })
        .collect();
    let title = format!(
        "{} words of {}",
        words.len(),
        args.vectors.file_name().map_or_else(
            || args.vectors.display().to_string(),
            |n| n.to_string_lossy().into()
        )
    );
    scatter(
        &args.output,
        &title,
        (
            &format!("PC1 ({:.0}% of variance)", 100.0 * projection.explained[0]),
            &format!("PC2 ({:.0}% of variance)", 100.0 * projection.explained[1]),
        ),
        &points,
    )?;
    eprintln!("plot in {}", args.output.display());
    Ok(())
}
