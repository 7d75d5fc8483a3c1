//! Streams whitespace-separated tokens from one or more files in bounded memory, whatever the line
//! length (text8 is a single 100 MB line), and splits the byte range among training threads.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compression::Compression;
use super::encoding::not_utf16;
use super::fingerprint::FileFingerprint;
use super::phrases::{Joiner, Joining, PhraseTable};
pub use super::tokenize::Tokenizer;
use super::tokenize::{Lowercasing, UnicodeWords};
pub use super::tokens::{MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES, TokenSink};
use crate::error::{Error, Result};
use crate::files::{ScratchFile, scratch_file};

const READ_CHUNK: usize = 1 << 20;

/// The training text: one or more files read as one stream.
#[derive(Debug, Clone)]
pub struct Corpus {
    files: Vec<CorpusFile>,
    /// Fold every token to lower case (Unicode's rules) before anyone sees it.
    lowercase: bool,
    /// How text is cut into tokens.
    tokenizer: Tokenizer,
    /// Phrases to join, after folding (`--phrases`).
    phrases: Option<Arc<Joiner>>,
    /// Standard input (`-`) and pipes (`<(zcat a.gz)`), each with the copy in a temporary file
    /// that every pass reads; removed when the last clone of the corpus goes.
    spooled: Vec<(PathBuf, Arc<ScratchFile>)>,
}

/// The name that stands for standard input among the corpus paths.
pub const STDIN: &str = "-";

/// One file of a corpus: its size on disk (what threads split) and its compression.
#[derive(Debug, Clone)]
struct CorpusFile {
    path: PathBuf,
    len: u64,
    compression: Option<Compression>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl Corpus {
    /// Checks that every file exists and that the corpus is not empty.
    pub fn open<P: AsRef<Path>>(paths: &[P]) -> Result<Self> {
        if paths.is_empty() {
            return Err(Error::Config("no corpus file given".into()));
        }
        let mut files = Vec::new();
        let mut spooled: Vec<(PathBuf, Arc<ScratchFile>)> = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let copy = if path == Path::new(STDIN) {
                if spooled.iter().any(|(p, _)| p == path) {
                    return Err(Error::Config("standard input (-) is named twice".into()));
                }
                spool(&mut std::io::stdin().lock(), path)?
            } else if is_pipe(path) {
                let mut pipe = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                spool(&mut pipe, path)?
            } else {
                add_files(path, &mut files)?;
                continue;
            };
            add_files(copy.path(), &mut files)?;
            spooled.push((path.to_path_buf(), Arc::new(copy)));
        }
        if files.is_empty() {
            let path = paths[0].as_ref();
            return Err(Error::invalid(path, "the folder holds no files"));
        }
        let corpus = Corpus {
            lowercase: false,
            tokenizer: Tokenizer::Whitespace,
            phrases: None,
            files,
            spooled,
        };
        if corpus.total_bytes() == 0 {
            return Err(Error::invalid(&corpus.files[0].path, "the corpus is empty"));
        }
        Ok(corpus)
    }

    /// Each file's size and sampled content, in reading order, for checkpoints.
    pub fn fingerprint(&self) -> Result<Vec<FileFingerprint>> {
        self.files
            .iter()
            .map(|f| FileFingerprint::of(&f.path))
            .collect()
    }

    /// The streams the corpus reads ("standard input", pipes by their paths), each with where
    /// it was copied.
    pub fn spooled(&self) -> impl Iterator<Item = (String, &Path)> {
        self.spooled.iter().map(|(p, copy)| {
            let name = match p == Path::new(STDIN) {
                true => "standard input".to_string(),
                false => p.display().to_string(),
            };
            (name, copy.path())
        })
    }

    /// The same corpus cut into tokens by `tokenizer`.
    pub fn tokenized(mut self, tokenizer: Tokenizer) -> Self {
        self.tokenizer = tokenizer;
        self
    }

    /// The same corpus read with every token lower-cased (`--lowercase`), or not.
    pub fn lowercased(mut self, lowercase: bool) -> Self {
        self.lowercase = lowercase;
        self
    }

