//! Every setting of a run as a command-line flag (clap), for the `wordvec` command and for
//! bindings that take settings by name: the flags, the config they describe (every default the
//! flags leave open from [`TrainConfig::for_model`]), and the help's defaults rendered from it.

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches, Parser};

use self::settings::{Carry, Change, SETTINGS, describe, setting_of, value_name};

mod settings;

use super::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, ModelOptions, OptimizerKind, Precision, TrainConfig, UpdateKind, Word2VecOptions,
    parse_duration,
};
use crate::error::{Error, Result};
use crate::io::VectorFormat;
use crate::kernels::Batching;
use crate::model::{Architecture, Subwords};
use crate::text::{STDIN, Tokenizer};

/// Every setting of a run as a command-line flag, and which of them were given: a new run takes
/// the library's defaults ([`TrainConfig::for_model`]) for the others, a continued or resumed run
/// the earlier run's. A flag given where it does not apply is refused ([`settings::SETTINGS`]
/// says where each applies). Parsed as clap parses any `Args`, so it flattens into a command.
#[derive(Clone)]
pub struct TrainFlags {
    values: FlagValues,
    /// The ids of the flags given, in the order of the table of settings.
    given: Vec<&'static str>,
}

/// The flags' values, given or not (the `settings` group). A default that depends on the model,
/// optimizer or backend is the library's; the help shows it as [`document_defaults`] renders it.
#[derive(Args, Clone)]
#[group(id = "settings", multiple = true)]
struct FlagValues {
    /// Vectors format [default: binary for `.bin`, text otherwise].
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// Model: skip-gram, CBOW (context words averaged to predict the centre word), or GloVe
    /// (vectors fitted to the log co-occurrence counts).
    #[arg(long, value_enum, default_value_t = ModelKind::SkipGram)]
    model: ModelKind,
    /// CBOW: average the context vectors (`false`: sum them).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    cbow_mean: bool,
    /// Training objective.
    #[arg(long, value_enum, default_value_t = Word2VecOptions::default().loss)]
    loss: LossKind,
    /// The full softmax head's matrix products: f32, bf16 or f16 (f32 weights, softmax and
    /// loss), or auto (bf16, else f16, on a GPU that computes in them; f32 on the CPU).
    #[arg(long, value_enum, default_value_t = Word2VecOptions::default().precision)]
    precision: Precision,
    /// How skip-gram's fused step groups its examples: `pair` (word2vec's: each context word
    /// draws its own negatives and steps before the next) or `window` (a centre's window shares
    /// one draw and steps at once, pWord2Vec's HogBatch) [default: window under plain SGD for
    /// skip-gram with negative sampling, and for everything on a GPU; pair otherwise].
    #[arg(long, value_enum)]
    batching: Option<Batching>,
    /// Update path: fused (each example steps the rows it touches, in place: negative sampling
    /// and hierarchical softmax under every optimizer, GloVe under adagrad) or autodiff (Burn's
    /// autodiff and optimizers: any model, any backend).
    #[arg(long, value_enum)]
    update: Option<UpdateKind>,
    /// Where the model lives.
    #[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
    backend: BackendKind,
    /// Optimizer: on the fused path each is row-sparse ("lazy": rows a step does not touch
    /// keep their state); GloVe's fused path is the reference's AdaGrad.
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Adam and AdamW: the first moment's decay (Burn's defaults, as the other rules' numbers).
    #[arg(long)]
    beta1: Option<f64>,
    /// Adam and AdamW: the second moment's decay.
    #[arg(long)]
    beta2: Option<f64>,
    /// Adam, AdamW, AdaGrad, RMSProp: added to the denominator.
    #[arg(long)]
    epsilon: Option<f64>,
    /// AdamW: decoupled weight decay; the others: an L2 penalty on the gradient.
    #[arg(long)]
    weight_decay: Option<f64>,
    /// SGD (0: word2vec's plain SGD) and RMSProp.
    #[arg(long)]
    momentum: Option<f64>,
    /// Initial learning rate: word2vec's for SGD; for the other optimizers each row-sparse
    /// rule's measured best where the model has a fused kernel on the backend (kept under
    /// `--update autodiff`), Burn's usual ones where it has none; GloVe's reference's.
    #[arg(long)]
    lr: Option<f64>,
    /// How the rate moves: linear decay to lr × 1e-4 (word2vec), or constant (GloVe's reference).
    #[arg(long, value_enum)]
    lr_schedule: Option<LrSchedule>,
    /// Vector dimension.
    #[arg(long, default_value_t = TrainConfig::default().dim)]
    dim: usize,
    /// Maximum distance between centre and context words (shrunk at random per word; GloVe
    /// counts every pair within it, weighted 1/distance).
    #[arg(long)]
    window: Option<usize>,
    /// Negative samples per pair.
    #[arg(long, default_value_t = Word2VecOptions::default().negative)]
    negative: usize,
    /// Noise words are drawn in proportion to count^X (word2vec's 0.75; 1: by frequency, 0:
    /// uniformly; negative values favour rare words, as in Caselles-Dupré et al. 2018).
    #[arg(long, default_value_t = Word2VecOptions::default().ns_exponent, allow_negative_numbers = true)]
    ns_exponent: f64,
    /// fastText's subword model: each word's input vector is the mean of its own row and the
    /// rows of its character n-grams, so rare and unseen words get vectors from their parts.
    /// Shorthand for --minn 3 --maxn 6.
    #[arg(long)]
    subwords: bool,
    /// Subword model: the shortest character n-gram.
    #[arg(long, default_value_t = Subwords::FASTTEXT.minn)]
    minn: usize,
    /// Subword model: the longest character n-gram; above 0 turns the model on (0 without
    /// --subwords, 6 with it).
    #[arg(long)]
    maxn: Option<usize>,
    /// Subword model: the hash buckets (input rows) the n-grams share.
    #[arg(long, default_value_t = Subwords::FASTTEXT.bucket)]
    bucket: usize,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = Word2VecOptions::default().sample)]
    sample: f64,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = TrainConfig::default().min_count)]
    min_count: u64,
    /// Train on this vocabulary (`word count` lines, as `wordvec vocab` writes them, most
    /// frequent first) instead of counting the corpus: its words and counts set the ids, the
    /// schedule, subsampling and noise; corpus words outside it are skipped.
    #[arg(long, conflicts_with_all = ["min_count", "max_vocab"])]
    vocab: Option<PathBuf>,
    /// Fold the corpus to lower case (Unicode's rules) before counting and training.
    #[arg(long)]
    lowercase: bool,
    /// How the corpus is cut into tokens: at whitespace (word2vec's), or each piece further at
    /// Unicode word boundaries, punctuation dropped.
    #[arg(long, value_enum, default_value_t = Tokenizer::Whitespace)]
    tokenizer: Tokenizer,
    /// Join the phrases of this table (`wordvec phrases` writes one) as the corpus is read:
    /// `new york` trains as `new_york`.
    #[arg(long)]
    phrases: Option<PathBuf>,
    /// Start the input vectors of the words this file has from it (any format `eval` reads;
    /// the other words start at random). Skip-gram and CBOW.
    #[arg(long)]
    init_vectors: Option<PathBuf>,
    /// Keep the rows taken from --init-vectors as they are (gensim's lockf 0); the other words
    /// train around them. Fused update path.
    #[arg(long, requires = "init_vectors")]
    lock_init: bool,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Passes over the corpus (GloVe: over its co-occurrence entries).
    #[arg(long)]
    epochs: Option<usize>,
    /// Pairs per step on the autodiff path.
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    batch_size: usize,
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU cubes (groups of 32 units) training at once on the fused path, each walking its share
    /// of a chunk in order: fewer stays closer to word2vec's sequential SGD, more is faster;
    /// 0 gives every 64 positions a cube.
    #[arg(long, default_value_t = TrainConfig::default().gpu_cubes)]
    gpu_cubes: u32,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step: the unit of progress, loss
    /// read-back and checkpoints.
    #[arg(long, default_value_t = TrainConfig::default().chunk_tokens)]
    chunk_tokens: usize,
    /// GloVe: counts at or above this weigh 1 in the loss, smaller ones (x / x_max)^alpha.
    #[arg(long, default_value_t = GloveOptions::default().x_max)]
    x_max: f64,
    /// GloVe: the exponent of the weighting.
    #[arg(long, default_value_t = GloveOptions::default().alpha)]
    alpha: f64,
    /// GloVe: each gradient component is clipped to ±this.
    #[arg(long, default_value_t = GloveOptions::default().grad_clip)]
    grad_clip: f64,
    /// GloVe: memory for counting co-occurrences (GB); beyond it sorted runs spill to disk.
    #[arg(long, default_value_t = GloveOptions::default().memory_gb)]
    memory_gb: f64,
    /// GloVe: folder for spilled runs [default: the system's temporary folder].
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// GloVe: the vectors written: word + context (the reference's default) or the word
    /// vectors only.
    #[arg(long, value_enum, default_value_t = GloveOptions::default().vectors)]
    glove_vectors: GloveVectors,
    /// Evaluate on --analogies/--similarity during training: `epoch`, or every N words (500k, 2M).
    /// Figures go to metrics.jsonl; the final evaluation always runs.
    #[arg(long, value_parser = str::parse::<EvalEvery>)]
    eval_every: Option<EvalEvery>,
    /// Save a checkpoint this often (90s, 15m, 2h); Ctrl-C always saves one before stopping.
    #[arg(long, value_parser = parse_duration)]
    checkpoint_every: Option<f64>,
}

