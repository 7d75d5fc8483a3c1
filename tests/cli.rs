//! End-to-end tests of the `wordvec` binary on small data: the embedded default, outputs, queries
//! and every kind of bad input (clear one-line error, non-zero exit, no panic, nothing left behind).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::stderr;

fn wordvec(args: &[&str]) -> Output {
    common::wordvec().args(args).output().expect("run wordvec")
}

/// `wordvec train --quiet --corpus CORPUS --output OUT EXTRA…`, ready to run.
fn train_command(corpus: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = common::wordvec();
    command
        .args(["train", "--quiet", "--corpus"])
        .arg(corpus)
        .arg("--output")
        .arg(out)
        .args(extra);
    command
}

/// Runs [`train_command`].
fn train_quiet(corpus: &Path, out: &Path, extra: &[&str]) -> Output {
    train_command(corpus, out, extra)
        .output()
        .expect("run wordvec")
}

/// A failure as users must see it: non-zero exit, one `error:` line naming `names`, no panic.
fn assert_clean_failure(o: &Output, names: &[&str]) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, got success: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    let line = err.lines().last().unwrap_or_default();
    assert!(line.starts_with("error: "), "{err}");
    for n in names {
        assert!(line.contains(n), "'{n}' missing from: {line}");
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

/// The values of `word`'s line in a word2vec text file.
fn vector_of(text: &str, word: &str) -> Vec<f32> {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{word} ")))
        .unwrap_or_else(|| panic!("{word} is not in the file"));
    line.split(' ')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect()
}

/// A small real-looking corpus: a few hundred sentences with repeated words.
fn small_corpus(dir: &Path) -> PathBuf {
    let words = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
    ];
    let mut text = String::new();
    for i in 0..400 {
        for j in 0..10 {
            text.push_str(words[(i * 3 + j * j) % words.len()]);
            text.push(' ');
        }
        text.push('\n');
    }
    let p = dir.join("small.txt");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn embedded_default_learns_its_analogies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run/vectors.txt");
    let o = wordvec(&[
        "train",
        "--quiet",
        "--json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let acc = report["analogy"]["accuracy_3cosadd"].as_f64().unwrap();
    assert!(acc >= 0.90, "embedded analogy accuracy {acc}");
    assert_eq!(report["analogy"]["skipped"], 0);
    let rho = report["similarity"][0]["spearman"].as_f64().unwrap();
    assert!(rho > 0.5, "embedded similarity {rho}");
    for f in [
        "vectors.txt",
        "vectors.vocab.txt",
        "vectors.model.bpk",
        "vectors.config.json",
        "metrics.jsonl",
    ] {
        assert!(dir.path().join("run").join(f).is_file(), "{f} missing");
    }
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/vectors.config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(config["config"]["dim"], 100);
    assert_eq!(
        config["summary"]["epoch_losses"].as_array().unwrap().len(),
        5
    );
    // No temporary files remain.
    assert_eq!(files_in(&dir.path().join("run")).len(), 5);

    // Queries on the result.
    let o = wordvec(&[
        "analogy",
        "--vectors",
        out.to_str().unwrap(),
        "france",
        "paris",
        "japan",
        "-n",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("tokyo"));
    let o = wordvec(&["similar", "--vectors", out.to_str().unwrap(), "nosuchword"]);
    assert_clean_failure(&o, &["nosuchword"]);
}

#[test]
fn binary_output_and_eval_agree_with_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let bin = dir.path().join("v.bin");
    let o = train_quiet(
        &corpus,
        &bin,
        &[
            "--dim",
            "8",
            "--epochs",
            "2",
            "--min-count",
            "1",
            "--threads",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sim = dir.path().join("sim.tsv");
    std::fs::write(
        &sim,
        "# test\nalpha\tbeta\t5\ngamma\tdelta\t3\nalpha\tzeta\t1\nalpha\tunknownword\t2\n",
    )
    .unwrap();
    let o = wordvec(&[
        "eval",
        "--vectors",
        bin.to_str().unwrap(),
        "--similarity",
        sim.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["similarity"][0]["pairs"], 3);
    assert_eq!(r["similarity"][0]["skipped"], 1);
}

#[test]
fn softmax_autodiff_lowers_its_loss_and_every_optimizer_runs() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    for (opt, loss) in [
        ("sgd", "softmax"),
        ("adam", "softmax"),
        ("adamw", "negative"),
        ("adagrad", "negative"),
        ("rmsprop", "softmax"),
    ] {
        let out = dir.path().join(format!("{opt}/v.txt"));
        let mut args = vec![
            "--dim",
            "8",
            "--epochs",
            "3",
            "--min-count",
            "1",
            "--loss",
            loss,
            "--update",
            "autodiff",
            "--optimizer",
            opt,
            "--batch-size",
            "64",
            "--sample",
            "0",
        ];
        if opt == "sgd" {
            args.extend(["--lr", "1.0"]);
        }
        let o = train_quiet(&corpus, &out, &args);
        assert!(o.status.success(), "{opt}: {}", stderr(&o));
        let config: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("{opt}/v.config.json"))).unwrap(),
        )
        .unwrap();
        let losses: Vec<f64> = config["summary"]["epoch_losses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(losses.len(), 3);
        assert!(losses[2] < losses[0], "{opt}/{loss}: {losses:?}");
    }
}

#[test]
fn bad_corpora_fail_cleanly_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = out_dir.join("v.txt");
    let run = |corpus: &Path, extra: &[&str]| train_quiet(corpus, &out, extra);
    let missing = dir.path().join("missing.txt");
    assert_clean_failure(&run(&missing, &[]), &["missing.txt"]);

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_clean_failure(&run(&empty, &[]), &["empty.txt", "empty"]);

    let blank = dir.path().join("blank.txt");
    std::fs::write(&blank, "\n  \n\t\n").unwrap();
    assert_clean_failure(&run(&blank, &[]), &["blank.txt", "no words"]);

    let rare = dir.path().join("rare.txt");
    std::fs::write(&rare, "every word here is seen once\n").unwrap();
    assert_clean_failure(&run(&rare, &[]), &["rare.txt", "min_count"]);

    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9 au lait\nline two\n".as_slice()).unwrap();
    assert_clean_failure(
        &run(&latin1, &["--min-count", "1"]),
        &["latin1.txt:1", "UTF-8"],
    );

    let corpus = small_corpus(dir.path());
    assert_clean_failure(&run(&corpus, &["--dim", "0"]), &["--dim"]);
    assert_clean_failure(
        &run(&corpus, &["--loss", "softmax", "--update", "fused"]),
        &["autodiff"],
    );
    assert!(files_in(&out_dir).is_empty(), "{:?}", files_in(&out_dir));
}

#[test]
fn absurd_sizes_and_flags_that_do_not_apply_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let out = dir.path().join("out/v.txt");
    let refused = |extra: &[&str], names: &[&str]| {
        let started = std::time::Instant::now();
        let o = train_quiet(&corpus, &out, extra);
        assert_clean_failure(&o, names);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_secs(1),
            "refused after {took:?}"
        );
    };
    // A model no machine holds is refused before anything is allocated, with what it needs.
    refused(
        &["--dim", "2000000000"],
        &["GB", "available", "lower --dim"],
    );
    refused(
        &["--negative", "100000000"],
        &["--negative 100000000", "vocabulary"],
    );
    refused(&["--window", "100000"], &["--window 100000", "sentence"]);
    // A flag the run would not use is refused, never ignored.
    refused(
        &["--model", "glove", "--loss", "hierarchical"],
        &["--loss applies to skip-gram and CBOW", "GloVe"],
    );
    refused(
        &["--x-max", "10"],
        &["--x-max applies to GloVe", "skip-gram"],
    );
    refused(
        &["--loss", "hierarchical", "--negative", "10"],
        &[
            "--negative applies to negative sampling",
            "hierarchical softmax",
        ],
    );
    // The row-wise rules are the fused kernels' alone.
    refused(
        &["--optimizer", "rowwise-adagrad", "--update", "autodiff"],
        &["--optimizer rowwise-adagrad", "--update fused"],
    );
    refused(
        &["--model", "glove", "--optimizer", "rowwise-adam"],
        &["--optimizer rowwise-adam", "fused update"],
    );
    assert!(!out.exists());
}

