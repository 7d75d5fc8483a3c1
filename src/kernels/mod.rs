//! Fused, row-sparse update steps: each example updates only the rows it touches, in place, as
//! word2vec does, instead of a dense vocab × dim gradient per batch.

mod hogwild;
mod sigmoid;

pub use hogwild::{EpochRun, HogwildConfig, SgnsBuffers, train_epoch};
pub use sigmoid::SigmoidTable;
