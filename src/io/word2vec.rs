//! The word-vector formats in common use: word2vec's text (also fastText's `.vec`) and binary, and
//! GloVe's text (word2vec's text without the header line).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

use crate::files::atomic_write;

/// Which layout a vectors file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum VectorFormat {
    /// word2vec text, which fastText writes as `.vec`: a `count dim` header, then
    /// `word v1 … vD` per line.
    #[cfg_attr(feature = "cli", value(name = "word2vec-text", aliases = ["text", "fasttext-vec"]))]
    #[serde(alias = "word2vec-text")]
    Text,
    /// word2vec binary: a `count dim` header line, then `word ` and D little-endian f32 per row.
    #[cfg_attr(feature = "cli", value(name = "word2vec-binary", alias = "binary"))]
    #[serde(alias = "word2vec-binary")]
    Binary,
    /// GloVe's text: `word v1 … vD` per line, no header.
    #[cfg_attr(feature = "cli", value(name = "glove-text", alias = "glove"))]
    Glove,
}

impl VectorFormat {
    /// The format a file name implies: `.bin` is binary, anything else text.
    pub fn from_extension(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("bin") => VectorFormat::Binary,
            _ => VectorFormat::Text,
        }
    }

    /// Tells the format from the content: a first line that is not a `count dim` header starts
    /// a GloVe file; after a header, binary rows hold raw floats, which are almost never a run
    /// of printable text.
    pub fn sniff(path: &Path) -> Result<Self> {
        let mut head = Vec::new();
        std::fs::File::open(path)
            .map_err(|e| Error::io(path, e))?
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(path, e))?;
        let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
        if !first.is_empty() && !is_header(first) && looks_like_row(first) {
            return Ok(VectorFormat::Glove);
        }
        let body = match head.iter().position(|&b| b == b'\n') {
            Some(i) => &head[i + 1..],
            None => &[][..],
        };
        let cut = match std::str::from_utf8(body) {
            Ok(_) => return Ok(VectorFormat::Text),
            Err(e) => e,
        };
        // Only a multi-byte character cut by the 4 KiB window is still text.
        if cut.error_len().is_none() && head.len() == 4096 {
            Ok(VectorFormat::Text)
        } else {
            Ok(VectorFormat::Binary)
        }
    }
}

/// Whether a line is word2vec's `count dim` header.
fn is_header(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    fields.len() == 2 && fields.iter().all(|f| f.parse::<u64>().is_ok())
}

/// Whether a line reads as `word v1 … vD` with at least one number.
fn looks_like_row(line: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let mut fields = text.split_ascii_whitespace().skip(1).peekable();
    fields.peek().is_some() && fields.all(|f| f.parse::<f32>().is_ok())
}

/// Largest vector dimension a reader accepts: far above any real model, low enough that a corrupt
/// header cannot make a row buffer exhaust memory.
const MAX_DIM: usize = 1 << 16;

/// Reads word vectors, telling text from binary by the content when `format` is `None`; a
/// fastText `.bin` model gives its words' composed vectors.
pub fn read_vectors(path: &Path, format: Option<VectorFormat>) -> Result<Embeddings> {
    if format.is_none() && super::is_fasttext(path)? {
        return Ok(super::read_fasttext(path)?.word_vectors());
    }
    let format = match format {
        Some(f) => f,
        None => VectorFormat::sniff(path)?,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let (words, data, dim) = match format {
        VectorFormat::Glove => read_glove_rows(path, &mut reader)?,
        VectorFormat::Text | VectorFormat::Binary => {
            let (rows, dim) = read_header(path, &mut reader)?;
            let (words, data) = match format {
                VectorFormat::Binary => read_binary_rows(path, &mut reader, rows, dim)?,
                _ => read_text_rows(path, &mut reader, rows, dim, 1)?,
            };
            (words, data, dim)
        }
    };
    Embeddings::new(words, dim, data).map_err(|m| Error::invalid(path, m))
}

pub(super) fn read_header(path: &Path, reader: &mut impl BufRead) -> Result<(usize, usize)> {
    let mut line = Vec::new();
    reader
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::io(path, e))?;
    if line.is_empty() {
        return Err(Error::invalid(path, "the vectors file is empty"));
    }
    let text = String::from_utf8_lossy(&line);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let parsed = match fields.as_slice() {
        [r, d] => r.parse::<usize>().ok().zip(d.parse::<usize>().ok()),
        _ => None,
    };
    match parsed {
        Some((_, d)) if d > MAX_DIM => Err(Error::parse(
            path,
            1,
            format!("dimension {d} is implausible (more than {MAX_DIM}); is this a vectors file?"),
        )),
        Some((r, d)) if r > 0 && d > 0 => Ok((r, d)),
        _ => Err(Error::parse(
            path,
            1,
            "expected a word2vec header `count dimension` (two positive whole numbers)",
        )),
    }
}

