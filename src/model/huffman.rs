//! The Huffman tree of hierarchical softmax: word2vec's `CreateBinaryTree`, built from the
//! vocabulary's counts so that frequent words get short paths.
//!
//! A tree over `V` words has `V − 1` inner nodes, numbered `0..V−1` with the root last (`V − 2`);
//! each inner node owns one output vector. A word's path runs from the root down to the word, and
//! its code says at each inner node which child leads on (word2vec's `binary`: 1 for the child
//! merged second, the more frequent of the two). Hierarchical softmax trains σ(±u_node·h) to predict each step of the
//! code, with label 1 − code, as word2vec does.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::files::atomic_write;

/// word2vec's `MAX_EXP`: a node scored beyond ±6 is taken as decided and not updated (word2vec.c
/// and gensim skip it), on every update path.
pub const SATURATED: f32 = 6.0;

/// word2vec's cap on a path (`MAX_CODE_LENGTH`); a vocabulary whose counts would exceed it needs
/// counts beyond the Fibonacci numbers past 2^40, far more text than exists.
pub const MAX_DEPTH: usize = 40;

/// Every word's path through the tree, flattened.
#[derive(Debug, Clone, PartialEq)]
pub struct HuffmanTree {
    /// Word `w`'s path is `nodes[offsets[w]..offsets[w + 1]]`, root first.
    offsets: Vec<u32>,
    nodes: Vec<u32>,
    /// The branch taken below each node of the paths, 0 or 1.
    codes: Vec<u8>,
}

impl HuffmanTree {
    /// The tree for `counts` (the vocabulary's, most frequent first, as word2vec sorts it; ties
    /// are broken as word2vec breaks them). Needs at least two words.
    pub fn new(counts: &[u64]) -> Result<Self> {
        let v = counts.len();
        if v < 2 {
            return Err(Error::Config(
                "hierarchical softmax needs a vocabulary of at least two words".into(),
            ));
        }
        // Leaves 0..v, inner nodes v..2v−1 (word2vec's layout); two cursors walk the leaves from
        // the rarest up and the inner nodes in the order they are made, both in rising count.
        let mut count: Vec<u64> = counts.to_vec();
        count.resize(2 * v - 1, u64::MAX);
        let mut parent = vec![0usize; 2 * v - 1];
        let mut branch = vec![0u8; 2 * v - 1];
        let (mut leaf, mut inner) = (v as isize - 1, v);
        let mut take_smallest = |count: &[u64]| {
            if leaf >= 0 && count[leaf as usize] < count[inner] {
                leaf -= 1;
                (leaf + 1) as usize
            } else {
                inner += 1;
                inner - 1
            }
        };
        for a in 0..v - 1 {
            let first = take_smallest(&count);
            let second = take_smallest(&count);
            count[v + a] = count[first].saturating_add(count[second]);
            parent[first] = v + a;
            parent[second] = v + a;
            branch[second] = 1;
        }
        let root = 2 * v - 2;
        let mut offsets = Vec::with_capacity(v + 1);
        let (mut nodes, mut codes) = (Vec::new(), Vec::new());
        let (mut path_nodes, mut path_codes) = (Vec::new(), Vec::new());
        offsets.push(0);
        for word in 0..v {
            path_nodes.clear();
            path_codes.clear();
            let mut b = word;
            while b != root {
                path_codes.push(branch[b]);
                b = parent[b];
                path_nodes.push((b - v) as u32);
            }
            if path_nodes.len() > MAX_DEPTH {
                return Err(Error::Config(format!(
                    "the Huffman path of word {word} is {} nodes deep, beyond word2vec's {MAX_DEPTH}",
                    path_nodes.len()
                )));
            }
            nodes.extend(path_nodes.iter().rev());
            codes.extend(path_codes.iter().rev());
            offsets.push(nodes.len() as u32);
        }
        Ok(HuffmanTree {
            offsets,
            nodes,
            codes,
        })
    }

    /// Words (leaves) in the tree.
    pub fn words(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Inner nodes, each with an output vector: one fewer than the words.
    pub fn inner_nodes(&self) -> usize {
        self.words() - 1
    }

    /// `word`'s inner nodes from the root down, and the branch taken below each.
    pub fn path(&self, word: u32) -> (&[u32], &[u8]) {
        let range = self.offsets[word as usize] as usize..self.offsets[word as usize + 1] as usize;
        (&self.nodes[range.clone()], &self.codes[range])
    }

    /// The longest path.
    pub fn depth(&self) -> usize {
        self.offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0)
    }