#[test]
fn bad_eval_and_vector_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v.txt");
    std::fs::write(&vectors, "2 2\nalpha 1 0\nbeta 0 1\n").unwrap();
    let v = vectors.to_str().unwrap();

    let q = dir.path().join("questions.txt");
    std::fs::write(&q, ": capital\nathens greece paris\n").unwrap();
    assert_clean_failure(
        &wordvec(&["eval", "--vectors", v, "--analogies", q.to_str().unwrap()]),
        &["questions.txt:2"],
    );

    let s = dir.path().join("sim.tsv");
    std::fs::write(&s, "alpha\tbeta\thigh\n").unwrap();
    assert_clean_failure(
        &wordvec(&["eval", "--vectors", v, "--similarity", s.to_str().unwrap()]),
        &["sim.tsv:1", "high"],
    );

    let missing = dir.path().join("nope.tsv");
    assert_clean_failure(
        &wordvec(&[
            "eval",
            "--vectors",
            v,
            "--similarity",
            missing.to_str().unwrap(),
        ]),
        &["nope.tsv"],
    );

    let wrong = dir.path().join("notvectors.txt");
    std::fs::write(&wrong, "this is just some text\nnot vectors at all\n").unwrap();
    assert_clean_failure(
        &wordvec(&["similar", "--vectors", wrong.to_str().unwrap(), "text"]),
        &["notvectors.txt:1"],
    );

    let short = dir.path().join("short.txt");
    std::fs::write(&short, "3 2\nalpha 1 0\nbeta 0\n").unwrap();
    assert_clean_failure(
        &wordvec(&["similar", "--vectors", short.to_str().unwrap(), "alpha"]),
        &["short.txt:3"],
    );

    assert_clean_failure(
        &wordvec(&["analogy", "--vectors", v, "alpha", "beta", "gamma"]),
        &["gamma"],
    );
}

