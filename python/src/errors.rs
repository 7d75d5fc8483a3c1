//! The library's errors as Python exceptions: a bad setting is a `ValueError`, a missing file a
//! `FileNotFoundError`, another file's trouble an `OSError`, an unknown word a `KeyError`, a run
//! stopped by a callback `wordvec.Stopped`, the rest `wordvec.Error`; each keeps the library's
//! message, which names the file, line or setting at fault.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    wordvec,
    Error,
    PyException,
    "A wordvec failure that is not a bad argument or a file's."
);
create_exception!(
    wordvec,
    Stopped,
    Error,
    "The run stopped when asked (by a callback) after saving a checkpoint; `wordvec.resume(run_dir)` goes on."
);

/// `error` as the Python exception its kind calls for.
pub fn to_py(error: wordvec::Error) -> PyErr {
    let message = error.to_string();
    match error {
        wordvec::Error::Config(_) | wordvec::Error::BackendUnavailable { .. } => {
            PyValueError::new_err(message)
        }
        wordvec::Error::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(message)
        }
        wordvec::Error::Io { .. } => PyOSError::new_err(message),
        wordvec::Error::UnknownWord(_) => PyKeyError::new_err(message),
        wordvec::Error::Stopped { .. } => Stopped::new_err(message),
        _ => Error::new_err(message),
    }
}

/// A settings parse error (clap's) as a `ValueError` with its first line, which names the setting.
pub fn settings_error(error: clap::Error) -> PyErr {
    let text = error.render().to_string();
    let first = text.lines().next().unwrap_or("bad setting");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = first.replace("unexpected argument", "unknown setting");
    // The flag spelling (`--max-vocab`) as the keyword users wrote (`max_vocab`).
    let message = first
        .split('\'')
        .enumerate()
        .map(|(i, part)| match part.strip_prefix("--") {
            Some(flag) if i % 2 == 1 => {
                let name = flag.split([' ', '=']).next().unwrap_or(flag);
                name.replace('-', "_")
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("'");
    PyValueError::new_err(message)
}
