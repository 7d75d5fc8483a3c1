//! Fused, row-sparse update steps: each example updates only the rows it touches, in place, as
//! word2vec does, instead of a dense vocab × dim gradient per batch. Registered as a Burn backend
//! extension ([`SgnsBackend`]) with a CPU and a GPU implementation.

mod chunk;
mod cpu;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
mod cube;
mod extension;
mod glove_cpu;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
mod glove_cube;
mod glove_extension;
mod sigmoid;

pub use chunk::{Architecture, ChunkLoss, ChunkSettings, SENTENCE_END, spans, spans_for};
pub use cpu::{ADAGRAD_EPSILON, NoiseTables, SquareSums, train_chunk};
#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub use cube::MAX_GPU_DIM;
pub use extension::{AdaGradSums, NoiseOnDevice, SgnsBackend, SgnsWeights, read_loss, sgns_step};
pub use glove_cpu::{GloveLoss, GloveRows, GloveSettings, train_glove_chunk};
pub use glove_extension::{GloveBackend, GloveWeights, glove_step, read_glove_loss};
pub use sigmoid::SigmoidTable;
