//! Skip-gram: an `Embedding` of the centre word and a `Linear` head over the vocabulary — the
//! exact model of the classic tutorial. The full softmax uses the whole head; negative sampling
//! uses the head's weight columns as word2vec's output vectors.

use burn::nn::{Embedding, Linear};
use burn::prelude::*;
use burn::tensor::FloatDType;
use burn::tensor::activation::{log_sigmoid, log_softmax};

use super::{HuffmanTree, SATURATED};
use crate::rng::{Rng, rng_for};
use crate::tensors::{ids_tensor, param_from, to_host};

/// The model's shape.
#[derive(Config, Debug)]
pub struct Word2VecConfig {
    pub vocab: usize,
    pub dim: usize,
    /// The softmax head carries a bias (as `nn.Linear` does); negative sampling has none.
    #[config(default = false)]
    pub head_bias: bool,
}

/// Skip-gram with a softmax head; `embedding.weight` holds the input (centre) vectors, shape
/// [vocab, dim], and `head.weight` the output vectors as columns, shape [dim, vocab].
#[derive(Module, Debug)]
pub struct Word2Vec {
    pub embedding: Embedding,
    pub head: Linear,
}

/// A stream of the run's RNG reserved for weight initialisation.
const INIT_STREAM: u64 = 0x1417;
const BUCKET_STREAM: u64 = 0x5b3d;

impl Word2VecConfig {
    /// Input vectors uniform in ±1/dim (as gensim and fastText; word2vec.c uses ±0.5/dim, which
    /// trained worse vectors here: docs/benchmarks.md), output vectors and bias zero.
    /// Drawn on the host from `seed`, so every backend starts from the same weights.
    pub fn init(&self, seed: u64, device: &Device) -> Word2Vec {
        let (input, output) = self.init_vectors(seed);
        Word2Vec::from_vectors(
            input,
            output,
            self.head_bias.then(|| vec![0.0; self.vocab]),
            self.dim,
            device,
        )
    }
}

impl Word2VecConfig {
    /// The initial input and output vectors on the host, [vocab, dim] row-major each.
    pub fn init_vectors(&self, seed: u64) -> (Vec<f32>, Vec<f32>) {
        use rand::Rng as _;
        let mut rng: Rng = rng_for(seed, INIT_STREAM);
        let scale = 1.0 / self.dim as f32;
        let input: Vec<f32> = (0..self.vocab * self.dim)
            .map(|_| rng.random_range(-scale..scale))
            .collect();
        (input, vec![0.0; self.vocab * self.dim])
    }

    /// The subword model's `buckets` n-gram rows, appended to `input`: uniform in ±1/dim as the
    /// words' rows (fastText's start for both), from a stream of their own, so the words' rows
    /// are the word-level model's.
    pub fn init_buckets(&self, seed: u64, buckets: usize, input: &mut Vec<f32>) {
        use rand::Rng as _;
        let mut rng: Rng = rng_for(seed, BUCKET_STREAM);
        let scale = 1.0 / self.dim as f32;
        input.reserve(buckets * self.dim);
        input.extend((0..buckets * self.dim).map(|_| rng.random_range(-scale..scale)));
    }
}

impl Word2Vec {
    /// Builds the model from host vectors: `input` and `output` are [rows, dim] and [vocab, dim]
    /// row-major (word2vec's syn0 and syn1neg; the subword model's input has its n-gram buckets'
    /// rows after the words').
    pub fn from_vectors(
        input: Vec<f32>,
        output: Vec<f32>,
        bias: Option<Vec<f32>>,
        dim: usize,
        device: &Device,
    ) -> Word2Vec {
        let (rows, vocab) = (input.len() / dim, output.len() / dim);
        let embedding = Embedding {
            weight: param_from(input, [rows, dim], device),
        };
        // The head computes x·W with W of shape [dim, vocab]: word j's output vector is column j.
        let mut columns = vec![0.0; output.len()];
        for (j, row) in output.chunks_exact(dim).enumerate() {
            for (k, &v) in row.iter().enumerate() {
                columns[k * vocab + j] = v;
            }
        }
        let head_weight = param_from(columns, [dim, vocab], device);
        let bias = bias.map(|b| {
            burn::module::Param::from_tensor(Tensor::from_data(TensorData::new(b, [vocab]), device))
        });
        Word2Vec {
            embedding,
            head: Linear {
                weight: head_weight,
                bias,
            },
        }
    }

