//! fastText's `.bin` model, the format fastText 0.9 saves and gensim's `load_facebook_model`
//! reads: its magic number and version, the training arguments, the dictionary, the input matrix
//! (the words' rows then the n-gram buckets') and the output matrix, all little-endian as
//! fastText writes them on every machine it runs on. Quantized models (`.ftz`) and supervised
//! ones (labels) are refused with the reason.

use std::borrow::Cow;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::files::atomic_write;
use crate::model::{SubwordBags, Subwords};

/// fastText's `FASTTEXT_FILEFORMAT_MAGIC_INT32`.
const MAGIC: i32 = 793_712_314;
/// The version fastText 0.9 writes; older ones it still reads start at 11.
const VERSION: i32 = 12;
/// Largest dimension read: a corrupt header cannot make a row exhaust memory.
const MAX_DIM: usize = 1 << 16;

/// fastText's `model_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastTextModelKind {
    Cbow = 1,
    SkipGram = 2,
    Supervised = 3,
}

/// fastText's `loss_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastTextLoss {
    Hierarchical = 1,
    Negative = 2,
    Softmax = 3,
    OneVsAll = 4,
}

/// The training arguments a `.bin` carries (fastText's `Args::save`).
#[derive(Debug, Clone, PartialEq)]
pub struct FastTextArgs {
    pub dim: usize,
    pub window: usize,
    pub epochs: usize,
    pub min_count: u64,
    pub negative: usize,
    pub word_ngrams: usize,
    pub loss: FastTextLoss,
    pub model: FastTextModelKind,
    pub subwords: Subwords,
    pub lr_update_rate: usize,
    pub sample: f64,
}

/// A fastText model: its arguments, its words with their counts (most frequent first), the
/// corpus's token count, and its matrices, row-major: `input` [words + bucket, dim], `output`
/// [rows, dim] (one a word under negative sampling) — owned when read, borrowed from a run's
/// weights when written, so that a 2,000,000-bucket model is not copied on its way to the file.
#[derive(Debug, Clone, PartialEq)]
pub struct FastTextModel<'m> {
    pub args: FastTextArgs,
    pub words: Vec<String>,
    pub counts: Vec<u64>,
    pub tokens: u64,
    pub input: Cow<'m, [f32]>,
    pub output: Cow<'m, [f32]>,
}

impl FastTextModel<'_> {
    /// The n-gram settings, for composing vectors; fastText takes n-grams only when `maxn` is
    /// above 0.
    fn bags(&self) -> SubwordBags {
        SubwordBags::new(self.args.subwords, self.words.iter().map(String::as_str))
    }

    /// Each word's vector as `fasttext print-word-vectors` gives it: the mean of its row and
    /// its n-grams' rows.
    pub fn word_vectors(&self) -> Embeddings {
        let vectors = self.bags().compose(&self.input, self.args.dim);
        Embeddings::new(self.words.clone(), self.args.dim, vectors)
            .expect("a model's words were checked for repeats when read or trained")
    }

    /// The buckets' rows, [bucket, dim].
    pub fn ngram_rows(&self) -> &[f32] {
        &self.input[self.words.len() * self.args.dim..]
    }
}

/// Floats converted to bytes at once when a matrix is written.
const BLOCK_FLOATS: usize = 1 << 16;

/// Writes `model` as fastText's `.bin`, whole or not at all.
pub fn write_fasttext(path: &Path, model: &FastTextModel<'_>) -> Result<()> {
    let a = &model.args;
    atomic_write(path, |file| {
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let int = |w: &mut BufWriter<_>, v: i64| w.write_all(&(v as i32).to_le_bytes());
        int(&mut w, MAGIC as i64)?;
        int(&mut w, VERSION as i64)?;
        for v in [a.dim, a.window, a.epochs, a.min_count as usize, a.negative] {
            int(&mut w, v as i64)?;
        }
        int(&mut w, a.word_ngrams as i64)?;
        int(&mut w, a.loss as i64)?;
        int(&mut w, a.model as i64)?;
        let s = a.subwords;
        for v in [s.bucket, s.minn, s.maxn, a.lr_update_rate] {
            int(&mut w, v as i64)?;
        }
        w.write_all(&a.sample.to_le_bytes())?;
        // The dictionary: size, words, labels, tokens, no pruning (-1), then each entry.
        let words = model.words.len() as i64;
        int(&mut w, words)?;
        int(&mut w, words)?;
        int(&mut w, 0)?;
        w.write_all(&(model.tokens as i64).to_le_bytes())?;
        w.write_all(&(-1i64).to_le_bytes())?;
        for (word, &count) in model.words.iter().zip(&model.counts) {
            w.write_all(word.as_bytes())?;
            w.write_all(&[0])?;
            w.write_all(&(count as i64).to_le_bytes())?;
            w.write_all(&[0])?; // entry_type::word
        }
        for matrix in [&model.input, &model.output] {
            w.write_all(&[0])?; // not quantized
            let rows = matrix.len() / a.dim;
            w.write_all(&(rows as i64).to_le_bytes())?;
            w.write_all(&(a.dim as i64).to_le_bytes())?;
            // Little-endian floats a block at a time: a write per float is most of the time a
            // 2,000,000-bucket model takes to save.
            let mut block = Vec::with_capacity(4 * BLOCK_FLOATS);
            for floats in matrix.chunks(BLOCK_FLOATS) {
                block.clear();
                block.extend(floats.iter().flat_map(|v| v.to_le_bytes()));
                w.write_all(&block)?;
            }
        }
        w.flush()
    })
}

