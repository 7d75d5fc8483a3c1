//! Benchmark against the peer: trains gensim 4.4.0 and wordvec on the same corpus with word2vec's
//! settings, back to back in one run, evaluates both vector files with the same evaluator, and
//! prints one table of wall time, words per second, words per CPU-second, peak memory, analogy
//! and similarity figures, with the ratios wordvec / gensim.
//!
//! ```sh
//! pip install gensim==4.4.0
//! cargo build --release && cargo run --release --example bench_peers -- \
//!     ../shared/data/corpus/enwiki-17m.txt --epochs 5 --threads 2
//! ```
//!
//! Both trainers run as child processes; CPU time and peak memory come from each child's own
//! resource usage (`wait4`), so neither figure includes the other trainer or this program. Flags:
//! `--model skipgram|cbow` (skipgram), `--epochs N` (5), `--threads N` (2), `--lr X` (0.025 for
//! skip-gram, 0.05 for CBOW, as word2vec and `gensim_train.py`), `--eval-dir DIR`
//! (`../shared/data/eval`), `--gensim-train FILE` (`../shared/tools/gensim_train.py`),
//! `--wordvec FILE` (the `wordvec` binary built beside this example), `--out DIR` (a temporary
//! directory), `--skip-gensim` (wordvec's row only).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use common::{Cost, Quality, evaluate, flag, measure, wordvec_binary};

struct Row {
    name: &'static str,
    cost: Cost,
    quality: Quality,
}

fn print_table(rows: &[Row], words: f64) {
    println!(
        "| trainer | wall s | words/s | CPU s | words/CPU-s | peak MiB | analogy 3CosAdd | WS-353 ρ | SimLex ρ |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.1} | {:.0} | {:.1} | {:.0} | {:.0} | {:.2}% | {:.3} | {:.3} |",
            r.name,
            r.cost.wall_s,
            words / r.cost.wall_s,
            r.cost.cpu_s,
            words / r.cost.cpu_s,
            r.cost.peak_mib,
            100.0 * r.quality.analogy,
            r.quality.wordsim,
            r.quality.simlex
        );
    }
    if let [peer, ours] = rows {
        println!(
            "| wordvec / gensim | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:+.2} pt | {:+.3} | {:+.3} |",
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
fn count_words(corpus: &Path) -> Result<u64> {
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

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(corpus) = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
    else {
        eprintln!(
            "usage: bench_peers CORPUS [--model skipgram|cbow] [--epochs N] [--threads N] [--lr X] [--eval-dir DIR] \
             [--gensim-train FILE] [--wordvec FILE] [--out DIR] [--skip-gensim]"
        );
        std::process::exit(2);
    };
    let epochs: usize = flag(&args, "--epochs", 5)?;
    let threads: usize = flag(&args, "--threads", 2)?;
    let model: String = flag(&args, "--model", "skipgram".to_string())?;
    let (gensim_mode, default_lr) = match model.as_str() {
        "skipgram" => ("sg", 0.025),
        "cbow" => ("cbow", 0.05),
        other => bail!("--model {other}: expected skipgram or cbow"),
    };
    let lr: f64 = flag(&args, "--lr", default_lr)?;
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"))?;
    let gensim_train: PathBuf = flag(
        &args,
        "--gensim-train",
        PathBuf::from("../shared/tools/gensim_train.py"),
    )?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out: PathBuf = flag(&args, "--out", scratch.path().to_path_buf())?;
    std::fs::create_dir_all(&out)?;
    let words = count_words(&corpus)? as f64 * epochs as f64;
    eprintln!(
        "{}: {model}, {words:.0} words over {epochs} epochs, {threads} threads, lr {lr}",
        corpus.display()
    );

    let mut rows = Vec::new();
    if !args.iter().any(|a| a == "--skip-gensim") {
        let vectors = out.join("gensim.txt");
        let mut command = Command::new("python3");
        command
            .arg(&gensim_train)
            .arg(gensim_mode)
            .arg(&corpus)
            .arg(&vectors)
            .arg(epochs.to_string())
            .arg(threads.to_string());
        eprintln!("training gensim…");
        let cost = measure(command, Stdio::inherit())?;
        eprintln!("gensim: {}", cost.stdout.trim());
        let quality = evaluate(&wordvec, &vectors, &eval_dir)?;
        rows.push(Row {
            name: "gensim 4.4.0",
            cost,
            quality,
        });
    }
    let vectors = out.join("wordvec.txt");
    let mut command = Command::new(&wordvec);
    command
        .arg("train")
        .arg("--model")
        .arg(&model)
        .arg("--corpus")
        .arg(&corpus)
        .arg("--output")
        .arg(&vectors)
        .arg("--epochs")
        .arg(epochs.to_string())
        .arg("--threads")
        .arg(threads.to_string())
        .arg("--lr")
        .arg(lr.to_string())
        .arg("--quiet");
    eprintln!("training wordvec…");
    let cost = measure(command, Stdio::inherit())?;
    let quality = evaluate(&wordvec, &vectors, &eval_dir)?;
    rows.push(Row {
        name: "wordvec",
        cost,
        quality,
    });
    print_table(&rows, words);
    Ok(())
}
