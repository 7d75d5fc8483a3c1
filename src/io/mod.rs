//! Files in and out: atomic writes and the word-vector formats. Readers validate and report the
//! file, line and cause; nothing here panics on bad input.

mod atomic;
mod lines;
mod mapped;
mod word2vec;

pub use atomic::atomic_write;
pub use lines::numbered_lines;
pub use mapped::MappedVectors;
pub use word2vec::{VectorFormat, read_vectors, write_vectors};
