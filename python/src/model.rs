//! `wordvec.Model`: trained or loaded vectors with gensim's queries. The matrix stays where Rust
//! keeps it; `vectors` is a read-only NumPy view of it that keeps the model alive.

use std::path::PathBuf;

use clap::ValueEnum;
use numpy::ndarray::ArrayView2;
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use wordvec::Embeddings;
use wordvec::embeddings::{self as queries, VectorRows};
use wordvec::eval::Benchmarks;
use wordvec::io::{VectorFormat, write_vectors};
use wordvec::train::{METRICS_FILE, read_metrics};
use wordvec::vectors::Vectors;

use crate::errors::to_py;

/// Word vectors with their words, in vocabulary (frequency) order: the result of `train`,
/// `resume` and `load`.
#[pyclass(module = "wordvec", frozen)]
pub struct Model {
    rows: Vectors,
    /// The run's folder (metrics, config), when the model comes from a run that wrote one.
    run_dir: Option<PathBuf>,
    /// The run's config as JSON, when the model was trained.
    config: Option<String>,
}

impl Model {
    pub fn trained(rows: Vectors, run_dir: Option<PathBuf>, config: String) -> Self {
        Model {
            rows,
            run_dir,
            config: Some(config),
        }
    }

    /// The vectors as [`Embeddings`] (a copy for a mapped file).
    fn embeddings(&self) -> PyResult<std::borrow::Cow<'_, Embeddings>> {
        match self.rows.table() {
            Some(table) => Ok(std::borrow::Cow::Borrowed(table)),
            None => {
                let rows = &self.rows;
                let dim = rows.dim();
                let mut data = vec![0.0; rows.rows() * dim];
                for (row, out) in data.chunks_exact_mut(dim.max(1)).enumerate() {
                    rows.row_into(row, out).map_err(to_py)?;
                }
                let words = (0..rows.rows()).map(|r| rows.word(r).to_string()).collect();
                let embeddings = Embeddings::new(words, dim, data)
                    .map_err(|e| to_py(wordvec::Error::Config(format!("mapped vectors: {e}"))))?;
                Ok(std::borrow::Cow::Owned(embeddings))
            }
        }
    }
}

