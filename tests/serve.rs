//! `wordvec serve`'s JSON API over loopback: every endpoint against the command line's own
//! answers, bad requests answered with a 4xx and a message (never a crash), and a load of
//! concurrent clients against a file of a million words.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::serving::{Served, request};
use serde_json::Value;
use wordvec::Embeddings;
use wordvec::io::{VectorFormat, write_vectors};

/// A run on the embedded corpus, in `dir`; its vectors file.
fn train(dir: &Path, flags: &[&str]) -> PathBuf {
    let vectors = dir.join("vectors.bin");
    let out = common::wordvec()
        .args(["train", "--epochs", "1", "--seed", "3", "--output"])
        .arg(&vectors)
        .args(flags)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    vectors
}

/// The `n`-th word of a run's vocabulary (frequency order).
fn word(vectors: &Path, n: usize) -> String {
    let vocab = std::fs::read_to_string(vectors.with_extension("vocab.txt")).unwrap();
    let line = vocab.lines().nth(n).unwrap();
    line.split_whitespace().next().unwrap().to_string()
}

/// What `wordvec similar --json` answers.
fn cli_similar(vectors: &Path, args: &[&str]) -> Value {
    let out = common::wordvec()
        .args(["similar", "--json", "--vectors"])
        .arg(vectors)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_endpoint_answers_as_the_command_line_does() {
    let tmp = tempfile::tempdir().unwrap();
    let a = train(&tmp.path().join("sgd"), &[]);
    let b = train(&tmp.path().join("adagrad"), &["--optimizer", "adagrad"]);
    let mut served = Served::start(&[a.parent().unwrap(), b.parent().unwrap()], &[]);
    let king = word(&a, 40);

    let models = served.get("/api/models").json();
    assert_eq!(models["models"].as_array().unwrap().len(), 2);
    assert_eq!(models["models"][0]["name"], "sgd");
    assert_eq!(models["models"][0]["dim"], 100);
    assert_eq!(models["runs"], 2);

    // Neighbours: the same words and cosines as `wordvec similar`, with --restrict and a
    // negative word too.
    let other = word(&a, 41);
    for (api, cli) in [
        (
            format!("/api/similar?model=0&word={king}&k=7"),
            vec![king.as_str(), "-n", "7"],
        ),
        (
            format!("/api/similar?model=0&positive={king}&negative={other}&k=5&restrict=200"),
            vec![
                "--positive",
                &king,
                "--negative",
                &other,
                "-n",
                "5",
                "--restrict",
                "200",
            ],
        ),
    ] {
        let ours = served.get(&api).json();
        let theirs = cli_similar(&a, &cli);
        assert_eq!(ours["neighbours"], theirs["neighbours"], "{api}");
    }

    let complete = served.get(&format!("/api/complete?model=0&prefix={}", &king[..2]));
    let words = complete.json()["words"].clone();
    assert!(
        words
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.as_str().unwrap().starts_with(&king[..2]))
    );
    assert!(
        words
            .as_array()
            .unwrap()
            .contains(&Value::from(king.clone())),
        "{words}"
    );

    let (w1, w2, w3) = (word(&a, 50), word(&a, 51), word(&a, 52));
    let analogy = served
        .get(&format!("/api/analogy?model=0&a={w1}&b={w2}&c={w3}&k=3"))
        .json();
    let cli = cli_similar(
        &a,
        &[
            "--positive",
            &w2,
            "--positive",
            &w3,
            "--negative",
            &w1,
            "-n",
            "3",
        ],
    );
    assert_eq!(analogy["neighbours"], cli["neighbours"]);

    let similarity = served
        .get(&format!("/api/similarity?model=0&a={w1}&b={w2}"))
        .json();
    let cosine = similarity["similarity"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&cosine));
    let odd = served
        .get(&format!("/api/doesnt-match?model=0&words={w1},{w2},{w3}"))
        .json();
    assert!([&w1, &w2, &w3].contains(&&odd["doesnt_match"].as_str().unwrap().to_string()));
    let vector = served.get(&format!("/api/vector?model=1&word={w1}")).json();
    assert_eq!(vector["vector"].as_array().unwrap().len(), 100);

    for method in ["pca", "tsne"] {
        let map = served
            .get(&format!(
                "/api/map?model=0&around={king}&k=12&method={method}"
            ))
            .json();
        let points = map["points"].as_array().unwrap();
        assert_eq!(points.len(), 13, "{method}");
        assert_eq!(points[0]["word"], king.as_str());
        assert!(points.iter().all(|p| p["x"].as_f64().unwrap().is_finite()));
    }
    let chosen = served
        .get(&format!("/api/map?model=0&words={w1},{w2},{w3}"))
        .json();
    assert_eq!(chosen["points"].as_array().unwrap().len(), 3);
    assert!(chosen["explained"][0].as_f64().unwrap() > 0.0);

    // Two models side by side: each side is that model's own `similar`.
    let compare = served
        .get(&format!("/api/compare?a=0&b=1&word={king}&k=5"))
        .json();
    assert_eq!(
        compare["a"]["neighbours"],
        cli_similar(&a, &[&king, "-n", "5"])["neighbours"]
    );
    assert_eq!(
        compare["b"]["neighbours"],
        cli_similar(&b, &[&king, "-n", "5"])["neighbours"]
    );
    // A model compared with itself agrees on every neighbour of every word.
    let same = served.get("/api/overlap?a=0&b=0&k=5&words=50").json();
    assert_eq!(same["mean"], 1.0);
    assert_eq!(same["words"], 50);
    let differ = served.get("/api/overlap?a=0&b=1&k=5&words=50").json();
    assert!(differ["mean"].as_f64().unwrap() < 1.0, "{differ}");

    let runs = served.get("/api/runs").json();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2);
    assert!(
        runs["differing"]
            .as_array()
            .unwrap()
            .contains(&Value::from("optimizer"))
    );
    assert!(!runs["runs"][0]["losses"].as_array().unwrap().is_empty());
    assert_eq!(runs["runs"][1]["model"], 1);

    // The page and its files.
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<script src=\"/app.js\">"));
    assert_eq!(served.get("/app.js").status, 200);
    assert_eq!(served.get("/style.css").status, 200);
    assert!(served.alive());
}

