//! Fuzzing of everything that reads a user's file: the vectors readers (every format, forced and
//! detected, and memory-mapped), the corpus tokenizer and vocabulary counter, the vocabulary
//! loader, the analogy and similarity readers, checkpoints and metrics files. Inputs are valid files mutated at random (bytes flipped, inserted,
//! deleted, the file cut short) and raw bytes. Whatever the input, a reader returns a value or an
//! error that names the file; it never panics.
//!
//! CI runs the default number of cases; a longer run: `PROPTEST_CASES=200000 cargo test --release
//! --test fuzz`. Inputs that once failed are kept by proptest under `tests/fuzz.proptest-regressions`
//! and replayed first on every run.

use std::path::Path;

use proptest::prelude::*;

use wordvec::eval::{read_analogies, read_similarity};
use wordvec::io::{
    COOCCURRENCE_RECORD_BYTES, MappedVectors, VectorFormat, read_cooccurrences, read_vectors,
};
use wordvec::text::{Corpus, Vocab};
use wordvec::train::{Checkpoint, Position, TrainConfig, read_metrics};

/// A change to a valid file.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = bytes.len().max(1);
        match *m {
            Mutation::Flip(i, b) if !bytes.is_empty() => bytes[i % n] ^= b,
            Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Mutation::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
            _ => {}
        }
    }
    bytes
}

/// Bytes from a valid seed file, mutated a few times, or raw.
fn file_from(seeds: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0..seeds.len(), prop::collection::vec(mutation(), 0..6))
            .prop_map(move |(s, m)| mutate(seeds[s].to_vec(), &m)),
        1 => prop::collection::vec(any::<u8>(), 0..300),
    ]
}

/// `text` compressed as gzip, bzip2, xz or zstd (`format` 0 to 3).
fn compressed(format: usize, text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    match format {
        0 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        }
        1 => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        }
        2 => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(text).unwrap();
            e.finish().unwrap()
        }
        _ => zstd::stream::encode_all(text, 1).unwrap(),
    }
}

fn binary_seed() -> Vec<u8> {
    let mut b = b"2 3\n".to_vec();
    for (w, vals) in [("the", [0.5f32, -1.0, 2.0]), ("naïve", [1e-7, 3.0, -0.25])] {
        b.extend_from_slice(w.as_bytes());
        b.push(b' ');
        for v in vals {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.push(b'\n');
    }
    b
}

const VECTOR_SEEDS: &[&[u8]] = &[
    "3 2\nthe 0.5 -1\nof 2 3e-7\nnaïve 1 1\n".as_bytes(),
    b"the 0.5 -1 4\nof 2 3e-7 0\n",
    b"2 2\na 1 2\n\nb 3 4\n",
];
const CORPUS_SEEDS: &[&[u8]] = &[
    b"the cat sat on the mat\nthe dog sat\n",
    "naïve café\t東京 the the\r\nthe\n".as_bytes(),
    b"   \n\n a  b   a b a\n",
];
const ANALOGY_SEEDS: &[&[u8]] =
    &[b": capital\nathens greece paris france\nparis france rome italy\n: gram\na b c d\n"];
const SIMILARITY_SEEDS: &[&[u8]] = &[
    b"tiger\tcat\t7.35\nbook\tpaper\t7.46\n",
    b"# comment\nold new 1.58\n",
];
const VOCAB_SEEDS: &[&[u8]] = &[b"the 10\nof 7\ncat 2\n"];

/// A real checkpoint of a three-word vocabulary.
fn checkpoint_seed() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = Checkpoint {
        source: Default::default(),
        config: TrainConfig::default(),
        corpus: Vec::new(),
        vocab: Vocab::from_counts(vec![
            ("the".into(), 9),
            ("cat".into(), 3),
            ("mat".into(), 2),
        ]),
        stats: Default::default(),
        position: Position {
            words: 7,
            consumed: vec![1],
            ..Position::default()
        },
        blobs: vec![
            ("input".into(), vec![1, 2, 3, 4]),
            ("output".into(), vec![5; 8]),
        ],
    };
    std::fs::read(checkpoint.save(dir.path()).unwrap()).unwrap()
}

const METRICS_SEEDS: &[&[u8]] = &[
    b"{\"event\":\"interval\",\"epoch\":0,\"words\":10,\"seconds\":1.5,\"loss\":2.0,\"examples\":4,\"lr\":0.02,\"words_per_second\":6.6}\n{\"event\":\"end\",\"words\":10,\"seconds\":2.0,\"words_per_second\":5.0}\n",
];

