//! The subword model end to end: a run writes fastText's `.bin` beside its vectors, which
//! fastText's own program and gensim read to the same vectors (unseen words included); a `.bin`
//! that fastText trained reads back as fastText prints it; queries answer unseen words from
//! their n-grams; `--continue` grows a subword run; settings it cannot train are refused.
//! fastText (Debian's `fasttext`) and gensim are in CI; where either is missing here, the test
//! that needs it says so and skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{output_with_stdin, stderr, wordvec};
use wordvec::embeddings::VectorRows;
use wordvec::io::read_vectors;
use wordvec::subword_vectors::SubwordVectors;
use wordvec::train::{MetricRecord, read_metrics};

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("run");
    assert!(out.status.success(), "{command:?} failed: {}", stderr(&out));
    out
}

/// A small corpus with ASCII, accented and CJK words that share parts.
fn corpus(dir: &Path) -> PathBuf {
    let path = dir.join("corpus.txt");
    let stems = ["walk", "talk", "jump", "café", "naïve", "東京", "日本語"];
    let ends = ["", "s", "ed", "ing", "er"];
    let mut text = String::new();
    for i in 0..4000usize {
        let stem = stems[(i * 7 + i / 13) % stems.len()];
        let end = ends[(i * 3 + i / 7) % ends.len()];
        text.push_str(stem);
        text.push_str(end);
        text.push(if i % 11 == 10 { '\n' } else { ' ' });
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// A subword run on `corpus` into `dir/v.vec` (and `dir/v.bin`), one thread.
fn train_subwords(corpus: &Path, dir: &Path, extra: &[&str]) -> Output {
    run(wordvec()
        .args(["train", "--quiet", "--threads", "1", "--dim", "12"])
        .args(["--min-count", "1", "--epochs", "2", "--bucket", "5000"])
        .args(["--subwords", "--seed", "7", "--corpus"])
        .arg(corpus)
        .arg("--output")
        .arg(dir.join("v.vec"))
        .args(extra))
}

/// `word v1 … vD` lines as fastText's `print-word-vectors` and our `vector` print them.
fn parse_rows(text: &str) -> Vec<(String, Vec<f32>)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut fields = line.split_whitespace();
            let word = fields.next().unwrap().to_string();
            (word, fields.map(|f| f.parse().unwrap()).collect())
        })
        .collect()
}

fn fasttext_missing() -> bool {
    let missing = Command::new("fasttext")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err();
    if missing {
        eprintln!("skipped: fastText is not installed here (apt-get install fasttext; CI has it)");
    }
    missing
}

const QUERIES: [&str; 6] = ["walks", "café", "東京", "walkings", "cafés", "日本"];

/// Equal to 1e-6, as two programs' float sums of the same rows are.
fn assert_close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-6, "{what}: {a:?} vs {b:?}");
    }
}

/// Equal to what `fasttext print-word-vectors` prints: C++'s default 5 significant digits.
fn assert_printed(ours: &[f32], printed: &[f32], what: &str) {
    assert_eq!(ours.len(), printed.len(), "{what}");
    for (x, y) in ours.iter().zip(printed) {
        assert!(
            (x - y).abs() <= 1e-9 + 5e-5 * x.abs(),
            "{what}: {ours:?} vs {printed:?}"
        );
    }
}

