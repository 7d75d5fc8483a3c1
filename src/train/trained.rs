//! What a run produces: the trained model, whichever it is, with its vocabulary and what it cost.

use std::sync::Arc;

use burn::prelude::*;

use super::GloveVectors;
use crate::embeddings::Embeddings;
use crate::model::{Glove, SubwordBags, Subwords, Word2Vec};
use crate::tensors::to_host;
use crate::text::Vocab;

/// A trained model, whichever it is.
#[derive(Debug, Clone)]
pub enum TrainedModel {
    /// Skip-gram or CBOW (the same weights).
    Word2Vec(Word2Vec),
    /// fastText's subword model, its weights on the host (its own record is fastText's `.bin`,
    /// written from them without a copy): `input` holds the words' rows then the n-gram
    /// buckets', [`SubwordBags::input_rows`] × dim, `output` one row a word; a word's vector is
    /// the mean of its bag's rows.
    Subwords {
        input: Vec<f32>,
        output: Vec<f32>,
        bags: Arc<SubwordBags>,
    },
    /// GloVe, with the choice of vectors its output holds.
    Glove { model: Glove, vectors: GloveVectors },
}

impl TrainedModel {
    pub fn dim(&self) -> usize {
        match self {
            TrainedModel::Word2Vec(m) => m.dim(),
            TrainedModel::Subwords { input, bags, .. } => input.len() / bags.input_rows(),
            TrainedModel::Glove { model, .. } => model.dim(),
        }
    }

    /// The vectors users keep, [vocab, dim] on the host: word2vec's input vectors, the subword
    /// model's composed ones, GloVe's word vectors or their sum with the context vectors.
    pub fn word_vectors(&self) -> Vec<f32> {
        match self {
            TrainedModel::Word2Vec(m) => m.input_vectors(),
            TrainedModel::Subwords { input, bags, .. } => bags.compose(input, self.dim()),
            TrainedModel::Glove { model, vectors } => glove_vectors(
                *vectors,
                model.word.weight.val(),
                model.context.weight.val(),
            ),
        }
    }

    /// The other set, [vocab, dim] on the host: word2vec's output vectors, GloVe's context
    /// vectors.
    pub fn output_vectors(&self) -> Vec<f32> {
        match self {
            TrainedModel::Word2Vec(m) => m.output_vectors(),
            TrainedModel::Subwords { output, .. } => output.clone(),
            TrainedModel::Glove { model, .. } => model.context_vectors(),
        }
    }

    /// The subword model's n-gram buckets' rows ([bucket, dim] on the host) and settings; `None`
    /// for the other models.
    pub fn ngram_rows(&self) -> Option<(Vec<f32>, Subwords)> {
        let TrainedModel::Subwords { input, bags, .. } = self else {
            return None;
        };
        let words = bags.words() * self.dim();
        Some((input[words..].to_vec(), bags.settings))
    }

    /// The Burn record of the module, as bytes; `None` for the subword model, whose record is
    /// fastText's `.bin`.
    pub fn record_bytes(&self) -> Option<std::result::Result<Vec<u8>, burn::store::RecordError>> {
        use burn::module::Module;
        let bytes = match self {
            TrainedModel::Word2Vec(m) => m.clone().into_record().into_bytes(),
            TrainedModel::Glove { model, .. } => model.clone().into_record().into_bytes(),
            TrainedModel::Subwords { .. } => return None,
        };
        Some(bytes.map(|b| b.to_vec()))
    }
}

/// A finished run: the model on its device and what it cost.
pub struct Trained {
    pub model: TrainedModel,
    pub vocab: Arc<Vocab>,
    /// Mean loss per example over each epoch.
    pub epoch_losses: Vec<f64>,
    /// Vocabulary words read over all epochs (before subsampling).
    pub words: u64,
    pub seconds: f64,
    /// The final evaluation, when the run had benchmarks.
    pub report: Option<crate::eval::EvalReport>,
}

impl Trained {
    /// The input vectors with their words: read back from the device once, then shared by the
    /// output files and the evaluation.
    pub fn embeddings(&self) -> Embeddings {
        Embeddings::new(
            self.vocab.word_list(),
            self.model.dim(),
            self.model.word_vectors(),
        )
        .expect("the model has one row per vocabulary word")
    }
}

/// The vectors a GloVe run keeps, on the host, from its word and context vectors [vocab, dim]:
/// wᵢ + w̃ᵢ (the reference's `-model 2`: both halves were trained on the same counts, and their
/// sum scores a little better than either), or wᵢ alone.
pub(crate) fn glove_vectors(choice: GloveVectors, word: Tensor<2>, context: Tensor<2>) -> Vec<f32> {
    match choice {
        GloveVectors::WordPlusContext => to_host(word + context),
        GloveVectors::Word => to_host(word),
    }
}