fn written(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// An error must say which file it is about.
fn names_file<T>(result: wordvec::Result<T>, name: &str) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        let message = e.to_string();
        prop_assert!(
            message.contains(name),
            "error without the file name: {}",
            message
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn vector_readers_never_panic(bytes in prop_oneof![
        file_from(VECTOR_SEEDS),
        prop::collection::vec(mutation(), 0..6).prop_map(|m| mutate(binary_seed(), &m)),
    ]) {
        let dir = tempfile::tempdir().unwrap();
        let p = written(dir.path(), "vectors.any", &bytes);
        for format in [None, Some(VectorFormat::Text), Some(VectorFormat::Binary), Some(VectorFormat::Glove)] {
            names_file(read_vectors(&p, format), "vectors.any")?;
        }
    }

    #[test]
    fn compressed_corpora_never_panic_and_name_the_file(
        format in 0usize..4,
        seed in 0..CORPUS_SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        // A real stream of each format, then damaged: decoding either gives the text's words or
        // an error naming the file, never a panic.
        let packed = mutate(compressed(format, CORPUS_SEEDS[seed]), &mutations);
        let dir = tempfile::tempdir().unwrap();
        let p = written(dir.path(), "corpus.packed", &packed);
        if let Ok(corpus) = Corpus::open(&[&p])
            && let Err(e) = Vocab::build(&corpus, 1, None, 2)
        {
            prop_assert!(e.to_string().contains("corpus.packed"), "{}", e);
        }
    }

    #[test]
    fn tokenizer_and_vocabulary_never_panic(bytes in file_from(CORPUS_SEEDS), min_count in 1u64..3, cap in prop::option::of(1usize..4)) {
        let dir = tempfile::tempdir().unwrap();
        let p = written(dir.path(), "corpus.txt", &bytes);
        let corpus = Corpus::open(&[&p]);
        names_file(corpus.as_ref().map(|_| ()).map_err(|e| wordvec::Error::Config(e.to_string())), "corpus.txt")?;
        if let Ok(corpus) = corpus {
            match Vocab::build(&corpus, min_count, cap, 2) {
                Ok((vocab, _)) => {
                    prop_assert!(!vocab.is_empty());
                    prop_assert!(cap.is_none_or(|c| vocab.len() <= c));
                }
                Err(e) => prop_assert!(e.to_string().contains("corpus.txt"), "{}", e),
            }
        }
    }

    #[test]
    fn evaluation_and_vocabulary_readers_never_panic(
        analogies in file_from(ANALOGY_SEEDS),
        pairs in file_from(SIMILARITY_SEEDS),
        vocab in file_from(VOCAB_SEEDS),
    ) {
        let dir = tempfile::tempdir().unwrap();
        names_file(read_analogies(&written(dir.path(), "questions.txt", &analogies)), "questions.txt")?;
        names_file(read_similarity(&written(dir.path(), "pairs.tsv", &pairs)), "pairs.tsv")?;
        names_file(Vocab::load(&written(dir.path(), "vocab.txt", &vocab)), "vocab.txt")?;
    }

    #[test]
    fn checkpoint_metrics_and_mapped_readers_never_panic(
        checkpoint in prop_oneof![
            prop::collection::vec(mutation(), 0..6).prop_map(|m| mutate(checkpoint_seed(), &m)),
            prop::collection::vec(any::<u8>(), 0..300),
        ],
        metrics in file_from(METRICS_SEEDS),
        binary in prop::collection::vec(mutation(), 0..6).prop_map(|m| mutate(binary_seed(), &m)),
    ) {
        let dir = tempfile::tempdir().unwrap();
        names_file(Checkpoint::load(&written(dir.path(), "run.wvck", &checkpoint)), "run.wvck")?;
        names_file(read_metrics(&written(dir.path(), "metrics.jsonl", &metrics)), "metrics.jsonl")?;
        let p = written(dir.path(), "mapped.bin", &binary);
        match MappedVectors::open(&p) {
            Ok(m) if !m.is_empty() => {
                // A query reads every row, so a bad value surfaces here, as an error.
                let _ = m.similar("the", 3);
            }
            other => names_file(other, "mapped.bin")?,
        }
    }

    #[test]
    fn cooccurrence_reader_never_panics(
        records in prop::collection::vec((any::<i32>(), any::<i32>(), any::<f64>()), 0..8),
        cut in 0usize..16,
    ) {
        let mut bytes: Vec<u8> = records
            .iter()
            .flat_map(|&(i, j, x)| {
                i.to_le_bytes().into_iter().chain(j.to_le_bytes()).chain(x.to_le_bytes())
            })
            .collect();
        bytes.truncate(bytes.len().saturating_sub(cut));
        let dir = tempfile::tempdir().unwrap();
        let read = read_cooccurrences(&written(dir.path(), "co.bin", &bytes));
        if let Ok(counts) = &read {
            prop_assert_eq!(counts.len() * COOCCURRENCE_RECORD_BYTES, bytes.len());
            prop_assert!(counts.iter().all(|c| c.x.is_finite() && c.x > 0.0));
        }
        names_file(read, "co.bin")?;
    }
}
