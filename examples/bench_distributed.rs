//! Benchmark of `train --distributed`: the same run trained by several processes under
//! `mpirun` on this machine (one thread each by default) and by one process with as many
//! threads, seed after seed, each vectors file scored by the same evaluator. Prints one row per
//! run, each setting's mean over the seeds, and each against the single process.
//!
//! ```sh
//! apt-get install openmpi-bin libopenmpi-dev libclang-dev
//! cargo build --release --features mpi && cargo run --release --features mpi --example \
//!     bench_distributed -- ../shared/data/corpus/enwiki-17m.txt --processes 2 --epochs 5 \
//!     --seeds 1,2,3
//! # scaling (more processes than cores: oversubscribed, one thread each), one epoch:
//! cargo run --release --features mpi --example bench_distributed -- CORPUS \
//!     --processes 1,2,4,8 --sync-words 25000,100000,400000 --epochs 1 --single-threads 1
//! ```
//!
//! Flags: `--processes N[,N…]` (2), `--threads T` per process (1), `--sync-words N[,N…]`
//! (`train`'s default), `--single-threads T` (the single process's threads: the first
//! processes × threads), `--model skipgram|cbow` (skipgram), `--epochs N` (5), `--seeds 1,2,3`
//! (1), `--eval-dir DIR` (`../shared/data/eval`), `--wordvec FILE`, `--out DIR` (a temporary
//! directory), `--mpirun "mpirun …"` (`mpirun --allow-run-as-root --oversubscribe --mca btl
//! self,tcp --mca btl_tcp_if_include lo`, processes meeting over loopback TCP).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use common::{Cost, Quality, corpus_arg, evaluate, flag, measure, wordvec_binary};

const MPIRUN: &str =
    "mpirun --allow-run-as-root --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo";

/// One way of training: a single process, or `processes` under MPI syncing every `sync` words.
#[derive(Clone, Copy)]
struct Setting {
    processes: Option<usize>,
    sync: Option<u64>,
    threads: usize,
}

impl Setting {
    fn label(&self) -> String {
        match (self.processes, self.sync) {
            (None, _) => format!("1 process × {} threads", self.threads),
            (Some(p), sync) => format!(
                "{p} processes × {} thread(s), sync {}",
                self.threads,
                sync.map_or("default".to_string(), |s| format!("{s} words"))
            ),
        }
    }
}

fn list<T: std::str::FromStr>(args: &[String], name: &str, default: &str) -> Result<Vec<T>> {
    flag(args, name, default.to_string())?
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .ok()
                .with_context(|| format!("{name}: {s:?} is not a number"))
        })
        .collect()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = corpus_arg(
        &args,
        "bench_distributed CORPUS [--processes N,…] [--threads T] [--sync-words N,…] \
         [--single-threads T] [--model skipgram|cbow] [--epochs N] [--seeds 1,2,3] \
         [--eval-dir DIR] [--wordvec FILE] [--out DIR] [--mpirun COMMAND]",
    )?;
    let processes: Vec<usize> = list(&args, "--processes", "2")?;
    let threads: usize = flag(&args, "--threads", 1)?;
    let syncs: Vec<Option<u64>> = match args.iter().any(|a| a == "--sync-words") {
        true => list(&args, "--sync-words", "")?
            .into_iter()
            .map(Some)
            .collect(),
        false => vec![None],
    };
    let single_threads: usize = flag(&args, "--single-threads", processes[0] * threads)?;
    let model: String = flag(&args, "--model", "skipgram".to_string())?;
    let epochs: usize = flag(&args, "--epochs", 5)?;
    let seeds: Vec<u64> = list(&args, "--seeds", "1")?;
    let eval_dir: PathBuf = flag(&args, "--eval-dir", PathBuf::from("../shared/data/eval"))?;
    let mpirun: String = flag(&args, "--mpirun", MPIRUN.to_string())?;
    let wordvec = wordvec_binary(&args)?;
    let scratch = tempfile::tempdir()?;
    let out: PathBuf = flag(&args, "--out", scratch.path().to_path_buf())?;

    let mut settings = vec![Setting {
        processes: None,
        sync: None,
        threads: single_threads,
    }];
    for &p in &processes {
        for &sync in &syncs {
            settings.push(Setting {
                processes: Some(p),
                sync,
                threads,
            });
        }
    }
    let train = |setting: &Setting, seed: u64, vectors: &Path| -> Command {
        let mut command = match setting.processes {
            None => Command::new(&wordvec),
            Some(p) => {
                let mut words = mpirun.split_whitespace();
                let mut c = Command::new(words.next().expect("an mpirun command"));
                c.args(words).args(["-np", &p.to_string()]).arg(&wordvec);
                c
            }
        };
        command
            .arg("train")
            .arg("--corpus")
            .arg(&corpus)
            .arg("--output")
            .arg(vectors)
            .args(["--model", &model, "--epochs", &epochs.to_string()])
            .args(["--threads", &setting.threads.to_string()])
            .args(["--seed", &seed.to_string(), "--quiet"]);
        if setting.processes.is_some() {
            command.arg("--distributed");
        }
        if let Some(sync) = setting.sync {
            command.args(["--sync-words", &sync.to_string()]);
        }
        command
    };
    let mut rows: Vec<Run> = Vec::new();
    for &seed in &seeds {
        for (i, setting) in settings.iter().enumerate() {
            eprintln!("{}, seed {seed}…", setting.label());
            let vectors = out.join(format!("run-{i}-{seed}")).join("vectors.vec");
            let cost = measure(train(setting, seed, &vectors), Stdio::inherit())?;
            if !cost.stdout.trim().is_empty() {
                eprintln!("{}", cost.stdout.trim());
            }
            let quality = evaluate(&wordvec, &vectors, &eval_dir)?;
            rows.push(Run {
                setting: i,
                seed,
                cost,
                quality,
            });
        }
    }
    print_table(
        &settings,
        &rows,
        seeds.len(),
        words_trained(&out, seeds[0])?,
    );
    Ok(())
}

