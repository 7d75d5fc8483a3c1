//! fastText's subword model (Bojanowski et al. 2017): a word's input vector is the mean of its
//! own row and the rows of its character n-grams, so rare words learn from their parts and an
//! unseen word still has a vector. The n-grams are taken from the word between fastText's
//! boundary markers and hashed into a fixed number of bucket rows after the vocabulary's, exactly
//! as fastText 0.9's `Dictionary::computeSubwords` does, so that its `.bin` files and ours agree.

/// The marker fastText puts before a word when cutting its n-grams.
const BEGIN: &str = "<";
/// The marker after it.
const END: &str = ">";
/// fastText's end-of-line token: it takes no n-grams.
const END_OF_SENTENCE: &str = "</s>";

/// The subword settings of a run: n-grams of `minn..=maxn` characters hashed into `bucket` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subwords {
    pub minn: usize,
    pub maxn: usize,
    pub bucket: usize,
}

impl Subwords {
    /// fastText's settings for skip-gram and CBOW (`-minn 3 -maxn 6 -bucket 2000000`).
    pub const FASTTEXT: Subwords = Subwords {
        minn: 3,
        maxn: 6,
        bucket: 2_000_000,
    };

    /// Appends the bucket (`0..bucket`) of each character n-gram of `word` to `out`, in
    /// fastText's order: by start character, then by length; a single character is kept only
    /// inside the markers. Characters are UTF-8 sequences, counted as fastText counts them (a
    /// byte that does not continue a sequence starts a character).
    pub fn ngram_buckets(&self, word: &str, out: &mut Vec<u32>) {
        if word == END_OF_SENTENCE || self.maxn == 0 || self.bucket == 0 {
            return;
        }
        let marked = format!("{BEGIN}{word}{END}");
        let bytes = marked.as_bytes();
        let continues = |b: u8| b & 0xC0 == 0x80;
        for start in 0..bytes.len() {
            if continues(bytes[start]) {
                continue;
            }
            let mut hash = FNV_OFFSET;
            let mut end = start;
            for n in 1..=self.maxn {
                if end == bytes.len() {
                    break;
                }
                hash = fnv_step(hash, bytes[end]);
                end += 1;
                while end < bytes.len() && continues(bytes[end]) {
                    hash = fnv_step(hash, bytes[end]);
                    end += 1;
                }
                let marker_alone = n == 1 && (start == 0 || end == bytes.len());
                if n >= self.minn && !marker_alone {
                    out.push(hash % self.bucket as u32);
                }
            }
        }
    }

    /// The input rows of a word outside the vocabulary: its n-grams' rows, after `words` rows.
    pub fn unseen_rows(&self, word: &str, words: usize) -> Vec<u32> {
        let mut rows = Vec::new();
        self.ngram_buckets(word, &mut rows);
        rows.iter_mut().for_each(|r| *r += words as u32);
        rows
    }
}

const FNV_OFFSET: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;

/// One byte of fastText's FNV-1a: the byte goes in sign-extended, as C++'s `int8_t` cast makes
/// it, so bytes above 127 hash as fastText's do (gensim before 3.8 hashed them unsigned).
fn fnv_step(hash: u32, byte: u8) -> u32 {
    (hash ^ byte as i8 as i32 as u32).wrapping_mul(FNV_PRIME)
}

/// fastText's hash of a whole string.
pub fn fasttext_hash(text: &str) -> u32 {
    text.bytes().fold(FNV_OFFSET, fnv_step)
}

/// Every vocabulary word's input rows (a bag): its own row, then its n-grams' rows
/// (`vocab + bucket`), computed once before training. Word `w`'s bag is
/// `rows[offsets[w]..offsets[w + 1]]`; an n-gram that occurs twice in a word is there twice, as
/// in fastText, and its row counts twice in the mean and takes the step twice.
#[derive(Debug, Clone, PartialEq)]
pub struct SubwordBags {
    pub settings: Subwords,
    pub offsets: Vec<u32>,
    pub rows: Vec<u32>,
}

impl SubwordBags {
    pub fn new<'a>(settings: Subwords, words: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let count = words.len();
        let mut offsets = Vec::with_capacity(count + 1);
        let mut rows = Vec::with_capacity(count * 12);
        offsets.push(0);
        let mut buckets = Vec::new();
        for (id, word) in words.enumerate() {
            rows.push(id as u32);
            buckets.clear();
            settings.ngram_buckets(word, &mut buckets);
            rows.extend(buckets.iter().map(|&b| (count + b as usize) as u32));
            offsets.push(rows.len() as u32);
        }
        SubwordBags {
            settings,
            offsets,
            rows,
        }
    }

    /// Words in the vocabulary.
    pub fn words(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Input rows: the words' and the buckets'.
    pub fn input_rows(&self) -> usize {
        self.words() + self.settings.bucket
    }

    pub fn bag(&self, word: usize) -> &[u32] {
        &self.rows[self.offsets[word] as usize..self.offsets[word + 1] as usize]
    }

    /// How far the mean of each word's bag moves when every entry of the bag takes a step of
    /// size 1: Σ k²/n over its distinct rows, k of its n entries sharing each (1 when none
    /// repeats), so a kernel can keep the mean current without reading the rows again.
    pub fn follow(&self) -> Vec<f32> {
        (0..self.words())
            .map(|w| {
                let bag = self.bag(w);
                let shared: usize = bag
                    .iter()
                    .map(|r| bag.iter().filter(|&s| s == r).count())
                    .sum();
                shared as f32 / bag.len() as f32
            })
            .collect()
    }

    /// The words' vectors as fastText composes them: each the mean of its bag's rows of `input`
    /// ([`Self::input_rows`] × `dim`). Returns [words, dim].
    pub fn compose(&self, input: &[f32], dim: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.words() * dim];
        for (word, vector) in out.chunks_exact_mut(dim).enumerate() {
            mean_of_rows(input, dim, self.bag(word), vector);
        }
        out
    }
}