    /// The paths as two flat tables for a device: `[offsets (words + 1) | nodes]` as ids, and the
    /// label (1 − code) of each path step.
    pub fn tables(&self) -> (Vec<i32>, Vec<f32>) {
        let ids = self
            .offsets
            .iter()
            .chain(&self.nodes)
            .map(|&x| x as i32)
            .collect();
        let labels = self.codes.iter().map(|&c| 1.0 - c as f32).collect();
        (ids, labels)
    }

    /// Writes the tree beside a model: one line a word (in vocabulary order), its code as 0s and
    /// 1s and its inner nodes, root first — `word code node,node,…`.
    pub fn save<'w>(
        &self,
        words: impl ExactSizeIterator<Item = &'w str>,
        path: &Path,
    ) -> Result<()> {
        assert_eq!(words.len(), self.words());
        atomic_write(path, |w| {
            for (id, word) in words.enumerate() {
                let (nodes, codes) = self.path(id as u32);
                let code: String = codes.iter().map(|&c| char::from(b'0' + c)).collect();
                let nodes: Vec<String> = nodes.iter().map(u32::to_string).collect();
                writeln!(w, "{word} {code} {}", nodes.join(","))?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_form_a_prefix_code_with_huffman_lengths() {
        // Counts 5, 4, 3, 2, 1: merges (1,2)→3, (3,3)→6, (4,5)→9, (6,9)→15.
        let tree = HuffmanTree::new(&[5, 4, 3, 2, 1]).unwrap();
        assert_eq!(tree.inner_nodes(), 4);
        let lengths: Vec<usize> = (0..5).map(|w| tree.path(w).0.len()).collect();
        assert_eq!(lengths, [2, 2, 2, 3, 3]);
        // The root (node 3) opens every path; codes are distinct and none prefixes another.
        let codes: Vec<Vec<u8>> = (0..5).map(|w| tree.path(w).1.to_vec()).collect();
        for (a, ca) in codes.iter().enumerate() {
            assert_eq!(tree.path(a as u32).0[0], 3);
            for (b, cb) in codes.iter().enumerate() {
                if a != b {
                    assert!(!cb.starts_with(ca), "{ca:?} prefixes {cb:?}");
                }
            }
        }
        // Words sharing a parent share their path up to it: 3 and 4 were merged first (node 0).
        assert_eq!(tree.path(3).0, &[3, 1, 0]);
        assert_eq!(tree.path(4).0, &[3, 1, 0]);
        assert_eq!(tree.path(3).1[2] + tree.path(4).1[2], 1);
        assert_eq!(tree.depth(), 3);
    }

    #[test]
    fn expected_code_length_is_optimal() {
        // Huffman's expected length is within one bit of the entropy and no worse than any
        // other prefix code, e.g. a balanced one.
        let counts: Vec<u64> = (1..=200u64).map(|r| 10_000 / r).collect();
        let tree = HuffmanTree::new(&counts).unwrap();
        let total: f64 = counts.iter().sum::<u64>() as f64;
        let expected: f64 = (0..200)
            .map(|w| counts[w] as f64 / total * tree.path(w as u32).0.len() as f64)
            .sum();
        let entropy: f64 = counts
            .iter()
            .map(|&c| c as f64 / total)
            .map(|p| -p * p.log2())
            .sum();
        assert!(
            expected >= entropy && expected < entropy + 1.0,
            "{expected} vs {entropy}"
        );
        assert!(expected < 200f64.log2().ceil());
    }

    #[test]
    fn tables_and_saved_lines() {
        let tree = HuffmanTree::new(&[3, 1]).unwrap();
        let (ids, labels) = tree.tables();
        assert_eq!(ids, [0, 1, 2, 0, 0]);
        assert_eq!(labels, [0.0, 1.0]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tree.txt");
        tree.save(["a", "b"].into_iter(), &p).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a 1 0\nb 0 0\n");
        assert!(HuffmanTree::new(&[7]).is_err());
    }
}
