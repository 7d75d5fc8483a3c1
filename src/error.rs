//! The library's one error type: every failure a user can cause names the file (and line) at fault.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in wordvec, worded for the person who must fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused a read or write.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file's content is wrong at a known line.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A file's content is wrong as a whole (empty, wrong format, no usable rows).
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// A query named a word the vectors do not contain.
    #[error("unknown word '{0}': it is not in the vocabulary")]
    UnknownWord(String),
    /// The requested settings cannot work together.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The backend asked for was not compiled into this binary.
    #[error(
        "backend '{name}' is not compiled into this build; rebuild with `--features {feature}`"
    )]
    BackendUnavailable {
        name: &'static str,
        feature: &'static str,
    },
    /// The backend is compiled in but found no device to run on (no driver, no adapter).
    #[error("backend '{name}' found no usable device: {hint}")]
    DeviceUnavailable {
        name: &'static str,
        hint: &'static str,
    },
    /// The loss left the finite numbers, so the weights are no longer meaningful; the run's
    /// last checkpoint, saved before, still holds good weights.
    #[error(
        "training diverged: loss became {loss} at step {step} (learning rate {lr}); lower --lr{}",
        checkpoint.as_ref().map_or(String::new(), |c| format!("; the last good checkpoint stays in {}", c.display()))
    )]
    Diverged {
        loss: f64,
        /// Corpus words trained when it was seen.
        step: u64,
        lr: f64,
        checkpoint: Option<PathBuf>,
    },
    /// `serve` could not listen where it was asked to.
    #[error("cannot listen on {address}: {message}")]
    Listen { address: String, message: String },
    /// The run was stopped before it finished (Ctrl-C, or a consumer that went away).
    #[error("interrupted")]
    Interrupted,
    /// The run was asked to stop and saved where it stood.
    #[error(
        "stopped after {words} words; checkpoint saved to {}; continue with `wordvec train --resume {}`",
        checkpoint.display(),
        run_dir.display()
    )]
    Stopped {
        words: u64,
        checkpoint: PathBuf,
        run_dir: PathBuf,
    },
    /// A Burn record could not be read or written.
    #[error("{}: {message}", path.display())]
    Record { path: PathBuf, message: String },
    /// Another run holds the run folder.
    #[error(
        "{}: another run (process {holder}) is training into this folder; wait for it to end, or choose another --output",
        dir.display()
    )]
    Locked { dir: PathBuf, holder: String },
}

/// Shorthand used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }

    pub(crate) fn parse(path: &Path, line: u64, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
