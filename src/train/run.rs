//! A training run from start to finish, as the command line, the examples and the tests drive
//! it: [`Run::start`] (or [`Run::resume`] from a stopped run's checkpoint) makes everything
//! ready — device, benchmarks, corpus, vocabulary — then [`Run::finish`] trains, writes the
//! outputs and clears the checkpoints, or [`Run::train`] trains into memory only.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use burn::prelude::Device;

use super::checkpoint::{CHECKPOINT_FILE, Checkpoint, remove_checkpoints};
use super::continued::FinishedRun;
use super::metrics::Observer;
use super::monitor::{RunControl, run_dir};
use super::outputs::{OutputPaths, RunSummary, save_outputs};
use super::trained::Trained;
use super::{Progress, TrainConfig, UpdateKind, select_gpu};
use crate::distributed::{
    Collective, Distributed, fingerprint, first_disagreeing, leads, rate_scale,
};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::eval::Benchmarks;
use crate::files::FolderLock;
use crate::synthetic;
use crate::text::{
    Corpus, FileFingerprint, PhraseTable, STDIN, Vocab, VocabStats, check_unchanged,
};

/// How a run reports and when it stops.
#[derive(Clone)]
pub struct RunOptions {
    /// No progress display and no log lines.
    pub quiet: bool,
    /// Set (by a Ctrl-C handler, say) to save a checkpoint and stop at the next chunk or batch.
    pub stop: Arc<AtomicBool>,
    /// Write `metrics.jsonl` and checkpoints into the run directory (the output's folder); off
    /// for runs that train into memory only.
    pub write_files: bool,
    /// Called with every record of the run as `metrics.jsonl` holds it (start, each progress
    /// interval, epoch, evaluation, end), on the training thread, whether or not the file is
    /// written: how bindings hand callbacks the true loss. To stop the run, set `stop`.
    pub observer: Option<Observer>,
    /// The processes this run trains with (`train --distributed`); `None`: this one alone.
    pub distributed: Option<Distributed>,
}

impl Default for RunOptions {
    /// Quiet, writing its files, never asked to stop.
    fn default() -> Self {
        RunOptions {
            quiet: true,
            stop: Arc::new(AtomicBool::new(false)),
            write_files: true,
            observer: None,
            distributed: None,
        }
    }
}

/// A run made ready to train.
pub struct Run {
    config: TrainConfig,
    device: Device,
    corpus: Corpus,
    vocab: Arc<Vocab>,
    control: RunControl,
    /// The embedded corpus's folder, kept until the run ends.
    _scratch: Option<tempfile::TempDir>,
    /// The run folder, held until the run ends when the run writes into it.
    _lock: Option<FolderLock>,
}

/// A run that finished: the model, its vectors, and where its files went.
pub struct Finished {
    pub trained: Trained,
    /// The vectors written, as [`Trained::embeddings`] gives them.
    pub embeddings: Embeddings,
    pub paths: OutputPaths,
    pub summary: RunSummary,
}