/// Parses `text` (a JSON document the library wrote) into Python objects.
fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// One item (a word, a path), or a sequence of them: gensim's forms for query words and files.
fn one_or_many<T: for<'a> FromPyObject<'a>>(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<T>> {
    match value {
        None => Ok(Vec::new()),
        Some(v) => match v.extract::<T>() {
            Ok(one) => Ok(vec![one]),
            Err(_) => v.extract(),
        },
    }
}

fn neighbours(found: Vec<queries::Neighbour>) -> Vec<(String, f32)> {
    found.into_iter().map(|n| (n.word, n.score)).collect()
}

#[pymethods]
impl Model {
    /// The words, most frequent first (row `i` of `vectors` is `words[i]`'s).
    #[getter]
    fn words(&self) -> Vec<String> {
        let rows = &self.rows;
        (0..rows.rows()).map(|r| rows.word(r).to_string()).collect()
    }

    /// The vector size.
    #[getter]
    fn dim(&self) -> usize {
        self.rows.dim()
    }

    /// The vectors as a read-only float32 NumPy array of shape (words, dim): a view of the
    /// model's own memory, no copy (a memory-mapped model's rows are copied once).
    #[getter]
    fn vectors<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let py = slf.py();
        let model = slf.get();
        let array = match model.rows.table() {
            Some(e) => {
                let view = ArrayView2::from_shape((e.len(), e.dim()), e.data())
                    .expect("a table's data is words × dim");
                // SAFETY: the data belongs to the frozen model, which the array keeps alive
                // (`container`) and which never changes it.
                unsafe { PyArray2::borrow_from_array(&view, slf.clone().into_any()) }
            }
            None => {
                let e = model.embeddings()?;
                let view = ArrayView2::from_shape((e.len(), e.dim()), e.data())
                    .expect("a table's data is words × dim");
                PyArray2::from_array(py, &view)
            }
        };
        let kwargs = PyDict::new(py);
        kwargs.set_item("write", false)?;
        array.call_method("setflags", (), Some(&kwargs))?;
        Ok(array)
    }

    /// The row of `word` (KeyError if it is not in the vocabulary).
    fn index(&self, word: &str) -> PyResult<usize> {
        self.rows
            .find(word)
            .ok_or_else(|| PyKeyError::new_err(format!("'{word}' is not in the vocabulary")))
    }

    /// A copy of `word`'s vector.
    fn vector<'py>(&self, py: Python<'py>, word: &str) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let v = queries::vector(&self.rows, word).map_err(to_py)?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// gensim's `most_similar`: the `topn` words nearest the sum of the `positive` words' unit
    /// vectors minus the `negative` ones', among the `restrict` most frequent (all if None).
    /// One word or a list of them, for either side.
    #[pyo3(signature = (positive=None, negative=None, topn=10, restrict=None))]
    fn most_similar(
        &self,
        positive: Option<&Bound<'_, PyAny>>,
        negative: Option<&Bound<'_, PyAny>>,
        topn: usize,
        restrict: Option<usize>,
    ) -> PyResult<Vec<(String, f32)>> {
        let (positive, negative) = (one_or_many(positive)?, one_or_many(negative)?);
        let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
        let negative: Vec<&str> = negative.iter().map(String::as_str).collect();
        let found = queries::most_similar(&self.rows, &positive, &negative, topn, restrict)
            .map_err(to_py)?;
        Ok(neighbours(found))
    }

    /// Cosine similarity of two words.
    fn similarity(&self, a: &str, b: &str) -> PyResult<f32> {
        queries::similarity(&self.rows, a, b).map_err(to_py)
    }

    /// gensim's `doesnt_match`: the word farthest from the others' mean direction.
    fn doesnt_match(&self, words: Vec<String>) -> PyResult<String> {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let odd = queries::doesnt_match(&self.rows, &words).map_err(to_py)?;
        Ok(odd.to_string())
    }

    /// a is to b as c is to ?: the `topn` best answers (3CosAdd).
    #[pyo3(signature = (a, b, c, topn=1))]
    fn analogy(&self, a: &str, b: &str, c: &str, topn: usize) -> PyResult<Vec<(String, f32)>> {
        let found = queries::analogy(&self.rows, a, b, c, topn).map_err(to_py)?;
        Ok(neighbours(found))
    }

    /// Scores the vectors on analogy questions and word-similarity sets (the files `wordvec
    /// eval` reads), as gensim's evaluators do; returns the report (`analogy`, `similarity`) as
    /// a dict. `similarity`: one file or a list.
    #[pyo3(signature = (analogies=None, similarity=None, restrict=30_000))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        analogies: Option<PathBuf>,
        similarity: Option<&Bound<'py, PyAny>>,
        restrict: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let similarity: Vec<PathBuf> = one_or_many(similarity)?;
        let benchmarks =
            Benchmarks::load(analogies.as_deref(), &similarity, restrict).map_err(to_py)?;
        let embeddings = self.embeddings()?;
        let report = py.allow_threads(|| benchmarks.evaluate(&embeddings));
        let text = serde_json::to_string(&report).expect("a report serializes");
        from_json(py, &text)
    }

    /// The run's records (`metrics.jsonl`: start, intervals, epochs, evaluations, end) as dicts;
    /// empty for a model that did not come from a run folder.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let Some(dir) = &self.run_dir else {
            return Ok(Vec::new());
        };
        let path = dir.join(METRICS_FILE);
        if !path.exists() {
            return Ok(Vec::new());
        }
        read_metrics(&path)
            .map_err(to_py)?
            .iter()
            .map(|r| from_json(py, &serde_json::to_string(r).expect("a record serializes")))
            .collect()
    }

    /// The run's settings as a dict (as its `config.json` holds them); None for loaded vectors.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.config.as_deref().map(|c| from_json(py, c)).transpose()
    }

    /// The folder the run wrote (vectors, vocabulary, config, metrics), if it wrote one.
    #[getter]
    fn run_dir(&self) -> Option<PathBuf> {
        self.run_dir.clone()
    }

    /// Writes the vectors to `path` in `format` (word2vec-text, word2vec-binary, glove-text;
    /// default: binary for `.bin`, text otherwise).
    #[pyo3(signature = (path, format=None))]
    fn save(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        let format = match format {
            Some(name) => VectorFormat::from_str(name, true).map_err(|_| {
                to_py(wordvec::Error::Config(format!(
                    "format '{name}' is none of word2vec-text, word2vec-binary, glove-text"
                )))
            })?,
            None => VectorFormat::from_extension(&path),
        };
        let embeddings = self.embeddings()?;
        py.allow_threads(|| write_vectors(&path, &embeddings, format))
            .map_err(to_py)
    }

    /// The vectors as `gensim.models.KeyedVectors` (needs gensim: `pip install
    /// wordvec[gensim]`).
    fn to_gensim<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let keyed = py.import("gensim.models")?.getattr("KeyedVectors")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("vector_size", slf.get().dim())?;
        let kv = keyed.call((), Some(&kwargs))?;
        let vectors = Model::vectors(slf.clone())?;
        kv.call_method1("add_vectors", (slf.get().words(), vectors))?;
        Ok(kv)
    }

    fn __len__(&self) -> usize {
        self.rows.rows()
    }

    fn __contains__(&self, word: &str) -> bool {
        self.rows.find(word).is_some()
    }

    fn __repr__(&self) -> String {
        let rows = &self.rows;
        format!("<wordvec.Model: {} words × {}>", rows.rows(), rows.dim())
    }
}

/// Reads vectors from any format `wordvec eval` reads (word2vec text or binary, fastText `.vec`,
/// GloVe text); with `mmap`, a word2vec binary file stays on disk, mapped, and only its words
/// are read.
#[pyfunction]
#[pyo3(signature = (path, mmap))]
pub fn load(py: Python<'_>, path: PathBuf, mmap: bool) -> PyResult<Model> {
    let rows = py
        .allow_threads(|| Vectors::open(&path, None, mmap))
        .map_err(to_py)?;
    Ok(Model {
        rows,
        run_dir: None,
        config: None,
    })
}
