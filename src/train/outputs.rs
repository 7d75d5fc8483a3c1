//! A run's files, all written atomically side by side: the vectors, the vocabulary, the Burn
//! record of the model (the subword model's: fastText's `.bin`), the configuration with the run's
//! summary, and hierarchical softmax's tree.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::trained::{Trained, TrainedModel};
use super::{LossKind, ModelOptions, TrainConfig, Word2VecOptions};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::files::atomic_write;
use crate::io::{
    FastTextArgs, FastTextLoss, FastTextModel, FastTextModelKind, write_fasttext, write_vectors,
};
use crate::model::{Architecture, HuffmanTree};
use crate::text::VocabStats;

/// Where a run's outputs went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutputPaths {
    pub vectors: PathBuf,
    pub vocab: PathBuf,
    /// The Burn record of the model; a subword run has its `fasttext` model instead, which
    /// holds the same weights in the format other programs read.
    pub model: Option<PathBuf>,
    pub config: PathBuf,
    /// Hierarchical softmax's Huffman tree (`vec.tree.txt`: `word code node,…` a line), which
    /// the model's output vectors belong to; other models have none.
    pub tree: Option<PathBuf>,
    /// The subword model as fastText saves it (`vec.bin`, or `vec.fasttext.bin` when the vectors
    /// are `vec.bin`): fastText, gensim and every wordvec query read it, unseen words included.
    pub fasttext: Option<PathBuf>,
}

impl OutputPaths {
    /// Siblings of the vectors file: `vec.txt` → `vec.vocab.txt`, `vec.model.bpk`,
    /// `vec.config.json`, and `vec.tree.txt` for a model with a tree.
    fn beside(vectors: &Path, tree: bool, subwords: bool) -> Self {
        let stem = vectors
            .file_stem()
            .map_or_else(|| "vectors".into(), |s| s.to_string_lossy().into_owned());
        let sibling = |suffix: &str| vectors.with_file_name(format!("{stem}.{suffix}"));
        OutputPaths {
            vectors: vectors.to_path_buf(),
            vocab: sibling("vocab.txt"),
            model: (!subwords).then(|| sibling("model.bpk")),
            config: sibling("config.json"),
            tree: tree.then(|| sibling("tree.txt")),
            fasttext: subwords.then(|| fasttext_path(vectors)),
        }
    }
}

/// Where a subword run with vectors file `vectors` keeps its fastText model: `vec.bin`, or
/// `vec.fasttext.bin` when the vectors are `vec.bin` themselves.
pub(crate) fn fasttext_path(vectors: &Path) -> PathBuf {
    let bin = vectors.with_extension("bin");
    match bin == vectors {
        true => vectors.with_extension("fasttext.bin"),
        false => bin,
    }
}

/// What the run did, saved with its config.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub vocab_size: usize,
    pub corpus: VocabStats,
    pub epoch_losses: Vec<f64>,
    pub words_trained: u64,
    pub seconds: f64,
    pub words_per_second: f64,
}

/// Writes every output of `trained` (`embeddings` being [`Trained::embeddings`]), unless
/// `write` is off (a distributed run's other processes); each file appears whole or not at all.
pub(crate) fn save_outputs(
    config: &TrainConfig,
    trained: &Trained,
    embeddings: &Embeddings,
    stats: &VocabStats,
    write: bool,
) -> Result<(OutputPaths, RunSummary)> {
    let hierarchical = matches!(
        config.model,
        ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Hierarchical,
            ..
        })
    );
    let paths = OutputPaths::beside(&config.output, hierarchical, config.subwords().is_some());
    let summary = RunSummary {
        vocab_size: trained.vocab.len(),
        corpus: stats.clone(),
        epoch_losses: trained.epoch_losses.clone(),
        words_trained: trained.words,
        seconds: trained.seconds,
        words_per_second: trained.words as f64 / trained.seconds.max(1e-9),
    };
    if !write {
        return Ok((paths, summary));
    }
    write_vectors(&paths.vectors, embeddings, config.format)?;
    trained.vocab.save(&paths.vocab)?;
    if let Some(tree) = &paths.tree {
        HuffmanTree::new(trained.vocab.counts())?.save(trained.vocab.words(), tree)?;
    }
    if let (Some(path), Some(record)) = (&paths.model, trained.model.record_bytes()) {
        let record = record.map_err(|e| Error::Record {
            path: path.clone(),
            message: format!("{e:?}"),
        })?;
        atomic_write(path, |w| w.write_all(&record))?;
    }
    if let (Some(path), Some(model)) = (&paths.fasttext, fasttext_model(config, trained, stats)) {
        write_fasttext(path, &model)?;
    }
    let json = serde_json::json!({ "config": config, "summary": summary });
    atomic_write(&paths.config, |w| {
        serde_json::to_writer_pretty(&mut *w, &json)?;
        writeln!(w)
    })?;
    Ok((paths, summary))
}

/// A subword run as fastText's model: its arguments, dictionary and matrices. `None` for the
/// other models.
fn fasttext_model<'t>(
    config: &TrainConfig,
    trained: &'t Trained,
    stats: &VocabStats,
) -> Option<FastTextModel<'t>> {
    let (
        TrainedModel::Subwords {
            input,
            output,
            bags,
        },
        Some(w),
    ) = (&trained.model, config.word2vec())
    else {
        return None;
    };
    Some(FastTextModel {
        args: FastTextArgs {
            dim: config.dim,
            window: config.window,
            epochs: config.epochs,
            min_count: config.min_count,
            negative: w.negative,
            word_ngrams: 1,
            loss: match w.loss {
                LossKind::Hierarchical => FastTextLoss::Hierarchical,
                LossKind::Negative => FastTextLoss::Negative,
                LossKind::Softmax => FastTextLoss::Softmax,
            },
            model: match w.architecture {
                Architecture::SkipGram => FastTextModelKind::SkipGram,
                Architecture::Cbow { .. } => FastTextModelKind::Cbow,
            },
            subwords: bags.settings,
            // fastText's default; it only paces fastText's own training.
            lr_update_rate: 100,
            sample: w.sample,
        },
        words: trained.vocab.word_list(),
        counts: trained.vocab.counts().to_vec(),
        tokens: stats.tokens,
        input: Cow::Borrowed(input),
        output: Cow::Borrowed(output),
    })
}
