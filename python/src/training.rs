//! Training from Python: the settings parsed as `wordvec train`'s flags ([`TrainFlags`], so every
//! default is the library's), the run on a thread of its own while the calling thread releases
//! the GIL and watches for Ctrl-C, and each record of the run handed to the Python callback.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use wordvec::train::{
    EvalConfig, MetricRecord, Observer, Run, RunOptions, TrainConfig, TrainFlags,
    document_defaults, run_dir,
};
use wordvec::vectors::Vectors;

use crate::errors::{Error, settings_error, to_py};
use crate::model::Model;

/// What a finished run hands back to Python: the vectors, the folder it wrote (if any) and its
/// config as JSON.
type Outcome = (Vectors, Option<PathBuf>, String);

/// Trains a run of `settings` (flags as `wordvec train` takes them) on `corpus` (the embedded
/// corpus when empty), writing its folder when `output` is given; `callback` sees every record.
#[pyfunction]
#[pyo3(signature = (corpus, output, settings, analogies, similarity, restrict, callback, progress))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    corpus: Vec<PathBuf>,
    output: Option<PathBuf>,
    settings: Vec<String>,
    analogies: Option<PathBuf>,
    similarity: Vec<PathBuf>,
    restrict: usize,
    callback: Option<Py<PyAny>>,
    progress: bool,
) -> PyResult<Model> {
    let flags = TrainFlags::parse(settings).map_err(settings_error)?;
    let write_files = output.is_some();
    let output = output.unwrap_or_else(|| TrainConfig::default().output);
    let eval = EvalConfig {
        analogies,
        similarity,
        restrict,
        every: None,
    };
    let config = flags.config(&corpus, &output, eval).map_err(to_py)?;
    let session = Session::new(callback, progress, write_files);
    session.run(py, move |options| {
        let run = Run::start(config, options)?;
        let config = serde_json::to_string(run.config()).expect("a config serializes");
        if write_files {
            let dir = run_dir(run.config());
            let finished = run.finish()?;
            Ok((
                Vectors::trained(finished.embeddings, &finished.trained),
                Some(dir),
                config,
            ))
        } else {
            let trained = run.train()?;
            Ok((
                Vectors::trained(trained.embeddings(), &trained),
                None,
                config,
            ))
        }
    })
}

/// Continues the stopped run in `run_dir` from its checkpoint, with its own settings but those
/// `settings` may change (threads, evaluation, checkpoints) and the benchmarks given.
#[pyfunction]
#[pyo3(signature = (run_dir, settings, analogies, similarity, restrict, callback, progress))]
#[allow(clippy::too_many_arguments)]
pub fn resume(
    py: Python<'_>,
    run_dir: PathBuf,
    settings: Vec<String>,
    analogies: Option<PathBuf>,
    similarity: Vec<PathBuf>,
    restrict: usize,
    callback: Option<Py<PyAny>>,
    progress: bool,
) -> PyResult<Model> {
    let flags = TrainFlags::parse(settings).map_err(settings_error)?;
    let eval = EvalConfig {
        analogies,
        similarity,
        restrict,
        every: None,
    };
    let eval = (!eval.is_empty()).then_some(eval);
    let session = Session::new(callback, progress, true);
    session.run(py, move |options| {
        let run = Run::resume_with(&run_dir, |stopped| flags.resumed(stopped, eval), options)?;
        let config = serde_json::to_string(run.config()).expect("a config serializes");
        let finished = run.finish()?;
        Ok((
            Vectors::trained(finished.embeddings, &finished.trained),
            Some(run_dir),
            config,
        ))
    })
}

/// The settings' help, each flag `--name-part` being the keyword `name_part`, with the defaults
/// the library gives each kind of run.
#[pyfunction]
pub fn settings_help() -> String {
    let command = document_defaults(TrainFlags::augment_args(clap::Command::new("train")));
    command.term_width(100).render_long_help().to_string()
}

