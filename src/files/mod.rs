//! General file helpers, below everything that reads or writes: writes that complete or leave
//! nothing behind, and numbered lines for error messages. The formats live in [`crate::io`].

mod atomic;
mod lines;

pub use atomic::atomic_write;
pub use lines::numbered_lines;