    /// Words: the output layer's width (the input may have the subword model's buckets too).
    pub fn vocab(&self) -> usize {
        self.head.weight.dims()[1]
    }

    pub fn dim(&self) -> usize {
        self.embedding.weight.dims()[1]
    }

    /// Input vectors on the host, [vocab, dim] row-major: the word vectors users keep.
    pub fn input_vectors(&self) -> Vec<f32> {
        to_host(self.embedding.weight.val())
    }

    /// Output vectors on the host, [vocab, dim] row-major.
    pub fn output_vectors(&self) -> Vec<f32> {
        to_host(self.head.weight.val().transpose())
    }

    /// The head's bias, if it has one.
    pub fn bias(&self) -> Option<Vec<f32>> {
        self.head.bias.as_ref().map(|b| to_host(b.val()))
    }

    fn centre_vectors(&self, centers: &[u32], device: &Device) -> Tensor<2> {
        let n = centers.len();
        let ids = ids_tensor(centers, device).reshape([n, 1]);
        self.embedding.forward(ids).reshape([n, self.dim()])
    }

    /// Mean cross-entropy of the full softmax p(t | c) = softmax(θᵀ e_c) over the batch, the
    /// head's products computed in `precision` (see [`Word2Vec::logits`]).
    pub fn softmax_loss(
        &self,
        centers: &[u32],
        contexts: &[u32],
        precision: FloatDType,
    ) -> Tensor<1> {
        let device = self.embedding.weight.device();
        self.softmax_of(self.centre_vectors(centers, &device), contexts, precision)
    }

    /// The head's scores for each row of `hidden`, [n, vocab] in f32. With a narrower
    /// `precision` the matrix product runs in it (tensor cores on a GPU) from f32 master
    /// weights, and its gradients come back through the casts to them.
    pub fn logits(&self, hidden: Tensor<2>, precision: FloatDType) -> Tensor<2> {
        if precision == FloatDType::F32 {
            return self.head.forward(hidden);
        }
        let weight = self.head.weight.val().cast(precision);
        let product = hidden.cast(precision).matmul(weight).cast(FloatDType::F32);
        match &self.head.bias {
            Some(bias) => product + bias.val().unsqueeze(),
            None => product,
        }
    }

    /// Mean over the batch of −[log σ(u_t·v_c) + Σ_k log σ(−u_k·v_c)], with `negatives`
    /// holding `k` ids per pair.
    pub fn negative_loss(&self, centers: &[u32], contexts: &[u32], negatives: &[u32]) -> Tensor<1> {
        let device = self.embedding.weight.device();
        self.negative_of(self.centre_vectors(centers, &device), contexts, negatives)
    }

    /// Hierarchical softmax: the mean over the batch of −Σ log σ(±u_n·v_c) over the inner nodes
    /// `n` on each target's path in `tree`, the sign + where the path turns to code 0 (the
    /// head's column `n` is inner node `n`'s vector; the last column has no node). Nodes scored
    /// beyond ±[`SATURATED`] add to the loss but get no gradient, as in word2vec.
    pub fn hierarchical_loss(
        &self,
        centers: &[u32],
        contexts: &[u32],
        tree: &HuffmanTree,
    ) -> Tensor<1> {
        let device = self.embedding.weight.device();
        self.hierarchical_of(self.centre_vectors(centers, &device), contexts, tree)
    }

