//! Checkpoints: everything a run needs to continue exactly where it stopped — its config and
//! vocabulary, its place in the corpus and schedule, and its weights and optimizer state —
//! in one file, written atomically, with the previous one kept until the next is whole.
//!
//! Layout: the magic `WVCKPT01`, the header's length (u64 LE), the header (JSON), then each
//! blob the header lists, in order. Every part has a CRC-32, so a truncated or damaged file is
//! an error that says which part is wrong, never weights that are silently off.

use std::io::Write;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::{ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::store::ModuleRecord;
use serde::{Deserialize, Serialize};

use super::TrainConfig;
use crate::error::{Error, Result};
use crate::files::atomic_write;
use crate::kernels::LossSum;
use crate::tensors::{matrix, to_host};
use crate::text::{FileFingerprint, Vocab, VocabStats};

const MAGIC: &[u8; 8] = b"WVCKPT01";
/// The latest checkpoint of a run directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.wvck";
/// The one before it, kept until the latest is complete.
pub const PREVIOUS_CHECKPOINT_FILE: &str = "checkpoint.prev.wvck";

/// Where a run stands: enough to continue it exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The epoch under way (0-based); `epochs` once training is done.
    pub epoch: usize,
    /// Corpus words read since the run began: drives the learning-rate schedule.
    pub words: u64,
    /// Units consumed in this epoch, per reader: chunks on the fused path (one count per reader
    /// thread), batches on the autodiff path (one count).
    pub consumed: Vec<u64>,
    /// Loss summed over this epoch's examples so far, and their number.
    pub epoch_loss: f64,
    pub epoch_examples: u64,
    /// Mean loss of each finished epoch.
    pub epoch_losses: Vec<f64>,
    /// Training seconds so far.
    pub seconds: f64,
    /// Words at which the next evaluation is due, when evaluating by words.
    pub next_eval: Option<u64>,
}

impl Position {
    /// Adds the loss of examples just trained to the epoch under way.
    pub fn add_loss(&mut self, loss: LossSum) {
        self.epoch_loss += loss.sum;
        self.epoch_examples += loss.pairs;
    }

    /// The loss of the epoch under way so far.
    pub fn epoch_loss(&self) -> LossSum {
        LossSum {
            sum: self.epoch_loss,
            pairs: self.epoch_examples,
        }
    }

    /// Starts an epoch counted by one number of units (every step but fused word2vec's, which
    /// counts per reader): the units a resumed run trained of it already, now the count.
    pub fn begin_counted_epoch(&mut self) -> u64 {
        let done = self.consumed.first().copied().unwrap_or(0);
        self.consumed = vec![done];
        done
    }

    /// Closes the epoch under way: its mean loss kept, the next one started empty.
    pub fn next_epoch(&mut self) {
        self.epoch_losses.push(self.epoch_loss().mean());
        self.epoch += 1;
        self.consumed.clear();
        self.epoch_loss = 0.0;
        self.epoch_examples = 0;
    }
}

/// What a checkpoint file's header holds, as written (borrowed)...
#[derive(Serialize)]
struct HeaderOut<'a> {
    config: &'a TrainConfig,
    corpus: &'a [FileFingerprint],
    vocab: Vec<(&'a str, u64)>,
    stats: &'a VocabStats,
    position: &'a Position,
    blobs: Vec<BlobInfo>,
}

/// ...and as read.
#[derive(Debug, Clone, Deserialize)]
struct Header {
    config: TrainConfig,
    /// Absent from checkpoints written before resume checked its corpus.
    #[serde(default)]
    corpus: Vec<FileFingerprint>,
    vocab: Vec<(String, u64)>,
    stats: VocabStats,
    position: Position,
    blobs: Vec<BlobInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct BlobInfo {
    name: String,
    len: u64,
    crc32: u32,
}

/// A run's state at one point.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The file it was read from (empty for one not yet saved), for error messages.
    pub source: PathBuf,
    pub config: TrainConfig,
    /// The corpus's files as they were (empty in checkpoints from before this was recorded).
    pub corpus: Vec<FileFingerprint>,
    pub vocab: Vocab,
    pub stats: VocabStats,
    pub position: Position,
    /// Named binary parts: weights as little-endian f32, Burn records as their bytes.
    pub blobs: Vec<(String, Vec<u8>)>,
}

