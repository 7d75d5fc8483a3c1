//! wordvec: word embeddings — word2vec (skip-gram and CBOW, with negative sampling or the full
//! softmax) and GloVe — trained with Burn on any device, with word2vec's and GloVe's details
//! (subsampling, dynamic windows, unigram^0.75 negatives, linear decay; 1/distance co-occurrence
//! weights, the reference's AdaGrad) and the standard evaluations.
//!
//! A run is the library's: describe it with a [`TrainConfig`] (every default comes from
//! [`TrainConfig::for_model`]), start it with [`Run::start`], and either [`Run::finish`] it (the
//! vectors, vocabulary, model record and config written beside each other) or [`Run::train`] it
//! into memory:
//!
//! ```
//! use wordvec::{Run, RunOptions, TrainConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let corpus = dir.path().join("corpus.txt");
//! let lines = [
//!     "the king rules the kingdom from the castle",
//!     "the queen rules the kingdom from the palace",
//!     "a farmer works the field near the village",
//! ];
//! std::fs::write(&corpus, lines.repeat(200).join("\n"))?;
//!
//! let mut config = TrainConfig::default();
//! config.corpus = vec![corpus];
//! config.min_count = 1;
//! config.dim = 16;
//! config.threads = 1;
//! let options = RunOptions {
//!     write_files: false,
//!     ..RunOptions::default()
//! };
//! let trained = Run::start(config, options)?.train()?;
//!
//! let vectors = trained.embeddings();
//! let nearest = vectors.similar("king", 3)?;
//! assert_eq!(nearest.len(), 3);
//! assert!(nearest.iter().all(|n| n.word != "king"));
//! # Ok(())
//! # }
//! ```
//!
//! Layers, each knowing only those below it: the ground floor (`rng`, `linalg`, `tensors`,
//! [`files`]) → [`text`] → [`sampling`] → [`model`] → [`kernels`] → [`train`]; beside them,
//! [`embeddings`] → [`eval`], [`io`] and [`vectors`] for what comes out, and [`runs`] and [`plot`] for
//! comparing runs.

pub mod distributed;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod files;
pub mod io;
pub mod kernels;
mod linalg;
pub mod model;
pub mod phrases;
pub mod plot;
pub mod projection;
mod rng;
pub mod runs;
pub mod sampling;
#[cfg(feature = "serve")]
pub mod serve;
pub mod subword_vectors;
mod synthetic;
mod tensors;
pub mod text;
pub mod train;
pub mod vectors;

pub use embeddings::{Embeddings, Neighbour};
pub use error::{Error, Result};
pub use train::{
    BackendKind, Finished, ModelKind, ModelOptions, OptimizerKind, Run, RunOptions, TrainConfig,
    Trained, UpdateKind,
};
