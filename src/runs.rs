//! Runs read back from their directories (`metrics.jsonl`), and their comparison: a table of
//! what differs and what came of it, and charts of loss and benchmark figures against words seen
//! and against training time, one line per run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::plot::{LineChart, Series, line_chart};
use crate::train::{METRICS_FILE, MetricRecord, TrainConfig, fasttext_path, read_metrics};

/// One run as its metrics file tells it.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub dir: PathBuf,
    pub config: TrainConfig,
    pub vocab_size: usize,
    pub total_words: u64,
    /// (words, seconds, mean loss) of each interval.
    pub losses: Vec<(u64, f64, f64)>,
    /// Mean loss of each finished epoch.
    pub epoch_losses: Vec<f64>,
    /// (words, seconds, figures) of each evaluation.
    pub evals: Vec<(u64, f64, BTreeMap<String, f64>)>,
    /// Words and seconds reached; whether the run finished.
    pub words: u64,
    pub seconds: f64,
    pub finished: bool,
}

impl Run {
    /// Reads the run in `dir`.
    pub fn load(dir: &Path) -> Result<Run> {
        let path = dir.join(METRICS_FILE);
        if !path.exists() {
            return Err(Error::invalid(
                dir,
                format!("no {METRICS_FILE} here: not the folder of a wordvec run"),
            ));
        }
        let records = read_metrics(&path)?;
        let Some(MetricRecord::Start {
            config,
            vocab_size,
            total_words,
            ..
        }) = records.first().cloned()
        else {
            return Err(Error::invalid(
                &path,
                "the first record is not the run's start",
            ));
        };
        let mut run = Run {
            name: dir
                .file_name()
                .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into()),
            dir: dir.to_path_buf(),
            config: *config,
            vocab_size,
            total_words,
            losses: Vec::new(),
            epoch_losses: Vec::new(),
            evals: Vec::new(),
            words: 0,
            seconds: 0.0,
            finished: false,
        };
        for record in records {
            match record {
                MetricRecord::Start { .. } => {}
                MetricRecord::Interval {
                    words,
                    seconds,
                    loss,
                    ..
                } => {
                    run.losses.push((words, seconds, loss));
                    run.reach(words, seconds);
                }
                MetricRecord::Epoch {
                    words,
                    seconds,
                    loss,
                    ..
                } => {
                    run.epoch_losses.push(loss);
                    run.reach(words, seconds);
                }
                MetricRecord::Eval {
                    words,
                    seconds,
                    figures,
                    ..
                } => {
                    run.evals.push((words, seconds, figures));
                    run.reach(words, seconds);
                }
                MetricRecord::End { words, seconds, .. } => {
                    run.finished = true;
                    run.reach(words, seconds);
                }
            }
        }
        Ok(run)
    }

    /// The runs in `dir`: the run itself where it holds a metrics file, else its sub-folders
    /// that do (a sweep's folder), in name order.
    pub fn load_all(dir: &Path) -> Result<Vec<Run>> {
        if dir.join(METRICS_FILE).exists() {
            return Ok(vec![Run::load(dir)?]);
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut folders = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            if path.join(METRICS_FILE).exists() {
                folders.push(path);
            }
        }
        if folders.is_empty() {
            return Err(Error::invalid(
                dir,
                format!(
                    "no {METRICS_FILE} here or in its folders: neither a run nor a sweep's folder of runs"
                ),
            ));
        }
        folders.sort();
        folders.iter().map(|d| Run::load(d)).collect()
    }

    /// The run's vectors file where it is still there: a subword run's fastText model (which
    /// answers for unseen words), else the vectors file its config names, in its folder.
    pub fn vectors_path(&self) -> Option<PathBuf> {
        let vectors = self.dir.join(self.config.output.file_name()?);
        if self.config.subwords().is_some() {
            let model = fasttext_path(&vectors);
            if model.exists() {
                return Some(model);
            }
        }
        vectors.exists().then_some(vectors)
    }

    fn reach(&mut self, words: u64, seconds: f64) {
        self.words = self.words.max(words);
        self.seconds = self.seconds.max(seconds);
    }

    /// The latest evaluation's figures.
    pub fn final_figures(&self) -> Option<&BTreeMap<String, f64>> {
        self.evals.last().map(|(_, _, f)| f)
    }
}

/// Several runs side by side.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub runs: Vec<Run>,
    /// Config settings (flattened, `eval.restrict` style) whose values differ between runs.
    pub differing: Vec<String>,
    /// Every figure any run was evaluated on.
    pub figures: Vec<String>,
    /// Each run's settings, flattened (see [`Comparison::differing`]).
    settings: Vec<BTreeMap<String, String>>,
}

/// A config as `key → value` strings, nested settings joined with dots; the output path is
/// left out (it always differs).
fn flatten(config: &TrainConfig) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            serde_json::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        "",
        &serde_json::to_value(config).expect("configs serialize"),
        &mut out,
    );
    out.remove("output");
    out
}

