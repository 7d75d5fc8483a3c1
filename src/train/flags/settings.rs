//! One row per setting of `wordvec train`: where it means something (a flag given where it does
//! not is refused, never ignored), and whether a continued (`--continue`) or resumed (`--resume`)
//! run may change it, with how the new value is carried into the earlier run's config.

use clap::ValueEnum;

use crate::train::{
    BackendKind, GloveOptions, LossKind, ModelKind, ModelOptions, OptimizerKind, TrainConfig,
    UpdateKind, Word2VecOptions,
};

/// Where a setting means something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    Any,
    /// Skip-gram and CBOW.
    Word2Vec,
    Cbow,
    NegativeSampling,
    Softmax,
    Subwords,
    Glove,
    /// Skip-gram's and CBOW's fused kernels.
    Word2VecFused,
    Autodiff,
    /// A fused kernel on a GPU.
    GpuFused,
    /// Adam's and AdamW's moment decays.
    Moments,
    /// Every optimizer with a denominator (all but SGD).
    Epsilon,
    Momentum,
    /// Every optimizer but GloVe's fused one, which is the reference's plain AdaGrad.
    WeightDecay,
}

impl Scope {
    /// Whether a run of `config` uses the setting.
    pub fn holds(self, config: &TrainConfig) -> bool {
        let loss = config.word2vec().map(|w| w.loss);
        let fused = config.update == UpdateKind::Fused;
        // GloVe's fused AdaGrad is the reference's, with no parameters of its own.
        let has_parameters = !(config.glove().is_some() && fused);
        let optimizer = config.optimizer;
        match self {
            Scope::Any => true,
            Scope::Word2Vec => config.word2vec().is_some(),
            Scope::Cbow => config.model.kind() == ModelKind::Cbow,
            Scope::NegativeSampling => loss == Some(LossKind::Negative),
            Scope::Softmax => loss == Some(LossKind::Softmax),
            Scope::Subwords => config.subwords().is_some(),
            Scope::Glove => config.glove().is_some(),
            Scope::Word2VecFused => config.word2vec().is_some() && fused,
            Scope::Autodiff => !fused,
            Scope::GpuFused => {
                fused && matches!(config.backend, BackendKind::Wgpu | BackendKind::Cuda)
            }
            Scope::Moments => {
                has_parameters
                    && matches!(
                        optimizer,
                        OptimizerKind::Adam | OptimizerKind::Adamw | OptimizerKind::RowwiseAdam
                    )
            }
            Scope::Epsilon => has_parameters && optimizer != OptimizerKind::Sgd,
            Scope::Momentum => {
                has_parameters && matches!(optimizer, OptimizerKind::Sgd | OptimizerKind::Rmsprop)
            }
            Scope::WeightDecay => has_parameters,
        }
    }

    /// The runs it holds for, as a reader would name them.
    pub fn runs(self) -> &'static str {
        match self {
            Scope::Any => "every run",
            Scope::Word2Vec => "skip-gram and CBOW",
            Scope::Cbow => "CBOW (--model cbow)",
            Scope::NegativeSampling => "negative sampling (--loss negative)",
            Scope::Softmax => "the full softmax (--loss softmax)",
            Scope::Subwords => "the subword model (--subwords, or --maxn above 0)",
            Scope::Glove => "GloVe (--model glove)",
            Scope::Word2VecFused => "skip-gram's and CBOW's fused update",
            Scope::Autodiff => "the autodiff update (--update autodiff)",
            Scope::GpuFused => "the fused update on a GPU (--backend wgpu or cuda)",
            Scope::Moments => "Adam, AdamW and row-wise Adam",
            Scope::Epsilon => {
                "AdaGrad, Adam, AdamW, RMSProp and the row-wise rules (not GloVe's fused AdaGrad)"
            }
            Scope::Momentum => "SGD and RMSProp (not GloVe's fused AdaGrad)",
            Scope::WeightDecay => "every optimizer but GloVe's fused AdaGrad (the reference's)",
        }
    }
}

/// Copies one setting from the config that holds its new value into the one that goes on.
pub(super) type Carry = fn(&TrainConfig, &mut TrainConfig);