impl Run {
    /// A new run of `config`: its device, its benchmarks (read first, so a typo fails at once),
    /// its corpus (the embedded one when it names none) and the vocabulary counted from it (or
    /// read from `config.vocab`).
    pub fn start(config: TrainConfig, options: RunOptions) -> Result<Run> {
        let options = for_this_process(options);
        if options.distributed.is_some() {
            check_distributed(&config)?;
        }
        let lock = hold(&run_dir(&config), &options)?;
        let inputs = Inputs::open(&config, &options, lock)?.for_this_process(&options)?;
        // A model no machine holds is refused before the corpus is counted.
        super::memory::check(&config, 1, None)?;
        let (vocab, stats, source) = match &config.vocab {
            Some(path) => {
                let vocab = Vocab::load(path)?;
                let stats = VocabStats {
                    tokens: vocab.total_count(),
                    distinct: vocab.len() as u64,
                    prunings: 0,
                };
                (vocab, stats, format!("read from {}", path.display()))
            }
            None => {
                let (vocab, stats) = match &options.distributed {
                    Some(d) => Vocab::build_shared(
                        &inputs.corpus,
                        config.min_count,
                        config.max_vocab,
                        config.threads,
                        d.cluster.as_ref(),
                    )?,
                    None => Vocab::build(
                        &inputs.corpus,
                        config.min_count,
                        config.max_vocab,
                        config.threads,
                    )?,
                };
                (vocab, stats, format!("min_count {}", config.min_count))
            }
        };
        if let Some(d) = &options.distributed {
            check_same_vocab(&vocab, d.cluster.as_ref())?;
        }
        let progress = Progress::new(vocab.total_count() * config.epochs as u64, options.quiet);
        for (stream, copy) in inputs.corpus.spooled() {
            progress.log(&format!(
                "{stream} copied to {} for the passes training makes (removed at the end)",
                copy.display()
            ));
        }
        if let Some(d) = &options.distributed {
            progress.log(&format!(
                "distributed: {} processes, each on its share of the corpus at {}× the rate, merging hot rows every {} words it trains",
                d.cluster.processes(),
                rate_scale(d.cluster.processes()),
                d.sync.words
            ));
        }
        progress.log(&format!(
            "vocabulary: {} words ({source}) of {} distinct; {} tokens; {} on {:?}, {} thread(s)",
            vocab.len(),
            stats.distinct,
            stats.tokens,
            match config.update {
                UpdateKind::Fused => "fused sparse update",
                UpdateKind::Autodiff => "autodiff",
            },
            config.backend,
            config.threads
        ));
        Ok(inputs.into_run(config, vocab, stats, None, progress, options))
    }

    /// Continues the stopped run in `dir` from its latest usable checkpoint, with the settings it
    /// was started with; its outputs stay in `dir`, wherever the run directory has moved since.
    pub fn resume(dir: &Path, options: RunOptions) -> Result<Run> {
        Run::resume_with(dir, |config| Ok(config.clone()), options)
    }

    /// [`Run::resume`] with the settings `settings` makes of the stopped run's (a new thread
    /// count, say; `TrainFlags::resumed` allows only those that leave the run's course as it
    /// was). A changed thread count is logged, with whether it ends bit-for-bit equality.
    pub fn resume_with(
        dir: &Path,
        settings: impl FnOnce(&TrainConfig) -> Result<TrainConfig>,
        options: RunOptions,
    ) -> Result<Run> {
        let options = for_this_process(options);
        let lock = hold(dir, &options)?;
        let (checkpoint, warning) = Checkpoint::load_latest(dir)?;
        let mut config = settings(&checkpoint.config)?;
        if options.distributed.is_some() {
            check_distributed(&config)?;
        }
        if config.corpus.iter().any(|p| p == Path::new(STDIN)) {
            return Err(Error::Config(format!(
                "the run in {} read its corpus from standard input (-), which cannot be read again: train from a file to be able to resume",
                dir.display()
            )));
        }
        if let Some(name) = config.output.file_name() {
            config.output = dir.join(name);
        }
        let inputs = Inputs::open(&config, &options, lock)?.for_this_process(&options)?;
        // Checkpoints from before the corpus was recorded hold none to compare with.
        if !checkpoint.corpus.is_empty() {
            check_unchanged(&checkpoint.corpus, &inputs.fingerprint)?;
        }
        let vocab = checkpoint.vocab.clone();
        let progress = Progress::new(vocab.total_count() * config.epochs as u64, options.quiet);
        if let Some(w) = warning {
            progress.log(&format!("warning: {w}"));
        }
        let threads = (checkpoint.config.threads, config.threads);
        if threads.0 != threads.1 {
            let exact = match threads.0 {
                1 => ": the vectors will not be bit for bit those of the run never stopped",
                _ => "",
            };
            progress.log(&format!(
                "{} threads where the run had {}{exact}",
                threads.1, threads.0
            ));
        }
        progress.log(&format!(
            "resuming {} at epoch {}, {} words, from {}",
            dir.display(),
            checkpoint.position.epoch + 1,
            checkpoint.position.words,
            checkpoint.source.display()
        ));
        let stats = checkpoint.stats.clone();
        Ok(inputs.into_run(config, vocab, stats, Some(checkpoint), progress, options))
    }

