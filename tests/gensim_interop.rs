//! A real client reads our files and we read its files: gensim 4.4.0's `KeyedVectors` against
//! wordvec's writers and readers, in word2vec text, word2vec binary and GloVe text. Needs python3
//! with gensim (`pip install gensim==4.4.0`, which the README's test command runs); skipped with
//! a printed reason where gensim is missing.

use std::path::Path;
use std::process::Command;

mod common;

use common::gensim_available;
use wordvec::embeddings::Embeddings;
use wordvec::io::{VectorFormat, read_vectors, write_vectors};

fn python(script: &str, args: &[&Path]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Words and values that exercise the formats: non-ASCII words, tiny, huge and negative values.
fn sample() -> Embeddings {
    let words = ["the", "naïve", "東京", "x-y", "a_b"];
    let dim = 7;
    let data = (0..words.len() * dim)
        .map(|i| {
            let x = (i as f32 * 0.731).sin();
            match i % 4 {
                0 => x * 1e-6,
                1 => x * 1e4,
                _ => x,
            }
        })
        .collect();
    Embeddings::new(words.iter().map(|w| w.to_string()).collect(), dim, data).unwrap()
}

/// gensim's view of a file: one line per word, `word<TAB>v1 v2 …` with float32 values exact.
const LOAD: &str = r#"
import sys
from gensim.models import KeyedVectors
path, kind = sys.argv[1], sys.argv[2]
kv = KeyedVectors.load_word2vec_format(path, binary=(kind == "binary"), no_header=(kind == "glove"))
for w in kv.index_to_key:
    print(w + "\t" + " ".join(repr(float(v)) for v in kv[w]))
"#;

fn as_lines(e: &Embeddings) -> String {
    let mut s = String::new();
    for (i, w) in e.words().iter().enumerate() {
        let values: Vec<String> = e.row(i).iter().map(|&v| repr(v as f64)).collect();
        s.push_str(&format!("{w}\t{}\n", values.join(" ")));
    }
    s
}

/// Python's `repr(float)`: shortest round-trip form, with `.0` on whole numbers.
fn repr(v: f64) -> String {
    let s = format!("{v:?}");
    if s.contains('e') {
        // Python writes 1e-06 where Rust writes 1e-6.
        let (m, e) = s.split_once('e').unwrap();
        let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
        format!("{m}e{sign}{digits:0>2}")
    } else {
        s
    }
}

#[test]
fn gensim_reads_what_wordvec_writes() {
    if !gensim_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, format, kind) in [
        ("v.txt", VectorFormat::Text, "text"),
        ("v.bin", VectorFormat::Binary, "binary"),
        ("glove.txt", VectorFormat::Glove, "glove"),
    ] {
        let path = dir.path().join(name);
        write_vectors(&path, &sample(), format).unwrap();
        let seen = python(LOAD, &[&path, Path::new(kind)]);
        assert_eq!(seen, as_lines(&sample()), "{name}");
    }
}

#[test]
fn wordvec_reads_what_gensim_writes() {
    if !gensim_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // gensim writes a small model of its own in each format, then prints what it holds.
    let write = r#"
import sys
import numpy as np
from gensim.models import KeyedVectors
out = sys.argv[1]
kv = KeyedVectors(vector_size=5)
rng = np.random.default_rng(7)
words = ["alpha", "βeta", "gamma", "delta"]
kv.add_vectors(words, rng.standard_normal((4, 5)).astype(np.float32))
kv.save_word2vec_format(out + "/g.txt", binary=False)
kv.save_word2vec_format(out + "/g.bin", binary=True)
kv.save_word2vec_format(out + "/g.glove", binary=False, write_header=False)
for w in kv.index_to_key:
    print(w + "\t" + " ".join(repr(float(v)) for v in kv[w]))
"#;
    let expected = python(write, &[dir.path()]);
    for name in ["g.txt", "g.bin", "g.glove"] {
        let read = read_vectors(&dir.path().join(name), None).unwrap();
        assert_eq!(as_lines(&read), expected, "{name}");
    }
}
