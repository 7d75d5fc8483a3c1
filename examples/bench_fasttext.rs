//! Benchmark against fastText: trains fastText (one or more builds of it) and wordvec's subword
//! model on the same corpus with the same settings, back to back in one run, evaluates every
//! `.vec` with the same evaluator, and prints the table of `bench_peers` (wall time, words per
//! second, words per CPU-second, peak memory, analogy and similarity) with wordvec's ratios to
//! each build.
//!
//! ```sh
//! apt-get install fasttext     # fastText 0.9.2, Debian's generic build
//! # fastText's own optimised build (-O3 -march=native), from facebookresearch/fastText v0.9.2:
//! #   make opt   →   ./fasttext
//! cargo build --release && cargo run --release --example bench_fasttext -- \
//!     ../shared/data/corpus/enwiki-17m.txt --fasttext /path/to/fasttext,/usr/bin/fasttext \
//!     --epochs 5 --threads 2 --seeds 1,2,3
//! ```
//!
//! The settings are word2vec's, as the issue that asked for subwords measured them: `-dim 100
//! -ws 5 -neg 5 -minCount 5 -t 1e-3 -minn 3 -maxn 6` and wordvec's equivalents. Flags: `--model
//! skipgram|cbow` (skipgram), `--loss negative|hierarchical` (negative), `--epochs N` (5),
//! `--threads N` (2), `--lr X` (0.025 for skip-gram, 0.05 for CBOW), `--minn N` (3), `--maxn N`
//! (6; 0 compares the word-level models, fastText's `-maxn 0`), `--bucket N` (2000000),
//! `--ns-exponent X` (wordvec's noise words in proportion to count^X, where its default is
//! word2vec's 0.75; fastText's is 0.5), `--seeds 1,2,3` (1), `--fasttext
//! FILE[,FILE…]` (`fasttext` on the PATH), `--eval-dir DIR` (`../shared/data/eval`), `--wordvec
//! FILE`, `--out DIR` (a temporary directory).

#[path = "common/mod.rs"]
mod common;
#[path = "common/table.rs"]
mod table;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use common::{corpus_arg, flag, optional_flag, wordvec_binary};
use table::{Row, count_words, print_table, run};

/// The settings both trainers take.
struct Settings {
    model: String,
    loss: String,
    epochs: usize,
    threads: usize,
    lr: f64,
    minn: usize,
    maxn: usize,
    bucket: usize,
    /// wordvec's noise distribution, when not its default (fastText's is fixed at count^0.5).
    ns_exponent: Option<f64>,
}

impl Settings {
    fn fasttext(&self, binary: &str, corpus: &PathBuf, prefix: &PathBuf, seed: u64) -> Command {
        let mut command = Command::new(binary);
        command
            .arg(&self.model)
            .arg("-input")
            .arg(corpus)
            .arg("-output")
            .arg(prefix)
            .args([
                "-dim",
                "100",
                "-ws",
                "5",
                "-neg",
                "5",
                "-minCount",
                "5",
                "-t",
                "1e-3",
            ])
            .args([
                "-loss",
                if self.loss == "hierarchical" {
                    "hs"
                } else {
                    "ns"
                },
            ])
            .args(["-epoch", &self.epochs.to_string()])
            .args(["-lr", &self.lr.to_string()])
            .args(["-thread", &self.threads.to_string()])
            .args(["-minn", &self.minn.to_string()])
            .args(["-maxn", &self.maxn.to_string()])
            .args(["-bucket", &self.bucket.to_string()])
            .args(["-seed", &seed.to_string()])
            .args(["-verbose", "0"]);
        command
    }