#[test]
fn fasttext_and_gensim_read_our_model_to_our_vectors() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    train_subwords(&corpus, tmp.path(), &[]);
    let bin = tmp.path().join("v.bin");
    let ours = SubwordVectors::read(&bin).unwrap();
    // The .vec holds each vocabulary word's composed vector, the .bin the same.
    let vec = read_vectors(&tmp.path().join("v.vec"), None).unwrap();
    for word in &QUERIES[..3] {
        let row = vec.id(word).unwrap();
        let mut composed = vec![0.0; 12];
        ours.row_into(ours.find(word).unwrap(), &mut composed)
            .unwrap();
        assert_close(vec.row(row), &composed, word);
    }
    assert!(ours.find("walkings").is_none() && ours.unseen("walkings").is_some());
    if fasttext_missing() {
        return;
    }
    let printed = output_with_stdin(
        Command::new("fasttext").arg("print-word-vectors").arg(&bin),
        QUERIES.join("\n").as_bytes(),
    );
    assert!(printed.status.success(), "{}", stderr(&printed));
    let printed = parse_rows(&String::from_utf8(printed.stdout).unwrap());
    assert_eq!(printed.len(), QUERIES.len());
    let mine = |word: &str| match ours.find(word) {
        Some(row) => {
            let mut out = vec![0.0; 12];
            ours.row_into(row, &mut out).unwrap();
            out
        }
        None => ours.unseen(word).unwrap(),
    };
    for (word, vector) in &printed {
        assert_printed(&mine(word), vector, word);
    }
    let script = format!(
        "import sys, json\n\
         from gensim.models.fasttext import load_facebook_model\n\
         m = load_facebook_model(sys.argv[1])\n\
         print(json.dumps({{w: [float(x) for x in m.wv[w]] for w in {QUERIES:?}}}))"
    );
    let gensim = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .arg(&bin)
        .output();
    match gensim {
        Ok(out) if out.status.success() => {
            let vectors: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            for word in QUERIES {
                let theirs: Vec<f32> = vectors[word]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap() as f32)
                    .collect();
                assert_close(&theirs, &mine(word), &format!("gensim's {word}"));
            }
        }
        Ok(out) if stderr(&out).contains("No module named 'gensim'") => {
            eprintln!("skipped gensim: not installed here (pip install gensim==4.4.0; CI has it)")
        }
        Ok(out) => panic!("gensim failed to load our model: {}", stderr(&out)),
        Err(e) => eprintln!("skipped gensim: no python3 here ({e})"),
    }
}

#[test]
fn a_model_fasttext_trained_reads_back_as_fasttext_prints_it() {
    if fasttext_missing() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let prefix = tmp.path().join("ft");
    run(Command::new("fasttext")
        .arg("skipgram")
        .arg("-input")
        .arg(&corpus)
        .arg("-output")
        .arg(&prefix)
        .args([
            "-dim",
            "10",
            "-minCount",
            "1",
            "-epoch",
            "1",
            "-bucket",
            "3000",
        ])
        .args(["-thread", "1", "-verbose", "0"]));
    let bin = prefix.with_extension("bin");
    let printed = output_with_stdin(
        Command::new("fasttext").arg("print-word-vectors").arg(&bin),
        QUERIES.join("\n").as_bytes(),
    );
    assert!(printed.status.success(), "{}", stderr(&printed));
    let printed = parse_rows(&String::from_utf8(printed.stdout).unwrap());
    for (word, vector) in &printed {
        let ours = run(wordvec().args(["vector", "--vectors"]).arg(&bin).arg(word));
        let (_, mine) =
            parse_rows(&format!("{word} {}", String::from_utf8_lossy(&ours.stdout))).remove(0);
        assert_close(&mine, vector, word);
        let unseen = stderr(&ours).contains("not in the vocabulary");
        assert_eq!(unseen, *word == "walkings" || *word == "日本", "{word}");
    }
    // Its composed vectors are what `eval` and every reader of vectors see.
    let vectors = read_vectors(&bin, None).unwrap();
    let row = vectors.id("walks").unwrap();
    assert_printed(vectors.row(row), &printed[0].1, "walks");
}

#[test]
fn similar_answers_an_unseen_word_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    train_subwords(&corpus, tmp.path(), &[]);
    let out = run(wordvec()
        .args(["similar", "--json", "-n", "3", "--vectors"])
        .arg(tmp.path().join("v.bin"))
        .arg("talkings"));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["unseen"], serde_json::json!(["talkings"]));
    assert_eq!(answer["neighbours"].as_array().unwrap().len(), 3);
    // Vectors without n-grams still refuse the word.
    let out = wordvec()
        .args(["similar", "--vectors"])
        .arg(tmp.path().join("v.vec"))
        .arg("talkings")
        .output()
        .unwrap();
    assert!(!out.status.success() && stderr(&out).contains("talkings"));
}

