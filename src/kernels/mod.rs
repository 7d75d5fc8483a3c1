//! Fused, row-sparse update steps: each example updates only the rows it touches, in place, as
//! word2vec and GloVe do, instead of a dense vocab × dim gradient per batch. Grouped by algorithm
//! — [`word2vec`] (skip-gram and CBOW, negative sampling and hierarchical softmax) and [`glove`] — each a Burn backend
//! extension (the trait), its Flex launch, its CPU kernel and its CubeCL kernel, so the training
//! loop is written once for every device. Beside them, what the kernels share: the Hogwild rows
//! that hold the CPU kernels' lock-free sharing, SIMD, the loss read-back, and the CubeCL and Flex
//! helpers.

#[cfg(cubecl_backend)]
mod cube;
#[cfg(feature = "flex")]
mod flex;
pub mod glove;
mod hogwild;
mod loss;
mod optimizer;
mod simd;
mod spans;
pub mod word2vec;

#[cfg(cubecl_backend)]
pub use cube::MAX_GPU_DIM;
pub use glove::{GloveBackend, GloveSettings, GloveWeights, glove_step, read_glove_loss};
pub use loss::LossSum;
pub use optimizer::{FusedOptimizer, RowWise};
pub use word2vec::subwords::{SubwordBackend, SubwordTables, subword_step};
pub use word2vec::{
    Batching, OptimizerState, OutputTables, Word2VecBackend, Word2VecSettings, Word2VecWeights,
    gpu_runs_windowed, read_word2vec_loss, word2vec_step,
};