impl Checkpoint {
    /// The blob called `name`, or an error naming the file it should have been in.
    pub fn blob(&self, name: &str) -> Result<&[u8]> {
        self.blobs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| {
                Error::invalid(&self.source, format!("the checkpoint has no '{name}' part"))
            })
    }

    /// Writes the checkpoint into `dir`: the new file appears whole (temporary file, then
    /// rename), and the one it replaces stays as [`PREVIOUS_CHECKPOINT_FILE`].
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        write_checkpoint(
            dir,
            &self.config,
            &self.corpus,
            &self.vocab,
            &self.stats,
            &self.position,
            &self.blobs,
        )
    }
    /// Reads and verifies one checkpoint file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bad = |m: String| Error::invalid(path, m);
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(bad(
                if bytes.len() < 16 && MAGIC.starts_with(&bytes[..bytes.len().min(8)]) {
                    format!("truncated checkpoint: {} bytes", bytes.len())
                } else {
                    "not a wordvec checkpoint (wrong magic bytes)".into()
                },
            ));
        }
        let header_len = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
        let header_end = 16u64.saturating_add(header_len);
        if (bytes.len() as u64) < header_end.saturating_add(4) {
            return Err(bad(format!(
                "truncated checkpoint: {} bytes, the header alone needs {}",
                bytes.len(),
                header_end.saturating_add(4)
            )));
        }
        let header_end = header_end as usize;
        let header_bytes = &bytes[16..header_end];
        let crc = u32::from_le_bytes(bytes[header_end..header_end + 4].try_into().expect("4"));
        if crc32fast::hash(header_bytes) != crc {
            return Err(bad(
                "damaged checkpoint: the header's checksum does not match".into(),
            ));
        }
        let header: Header = serde_json::from_slice(header_bytes)
            .map_err(|e| bad(format!("unreadable checkpoint header: {e}")))?;
        let expected = header
            .blobs
            .iter()
            .try_fold(header_end as u64 + 4, |sum, b| sum.checked_add(b.len))
            .ok_or_else(|| bad("damaged checkpoint: impossible part sizes".into()))?;
        if bytes.len() as u64 != expected {
            return Err(bad(format!(
                "{} checkpoint: {} bytes, expected {expected}",
                if (bytes.len() as u64) < expected {
                    "truncated"
                } else {
                    "damaged"
                },
                bytes.len()
            )));
        }
        let mut offset = header_end + 4;
        let mut blobs = Vec::with_capacity(header.blobs.len());
        for info in &header.blobs {
            let blob = &bytes[offset..offset + info.len as usize];
            if crc32fast::hash(blob) != info.crc32 {
                return Err(bad(format!(
                    "damaged checkpoint: the checksum of part '{}' does not match",
                    info.name
                )));
            }
            blobs.push((info.name.clone(), blob.to_vec()));
            offset += info.len as usize;
        }
        if header.vocab.is_empty() {
            return Err(bad("the checkpoint's vocabulary is empty".into()));
        }
        Ok(Checkpoint {
            source: path.to_path_buf(),
            config: header.config,
            corpus: header.corpus,
            vocab: Vocab::from_counts(header.vocab),
            stats: header.stats,
            position: header.position,
            blobs,
        })
    }

    /// The latest usable checkpoint of run directory `dir`. When the latest file is damaged and
    /// the previous one is whole, resumes from that one and says why in the returned warning.
    pub fn load_latest(dir: &Path) -> Result<(Self, Option<String>)> {
        let latest = dir.join(CHECKPOINT_FILE);
        let previous = dir.join(PREVIOUS_CHECKPOINT_FILE);
        if !latest.exists() && !previous.exists() {
            return Err(Error::invalid(
                dir,
                format!("no {CHECKPOINT_FILE} here: is this the folder of a run that was stopped?"),
            ));
        }
        match Self::load(&latest) {
            Ok(c) => Ok((c, None)),
            Err(e) if previous.exists() => match Self::load(&previous) {
                Ok(c) => {
                    let warning = format!(
                        "{e}; resuming from the previous checkpoint, {}, at {} words",
                        previous.display(),
                        c.position.words
                    );
                    Ok((c, Some(warning)))
                }
                Err(_) => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

/// Writes a checkpoint of the run into `dir` (as [`Checkpoint::save`], from borrowed parts, so a
/// running trainer copies nothing but its weights).
pub(crate) fn write_checkpoint(
    dir: &Path,
    config: &TrainConfig,
    corpus: &[FileFingerprint],
    vocab: &Vocab,
    stats: &VocabStats,
    position: &Position,
    blobs: &[(String, Vec<u8>)],
) -> Result<PathBuf> {
    let latest = dir.join(CHECKPOINT_FILE);
    let next = dir.join("checkpoint.next.wvck");
    let header = HeaderOut {
        config,
        corpus,
        vocab: vocab.words().zip(vocab.counts().iter().copied()).collect(),
        stats,
        position,
        blobs: blobs
            .iter()
            .map(|(name, bytes)| BlobInfo {
                name: name.clone(),
                len: bytes.len() as u64,
                crc32: crc32fast::hash(bytes),
            })
            .collect(),
    };
    let header = serde_json::to_vec(&header).expect("checkpoint header serializes");
    atomic_write(&next, |w| {
        w.write_all(MAGIC)?;
        w.write_all(&(header.len() as u64).to_le_bytes())?;
        w.write_all(&header)?;
        w.write_all(&crc32fast::hash(&header).to_le_bytes())?;
        for (_, bytes) in blobs {
            w.write_all(bytes)?;
        }
        Ok(())
    })?;
    if latest.exists() {
        let previous = dir.join(PREVIOUS_CHECKPOINT_FILE);
        std::fs::rename(&latest, &previous).map_err(|e| Error::io(&previous, e))?;
    }
    std::fs::rename(&next, &latest).map_err(|e| Error::io(&latest, e))?;
    Ok(latest)
}

/// Removes the checkpoints of run directory `dir` once the run's outputs are written: a finished
/// run has nothing to resume.
pub fn remove_checkpoints(dir: &Path) -> Result<()> {
    for name in [CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
            _ => {}
        }
    }
    Ok(())
}

/// f32 values as the little-endian bytes of a checkpoint blob.
fn floats_to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A blob back into f32 values; `expected` values, or an error naming the file.
fn floats_from_bytes(bytes: &[u8], expected: usize, path: &Path) -> Result<Vec<f32>> {
    if bytes.len() != expected * 4 {
        return Err(Error::invalid(
            path,
            format!(
                "a checkpoint part holds {} values where the model needs {expected}",
                bytes.len() / 4
            ),
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect())
}

/// The state of the fused steps (weights, optimizer sums) as checkpoint parts, and the parts of
/// the autodiff steps (a Burn module and its optimizer's state) both ways.
impl Checkpoint {
    /// Part `name` as a tensor of `shape` on `device`; an error naming the file when it is
    /// missing or of another size.
    pub(crate) fn tensor(
        &self,
        name: &str,
        shape: [usize; 2],
        device: &Device,
    ) -> Result<Tensor<2>> {
        let values = floats_from_bytes(self.blob(name)?, shape[0] * shape[1], &self.source)?;
        Ok(matrix(values, shape, device))
    }

    /// `tensor` as part `name`.
    pub(crate) fn tensor_blob(name: &str, tensor: &Tensor<2>) -> (String, Vec<u8>) {
        (name.to_string(), floats_to_bytes(&to_host(tensor.clone())))
    }

    /// A Burn module and its optimizer's state as parts `model` and `optimizer`.
    pub(crate) fn module_parts<M: Module>(
        model: &M,
        optimizer: &ModuleOptimizer,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let record_error =
            |e: burn::store::RecordError| Error::Config(format!("saving a checkpoint: {e:?}"));
        let model_bytes = model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(record_error)?;
        let optimizer_bytes = optimizer.to_record().into_bytes().map_err(record_error)?;
        Ok(vec![
            ("model".to_string(), model_bytes.to_vec()),
            ("optimizer".to_string(), optimizer_bytes.to_vec()),
        ])
    }

    /// The module's weights and the optimizer's state from parts `model` and `optimizer`;
    /// parameter ids travel with the weights, so the optimizer state finds its parameters again.
    pub(crate) fn restore_module<M: Module>(
        &self,
        model: M,
        optimizer: ModuleOptimizer,
    ) -> Result<(M, ModuleOptimizer)> {
        let bad = |what: &str, e: burn::store::RecordError| {
            Error::invalid(
                &self.source,
                format!("the checkpoint's {what} does not load: {e:?}"),
            )
        };
        let bytes = |b: &[u8]| burn::tensor::Bytes::from_bytes_vec(b.to_vec());
        let record =
            ModuleRecord::from_bytes(bytes(self.blob("model")?)).map_err(|e| bad("model", e))?;
        let model = model.try_load_record(record).map_err(|e| bad("model", e))?;
        let record = OptimizerRecord::from_bytes(bytes(self.blob("optimizer")?))
            .map_err(|e| bad("optimizer state", e))?;
        Ok((model, optimizer.load_record(record)))
    }
}
