//! `train`: flags to a [`TrainConfig`] (every default the flags leave open comes from
//! [`TrainConfig::for_model`]), then the library's [`Run`]; `--resume` continues a stopped run from
//! its checkpoint.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::Args;
use wordvec::distributed::{Cluster, Distributed, SyncSettings};
use wordvec::train::{EvalConfig, Run, RunOptions, TrainConfig, TrainFlags};

use super::eval::EvalSets;
use super::signals::{stop_flag, stopped_exit_code};

#[derive(Args, Clone)]
pub struct TrainArgs {
    /// Corpus files (plain UTF-8 text, whitespace-separated tokens, one sentence per line).
    /// Without it, trains on the embedded synthetic corpus and evaluates on its own questions.
    #[arg(long, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// Vectors file; the vocabulary, model record, config, metrics.jsonl and checkpoints are
    /// written beside it (its folder is the run directory).
    #[arg(long, default_value_os_t = TrainConfig::default().output)]
    pub output: PathBuf,
    #[command(flatten)]
    settings: TrainFlags,
    /// Continue the stopped run in this folder from its checkpoint, with its own settings; it
    /// takes --threads, --eval-every, --checkpoint-every and the benchmarks anew.
    #[arg(long, conflicts_with_all = ["corpus", "output"])]
    resume: Option<PathBuf>,
    /// Continue training the finished skip-gram or CBOW run in this folder on --corpus (new
    /// text): its vocabulary grown by the new text's words that reach its min-count, its
    /// weights, its settings but those given (threads, epochs, rate, seed, …; not the model's:
    /// dimension, model, loss, vocabulary); the learning-rate schedule starts over; a new run is
    /// written to --output. What the earlier text taught fades as the new one trains.
    #[arg(long = "continue", requires = "corpus", conflicts_with = "resume")]
    continue_from: Option<PathBuf>,
    /// Train one model with every process `mpirun` (or `srun`) started, each on its share of
    /// the corpus, meeting every --sync-words words to merge the most frequent words' rows;
    /// process 0 writes the outputs and checkpoints (`--resume` one with `--distributed`, and
    /// as many processes or any number that divides its readers). Needs a wordvec built with
    /// `--features mpi`.
    #[arg(long, conflicts_with = "continue_from")]
    distributed: bool,
    /// Distributed runs: words each process trains between two syncs [default: 200,000 over the
    /// number of processes, 100,000 for two].
    #[arg(long, requires = "distributed")]
    sync_words: Option<u64>,
    /// Distributed runs: the most frequent words' rows the smallest sync merges (pWord2Vec's
    /// schedule: twice as many every second sync, four times every fourth, …).
    #[arg(long, requires = "distributed", default_value_t = SyncSettings::for_processes(1).rows)]
    sync_rows: usize,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Print the final evaluation as one JSON object (see `eval --json`).
    #[arg(long)]
    json: bool,
    /// Evaluate the vectors on these benchmarks (when training ends, and as --eval-every says).
    #[command(flatten)]
    eval: EvalSets,
}

impl TrainArgs {
    /// The benchmarks given (`every` is a setting's).
    fn eval(&self) -> EvalConfig {
        EvalConfig {
            analogies: self.eval.analogies.clone(),
            similarity: self.eval.similarity.clone(),
            restrict: self.eval.restrict,
            every: None,
        }
    }

    /// The benchmarks given, which replace an earlier run's.
    fn given_eval(&self) -> Option<EvalConfig> {
        Some(self.eval()).filter(|eval| !eval.is_empty())
    }
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let stop = stop_flag();
    let result = match (&args.resume, &args.continue_from) {
        (Some(dir), _) => resume(dir, &args, stop),
        (None, Some(previous)) => continue_from(previous, &args, stop),
        (None, None) => start(&args, stop),
    };
    match result {
        Err(e) if was_stopped(&e) => {
            eprintln!("{e}");
            std::process::exit(stopped_exit_code());
        }
        other => other,
    }
}

/// Whether a run ended because it was asked to stop (and saved a checkpoint).
pub(super) fn was_stopped(e: &anyhow::Error) -> bool {
    matches!(e.downcast_ref(), Some(wordvec::Error::Stopped { .. }))
}

pub(super) fn start(args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let config = args
        .settings
        .config(&args.corpus, &args.output, args.eval())?;
    finish(Run::start(config, options(args, stop)?)?, args)
}

/// The processes `mpirun` started.
#[cfg(feature = "mpi")]
fn cluster() -> anyhow::Result<Cluster> {
    Ok(Arc::new(wordvec::distributed::Mpi::initialize()?))
}

#[cfg(not(feature = "mpi"))]
fn cluster() -> anyhow::Result<Cluster> {
    anyhow::bail!(
        "--distributed: this wordvec was built without MPI; build it with `cargo build --release --features mpi` (Open MPI or MPICH and libclang installed)"
    )
}

fn resume(dir: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let settings = |stopped: &TrainConfig| args.settings.resumed(stopped, args.given_eval());
    finish(Run::resume_with(dir, settings, options(args, stop)?)?, args)
}

fn continue_from(previous: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let settings = |finished: &TrainConfig| {
        let eval = args.given_eval();
        (args.settings).continued(finished, &args.corpus, &args.output, eval)
    };
    finish(
        Run::continue_from(previous, settings, options(args, stop)?)?,
        args,
    )
}

/// The run's options; with `--distributed`, the processes `mpirun` started (MPI begins here).
fn options(args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<RunOptions> {
    let distributed = match args.distributed {
        true => {
            let cluster = cluster()?;
            let default = SyncSettings::for_processes(cluster.processes());
            Some(Distributed {
                sync: SyncSettings {
                    words: args.sync_words.unwrap_or(default.words),
                    rows: args.sync_rows,
                },
                cluster,
            })
        }
        false => None,
    };
    Ok(RunOptions {
        quiet: args.quiet,
        stop,
        write_files: true,
        observer: None,
        distributed,
    })
}

/// Trains, writes the outputs and prints the final evaluation.
fn finish(run: Run, args: &TrainArgs) -> anyhow::Result<()> {
    // A distributed run's other processes train beside process 0 and leave it the telling.
    let leads = run.leads();
    let finished = run.finish()?;
    if !leads {
        return Ok(());
    }
    if !args.quiet {
        eprintln!(
            "trained {} words in {:.1}s ({:.0} words/s); vectors in {}",
            finished.summary.words_trained,
            finished.summary.seconds,
            finished.summary.words_per_second,
            finished.paths.vectors.display()
        );
    }
    match &finished.trained.report {
        Some(report) if args.json => println!("{}", serde_json::to_string(report)?),
        Some(report) => print!("{report}"),
        None => {}
    }
    Ok(())
}