/// Buffers for the rows, pre-sized from the header only up to a modest bound: the header is
/// untrusted, and a file claiming billions of rows must fail on its content, not on allocation.
fn row_buffers(rows: usize, dim: usize) -> (Vec<String>, Vec<f32>) {
    (
        Vec::with_capacity(rows.min(1 << 16)),
        Vec::with_capacity(rows.saturating_mul(dim).min(1 << 22)),
    )
}

fn check_value(path: &Path, line: u64, word: &str, v: f32) -> Result<f32> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::parse(
            path,
            line,
            format!("vector of '{word}' holds a non-finite value ({v})"),
        ))
    }
}

/// GloVe's headerless text: the first row sets the dimension; the file's end is the row count.
fn read_glove_rows(
    path: &Path,
    reader: &mut impl BufRead,
) -> Result<(Vec<String>, Vec<f32>, usize)> {
    let mut first = String::new();
    reader.read_line(&mut first).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::parse(path, 1, "invalid UTF-8"),
        _ => Error::io(path, e),
    })?;
    if first.trim().is_empty() {
        return Err(Error::invalid(path, "the vectors file is empty"));
    }
    let dim = first.split_ascii_whitespace().count() - 1;
    if dim == 0 {
        return Err(Error::parse(
            path,
            1,
            "expected `word v1 … vD`, found a word alone",
        ));
    }
    if dim > MAX_DIM {
        return Err(Error::parse(
            path,
            1,
            format!("{dim} values on a row is implausible (more than {MAX_DIM})"),
        ));
    }
    let rest = std::io::Cursor::new(first.into_bytes()).chain(reader);
    let (words, data) = read_text_rows(path, &mut BufReader::new(rest), usize::MAX, dim, 0)?;
    Ok((words, data, dim))
}

/// Rows of `word v1 … vD`, at most `rows` of them (exactly `rows` unless it is `usize::MAX`);
/// `lines_before` lines precede them in the file, for the line numbers of errors.
fn read_text_rows(
    path: &Path,
    reader: &mut impl BufRead,
    rows: usize,
    dim: usize,
    lines_before: u64,
) -> Result<(Vec<String>, Vec<f32>)> {
    let (mut words, mut data) = row_buffers(rows, dim);
    let mut line = String::new();
    let mut n = lines_before;
    loop {
        line.clear();
        let read = reader.read_line(&mut line).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::parse(
                path,
                n + 1,
                "invalid UTF-8; is this a binary file? (try --format binary)",
            ),
            _ => Error::io(path, e),
        })?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.trim().is_empty() {
            continue;
        }
        if words.len() == rows {
            return Err(Error::parse(
                path,
                n,
                format!("more rows than the {rows} the header announces"),
            ));
        }
        let mut fields = line.split_ascii_whitespace();
        let word = fields.next().expect("line is not blank");
        let mut width = 0;
        for field in fields {
            width += 1;
            if width <= dim {
                let v: f32 = field.parse().map_err(|_| {
                    Error::parse(
                        path,
                        n,
                        format!("'{field}' is not a number (vector of '{word}')"),
                    )
                })?;
                data.push(check_value(path, n, word, v)?);
            }
        }
        if width != dim {
            return Err(Error::parse(
                path,
                n,
                format!(
                    "vector of '{word}' has {width} values, not {dim} as the first row and the header say"
                ),
            ));
        }
        words.push(word.to_string());
    }
    if words.len() != rows && rows != usize::MAX {
        return Err(Error::invalid(
            path,
            format!(
                "the header announces {rows} rows but the file holds {}: truncated?",
                words.len()
            ),
        ));
    }
    Ok((words, data))
}

fn read_binary_rows(
    path: &Path,
    reader: &mut impl BufRead,
    rows: usize,
    dim: usize,
) -> Result<(Vec<String>, Vec<f32>)> {
    let (mut words, mut data) = row_buffers(rows, dim);
    let mut word = Vec::new();
    let mut raw = vec![0u8; dim * 4];
    for row in 0..rows {
        word.clear();
        reader
            .read_until(b' ', &mut word)
            .map_err(|e| Error::io(path, e))?;
        if word.last() != Some(&b' ') {
            return Err(Error::invalid(
                path,
                format!(
                    "truncated: the header announces {rows} rows but row {} is cut short",
                    row + 1
                ),
            ));
        }
        word.pop();
        // Rows may be separated by a newline (gensim and word2vec write one).
        let start = word.iter().position(|&b| b != b'\n').unwrap_or(word.len());
        let w = std::str::from_utf8(&word[start..]).map_err(|_| {
            Error::invalid(
                path,
                format!("row {}: the word is not valid UTF-8", row + 1),
            )
        })?;
        if w.is_empty() {
            return Err(Error::invalid(path, format!("row {}: empty word", row + 1)));
        }
        reader.read_exact(&mut raw).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Error::invalid(
                path,
                format!(
                    "truncated: row {} ('{w}') has fewer than {dim} values",
                    row + 1
                ),
            ),
            _ => Error::io(path, e),
        })?;
        for chunk in raw.chunks_exact(4) {
            let v = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
            if !v.is_finite() {
                return Err(Error::invalid(
                    path,
                    format!("row {} ('{w}') holds a non-finite value", row + 1),
                ));
            }
            data.push(v);
        }
        words.push(w.to_string());
    }
    Ok((words, data))
}

