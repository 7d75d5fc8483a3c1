//! General file helpers, below everything that reads or writes: writes that complete or leave
//! nothing behind, numbered lines for error messages, the lock that keeps one run per folder, and
//! scratch space removed on every way out that runs code. The formats live in [`crate::io`].

mod atomic;
mod lines;
mod lock;
mod scratch;

pub use atomic::atomic_write;
pub use lines::numbered_lines;
pub use lock::{FolderLock, LOCK_FILE};
pub use scratch::{Scratch, ScratchDir, ScratchFile, remove_scratch, scratch_dir, scratch_file};
