//! What a fused word2vec run's weights take in memory, said before they are allocated, and a run
//! that cannot fit refused with the number and the flag to change. The subword model's buckets
//! dominate (2 million rows of 100 floats are 800 MB, and a stateful optimizer's state as much
//! again or twice).

use super::TrainConfig;
use super::progress::Progress;
use crate::error::{Error, Result};

const MB: f64 = 1e6;

/// Logs the weights' size for a run of `words` words and refuses it when that exceeds the memory
/// the system says is available.
pub(crate) fn check_word2vec(
    config: &TrainConfig,
    words: usize,
    progress: &Progress,
) -> Result<()> {
    let need = word2vec_bytes(config, words);
    let buckets = config.subwords().map_or(0, |s| s.bucket);
    let state = config
        .optimizer_params
        .fused(config.optimizer)
        .state_width(config.dim);
    let row_bytes = 4 * (config.dim + state);
    let parts = match buckets {
        0 => format!("{words} words"),
        _ => format!("{words} words and {buckets} n-gram buckets"),
    };
    let state = match state {
        0 => String::new(),
        _ => ", with the optimizer's state".to_string(),
    };
    progress.log(&format!(
        "model: {:.0} MB ({parts} × {} floats, input and output{state})",
        need as f64 / MB,
        config.dim
    ));
    let Some(available) = available_bytes() else {
        return Ok(());
    };
    if need > available {
        let advice = match buckets {
            0 => "lower --dim, or --max-vocab".to_string(),
            _ => format!(
                "lower --bucket (each million buckets takes {:.0} MB here) or --dim",
                row_bytes as f64 * 1e6 / MB
            ),
        };
        return Err(Error::Config(format!(
            "the model needs {:.0} MB and this machine has {:.0} MB available: {advice}",
            need as f64 / MB,
            available as f64 / MB
        )));
    }
    Ok(())
}

/// Bytes of the weights and the optimizer's state: the input rows (words, and the subword
/// model's buckets) and the output rows, `dim` floats each, and `state_width` more beside each.
fn word2vec_bytes(config: &TrainConfig, words: usize) -> u64 {
    let buckets = config.subwords().map_or(0, |s| s.bucket);
    let dim = config.dim as u64;
    let state = config
        .optimizer_params
        .fused(config.optimizer)
        .state_width(config.dim) as u64;
    let rows = (2 * words + buckets) as u64;
    4 * rows * (dim + state)
}

/// `MemAvailable` of `/proc/meminfo`, where the system has it.
fn available_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subwords;
    use crate::train::{ModelOptions, OptimizerKind};

    #[test]
    fn the_buckets_and_the_optimizers_state_count() {
        let mut config = TrainConfig::default();
        assert_eq!(word2vec_bytes(&config, 1000), 4 * 2000 * 100);
        if let ModelOptions::Word2Vec(w) = &mut config.model {
            w.subwords = Some(Subwords::FASTTEXT);
        }
        assert_eq!(word2vec_bytes(&config, 1000), 4 * 2_002_000 * 100);
        config.optimizer = OptimizerKind::Adam;
        assert!(word2vec_bytes(&config, 1000) > 2 * 4 * 2_002_000 * 100);
    }
}
