//! GloVe benchmark: trains `wordvec train --model glove` with the reference's settings (dim 100,
//! window 10, x_max 100, α 0.75, AdaGrad 0.05) and prints the time of each phase (counting,
//! shuffling, every iteration), the whole run's CPU time and peak memory (the child's own
//! `wait4` figures), and the analogy and similarity figures after every iteration, beside the
//! Stanford reference's figures as measured on this project's machine for the GloVe issue (the
//! reference is not installed here, so its row is quoted, not re-run).
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_glove -- \
//!     ../shared/data/corpus/enwiki-17m.txt --iterations 15 --threads 2
//! ```
//!
//! Flags: `--iterations N` (15), `--threads N` (2), `--memory-gb X` (4; small values force the
//! counts to spill), `--backend cpu|wgpu` (cpu), `--eval-dir DIR` (`../shared/data/eval`),
//! `--wordvec FILE` (the binary built beside this example), `--out DIR` (a temporary directory;
//! the run's log, metrics and vectors stay there).

// Each benchmark uses its part of the shared helpers.
#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use common::{corpus_arg, evaluate, flag, measure, wordvec_binary};
use wordvec::train::{MetricRecord, read_metrics};

/// Stanford GloVe on enwiki-17m with these settings, 15 iterations, 2 threads, as measured for
/// the GloVe issue: counting s, shuffling s, training CPU-s, analogy %, WordSim ρ, SimLex ρ.
const REFERENCE: (f64, f64, f64, f64, f64, f64) = (25.0, 27.0, 1750.0, 18.1, 0.420, 0.186);

/// The first number after `after` in `line`.
fn number_after(line: &str, after: &str) -> Option<f64> {
    let rest = &line[line.find(after)? + after.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = corpus_arg(
        &args,
        "bench_glove CORPUS [--iterations N] [--threads N] [--memory-gb X] [--backend cpu|wgpu] [--eval-dir DIR] [--wordvec FILE] [--out DIR]",
    )?;
    let iterations: usize = flag(&args, "--iterations", 15)?;
    let threads: usize = flag(&args, "--threads", 2)?;
    let memory_gb: f64 = flag(&args, "--memory-gb", 4.0)?;
    let backend: String = flag(&args, "--backend", "cpu".to_string())?;
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"))?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out: PathBuf = flag(&args, "--out", scratch.path().to_path_buf())?;
    std::fs::create_dir_all(&out)?;
    let log_path = out.join("train.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("create {}", log_path.display()))?;
    let mut command = Command::new(&wordvec);
    command
        .args(["train", "--model", "glove", "--eval-every", "epoch"])
        .arg("--corpus")
        .arg(&corpus)
        .arg("--output")
        .arg(out.join("vectors.txt"))
        .args(["--epochs", &iterations.to_string()])
        .args(["--threads", &threads.to_string()])
        .args(["--memory-gb", &memory_gb.to_string()])
        .args(["--backend", &backend])
        .arg("--analogies")
        .arg(eval_dir.join("questions-words.txt"))
        .arg("--similarity")
        .arg(eval_dir.join("wordsim353.tsv"))
        .arg(eval_dir.join("simlex999.txt"));
    eprintln!(
        "{}: GloVe, {iterations} iterations, {threads} threads, {backend}; log in {}",
        corpus.display(),
        log_path.display()
    );
    let cost = measure(command, Stdio::from(log))?;
    let log = std::fs::read_to_string(&log_path)?;
    let phase = |prefix: &str, after: &str| {
        log.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| number_after(l, after))
    };
    let counting = phase("co-occurrences:", "merged,").context("no counting line in the log")?;
    let entries = phase("co-occurrences:", "co-occurrences:").unwrap_or(f64::NAN);
    let shuffling = phase("shuffled", "entries in").context("no shuffling line in the log")?;
    let iteration_s: Vec<f64> = log
        .lines()
        .filter(|l| l.starts_with("iteration "))
        .filter_map(|l| number_after(l, ":"))
        .collect();
    if iteration_s.len() != iterations {
        bail!(
            "the log has {} of {iterations} iterations",
            iteration_s.len()
        );
    }
    let records = read_metrics(&out.join("metrics.jsonl"))?;
    let losses: Vec<f64> = records
        .iter()
        .filter_map(|r| match r {
            MetricRecord::Epoch { loss, .. } => Some(*loss),
            _ => None,
        })
        .collect();
    let figures: Vec<[f64; 3]> = records
        .iter()
        .filter_map(|r| match r {
            MetricRecord::Eval { figures, .. } => {
                let find = |key: &str| {
                    figures
                        .iter()
                        .find(|(k, _)| k.contains(key))
                        .map_or(f64::NAN, |(_, v)| *v)
                };
                Some([find("analogy"), find("wordsim"), find("simlex")])
            }
            _ => None,
        })
        .collect();

    println!("| iteration | mean loss | s | analogy 3CosAdd | WS-353 ρ | SimLex ρ |");
    println!("|---|---|---|---|---|---|");
    for (k, s) in iteration_s.iter().enumerate() {
        let [a, w, l] = figures.get(k).copied().unwrap_or([f64::NAN; 3]);
        let loss = losses.get(k).copied().unwrap_or(f64::NAN);
        println!(
            "| {} | {loss:.4} | {s:.1} | {a:.2}% | {w:.3} | {l:.3} |",
            k + 1
        );
    }
    let training: f64 = iteration_s.iter().sum();
    // The final figures by `wordvec eval` on the written file, as `bench_peers` scores.
    let last = evaluate(&wordvec, &out.join("vectors.txt"), &eval_dir)?;
    let (a, w, l) = (100.0 * last.analogy, last.wordsim, last.simlex);
    let (r_count, r_shuffle, r_cpu, r_a, r_w, r_l) = REFERENCE;
    println!();
    println!(
        "| trainer | entries | counting s | shuffling s | training s | s / iteration | training CPU-s / iteration | run wall s | run CPU s | peak MiB | analogy 3CosAdd | WS-353 ρ | SimLex ρ |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| Stanford GloVe (quoted) | 43 M | {r_count:.0} | {r_shuffle:.0} | — | — | {:.0} | — | — | — | {r_a:.1}% | {r_w:.3} | {r_l:.3} |",
        r_cpu / 15.0
    );
    println!(
        "| wordvec | {:.1} M | {counting:.1} | {shuffling:.1} | {training:.1} | {:.1} | ≤ {:.0} | {:.1} | {:.1} | {:.0} | {a:.2}% | {w:.3} | {l:.3} |",
        entries / 1e6,
        training / iterations as f64,
        training * threads as f64 / iterations as f64,
        cost.wall_s,
        cost.cpu_s,
        cost.peak_mib,
    );
    Ok(())
}
