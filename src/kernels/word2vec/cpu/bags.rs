//! The subword model's input rows on the CPU: each vocabulary word's bag (its own row and its
//! character n-grams' rows, see [`crate::model::SubwordBags`]).

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
}