#[test]
fn backend_not_compiled_in_names_its_feature() {
    if cfg!(feature = "cuda") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let out = dir.path().join("v.txt");
    let o = train_quiet(&corpus, &out, &["--backend", "cuda"]);
    assert_clean_failure(&o, &["cuda", "--features cuda"]);
}

#[test]
fn a_backend_without_a_driver_fails_cleanly() {
    if !cfg!(feature = "wgpu") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let out = dir.path().join("v.txt");
    // The Vulkan loader and glvnd's EGL read their driver lists from these variables: point them
    // at nothing, so neither Vulkan nor OpenGL has a device.
    let missing = dir.path().join("no-driver.json");
    let o = train_command(&corpus, &out, &["--backend", "wgpu"])
        .env("VK_ICD_FILENAMES", &missing)
        .env("VK_DRIVER_FILES", &missing)
        .env("__EGL_VENDOR_LIBRARY_FILENAMES", &missing)
        .output()
        .unwrap();
    assert_clean_failure(&o, &["wgpu", "no usable device", "mesa-vulkan-drivers"]);
    assert!(!out.exists());
}

#[test]
fn single_threaded_runs_are_reproducible_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let train = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let o = train_quiet(
            &corpus,
            &out,
            &["--min-count", "1", "--threads", "1", "--seed", seed],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out).unwrap()
    };
    let first = train("a.bin", "3");
    assert_eq!(first, train("b.bin", "3"), "same seed, different vectors");
    assert_ne!(first, train("c.bin", "4"), "the seed changes nothing");
}

#[test]
fn divergence_stops_training_with_the_learning_rate_named() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let out = dir.path().join("v.txt");
    for backend in ["cpu", "wgpu"] {
        if backend == "wgpu" && !cfg!(feature = "wgpu") {
            continue;
        }
        let o = train_quiet(
            &corpus,
            &out,
            &["--min-count", "1", "--lr", "1e30", "--backend", backend],
        );
        assert_clean_failure(&o, &["diverged", "learning rate", "lower --lr"]);
        assert!(
            !out.exists(),
            "{backend}: a diverged run left vectors behind"
        );
    }
}

