//! Scratch space a run makes — standard input's copy, GloVe's spilled counts and shuffled
//! entries — held in [`Scratch`] values that remove it when dropped: on success, on failure, and
//! when a caught signal stops the run. A second signal exits at once, running no destructors, so
//! the process keeps a list of what is held and [`remove_scratch`] clears it first. Only a kill
//! that runs no code at all (SIGKILL, a power cut) leaves scratch behind, as `wordvec-*` in the
//! temporary folder (or `--temp-dir`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::{TempDir, TempPath};

use crate::error::{Error, Result};

/// The scratch every live [`Scratch`] holds.
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn held() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere leaves the list as valid as it was.
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// A scratch folder or file, removed when dropped.
#[derive(Debug)]
pub struct Scratch<T: AsRef<Path>>(T);

/// A scratch folder, removed with everything in it.
pub type ScratchDir = Scratch<TempDir>;
/// A scratch file.
pub type ScratchFile = Scratch<TempPath>;

impl<T: AsRef<Path>> Scratch<T> {
    fn hold(made: T) -> Self {
        held().push(made.as_ref().to_path_buf());
        Scratch(made)
    }

    pub fn path(&self) -> &Path {
        self.0.as_ref()
    }
}

impl<T: AsRef<Path>> Drop for Scratch<T> {
    /// Leaves the list; the folder or file itself goes as its `tempfile` owner drops.
    fn drop(&mut self) {
        let path = self.0.as_ref();
        held().retain(|p| p != path);
    }
}

/// A new scratch folder named `PREFIX…` in `inside`, or in the system's temporary folder.
pub fn scratch_dir(prefix: &str, inside: Option<&Path>) -> Result<ScratchDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    let made = match inside {
        Some(dir) => builder.tempdir_in(dir).map_err(|e| Error::io(dir, e)),
        None => (builder.tempdir()).map_err(|e| Error::io(&std::env::temp_dir(), e)),
    }?;
    Ok(Scratch::hold(made))
}

/// A new scratch file named `PREFIX…` in the system's temporary folder, open for writing.
pub fn scratch_file(prefix: &str) -> Result<(File, ScratchFile)> {
    let made = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?;
    let (file, path) = made.into_parts();
    Ok((file, Scratch::hold(path)))
}

/// Removes every scratch folder and file still held, for a process about to exit without
/// running destructors. Best effort: what cannot be removed is left.
pub fn remove_scratch() {
    for path in held().drain(..) {
        let _ = match path.is_dir() {
            true => std::fs::remove_dir_all(&path),
            false => std::fs::remove_file(&path),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_goes_when_dropped_or_when_removed_at_once() {
        let (mut file, copy) = scratch_file("wordvec-test-").unwrap();
        std::io::Write::write_all(&mut file, b"text").unwrap();
        let dir = scratch_dir("wordvec-test-", None).unwrap();
        std::fs::write(dir.path().join("run.bin"), b"counts").unwrap();
        let (copy_path, dir_path) = (copy.path().to_path_buf(), dir.path().to_path_buf());
        assert!(held().contains(&copy_path) && held().contains(&dir_path));
        drop(copy);
        assert!(!copy_path.exists() && !held().contains(&copy_path));
        // A process exiting at once runs no destructors: the list is cleared first.
        remove_scratch();
        assert!(!dir_path.exists());
        std::mem::forget(dir);
    }
}
