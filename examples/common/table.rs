//! The peer benchmarks' table: one row per trainer and seed, each trainer's mean over the seeds,
//! and wordvec's ratios to each peer.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::common::{Cost, Quality, evaluate, measure};

pub struct Row {
    /// Index into the trainers' names.
    pub trainer: usize,
    pub label: String,
    pub cost: Cost,
    pub quality: Quality,
}

/// Trains one vectors file with `command`, measured, and scores it.
pub fn run(
    command: Command,
    vectors: &Path,
    wordvec: &Path,
    eval_dir: &Path,
) -> Result<(Cost, Quality)> {
    let cost = measure(command, Stdio::inherit())?;
    Ok((cost, evaluate(wordvec, vectors, eval_dir)?))
}

impl Row {
    /// The mean of `rows` (one trainer over several seeds) under `label`.
    fn mean(trainer: usize, label: String, rows: &[&Row]) -> Row {
        let n = rows.len() as f64;
        let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(|r| f(r)).sum::<f64>() / n;
        Row {
            trainer,
            label,
            cost: Cost {
                wall_s: mean(&|r| r.cost.wall_s),
                cpu_s: mean(&|r| r.cost.cpu_s),
                peak_mib: mean(&|r| r.cost.peak_mib),
                stdout: String::new(),
            },
            quality: Quality {
                analogy: mean(&|r| r.quality.analogy),
                wordsim: mean(&|r| r.quality.wordsim),
                simlex: mean(&|r| r.quality.simlex),
            },
        }
    }
}

/// One row per trainer and seed, then (over several seeds) each trainer's mean, then wordvec
/// against each gensim row (or mean).
pub fn print_table(rows: &[Row], trainers: &[String], seeds: usize, words: f64) {
    println!(
        "| trainer | wall s | words/s | CPU s | words/CPU-s | peak MiB | analogy 3CosAdd | WS-353 ρ | SimLex ρ |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let print_row = |r: &Row| {
        println!(
            "| {} | {:.1} | {:.0} | {:.1} | {:.0} | {:.0} | {:.2}% | {:.3} | {:.3} |",
            r.label,
            r.cost.wall_s,
            words / r.cost.wall_s,
            r.cost.cpu_s,
            words / r.cost.cpu_s,
            r.cost.peak_mib,
            100.0 * r.quality.analogy,
            r.quality.wordsim,
            r.quality.simlex
        )
    };
    rows.iter().for_each(print_row);
    let summaries: Vec<Row> = trainers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let own: Vec<&Row> = rows.iter().filter(|r| r.trainer == i).collect();
            Row::mean(i, format!("{t}, mean of {seeds}"), &own)
        })
        .collect();
    if seeds > 1 {
        summaries.iter().for_each(print_row);
    }
    let Some((ours, peers)) = summaries.split_last() else {
        return;
    };
    for (peer, name) in peers.iter().zip(trainers) {
        println!(
            "| wordvec / {name} | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:+.2} pt | {:+.3} | {:+.3} |",
            ours.cost.wall_s / peer.cost.wall_s,
            peer.cost.wall_s / ours.cost.wall_s,
            ours.cost.cpu_s / peer.cost.cpu_s,
            peer.cost.cpu_s / ours.cost.cpu_s,
            ours.cost.peak_mib / peer.cost.peak_mib,
            100.0 * (ours.quality.analogy - peer.quality.analogy),
            ours.quality.wordsim - peer.quality.wordsim,
            ours.quality.simlex - peer.quality.simlex
        );
    }
}

/// Tokens of the corpus (whitespace-separated), the numerator of every words/s figure.
pub fn count_words(corpus: &Path) -> Result<u64> {
    use std::io::BufRead;
    let file = std::fs::File::open(corpus).with_context(|| format!("open {}", corpus.display()))?;
    let mut words = 0u64;
    for line in std::io::BufReader::with_capacity(1 << 20, file).split(b'\n') {
        words += line?
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
            .count() as u64;
    }
    Ok(words)
}