#[test]
fn unwritable_outputs_fail_with_the_path_and_leave_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let train_into = |out: &Path| train_quiet(&corpus, out, &["--min-count", "1", "--epochs", "1"]);
    // A folder where a file stands in the way: fails for every user, root included.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let o = train_into(&blocker.join("v.txt"));
    assert_clean_failure(&o, &["not-a-folder"]);

    // A read-only folder: root writes there anyway, so that case only runs for other users.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), "x").is_ok() {
        eprintln!(
            "read-only folder case skipped: this user (root?) may write to read-only folders"
        );
    } else {
        let o = train_into(&locked.join("v.txt"));
        assert_clean_failure(&o, &["locked", "v.txt"]);
        assert!(
            files_in(&locked).is_empty(),
            "left behind: {:?}",
            files_in(&locked)
        );
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn cooccur_writes_glove_records_and_refuses_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let (out, vocab) = (dir.path().join("co.bin"), dir.path().join("vocab.txt"));
    let run = |extra: &[&str]| {
        common::wordvec()
            .args(["cooccur", "--min-count", "1", "--corpus"])
            .arg(&corpus)
            .arg("--output")
            .arg(&out)
            .arg("--vocab-output")
            .arg(&vocab)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&["--window", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let words = std::fs::read_to_string(&vocab).unwrap().lines().count() as i32;
    assert!(!bytes.is_empty() && bytes.len() % 16 == 0);
    let mut last = (0, 0);
    for record in bytes.chunks_exact(16) {
        let i = i32::from_le_bytes(record[..4].try_into().unwrap());
        let j = i32::from_le_bytes(record[4..8].try_into().unwrap());
        let x = f64::from_le_bytes(record[8..].try_into().unwrap());
        assert!(
            (1..=words).contains(&i) && (1..=words).contains(&j),
            "{i} {j}"
        );
        assert!(x > 0.0 && x.is_finite());
        assert!((i, j) > last, "records in (word, context) order");
        last = (i, j);
    }
    // A budget small enough to spill gives the same bytes.
    let o = run(&["--window", "3", "--memory-gb", "0.0000002"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains(" 0 spilled"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    assert_clean_failure(&run(&["--memory-gb", "0"]), &["--memory-gb"]);
    assert_clean_failure(&run(&["--window", "61"]), &["window", "60"]);
}

#[test]
fn a_given_vocabulary_fixes_the_words_trained_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let vocab = dir.path().join("vocab.txt");
    std::fs::write(&vocab, "gamma 600\nalpha 500\nzeta 400\n").unwrap();
    let out = dir.path().join("run/v.txt");
    let o = train_quiet(
        &corpus,
        &out,
        &[
            "--vocab",
            vocab.to_str().unwrap(),
            "--epochs",
            "1",
            "--dim",
            "8",
            "--ns-exponent",
            "0",
            "--negative",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The vectors hold exactly those words, in the file's order.
    let text = std::fs::read_to_string(&out).unwrap();
    let words: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(words, ["gamma", "alpha", "zeta"]);
    let config = std::fs::read_to_string(dir.path().join("run/v.config.json")).unwrap();
    assert!(
        config.contains("\"ns_exponent\": 0.0") && config.contains("vocab.txt"),
        "{config}"
    );
    // A vocabulary fixed by file has no min-count to apply.
    let o = train_quiet(
        &corpus,
        &out,
        &["--vocab", vocab.to_str().unwrap(), "--min-count", "2"],
    );
    assert!(
        !o.status.success() && stderr(&o).contains("--min-count"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&vocab, "gamma 600\nalpha many\n").unwrap();
    let o = train_quiet(
        &corpus,
        &dir.path().join("bad/v.txt"),
        &["--vocab", vocab.to_str().unwrap()],
    );
    assert_clean_failure(&o, &["vocab.txt:2", "whole number"]);
    assert!(files_in(&dir.path().join("bad")).is_empty());
}

#[test]
fn init_vectors_start_the_rows_of_the_words_they_have() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    // Two of the corpus's words, and one it does not have.
    let init = dir.path().join("init.txt");
    std::fs::write(
        &init,
        "3 4\nalpha 1 2 3 4\nzeta -1 0 0.5 8\nomega 9 9 9 9\n",
    )
    .unwrap();
    let out = dir.path().join("run/v.txt");
    // A vanishing rate keeps the rows where they started.
    let args = [
        "--init-vectors",
        init.to_str().unwrap(),
        "--dim",
        "4",
        "--epochs",
        "1",
    ];
    let o = train_quiet(
        &corpus,
        &out,
        &[&args[..], &["--lr", "1e-12", "--min-count", "1"]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let row = |w: &str| vector_of(&text, w);
    let near = |a: Vec<f32>, b: [f32; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
    assert!(
        near(row("alpha"), [1.0, 2.0, 3.0, 4.0]),
        "{:?}",
        row("alpha")
    );
    assert!(
        near(row("zeta"), [-1.0, 0.0, 0.5, 8.0]),
        "{:?}",
        row("zeta")
    );
    // The others start small and at random, as without the file.
    assert!(row("beta").iter().all(|v| v.abs() <= 0.25));
    // Locked, they stay exactly as given while the others train around them.
    let locked = dir.path().join("locked/v.txt");
    let args = [
        "--init-vectors",
        init.to_str().unwrap(),
        "--lock-init",
        "--dim",
        "4",
        "--min-count",
        "1",
    ];
    let o = train_quiet(&corpus, &locked, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&locked).unwrap();
    let row = |w: &str| vector_of(&text, w);
    assert_eq!(row("alpha"), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(row("zeta"), [-1.0, 0.0, 0.5, 8.0]);
    assert!(
        row("beta").iter().any(|v| v.abs() > 0.25),
        "{:?}",
        row("beta")
    );
    let o = train_quiet(
        &corpus,
        &locked,
        &[&args[..], &["--update", "autodiff"]].concat(),
    );
    assert!(
        !o.status.success() && stderr(&o).contains("--lock-init"),
        "{}",
        stderr(&o)
    );
    // Vectors of another dimension are refused by name.
    let o = train_quiet(
        &corpus,
        &dir.path().join("bad/v.txt"),
        &["--init-vectors", init.to_str().unwrap(), "--dim", "8"],
    );
    assert_clean_failure(&o, &["init.txt", "dimension 4"]);
    let o = train_quiet(
        &corpus,
        &dir.path().join("glove/v.txt"),
        &["--model", "glove", "--init-vectors", init.to_str().unwrap()],
    );
    assert!(
        !o.status.success() && stderr(&o).contains("--init-vectors"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn continue_grows_the_vocabulary_and_trains_a_new_run() {
    let dir = tempfile::tempdir().unwrap();
    let first = small_corpus(dir.path());
    let second = dir.path().join("second.txt");
    std::fs::write(&second, "alpha omega beta omega psi\n".repeat(40)).unwrap();
    let old = dir.path().join("old/v.txt");
    let o = train_quiet(
        &first,
        &old,
        &["--dim", "8", "--epochs", "1", "--min-count", "1"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let new = dir.path().join("new/v.txt");
    let continued = |extra: &[&str]| {
        common::wordvec()
            .args(["train", "--continue"])
            .arg(dir.path().join("old"))
            .arg("--corpus")
            .arg(&second)
            .arg("--output")
            .arg(&new)
            .args(extra)
            .output()
            .unwrap()
    };
    // The model's own settings stay the finished run's…
    let o = continued(&["--dim", "9"]);
    assert_clean_failure(&o, &["--dim is fixed by the finished run's model"]);
    // …the run's own are the new run's.
    let o = continued(&["--threads", "1", "--epochs", "2", "--lr", "0.01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 of them new"), "{}", stderr(&o));
    // The old words keep their ids (counted in the new text now), the new ones follow.
    let vocab = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (old_vocab, new_vocab) = (
        vocab(&dir.path().join("old/v.vocab.txt")),
        vocab(&dir.path().join("new/v.vocab.txt")),
    );
    assert_eq!(new_vocab.len(), old_vocab.len() + 2);
    for (o, n) in old_vocab.iter().zip(&new_vocab) {
        assert_eq!(o.split(' ').next(), n.split(' ').next());
    }
    assert_eq!(new_vocab[old_vocab.len()..], ["omega 80", "psi 40"]);
    assert!(new_vocab.contains(&"gamma 0".to_string()), "{new_vocab:?}");
    let config = std::fs::read_to_string(dir.path().join("new/v.config.json")).unwrap();
    assert!(
        config.contains("second.txt") && config.contains("\"dim\": 8"),
        "{config}"
    );
    for taken in ["\"threads\": 1", "\"epochs\": 2", "\"lr\": 0.01"] {
        assert!(config.contains(taken), "{taken} not in {config}");
    }
    // A folder with no finished run is named.
    let o = common::wordvec()
        .args(["train", "--continue"])
        .arg(dir.path())
        .arg("--corpus")
        .arg(&second)
        .output()
        .unwrap();
    assert!(
        !o.status.success() && stderr(&o).contains("no finished run"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_gpu_run_says_which_kernel_trains() {
    if !cfg!(feature = "wgpu") {
        eprintln!("skipped: built without the wgpu feature");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = small_corpus(dir.path());
    let out = dir.path().join("v.txt");
    let kernel_line = |extra: &[&str]| {
        let mut command = common::wordvec();
        command
            .args([
                "train",
                "--backend",
                "wgpu",
                "--min-count",
                "1",
                "--epochs",
                "1",
            ])
            .arg("--corpus")
            .arg(&corpus)
            .arg("--output")
            .arg(&out)
            .args(extra);
        let o = command.output().expect("run wordvec");
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
            .lines()
            .find(|l| l.starts_with("GPU kernel"))
            .map(str::to_string)
    };
    // SGD on a GPU steps a window at a time; Mesa's software driver adds f32 atomically.
    let windowed = kernel_line(&[]).expect("a GPU run under SGD names its kernel");
    assert!(windowed.contains("a window at a time"), "{windowed}");
    // Hierarchical softmax's 40 path rows of 1,000 floats do not fit a cube's shared memory.
    let wide = kernel_line(&["--loss", "hierarchical", "--dim", "1000"]).unwrap();
    assert!(wide.contains("per pair"), "{wide}");
    // Asked for pairs, it says nothing.
    assert_eq!(kernel_line(&["--batching", "pair"]), None);
}