/// Writes vectors in `format`, atomically.
pub fn write_vectors(path: &Path, embeddings: &Embeddings, format: VectorFormat) -> Result<()> {
    let dim = embeddings.dim();
    atomic_write(path, |w| {
        if format != VectorFormat::Glove {
            writeln!(w, "{} {}", embeddings.len(), dim)?;
        }
        for (i, word) in embeddings.words().iter().enumerate() {
            let row = embeddings.row(i);
            match format {
                VectorFormat::Text | VectorFormat::Glove => {
                    w.write_all(word.as_bytes())?;
                    for v in row {
                        write!(w, " {v}")?;
                    }
                    w.write_all(b"\n")?;
                }
                VectorFormat::Binary => {
                    w.write_all(word.as_bytes())?;
                    w.write_all(b" ")?;
                    for v in row {
                        w.write_all(&v.to_le_bytes())?;
                    }
                    w.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Embeddings {
        Embeddings::new(
            vec!["the".into(), "cat".into(), "naïve".into()],
            3,
            vec![0.1, -2.5, 3.0e-7, 1.0, 0.0, -0.333_333_34, 7.0, 8.5, -9.25],
        )
        .unwrap()
    }

    #[test]
    fn round_trips_both_formats_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for (name, format) in [
            ("v.txt", VectorFormat::Text),
            ("v.bin", VectorFormat::Binary),
            ("glove.txt", VectorFormat::Glove),
        ] {
            let p = dir.path().join(name);
            write_vectors(&p, &sample(), format).unwrap();
            for f in [Some(format), None] {
                let back = read_vectors(&p, f).unwrap();
                assert_eq!(back.words(), sample().words());
                assert_eq!(back.data(), sample().data(), "{name} {f:?}");
            }
        }
    }

    fn err_of(text: &[u8], format: Option<VectorFormat>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.vec");
        std::fs::write(&p, text).unwrap();
        read_vectors(&p, format).unwrap_err().to_string()
    }

    #[test]
    fn bad_text_files_are_named_with_line() {
        let cases: [(&[u8], &str); 10] = [
            (b"", "empty"),
            (b"hello world\n", "bad.vec:1"),
            (b"2 2\na 1 2\nb 1\n", "bad.vec:3"),
            (b"2 2\na 1 2\nb 1 x\n", "'x' is not a number"),
            (b"2 2\na 1 2\nb 1 NaN\n", "non-finite"),
            (b"3 2\na 1 2\nb 1 2\n", "truncated"),
            (b"1 2\na 1 2\nb 1 2\n", "more rows"),
            (b"2 2\na 1 2\na 3 4\n", "twice"),
            (b"99999999999999 2\na 1 2\n", "truncated"),
            (b"1 99999999999\na 1 2\n", "implausible"),
        ];
        for (text, expect) in cases {
            let e = err_of(text, Some(VectorFormat::Text));
            assert!(e.contains("bad.vec") && e.contains(expect), "{expect}: {e}");
        }
    }

    #[test]
    fn glove_files_are_recognised_and_checked_row_by_row() {
        let cases: [(&[u8], &str); 4] = [
            (b"a 1 2\nb 1\n", "bad.vec:2"),
            (b"a 1 2\nb 1 2 3\n", "bad.vec:2"),
            (b"a 1 2\nb 1 zz\n", "'zz' is not a number"),
            (b"a 1 2\na 3 4\n", "twice"),
        ];
        for (text, expect) in cases {
            for format in [Some(VectorFormat::Glove), None] {
                let e = err_of(text, format);
                assert!(e.contains("bad.vec") && e.contains(expect), "{expect}: {e}");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.txt");
        std::fs::write(&p, "the 0.5 -1\nof 2 3e-7\n").unwrap();
        let e = read_vectors(&p, None).unwrap();
        assert_eq!(e.words(), ["the", "of"]);
        assert_eq!(e.data(), [0.5, -1.0, 2.0, 3e-7]);
    }

    #[test]
    fn truncated_binary_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.bin");
        write_vectors(&p, &sample(), VectorFormat::Binary).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 6]).unwrap();
        let e = read_vectors(&p, Some(VectorFormat::Binary))
            .unwrap_err()
            .to_string();
        assert!(e.contains("v.bin") && e.contains("truncated"), "{e}");
    }

    #[test]
    fn binary_read_as_text_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.txt");
        write_vectors(&p, &sample(), VectorFormat::Binary).unwrap();
        let e = read_vectors(&p, Some(VectorFormat::Text))
            .unwrap_err()
            .to_string();
        assert!(e.contains("v.txt:"), "{e}");
    }
}
