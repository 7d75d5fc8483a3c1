//! Benchmark against gensim's `Phrases`: learns one pass of phrases with `wordvec phrases` and
//! with gensim 4.4.0 (`examples/gensim_phrases.py`) on the same corpus and settings, back to
//! back in one run, and prints each one's wall time, CPU time and peak memory, wordvec's speed
//! ratios, and how the two tables agree (phrases in both, in one only, the largest difference
//! of a score).
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_phrases -- \
//!     ../shared/data/corpus/enwiki-17m.txt --threads 2
//! ```
//!
//! Flags: `--threads N` (2), `--scoring default|npmi` (default), `--threshold X` (10; npmi 0.5),
//! `--min-count N` (5), `--connector-words english|none` (none), `--python PATH` (python3),
//! `--wordvec FILE`, `--out DIR` (a temporary directory).

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use common::{Cost, corpus_arg, flag, measure, wordvec_binary};

/// A table as `phrase → score`, tokens joined by `_`.
fn read_gensim(path: &Path) -> Result<HashMap<String, f64>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    text.lines()
        .map(|l| {
            let (phrase, score) = l.split_once('\t').context("a phrase line")?;
            Ok((phrase.to_string(), score.parse()?))
        })
        .collect()
}

fn read_wordvec(path: &Path) -> Result<HashMap<String, f64>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("connectors"))
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            Ok((fields[1].replace(' ', "_"), fields[2].parse()?))
        })
        .collect()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = corpus_arg(&args, "bench_phrases CORPUS [--threads N] [--scoring S] …")?;
    let threads: usize = flag(&args, "--threads", 2)?;
    let scoring: String = flag(&args, "--scoring", "default".to_string())?;
    let default_threshold = if scoring == "npmi" { 0.5 } else { 10.0 };
    let threshold: f64 = flag(&args, "--threshold", default_threshold)?;
    let min_count: u64 = flag(&args, "--min-count", 5)?;
    let connectors: String = flag(&args, "--connector-words", "none".to_string())?;
    let python: String = flag(&args, "--python", "python3".to_string())?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out = flag(&args, "--out", scratch.path().to_path_buf())?;
    std::fs::create_dir_all(&out)?;

    let ours_path = out.join("wordvec.txt");
    let mut ours = Command::new(&wordvec);
    ours.arg("phrases")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--output")
        .arg(&ours_path)
        .args(["--threads", &threads.to_string(), "--scoring", &scoring])
        .args(["--threshold", &threshold.to_string()])
        .args(["--min-count", &min_count.to_string()])
        .args(["--connector-words", &connectors]);
    let ours_cost = measure(ours, Stdio::inherit())?;

    let gensim_path = out.join("gensim.tsv");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gensim_phrases.py");
    let mut gensim = Command::new(&python);
    gensim.arg(&script).arg(&corpus).arg(&gensim_path).args([
        &scoring,
        &threshold.to_string(),
        &min_count.to_string(),
        &connectors,
    ]);
    let gensim_cost = measure(gensim, Stdio::inherit())?;

    let (a, b) = (read_wordvec(&ours_path)?, read_gensim(&gensim_path)?);
    let both = a.keys().filter(|k| b.contains_key(*k)).count();
    let largest = a
        .iter()
        .filter_map(|(k, x)| b.get(k).map(|y| (x - y).abs() / y.abs().max(1e-300)))
        .fold(0.0, f64::max);
    println!(
        "corpus {} ({threads} threads, scoring {scoring}, threshold {threshold}, min_count {min_count}, connectors {connectors})",
        corpus.display()
    );
    println!("| learner | wall s | CPU s | peak MiB | phrases |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, c: &Cost, n: usize| {
        println!(
            "| {name} | {:.1} | {:.1} | {:.0} | {n} |",
            c.wall_s, c.cpu_s, c.peak_mib
        )
    };
    row("wordvec phrases", &ours_cost, a.len());
    row("gensim 4.4.0 Phrases", &gensim_cost, b.len());
    println!(
        "wordvec / gensim: {:.1}x faster (wall), {:.1}x less CPU, {:.2}x the memory",
        gensim_cost.wall_s / ours_cost.wall_s,
        gensim_cost.cpu_s / ours_cost.cpu_s,
        ours_cost.peak_mib / gensim_cost.peak_mib
    );
    println!(
        "tables: {both} phrases in both, {} in wordvec's only, {} in gensim's only; largest relative score difference {largest:.2e}",
        a.len() - both,
        b.len() - both
    );
    println!("gensim: {}", gensim_cost.stdout.trim());
    Ok(())
}