/// The settings that are on/off switches (`--lowercase`, `--subwords`), as keyword names: the
/// flag alone turns them on, so `True` is the flag and `False` its absence.
#[pyfunction]
pub fn switches() -> Vec<String> {
    TrainFlags::augment_args(clap::Command::new("train"))
        .get_arguments()
        .filter(|arg| matches!(arg.get_action(), clap::ArgAction::SetTrue))
        .map(|arg| arg.get_id().as_str().to_string())
        .collect()
}

/// How one call trains: whether it writes files and shows progress, the stop flag its callback
/// and Ctrl-C set, and the first error the callback raised.
struct Session {
    options: RunOptions,
    stop: Arc<AtomicBool>,
    callback_error: Arc<Mutex<Option<PyErr>>>,
}

impl Session {
    fn new(callback: Option<Py<PyAny>>, progress: bool, write_files: bool) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let callback_error = Arc::new(Mutex::new(None));
        let observer = callback.map(|c| observer(c, stop.clone(), callback_error.clone()));
        Session {
            options: RunOptions {
                quiet: !progress,
                stop: stop.clone(),
                write_files,
                observer,
                distributed: None,
            },
            stop,
            callback_error,
        }
    }

    /// Runs `work` on its own thread; meanwhile this thread lets other Python threads (and the
    /// callback) run and checks for Ctrl-C, which stops the run at its next chunk (saving a
    /// checkpoint when it writes files) and then raises `KeyboardInterrupt`.
    fn run<F>(self, py: Python<'_>, work: F) -> PyResult<Model>
    where
        F: FnOnce(RunOptions) -> wordvec::Result<Outcome> + Send,
    {
        let Session {
            options,
            stop,
            callback_error,
        } = self;
        let mut interrupt = None;
        let joined = std::thread::scope(|scope| {
            let handle = scope.spawn(move || work(options));
            while !handle.is_finished() {
                py.allow_threads(|| std::thread::sleep(Duration::from_millis(20)));
                if let (None, Err(e)) = (&interrupt, py.check_signals()) {
                    stop.store(true, Ordering::SeqCst);
                    interrupt = Some(e);
                }
            }
            handle.join()
        });
        let result = joined.map_err(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Error::new_err(format!("training failed: {what}"))
        })?;
        if let Some(e) = callback_error.lock().expect("no callback panicked").take() {
            return Err(e);
        }
        match (interrupt, result) {
            (Some(_), Err(stopped @ wordvec::Error::Stopped { .. })) => {
                Err(PyKeyboardInterrupt::new_err(stopped.to_string()))
            }
            (Some(interrupt), _) => Err(interrupt),
            (None, Ok((rows, dir, config))) => Ok(Model::trained(rows, dir, config)),
            (None, Err(e)) => Err(to_py(e)),
        }
    }
}

/// Hands each record to `callback` as a dict; a callback that returns `False` stops the run, one
/// that raises stops it and its exception is raised once the run has stopped.
fn observer(
    callback: Py<PyAny>,
    stop: Arc<AtomicBool>,
    error: Arc<Mutex<Option<PyErr>>>,
) -> Observer {
    Arc::new(move |record: &MetricRecord| {
        Python::with_gil(|py| {
            let text = serde_json::to_string(record).expect("a record serializes");
            let answer = py
                .import("json")
                .and_then(|json| json.call_method1("loads", (text,)))
                .and_then(|dict| callback.call1(py, (dict,)));
            match answer {
                Ok(value) if value.bind(py).is(pyo3::types::PyBool::new(py, false)) => {
                    stop.store(true, Ordering::SeqCst);
                }
                Ok(_) => {}
                Err(e) => {
                    let mut first = error.lock().expect("no callback panicked");
                    first.get_or_insert(e);
                    stop.store(true, Ordering::SeqCst);
                }
            }
        })
    })
}