/// Whether the file starts as fastText's `.bin` does.
pub fn is_fasttext(path: &Path) -> Result<bool> {
    let mut head = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    match file.read_exact(&mut head) {
        Ok(()) => Ok(i32::from_le_bytes(head) == MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Reads a fastText `.bin` model (ours or fastText's own, version 11 or 12), checking every size
/// against the file before it allocates.
pub fn read_fasttext(path: &Path) -> Result<FastTextModel<'static>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let length = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 20, file),
        path,
        offset: 0,
        length,
    };
    if r.i32("magic number")? != MAGIC {
        return Err(r.bad(0, "not a fastText model (its magic number is missing)"));
    }
    let version = r.i32("version")?;
    if !(11..=VERSION).contains(&version) {
        return Err(r.bad(
            4,
            &format!("fastText format version {version}; this reads 11 and 12"),
        ));
    }
    let dim = r.count("dim", MAX_DIM)?;
    if dim == 0 {
        return Err(r.bad(8, "dim 0"));
    }
    let window = r.count("ws", usize::MAX)?;
    let epochs = r.count("epoch", usize::MAX)?;
    let min_count = r.count("minCount", usize::MAX)? as u64;
    let negative = r.count("neg", usize::MAX)?;
    let word_ngrams = r.count("wordNgrams", usize::MAX)?;
    let loss = match r.i32("loss")? {
        1 => FastTextLoss::Hierarchical,
        2 => FastTextLoss::Negative,
        3 => FastTextLoss::Softmax,
        4 => FastTextLoss::OneVsAll,
        other => return Err(r.bad(r.offset - 4, &format!("unknown loss {other}"))),
    };
    let model = match r.i32("model")? {
        1 => FastTextModelKind::Cbow,
        2 => FastTextModelKind::SkipGram,
        3 => FastTextModelKind::Supervised,
        other => return Err(r.bad(r.offset - 4, &format!("unknown model {other}"))),
    };
    let bucket = r.count("bucket", usize::MAX)?;
    let minn = r.count("minn", usize::MAX)?;
    let mut maxn = r.count("maxn", usize::MAX)?;
    let lr_update_rate = r.count("lrUpdateRate", usize::MAX)?;
    let sample = f64::from_le_bytes(r.bytes::<8>("t")?);
    // fastText's own rule: version-11 supervised models took no n-grams.
    if version == 11 && model == FastTextModelKind::Supervised {
        maxn = 0;
    }
    let size = r.count("dictionary size", usize::MAX)?;
    let nwords = r.count("word count", size)?;
    let labels = r.count("label count", usize::MAX)?;
    if labels > 0 || model == FastTextModelKind::Supervised {
        return Err(r.bad(
            r.offset,
            "a supervised (classification) model: this reads word-vector models",
        ));
    }
    let tokens = r.i64("token count")? as u64;
    let pruned = r.i64("pruned index size")?;
    if pruned > 0 {
        return Err(r.bad(
            r.offset,
            "a pruned, quantized model (.ftz): use the .bin fastText saves before quantizing",
        ));
    }
    let mut words = Vec::with_capacity(nwords.min(1 << 24));
    let mut counts = Vec::with_capacity(nwords.min(1 << 24));
    for i in 0..size {
        let at = r.offset;
        let word = r.word()?;
        let count = r.i64("word count")?;
        let kind = r.bytes::<1>("entry type")?[0];
        if kind != 0 || count < 0 {
            return Err(r.bad(at, &format!("dictionary entry {i} is not a word")));
        }
        words.push(word);
        counts.push(count as u64);
    }
    let input = r.matrix("input", dim)?;
    let output = r.matrix("output", dim)?;
    let subwords = Subwords { minn, maxn, bucket };
    if input.len() != (nwords + bucket) * dim {
        return Err(r.bad(
            r.offset,
            &format!(
                "the input matrix has {} rows; {nwords} words and {bucket} buckets make {}",
                input.len() / dim,
                nwords + bucket
            ),
        ));
    }
    let model = FastTextModel {
        args: FastTextArgs {
            dim,
            window,
            epochs,
            min_count,
            negative,
            word_ngrams,
            loss,
            model,
            subwords,
            lr_update_rate,
            sample,
        },
        words,
        counts,
        tokens,
        input: Cow::Owned(input),
        output: Cow::Owned(output),
    };
    if let Err(message) = Embeddings::new(model.words.clone(), 1, vec![0.0; nwords]) {
        return Err(r.bad(0, &format!("its dictionary: {message}")));
    }
    Ok(model)
}

/// A `.bin` being read: where it is, for errors that name the byte.
struct Reader<'p> {
    inner: BufReader<std::fs::File>,
    path: &'p Path,
    offset: u64,
    length: u64,
}

impl Reader<'_> {
    fn bad(&self, offset: u64, message: &str) -> Error {
        Error::invalid(self.path, format!("byte {offset}: {message}"))
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut buf = [0u8; N];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    self.bad(self.offset, &format!("the file ends inside its {what}"))
                }
                _ => Error::io(self.path, e),
            })?;
        self.offset += N as u64;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32> {
        Ok(i32::from_le_bytes(self.bytes::<4>(what)?))
    }

    fn i64(&mut self, what: &str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.bytes::<8>(what)?))
    }

    /// A non-negative i32 no larger than `most`.
    fn count(&mut self, what: &str, most: usize) -> Result<usize> {
        let at = self.offset;
        let v = self.i32(what)?;
        match usize::try_from(v) {
            Ok(v) if v <= most => Ok(v),
            _ => Err(self.bad(at, &format!("{what} {v} is out of range"))),
        }
    }

    /// A NUL-terminated word, UTF-8.
    fn word(&mut self) -> Result<String> {
        let at = self.offset;
        let mut bytes = Vec::new();
        loop {
            let b = self.bytes::<1>("dictionary")?[0];
            if b == 0 {
                break;
            }
            bytes.push(b);
        }
        String::from_utf8(bytes).map_err(|_| self.bad(at, "a word that is not UTF-8"))
    }

    /// A dense matrix: its quantized flag, rows and columns (i64), then the floats.
    fn matrix(&mut self, what: &str, dim: usize) -> Result<Vec<f32>> {
        if self.bytes::<1>("quantization flag")?[0] != 0 {
            return Err(self.bad(
                self.offset - 1,
                &format!("its {what} matrix is quantized (.ftz): use the .bin fastText saves before quantizing"),
            ));
        }
        let at = self.offset;
        let (rows, cols) = (self.i64("matrix rows")?, self.i64("matrix columns")?);
        let left = self.length.saturating_sub(self.offset);
        let fits = |n: i64| u64::try_from(n).ok();
        let size = fits(rows)
            .zip(fits(cols))
            .and_then(|(r, c)| r.checked_mul(c)?.checked_mul(4));
        match size {
            Some(bytes) if cols as usize == dim && bytes <= left => {}
            _ => {
                return Err(self.bad(
                    at,
                    &format!("its {what} matrix is {rows} × {cols}: not {dim} wide, or longer than the file"),
                ));
            }
        }
        let mut data = vec![0.0f32; rows as usize * dim];
        let mut raw = vec![0u8; dim * 4];
        for row in data.chunks_exact_mut(dim) {
            self.inner
                .read_exact(&mut raw)
                .map_err(|e| Error::io(self.path, e))?;
            for (v, b) in row.iter_mut().zip(raw.chunks_exact(4)) {
                *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        self.offset += (rows as u64) * (dim as u64) * 4;
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> FastTextModel<'static> {
        let subwords = Subwords {
            minn: 2,
            maxn: 3,
            bucket: 5,
        };
        let dim = 3;
        FastTextModel {
            args: FastTextArgs {
                dim,
                window: 5,
                epochs: 5,
                min_count: 1,
                negative: 5,
                word_ngrams: 1,
                loss: FastTextLoss::Negative,
                model: FastTextModelKind::SkipGram,
                subwords,
                lr_update_rate: 100,
                sample: 1e-3,
            },
            words: vec!["the".into(), "café".into()],
            counts: vec![9, 4],
            tokens: 13,
            input: (0..7 * dim).map(|i| i as f32 / 10.0).collect(),
            output: (0..2 * dim).map(|i| -(i as f32)).collect(),
        }
    }

    #[test]
    fn a_written_model_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        write_fasttext(&path, &model()).unwrap();
        assert!(is_fasttext(&path).unwrap());
        assert_eq!(read_fasttext(&path).unwrap(), model());
        let vectors = model().word_vectors();
        let bag = SubwordBags::new(model().args.subwords, ["the", "café"].into_iter());
        assert_eq!(vectors.row(1), &bag.compose(&model().input, 3)[3..]);
    }

    #[test]
    fn truncated_and_foreign_files_are_refused_naming_the_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        write_fasttext(&path, &model()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 7]).unwrap();
        let e = read_fasttext(&path).unwrap_err().to_string();
        assert!(e.contains("m.bin") && e.contains("output matrix"), "{e}");
        std::fs::write(&path, b"2 3\nthe 1 2 3\n").unwrap();
        assert!(!is_fasttext(&path).unwrap());
        let e = read_fasttext(&path).unwrap_err().to_string();
        assert!(e.contains("byte 0") && e.contains("magic"), "{e}");
        let mut quantized = bytes.clone();
        let flag = quantized.len() - (7 * 3 * 4 + 16) - (2 * 3 * 4 + 16 + 1) - 1;
        quantized[flag] = 1;
        std::fs::write(&path, &quantized).unwrap();
        let e = read_fasttext(&path).unwrap_err().to_string();
        assert!(e.contains("quantized"), "{e}");
    }
}