#[test]
fn continue_grows_a_subword_run_around_its_buckets() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let old = tmp.path().join("old");
    train_subwords(&corpus, &old, &[]);
    let second = tmp.path().join("second.txt");
    std::fs::write(&second, "walkers café sprinting sprinted\n".repeat(50)).unwrap();
    let new = tmp.path().join("new/v.vec");
    let out = run(wordvec()
        .args(["train", "--quiet", "--continue"])
        .arg(&old)
        .arg("--corpus")
        .arg(&second)
        .arg("--output")
        .arg(&new));
    assert!(out.status.success());
    let grown = SubwordVectors::read(&new.with_extension("bin")).unwrap();
    assert!(grown.find("sprinting").is_some() && grown.find("jumps").is_some());
}

#[test]
fn settings_the_subword_model_cannot_train_are_refused_naming_the_flag() {
    for (flags, says) in [
        (
            &["--init-vectors", "/nonexistent/init.vec"][..],
            "--init-vectors",
        ),
        (&["--minn", "5", "--maxn", "3"], "--minn"),
        (&["--bucket", "0"], "--bucket"),
    ] {
        let out = wordvec()
            .args(["train", "--subwords", "--output", "/nonexistent/v.vec"])
            .args(flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flags:?}");
        assert!(stderr(&out).contains(says), "{flags:?}: {}", stderr(&out));
    }
}

#[test]
fn eval_scores_unseen_words_from_their_ngrams_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    train_subwords(&corpus, tmp.path(), &[]);
    let pairs = tmp.path().join("pairs.tsv");
    std::fs::write(
        &pairs,
        "walks\ttalks\t5\nwalkings\twalked\t8\ncafé\t東京\t1\nnaïver\tnaïve\t9\njumps\tjumped\t7\n",
    )
    .unwrap();
    let eval = |extra: &[&str]| {
        let out = run(wordvec()
            .args(["eval", "--json", "--vectors"])
            .arg(tmp.path().join("v.bin"))
            .arg("--similarity")
            .arg(&pairs)
            .args(extra));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let plain = eval(&[]);
    assert_eq!(plain["similarity"][0]["skipped"], 2);
    assert!(plain.get("with_unseen_words").is_none());
    let both = eval(&["--oov", "subwords"]);
    assert_eq!(both["similarity"][0]["skipped"], 2);
    assert_eq!(both["with_unseen_words"]["similarity"][0]["pairs"], 5);
    assert_eq!(both["with_unseen_words"]["similarity"][0]["skipped"], 0);
    // Vectors without n-grams cannot.
    let out = wordvec()
        .args(["eval", "--oov", "subwords", "--vectors"])
        .arg(tmp.path().join("v.vec"))
        .arg("--similarity")
        .arg(&pairs)
        .output()
        .unwrap();
    assert!(!out.status.success() && stderr(&out).contains("fastText .bin"));
}

#[test]
fn the_autodiff_path_trains_the_subword_model_as_an_embedding_bag() {
    // Burn's module and optimizer: the bag's mean is CBOW's weighted hidden layer over the
    // word's and its n-grams' rows; the run's files are the fused path's.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    for model in ["skipgram", "cbow"] {
        let dir = tmp.path().join(model);
        train_subwords(
            &corpus,
            &dir,
            &[
                "--update",
                "autodiff",
                "--optimizer",
                "adam",
                "--model",
                model,
            ],
        );
        let ours = SubwordVectors::read(&dir.join("v.bin")).unwrap();
        let vec = read_vectors(&dir.join("v.vec"), None).unwrap();
        let mut composed = vec![0.0; 12];
        ours.row_into(ours.find("walked").unwrap(), &mut composed)
            .unwrap();
        assert_close(vec.row(vec.id("walked").unwrap()), &composed, model);
        // Trained: the loss falls from the first epoch to the last.
        let losses: Vec<f64> = read_metrics(&dir.join("metrics.jsonl"))
            .unwrap()
            .into_iter()
            .filter_map(|r| match r {
                MetricRecord::Epoch { loss, .. } => Some(loss),
                _ => None,
            })
            .collect();
        assert!(
            losses.len() == 2 && losses[1] < losses[0],
            "{model}: {losses:?}"
        );
    }
}
