//! GloVe (Pennington et al. 2014): word vectors wᵢ, context vectors w̃ⱼ and a bias for each,
//! fitted so that wᵢ·w̃ⱼ + bᵢ + b̃ⱼ ≈ log Xᵢⱼ on the non-zero co-occurrence counts, each entry
//! weighted by f(X) = min(1, (X / x_max)^α) so that rare pairs count less and frequent ones do not
//! dominate. Four `Embedding`s, so any Burn optimizer can train it on any device; the fused path
//! trains the same weights packed as the reference keeps them (vector and bias in one row).

use burn::nn::Embedding;
use burn::prelude::*;

use crate::rng::{Rng, rng_for};
use crate::tensors::{ids_tensor, param_from, to_host};

/// The model's shape.
#[derive(Config, Debug)]
pub struct GloveConfig {
    pub vocab: usize,
    pub dim: usize,
}

/// GloVe's two embeddings and two biases; `word.weight` is [vocab, dim], the biases [vocab, 1].
#[derive(Module, Debug)]
pub struct Glove {
    pub word: Embedding,
    pub context: Embedding,
    pub word_bias: Embedding,
    pub context_bias: Embedding,
}

/// The weighting of the loss: f(x) = min(1, (x / x_max)^α).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighting {
    pub x_max: f64,
    pub alpha: f64,
}

impl Weighting {
    /// f(x) on the host, as the kernels compute it.
    pub fn of(&self, x: f64) -> f64 {
        if x >= self.x_max {
            1.0
        } else {
            (x / self.x_max).powf(self.alpha)
        }
    }
}

/// A stream of the run's RNG reserved for GloVe's initial weights.
const INIT_STREAM: u64 = 0x6107e;

impl GloveConfig {
    /// The initial weights packed as the fused path keeps them: for words and for contexts,
    /// [vocab, dim + 1] rows of vector then bias, every value uniform in ±0.5/dim as the
    /// reference draws them. Drawn on the host from `seed`, so every backend and both update
    /// paths start from the same weights.
    pub fn init_packed(&self, seed: u64) -> (Vec<f32>, Vec<f32>) {
        use rand::Rng as _;
        let mut rng: Rng = rng_for(seed, INIT_STREAM);
        let scale = 0.5 / self.dim as f32;
        let n = self.vocab * (self.dim + 1);
        let mut draw = || -> Vec<f32> { (0..n).map(|_| rng.random_range(-scale..scale)).collect() };
        let word = draw();
        (word, draw())
    }

    pub fn init(&self, seed: u64, device: &Device) -> Glove {
        let (word, context) = self.init_packed(seed);
        Glove::from_packed(&word, &context, self.dim, device)
    }
}

/// Splits packed [rows, dim + 1] rows into the vectors [rows, dim] and the biases [rows, 1].
fn unpack(packed: &[f32], dim: usize) -> (Vec<f32>, Vec<f32>) {
    let mut vectors = Vec::with_capacity(packed.len() / (dim + 1) * dim);
    let mut biases = Vec::with_capacity(packed.len() / (dim + 1));
    for row in packed.chunks_exact(dim + 1) {
        vectors.extend_from_slice(&row[..dim]);
        biases.push(row[dim]);
    }
    (vectors, biases)
}

/// Joins vectors [rows, dim] and biases [rows] into packed [rows, dim + 1] rows.
fn pack(vectors: &[f32], biases: &[f32], dim: usize) -> Vec<f32> {
    vectors
        .chunks_exact(dim)
        .zip(biases)
        .flat_map(|(v, &b)| v.iter().copied().chain(std::iter::once(b)))
        .collect()
}

impl Glove {
    /// The model of packed word and context rows ([`GloveConfig::init_packed`]'s layout).
    pub fn from_packed(word: &[f32], context: &[f32], dim: usize, device: &Device) -> Glove {
        let vocab = word.len() / (dim + 1);
        let embedding = |values: Vec<f32>, width: usize| Embedding {
            weight: param_from(values, [vocab, width], device),
        };
        let (w, b) = unpack(word, dim);
        let (c, cb) = unpack(context, dim);
        Glove {
            word: embedding(w, dim),
            context: embedding(c, dim),
            word_bias: embedding(b, 1),
            context_bias: embedding(cb, 1),
        }
    }

    /// The word and context rows packed with their biases, on the host.
    pub fn to_packed(&self) -> (Vec<f32>, Vec<f32>) {
        let dim = self.dim();
        (
            pack(
                &to_host(self.word.weight.val()),
                &to_host(self.word_bias.weight.val()),
                dim,
            ),
            pack(
                &to_host(self.context.weight.val()),
                &to_host(self.context_bias.weight.val()),
                dim,
            ),
        )
    }

    pub fn vocab(&self) -> usize {
        self.word.weight.dims()[0]
    }

    pub fn dim(&self) -> usize {
        self.word.weight.dims()[1]
    }

    /// Word vectors wᵢ on the host, [vocab, dim].
    pub fn word_vectors(&self) -> Vec<f32> {
        to_host(self.word.weight.val())
    }

    /// Context vectors w̃ⱼ on the host, [vocab, dim].
    pub fn context_vectors(&self) -> Vec<f32> {
        to_host(self.context.weight.val())
    }

