//! `compare`: runs side by side — a table and charts.

use std::path::{Path, PathBuf};

use clap::Args;
use wordvec::files::atomic_write;
use wordvec::runs::{Comparison, Run};

#[derive(Args)]
pub struct CompareArgs {
    /// Run directories (each holds a metrics.jsonl).
    #[arg(required = true, num_args = 1..)]
    runs: Vec<PathBuf>,
    /// Where the table (comparison.md) and the charts (PNG and SVG) go.
    #[arg(long, default_value = "comparison")]
    out: PathBuf,
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    compare(&args.runs, &args.out)
}

/// Compares `dirs`, prints the table and writes it with the charts into `out`.
pub fn compare(dirs: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let runs = dirs
        .iter()
        .map(|d| Run::load(d))
        .collect::<Result<Vec<_>, _>>()?;
    let comparison = Comparison::new(runs);
    let table = comparison.table();
    print!("{table}");
    let md = out.join("comparison.md");
    atomic_write(&md, |w| std::io::Write::write_all(w, table.as_bytes()))?;
    let files = comparison.plot(out)?;
    eprintln!(
        "table in {}; {} charts in {}",
        md.display(),
        files.len(),
        out.display()
    );
    Ok(())
}
