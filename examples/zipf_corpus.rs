//! Writes a synthetic corpus for scale tests: `--tokens` words drawn from a Zipf distribution
//! over `--distinct` words (rank r with probability ∝ 1/r^s), twenty words a line, as plain text
//! that `wordvec train --corpus` reads. Never commit its output: generate it into a temporary
//! folder, e.g.
//!
//! ```sh
//! cargo run --release --example zipf_corpus -- /tmp/zipf-200m.txt --tokens 200000000 --distinct 20000000
//! ```
//!
//! Flags: `--tokens N` (100,000,000), `--distinct N` (10,000,000), `--exponent S` (1.0: natural
//! text's), `--seed N` (1).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().filter(|a| !a.starts_with("--")) else {
        bail!("usage: zipf_corpus OUT [--tokens N] [--distinct N] [--exponent S] [--seed N]");
    };
    let tokens: u64 = flag(&args, "--tokens", 100_000_000)?;
    let distinct: usize = flag(&args, "--distinct", 10_000_000)?;
    let exponent: f64 = flag(&args, "--exponent", 1.0)?;
    let seed: u64 = flag(&args, "--seed", 1)?;
    if distinct == 0 || tokens == 0 {
        bail!("--tokens and --distinct must be at least 1");
    }
    // The cumulative distribution over ranks; a draw is a binary search in it.
    let mut cumulative = Vec::with_capacity(distinct);
    let mut sum = 0.0f64;
    for rank in 1..=distinct {
        sum += (rank as f64).powf(-exponent);
        cumulative.push(sum);
    }
    let path = PathBuf::from(out);
    let file = std::fs::File::create(&path).with_context(|| format!("creating {out}"))?;
    let mut w = BufWriter::with_capacity(1 << 22, file);
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut word = Vec::with_capacity(16);
    for n in 0..tokens {
        let u = rng.random::<f64>() * sum;
        let rank = cumulative.partition_point(|&c| c < u);
        word.clear();
        word.push(b'w');
        word.extend_from_slice(rank.to_string().as_bytes());
        word.push(if (n + 1) % 20 == 0 { b'\n' } else { b' ' });
        w.write_all(&word)
            .with_context(|| format!("writing {out}"))?;
    }
    w.write_all(b"\n")?;
    w.flush().with_context(|| format!("writing {out}"))?;
    eprintln!("{tokens} tokens over {distinct} words (exponent {exponent}) in {out}");
    Ok(())
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{name} needs a number")),
    }
}
