//! Compressed corpus files: gzip, bzip2, xz and zstd, recognised by their first bytes (never by
//! their names) and decompressed as they are read, concatenated streams included.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// How a corpus file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    /// The compression whose magic bytes open `path`, if any.
    pub fn sniff(path: &Path) -> Result<Option<Compression>> {
        let mut head = Vec::with_capacity(6);
        File::open(path)
            .and_then(|file| file.take(6).read_to_end(&mut head))
            .map_err(|e| Error::io(path, e))?;
        Ok(Self::of_magic(&head))
    }

    fn of_magic(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(b"BZh") {
            Some(Compression::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// The decompressed text of `file`, every concatenated stream in turn.
    pub fn reader(self, file: File) -> std::io::Result<Box<dyn Read>> {
        let file = BufReader::new(file);
        Ok(match self {
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
            Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(file)),
            Compression::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(file)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_format_and_nothing_else_does() {
        assert_eq!(
            Compression::of_magic(&[0x1f, 0x8b, 8]),
            Some(Compression::Gzip)
        );
        assert_eq!(Compression::of_magic(b"BZh91A"), Some(Compression::Bzip2));
        assert_eq!(
            Compression::of_magic(&[0xfd, b'7', b'z', b'X', b'Z', 0]),
            Some(Compression::Xz)
        );
        assert_eq!(
            Compression::of_magic(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(Compression::Zstd)
        );
        for plain in [&b"the cat"[..], b"", b"\x1f", b"BZ"] {
            assert_eq!(Compression::of_magic(plain), None);
        }
    }
}