#[test]
fn bad_requests_get_a_4xx_and_a_message_and_the_server_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let vectors = train(tmp.path(), &[]);
    let mut served = Served::start(&[&vectors], &[]);
    let known = word(&vectors, 10);
    let cases: Vec<(String, u16, &str)> = vec![
        (
            "/api/similar?model=0&word=qqqqzzzz".into(),
            404,
            "unknown word 'qqqqzzzz'",
        ),
        (
            format!("/api/similar?model=0&word={known}&k=abc"),
            400,
            "'k' is 'abc'",
        ),
        (
            format!("/api/similar?model=0&word={known}&k=-3"),
            400,
            "'k' is '-3'",
        ),
        (
            format!("/api/similar?model=0&word={known}&k=0"),
            400,
            "from 1 to 1000",
        ),
        (
            format!("/api/similar?model=0&word={known}&k=99999999999999999999999"),
            400,
            "not a whole number",
        ),
        (
            format!("/api/similar?model=0&word={known}&k=1000000"),
            400,
            "from 1 to 1000",
        ),
        (
            format!("/api/similar?model=0&word={known}&restrict=0"),
            400,
            "'restrict' is 0; it must be at least 1",
        ),
        (
            format!("/api/similar?model=0&word={known}&restrict=ten"),
            400,
            "'restrict' is 'ten'",
        ),
        ("/api/similar?model=0".into(), 400, "at least one word"),
        (
            format!("/api/similar?model=7&word={known}"),
            404,
            "no model 7",
        ),
        (
            format!("/api/similar?model=x&word={known}"),
            400,
            "'model' is 'x'",
        ),
        (
            format!("/api/similar?word={known}"),
            400,
            "missing parameter 'model'",
        ),
        (
            "/api/analogy?model=0&a=x".into(),
            400,
            "missing parameter 'b'",
        ),
        (
            format!("/api/map?model=0&words={known}"),
            400,
            "at least two words",
        ),
        (
            format!("/api/map?model=0&around={known}&method=umap"),
            400,
            "pca or tsne",
        ),
        (
            format!("/api/map?model=0&around={known}&method=tsne&perplexity=-1"),
            400,
            "'perplexity'",
        ),
        (
            format!("/api/map?model=0&around={known}&k=5000"),
            400,
            "'k' is 5000",
        ),
        (
            "/api/doesnt-match?model=0&words=a".into(),
            400,
            "at least two words",
        ),
        (
            "/api/overlap?a=0&b=0&words=3000".into(),
            400,
            "'words' is 3000",
        ),
        ("/api/nothing".into(), 404, "no endpoint /api/nothing"),
        ("/../../etc/passwd".into(), 404, "no page"),
        ("/%2e%2e/%2e%2e/etc/passwd".into(), 404, "no page"),
        ("/api/../../etc/passwd".into(), 404, ""),
        ("/vectors.bin".into(), 404, "no page"),
    ];
    for (path, status, message) in &cases {
        let reply = served.get(path);
        assert_eq!(reply.status, *status, "{path}: {}", reply.body);
        assert!(reply.error().contains(message), "{path}: {}", reply.body);
    }
    let too_many = (0..2_100)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let reply = served.get(&format!("/api/doesnt-match?model=0&words={too_many}"));
    assert_eq!(reply.status, 400);
    assert!(reply.error().contains("at most 2000"), "{}", reply.body);
    let post = request(served.address, "POST", "/api/models", Some("{}"));
    assert_eq!(post.status, 405, "{}", post.body);
    // A request that is not HTTP at all.
    {
        use std::io::Write;
        let mut raw = std::net::TcpStream::connect(served.address).unwrap();
        let _ = raw.write_all(b"\x00\x01garbage\r\n\r\n");
    }
    assert!(served.alive());
    assert_eq!(served.get("/api/models").status, 200);
}

