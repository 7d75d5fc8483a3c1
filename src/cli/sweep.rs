//! `sweep`: a grid of training runs from comma lists of `train` flags, then their comparison.

use std::path::PathBuf;

use clap::{Args, Parser};

use super::signals::{stop_flag, stopped_exit_code};
use super::train::TrainArgs;

#[derive(Args)]
#[command(
    after_help = "Every `wordvec train` flag is accepted; a comma list makes a grid axis:
  wordvec sweep --corpus text.txt --optimizer sgd,adam,adagrad --lr 0.025,0.001 --epochs 1 --out runs
trains six runs into runs/optimizer-sgd_lr-0.025/ and so on, then writes the comparison
(comparison.md and charts) into runs/. --corpus, --output, --analogies and --similarity are never
split (--output is set per run)."
)]
pub struct SweepArgs {
    /// Folder of the run directories and the comparison [default: runs]; `train` flags follow.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<String>,
}

/// `train`'s flags alone, to parse each grid point as `train` would.
#[derive(Parser)]
#[command(name = "wordvec sweep")]
struct GridPoint {
    #[command(flatten)]
    train: TrainArgs,
}

/// Flags whose values are never split on commas.
const WHOLE: [&str; 4] = ["--corpus", "--analogies", "--similarity", "--output"];

/// The command line as fixed words and axes: `(flag, values)` for each comma list.
struct Grid {
    fixed: Vec<String>,
    axes: Vec<(String, Vec<String>)>,
}

fn parse_grid(args: Vec<String>) -> anyhow::Result<(PathBuf, Grid)> {
    let mut out = PathBuf::from("runs");
    let mut fixed = Vec::new();
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    let mut flag: Option<String> = None;
    let mut words = args.into_iter();
    while let Some(word) = words.next() {
        if let Some(rest) = word.strip_prefix("--") {
            let (name, inline) = match rest.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (word.clone(), None),
            };
            match name.as_str() {
                "--out" => {
                    let value = inline
                        .or_else(|| words.next())
                        .ok_or_else(|| anyhow::anyhow!("--out needs a folder"))?;
                    out = PathBuf::from(value);
                    continue;
                }
                "--output" => anyhow::bail!(
                    "sweep sets --output for each run (OUT/<run>/vectors.txt): use --out for the folder"
                ),
                "--resume" => anyhow::bail!(
                    "sweep starts new runs: resume a run with `wordvec train --resume DIR`"
                ),
                _ => {}
            }
            flag = Some(name.clone());
            fixed.push(name);
            if let Some(v) = inline {
                push_value(&flag, v, &mut fixed, &mut axes)?;
            }
        } else {
            push_value(&flag, word, &mut fixed, &mut axes)?;
        }
    }
    Ok((out, Grid { fixed, axes }))
}

/// Adds a value to the command line, or makes it an axis when it is a comma list.
fn push_value(
    flag: &Option<String>,
    value: String,
    fixed: &mut Vec<String>,
    axes: &mut Vec<(String, Vec<String>)>,
) -> anyhow::Result<()> {
    let Some(flag) = flag else {
        anyhow::bail!("'{value}' is not a flag: sweep takes `train` flags such as --lr 0.025,0.05");
    };
    if value.contains(',') && !WHOLE.contains(&flag.as_str()) {
        if axes.iter().any(|(f, _)| f == flag) {
            anyhow::bail!("{flag} is given twice as a list");
        }
        // The flag word itself was pushed already: the axis supplies it per grid point.
        if fixed.last() == Some(flag) {
            fixed.pop();
        }
        let values: Vec<String> = value.split(',').map(str::to_string).collect();
        if values.iter().any(String::is_empty) {
            anyhow::bail!("{flag} {value}: empty item in the list");
        }
        axes.push((flag.clone(), values));
    } else {
        fixed.push(value);
    }
    Ok(())
}

impl Grid {
    /// Every combination: (run name, command line).
    fn points(&self) -> Vec<(String, Vec<String>)> {
        let mut points = vec![(Vec::<String>::new(), self.fixed.clone())];
        for (flag, values) in &self.axes {
            points = points
                .into_iter()
                .flat_map(|(name, line)| {
                    values.iter().map(move |v| {
                        let mut name = name.clone();
                        name.push(format!("{}-{v}", flag.trim_start_matches("--")));
                        let mut line = line.clone();
                        line.extend([flag.clone(), v.clone()]);
                        (name, line)
                    })
                })
                .collect();
        }
        points
            .into_iter()
            .map(|(name, line)| {
                let name = if name.is_empty() {
                    "run".to_string()
                } else {
                    name.join("_")
                };
                let name = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                (name, line)
            })
            .collect()
    }
}

pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    let (out, grid) = parse_grid(args.args)?;
    // Every grid point is parsed before any trains, so a bad value fails at once.
    let mut runs = Vec::new();
    for (name, mut line) in grid.points() {
        let dir = out.join(&name);
        line.extend([
            "--output".into(),
            dir.join("vectors.txt").display().to_string(),
        ]);
        line.insert(0, "wordvec sweep".into());
        let point =
            GridPoint::try_parse_from(&line).map_err(|e| anyhow::anyhow!("run {name}: {e}"))?;
        runs.push((name, dir, point.train));
    }
    eprintln!("sweep: {} run(s) into {}", runs.len(), out.display());
    let stop = stop_flag();
    let mut dirs = Vec::new();
    let mut failures = Vec::new();
    let total = runs.len();
    for (i, (name, dir, train)) in runs.into_iter().enumerate() {
        eprintln!("\n=== run {}/{total}: {name}", i + 1);
        match super::train::start(&train, stop.clone()) {
            Ok(()) => dirs.push(dir),
            Err(e) if super::train::was_stopped(&e) => {
                eprintln!(
                    "{e}\nsweep stopped; the runs so far are in {}",
                    out.display()
                );
                std::process::exit(stopped_exit_code());
            }
            Err(e) => {
                eprintln!("run {name} failed: {e:#}");
                if dir.join(wordvec::train::METRICS_FILE).exists() {
                    dirs.push(dir);
                }
                failures.push(name);
            }
        }
    }
    if !dirs.is_empty() {
        eprintln!();
        super::compare::compare(&dirs, &out)?;
    }
    if !failures.is_empty() {
        anyhow::bail!("{} run(s) failed: {}", failures.len(), failures.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn comma_lists_make_a_grid() {
        let (out, grid) = parse_grid(words(
            "--corpus a.txt --optimizer sgd,adam --lr 0.1,0.2,0.3 --epochs 1 --out sweep --similarity x.tsv,y.tsv",
        ))
        .unwrap();
        assert_eq!(out, PathBuf::from("sweep"));
        let points = grid.points();
        assert_eq!(points.len(), 6);
        assert_eq!(points[0].0, "optimizer-sgd_lr-0.1");
        assert_eq!(points[5].0, "optimizer-adam_lr-0.3");
        assert_eq!(
            points[5].1,
            words("--corpus a.txt --epochs 1 --similarity x.tsv,y.tsv --optimizer adam --lr 0.3")
        );
    }

    #[test]
    fn equals_form_and_bad_input() {
        let (_, grid) = parse_grid(words("--lr=0.1,0.2 --dim=50")).unwrap();
        assert_eq!(grid.points().len(), 2);
        assert_eq!(grid.points()[1].1, words("--dim 50 --lr 0.2"));
        assert!(parse_grid(words("--output x")).is_err());
        assert!(parse_grid(words("stray")).is_err());
        assert!(parse_grid(words("--lr 0.1,")).is_err());
    }
}