/// Writes the mean of `rows` of the [_, dim] matrix `matrix` into `out` (zeros for no rows), as
/// fastText's `averageRowsToVector` does.
pub fn mean_of_rows(matrix: &[f32], dim: usize, rows: &[u32], out: &mut [f32]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for &r in rows {
        let r = r as usize;
        crate::linalg::axpy(1.0, &matrix[r * dim..(r + 1) * dim], out);
    }
    if !rows.is_empty() {
        let inv = 1.0 / rows.len() as f32;
        out.iter_mut().for_each(|x| *x *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The n-grams of `word` as strings, cut the way [`Subwords::ngram_buckets`] cuts them (by
    /// hashing each candidate separately and comparing), for readable assertions.
    fn ngrams(settings: Subwords, word: &str) -> Vec<String> {
        let marked: Vec<char> = format!("<{word}>").chars().collect();
        let mut out = Vec::new();
        for i in 0..marked.len() {
            for n in settings.minn.max(1)..=settings.maxn {
                if i + n > marked.len() || (n == 1 && (i == 0 || i + 1 == marked.len())) {
                    continue;
                }
                out.push(marked[i..i + n].iter().collect());
            }
        }
        out
    }

    fn buckets(settings: Subwords, word: &str) -> Vec<u32> {
        let mut out = Vec::new();
        settings.ngram_buckets(word, &mut out);
        out
    }

    #[test]
    fn fnv_1a_matches_the_published_vectors_and_sign_extends_high_bytes() {
        // FNV-1a 32-bit reference values for ASCII input.
        assert_eq!(fasttext_hash(""), 0x811c9dc5);
        assert_eq!(fasttext_hash("a"), 0xe40c292c);
        assert_eq!(fasttext_hash("foobar"), 0xbf9cf968);
        // fastText's hash of "é" (0xC3 0xA9) with each byte sign-extended, worked by hand.
        let signed = [0xC3u8, 0xA9].iter().fold(0x811c9dc5u32, |h, &b| {
            (h ^ (0xFFFF_FF00 | b as u32)).wrapping_mul(16_777_619)
        });
        assert_eq!(fasttext_hash("é"), signed);
        let unsigned = [0xC3u8, 0xA9].iter().fold(0x811c9dc5u32, |h, &b| {
            (h ^ b as u32).wrapping_mul(16_777_619)
        });
        assert_ne!(signed, unsigned);
    }

    #[test]
    fn ngrams_are_fastexts_for_ascii_accented_and_cjk_words() {
        let s = Subwords {
            minn: 3,
            maxn: 6,
            bucket: 2_000_000,
        };
        for word in ["where", "a", "naïve", "café", "東京都", "日本語です", "ab"] {
            let expected: Vec<u32> = ngrams(s, word)
                .iter()
                .map(|g| fasttext_hash(g) % s.bucket as u32)
                .collect();
            assert_eq!(buckets(s, word), expected, "{word}");
        }
        assert_eq!(
            ngrams(s, "where"),
            [
                "<wh", "<whe", "<wher", "<where", "whe", "wher", "where", "where>", "her", "here",
                "here>", "ere", "ere>", "re>"
            ]
        );
        // One-character n-grams never stand for a marker alone.
        let ones = Subwords {
            minn: 1,
            maxn: 1,
            bucket: 100,
        };
        assert_eq!(ngrams(ones, "日本"), ["日", "本"]);
        assert_eq!(buckets(ones, "日本").len(), 2);
        assert!(buckets(s, "</s>").is_empty());
        assert!(buckets(Subwords { maxn: 0, ..s }, "word").is_empty());
    }

    #[test]
    fn bags_hold_the_word_then_its_ngrams_after_the_vocabulary() {
        let s = Subwords {
            minn: 3,
            maxn: 4,
            bucket: 10,
        };
        let bags = SubwordBags::new(s, ["aaaa", "b"].into_iter());
        assert_eq!(bags.input_rows(), 12);
        let first = bags.bag(0);
        assert_eq!(first[0], 0);
        // "<aaaa>": <aa <aaa aaa aaaa aaa aaa> aa> — "aaa" twice, as fastText keeps it.
        assert_eq!(first.len(), 1 + 7);
        assert!(first[1..].iter().all(|&r| (2..12).contains(&r)));
        assert_eq!(bags.bag(1)[0], 1);
        assert_eq!(s.unseen_rows("aaaa", 2), first[1..]);
        let input: Vec<f32> = (0..12).map(|r| r as f32).collect();
        let composed = bags.compose(&input, 1);
        let mean = first.iter().map(|&r| r as f32).sum::<f32>() / first.len() as f32;
        assert!((composed[0] - mean).abs() < 1e-6);
    }
}