    /// Half the weighted squared error, ½ f(Xᵢⱼ)(wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log Xᵢⱼ)², averaged over the
    /// entries (`rows[k]`, `cols[k]`, `counts[k]`); the reference reports the same mean as its
    /// cost.
    pub fn loss(
        &self,
        rows: &[u32],
        cols: &[u32],
        counts: &[f32],
        weighting: Weighting,
    ) -> Tensor<1> {
        let device = self.word.weight.device();
        let n = rows.len();
        let dim = self.dim();
        let lookup = |table: &Embedding, ids: &[u32], width: usize| {
            table
                .forward(ids_tensor(ids, &device).reshape([n, 1]))
                .reshape([n, width])
        };
        let w = lookup(&self.word, rows, dim);
        let c = lookup(&self.context, cols, dim);
        let b = lookup(&self.word_bias, rows, 1).reshape([n]);
        let cb = lookup(&self.context_bias, cols, 1).reshape([n]);
        let x = Tensor::<1>::from_data(TensorData::new(counts.to_vec(), [n]), &device);
        let f = (x.clone() / weighting.x_max)
            .powf_scalar(weighting.alpha)
            .clamp_max(1.0);
        let diff = (w * c).sum_dim(1).reshape([n]) + b + cb - x.log();
        (f * diff.powf_scalar(2.0)).mean() * 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIM: usize = 3;
    const WEIGHTING: Weighting = Weighting {
        x_max: 4.0,
        alpha: 0.75,
    };

    fn packed() -> (Vec<f32>, Vec<f32>) {
        let vocab = 4;
        let word: Vec<f32> = (0..vocab * (DIM + 1))
            .map(|i| ((i * 7 % 11) as f32 - 5.0) / 10.0)
            .collect();
        let context: Vec<f32> = (0..vocab * (DIM + 1))
            .map(|i| ((i * 5 % 13) as f32 - 6.0) / 9.0)
            .collect();
        (word, context)
    }

    const ROWS: [u32; 4] = [0, 1, 3, 2];
    const COLS: [u32; 4] = [1, 1, 0, 3];
    /// Below, at and above x_max.
    const COUNTS: [f32; 4] = [0.5, 4.0, 9.0, 1.0];

    #[test]
    fn loss_and_weighting_match_a_hand_computation() {
        let device = Device::flex();
        let (word, context) = packed();
        let m = Glove::from_packed(&word, &context, DIM, &device);
        let got: f32 = m.loss(&ROWS, &COLS, &COUNTS, WEIGHTING).into_scalar();
        // Entry by entry, with f written out: (0.5/4)^0.75, 1, 1, (1/4)^0.75.
        let f = [0.125f64.powf(0.75), 1.0, 1.0, 0.25f64.powf(0.75)];
        let mut expect = 0.0;
        for k in 0..4 {
            let (i, j) = (ROWS[k] as usize * 4, COLS[k] as usize * 4);
            let dot: f64 = (0..DIM)
                .map(|d| word[i + d] as f64 * context[j + d] as f64)
                .sum();
            let diff =
                dot + word[i + DIM] as f64 + context[j + DIM] as f64 - (COUNTS[k] as f64).ln();
            assert!((WEIGHTING.of(COUNTS[k] as f64) - f[k]).abs() < 1e-12);
            expect += 0.5 * f[k] * diff * diff;
        }
        expect /= 4.0;
        assert!((got as f64 - expect).abs() < 1e-6, "{got} vs {expect}");
    }

    #[test]
    fn gradients_match_finite_differences() {
        let device = Device::flex().autodiff();
        let (word, context) = packed();
        let loss = |w: &[f32], c: &[f32]| -> f64 {
            Glove::from_packed(w, c, DIM, &device)
                .loss(&ROWS, &COLS, &COUNTS, WEIGHTING)
                .into_scalar::<f32>() as f64
        };
        let m = Glove::from_packed(&word, &context, DIM, &device);
        let grads = m.loss(&ROWS, &COLS, &COUNTS, WEIGHTING).backward();
        let grad = |e: &Embedding| to_host(e.weight.grad(&grads).expect("a gradient"));
        let g_word = pack(&grad(&m.word), &grad(&m.word_bias), DIM);
        let g_context = pack(&grad(&m.context), &grad(&m.context_bias), DIM);
        let h = 1e-2f32;
        for which in 0..2 {
            for p in 0..word.len() {
                let bump = |s: f32| {
                    let (mut w, mut c) = (word.clone(), context.clone());
                    if which == 0 {
                        w[p] += s
                    } else {
                        c[p] += s
                    }
                    loss(&w, &c)
                };
                let numeric = (bump(h) - bump(-h)) / (2.0 * h as f64);
                let analytic = if which == 0 { g_word[p] } else { g_context[p] } as f64;
                assert!(
                    (numeric - analytic).abs() < 2e-3,
                    "{} weight {p}: {numeric} vs {analytic}",
                    ["word", "context"][which]
                );
            }
        }
    }

    #[test]
    fn packing_round_trips_and_init_is_small() {
        let (word, context) = GloveConfig::new(20, 8).init_packed(3);
        assert!(word.iter().chain(&context).all(|v| v.abs() <= 0.5 / 8.0));
        assert_ne!(word, context);
        let m = Glove::from_packed(&word, &context, 8, &Device::flex());
        assert_eq!(m.to_packed(), (word.clone(), context));
        assert_eq!(m.word_vectors().len(), 20 * 8);
        assert_eq!(m.word_vectors()[..8], word[..8]);
    }
}
