//! Compressed, concatenated and folder corpora: each format reads as the plain text does, a
//! damaged or cut stream is an error naming the file and the decompressed byte, and training on
//! a compressed corpus with one thread gives the plain file's vectors bit for bit.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{output_with_stdin, stderr, wordvec};
use wordvec::text::{Corpus, Vocab};

fn text() -> String {
    (0..3000)
        .map(|i| {
            format!(
                "w{} x{}{}",
                (i * 7) % 101,
                i % 13,
                if i % 17 == 0 { "\n" } else { " " }
            )
        })
        .collect()
}

fn compress(format: &str, data: &[u8]) -> Vec<u8> {
    match format {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "zst" => zstd::stream::encode_all(data, 3).unwrap(),
        other => panic!("{other}"),
    }
}

/// Written under a name that says nothing of the format: it is found from the bytes.
fn written(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn vocabulary(paths: &[PathBuf], threads: usize) -> wordvec::Result<Vec<(String, u64)>> {
    let corpus = Corpus::open(paths)?;
    let (vocab, stats) = Vocab::build(&corpus, 1, None, threads)?;
    assert!(stats.tokens > 0);
    Ok(vocab
        .word_list()
        .into_iter()
        .zip(vocab.counts().iter().copied())
        .collect())
}

#[test]
fn every_format_and_a_folder_read_as_the_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let plain = written(dir.path(), "plain.txt", text().as_bytes());
    let want = vocabulary(std::slice::from_ref(&plain), 1).unwrap();
    for format in ["gz", "bz2", "xz", "zst"] {
        let packed = written(
            dir.path(),
            &format!("{format}.data"),
            &compress(format, text().as_bytes()),
        );
        for threads in [1, 3] {
            assert_eq!(
                vocabulary(std::slice::from_ref(&packed), threads).unwrap(),
                want,
                "{format}"
            );
        }
        // Two streams back to back (as `cat a.gz b.gz`) read as the two texts.
        let mut twice = compress(format, text().as_bytes());
        twice.extend(compress(format, text().as_bytes()));
        let doubled = written(dir.path(), &format!("twice-{format}"), &twice);
        let got = vocabulary(&[doubled], 2).unwrap();
        assert!(
            got.iter()
                .zip(&want)
                .all(|(g, w)| g.0 == w.0 && g.1 == 2 * w.1),
            "{format}"
        );
    }
    // A folder: its files in name order, compressed or not, beside a plain file.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    written(&folder, "b.gz", &compress("gz", b"beta beta\n"));
    written(&folder, "a.txt", b"alpha\n");
    let corpus = Corpus::open(&[folder.clone(), plain]).unwrap();
    let files: Vec<_> = corpus
        .paths()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(files, ["a.txt", "b.gz", "plain.txt"]);
    let got = vocabulary(&[folder], 2).unwrap();
    assert_eq!(got, [("beta".to_string(), 2), ("alpha".to_string(), 1)]);
}

#[test]
fn cut_or_damaged_streams_name_the_file_and_the_decompressed_byte() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["gz", "bz2", "xz", "zst"] {
        let packed = compress(format, text().as_bytes());
        let cut = written(
            dir.path(),
            &format!("cut-{format}"),
            &packed[..packed.len() / 2],
        );
        let e = vocabulary(&[cut], 1).unwrap_err().to_string();
        assert!(
            e.contains(&format!("cut-{format}")) && e.contains("decompressed byte"),
            "{format}: {e}"
        );
        let mut damaged = packed.clone();
        let middle = damaged.len() / 2;
        for b in &mut damaged[middle..middle + 8] {
            *b ^= 0x5a;
        }
        let bad = written(dir.path(), &format!("bad-{format}"), &damaged);
        let e = vocabulary(&[bad], 1).unwrap_err().to_string();
        assert!(e.contains(&format!("bad-{format}")), "{format}: {e}");
    }
}

#[test]
fn compressed_and_piped_corpora_give_the_plain_files_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let plain = written(dir.path(), "plain.txt", text().as_bytes());
    let packed = written(dir.path(), "packed.xz", &compress("xz", text().as_bytes()));
    let mut vectors = Vec::new();
    for (name, corpus) in [
        ("plain", &plain),
        ("packed", &packed),
        ("piped", &PathBuf::from("-")),
    ] {
        let out = dir.path().join(name).join("v.bin");
        // Standard input carries the gzip-compressed text (decompressed from the spooled copy).
        let o = output_with_stdin(
            wordvec()
                .args(["train", "--threads", "1", "--epochs", "2", "--dim", "16"])
                .args(["--min-count", "1", "--checkpoint-every", "1s", "--corpus"])
                .arg(corpus)
                .arg("--output")
                .arg(&out),
            &compress("gz", text().as_bytes()),
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        if name == "piped" {
            assert!(
                stderr(&o).contains("standard input copied to"),
                "{}",
                stderr(&o)
            );
        }
        vectors.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(vectors[0], vectors[1]);
    assert_eq!(vectors[0], vectors[2]);
}

#[test]
fn process_substitution_trains_as_the_file_does() {
    // `--corpus <(zcat text.gz)` names a pipe (/dev/fd/63): it is copied as standard input is.
    let dir = tempfile::tempdir().unwrap();
    let plain = written(dir.path(), "plain.txt", text().as_bytes());
    let packed = written(dir.path(), "packed.gz", &compress("gz", text().as_bytes()));
    let flags = "--threads 1 --epochs 2 --dim 16 --min-count 1 --quiet";
    let train = |corpus: &str, out: &Path| {
        let command = format!(
            "{} train {flags} --corpus {corpus} --output {}",
            env!("CARGO_BIN_EXE_wordvec"),
            out.display()
        );
        let o = std::process::Command::new("bash")
            .args(["-c", &command])
            .output()
            .unwrap();
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        std::fs::read(out).unwrap()
    };
    let from_file = train(&plain.display().to_string(), &dir.path().join("a/v.bin"));
    let substituted = format!("<(gzip -dc {})", packed.display());
    let from_pipe = train(&substituted, &dir.path().join("b/v.bin"));
    assert_eq!(from_file, from_pipe);
}

#[test]
fn a_run_on_standard_input_refuses_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    // A checkpoint as a piped run leaves one: its config names `-` as the corpus.
    let mut child = wordvec()
        .args([
            "train",
            "--threads",
            "1",
            "--epochs",
            "100000",
            "--dim",
            "8",
            "--min-count",
            "1",
        ])
        .args(["--checkpoint-every", "1s", "--corpus", "-", "--output"])
        .arg(run.join("v.txt"))
        // Killed, the run cannot remove its copy of standard input: keep it in this test's
        // folder.
        .env("TMPDIR", dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text().as_bytes())
        .unwrap();
    // Far too many epochs to finish: wait for its first checkpoint, then stop it hard.
    let checkpoint = run.join("checkpoint.wvck");
    for _ in 0..600 {
        if checkpoint.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(checkpoint.exists(), "no checkpoint within 30 s");
    let o = wordvec()
        .args(["train", "--resume"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
}
