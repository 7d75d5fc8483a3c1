//! The one place where CPU kernels share weights between threads without locks.
//!
//! Hogwild (Recht et al. 2011), as word2vec and GloVe's reference run it: every worker thread
//! reads and writes rows of the shared matrices at once, unsynchronised. A race costs at most a
//! lost sparse update; it never corrupts memory, because every row handed out lies inside its
//! matrix. All the `unsafe` this needs is here.

use std::marker::PhantomData;

/// A [rows, width] f32 matrix that many threads update in place at once. It borrows the matrix
/// mutably for its whole life, so nothing else can touch it while workers run; copies go to the
/// worker threads (scoped, so they end before the borrow does).
#[derive(Clone, Copy)]
pub(crate) struct HogwildRows<'a> {
    data: *mut f32,
    rows: usize,
    width: usize,
    _borrow: PhantomData<&'a mut [f32]>,
}

// SAFETY: the pointer comes from a `&'a mut [f32]` that outlives every copy (the workers are
// scoped threads inside that borrow); concurrent unsynchronised row updates are the Hogwild
// algorithm itself, and every access is bounds-checked against the matrix.
unsafe impl Send for HogwildRows<'_> {}
unsafe impl Sync for HogwildRows<'_> {}

impl<'a> HogwildRows<'a> {
    /// Shares `data`, whose length must be a multiple of `width`.
    pub fn new(data: &'a mut [f32], width: usize) -> Self {
        assert!(width > 0 && data.len().is_multiple_of(width));
        HogwildRows {
            data: data.as_mut_ptr(),
            rows: data.len() / width,
            width,
            _borrow: PhantomData,
        }
    }

    /// No rows: stands in for state a kernel does not use (AdaGrad's sums under SGD).
    pub fn empty(width: usize) -> Self {
        HogwildRows::new(&mut [], width)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Row `row`, to read and write. Other threads may be writing it at the same time (that is
    /// Hogwild); a caller holds it for one update and takes it again for the next.
    ///
    /// Panics if `row` is outside the matrix.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn row(&self, row: usize) -> &'a mut [f32] {
        assert!(row < self.rows, "row {row} of {}", self.rows);
        // SAFETY: `row < rows`, so the slice lies inside the borrowed matrix (see the type).
        unsafe { std::slice::from_raw_parts_mut(self.data.add(row * self.width), self.width) }
    }

    /// Where row `row` starts, for a prefetch hint (never dereferenced).
    #[inline(always)]
    pub fn row_address(&self, row: usize) -> *const f32 {
        self.data.wrapping_add(row * self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_the_matrix_rows_and_writes_land_in_it() {
        let mut data: Vec<f32> = (0..6).map(|i| i as f32).collect();
        let rows = HogwildRows::new(&mut data, 3);
        assert_eq!((rows.rows(), rows.width()), (2, 3));
        assert_eq!(rows.row(1), &[3.0, 4.0, 5.0]);
        std::thread::scope(|s| {
            s.spawn(move || rows.row(0)[2] = 9.0);
        });
        assert_eq!(data, [0.0, 1.0, 9.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    #[should_panic(expected = "row 2 of 2")]
    fn a_row_outside_the_matrix_is_refused() {
        let mut data = vec![0.0f32; 4];
        HogwildRows::new(&mut data, 2).row(2);
    }
}
