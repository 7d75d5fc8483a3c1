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
//! `--model skipgram|cbow` (skipgram), `--loss negative|hierarchical` (negative: gensim's
//! `negative=5`; hierarchical: gensim's `hs=1, negative=0`), `--epochs N` (5), `--threads N` (2), `--lr X` (0.025 for
//! skip-gram, 0.05 for CBOW, as word2vec and `gensim_train.py`), `--seeds 1,2,3` (1: each trainer
//! runs once per seed, and the table adds each one's mean — single runs differ by about half a
//! point of analogy), `--gensim-input both|corpus-file|iterable` (both: gensim runs each way and the
//! table gives a ratio against each; corpus-file: how `../shared/tools/gensim_train.py` runs
//! gensim, fastest, so the speed to beat, but with several workers its rate decays by each
//! worker's own share of the file; iterable: gensim's default, whose rate decays over the whole
//! run as word2vec's and wordvec's, so the quality to compare with; see `gensim_peer.py`),
//! `--eval-dir DIR`
//! (`../shared/data/eval`), `--gensim-script FILE` (`examples/gensim_peer.py`), `--wordvec FILE`
//! (the `wordvec` binary built beside this example), `--out DIR` (a temporary directory),
//! `--skip-gensim` (wordvec's rows only), `--batching pair|window` (wordvec's `--batching`; when
//! absent, wordvec's own default for the model and loss).

#[path = "common/mod.rs"]
mod common;
#[path = "common/table.rs"]
mod table;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use common::{corpus_arg, flag, wordvec_binary};
use table::{Row, count_words, print_table, run};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = corpus_arg(
        &args,
        "bench_peers CORPUS [--model skipgram|cbow] [--loss negative|hierarchical] [--epochs N] [--threads N] [--lr X] \
         [--seeds 1,2,3] [--gensim-input both|corpus-file|iterable] [--eval-dir DIR] \
         [--gensim-script FILE] [--wordvec FILE] [--out DIR] [--skip-gensim] [--batching pair|window]",
    )?;
    let epochs: usize = flag(&args, "--epochs", 5)?;
    let threads: usize = flag(&args, "--threads", 2)?;
    let model: String = flag(&args, "--model", "skipgram".to_string())?;
    let (gensim_mode, default_lr) = match model.as_str() {
        "skipgram" => ("sg", 0.025),
        "cbow" => ("cbow", 0.05),
        other => bail!("--model {other}: expected skipgram or cbow"),
    };
    let lr: f64 = flag(&args, "--lr", default_lr)?;
    let loss: String = flag(&args, "--loss", "negative".to_string())?;
    if !matches!(loss.as_str(), "negative" | "hierarchical") {
        bail!("--loss {loss}: expected negative or hierarchical");
    }
    let seeds: Vec<u64> = flag(&args, "--seeds", "1".to_string())?
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .with_context(|| format!("--seeds: {s:?} is not a seed"))
        })
        .collect::<Result<_>>()?;
    let gensim_inputs: Vec<&str> = match flag(&args, "--gensim-input", "both".to_string())?.as_str()
    {
        _ if args.iter().any(|a| a == "--skip-gensim") => vec![],
        "corpus-file" => vec!["corpus-file"],
        "iterable" => vec!["iterable"],
        "both" => vec!["corpus-file", "iterable"],
        other => bail!("--gensim-input {other}: expected corpus-file, iterable or both"),
    };
    let batching: String = flag(&args, "--batching", String::new())?;
    if !matches!(batching.as_str(), "" | "pair" | "window") {
        bail!("--batching {batching}: expected pair or window");
    }
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"))?;
    let gensim_script: PathBuf = flag(
        &args,
        "--gensim-script",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gensim_peer.py"),
    )?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out: PathBuf = flag(&args, "--out", scratch.path().to_path_buf())?;
    std::fs::create_dir_all(&out)?;
    let words = count_words(&corpus)? as f64 * epochs as f64;
    eprintln!(
        "{}: {model}, {loss} loss, {words:.0} words over {epochs} epochs, {threads} threads, lr {lr}, seeds {seeds:?}",
        corpus.display()
    );

    let mut trainers: Vec<String> = gensim_inputs
        .iter()
        .map(|input| format!("gensim 4.4.0 ({input})"))
        .collect();
    trainers.push(match batching.as_str() {
        "" => "wordvec".to_string(),
        b => format!("wordvec (--batching {b})"),
    });
    let mut rows = Vec::new();
    for &seed in &seeds {
        for (trainer, name) in trainers.iter().enumerate() {
            let (command, vectors) = match gensim_inputs.get(trainer) {
                Some(&input) => {
                    let vectors = out.join(format!("gensim-{input}-{seed}.txt"));
                    let mut command = Command::new("python3");
                    command
                        .arg(&gensim_script)
                        .arg(gensim_mode)
                        .arg(&corpus)
                        .arg(&vectors)
                        .arg(epochs.to_string())
                        .arg(threads.to_string())
                        .arg("--seed")
                        .arg(seed.to_string())
                        .arg("--input")
                        .arg(input);
                    if loss == "hierarchical" {
                        command.arg("--hs");
                    }
                    (command, vectors)
                }
                None => {
                    // A run folder per seed: a run keeps its metrics and checkpoints beside its
                    // vectors.
                    let vectors = out.join(format!("wordvec-{seed}")).join("vectors.txt");
                    let mut command = Command::new(&wordvec);
                    command
                        .arg("train")
                        .arg("--model")
                        .arg(&model)
                        .arg("--loss")
                        .arg(&loss)
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
                        .arg("--seed")
                        .arg(seed.to_string())
                        .arg("--quiet");
                    if !batching.is_empty() {
                        command.arg("--batching").arg(&batching);
                    }
                    (command, vectors)
                }
            };
            eprintln!("training {name}, seed {seed}…");
            let (cost, quality) = run(command, &vectors, &wordvec, &eval_dir)?;
            if trainer < gensim_inputs.len() {
                eprintln!("gensim: {}", cost.stdout.trim());
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