/// What a run that goes on from an earlier one may do with a setting.
#[derive(Clone, Copy)]
pub(super) enum Change {
    /// Fixed by the model or its vocabulary: kept by continued and resumed runs alike.
    Model,
    /// The run's own: a continued run takes a new value; a resumed one goes on as it started.
    Run(Carry),
    /// Changes how the run is carried out or watched, not what it computes (one thread aside,
    /// which alone is bit for bit): resumed runs take it too.
    Anytime(Carry),
}

impl Change {
    /// How a continued run takes the setting, if it may.
    pub fn continued(self) -> Option<Carry> {
        match self {
            Change::Model => None,
            Change::Run(carry) | Change::Anytime(carry) => Some(carry),
        }
    }

    /// How a resumed run takes the setting, if it may.
    pub fn resumed(self) -> Option<Carry> {
        match self {
            Change::Anytime(carry) => Some(carry),
            _ => None,
        }
    }
}

/// A setting: its flag's id (the field's name), where it applies, how it may change.
pub(super) struct Setting {
    pub id: &'static str,
    pub scope: Scope,
    pub change: Change,
}

const fn setting(id: &'static str, scope: Scope, change: Change) -> Setting {
    Setting { id, scope, change }
}

/// Carries a skip-gram or CBOW setting (both configs are word2vec's where it is carried).
fn word2vec(
    from: &TrainConfig,
    to: &mut TrainConfig,
    set: fn(&Word2VecOptions, &mut Word2VecOptions),
) {
    if let (ModelOptions::Word2Vec(from), ModelOptions::Word2Vec(to)) = (&from.model, &mut to.model)
    {
        set(from, to);
    }
}

/// Carries a GloVe setting.
fn glove(from: &TrainConfig, to: &mut TrainConfig, set: fn(&GloveOptions, &mut GloveOptions)) {
    if let (ModelOptions::Glove(from), ModelOptions::Glove(to)) = (&from.model, &mut to.model) {
        set(from, to);
    }
}

use Change::{Anytime, Model, Run};

