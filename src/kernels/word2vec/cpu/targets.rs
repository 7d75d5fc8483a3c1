//! Where a CPU example's output rows come from: negative sampling's noise (Walker alias tables)
//! or hierarchical softmax's Huffman paths.

/// The noise distribution as Walker alias tables: bucket `b` is drawn uniformly, then kept with
/// probability `accept[b]`, else replaced by `alias[b]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoiseTables<'a> {
    pub accept: &'a [f32],
    pub alias: &'a [i32],
}

/// Every word's Huffman path (see [`crate::model::HuffmanTree::tables`]): word `w`'s inner nodes
/// are `nodes[offsets[w]..offsets[w + 1]]`, with the label (1 − code) of each step in `labels`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreePaths<'a> {
    pub offsets: &'a [i32],
    pub nodes: &'a [i32],
    pub labels: &'a [f32],
}

impl<'a> TreePaths<'a> {
    /// Splits `ids` (`[offsets (words + 1) | nodes]`) for a vocabulary of `words`.
    pub fn new(ids: &'a [i32], labels: &'a [f32], words: usize) -> Self {
        assert!(ids.len() > words, "a tree's table starts with its offsets");
        let (offsets, nodes) = ids.split_at(words + 1);
        assert_eq!(nodes.len(), labels.len());
        TreePaths {
            offsets,
            nodes,
            labels,
        }
    }
}

/// Where each example's output rows come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OutputTargets<'a> {
    /// Negative sampling: the centre word (label 1) and noise words (label 0).
    Noise(NoiseTables<'a>),
    /// Hierarchical softmax: the inner nodes on the centre word's path.
    Tree(TreePaths<'a>),
}