    /// A new run that continues the finished word2vec run whose outputs are in `previous`: its
    /// vocabulary grown by the new text's words, its weights (see [`super::continued`]), and the
    /// settings `settings` makes of its own — the new corpus and output at least
    /// (`TrainFlags::continued` changes only what the model does not fix); the schedule starts
    /// over.
    pub fn continue_from(
        previous: &Path,
        settings: impl FnOnce(&TrainConfig) -> Result<TrainConfig>,
        options: RunOptions,
    ) -> Result<Run> {
        let finished = FinishedRun::load(previous)?;
        let mut config = settings(&finished.config)?;
        let model = |c: &TrainConfig| {
            let w = c.word2vec();
            (c.dim, w.map(|w| (w.architecture, w.loss, w.subwords)))
        };
        if model(&config) != model(&finished.config) {
            return Err(Error::Config(
                "a continued run keeps the finished run's model: its architecture, loss, subwords and dimension".to_string(),
            ));
        }
        config.vocab = None;
        config.init_vectors = None;
        config.validate()?;
        let lock = hold(&run_dir(&config), &options)?;
        let inputs = Inputs::open(&config, &options, lock)?;
        let (new, stats) = Vocab::build(
            &inputs.corpus,
            config.min_count,
            config.max_vocab,
            config.threads,
        )?;
        let (vocab, start, added) = finished.grown(&new, config.seed);
        let progress = Progress::new(vocab.total_count() * config.epochs as u64, options.quiet);
        progress.log(&format!(
            "continuing {}: {} words, {added} of them new (min_count {}); {} tokens",
            previous.display(),
            vocab.len(),
            config.min_count,
            stats.tokens
        ));
        let mut run = inputs.into_run(config, vocab, stats, None, progress, options);
        run.control.start = Some(start);
        Ok(run)
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Whether this process writes the run's files and reports on it: always, but in a
    /// distributed run, where process 0 does.
    pub fn leads(&self) -> bool {
        leads(self.control.distributed.as_ref().map(|d| &d.cluster))
    }

    /// Trains to the end and keeps the model in memory; writes no vectors (metrics and
    /// checkpoints only, when the options say so). A divergence names the last good checkpoint.
    pub fn train(mut self) -> Result<Trained> {
        self.train_in_place()
    }

    /// Trains to the end, writes the outputs (each whole or not at all) and removes the
    /// checkpoints, which a finished run no longer needs.
    pub fn finish(mut self) -> Result<Finished> {
        let trained = self.train_in_place()?;
        let embeddings = trained.embeddings();
        let write = self.leads();
        let (paths, summary) = save_outputs(
            &self.config,
            &trained,
            &embeddings,
            &self.control.stats,
            write,
        )?;
        if write {
            remove_checkpoints(&run_dir(&self.config))?;
        }
        Ok(Finished {
            trained,
            embeddings,
            paths,
            summary,
        })
    }

    fn train_in_place(&mut self) -> Result<Trained> {
        let trained = super::steps::train(
            &self.config,
            &self.corpus,
            self.vocab.clone(),
            &self.device,
            &mut self.control,
        );
        self.control.progress.finish();
        trained.map_err(|e| match e {
            Error::Diverged { loss, step, lr, .. } => {
                let checkpoint = run_dir(&self.config).join(CHECKPOINT_FILE);
                Error::Diverged {
                    loss,
                    step,
                    lr,
                    checkpoint: checkpoint.exists().then_some(checkpoint),
                }
            }
            e => e,
        })
    }
}

/// What a run reads besides its checkpoint, made ready before the long part.
struct Inputs {
    corpus: Corpus,
    /// The corpus's files as they are now: recorded in checkpoints, checked on resume.
    fingerprint: Vec<FileFingerprint>,
    /// The embedded corpus's folder, when the run trains on it.
    scratch: Option<tempfile::TempDir>,
    device: Device,
    /// What the log should say of the processes' devices (a GPU shared for want of one each).
    device_notes: Vec<String>,
    benchmarks: Option<Benchmarks>,
    /// The run folder, held from the start (see [`hold`]).
    lock: Option<FolderLock>,
}

impl Inputs {
    /// The config checked, its device, its benchmarks (read first, so a typo fails at once)
    /// and its corpus (the embedded one, written to a temporary folder, when it names none).
    /// `lock`: the run folder, held by the caller (see [`hold`]). Each process of a distributed
    /// run takes its own GPU of its machine's.
    fn open(
        config: &TrainConfig,
        options: &RunOptions,
        lock: Option<FolderLock>,
    ) -> Result<Inputs> {
        config.validate()?;
        let quiet = options.quiet;
        let (paths, scratch) = if config.corpus.is_empty() {
            let dir = tempfile::tempdir().map_err(|e| Error::io(&std::env::temp_dir(), e))?;
            let path: PathBuf = dir.path().join("synthetic.txt");
            synthetic::write_corpus(&path)?;
            if !quiet {
                eprintln!("no --corpus given: training on the embedded synthetic corpus");
            }
            (vec![path], Some(dir))
        } else {
            (config.corpus.clone(), None)
        };
        let gpu = options
            .distributed
            .as_ref()
            .map_or(0, |d| d.cluster.local_rank());
        let (device, device_note) = select_gpu(config.backend, gpu)?;
        let benchmarks = benchmarks_for(config)?;
        let phrases = config
            .phrases
            .as_deref()
            .map(PhraseTable::load)
            .transpose()?;
        let corpus = Corpus::open(&paths)?
            .lowercased(config.lowercase)
            .tokenized(config.tokenizer)
            .joined(phrases.as_ref());
        // A resumed run must join the same phrases: the table is checked as the text is.
        let mut fingerprint = corpus.fingerprint()?;
        if let Some(table) = &config.phrases {
            fingerprint.push(FileFingerprint::of(table)?);
        }
        Ok(Inputs {
            fingerprint,
            corpus,
            scratch,
            device,
            device_notes: device_note.into_iter().collect(),
            benchmarks,
            lock,
        })
    }

