//! The query commands on a small vectors file whose geometry is known: gensim's most_similar
//! with positive and negative words, doesnt_match, similarity, a word's vector, and the batch
//! mode on standard input, in text and JSON.

mod common;

use std::path::Path;
use std::process::Output;

use common::{output_with_stdin, stderr, wordvec};

/// Royalty and gender on two axes, fruit on a third: king − man + woman ≈ queen.
fn vectors(dir: &Path) -> std::path::PathBuf {
    let rows = [
        ("man", [1.0, 0.0, 0.0]),
        ("woman", [1.0, 1.0, 0.0]),
        ("king", [1.0, 0.0, 1.0]),
        ("queen", [1.0, 1.0, 1.0]),
        ("apple", [0.0, 0.1, -1.0]),
        ("pear", [0.0, 0.0, -1.0]),
    ];
    let mut text = format!("{} 3\n", rows.len());
    for (w, v) in rows {
        text += &format!("{w} {} {} {}\n", v[0], v[1], v[2]);
    }
    let p = dir.join("v.txt");
    std::fs::write(&p, text).unwrap();
    p
}

fn query(args: &[&str], v: &Path) -> Output {
    wordvec()
        .args(args)
        .arg("--vectors")
        .arg(v)
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn each_query_answers_as_gensim_would() {
    let dir = tempfile::tempdir().unwrap();
    let v = vectors(dir.path());
    let r = json(&query(
        &[
            "similar",
            "--json",
            "--positive",
            "king,woman",
            "--negative",
            "man",
            "-n",
            "2",
        ],
        &v,
    ));
    assert_eq!(r["neighbours"][0]["word"], "queen", "{r}");
    assert_eq!(r["neighbours"].as_array().unwrap().len(), 2);
    assert_eq!(r["query"]["negative"][0], "man");
    // --restrict searches the first rows only.
    let r = json(&query(
        &["similar", "--json", "queen", "--restrict", "2"],
        &v,
    ));
    let mut words: Vec<&str> = r["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["word"].as_str().unwrap())
        .collect();
    words.sort();
    assert_eq!(words, ["man", "woman"]);
    let r = json(&query(
        &["doesnt-match", "--json", "man", "king", "apple", "woman"],
        &v,
    ));
    assert_eq!(r["answer"], "apple");
    let r = json(&query(&["similarity", "--json", "apple", "pear"], &v));
    let s = r["similarity"].as_f64().unwrap();
    assert!((s - 1.0 / 1.01f64.sqrt()).abs() < 1e-5, "{s}");
    let r = json(&query(&["vector", "--json", "queen"], &v));
    assert_eq!(r["vector"], serde_json::json!([1.0, 1.0, 1.0]));
    // Text: the word alone, the cosine with four decimals.
    let o = query(&["doesnt-match", "pear", "apple", "queen"], &v);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "queen\n");
    let o = query(&["similarity", "man", "man"], &v);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "1.0000\n");
    // An unknown word is an error naming it.
    let o = query(&["similarity", "man", "zebra"], &v);
    assert!(
        !o.status.success() && stderr(&o).contains("zebra"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn batch_queries_answer_each_line_and_name_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let v = vectors(dir.path());
    let o = output_with_stdin(
        wordvec()
            .args(["query", "--json", "-n", "1", "--vectors"])
            .arg(&v),
        b"# a comment\nsimilar king woman -man\nanalogy man woman king\n\nsimilarity man\n\
              doesnt-match apple pear man\nvector zebra\nfly away\n",
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines[0]["neighbours"][0]["word"], "queen");
    assert_eq!(lines[1]["neighbours"][0]["word"], "queen");
    assert_eq!(lines[2]["line"], 5);
    assert_eq!(lines[3]["answer"], "man");
    assert_eq!(lines[4]["line"], 7);
    assert_eq!(lines[5]["line"], 8);
    // The failures are named on standard error by line, and the status says some failed.
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("stdin:5") && err.contains("takes 2 word"),
        "{err}"
    );
    assert!(err.contains("stdin:7") && err.contains("zebra"), "{err}");
    assert!(
        err.contains("stdin:8") && err.contains("unknown query"),
        "{err}"
    );
}

#[test]
fn lowercase_folds_the_corpus_the_vocabulary_and_the_queries_alike() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.txt");
    std::fs::write(&corpus, "The the THE Σοφία ΣΟΦΊΑ\n".repeat(5)).unwrap();
    let vocab = dir.path().join("vocab.txt");
    let o = wordvec()
        .args(["vocab", "--lowercase", "--min-count", "1", "--corpus"])
        .arg(&corpus)
        .arg("--output")
        .arg(&vocab)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&vocab).unwrap(),
        "the 15\nσοφία 10\n"
    );
    // A query in capitals finds the folded word.
    let v = vectors(dir.path());
    let o = wordvec()
        .args(["similarity", "--lowercase", "MAN", "Woman", "--vectors"])
        .arg(&v)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "0.7071\n");
}