    fn wordvec(&self, binary: &PathBuf, corpus: &PathBuf, vectors: &PathBuf, seed: u64) -> Command {
        let mut command = Command::new(binary);
        command
            .arg("train")
            .args(["--model", &self.model, "--loss", &self.loss])
            .arg("--corpus")
            .arg(corpus)
            .arg("--output")
            .arg(vectors)
            .args(["--epochs", &self.epochs.to_string()])
            .args(["--threads", &self.threads.to_string()])
            .args(["--lr", &self.lr.to_string()])
            .args(["--seed", &seed.to_string(), "--quiet"]);
        if let Some(exponent) = self.ns_exponent {
            command.args(["--ns-exponent", &exponent.to_string()]);
        }
        // Without n-grams wordvec trains its word-level model, which refuses the subword flags.
        if self.maxn > 0 {
            command
                .args(["--minn", &self.minn.to_string()])
                .args(["--maxn", &self.maxn.to_string()])
                .args(["--bucket", &self.bucket.to_string()]);
        }
        command
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = corpus_arg(
        &args,
        "bench_fasttext CORPUS [--model skipgram|cbow] [--loss negative|hierarchical] [--epochs N] \
         [--threads N] [--lr X] [--minn N] [--maxn N] [--bucket N] [--ns-exponent X] [--seeds 1,2,3] \
         [--fasttext FILE,…] [--eval-dir DIR] [--wordvec FILE] [--out DIR]",
    )?;
    let model: String = flag(&args, "--model", "skipgram".to_string())?;
    let default_lr = match model.as_str() {
        "skipgram" => 0.025,
        "cbow" => 0.05,
        other => bail!("--model {other}: expected skipgram or cbow"),
    };
    let loss: String = flag(&args, "--loss", "negative".to_string())?;
    if !matches!(loss.as_str(), "negative" | "hierarchical") {
        bail!("--loss {loss}: expected negative or hierarchical");
    }
    let settings = Settings {
        epochs: flag(&args, "--epochs", 5)?,
        threads: flag(&args, "--threads", 2)?,
        lr: flag(&args, "--lr", default_lr)?,
        minn: flag(&args, "--minn", 3)?,
        maxn: flag(&args, "--maxn", 6)?,
        bucket: flag(&args, "--bucket", 2_000_000)?,
        // Given, or left to wordvec's default.
        ns_exponent: optional_flag(&args, "--ns-exponent")?,
        model,
        loss,
    };
    let seeds: Vec<u64> = flag(&args, "--seeds", "1".to_string())?
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .with_context(|| format!("--seeds: {s:?} is not a seed"))
        })
        .collect::<Result<_>>()?;
    let builds: Vec<String> = flag(&args, "--fasttext", "fasttext".to_string())?
        .split(',')
        .map(str::to_string)
        .collect();
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"))?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out: PathBuf = flag(&args, "--out", scratch.path().to_path_buf())?;
    std::fs::create_dir_all(&out)?;
    let words = count_words(&corpus)? as f64 * settings.epochs as f64;
    eprintln!(
        "{}: {}, {} loss, n-grams {}..{} in {} buckets, {words:.0} words over {} epochs, {} threads, lr {}, wordvec's noise {}, seeds {seeds:?}",
        corpus.display(),
        settings.model,
        settings.loss,
        settings.minn,
        settings.maxn,
        settings.bucket,
        settings.epochs,
        settings.threads,
        settings.lr,
        settings
            .ns_exponent
            .map_or("its default".to_string(), |x| format!("count^{x}"))
    );
    let mut trainers: Vec<String> = builds.iter().map(|b| format!("fastText ({b})")).collect();
    trainers.push(match settings.maxn {
        0 => "wordvec (--maxn 0)".to_string(),
        _ => "wordvec (subwords)".to_string(),
    });
    let mut rows = Vec::new();
    for &seed in &seeds {
        for (trainer, name) in trainers.iter().enumerate() {
            let (command, vectors) = match builds.get(trainer) {
                Some(build) => {
                    let prefix = out.join(format!("fasttext-{trainer}-{seed}"));
                    let command = settings.fasttext(build, &corpus, &prefix, seed);
                    (command, prefix.with_extension("vec"))
                }
                None => {
                    let vectors = out.join(format!("wordvec-{seed}")).join("vectors.vec");
                    (settings.wordvec(&wordvec, &corpus, &vectors, seed), vectors)
                }
            };
            eprintln!("training {name}, seed {seed}…");
            let (cost, quality) = run(command, &vectors, &wordvec, &eval_dir)?;
            if !cost.stdout.trim().is_empty() {
                eprintln!("{name}: {}", cost.stdout.trim());
            }
            rows.push(Row {
                trainer,
                label: format!("{name}, seed {seed}"),
                cost,
                quality,
            });
        }
    }
    print_table(&rows, &trainers, seeds.len(), words);
    Ok(())
}