    /// The inputs as this process of a distributed run takes them: its corpus checked against
    /// every other process's (a file that differs from one machine to the next would train
    /// different text under one vocabulary), and only process 0, which reports, evaluating.
    fn for_this_process(mut self, options: &RunOptions) -> Result<Inputs> {
        let Some(distributed) = &options.distributed else {
            return Ok(self);
        };
        let cluster = distributed.cluster.as_ref();
        // The files' contents, wherever each process keeps them (the embedded corpus is written
        // to a temporary folder of each).
        let seen = self.fingerprint.iter();
        let contents = seen.flat_map(|f| [f.len.to_le_bytes(), u64::from(f.crc32).to_le_bytes()]);
        if let Some(rank) = first_disagreeing(cluster, fingerprint(contents.flatten())) {
            return Err(Error::Config(format!(
                "process {rank} reads a different corpus from process {}'s (its files' sizes or contents differ): every process must read the same files",
                cluster.rank()
            )));
        }
        if !leads(Some(&distributed.cluster)) {
            self.benchmarks = None;
        }
        // Process 0 logs for all.
        let note = self.device_notes.concat();
        let notes = cluster.all_gather(note.as_bytes()).into_iter().enumerate();
        self.device_notes = notes
            .filter(|(_, note)| !note.is_empty())
            .map(|(rank, note)| format!("process {rank}: {}", String::from_utf8_lossy(&note)))
            .collect();
        Ok(self)
    }