    /// The same corpus read with `table`'s phrases joined (`--phrases`), or none.
    pub fn joined(mut self, table: Option<&PhraseTable>) -> Self {
        self.phrases = table.map(|t| Arc::new(Joiner::new(t)));
        self
    }

    /// The files, in reading order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// Size of all files together on disk: threads split this range.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }

    /// The byte range thread `part` of `parts` trains on; the parts tile the corpus. A compressed
    /// file cannot be entered midway: the part holding its first byte reads all of it.
    pub fn part(&self, part: usize, parts: usize) -> std::ops::Range<u64> {
        let total = self.total_bytes() as u128;
        let start = total * part as u128 / parts as u128;
        let end = total * (part as u128 + 1) / parts as u128;
        start as u64..end as u64
    }

    /// [`Corpus::part`] moved to whole lines: each end of the part in a plain file goes to the
    /// start of the line it falls in, so no line is split between parts (a phrase candidate
    /// spans two words of a line). Compressed files are read whole by one part already.
    pub fn line_part(&self, part: usize, parts: usize) -> Result<std::ops::Range<u64>> {
        let range = self.part(part, parts);
        Ok(self.line_start(range.start)?..self.line_start(range.end)?)
    }

    /// The first line start at or after byte `offset` of the concatenated files (a file's start
    /// is one; inside a compressed file, `offset` itself).
    fn line_start(&self, offset: u64) -> Result<u64> {
        let mut file_start = 0u64;
        for file in &self.files {
            let file_end = file_start + file.len;
            if offset <= file_start || offset >= file_end || file.compression.is_some() {
                file_start = file_end;
                continue;
            }
            // Read from the byte before `offset` to the next line break.
            let mut reader = File::open(&file.path).map_err(|e| Error::io(&file.path, e))?;
            let mut pos = offset - 1 - file_start;
            reader
                .seek(SeekFrom::Start(pos))
                .map_err(|e| Error::io(&file.path, e))?;
            let mut buf = [0u8; 4096];
            loop {
                let n = reader
                    .read(&mut buf)
                    .map_err(|e| Error::io(&file.path, e))?;
                if n == 0 {
                    return Ok(file_end);
                }
                if let Some(i) = buf[..n].iter().position(|&b| b == b'\n') {
                    return Ok(file_start + pos + i as u64 + 1);
                }
                pos += n as u64;
            }
        }
        Ok(offset)
    }

    /// Streams every token whose first byte lies in `range` of the concatenated files (folded to
    /// lower case if the corpus says so). Files are separated as if by a line break. Line
    /// numbers are exact when the range starts a file.
    pub fn scan(&self, range: std::ops::Range<u64>, sink: &mut impl TokenSink) -> Result<()> {
        match self.tokenizer {
            Tokenizer::Whitespace => self.scan_folded(range, sink),
            Tokenizer::Unicode => self.scan_folded(range, &mut UnicodeWords::new(sink)),
        }
    }

    /// [`Corpus::scan`] after tokenizing: folds to lower case if the corpus says so, then joins
    /// its phrases.
    fn scan_folded(&self, range: std::ops::Range<u64>, sink: &mut impl TokenSink) -> Result<()> {
        match &self.phrases {
            Some(joiner) => {
                let mut joining = Joining::new(sink, joiner);
                self.scan_lowercased(range, &mut joining)?;
                joining.flush()
            }
            None => self.scan_lowercased(range, sink),
        }
    }

    fn scan_lowercased(
        &self,
        range: std::ops::Range<u64>,
        sink: &mut impl TokenSink,
    ) -> Result<()> {
        match self.lowercase {
            true => self.scan_files(range, &mut Lowercasing::new(sink)),
            false => self.scan_files(range, sink),
        }
    }

