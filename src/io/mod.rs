//! The file formats: word vectors (word2vec text and binary, GloVe text, fastText `.vec`), fastText's
//! `.bin` model, the Embedding Projector's TSV files, queries
//! straight from a memory-mapped binary file, and GloVe's co-occurrence records. Readers validate and report the file, line
//! and cause; nothing here panics on bad input.

mod cooccurrence;
mod fasttext;
mod mapped;
mod projector;
mod word2vec;

pub use cooccurrence::{COOCCURRENCE_RECORD_BYTES, read_cooccurrences, write_cooccurrence};
pub use fasttext::{
    FastTextArgs, FastTextLoss, FastTextModel, FastTextModelKind, is_fasttext, read_fasttext,
    write_fasttext,
};
pub use mapped::MappedVectors;
pub use projector::{projector_metadata_path, write_projector};
pub use word2vec::{VectorFormat, read_vectors, write_vectors};
