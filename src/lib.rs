//! wordvec: word embeddings (word2vec skip-gram with full softmax or negative sampling) trained
//! with Burn on any device, with word2vec's details (subsampling, dynamic windows, unigram^0.75
//! negatives, linear learning-rate decay) and the standard evaluations.
//!
//! Data flows one way: [`text`] → [`sampling`] → [`train`] (over [`model`] and [`kernels`]) →
//! [`embeddings`] → [`eval`] and [`io`].

pub mod embeddings;
pub mod error;
pub mod eval;
pub mod io;
pub mod kernels;
pub mod model;
pub mod plot;
pub mod projection;
pub mod runs;
pub mod sampling;
pub mod synthetic;
pub mod text;
pub mod train;

pub use error::{Error, Result};
