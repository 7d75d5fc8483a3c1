//! `train`: build the vocabulary, train, write the outputs, evaluate when asked.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use wordvec::eval::{EvalReport, evaluate_analogies, evaluate_similarity};
use wordvec::io::VectorFormat;
use wordvec::synthetic;
use wordvec::text::{Corpus, Vocab};
use wordvec::train::{
    BackendKind, LossKind, LrSchedule, OptimizerKind, Progress, TrainConfig, UpdateKind,
    save_outputs, select_device, train,
};

use super::eval::EvalSets;

#[derive(Args)]
pub struct TrainArgs {
    /// Corpus files (plain UTF-8 text, whitespace-separated tokens, one sentence per line).
    /// Without it, trains on the embedded synthetic corpus and evaluates on its own questions.
    #[arg(long, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// Vectors file; the vocabulary, model record and config are written beside it.
    #[arg(long, default_value = "wordvec-output/vectors.txt")]
    output: PathBuf,
    /// Vectors format [default: binary for `.bin`, text otherwise].
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// Training objective.
    #[arg(long, value_enum, default_value_t = LossKind::Negative)]
    loss: LossKind,
    /// Update path [default: fused for negative sampling, autodiff for the softmax].
    #[arg(long, value_enum)]
    update: Option<UpdateKind>,
    /// Where the model lives.
    #[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
    backend: BackendKind,
    /// Burn optimizer on the autodiff path; the fused path does sgd (word2vec) or adagrad
    #[arg(long, value_enum, default_value_t = OptimizerKind::Sgd)]
    optimizer: OptimizerKind,
    /// Initial learning rate [default: 0.025 for sgd, 0.05 for adagrad, 0.001 otherwise].
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long, value_enum, default_value_t = LrSchedule::Linear)]
    lr_schedule: LrSchedule,
    /// Vector dimension.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Maximum distance between centre and context words (shrunk at random per word).
    #[arg(long, default_value_t = 5)]
    window: usize,
    /// Negative samples per pair.
    #[arg(long, default_value_t = 5)]
    negative: usize,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = 1e-3)]
    sample: f64,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Pairs per step on the autodiff path.
    #[arg(long, default_value_t = 1024)]
    batch_size: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU cubes (groups of 32 units) training at once on the fused path, each walking its share
    /// of a chunk in order: fewer stays closer to word2vec's sequential SGD, more is faster;
    /// 0 gives every 64 positions a cube.
    #[arg(long, default_value_t = 256)]
    gpu_cubes: u32,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
    /// Print the final evaluation as one JSON object (see `eval --json`).
    #[arg(long)]
    json: bool,
    /// Evaluate the vectors on these benchmarks when training ends.
    #[command(flatten)]
    eval: EvalSets,
}

impl TrainArgs {
    fn config(&self, corpus: Vec<PathBuf>) -> TrainConfig {
        let update = self.update.unwrap_or(match self.loss {
            LossKind::Negative => UpdateKind::Fused,
            LossKind::Softmax => UpdateKind::Autodiff,
        });
        let lr = self.lr.unwrap_or(match self.optimizer {
            OptimizerKind::Sgd => 0.025,
            OptimizerKind::Adagrad => 0.05,
            _ => 0.001,
        });
        TrainConfig {
            corpus,
            loss: self.loss,
            update,
            backend: self.backend,
            optimizer: self.optimizer,
            lr,
            lr_schedule: self.lr_schedule,
            dim: self.dim,
            window: self.window,
            negative: self.negative,
            sample: self.sample,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            epochs: self.epochs,
            batch_size: self.batch_size,
            seed: self.seed,
            threads: self
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            gpu_cubes: self.gpu_cubes,
            format: self
                .format
                .unwrap_or_else(|| VectorFormat::from_extension(&self.output)),
            output: self.output.clone(),
        }
    }
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    // The embedded default writes its corpus to a temporary folder removed at the end.
    let embedded = args.corpus.is_empty();
    let scratch = if embedded {
        Some(tempfile::tempdir()?)
    } else {
        None
    };
    let corpus_paths = if let Some(scratch) = &scratch {
        let path = scratch.path().join("synthetic.txt");
        synthetic::write_corpus(&path)?;
        if !args.quiet {
            eprintln!("no --corpus given: training on the embedded synthetic corpus");
        }
        vec![path]
    } else {
        args.corpus.clone()
    };
    let config = args.config(if embedded {
        vec![]
    } else {
        corpus_paths.clone()
    });
    config.validate()?;
    let device = select_device(config.backend)?;
    // Read benchmark files before the long part, so a typo fails at once.
    let sets = (!args.eval.is_empty())
        .then(|| args.eval.load())
        .transpose()?;

    let corpus = Corpus::open(&corpus_paths)?;
    let (vocab, stats) = Vocab::build(&corpus, config.min_count, config.max_vocab)?;
    if !args.quiet {
        eprintln!(
            "vocabulary: {} words (min_count {}) of {} distinct; {} tokens; {} on {:?}, {} thread(s)",
            vocab.len(),
            config.min_count,
            stats.distinct,
            stats.tokens,
            match config.update {
                UpdateKind::Fused => "fused sparse SGD",
                UpdateKind::Autodiff => "autodiff",
            },
            config.backend,
            config.threads
        );
    }
    let mut progress = Progress::new(vocab.total_count() * config.epochs as u64, args.quiet);
    let trained = train(&config, &corpus, Arc::new(vocab), &device, &mut progress)?;
    progress.finish();
    let embeddings = trained.embeddings();
    let (paths, summary) = save_outputs(&config, &trained, &embeddings, &stats)?;
    if !args.quiet {
        eprintln!(
            "trained {} words in {:.1}s ({:.0} words/s); vectors in {}",
            summary.words_trained,
            summary.seconds,
            summary.words_per_second,
            paths.vectors.display()
        );
    }

    let report = if embedded {
        Some(EvalReport {
            analogy: Some(evaluate_analogies(
                &embeddings,
                &synthetic::analogy_questions(),
                args.eval.restrict,
                "embedded analogies",
            )),
            similarity: vec![evaluate_similarity(
                &embeddings,
                &synthetic::similarity_pairs(),
                usize::MAX,
                "embedded similarity",
            )],
        })
    } else {
        sets.map(|s| s.evaluate(&embeddings))
    };
    match report {
        Some(report) if args.json => println!("{}", serde_json::to_string(&report)?),
        Some(report) => print!("{report}"),
        None => {}
    }
    Ok(())
}