    fn scan_files(&self, range: std::ops::Range<u64>, sink: &mut impl TokenSink) -> Result<()> {
        let mut file_start = 0u64;
        let mut buf = vec![0u8; READ_CHUNK];
        let mut carry: Vec<u8> = Vec::with_capacity(MAX_TOKEN_BYTES);
        for file in &self.files {
            let file_end = file_start + file.len;
            let start = file_start;
            file_start = file_end;
            let path = &file.path;
            match file.compression {
                Some(compression) => {
                    if !range.contains(&start) {
                        continue;
                    }
                    let opened = File::open(path).and_then(|f| compression.reader(f));
                    let mut reader = opened.map_err(|e| Error::io(path, e))?;
                    let text = Stream {
                        path,
                        compression: Some(compression),
                        pos: 0,
                        end: u64::MAX,
                        skipping: false,
                    };
                    text.scan(&mut reader, &mut buf, &mut carry, sink)?;
                }
                None => {
                    if file_end <= range.start || start >= range.end {
                        continue;
                    }
                    let local_start = range.start.saturating_sub(start);
                    let local_end = (range.end - start).min(file.len);
                    let mut reader = File::open(path).map_err(|e| Error::io(path, e))?;
                    // Begin one byte early: if that byte is not a separator, the first token
                    // belongs to the previous part and is skipped.
                    let pos = local_start.saturating_sub(1);
                    reader
                        .seek(SeekFrom::Start(pos))
                        .map_err(|e| Error::io(path, e))?;
                    let text = Stream {
                        path,
                        compression: None,
                        pos,
                        end: local_end,
                        skipping: local_start > 0,
                    };
                    text.scan(&mut reader, &mut buf, &mut carry, sink)?;
                }
            }
            sink.line_end()?;
        }
        Ok(())
    }
}

/// Copies a stream (standard input, a pipe) named `name` to a temporary file: counting and
/// every epoch each read the corpus once, and a stream can be read only once.
fn spool(stream: &mut impl Read, name: &Path) -> Result<ScratchFile> {
    let (mut file, copy) = scratch_file("wordvec-stream-")?;
    std::io::copy(stream, &mut file).map_err(|e| Error::io(name, e))?;
    Ok(copy)
}

/// Whether `path` is a pipe or another stream that can be read only once (`<(zcat a.gz)` is
/// `/dev/fd/63`, a pipe), not a file or folder.
fn is_pipe(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_char_device())
}

/// Adds `path` to `files`: a file as it is, a folder's files (and its folders', in turn) in
/// name order.
fn add_files(path: &Path, files: &mut Vec<CorpusFile>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .and_then(|dir| dir.map(|e| e.map(|e| e.path())).collect())
            .map_err(|e| Error::io(path, e))?;
        entries.sort();
        for entry in entries {
            add_files(&entry, files)?;
        }
        return Ok(());
    }
    if !meta.is_file() {
        return Err(Error::invalid(path, "not a regular file"));
    }
    files.push(CorpusFile {
        path: path.to_path_buf(),
        len: meta.len(),
        compression: Compression::sniff(path)?,
    });
    Ok(())
}

/// Where a scan of one file's text stands: the path (for errors), its compression, the offset
/// in the text read so far, where the scan stops, and whether it is still skipping a token cut
/// by its start.
struct Stream<'p> {
    path: &'p Path,
    compression: Option<Compression>,
    pos: u64,
    end: u64,
    skipping: bool,
}