    /// CBOW's hidden layers: for each example, Σ_k w_k·e_{c_k} over its row of `windows` and
    /// `weights` (the batch's [`crate::sampling::Batch`] CBOW fields; `n` examples).
    pub fn cbow_hidden(&self, windows: &[u32], weights: &[f32], n: usize) -> Tensor<2> {
        let device = self.embedding.weight.device();
        let width = windows.len() / n.max(1);
        let ids = ids_tensor(windows, &device).reshape([n, width]);
        let w = Tensor::<1>::from_data(TensorData::new(weights.to_vec(), [weights.len()]), &device)
            .reshape([n, width, 1]);
        (self.embedding.forward(ids) * w)
            .sum_dim(1)
            .reshape([n, self.dim()])
    }

    /// CBOW with the full softmax: mean cross-entropy of the centre word given the window.
    pub fn cbow_softmax_loss(
        &self,
        windows: &[u32],
        weights: &[f32],
        centers: &[u32],
        precision: FloatDType,
    ) -> Tensor<1> {
        let hidden = self.cbow_hidden(windows, weights, centers.len());
        self.softmax_of(hidden, centers, precision)
    }

    /// CBOW with negative sampling: the window's hidden layer scores the centre high and
    /// `negatives` (k per example) low.
    pub fn cbow_negative_loss(
        &self,
        windows: &[u32],
        weights: &[f32],
        centers: &[u32],
        negatives: &[u32],
    ) -> Tensor<1> {
        let hidden = self.cbow_hidden(windows, weights, centers.len());
        self.negative_of(hidden, centers, negatives)
    }

    /// CBOW with hierarchical softmax: the window's hidden layer walks the centre's path.
    pub fn cbow_hierarchical_loss(
        &self,
        windows: &[u32],
        weights: &[f32],
        centers: &[u32],
        tree: &HuffmanTree,
    ) -> Tensor<1> {
        let hidden = self.cbow_hidden(windows, weights, centers.len());
        self.hierarchical_of(hidden, centers, tree)
    }

    fn softmax_of(&self, hidden: Tensor<2>, targets: &[u32], precision: FloatDType) -> Tensor<1> {
        let device = hidden.device();
        let log_p = log_softmax(self.logits(hidden, precision), 1);
        let n = targets.len();
        let targets = ids_tensor(targets, &device).reshape([n, 1]);
        log_p.gather(1, targets).mean().neg()
    }

