//! Line-oriented text files with line numbers for error messages.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::{Error, Result};

/// The lines of `path`, numbered from 1; invalid UTF-8 is an error naming the line.
pub fn numbered_lines(path: &Path) -> Result<impl Iterator<Item = Result<(u64, String)>> + '_> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(BufReader::new(file)
        .lines()
        .enumerate()
        .map(move |(i, line)| {
            let n = i as u64 + 1;
            line.map(|l| (n, l)).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => Error::parse(path, n, "invalid UTF-8"),
                _ => Error::io(path, e),
            })
        }))
}