impl Stream<'_> {
    /// Reads the text from `pos` (skipping a token cut by it) to the end of the token that
    /// straddles `end`, handing the tokens to `sink`.
    fn scan(
        self,
        reader: &mut impl Read,
        buf: &mut [u8],
        carry: &mut Vec<u8>,
        sink: &mut impl TokenSink,
    ) -> Result<()> {
        let Stream {
            path,
            compression,
            mut pos,
            end,
            mut skipping,
        } = self;
        let mut line = 1u64;
        carry.clear();
        let mut truncated = false;
        loop {
            let n = read_some(reader, buf).map_err(|e| match compression {
                // A decoder's error is about the stream, not the file system.
                Some(c) => Error::invalid(
                    path,
                    format!(
                        "the {} stream is damaged or cut short at decompressed byte {pos}: {e}",
                        c.name()
                    ),
                ),
                None => Error::io(path, e),
            })?;
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            not_utf16(path, chunk, pos)?;
            let mut i = 0;
            while i < n {
                let b = chunk[i];
                if is_space(b) {
                    if !carry.is_empty() {
                        sink.token(carry, path, line)?;
                        carry.clear();
                        truncated = false;
                    }
                    skipping = false;
                    if pos + i as u64 >= end {
                        return Ok(());
                    }
                    if b == b'\n' {
                        line += 1;
                        sink.line_end()?;
                    }
                    i += 1;
                    continue;
                }
                // A run of token bytes within this chunk.
                let run_start = i;
                while i < n && !is_space(chunk[i]) {
                    i += 1;
                }
                if skipping {
                    continue;
                }
                let token_begins_here = carry.is_empty() && !truncated;
                if token_begins_here && pos + run_start as u64 >= end {
                    return Ok(());
                }
                if truncated {
                    continue;
                }
                let room = MAX_TOKEN_BYTES - carry.len();
                let run = &chunk[run_start..i];
                if run.len() > room {
                    carry.extend_from_slice(&run[..room]);
                    truncated = true;
                    cut_to_char_boundary(carry);
                } else {
                    if i < n && carry.is_empty() {
                        // The whole token is in the chunk: no copy.
                        sink.token(run, path, line)?;
                        continue;
                    }
                    carry.extend_from_slice(run);
                }
            }
            pos += n as u64;
        }
        if !carry.is_empty() && !skipping {
            sink.token(carry, path, line)?;
            carry.clear();
        }
        Ok(())
    }
}

fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Drops a multi-byte character cut in half by truncation.
fn cut_to_char_boundary(bytes: &mut Vec<u8>) {
    if let Err(e) = std::str::from_utf8(bytes)
        && e.error_len().is_none()
    {
        bytes.truncate(e.valid_up_to());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    struct Collect(Vec<(String, u64)>, usize);
    impl TokenSink for Collect {
        fn token(&mut self, token: &[u8], _file: &Path, line: u64) -> Result<()> {
            self.0
                .push((String::from_utf8_lossy(token).into_owned(), line));
            Ok(())
        }
        fn line_end(&mut self) -> Result<()> {
            self.1 += 1;
            Ok(())
        }
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text)
            .unwrap();
        path
    }

    #[test]
    fn tokens_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "a.txt", b"the cat\tsat\n\n  on the   mat\r\nend");
        let corpus = Corpus::open(&[p]).unwrap();
        let mut c = Collect(vec![], 0);
        corpus.scan(0..corpus.total_bytes(), &mut c).unwrap();
        let words: Vec<_> = c.0.iter().map(|(w, l)| format!("{w}@{l}")).collect();
        assert_eq!(
            words,
            ["the@1", "cat@1", "sat@1", "on@3", "the@3", "mat@3", "end@4"]
        );
    }

    #[test]
    fn lowercasing_folds_ascii_and_unicode_and_passes_bad_bytes_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "a.txt",
            b"The CAT sat\n\xc3\x89COLE \xce\xa3\xce\x95\xce\xa3 \xff\xfeX ok\n",
        );
        let corpus = Corpus::open(&[p]).unwrap().lowercased(true);
        let mut c = Collect(vec![], 0);
        corpus.scan(0..corpus.total_bytes(), &mut c).unwrap();
        let words: Vec<_> = c.0.iter().map(|(w, l)| format!("{w}@{l}")).collect();
        // Unicode's rules, as `str::to_lowercase` (a final Σ becomes ς), as the queries fold
        // their words; bytes that are not UTF-8 reach the reader unchanged.
        assert_eq!(words[..5], ["the@1", "cat@1", "sat@1", "école@2", "σες@2"]);
        assert_eq!(words[6], "ok@2");
        assert_eq!(c.0[5].0, String::from_utf8_lossy(b"\xff\xfeX"));
    }

    #[test]
    fn the_unicode_tokenizer_cuts_at_word_boundaries_and_drops_punctuation() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "a.txt",
            "The end. \"Quoted,\" he said—twice.\nl'été 3.14 co-op plain\n".as_bytes(),
        );
        let corpus = Corpus::open(&[p]).unwrap().tokenized(Tokenizer::Unicode);
        let mut c = Collect(vec![], 0);
        corpus.scan(0..corpus.total_bytes(), &mut c).unwrap();
        let words: Vec<_> = c.0.iter().map(|(w, l)| format!("{w}@{l}")).collect();
        assert_eq!(
            words,
            [
                "The@1",
                "end@1",
                "Quoted@1",
                "he@1",
                "said@1",
                "twice@1",
                "l'été@2",
                "3.14@2",
                "co@2",
                "op@2",
                "plain@2"
            ]
        );
        // Whitespace (the default) keeps punctuation attached; lowercasing composes.
        let both = corpus
            .clone()
            .tokenized(Tokenizer::Whitespace)
            .lowercased(true);
        let mut c = Collect(vec![], 0);
        both.scan(0..both.total_bytes(), &mut c).unwrap();
        assert_eq!(c.0[1].0, "end.");
        let unicode_lower = corpus.lowercased(true);
        let mut c = Collect(vec![], 0);
        unicode_lower
            .scan(0..unicode_lower.total_bytes(), &mut c)
            .unwrap();
        assert_eq!((c.0[0].0.as_str(), c.0[2].0.as_str()), ("the", "quoted"));
    }

    #[test]
    fn parts_tile_the_corpus_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (0..5000).map(|i| format!("w{} ", i % 97)).collect();
        let p1 = write(&dir, "a.txt", text.as_bytes());
        let p2 = write(&dir, "b.txt", b"x yy zzz\nlast");
        let corpus = Corpus::open(&[p1, p2]).unwrap();
        let mut whole = Collect(vec![], 0);
        corpus.scan(0..corpus.total_bytes(), &mut whole).unwrap();
        for parts in [2, 3, 7, 64] {
            let mut joined = Vec::new();
            for k in 0..parts {
                let mut c = Collect(vec![], 0);
                corpus.scan(corpus.part(k, parts), &mut c).unwrap();
                joined.extend(c.0.into_iter().map(|(w, _)| w));
            }
            let expect: Vec<_> = whole.0.iter().map(|(w, _)| w.clone()).collect();
            assert_eq!(joined, expect, "{parts} parts");
        }
    }

    #[test]
    fn single_huge_line_streams_in_bounded_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.txt");
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        // 3 MB on one line, plus one 5,000-byte token that must be cut to MAX_TOKEN_BYTES.
        for i in 0..600_000 {
            write!(f, "t{} ", i % 10).unwrap();
        }
        f.write_all(&vec![b'z'; 5000]).unwrap();
        f.write_all(" after".as_bytes()).unwrap();
        drop(f);
        let corpus = Corpus::open(&[path]).unwrap();
        struct Count(u64, usize, Option<String>);
        impl TokenSink for Count {
            fn token(&mut self, t: &[u8], _: &Path, line: u64) -> Result<()> {
                assert_eq!(line, 1);
                self.0 += 1;
                self.1 = self.1.max(t.len());
                self.2 = Some(String::from_utf8_lossy(t).into_owned());
                Ok(())
            }
        }
        let mut c = Count(0, 0, None);
        corpus.scan(0..corpus.total_bytes(), &mut c).unwrap();
        assert_eq!(c.0, 600_002);
        assert_eq!(c.1, MAX_TOKEN_BYTES);
        assert_eq!(c.2.as_deref(), Some("after"));
    }

    #[test]
    fn truncation_keeps_utf8_whole() {
        let mut v = "é".repeat(10).into_bytes();
        v.truncate(5);
        cut_to_char_boundary(&mut v);
        assert_eq!(v, "éé".as_bytes());
    }

    #[test]
    fn missing_and_empty_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.txt");
        let err = Corpus::open(&[&missing]).unwrap_err().to_string();
        assert!(err.contains("nope.txt"), "{err}");
        let empty = write(&dir, "empty.txt", b"");
        let err = Corpus::open(&[&empty]).unwrap_err().to_string();
        assert!(err.contains("empty.txt") && err.contains("empty"), "{err}");
    }
}