impl Args for TrainFlags {
    fn augment_args(command: clap::Command) -> clap::Command {
        FlagValues::augment_args(command)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        FlagValues::augment_args_for_update(command)
    }

    fn group_id() -> Option<clap::Id> {
        FlagValues::group_id()
    }
}

impl FromArgMatches for TrainFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(TrainFlags {
            values: FlagValues::from_arg_matches(matches)?,
            given: given_in(matches),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.values.update_from_arg_matches(matches)?;
        let now = given_in(matches);
        self.given = SETTINGS
            .iter()
            .map(|s| s.id)
            .filter(|id| self.given.contains(id) || now.contains(id))
            .collect();
        Ok(())
    }
}

/// The settings `matches` has from the command line itself.
fn given_in(matches: &ArgMatches) -> Vec<&'static str> {
    SETTINGS
        .iter()
        .map(|s| s.id)
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .collect()
}

/// Most settings a continued run takes anew follow the optimizer and backend: given a new one
/// of either, these take its defaults unless they are given too.
const FOLLOW_OPTIMIZER: [&str; 7] = [
    "update",
    "lr",
    "beta1",
    "beta2",
    "epsilon",
    "weight_decay",
    "momentum",
];

impl TrainFlags {
    /// Parses `args` (flags as `wordvec train` takes them, without the program's name) into
    /// the settings alone.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, clap::Error> {
        let words = std::iter::once("wordvec train".to_string()).chain(args);
        Ok(Settings::try_parse_from(words)?.settings)
    }

    /// The config the flags describe for a new run on `corpus` writing `output`, scored on
    /// `eval` (its `every` comes from `--eval-every`): the model's settings from its flags, every
    /// default the flags leave open from the library. Paths are made absolute, so a resumed run
    /// finds them from anywhere. A flag given where it does not apply is refused.
    pub fn config(
        &self,
        corpus: &[PathBuf],
        output: &Path,
        eval: EvalConfig,
    ) -> Result<TrainConfig> {
        let config = self.values.config(corpus, output, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// The config of a run that continues `finished` (a finished run's) on `corpus`, writing
    /// `output` (in the format its extension says unless `--format` is given), scored on `eval`
    /// (the finished run's benchmarks when `None`): the settings given here replace the finished
    /// run's; a new optimizer or backend brings its own rate, parameters and update path unless
    /// those are given too. A setting the model or its vocabulary fixes is refused, named.
    pub fn continued(
        &self,
        finished: &TrainConfig,
        corpus: &[PathBuf],
        output: &Path,
        eval: Option<EvalConfig>,
    ) -> Result<TrainConfig> {
        let mut config = self.carried(finished, Change::continued, |flag| {
            format!(
                "{flag} is fixed by the finished run's model and vocabulary, which a continued run keeps: train a new run to change it"
            )
        })?;
        if config.optimizer != finished.optimizer || config.backend != finished.backend {
            let defaults = TrainConfig::for_model(
                config.model.clone(),
                Some(config.optimizer),
                config.backend,
            );
            for id in FOLLOW_OPTIMIZER.into_iter().filter(|id| !self.is_given(id)) {
                let carry = setting_of(id).change.continued();
                carry.expect("a continued run takes it")(&defaults, &mut config);
            }
        }
        config.corpus = corpus.iter().map(|p| absolute(p)).collect();
        config.output = absolute(output);
        if !self.is_given("format") {
            config.format = VectorFormat::from_extension(output);
        }
        replace_eval(&mut config, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// The config a stopped run (`stopped`, its checkpoint's) resumes with: the settings that
    /// change how it is carried out or watched (threads, evaluation, checkpoints) given here
    /// replace its own, and `eval` its benchmarks; any other is refused, named, for a resumed
    /// run goes on as it started.
    pub fn resumed(&self, stopped: &TrainConfig, eval: Option<EvalConfig>) -> Result<TrainConfig> {
        let mut config = self.carried(stopped, Change::resumed, |flag| {
            let taken: Vec<String> = SETTINGS
                .iter()
                .filter(|s| s.change.resumed().is_some())
                .map(|s| flag_of(s.id))
                .collect();
            format!(
                "{flag} cannot change on --resume, which goes on as the run started: it takes {} and the benchmarks (--continue trains a finished run on with new settings)",
                taken.join(", ")
            )
        })?;
        replace_eval(&mut config, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// `base` with the given settings that `take` allows carried over from the flags' values;
    /// the first it does not allow refused with `refusal`'s words for its flag.
    fn carried(
        &self,
        base: &TrainConfig,
        take: fn(Change) -> Option<Carry>,
        refusal: impl Fn(&str) -> String,
    ) -> Result<TrainConfig> {
        let kind = base.model.kind();
        let from =
            (self.values).config_of_kind(kind, &base.corpus, &base.output, base.eval.clone());
        let mut config = base.clone();
        for id in &self.given {
            match take(setting_of(id).change) {
                Some(carry) => carry(&from, &mut config),
                None => return Err(Error::Config(refusal(&flag_of(id)))),
            }
        }
        Ok(config)
    }

    /// Refuses the first flag given that a run of `config` would not use, saying where it
    /// applies.
    fn check_scopes(&self, config: &TrainConfig) -> Result<()> {
        for id in &self.given {
            let scope = setting_of(id).scope;
            if !scope.holds(config) {
                return Err(Error::Config(format!(
                    "{} applies to {}, and this run is {}",
                    flag_of(id),
                    scope.runs(),
                    describe(config)
                )));
            }
        }
        Ok(())
    }

    /// Whether the flag with this id was given.
    fn is_given(&self, id: &str) -> bool {
        self.given.contains(&id)
    }
}

/// `config`'s benchmarks replaced by `eval` (paths made absolute) where given; how often they
/// are scored stays a setting's.
fn replace_eval(config: &mut TrainConfig, eval: Option<EvalConfig>) {
    if let Some(eval) = eval {
        config.eval = EvalConfig {
            analogies: eval.analogies.as_deref().map(absolute),
            similarity: eval.similarity.iter().map(|p| absolute(p)).collect(),
            restrict: eval.restrict,
            every: config.eval.every,
        };
    }
}

/// `--name-part` for the id `name_part`.
fn flag_of(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

impl FlagValues {
    /// The config the values describe: the model's settings from its flags, every default the
    /// flags leave open from the library.
    fn config(&self, corpus: &[PathBuf], output: &Path, eval: EvalConfig) -> TrainConfig {
        self.config_of_kind(self.model, corpus, output, eval)
    }

    /// [`FlagValues::config`] for a model of `kind`, whatever `--model` says: what the flags
    /// give each setting of an earlier run's model.
    fn config_of_kind(
        &self,
        kind: ModelKind,
        corpus: &[PathBuf],
        output: &Path,
        eval: EvalConfig,
    ) -> TrainConfig {
        let flags = self;
        let model = match kind {
            ModelKind::Glove => ModelOptions::Glove(GloveOptions {
                x_max: flags.x_max,
                alpha: flags.alpha,
                grad_clip: flags.grad_clip,
                memory_gb: flags.memory_gb,
                temp_dir: flags.temp_dir.as_deref().map(absolute),
                vectors: flags.glove_vectors,
            }),
            kind => ModelOptions::Word2Vec(Word2VecOptions {
                architecture: match kind {
                    ModelKind::Cbow => Architecture::Cbow {
                        mean: flags.cbow_mean,
                    },
                    _ => Architecture::SkipGram,
                },
                loss: flags.loss,
                negative: flags.negative,
                ns_exponent: flags.ns_exponent,
                sample: flags.sample,
                precision: flags.precision,
                batching: flags.batching,
                subwords: flags.subwords(),
            }),
        };
        let mut config = TrainConfig::for_model(model, flags.optimizer, flags.backend);
        config.corpus = corpus.iter().map(|p| absolute(p)).collect();
        config.vocab = flags.vocab.as_deref().map(absolute);
        config.lowercase = flags.lowercase;
        config.tokenizer = flags.tokenizer;
        config.phrases = flags.phrases.as_deref().map(absolute);
        config.init_vectors = flags.init_vectors.as_deref().map(absolute);
        config.lock_init = flags.lock_init;
        config.update = flags.update.unwrap_or(config.update);
        let params = &mut config.optimizer_params;
        params.beta1 = flags.beta1.unwrap_or(params.beta1);
        params.beta2 = flags.beta2.unwrap_or(params.beta2);
        params.epsilon = flags.epsilon.unwrap_or(params.epsilon);
        params.weight_decay = flags.weight_decay.unwrap_or(params.weight_decay);
        params.momentum = flags.momentum.unwrap_or(params.momentum);
        config.lr = flags.lr.unwrap_or(config.lr);
        config.lr_schedule = flags.lr_schedule.unwrap_or(config.lr_schedule);
        config.dim = flags.dim;
        config.window = flags.window.unwrap_or(config.window);
        config.min_count = flags.min_count;
        config.max_vocab = flags.max_vocab;
        config.epochs = flags.epochs.unwrap_or(config.epochs);
        config.batch_size = flags.batch_size;
        config.seed = flags.seed;
        config.threads = flags.threads.unwrap_or(config.threads);
        config.gpu_cubes = flags.gpu_cubes;
        config.format = flags
            .format
            .unwrap_or_else(|| VectorFormat::from_extension(output));
        config.output = absolute(output);
        config.eval = EvalConfig {
            analogies: eval.analogies.as_deref().map(absolute),
            similarity: eval.similarity.iter().map(|p| absolute(p)).collect(),
            restrict: eval.restrict,
            every: flags.eval_every,
        };
        config.checkpoint_every = flags.checkpoint_every;
        config.chunk_tokens = flags.chunk_tokens;
        config
    }
}

impl FlagValues {
    /// The subword settings the flags ask for: on when the longest n-gram is above 0.
    fn subwords(&self) -> Option<Subwords> {
        let maxn = self.maxn.unwrap_or(match self.subwords {
            true => Subwords::FASTTEXT.maxn,
            false => 0,
        });
        (maxn > 0).then_some(Subwords {
            minn: self.minn,
            maxn,
            bucket: self.bucket,
        })
    }
}

/// The runs whose defaults differ from a plain skip-gram run's, as the flags that make them: the
/// help shows each flag's default for the plain run and for each of these where it differs.
const DEFAULT_CASES: [(&str, &[&str]); 9] = [
    ("cbow", &["--model", "cbow"]),
    ("glove", &["--model", "glove"]),
    ("softmax", &["--loss", "softmax"]),
    ("adam", &["--optimizer", "adam"]),
    ("adamw", &["--optimizer", "adamw"]),
    ("rmsprop", &["--optimizer", "rmsprop"]),
    ("adagrad", &["--optimizer", "adagrad"]),
    (
        "autodiff adam",
        &["--update", "autodiff", "--optimizer", "adam"],
    ),
    ("ndarray", &["--backend", "ndarray"]),
];

/// A setting of a config as its flag takes it.
type FlagValue = fn(&TrainConfig) -> String;

/// The flags whose default depends on the run, each with its value in a config.
const RUN_DEPENDENT: [(&str, FlagValue); 11] = [
    ("update", |c| value_name(c.update)),
    ("optimizer", |c| value_name(c.optimizer)),
    ("beta1", |c| c.optimizer_params.beta1.to_string()),
    ("beta2", |c| c.optimizer_params.beta2.to_string()),
    ("epsilon", |c| c.optimizer_params.epsilon.to_string()),
    ("weight_decay", |c| {
        c.optimizer_params.weight_decay.to_string()
    }),
    ("momentum", |c| c.optimizer_params.momentum.to_string()),
    ("lr", |c| c.lr.to_string()),
    ("lr_schedule", |c| value_name(c.lr_schedule)),
    ("window", |c| c.window.to_string()),
    ("epochs", |c| c.epochs.to_string()),
];

/// The settings alone, as a command line to parse.
#[derive(Parser)]
#[command(name = "wordvec train")]
struct Settings {
    #[command(flatten)]
    settings: TrainFlags,
}

/// The config of a run on the embedded corpus with these flags (after `train`).
fn config_of(args: &[&str]) -> Result<TrainConfig, clap::Error> {
    let flags = TrainFlags::parse(args.iter().map(|a| a.to_string()))?;
    let output = TrainConfig::default().output;
    Ok(flags.values.config(&[], &output, EvalConfig::default()))
}

/// Adds to the help of each flag whose default depends on the run the defaults
/// [`TrainConfig::for_model`] gives (read through the flags themselves): `[default: 5; glove:
/// 10]`, the plain run's first, then each of [`DEFAULT_CASES`] where it differs.
pub fn document_defaults(command: clap::Command) -> clap::Command {
    let plain = config_of(&[]).expect("no flags parse");
    let cases: Vec<(&str, TrainConfig)> = DEFAULT_CASES
        .iter()
        .map(|(label, flags)| (*label, config_of(flags).expect("the cases parse")))
        .collect();
    RUN_DEPENDENT
        .iter()
        .fold(command, |command, &(id, value_of)| {
            let shown = value_of(&plain);
            let mut text = format!("[default: {shown}");
            let flag = format!("--{}", id.replace('_', "-"));
            for ((label, config), (_, flags)) in cases.iter().zip(DEFAULT_CASES) {
                let value = value_of(config);
                // A case that sets the flag itself would only repeat it.
                if value != shown && !flags.contains(&flag.as_str()) {
                    text.push_str(&format!("; {label}: {value}"));
                }
            }
            text.push(']');
            command.mut_arg(id, |arg| {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                arg.help(format!("{help} {text}"))
            })
        })
}

/// `path` from the root, so a resumed run finds it from anywhere; `-` (standard input) stays.
fn absolute(path: &Path) -> PathBuf {
    if path == Path::new(STDIN) {
        return path.to_path_buf();
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {

    use super::settings::{Scope, Setting};
    use super::*;

    /// `for_model`'s config for a run from the command line: paths as `train` makes them.
    fn library(model: ModelOptions, optimizer: Option<OptimizerKind>) -> TrainConfig {
        let mut config = TrainConfig::for_model(model, optimizer, BackendKind::Cpu);
        config.output = absolute(&config.output);
        config
    }

    #[test]
    fn flags_left_out_take_the_librarys_defaults() {
        let kind = |kind| ModelOptions::of_kind(kind);
        let softmax = ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Softmax,
            ..Word2VecOptions::default()
        });
        let adam = Some(OptimizerKind::Adam);
        let cases = [
            (vec![], library(ModelOptions::default(), None)),
            (
                vec!["--model", "cbow"],
                library(kind(ModelKind::Cbow), None),
            ),
            (
                vec!["--model", "glove"],
                library(kind(ModelKind::Glove), None),
            ),
            (vec!["--loss", "softmax"], library(softmax, None)),
            (
                vec!["--optimizer", "adam"],
                library(ModelOptions::default(), adam),
            ),
        ];
        for (flags, expected) in cases {
            assert_eq!(config_of(&flags).unwrap(), expected, "{flags:?}");
        }
    }

    #[test]
    fn every_default_the_help_shows_is_the_one_a_run_takes() {
        let command = document_defaults(TrainFlags::augment_args(clap::Command::new("train")));
        let mut checked = 0;
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let flag = format!("--{}", arg.get_long().unwrap_or(id));
            // clap's own defaults (`default_value_t`, the library's values)…
            for value in arg.get_default_values() {
                let value = value.to_str().unwrap();
                let given = config_of(&[&flag, value]).unwrap();
                assert_eq!(given, config_of(&[]).unwrap(), "{flag} {value}");
                checked += 1;
            }
            // …and those the help text renders for each kind of run; a few flags describe a
            // rule instead (`--format` follows the file's extension, `--threads` the machine).
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let Some(shown) = help.split("[default: ").nth(1) else {
                continue;
            };
            if ["format", "batching", "threads", "temp_dir"].contains(&id) {
                continue;
            }
            assert!(
                RUN_DEPENDENT.iter().any(|(flag, _)| *flag == id),
                "--{id}: a default written by hand in its help"
            );
            let shown = shown.trim_end_matches(']');
            for (n, item) in shown.split("; ").enumerate() {
                let (flags, value): (&[&str], &str) = match item.split_once(": ") {
                    Some((label, value)) => {
                        let case = DEFAULT_CASES.iter().find(|(l, _)| *l == label);
                        (case.expect("a known case").1, value)
                    }
                    None if n == 0 => (&[], item),
                    None => panic!("{flag}: unlabelled default '{item}'"),
                };
                // A case that sets the flag itself shows what it sets.
                if flags.contains(&flag.as_str()) {
                    continue;
                }
                let mut given = flags.to_vec();
                given.extend([flag.as_str(), value]);
                assert_eq!(
                    config_of(&given).unwrap(),
                    config_of(flags).unwrap(),
                    "{flag}: the help says {value} for {flags:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} defaults checked");
    }

    /// Flags for a run where `scope` holds, and for one where it does not (`None`: every run).
    fn runs_of(scope: Scope) -> (&'static [&'static str], Option<&'static [&'static str]>) {
        match scope {
            Scope::Any => (&[], None),
            Scope::Word2Vec => (&[], Some(&["--model", "glove"])),
            Scope::Cbow => (&["--model", "cbow"], Some(&[])),
            Scope::NegativeSampling => (&[], Some(&["--loss", "hierarchical"])),
            Scope::Softmax => (&["--loss", "softmax"], Some(&[])),
            Scope::Subwords => (&["--subwords"], Some(&[])),
            Scope::Glove => (&["--model", "glove"], Some(&[])),
            Scope::Word2VecFused => (&[], Some(&["--update", "autodiff"])),
            Scope::Autodiff => (&["--update", "autodiff"], Some(&[])),
            Scope::GpuFused => (&["--backend", "wgpu"], Some(&[])),
            Scope::Moments | Scope::Epsilon => (&["--optimizer", "adam"], Some(&[])),
            Scope::Momentum => (&[], Some(&["--optimizer", "adam"])),
            Scope::WeightDecay => (&[], Some(&["--model", "glove"])),
        }
    }

    /// The flags' words for `setting` with a value that changes the config of a run of `base`
    /// (a switch alone; `--lock-init` with the file it locks).
    fn words_for(setting: &Setting, base: &[&str]) -> Vec<String> {
        let command = TrainFlags::augment_args(clap::Command::new("train"));
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == setting.id)
            .unwrap();
        let flag = flag_of(setting.id);
        if !arg.get_action().takes_values() {
            return match setting.id {
                "lock_init" => vec!["--init-vectors".into(), "v.txt".into(), flag],
                _ => vec![flag],
            };
        }
        let plain = config_of(base).unwrap();
        let names = arg.get_possible_values();
        let names = names.iter().map(|v| v.get_name());
        let candidates = names.chain(["3", "2", "0.5", "7s", "epoch", "x.txt"]);
        for value in candidates {
            let mut line = base.to_vec();
            line.extend([flag.as_str(), value]);
            if config_of(&line).is_ok_and(|config| config != plain) {
                return vec![flag, value.to_string()];
            }
        }
        panic!("no value of {flag} changes a run of {base:?}");
    }

    /// The flags of `base` and then `words`.
    fn line(base: &[&str], words: &[String]) -> Vec<String> {
        let mut line: Vec<String> = base.iter().map(|w| w.to_string()).collect();
        line.extend(words.iter().cloned());
        line
    }

    fn flags(words: &[String]) -> TrainFlags {
        TrainFlags::parse(words.iter().cloned()).unwrap()
    }

    /// The config a new run of these flags gets, or its refusal.
    fn new_run(words: &[String]) -> Result<TrainConfig> {
        let output = TrainConfig::default().output;
        flags(words).config(&[], &output, EvalConfig::default())
    }

    #[test]
    fn every_flag_has_a_row_in_the_table_and_every_row_a_flag() {
        let command = TrainFlags::augment_args(clap::Command::new("train"));
        let flags: Vec<&str> = command
            .get_arguments()
            .map(|a| a.get_id().as_str())
            .collect();
        let rows: Vec<&str> = SETTINGS.iter().map(|s| s.id).collect();
        assert_eq!(flags, rows);
    }

    #[test]
    fn a_flag_given_where_it_does_not_apply_is_refused_and_where_it_does_is_taken() {
        let mut refused = 0;
        for setting in &SETTINGS {
            let (inside, outside) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let flag = flag_of(setting.id);
            let taken = new_run(&line(inside, &words));
            assert!(taken.is_ok(), "{flag} in {inside:?}: {:?}", taken.err());
            let Some(outside) = outside else {
                continue;
            };
            let Err(e) = new_run(&line(outside, &words)) else {
                panic!("{flag} taken in a run of {outside:?}");
            };
            let message = e.to_string();
            assert!(
                message.contains(&format!("{flag} applies to {}", setting.scope.runs())),
                "{message}"
            );
            refused += 1;
        }
        assert!(refused > 25, "{refused} flags checked outside their runs");
    }

    #[test]
    fn a_continued_run_takes_the_runs_settings_and_refuses_the_models() {
        let output = TrainConfig::default().output;
        let (mut taken, mut refused) = (0, 0);
        for setting in &SETTINGS {
            let (inside, _) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let finished = config_of(inside).unwrap();
            let continued = flags(&words).continued(&finished, &[], &output, None);
            let flag = flag_of(setting.id);
            match setting.change.continued() {
                // The finished run's settings, but the one given: as a new run with it.
                Some(_) => {
                    let line = line(inside, &words);
                    assert_eq!(continued.unwrap(), new_run(&line).unwrap(), "{flag}");
                    taken += 1;
                }
                None => {
                    let message = continued.unwrap_err().to_string();
                    assert!(
                        message.contains("fixed by the finished run's model"),
                        "{message}"
                    );
                    assert!(message.contains(words[0].as_str()), "{flag}: {message}");
                    refused += 1;
                }
            }
        }
        assert!(
            taken > 25 && refused > 10,
            "{taken} taken, {refused} refused"
        );
    }

    #[test]
    fn a_new_optimizer_brings_its_defaults_to_a_continued_cbow_run_unless_given() {
        let output = TrainConfig::default().output;
        let finished = config_of(&["--model", "cbow", "--lr", "0.3"]).unwrap();
        let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let adam = flags(&words(&["--optimizer", "adam", "--threads", "1"]));
        let config = adam.continued(&finished, &[], &output, None).unwrap();
        let expected = config_of(&["--model", "cbow", "--optimizer", "adam", "--threads", "1"]);
        assert_eq!(config, expected.unwrap());
        let sgd = flags(&words(&["--epochs", "2"]));
        let config = sgd.continued(&finished, &[], &output, None).unwrap();
        assert_eq!(
            (config.lr, config.epochs),
            (0.3, 2),
            "the finished run's rate kept"
        );
    }

    #[test]
    fn a_resumed_run_takes_only_what_leaves_its_course_as_it_was() {
        let mut taken = 0;
        for setting in &SETTINGS {
            let (inside, _) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let stopped = config_of(inside).unwrap();
            let resumed = flags(&words).resumed(&stopped, None);
            match setting.change.resumed() {
                Some(_) => {
                    let line = line(inside, &words);
                    assert_eq!(resumed.unwrap(), new_run(&line).unwrap(), "{}", words[0]);
                    taken += 1;
                }
                None => {
                    let message = resumed.unwrap_err().to_string();
                    assert!(message.contains(&format!("{} cannot change on --resume", words[0])));
                }
            }
        }
        assert_eq!(taken, 3);
    }
}