#[test]
fn a_subword_model_answers_for_unseen_words_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let vectors = tmp.path().join("vectors.vec");
    let out = common::wordvec()
        .args([
            "train",
            "--subwords",
            "--bucket",
            "5000",
            "--epochs",
            "1",
            "--output",
        ])
        .arg(&vectors)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    // The run's folder serves its fastText model, which holds the n-grams.
    let served = Served::start(&[tmp.path()], &[]);
    let models = served.get("/api/models").json();
    assert_eq!(models["models"][0]["subwords"], true);
    let unseen = format!("{}zq", word(&vectors.with_extension("bin"), 30));
    let answer = served
        .get(&format!("/api/similar?model=0&word={unseen}&k=3"))
        .json();
    assert_eq!(answer["unseen"][0], unseen.as_str());
    assert_eq!(answer["neighbours"].as_array().unwrap().len(), 3);
    let map = served
        .get(&format!(
            "/api/map?model=0&words={unseen},{}",
            word(&vectors.with_extension("bin"), 3)
        ))
        .json();
    assert_eq!(map["points"][0]["unseen"], true);
}

/// A word2vec binary file of `words` words of dimension `dim`, written by the library.
fn big_file(path: &Path, words: usize, dim: usize) {
    let names = (0..words).map(|i| format!("w{i}")).collect();
    let data = (0..words * dim)
        .map(|i| ((i as u64).wrapping_mul(2_654_435_761) % 2001) as f32 / 1000.0 - 1.0)
        .collect();
    let table = Embeddings::new(names, dim, data).unwrap();
    write_vectors(path, &table, VectorFormat::Binary).unwrap();
}

#[test]
fn eight_clients_get_a_thousand_answers_from_a_million_words() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("million.bin");
    big_file(&path, 1_000_000, 32);
    let opened = Instant::now();
    let mut served = Served::start(&[&path], &[]);
    let open_time = opened.elapsed();
    let queries = [
        "/api/similar?model=0&word=w17&k=10",
        "/api/complete?model=0&prefix=w99",
        "/api/similarity?model=0&a=w5&b=w999999",
        "/api/vector?model=0&word=w123456",
        "/api/similar?model=0&word=w42&k=10&restrict=100000",
        "/api/analogy?model=0&a=w1&b=w2&c=w3&k=5",
        "/api/doesnt-match?model=0&words=w1,w2,w3,w4",
        "/api/similar?model=0&word=not-a-word",
    ];
    let address = served.address;
    let latencies: Vec<(Duration, bool)> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..8)
            .map(|client| {
                scope.spawn(move || {
                    (0..125)
                        .map(|i| {
                            let path = queries[(client + i) % queries.len()];
                            let start = Instant::now();
                            let reply = request(address, "GET", path, None);
                            let expected = if path.contains("not-a-word") {
                                404
                            } else {
                                200
                            };
                            (start.elapsed(), reply.status == expected)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    assert_eq!(latencies.len(), 1000);
    assert!(
        latencies.iter().all(|(_, ok)| *ok),
        "a request was answered wrongly"
    );
    assert!(served.alive());
    let mut times: Vec<Duration> = latencies.iter().map(|(t, _)| *t).collect();
    times.sort();
    println!(
        "1,000 requests from 8 clients over 1,000,000 words × 32: median {:.1} ms, 99th percentile {:.1} ms, slowest {:.1} ms (opened in {:.2} s)",
        times[500].as_secs_f64() * 1e3,
        times[989].as_secs_f64() * 1e3,
        times[999].as_secs_f64() * 1e3,
        open_time.as_secs_f64()
    );
}

#[test]
fn export_writes_the_embedding_projectors_two_files() {
    let tmp = tempfile::tempdir().unwrap();
    let vectors = train(tmp.path(), &[]);
    let tsv = tmp.path().join("projector.tsv");
    let out = common::wordvec()
        .args(["export", "--format", "projector", "--vectors"])
        .arg(&vectors)
        .arg("--output")
        .arg(&tsv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let rows: Vec<Vec<f32>> = std::fs::read_to_string(&tsv)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(|v| v.parse().unwrap()).collect())
        .collect();
    let words: Vec<String> = std::fs::read_to_string(tmp.path().join("projector.metadata.tsv"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let table = wordvec::io::read_vectors(&vectors, None).unwrap();
    assert_eq!(words, table.words());
    assert_eq!(rows.len(), table.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.as_slice(), table.row(i), "row {i}");
    }
}
