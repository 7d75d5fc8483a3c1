//! Benchmark: train on a corpus with word2vec's settings, evaluate on the standard sets, and print
//! one table row of speed, memory and quality, so runs can be compared side by side.
//!
//! ```sh
//! cargo run --release --example train_eval -- ../shared/data/corpus/enwiki-17m.txt \
//!     --epochs 1 --lr 0.025 --threads 2 --eval-dir ../shared/data/eval
//! ```

use std::path::PathBuf;
use std::time::Instant;

use wordvec::eval::{evaluate_analogies, evaluate_similarity, read_analogies, read_similarity};
use wordvec::train::{BackendKind, ModelOptions, Run, RunOptions, TrainConfig, Word2VecOptions};

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("bad value for {name}")))
        .unwrap_or(default)
}

/// User + system CPU seconds of this process, from /proc (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory in MiB, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(corpus_path) = args.first().filter(|a| !a.starts_with("--")) else {
        eprintln!(
            "usage: train_eval CORPUS [--epochs N] [--lr X] [--threads N] [--dim N] [--eval-dir DIR]"
        );
        std::process::exit(2);
    };
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"));
    let model = ModelOptions::Word2Vec(Word2VecOptions {
        negative: flag(&args, "--negative", 5),
        sample: flag(&args, "--sample", 1e-3),
        ..Word2VecOptions::default()
    });
    let mut config = TrainConfig::for_model(model, None, BackendKind::Cpu);
    config.corpus = vec![PathBuf::from(corpus_path)];
    config.lr = flag(&args, "--lr", 0.025);
    config.dim = flag(&args, "--dim", 100);
    config.window = flag(&args, "--window", 5);
    config.min_count = flag(&args, "--min-count", 5);
    config.epochs = flag(&args, "--epochs", 5);
    config.seed = flag(&args, "--seed", 1);
    config.threads = flag(&args, "--threads", 2);
    config.gpu_cubes = 0;
    let questions = read_analogies(&eval_dir.join("questions-words.txt"))?;
    let wordsim = read_similarity(&eval_dir.join("wordsim353.tsv"))?;
    let simlex = read_similarity(&eval_dir.join("simlex999.txt"))?;

    let options = RunOptions {
        quiet: false,
        write_files: false,
        ..RunOptions::default()
    };
    let run = Run::start(config.clone(), options)?;
    let vocab_size = run.vocab().len();
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let trained = run.train()?;
    let (cpu1, wall) = (cpu_seconds(), t0.elapsed().as_secs_f64());
    let embeddings = trained.embeddings();
    let analogy = evaluate_analogies(&embeddings, &questions, 30_000, "questions-words");
    let ws = evaluate_similarity(&embeddings, &wordsim, usize::MAX, "wordsim353");
    let sl = evaluate_similarity(&embeddings, &simlex, usize::MAX, "simlex999");
    let cpu = cpu0.zip(cpu1).map(|(a, b)| b - a);
    println!(
        "| corpus | vocab | epochs | lr | threads | wall s | words/s | words/CPU-s | peak MiB | analogy 3CosAdd | WS-353 ρ | SimLex ρ |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {vocab_size} | {} | {} | {} | {wall:.1} | {:.0} | {} | {} | {:.2}% | {:.3} | {:.3} |",
        corpus_path,
        config.epochs,
        config.lr,
        config.threads,
        trained.words as f64 / wall,
        cpu.map_or("n/a".into(), |c| format!("{:.0}", trained.words as f64 / c)),
        peak_rss_mib().map_or("n/a".into(), |m| format!("{m:.0}")),
        100.0 * analogy.accuracy_3cosadd,
        ws.spearman,
        sl.spearman
    );
    Ok(())
}