    fn into_run(
        self,
        config: TrainConfig,
        vocab: Vocab,
        stats: VocabStats,
        resume: Option<Checkpoint>,
        progress: Progress,
        options: RunOptions,
    ) -> Run {
        for note in &self.device_notes {
            progress.log(note);
        }
        Run {
            config,
            device: self.device,
            corpus: self.corpus,
            vocab: Arc::new(vocab),
            control: RunControl {
                progress,
                benchmarks: self.benchmarks,
                stop: options.stop,
                resume,
                stats,
                corpus: self.fingerprint,
                start: None,
                write_files: options.write_files,
                observer: options.observer,
                distributed: options.distributed,
            },
            _scratch: self.scratch,
            _lock: self.lock,
        }
    }
}

/// What a distributed run can train: word2vec's fused kernels, word-level.
fn check_distributed(config: &TrainConfig) -> Result<()> {
    if config.corpus.iter().any(|p| p == Path::new(STDIN)) {
        return Err(Error::Config(
            "--corpus -: every process of a distributed run reads the corpus itself, and only one has the standard input: give a file"
                .into(),
        ));
    }
    if config.word2vec().is_none() || config.update != UpdateKind::Fused {
        return Err(Error::Config(
            "--distributed trains word2vec's fused kernels (skip-gram or CBOW, --update fused): GloVe's co-occurrences would have to be counted per process and each entry given to one (a design: the guide's 'Several processes: MPI'), and the autodiff path keeps no rows to merge"
                .into(),
        ));
    }
    if config.subwords().is_some() {
        return Err(Error::Config(
            "--subwords: a distributed run cannot train the subword model yet: its n-gram rows are shared by many words, so every process trains the busy ones, and they would have to meet as often as the most frequent words' rows do (merged once an epoch, they trained WS-353 ρ -0.16 where one process trains 0.23)"
                .into(),
        ));
    }
    Ok(())
}

/// `options` as this process of the run takes them: in a distributed run, process 0 speaks and
/// writes for the run, and the others neither show progress nor write.
fn for_this_process(mut options: RunOptions) -> RunOptions {
    if let Some(distributed) = &options.distributed
        && !leads(Some(&distributed.cluster))
    {
        options.quiet = true;
        options.write_files = false;
    }
    options
}

/// Refuses a run whose processes came to different vocabularies (a corpus that differs from one
/// machine to the next, say), which would train rows of different words together.
fn check_same_vocab(vocab: &Vocab, cluster: &dyn Collective) -> Result<()> {
    let mut bytes = Vec::new();
    for (word, count) in vocab.words().zip(vocab.counts()) {
        bytes.extend_from_slice(word.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&count.to_le_bytes());
    }
    match first_disagreeing(cluster, fingerprint(bytes)) {
        None => Ok(()),
        Some(rank) => Err(Error::Config(format!(
            "process {rank} counted a different vocabulary from process {}'s: every process must read the same corpus",
            cluster.rank()
        ))),
    }
}

/// The run folder `dir`, held for a run that writes into it (so a second run into it is
/// refused at once); nothing for a run that trains into memory only.
fn hold(dir: &Path, options: &RunOptions) -> Result<Option<FolderLock>> {
    options
        .write_files
        .then(|| FolderLock::acquire(dir))
        .transpose()
}

/// The benchmarks a run scores itself on: its files, or the embedded corpus's own questions.
fn benchmarks_for(config: &TrainConfig) -> Result<Option<Benchmarks>> {
    if config.corpus.is_empty() {
        return Ok(Some(Benchmarks::from_sets(
            Some(("embedded analogies".into(), synthetic::analogy_questions())),
            vec![("embedded similarity".into(), synthetic::similarity_pairs())],
            config.eval.restrict,
        )));
    }
    if config.eval.is_empty() {
        return Ok(None);
    }
    Benchmarks::load(
        config.eval.analogies.as_deref(),
        &config.eval.similarity,
        config.eval.restrict,
    )
    .map(Some)
}
