//! GloVe's co-occurrence file, as the reference's `cooccur` writes it and its `shuffle` and
//! `glove` read it: `CREC` records of a word id and a context id (i32, counted from 1 in the
//! vocabulary's order) and their weighted count (f64), little-endian, no header.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::sampling::Cooccurrence;

/// Bytes per record.
pub const COOCCURRENCE_RECORD_BYTES: usize = 16;

/// Writes `c` (ids from 0) as one record (ids from 1).
pub fn write_cooccurrence(w: &mut impl Write, c: &Cooccurrence) -> std::io::Result<()> {
    let mut record = [0u8; COOCCURRENCE_RECORD_BYTES];
    record[..4].copy_from_slice(&(c.i as i32 + 1).to_le_bytes());
    record[4..8].copy_from_slice(&(c.j as i32 + 1).to_le_bytes());
    record[8..].copy_from_slice(&c.x.to_le_bytes());
    w.write_all(&record)
}

/// Every record of `path`, ids back from 0; a cut record, an id below 1 or a count that is not a
/// positive number is an error naming the record.
pub fn read_cooccurrences(path: &Path) -> Result<Vec<Cooccurrence>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !bytes.len().is_multiple_of(COOCCURRENCE_RECORD_BYTES) {
        return Err(Error::invalid(
            path,
            format!(
                "{} bytes is not a whole number of {COOCCURRENCE_RECORD_BYTES}-byte records: the last one is cut short",
                bytes.len()
            ),
        ));
    }
    bytes
        .chunks_exact(COOCCURRENCE_RECORD_BYTES)
        .enumerate()
        .map(|(n, record)| {
            let i = i32::from_le_bytes(record[..4].try_into().expect("4 bytes"));
            let j = i32::from_le_bytes(record[4..8].try_into().expect("4 bytes"));
            let x = f64::from_le_bytes(record[8..].try_into().expect("8 bytes"));
            if i < 1 || j < 1 || !(x.is_finite() && x > 0.0) {
                return Err(Error::invalid(
                    path,
                    format!("record {} ({i}, {j}, {x}) is not a word id, a context id (from 1) and a positive count", n + 1),
                ));
            }
            Ok(Cooccurrence {
                i: i as u32 - 1,
                j: j as u32 - 1,
                x,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_with_ids_from_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("co.bin");
        let counts = [
            Cooccurrence { i: 0, j: 2, x: 1.5 },
            Cooccurrence {
                i: 7,
                j: 0,
                x: 0.25,
            },
        ];
        let mut bytes = Vec::new();
        for c in &counts {
            write_cooccurrence(&mut bytes, c).unwrap();
        }
        assert_eq!(&bytes[..4], &1i32.to_le_bytes(), "ids count from 1");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_cooccurrences(&path).unwrap(), counts);
        std::fs::write(&path, &bytes[..20]).unwrap();
        let e = read_cooccurrences(&path).unwrap_err().to_string();
        assert!(e.contains("co.bin") && e.contains("cut short"), "{e}");
        bytes[..4].copy_from_slice(&0i32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let e = read_cooccurrences(&path).unwrap_err().to_string();
        assert!(e.contains("record 1"), "{e}");
    }
}
