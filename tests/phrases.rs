//! `wordvec phrases` end to end: the table gensim 4.4.0's `Phrases` learns from the same text,
//! entry for entry (skipped with a printed reason where gensim is missing); the table applied by
//! `--apply` and by `train --phrases`, whose config keeps it; a bad table named by its line.

mod common;

use std::path::Path;
use std::process::Command;

use common::{planted_phrases, stderr, wordvec};

fn run(args: &[&str], paths: &[&Path]) -> std::process::Output {
    let mut command = wordvec();
    command.args(args);
    for p in paths {
        command.arg(p);
    }
    command.output().unwrap()
}

/// `phrases` on `corpus` with `extra` flags, the table read back as `joined score` pairs.
fn learn(corpus: &Path, table: &Path, extra: &[&str]) -> Vec<(String, f64)> {
    let mut command = wordvec();
    command
        .args(["phrases", "--corpus"])
        .arg(corpus)
        .arg("--output")
        .arg(table)
        .args(extra);
    let o = command.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(table)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("connectors"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].replace(' ', "_"), f[2].parse().unwrap())
        })
        .collect()
}

const GENSIM: &str = r#"
import sys
from gensim.models.phrases import Phrases, ENGLISH_CONNECTOR_WORDS
from gensim.models.word2vec import LineSentence
corpus, scoring, threshold, connectors = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
words = ENGLISH_CONNECTOR_WORDS if connectors == "english" else frozenset()
p = Phrases(LineSentence(corpus), min_count=5, threshold=threshold, scoring=scoring,
            connector_words=words)
for phrase, score in sorted(p.export_phrases().items()):
    print(f"{phrase}\t{score!r}")
"#;

#[test]
fn the_table_is_gensims_entry_for_entry() {
    if !common::gensim_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = planted_phrases(dir.path(), 3000);
    for (scoring, threshold, connectors) in [("default", "10", "none"), ("npmi", "0.3", "english")]
    {
        let table = dir.path().join(format!("{scoring}.txt"));
        let flags = [
            "--scoring",
            scoring,
            "--threshold",
            threshold,
            "--connector-words",
            connectors,
            "--threads",
            "3",
        ];
        let mut ours = learn(&corpus, &table, &flags);
        ours.sort_by(|a, b| a.0.cmp(&b.0));
        let out = Command::new("python3")
            .args(["-c", GENSIM])
            .arg(&corpus)
            .args([scoring, threshold, connectors])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let gensim: Vec<(String, f64)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let (p, s) = l.split_once('\t').unwrap();
                (p.to_string(), s.parse().unwrap())
            })
            .collect();
        assert!(gensim.len() >= 3, "{scoring}: {gensim:?}");
        let names = |t: &[(String, f64)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&gensim), "{scoring}");
        for ((phrase, a), (_, b)) in ours.iter().zip(&gensim) {
            assert!(
                (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                "{phrase}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn a_table_joins_the_text_it_is_applied_to_and_a_run_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = planted_phrases(dir.path(), 3000);
    let table = dir.path().join("phrases.txt");
    let learned = learn(&corpus, &table, &["--connector-words", "english"]);
    let phrases: Vec<&str> = learned.iter().map(|(p, _)| p.as_str()).collect();
    for planted in [
        "new_york",
        "los_angeles",
        "bank_of_america",
        "united_states",
    ] {
        assert!(phrases.contains(&planted), "{planted} not in {phrases:?}");
    }
    // --apply writes the joined text, line for line (the corpus has no blank ones).
    let joined = dir.path().join("joined.txt");
    let o = run(
        &["phrases", "--apply"],
        &[
            &table,
            Path::new("--corpus"),
            &corpus,
            Path::new("--output"),
            &joined,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&joined).unwrap();
    let original = std::fs::read_to_string(&corpus).unwrap();
    assert_eq!(text.lines().count(), original.lines().count());
    assert!(text.contains("new_york") && !text.contains("new york"));
    // train --phrases trains the joined tokens and records the table.
    let out = dir.path().join("run/v.txt");
    let o = run(
        &[
            "train",
            "--quiet",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--phrases",
        ],
        &[
            &table,
            Path::new("--corpus"),
            &corpus,
            Path::new("--output"),
            &out,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let vocab = std::fs::read_to_string(dir.path().join("run/v.vocab.txt")).unwrap();
    assert!(
        vocab.lines().any(|l| l.starts_with("bank_of_america ")),
        "{vocab}"
    );
    let config = std::fs::read_to_string(dir.path().join("run/v.config.json")).unwrap();
    assert!(config.contains("phrases.txt"), "{config}");
    // `vocab` joins them as train does.
    let counted = dir.path().join("vocab.txt");
    let o = run(
        &["vocab", "--phrases"],
        &[
            &table,
            Path::new("--corpus"),
            &corpus,
            Path::new("--output"),
            &counted,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&counted).unwrap(), vocab);
}

#[test]
fn a_bad_table_is_named_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = planted_phrases(dir.path(), 3000);
    let table = dir.path().join("bad.txt");
    std::fs::write(&table, "# a table\n1\tnew york\t12.5\t40\n1\tlos\t3\t2\n").unwrap();
    let out = dir.path().join("run/v.txt");
    let o = run(
        &["train", "--quiet", "--phrases"],
        &[
            &table,
            Path::new("--corpus"),
            &corpus,
            Path::new("--output"),
            &out,
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("bad.txt:3") && err.contains("two tokens"),
        "{err}"
    );
    assert!(!out.exists());
}
