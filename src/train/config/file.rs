//! A config as files hold it: one flat object, as every version has written it, and its
//! conversions to and from [`TrainConfig`].

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    BackendKind, EvalConfig, GloveOptions, LossKind, LrSchedule, ModelKind, ModelOptions,
    OptimizerKind, OptimizerParams, Precision, TrainConfig, UpdateKind, Word2VecOptions,
};
use crate::io::VectorFormat;
use crate::kernels::Batching;
use crate::model::{Architecture, Subwords};
use crate::text::Tokenizer;

/// A config as files hold it: one flat object, as every version has written it. The model's own
/// settings sit beside the others — word2vec's (`cbow_mean`, `loss`, `negative`, `sample`) for
/// skip-gram and CBOW, `glove` for GloVe — and files from before the tagged config, which hold
/// both, load too.
#[derive(Serialize, Deserialize)]
pub(super) struct ConfigFile {
    corpus: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vocab: Option<PathBuf>,
    #[serde(default)]
    lowercase: bool,
    #[serde(default)]
    tokenizer: Tokenizer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phrases: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    init_vectors: Option<PathBuf>,
    #[serde(default)]
    lock_init: bool,
    #[serde(default)]
    model: ModelKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cbow_mean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    loss: Option<LossKind>,
    update: UpdateKind,
    backend: BackendKind,
    optimizer: OptimizerKind,
    /// Absent from files written before the flags existed: Burn's defaults, as they trained.
    #[serde(default)]
    optimizer_params: Option<OptimizerParams>,
    lr: f64,
    lr_schedule: LrSchedule,
    dim: usize,
    window: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    negative: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ns_exponent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sample: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    precision: Option<Precision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    batching: Option<Batching>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subwords: Option<Subwords>,
    min_count: u64,
    max_vocab: Option<usize>,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    threads: usize,
    #[serde(default)]
    gpu_cubes: u32,
    output: PathBuf,
    format: VectorFormat,
    #[serde(default)]
    eval: EvalConfig,
    #[serde(default)]
    checkpoint_every: Option<f64>,
    #[serde(default = "default_chunk_tokens")]
    chunk_tokens: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    glove: Option<GloveOptions>,
}

fn default_chunk_tokens() -> usize {
    crate::sampling::CHUNK_TOKENS
}

impl From<ConfigFile> for TrainConfig {
    fn from(file: ConfigFile) -> Self {
        let defaults = Word2VecOptions::default();
        let word2vec = |architecture| {
            ModelOptions::Word2Vec(Word2VecOptions {
                architecture,
                loss: file.loss.unwrap_or(defaults.loss),
                negative: file.negative.unwrap_or(defaults.negative),
                ns_exponent: file.ns_exponent.unwrap_or(defaults.ns_exponent),
                sample: file.sample.unwrap_or(defaults.sample),
                precision: file.precision.unwrap_or(defaults.precision),
                // Fused runs from before batching existed trained per pair.
                batching: match file.update {
                    UpdateKind::Fused => Some(file.batching.unwrap_or(Batching::Pair)),
                    UpdateKind::Autodiff => file.batching,
                },
                subwords: file.subwords,
            })
        };
        let model = match file.model {
            ModelKind::SkipGram => word2vec(Architecture::SkipGram),
            ModelKind::Cbow => word2vec(Architecture::Cbow {
                mean: file.cbow_mean.unwrap_or(true),
            }),
            ModelKind::Glove => ModelOptions::Glove(file.glove.clone().unwrap_or_default()),
        };
        TrainConfig {
            corpus: file.corpus,
            vocab: file.vocab,
            lowercase: file.lowercase,
            tokenizer: file.tokenizer,
            phrases: file.phrases,
            init_vectors: file.init_vectors,
            lock_init: file.lock_init,
            model,
            update: file.update,
            backend: file.backend,
            optimizer: file.optimizer,
            optimizer_params: file
                .optimizer_params
                .unwrap_or_else(|| OptimizerParams::burn_defaults(file.optimizer)),
            lr: file.lr,
            lr_schedule: file.lr_schedule,
            dim: file.dim,
            window: file.window,
            min_count: file.min_count,
            max_vocab: file.max_vocab,
            epochs: file.epochs,
            batch_size: file.batch_size,
            seed: file.seed,
            threads: file.threads,
            gpu_cubes: file.gpu_cubes,
            output: file.output,
            format: file.format,
            eval: file.eval,
            checkpoint_every: file.checkpoint_every,
            chunk_tokens: file.chunk_tokens,
        }
    }
}

