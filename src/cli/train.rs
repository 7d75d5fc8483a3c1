//! `train`: flags to a [`TrainConfig`] (every default the flags leave open comes from
//! [`TrainConfig::for_model`]), then the library's [`Run`]; `--resume` continues a stopped run from
//! its checkpoint.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::Args;
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
    /// Continue the stopped run in this folder from its checkpoint, with its own settings.
    #[arg(long, conflicts_with_all = ["corpus", "output", "settings", "EvalSets"])]
    resume: Option<PathBuf>,
    /// Continue training the finished skip-gram or CBOW run in this folder on --corpus (new
    /// text): its settings, its vocabulary grown by the new text's words that reach its
    /// min-count, its weights; the learning-rate schedule starts over; a new run is written to
    /// --output. What the earlier text taught fades as the new one trains.
    #[arg(long = "continue", requires = "corpus", conflicts_with_all = ["resume", "settings"])]
    continue_from: Option<PathBuf>,
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
    /// The config the flags describe.
    fn config(&self) -> TrainConfig {
        let eval = EvalConfig {
            analogies: self.eval.analogies.clone(),
            similarity: self.eval.similarity.clone(),
            restrict: self.eval.restrict,
            every: None,
        };
        self.settings.config(&self.corpus, &self.output, eval)
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
    let run = Run::start(args.config(), options(args, stop))?;
    finish(run, args)
}

fn resume(dir: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    finish(Run::resume(dir, options(args, stop))?, args)
}

fn continue_from(previous: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let config = args.config();
    // The new run's benchmarks when given, else the finished run's.
    let eval = (!config.eval.is_empty()).then_some(config.eval);
    let options = options(args, stop);
    let run = Run::continue_from(previous, config.corpus, config.output, eval, options)?;
    finish(run, args)
}

fn options(args: &TrainArgs, stop: Arc<AtomicBool>) -> RunOptions {
    RunOptions {
        quiet: args.quiet,
        stop,
        write_files: true,
        observer: None,
    }
}

/// Trains, writes the outputs and prints the final evaluation.
fn finish(run: Run, args: &TrainArgs) -> anyhow::Result<()> {
    let finished = run.finish()?;
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

#[cfg(test)]
mod tests {
    use clap::Parser;
    use clap::error::ErrorKind;

    use super::*;

    /// `train`'s flags alone.
    #[derive(Parser)]
    #[command(name = "wordvec train")]
    struct Flags {
        #[command(flatten)]
        train: TrainArgs,
    }

    #[test]
    fn resume_and_continue_refuse_every_setting() {
        let command = TrainArgs::augment_args(clap::Command::new("train"));
        let group = command
            .get_groups()
            .find(|g| g.get_id() == "settings")
            .unwrap();
        let settings: Vec<_> = group.get_args().collect();
        assert!(settings.len() > 40);
        for id in settings {
            let arg = command.get_arguments().find(|a| a.get_id() == id).unwrap();
            let flag = format!("--{}", arg.get_long().unwrap());
            let value = match arg.get_possible_values().first() {
                Some(v) => v.get_name().to_string(),
                None => "1".to_string(),
            };
            let mut words = vec![flag.clone()];
            if arg.get_action().takes_values() {
                words.push(value);
            }
            for (run, extra) in [
                ("--resume", vec![]),
                ("--continue", vec!["--corpus", "c.txt"]),
            ] {
                let mut line = vec!["wordvec train", run, "runs/a"];
                line.extend(extra);
                line.extend(words.iter().map(String::as_str));
                let e = Flags::try_parse_from(&line).err();
                let kind = e.as_ref().map(|e| e.kind());
                assert_eq!(kind, Some(ErrorKind::ArgumentConflict), "{line:?}");
            }
        }
    }
}
