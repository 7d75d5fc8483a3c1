//! Training: the run's configuration with its defaults, its lifecycle ([`Run`]: start or resume,
//! train, write the outputs), the one training loop (`driver`) over the ways of updating a model
//! (`steps`), device selection, the schedule, progress, metrics, checkpoints and resume.
//!
//! From the command line to a kernel: `cli::train` builds a [`TrainConfig`] and calls
//! [`Run::start`] and [`Run::finish`]; the run hands its config to `steps::train`, which picks the
//! step for the model and update path (say `FusedWord2Vec`) and gives it to `driver::drive`; each
//! unit the step trains goes to the backend's kernel ([`crate::kernels::word2vec_step`]).

mod checkpoint;
mod config;
mod continued;
mod device;
mod divergence;
mod driver;
#[cfg(feature = "cli")]
mod flags;
mod glove_entries;
mod memory;
mod metrics;
mod monitor;
mod optimizer;
mod outputs;
mod progress;
mod run;
mod schedule;
mod start;
mod steps;
mod trained;

pub use checkpoint::{
    CHECKPOINT_FILE, Checkpoint, PREVIOUS_CHECKPOINT_FILE, Position, remove_checkpoints,
};
pub use config::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, ModelOptions, OptimizerKind, OptimizerParams, Precision, TrainConfig, UpdateKind,
    Word2VecOptions, parse_duration,
};
pub use device::{select_device, select_gpu};
#[cfg(feature = "cli")]
pub use flags::{ReadingFlags, TrainFlags, document_defaults};
pub use metrics::{METRICS_FILE, MetricRecord, MetricsLog, Observer, read_metrics};
pub use monitor::run_dir;
pub use optimizer::build_optimizer;
pub(crate) use outputs::fasttext_path;
pub use outputs::{OutputPaths, RunSummary};
pub use progress::{Progress, peak_memory_bytes};
pub use run::{Finished, Run, RunOptions};
pub use schedule::linear_lr;
pub use trained::{Trained, TrainedModel};