/// Every setting of [`super::TrainFlags`] (a test checks that none is missing).
pub(super) const SETTINGS: [Setting; 47] = [
    setting("format", Scope::Any, Run(|f, t| t.format = f.format)),
    setting("model", Scope::Any, Model),
    setting("cbow_mean", Scope::Cbow, Model),
    setting("loss", Scope::Word2Vec, Model),
    setting(
        "precision",
        Scope::Softmax,
        Run(|f, t| word2vec(f, t, |f, t| t.precision = f.precision)),
    ),
    setting(
        "batching",
        Scope::Word2VecFused,
        Run(|f, t| word2vec(f, t, |f, t| t.batching = f.batching)),
    ),
    setting("update", Scope::Any, Run(|f, t| t.update = f.update)),
    setting("backend", Scope::Any, Run(|f, t| t.backend = f.backend)),
    setting(
        "optimizer",
        Scope::Any,
        Run(|f, t| t.optimizer = f.optimizer),
    ),
    setting(
        "beta1",
        Scope::Moments,
        Run(|f, t| t.optimizer_params.beta1 = f.optimizer_params.beta1),
    ),
    setting(
        "beta2",
        Scope::Moments,
        Run(|f, t| t.optimizer_params.beta2 = f.optimizer_params.beta2),
    ),
    setting(
        "epsilon",
        Scope::Epsilon,
        Run(|f, t| t.optimizer_params.epsilon = f.optimizer_params.epsilon),
    ),
    setting(
        "weight_decay",
        Scope::WeightDecay,
        Run(|f, t| t.optimizer_params.weight_decay = f.optimizer_params.weight_decay),
    ),
    setting(
        "momentum",
        Scope::Momentum,
        Run(|f, t| t.optimizer_params.momentum = f.optimizer_params.momentum),
    ),
    setting("lr", Scope::Any, Run(|f, t| t.lr = f.lr)),
    setting(
        "lr_schedule",
        Scope::Any,
        Run(|f, t| t.lr_schedule = f.lr_schedule),
    ),
    setting("dim", Scope::Any, Model),
    setting("window", Scope::Any, Run(|f, t| t.window = f.window)),
    setting(
        "negative",
        Scope::NegativeSampling,
        Run(|f, t| word2vec(f, t, |f, t| t.negative = f.negative)),
    ),
    setting(
        "ns_exponent",
        Scope::NegativeSampling,
        Run(|f, t| word2vec(f, t, |f, t| t.ns_exponent = f.ns_exponent)),
    ),
    setting("subwords", Scope::Word2Vec, Model),
    setting("minn", Scope::Subwords, Model),
    setting("maxn", Scope::Word2Vec, Model),
    setting("bucket", Scope::Subwords, Model),
    setting(
        "sample",
        Scope::Word2Vec,
        Run(|f, t| word2vec(f, t, |f, t| t.sample = f.sample)),
    ),
    setting("min_count", Scope::Any, Model),
    setting("vocab", Scope::Any, Model),
    setting("lowercase", Scope::Any, Model),
    setting("tokenizer", Scope::Any, Model),
    setting("phrases", Scope::Any, Model),
    setting("init_vectors", Scope::Word2Vec, Model),
    setting("lock_init", Scope::Word2VecFused, Model),
    setting("max_vocab", Scope::Any, Model),
    setting("epochs", Scope::Any, Run(|f, t| t.epochs = f.epochs)),
    setting(
        "batch_size",
        Scope::Autodiff,
        Run(|f, t| t.batch_size = f.batch_size),
    ),
    setting("seed", Scope::Any, Run(|f, t| t.seed = f.seed)),
    setting("threads", Scope::Any, Anytime(|f, t| t.threads = f.threads)),
    setting(
        "gpu_cubes",
        Scope::GpuFused,
        Run(|f, t| t.gpu_cubes = f.gpu_cubes),
    ),
    setting(
        "chunk_tokens",
        Scope::Any,
        Run(|f, t| t.chunk_tokens = f.chunk_tokens),
    ),
    setting(
        "x_max",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.x_max = f.x_max)),
    ),
    setting(
        "alpha",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.alpha = f.alpha)),
    ),
    setting(
        "grad_clip",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.grad_clip = f.grad_clip)),
    ),
    setting(
        "memory_gb",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.memory_gb = f.memory_gb)),
    ),
    setting(
        "temp_dir",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.temp_dir = f.temp_dir.clone())),
    ),
    setting(
        "glove_vectors",
        Scope::Glove,
        Run(|f, t| glove(f, t, |f, t| t.vectors = f.vectors)),
    ),
    setting(
        "eval_every",
        Scope::Any,
        Anytime(|f, t| t.eval.every = f.eval.every),
    ),
    setting(
        "checkpoint_every",
        Scope::Any,
        Anytime(|f, t| t.checkpoint_every = f.checkpoint_every),
    ),
];

/// The setting whose flag has this id.
pub(super) fn setting_of(id: &str) -> &'static Setting {
    SETTINGS
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("--{id} has no row in the table of settings"))
}

/// A run as a reader would name it: `skip-gram with negative sampling, fused update, sgd on
/// cpu`.
pub(super) fn describe(config: &TrainConfig) -> String {
    let model = match config.model.kind() {
        ModelKind::SkipGram => "skip-gram",
        ModelKind::Cbow => "CBOW",
        ModelKind::Glove => "GloVe",
    };
    let loss = match config.word2vec().map(|w| w.loss) {
        Some(LossKind::Negative) => " with negative sampling",
        Some(LossKind::Hierarchical) => " with hierarchical softmax",
        Some(LossKind::Softmax) => " with the full softmax",
        None => "",
    };
    let update = match config.update {
        UpdateKind::Fused => "fused",
        UpdateKind::Autodiff => "autodiff",
    };
    format!(
        "{model}{loss}, {update} update, {} on {}",
        value_name(config.optimizer),
        value_name(config.backend)
    )
}

/// A value as its flag spells it.
pub(super) fn value_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .expect("no value is hidden")
        .get_name()
        .to_string()
}
