//! The Embedding Projector's files (TensorBoard's, and projector.tensorflow.org's "Load"): the
//! vectors as tab-separated values, one row a line, and the words beside them in a metadata
//! file of one column (which the projector reads without a header).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::files::atomic_write;

/// Where the words go beside vectors file `vectors`: `NAME.metadata.tsv` for `NAME.tsv`.
pub fn projector_metadata_path(vectors: &Path) -> PathBuf {
    vectors.with_extension("metadata.tsv")
}

/// Writes the vectors to `vectors` and the words to [`projector_metadata_path`], each file
/// atomically; returns the metadata's path.
pub fn write_projector(vectors: &Path, embeddings: &Embeddings) -> Result<PathBuf> {
    atomic_write(vectors, |w| {
        for i in 0..embeddings.len() {
            let row = embeddings.row(i);
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    w.write_all(b"\t")?;
                }
                write!(w, "{v}")?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    let metadata = projector_metadata_path(vectors);
    atomic_write(&metadata, |w| {
        for word in embeddings.words() {
            writeln!(w, "{word}")?;
        }
        Ok(())
    })?;
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_row_of_values_and_a_word_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let table = Embeddings::new(
            vec!["the".into(), "naïve".into()],
            2,
            vec![0.5, -1.0, 0.25, 2.0],
        )
        .unwrap();
        let path = dir.path().join("words.tsv");
        let metadata = write_projector(&path, &table).unwrap();
        assert_eq!(metadata, dir.path().join("words.metadata.tsv"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "0.5\t-1\n0.25\t2\n"
        );
        assert_eq!(std::fs::read_to_string(metadata).unwrap(), "the\nnaïve\n");
    }
}