    /// The paths of `targets` padded to the longest: node ids [n, depth], and signs +1 (code 0),
    /// −1 (code 1) or 0 (padding, which then adds nothing).
    fn hierarchical_of(&self, h: Tensor<2>, targets: &[u32], tree: &HuffmanTree) -> Tensor<1> {
        let device = h.device();
        let n = targets.len();
        let depth = targets
            .iter()
            .map(|&t| tree.path(t).0.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut nodes = vec![0u32; n * depth];
        let mut signs = vec![0.0f32; n * depth];
        for (e, &t) in targets.iter().enumerate() {
            let (path, codes) = tree.path(t);
            for (d, (&node, &code)) in path.iter().zip(codes).enumerate() {
                nodes[e * depth + d] = node;
                signs[e * depth + d] = 1.0 - 2.0 * code as f32;
            }
        }
        let dim = self.dim();
        let u = self
            .head
            .weight
            .val()
            .transpose()
            .select(0, ids_tensor(&nodes, &device))
            .reshape([n, depth, dim]);
        let scores = (u * h.reshape([n, 1, dim])).sum_dim(2).reshape([n, depth]);
        let signs = Tensor::<1>::from_data(TensorData::new(signs, [n * depth]), &device)
            .reshape([n, depth]);
        let mask = signs.clone().abs();
        // A node scored beyond ±6 is decided: word2vec and gensim leave it alone. Its loss
        // counts; its gradient does not.
        let live = scores.clone().detach().abs().lower_elem(SATURATED).float();
        let log_p = log_sigmoid(scores * signs);
        let log_p = log_p.clone() * live.clone() + log_p.detach() * (live.neg() + 1.0);
        (log_p * mask).sum_dim(1).reshape([n]).mean().neg()
    }

    fn negative_of(&self, v: Tensor<2>, targets: &[u32], negatives: &[u32]) -> Tensor<1> {
        let device = v.device();
        let n = targets.len();
        let k = negatives.len() / n.max(1);
        let dim = self.dim();
        let output = self.head.weight.val().transpose();
        let u_pos = output.clone().select(0, ids_tensor(targets, &device));
        let pos = (v.clone() * u_pos).sum_dim(1).reshape([n]);
        let mut loss = log_sigmoid(pos).neg();
        if k > 0 {
            let u_neg = output
                .select(0, ids_tensor(negatives, &device))
                .reshape([n, k, dim]);
            let neg = (u_neg * v.reshape([n, 1, dim])).sum_dim(2).reshape([n, k]);
            loss = loss - log_sigmoid(neg.neg()).sum_dim(1).reshape([n]);
        }
        loss.mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex().autodiff()
    }

    fn tiny(device: &Device) -> (Word2Vec, Vec<f32>, Vec<f32>, Vec<f32>) {
        let (vocab, dim) = (4, 3);
        let input: Vec<f32> = (0..vocab * dim)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) / 10.0)
            .collect();
        let output: Vec<f32> = (0..vocab * dim)
            .map(|i| ((i * 5 % 13) as f32 - 6.0) / 9.0)
            .collect();
        let bias = vec![0.1, -0.2, 0.3, 0.05];
        let m = Word2Vec::from_vectors(
            input.clone(),
            output.clone(),
            Some(bias.clone()),
            dim,
            device,
        );
        (m, input, output, bias)
    }

    fn row(v: &[f32], i: u32) -> &[f32] {
        &v[i as usize * 3..i as usize * 3 + 3]
    }

    fn dotf(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
    }

    fn log_sig(x: f64) -> f64 {
        -(1.0 + (-x).exp()).ln()
    }

    #[test]
    fn negative_loss_matches_hand_computation() {
        let d = device();
        let (m, input, output, _) = tiny(&d);
        let (c, t, neg) = ([0u32, 2], [1u32, 3], [2u32, 3, 0, 1]);
        let got: f32 = m.negative_loss(&c, &t, &neg).into_scalar();
        let mut expect = 0.0;
        for p in 0..2 {
            let v = row(&input, c[p]);
            expect -= log_sig(dotf(row(&output, t[p]), v));
            for q in 0..2 {
                expect -= log_sig(-dotf(row(&output, neg[p * 2 + q]), v));
            }
        }
        expect /= 2.0;
        assert!((got as f64 - expect).abs() < 1e-5, "{got} vs {expect}");
    }

    #[test]
    fn hierarchical_loss_matches_hand_computation() {
        let d = device();
        let (m, input, output, _) = tiny(&d);
        let tree = HuffmanTree::new(&[5, 3, 2, 1]).unwrap();
        let (c, t) = ([0u32, 2, 1], [3u32, 0, 1]);
        let got: f32 = m.hierarchical_loss(&c, &t, &tree).into_scalar();
        let mut expect = 0.0;
        for p in 0..3 {
            let v = row(&input, c[p]);
            let (nodes, codes) = tree.path(t[p]);
            for (&node, &code) in nodes.iter().zip(codes) {
                let sign = if code == 0 { 1.0 } else { -1.0 };
                expect -= log_sig(sign * dotf(row(&output, node), v));
            }
        }
        expect /= 3.0;
        assert!((got as f64 - expect).abs() < 1e-5, "{got} vs {expect}");
    }

    #[test]
    fn softmax_loss_matches_hand_computation() {
        let d = device();
        let (m, input, output, bias) = tiny(&d);
        let (c, t) = ([0u32, 3, 1], [1u32, 1, 2]);
        let got: f32 = m.softmax_loss(&c, &t, FloatDType::F32).into_scalar();
        let mut expect = 0.0;
        for p in 0..3 {
            let v = row(&input, c[p]);
            let logits: Vec<f64> = (0..4)
                .map(|j| dotf(row(&output, j), v) + bias[j as usize] as f64)
                .collect();
            let lse = logits.iter().map(|x| x.exp()).sum::<f64>().ln();
            expect -= logits[t[p] as usize] - lse;
        }
        expect /= 3.0;
        assert!((got as f64 - expect).abs() < 1e-5, "{got} vs {expect}");
    }

    /// Central differences on every weight against the autodiff gradient.
    fn check_gradients(loss: impl Fn(&Word2Vec) -> Tensor<1>) {
        let d = device();
        let (m, input, output, bias) = tiny(&d);
        let grads = loss(&m).backward();
        let g_in = to_host(m.embedding.weight.grad(&grads).expect("input grad"));
        let g_out = to_host(m.head.weight.grad(&grads).expect("output grad").transpose());
        let h = 1e-2f32;
        let eval = |inp: Vec<f32>, out: Vec<f32>| -> f64 {
            let m = Word2Vec::from_vectors(inp, out, Some(bias.clone()), 3, &d);
            loss(&m).into_scalar::<f32>() as f64
        };
        for which in 0..2 {
            for i in 0..input.len() {
                let bump = |s: f32| {
                    let (mut a, mut b) = (input.clone(), output.clone());
                    if which == 0 {
                        a[i] += s
                    } else {
                        b[i] += s
                    }
                    eval(a, b)
                };
                let numeric = (bump(h) - bump(-h)) / (2.0 * h as f64);
                let analytic = if which == 0 { g_in[i] } else { g_out[i] } as f64;
                assert!(
                    (numeric - analytic).abs() < 2e-3,
                    "param {which}/{i}: {numeric} vs {analytic}"
                );
            }
        }
    }

    #[test]
    fn negative_gradients_match_finite_differences() {
        check_gradients(|m| m.negative_loss(&[0, 2, 2], &[1, 3, 0], &[2, 3, 0, 1, 1, 3]));
    }

    #[test]
    fn narrower_products_give_the_f32_loss_and_gradients_closely() {
        let d = device();
        let (m, ..) = tiny(&d);
        let (c, t) = ([0u32, 3, 1, 2], [1u32, 1, 2, 0]);
        let f32_loss = m.softmax_loss(&c, &t, FloatDType::F32);
        let f32_grads = f32_loss.clone().backward();
        let want = to_host(m.head.weight.grad(&f32_grads).unwrap());
        for precision in [FloatDType::F16, FloatDType::BF16] {
            let loss = m.softmax_loss(&c, &t, precision);
            let grads = loss.clone().backward();
            let got = to_host(m.head.weight.grad(&grads).unwrap());
            let (a, b): (f32, f32) = (loss.into_scalar(), f32_loss.clone().into_scalar());
            // bf16 keeps 8 bits of mantissa: about 0.4% per product.
            assert!((a - b).abs() < 0.01 * b.abs(), "{precision:?}: {a} vs {b}");
            let worst = got
                .iter()
                .zip(&want)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f32::max);
            assert!(worst < 0.01, "{precision:?}: gradient off by {worst}");
            assert!(
                to_host(m.embedding.weight.grad(&grads).unwrap())
                    .iter()
                    .any(|&g| g != 0.0)
            );
        }
    }

    #[test]
    fn decided_nodes_count_in_the_loss_but_get_no_gradient() {
        // One input row far along the root's vector: the root scores beyond ±6.
        let d = device();
        let (_, mut input, output, _) = tiny(&d);
        let tree = HuffmanTree::new(&[5, 3, 2, 1]).unwrap();
        let root = tree.path(0).0[0];
        for k in 0..3 {
            input[k] = 40.0 * output[root as usize * 3 + k];
        }
        let m = Word2Vec::from_vectors(input.clone(), output.clone(), None, 3, &d);
        assert!(dotf(row(&input, 0), row(&output, root)).abs() >= SATURATED as f64);
        let loss = m.hierarchical_loss(&[0], &[1], &tree);
        let mut expect = 0.0;
        let (nodes, codes) = tree.path(1);
        for (&node, &code) in nodes.iter().zip(codes) {
            let sign = if code == 0 { 1.0 } else { -1.0 };
            expect -= log_sig(sign * dotf(row(&output, node), row(&input, 0)));
        }
        let value: f32 = loss.clone().into_scalar();
        assert!((value as f64 - expect).abs() < 1e-4, "{value} vs {expect}");
        let grads = loss.backward();
        let g_out = to_host(m.head.weight.grad(&grads).unwrap().transpose());
        // Each node on the path: a gradient exactly where its score is inside ±6.
        for &n in nodes {
            let decided = dotf(row(&input, 0), row(&output, n)).abs() >= SATURATED as f64;
            let moved = row(&g_out, n).iter().any(|&g| g != 0.0);
            assert_eq!(moved, !decided, "node {n}: {g_out:?}");
        }
    }

    #[test]
    fn hierarchical_gradients_match_finite_differences() {
        let tree = HuffmanTree::new(&[5, 3, 2, 1]).unwrap();
        check_gradients(|m| m.hierarchical_loss(&[0, 2, 2, 3], &[3, 0, 1, 2], &tree));
        check_gradients(|m| m.cbow_hierarchical_loss(&WINDOWS, &WEIGHTS, &[0, 3], &tree));
    }

    #[test]
    fn softmax_gradients_match_finite_differences() {
        check_gradients(|m| m.softmax_loss(&[0, 3, 1], &[1, 1, 2], FloatDType::F32));
    }

    /// Two CBOW examples of width 4: contexts {1, 2, 3} averaged and {0, 2} summed (padded).
    const WINDOWS: [u32; 8] = [1, 2, 3, 0, 0, 2, 0, 0];
    const WEIGHTS: [f32; 8] = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0, 1.0, 1.0, 0.0, 0.0];

    #[test]
    fn cbow_gradients_match_finite_differences() {
        check_gradients(|m| m.cbow_negative_loss(&WINDOWS, &WEIGHTS, &[0, 3], &[2, 1, 1, 0]));
        check_gradients(|m| m.cbow_softmax_loss(&WINDOWS, &WEIGHTS, &[0, 3], FloatDType::F32));
    }

    #[test]
    fn cbow_loss_matches_hand_computation() {
        let d = device();
        let (m, input, output, _) = tiny(&d);
        let got: f32 = m
            .cbow_negative_loss(&WINDOWS, &WEIGHTS, &[0, 3], &[2, 1, 1, 0])
            .into_scalar();
        let mut expect = 0.0;
        for (e, (center, negatives)) in [(0u32, [2u32, 1]), (3, [1, 0])].into_iter().enumerate() {
            let mut h = [0.0f32; 3];
            for k in 0..4 {
                let (id, w) = (WINDOWS[e * 4 + k], WEIGHTS[e * 4 + k]);
                for (hd, v) in h.iter_mut().zip(row(&input, id)) {
                    *hd += w * v;
                }
            }
            expect -= log_sig(dotf(row(&output, center), &h));
            for n in negatives {
                expect -= log_sig(-dotf(row(&output, n), &h));
            }
        }
        expect /= 2.0;
        assert!((got as f64 - expect).abs() < 1e-5, "{got} vs {expect}");
    }

    #[test]
    fn init_is_uniform_in_one_over_dim() {
        let m = Word2VecConfig::new(50, 10).init(1, &Device::flex());
        assert!(m.input_vectors().iter().all(|v| v.abs() <= 0.1));
        // Uniform over ±0.1: a fifth of 500 values beyond ±0.08 is expected, none would be
        // under word2vec's ±0.05.
        assert!(m.input_vectors().iter().filter(|v| v.abs() > 0.08).count() > 50);
        assert!(m.output_vectors().iter().all(|&v| v == 0.0));
        assert_eq!(m.bias(), None);
        let again = Word2VecConfig::new(50, 10).init(1, &Device::flex());
        assert_eq!(m.input_vectors(), again.input_vectors());
    }
}