/// One run's setting (an index), seed and figures.
struct Run {
    setting: usize,
    seed: u64,
    cost: Cost,
    quality: Quality,
}

/// The words each run trained, from the single process's summary (the same for every run).
fn words_trained(out: &Path, seed: u64) -> Result<f64> {
    let config = out
        .join(format!("run-0-{seed}"))
        .join("vectors.config.json");
    let text =
        std::fs::read_to_string(&config).with_context(|| format!("read {}", config.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    json["summary"]["words_trained"]
        .as_f64()
        .context("a summary with words_trained")
}

fn print_table(settings: &[Setting], rows: &[Run], seeds: usize, words: f64) {
    println!(
        "| setting | seed | wall s | words/s | CPU s | words/CPU-s | peak MiB | analogy 3CosAdd | WS-353 ρ | SimLex ρ |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let line = |label: &str, seed: &str, [wall, cpu, peak]: [f64; 3], q: [f64; 3]| {
        println!(
            "| {label} | {seed} | {wall:.1} | {:.0} | {cpu:.1} | {:.0} | {peak:.0} | {:.2}% | {:.3} | {:.3} |",
            words / wall,
            words / cpu,
            100.0 * q[0],
            q[1],
            q[2]
        )
    };
    let quality = |q: &Quality| [q.analogy, q.wordsim, q.simlex];
    for r in rows {
        let label = settings[r.setting].label();
        let cost = [r.cost.wall_s, r.cost.cpu_s, r.cost.peak_mib];
        line(&label, &r.seed.to_string(), cost, quality(&r.quality));
    }
    let means: Vec<([f64; 3], [f64; 3])> = (0..settings.len())
        .map(|i| {
            let own: Vec<&Run> = rows.iter().filter(|r| r.setting == i).collect();
            let n = own.len() as f64;
            let mean = |f: &dyn Fn(&Run) -> f64| own.iter().map(|r| f(r)).sum::<f64>() / n;
            let q = [
                mean(&|r| r.quality.analogy),
                mean(&|r| r.quality.wordsim),
                mean(&|r| r.quality.simlex),
            ];
            let cost = [
                mean(&|r| r.cost.wall_s),
                mean(&|r| r.cost.cpu_s),
                mean(&|r| r.cost.peak_mib),
            ];
            (cost, q)
        })
        .collect();
    if seeds > 1 {
        for (setting, &(cost, q)) in settings.iter().zip(&means) {
            line(&setting.label(), &format!("mean of {seeds}"), cost, q);
        }
    }
    let ([base_wall, base_cpu, base_peak], base) = means[0];
    for (setting, &([wall, cpu, peak], q)) in settings.iter().zip(&means).skip(1) {
        println!(
            "| {} / single process | | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:+.2} pt | {:+.3} | {:+.3} |",
            setting.label(),
            wall / base_wall,
            base_wall / wall,
            cpu / base_cpu,
            base_cpu / cpu,
            peak / base_peak,
            100.0 * (q[0] - base[0]),
            q[1] - base[1],
            q[2] - base[2]
        );
    }
}
