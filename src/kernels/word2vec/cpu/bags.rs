//! The subword model's input rows on the CPU: each vocabulary word's bag (its own row and its
//! character n-grams' rows, see [`crate::model::SubwordBags`]), and CBOW's window of them.

use crate::kernels::hogwild::HogwildRows;
use crate::kernels::simd::prefetch_row;
use crate::linalg::axpy;

/// Word `w`'s bag is `rows[offsets[w]..offsets[w + 1]]`; `follow[w]` is how far the mean of its
/// rows moves when each entry of the bag takes one step of size 1: Σₖ k²/n over the distinct
/// rows, k of the bag's n entries sharing each (1 when no row repeats).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bags<'a> {
    pub offsets: &'a [i32],
    pub rows: &'a [i32],
    pub follow: &'a [f32],
}

impl<'a> Bags<'a> {
    /// Splits `ids` (`[offsets (words + 1) | rows]`) of a vocabulary of `follow.len()` words.
    pub fn new(ids: &'a [i32], follow: &'a [f32]) -> Self {
        let words = follow.len();
        assert!(ids.len() > words, "a bag table starts with its offsets");
        let (offsets, rows) = ids.split_at(words + 1);
        assert_eq!(offsets[words] as usize, rows.len());
        Bags {
            offsets,
            rows,
            follow,
        }
    }

    #[inline(always)]
    pub fn bag(&self, word: u32) -> &'a [i32] {
        let w = word as usize;
        &self.rows[self.offsets[w] as usize..self.offsets[w + 1] as usize]
    }

    /// Asks the cache for the rows of `word`'s bag in `input`, a while before they are read:
    /// each is a miss in a matrix of millions of buckets.
    #[inline(always)]
    pub fn prefetch(&self, word: u32, input: &HogwildRows) {
        for &r in self.bag(word) {
            prefetch_row(input.row_address(r as usize), input.width());
        }
    }
}

/// The subword model's CBOW under window batching: the bags of the positions a sliding window
/// covers, each summed once when its position first enters a window and written once when it
/// leaves. fastText averages every context word's bag again for each centre and writes every row
/// of it after each step: a position's ~10 rows are read and written once for each of the up to
/// 2·window centres it is a context of. Here a position's sum follows its own steps exactly
/// (each entry of the bag moves by the step, so the sum moves by Σ k² times it, see
/// [`Bags::follow`]), and its steps gather until it leaves, so a window reads only the cached
/// sums. What it gives up is the steps of *other* positions to rows its bag shares (a repeated
/// word or n-gram within 2·window positions, a bucket collision) until those are written: reads
/// a few positions stale, as Hogwild's threads read each other's rows.
pub(crate) struct BagWindow<'a> {
    bags: Bags<'a>,
    input: HogwildRows<'a>,
    /// The hidden layer is the mean of the window's rows (else their sum).
    mean: bool,
    dim: usize,
    /// The position each slot holds (`usize::MAX`: none); position p lives in slot p mod slots.
    positions: Vec<usize>,
    words: Vec<u32>,
    /// Each slot's bag sum and its steps not yet written, `dim` floats a slot.
    sums: Vec<f32>,
    pending: Vec<f32>,
    /// Each slot's bag length, and Σ k² over its distinct rows (how far the sum moves when every
    /// entry steps by 1).
    lens: Vec<f32>,
    moves: Vec<f32>,
}

impl<'a> BagWindow<'a> {
    /// A window of `bags` over the rows of `input`, with room for the positions one window of
    /// half-width `window` can see at once, either side of its centre.
    pub fn new(bags: Bags<'a>, input: HogwildRows<'a>, window: usize, mean: bool) -> Self {
        let slots = 2 * window + 1;
        let dim = input.width();
        BagWindow {
            bags,
            input,
            mean,
            dim,
            positions: vec![usize::MAX; slots],
            words: vec![0; slots],
            sums: vec![0.0; slots * dim],
            pending: vec![0.0; slots * dim],
            lens: vec![0.0; slots],
            moves: vec![0.0; slots],
        }
    }

    /// The slot of `position` (holding `word`), its bag summed from `input` if it was not held;
    /// the position it replaces, if any, is written first.
    #[inline(always)]
    pub fn slot(&mut self, position: usize, word: u32) -> usize {
        let s = position % self.positions.len();
        if self.positions[s] == position {
            return s;
        }
        self.write(s);
        let bag = self.bags.bag(word);
        let sum = &mut self.sums[s * self.dim..(s + 1) * self.dim];
        sum.iter_mut().for_each(|v| *v = 0.0);
        for &r in bag {
            axpy(1.0, self.input.row(r as usize), sum);
        }
        self.positions[s] = position;
        self.words[s] = word;
        self.lens[s] = bag.len() as f32;
        self.moves[s] = self.bags.follow[word as usize] * bag.len() as f32;
        s
    }

    /// Whether the hidden layer is the mean of the window's rows (else their sum).
    pub fn mean(&self) -> bool {
        self.mean
    }

    /// Asks the cache for the rows of `word`'s bag, which a position about to enter the window
    /// holds.
    #[inline(always)]
    pub fn prefetch(&self, word: u32) {
        self.bags.prefetch(word, &self.input);
    }

    /// Adds slot `s`'s sum into `hidden`; returns its bag's length.
    #[inline(always)]
    pub fn add_sum(&self, s: usize, hidden: &mut [f32]) -> f32 {
        axpy(1.0, &self.sums[s * self.dim..(s + 1) * self.dim], hidden);
        self.lens[s]
    }

    /// Every entry of slot `s`'s bag takes `step`: gathered to be written, and its sum moved.
    #[inline(always)]
    pub fn step(&mut self, s: usize, step: &[f32]) {
        let range = s * self.dim..(s + 1) * self.dim;
        axpy(1.0, step, &mut self.pending[range.clone()]);
        axpy(self.moves[s], step, &mut self.sums[range]);
    }

    /// Writes every held position's gathered steps to its rows and empties the window.
    pub fn write_all(&mut self) {
        for s in 0..self.positions.len() {
            self.write(s);
        }
    }

    /// Writes slot `s`'s gathered steps to every entry of its bag (a row twice in it, twice).
    #[inline(always)]
    fn write(&mut self, s: usize) {
        if self.positions[s] == usize::MAX {
            return;
        }
        let pending = &mut self.pending[s * self.dim..(s + 1) * self.dim];
        for &r in self.bags.bag(self.words[s]) {
            axpy(1.0, pending, self.input.row(r as usize));
        }
        pending.iter_mut().for_each(|v| *v = 0.0);
        self.positions[s] = usize::MAX;
    }
}
