//! Continued training (`--continue`): a finished word2vec run's vocabulary and weights, grown by
//! the words of new text that reach the run's min-count, as the start of a new run on that text.
//! The learning-rate schedule starts over; what the earlier text taught fades as the new text
//! trains, as gensim warns of its `build_vocab(update=True)`.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;

use super::TrainConfig;
use super::outputs::fasttext_path;
use super::start::Word2VecStart;
use crate::error::{Error, Result};
use crate::io::read_fasttext;
use crate::model::Word2VecConfig;
use crate::text::Vocab;

/// What a finished run left: its settings, vocabulary and weights (the subword model's input
/// with its buckets' rows after the words').
pub(crate) struct FinishedRun {
    pub config: TrainConfig,
    vocab: Vocab,
    input: Vec<f32>,
    output: Vec<f32>,
}

/// The one `NAME.config.json` in `dir`, whose siblings are the run's other outputs.
fn config_file(dir: &Path) -> Result<PathBuf> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    let mut found: Vec<PathBuf> = paths
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".config.json"))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::invalid(
            dir,
            "no finished run here (no NAME.config.json): --continue takes the folder of a finished run's vectors",
        )),
        n => Err(Error::invalid(
            dir,
            format!("{n} runs' configs here: keep one run a folder to continue it"),
        )),
    }
}

impl FinishedRun {
    /// Reads the run whose outputs are in `dir` (its weights through its own backend).
    pub fn load(dir: &Path) -> Result<Self> {
        let config_path = config_file(dir)?;
        let text = std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
        let saved: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(&config_path, format!("not a run's config: {e}")))?;
        let config: TrainConfig = serde_json::from_value(saved["config"].clone())
            .map_err(|e| Error::invalid(&config_path, format!("not a run's config: {e}")))?;
        let Some(options) = config.word2vec() else {
            return Err(Error::invalid(
                &config_path,
                "--continue continues skip-gram and CBOW runs, not GloVe",
            ));
        };
        if options.loss == super::LossKind::Hierarchical {
            return Err(Error::invalid(
                &config_path,
                "--continue continues negative-sampling and softmax runs: hierarchical softmax's tree would change with the new counts, and its node vectors with it",
            ));
        }
        let stem = config_path.to_string_lossy();
        let stem = stem.trim_end_matches(".config.json");
        let vocab = Vocab::load(Path::new(&format!("{stem}.vocab.txt")))?;
        if config.subwords().is_some() {
            // The subword model's weights are in its fastText model, beside the vectors.
            let vectors = config.output.file_name().map(|name| dir.join(name));
            let path = fasttext_path(&vectors.unwrap_or_else(|| PathBuf::from(stem)));
            let model = read_fasttext(&path)?;
            if model.words.len() != vocab.len() || model.args.dim != config.dim {
                return Err(Error::invalid(
                    &path,
                    "its words or dimension are not those of the run's vocabulary and config",
                ));
            }
            return Ok(FinishedRun {
                input: model.input.into_owned(),
                output: model.output.into_owned(),
                config,
                vocab,
            });
        }
        let device = super::select_device(config.backend)?;
        let model_path = PathBuf::from(format!("{stem}.model.bpk"));
        let bytes = std::fs::read(&model_path).map_err(|e| Error::io(&model_path, e))?;
        let bad = |e: burn::store::RecordError| {
            Error::invalid(&model_path, format!("the model does not load: {e:?}"))
        };
        let record =
            ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).map_err(bad)?;
        let model = Word2VecConfig::new(vocab.len(), config.dim)
            .with_head_bias(options.loss == super::LossKind::Softmax)
            .init(config.seed, &device)
            .try_load_record(record)
            .map_err(bad)?;
        Ok(FinishedRun {
            input: model.input_vectors(),
            output: model.output_vectors(),
            config,
            vocab,
        })
    }

    /// The vocabulary of the continued run — the finished run's words first, in their order,
    /// then the new text's words (`new`, counted with the run's min-count) it lacked — and the
    /// weights it starts from: the finished run's rows, the new words' drawn from `seed`
    /// (input) and zero (output). Counts are the new text's (zero for words it lacks), so the
    /// schedule, subsampling and noise follow the text being trained.
    pub fn grown(self, new: &Vocab, seed: u64) -> (Vocab, Word2VecStart, usize) {
        let dim = self.config.dim;
        let mut entries: Vec<(String, u64)> = self
            .vocab
            .words()
            .map(|w| {
                let count = new
                    .id(w.as_bytes())
                    .map_or(0, |id| new.counts()[id as usize]);
                (w.to_string(), count)
            })
            .collect();
        let added: Vec<(String, u64)> = new
            .words()
            .zip(new.counts())
            .filter(|(w, _)| self.vocab.id(w.as_bytes()).is_none())
            .map(|(w, &c)| (w.to_string(), c))
            .collect();
        let added_count = added.len();
        entries.extend(added);
        let vocab = Vocab::from_counts(entries);
        let (mut input, mut output) = Word2VecConfig::new(vocab.len(), dim).init_vectors(seed);
        let kept = self.vocab.len() * dim;
        input[..kept].copy_from_slice(&self.input[..kept]);
        output[..kept].copy_from_slice(&self.output);
        // The subword model's buckets follow the grown vocabulary's rows, trained as they were.
        input.extend_from_slice(&self.input[kept..]);
        let start = Word2VecStart {
            input,
            output,
            locks: None,
        };
        (vocab, start, added_count)
    }
}