impl Comparison {
    pub fn new(mut runs: Vec<Run>) -> Self {
        // Runs of the same folder name from different places keep their whole path.
        let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
        for run in &mut runs {
            if names.iter().filter(|n| **n == run.name).count() > 1 {
                run.name = run.dir.display().to_string();
            }
        }
        let flat: Vec<_> = runs.iter().map(|r| flatten(&r.config)).collect();
        let keys: BTreeSet<&String> = flat.iter().flat_map(|f| f.keys()).collect();
        let differing: Vec<String> = keys
            .into_iter()
            .filter(|k| flat.iter().any(|f| f.get(*k) != flat[0].get(*k)))
            .cloned()
            .collect();
        let figures = runs
            .iter()
            .flat_map(|r| r.evals.iter().flat_map(|(_, _, f)| f.keys().cloned()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Comparison {
            runs,
            differing,
            figures,
            settings: flat,
        }
    }

    /// Run `i`'s settings, flattened (`eval.restrict` style; the output path left out).
    pub fn settings(&self, i: usize) -> &BTreeMap<String, String> {
        &self.settings[i]
    }

    /// A Markdown table: each run's differing settings, final loss and figures, time and speed.
    pub fn table(&self) -> String {
        let mut header = vec!["run".to_string()];
        header.extend(self.differing.iter().cloned());
        header.push("last epoch loss".into());
        header.extend(self.figures.iter().map(|f| figure_title(f).1));
        header.extend(["train s", "words/s", "status"].map(String::from));
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for (run, flat) in self.runs.iter().zip(&self.settings) {
            let mut row = vec![run.name.clone()];
            row.extend(
                self.differing
                    .iter()
                    .map(|k| flat.get(k).cloned().unwrap_or_else(|| "-".into())),
            );
            row.push(
                run.epoch_losses
                    .last()
                    .map_or("-".into(), |l| format!("{l:.4}")),
            );
            for f in &self.figures {
                row.push(
                    run.final_figures()
                        .and_then(|figs| figs.get(f))
                        .map_or("-".into(), |v| format_figure(f, *v)),
                );
            }
            row.push(format!("{:.1}", run.seconds));
            row.push(format!("{:.0}", run.words as f64 / run.seconds.max(1e-9)));
            row.push(if run.finished {
                "finished".into()
            } else {
                format!(
                    "stopped at {:.0}%",
                    100.0 * run.words as f64 / run.total_words.max(1) as f64
                )
            });
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out
    }

    /// Writes the charts into `dir` (PNG and SVG each); returns the files written.
    pub fn plot(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let millions = |w: u64| w as f64 / 1e6;
        let losses: Vec<Series> = self
            .runs
            .iter()
            .map(|r| Series {
                name: r.name.clone(),
                points: r.losses.iter().map(|&(w, _, l)| (millions(w), l)).collect(),
            })
            .collect();
        files.extend(line_chart(
            &dir.join("loss"),
            &LineChart {
                title: "Training loss (mean per example over each interval)",
                x_label: "words seen (millions)",
                y_label: "loss",
                series: &losses,
            },
        )?);
        for figure in &self.figures {
            let (slug, title) = figure_title(figure);
            let series = |x: &dyn Fn(u64, f64) -> f64| -> Vec<Series> {
                self.runs
                    .iter()
                    .map(|r| Series {
                        name: r.name.clone(),
                        points: r
                            .evals
                            .iter()
                            .filter_map(|(w, s, f)| f.get(figure).map(|v| (x(*w, *s), *v)))
                            .collect(),
                    })
                    .collect()
            };
            let by_words = series(&|w, _| millions(w));
            files.extend(line_chart(
                &dir.join(format!("{slug}-by-words")),
                &LineChart {
                    title: &format!("{title} against words seen"),
                    x_label: "words seen (millions)",
                    y_label: &title,
                    series: &by_words,
                },
            )?);
            let by_time = series(&|_, s| s);
            files.extend(line_chart(
                &dir.join(format!("{slug}-by-time")),
                &LineChart {
                    title: &format!("{title} against training time"),
                    x_label: "training time (s)",
                    y_label: &title,
                    series: &by_time,
                },
            )?);
        }
        Ok(files)
    }
}

/// A figure's file-name slug and its title: `analogy` is a percentage, `rho:FILE` a Spearman ρ.
fn figure_title(figure: &str) -> (String, String) {
    match figure.strip_prefix("rho:") {
        Some(file) => {
            let stem = Path::new(file)
                .file_stem()
                .map_or(file.to_string(), |s| s.to_string_lossy().into_owned());
            let slug: String = stem
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            (format!("rho-{slug}"), format!("{stem} Spearman ρ"))
        }
        None if figure == "analogy" => ("analogy".into(), "analogy accuracy (3CosAdd, %)".into()),
        None => (figure.to_string(), figure.to_string()),
    }
}

fn format_figure(figure: &str, value: f64) -> String {
    if figure == "analogy" {
        format!("{value:.2}%")
    } else {
        format!("{value:.3}")
    }
}