impl From<TrainConfig> for ConfigFile {
    fn from(config: TrainConfig) -> Self {
        let kind = config.model.kind();
        let (word2vec, glove) = match config.model {
            ModelOptions::Word2Vec(w) => (Some(w), None),
            ModelOptions::Glove(g) => (None, Some(g)),
        };
        ConfigFile {
            corpus: config.corpus,
            vocab: config.vocab,
            lowercase: config.lowercase,
            tokenizer: config.tokenizer,
            phrases: config.phrases,
            init_vectors: config.init_vectors,
            lock_init: config.lock_init,
            model: kind,
            cbow_mean: word2vec.and_then(|w| match w.architecture {
                Architecture::Cbow { mean } => Some(mean),
                Architecture::SkipGram => None,
            }),
            loss: word2vec.map(|w| w.loss),
            update: config.update,
            backend: config.backend,
            optimizer: config.optimizer,
            optimizer_params: Some(config.optimizer_params),
            lr: config.lr,
            lr_schedule: config.lr_schedule,
            dim: config.dim,
            window: config.window,
            negative: word2vec.map(|w| w.negative),
            ns_exponent: word2vec.map(|w| w.ns_exponent),
            sample: word2vec.map(|w| w.sample),
            precision: word2vec.map(|w| w.precision),
            // As the fused step resolves it, so a resumed or continued run batches as it did.
            batching: word2vec
                .filter(|_| config.update == UpdateKind::Fused)
                .map(|w| {
                    let optimizer = config.optimizer_params.fused(config.optimizer);
                    w.batching_on(config.backend, &optimizer)
                }),
            subwords: word2vec.and_then(|w| w.subwords),
            min_count: config.min_count,
            max_vocab: config.max_vocab,
            epochs: config.epochs,
            batch_size: config.batch_size,
            seed: config.seed,
            threads: config.threads,
            gpu_cubes: config.gpu_cubes,
            output: config.output,
            format: config.format,
            eval: config.eval,
            checkpoint_every: config.checkpoint_every,
            chunk_tokens: config.chunk_tokens,
            glove,
        }
    }
}

/// A config is saved and read in its file form.
impl Serialize for TrainConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ConfigFile::from(self.clone()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TrainConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ConfigFile::deserialize(deserializer).map(TrainConfig::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::GloveVectors;
    use crate::kernels::FusedOptimizer;

    /// A config written before the settings were tagged by model: flat, with word2vec's fields
    /// and GloVe's both present whatever the model.
    fn flat_file(model: &str) -> String {
        format!(
            r#"{{"corpus":["/data/c.txt"],"model":"{model}","cbow_mean":false,"loss":"negative",
            "update":"fused","backend":"cpu","optimizer":"sgd","lr":0.05,"lr_schedule":"linear",
            "dim":50,"window":5,"negative":7,"sample":0.0001,"min_count":5,"max_vocab":null,
            "epochs":5,"batch_size":1024,"seed":3,"threads":2,"gpu_cubes":256,
            "output":"/runs/a/vectors.txt","format":"text","eval":{{"analogies":null,
            "similarity":[],"restrict":30000,"every":null}},"checkpoint_every":null,
            "chunk_tokens":100000,"glove":{{"x_max":50.0,"alpha":0.75,"grad_clip":100.0,
            "memory_gb":4.0,"temp_dir":null,"vectors":"word"}}}}"#
        )
    }

    #[test]
    fn configs_saved_before_the_tagged_settings_still_load() {
        let cbow: TrainConfig = serde_json::from_str(&flat_file("cbow")).unwrap();
        let w = cbow.word2vec().unwrap();
        assert_eq!(w.architecture, Architecture::Cbow { mean: false });
        assert_eq!((w.negative, w.sample, cbow.seed), (7, 1e-4, 3));
        // Fused runs from before `--batching` stepped per pair, and resume so.
        assert_eq!(w.batching, Some(Batching::Pair));
        let skipgram: TrainConfig = serde_json::from_str(&flat_file("skipgram")).unwrap();
        let w = skipgram.word2vec().unwrap();
        assert_eq!(w.architecture, Architecture::SkipGram);
        assert_eq!(w.batching, Some(Batching::Pair));
        let glove: TrainConfig = serde_json::from_str(&flat_file("glove")).unwrap();
        let g = glove.glove().unwrap();
        assert_eq!((g.x_max, g.vectors), (50.0, GloveVectors::Word));
        assert!(glove.word2vec().is_none());
    }

    #[test]
    fn configs_round_trip_through_their_file_form() {
        for kind in [ModelKind::SkipGram, ModelKind::Cbow, ModelKind::Glove] {
            let mut config =
                TrainConfig::for_model(ModelOptions::of_kind(kind), None, BackendKind::Cpu);
            let json = serde_json::to_string(&config).unwrap();
            // The file holds the batching the run resolved, not "the default".
            if let ModelOptions::Word2Vec(w) = &mut config.model {
                w.batching = Some(w.batching_on(BackendKind::Cpu, &FusedOptimizer::Sgd));
            }
            assert_eq!(serde_json::from_str::<TrainConfig>(&json).unwrap(), config);
            // Each file holds its own model's settings only.
            assert_eq!(
                json.contains("\"glove\""),
                kind == ModelKind::Glove,
                "{json}"
            );
            assert_eq!(
                json.contains("\"negative\""),
                kind != ModelKind::Glove,
                "{json}"
            );
        }
    }
}
