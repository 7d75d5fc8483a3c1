//! word2vec's starting weights: drawn from the run's seed, then, with `--init-vectors`, the
//! input rows of the words the given file has copied from it (pretrained vectors).

use crate::error::{Error, Result};
use crate::io::read_vectors;
use crate::model::Word2VecConfig;
use crate::text::Vocab;
use crate::train::TrainConfig;
use crate::train::progress::Progress;

/// The input and output vectors a word2vec run starts from, row-major: [vocab, dim] each, the
/// subword model's input with its n-gram buckets' rows after the words'.
pub(crate) struct Word2VecStart {
    pub input: Vec<f32>,
    pub output: Vec<f32>,
    /// With `--lock-init`: 0 for each row taken from the file (it stays as it is), 1 for the
    /// others.
    pub locks: Option<Vec<f32>>,
}

impl Word2VecStart {
    /// The seeded start, with `config.init_vectors`' rows where it has the word (logged). A
    /// resumed run takes its weights from the checkpoint, so it reads the file only to know
    /// which rows are locked.
    pub fn new(
        config: &TrainConfig,
        vocab: &Vocab,
        resuming: bool,
        progress: &Progress,
    ) -> Result<Self> {
        let dim = config.dim;
        let init = Word2VecConfig::new(vocab.len(), dim);
        let (mut input, output) = init.init_vectors(config.seed);
        if let Some(subwords) = config.subwords() {
            init.init_buckets(config.seed, subwords.bucket, &mut input);
        }
        let mut locks = config.lock_init.then(|| vec![1.0; vocab.len()]);
        if let (Some(path), true) = (&config.init_vectors, !resuming || config.lock_init) {
            let given = read_vectors(path, None)?;
            if given.dim() != dim {
                return Err(Error::invalid(
                    path,
                    format!(
                        "vectors of dimension {}, the run trains {dim} (--dim)",
                        given.dim()
                    ),
                ));
            }
            let mut found = 0;
            for (id, word) in vocab.words().enumerate() {
                if let Some(row) = given.id(word) {
                    input[id * dim..(id + 1) * dim].copy_from_slice(given.row(row));
                    if let Some(locks) = &mut locks {
                        locks[id] = 0.0;
                    }
                    found += 1;
                }
            }
            progress.log(&format!(
                "initial vectors: {found} of the {} words from {} ({}; the others drawn at random)",
                vocab.len(),
                path.display(),
                if config.lock_init {
                    "locked"
                } else {
                    "free to train"
                }
            ));
        }
        Ok(Word2VecStart {
            input,
            output,
            locks,
        })
    }
}
