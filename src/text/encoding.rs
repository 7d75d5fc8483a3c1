//! Text that is not UTF-8 but could pass for it, refused with the way to convert it.

use std::path::Path;

use crate::error::{Error, Result};

/// Refuses text that is not UTF-8 but looks like it could pass for it: a UTF-16 or UTF-32
/// byte-order mark at the file's start, or a NUL byte anywhere (which UTF-16 and UTF-32 put
/// beside every ASCII letter, and no text has), naming where and how to convert it.
pub(super) fn not_utf16(path: &Path, chunk: &[u8], pos: u64) -> Result<()> {
    const MARKS: [(&[u8], &str); 4] = [
        (&[0xFF, 0xFE, 0, 0], "UTF-32LE"),
        (&[0, 0, 0xFE, 0xFF], "UTF-32BE"),
        (&[0xFF, 0xFE], "UTF-16LE"),
        (&[0xFE, 0xFF], "UTF-16BE"),
    ];
    let convert = |encoding: &str| format!("convert it with `iconv -f {encoding} -t UTF-8`");
    if pos == 0
        && let Some((_, encoding)) = MARKS.iter().find(|(mark, _)| chunk.starts_with(mark))
    {
        return Err(Error::invalid(
            path,
            format!(
                "starts with a {encoding} byte-order mark: the corpus must be UTF-8; {}",
                convert(encoding)
            ),
        ));
    }
    match memchr::memchr(0, chunk) {
        Some(k) => Err(Error::invalid(
            path,
            format!(
                "a NUL byte at byte {}: this is not UTF-8 text (UTF-16, as Windows saves \"Unicode\" text, reads so); {}",
                pos + k as u64,
                convert("UTF-16")
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Corpus, TokenSink};
    use super::*;

    struct Ignore;
    impl TokenSink for Ignore {
        fn token(&mut self, _: &[u8], _: &Path, _: u64) -> Result<()> {
            Ok(())
        }
    }

    #[test]
    fn utf16_utf32_and_nul_bytes_are_refused_with_the_way_to_convert() {
        let dir = tempfile::tempdir().unwrap();
        let text = "the king rules\nthe queen rules\n";
        let utf16: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let utf32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let cases = [
            (
                "bom16.txt",
                [&[0xFF, 0xFE][..], &utf16].concat(),
                "UTF-16LE",
            ),
            ("plain16.txt", utf16, "NUL byte at byte 1"),
            (
                "bom32.txt",
                [&[0, 0, 0xFE, 0xFF][..], &utf32].concat(),
                "UTF-32BE",
            ),
            (
                "nul.txt",
                b"ok\ntext\0here\n".to_vec(),
                "NUL byte at byte 7",
            ),
        ];
        for (name, bytes, says) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let corpus = Corpus::open(&[&path]).unwrap();
            let err = corpus
                .scan(0..corpus.total_bytes(), &mut Ignore)
                .unwrap_err()
                .to_string();
            assert!(err.contains(name) && err.contains(says), "{err}");
            assert!(err.contains("iconv"), "{err}");
        }
    }
}
