//! What a server serves: the vectors files and runs named on its command line, opened once.
//! A run's folder brings its metrics and its vectors, a sweep's folder each of its runs, a
//! vectors file its vectors alone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::embeddings::VectorRows;
use crate::error::Result;
use crate::io::{VectorFormat, is_fasttext};
use crate::runs::{Comparison, Run};
use crate::vectors::Vectors;

/// One set of vectors the page can query.
pub struct ServedVectors {
    pub name: String,
    pub path: PathBuf,
    pub vectors: Vectors,
    /// The run it came from (an index into [`Catalog::runs`]).
    pub run: Option<usize>,
    /// Row ids in the byte order of their words, for completion; built on first use.
    by_spelling: OnceLock<Vec<u32>>,
}

/// Everything served.
pub struct Catalog {
    pub models: Vec<ServedVectors>,
    /// The runs, their names made unique, with their settings.
    pub runs: Comparison,
}

/// Most index entries a completion looks through (a one-letter prefix of a large vocabulary).
const MOST_SCANNED: usize = 200_000;

impl Catalog {
    /// Opens every path: a run's folder, a sweep's folder or a vectors file. Word2vec binary
    /// files are mapped into memory, so a file of millions of words opens at once.
    pub fn open(paths: &[PathBuf]) -> Result<Catalog> {
        let mut runs = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            match path.is_dir() {
                true => runs.extend(Run::load_all(path)?),
                false => files.push(path.clone()),
            }
        }
        let runs = Comparison::new(runs);
        let mut models = Vec::new();
        for (i, run) in runs.runs.iter().enumerate() {
            if let Some(path) = run.vectors_path() {
                models.push(ServedVectors::open(run.name.clone(), &path, Some(i))?);
            }
        }
        for path in files {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            models.push(ServedVectors::open(name, &path, None)?);
        }
        let mut seen = std::collections::HashSet::new();
        for model in &mut models {
            if !seen.insert(model.name.clone()) {
                model.name = model.path.display().to_string();
            }
        }
        Ok(Catalog { models, runs })
    }
}

impl ServedVectors {
    fn open(name: String, path: &Path, run: Option<usize>) -> Result<ServedVectors> {
        let mapped = !is_fasttext(path)? && VectorFormat::sniff(path)? == VectorFormat::Binary;
        Ok(ServedVectors {
            name,
            path: path.to_path_buf(),
            vectors: Vectors::open(path, None, mapped)?,
            run,
            by_spelling: OnceLock::new(),
        })
    }

    /// Up to `k` words that start with `prefix`, most frequent first.
    pub fn complete(&self, prefix: &str, k: usize) -> Vec<&str> {
        let rows = &self.vectors;
        let sorted = self.by_spelling.get_or_init(|| {
            let mut ids: Vec<u32> = (0..rows.rows() as u32).collect();
            ids.sort_unstable_by(|&a, &b| rows.word(a as usize).cmp(rows.word(b as usize)));
            ids
        });
        let start = sorted.partition_point(|&r| rows.word(r as usize) < prefix);
        let mut found: Vec<u32> = sorted[start..]
            .iter()
            .take(MOST_SCANNED)
            .take_while(|&&r| rows.word(r as usize).starts_with(prefix))
            .copied()
            .collect();
        found.sort_unstable();
        found
            .into_iter()
            .take(k)
            .map(|r| rows.word(r as usize))
            .collect()
    }
}
