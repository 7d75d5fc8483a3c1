//! The embedded default: a small synthetic language with planted structure (countries and
//! capitals, male and female, singular and plural, present and past), written as varied template
//! sentences with filler words, plus its own analogy and similarity questions. Training on it
//! shows, offline and in seconds, that the whole pipeline learns real structure.

use std::io::Write;
use std::path::Path;

use rand::Rng as _;
use rand::seq::{IndexedRandom, SliceRandom};
use rustc_hash::FxHashSet;

use crate::error::Result;
use crate::eval::{AnalogyQuestion, SimilarityPair};
use crate::files::atomic_write;
use crate::rng::{Rng, rng_for};

/// A relation: word pairs (a, b) and the context words that mark each side.
struct Family {
    section: &'static str,
    pairs: &'static [(&'static str, &'static str)],
    a_markers: &'static [&'static str],
    b_markers: &'static [&'static str],
}

const FAMILIES: &[Family] = &[
    Family {
        section: "capital-world",
        pairs: &[
            ("france", "paris"),
            ("germany", "berlin"),
            ("italy", "rome"),
            ("spain", "madrid"),
            ("japan", "tokyo"),
            ("china", "beijing"),
            ("russia", "moscow"),
            ("egypt", "cairo"),
            ("greece", "athens"),
            ("canada", "ottawa"),
            ("kenya", "nairobi"),
            ("peru", "lima"),
            ("poland", "warsaw"),
            ("norway", "oslo"),
            ("cuba", "havana"),
            ("chile", "santiago"),
        ],
        a_markers: &[
            "country", "nation", "border", "flag", "republic", "province",
        ],
        b_markers: &[
            "city", "capital", "mayor", "downtown", "streets", "district",
        ],
    },
    Family {
        section: "family",
        pairs: &[
            ("king", "queen"),
            ("man", "woman"),
            ("boy", "girl"),
            ("father", "mother"),
            ("son", "daughter"),
            ("brother", "sister"),
            ("uncle", "aunt"),
            ("husband", "wife"),
            ("prince", "princess"),
            ("nephew", "niece"),
            ("actor", "actress"),
            ("waiter", "waitress"),
        ],
        a_markers: &["he", "his", "him", "mr", "male", "gentleman"],
        b_markers: &["she", "her", "hers", "mrs", "female", "lady"],
    },
    Family {
        section: "gram8-plural",
        pairs: &[
            ("cat", "cats"),
            ("dog", "dogs"),
            ("car", "cars"),
            ("tree", "trees"),
            ("house", "houses"),
            ("bird", "birds"),
            ("book", "books"),
            ("river", "rivers"),
            ("apple", "apples"),
            ("horse", "horses"),
            ("road", "roads"),
            ("ship", "ships"),
            ("stone", "stones"),
            ("flower", "flowers"),
            ("chair", "chairs"),
            ("lamp", "lamps"),
        ],
        a_markers: &["one", "single", "this", "each", "every", "lone"],
        b_markers: &["many", "two", "several", "these", "those", "some"],
    },
    Family {
        section: "gram7-past-tense",
        pairs: &[
            ("walk", "walked"),
            ("jump", "jumped"),
            ("play", "played"),
            ("open", "opened"),
            ("cook", "cooked"),
            ("paint", "painted"),
            ("climb", "climbed"),
            ("call", "called"),
            ("push", "pushed"),
            ("pull", "pulled"),
            ("clean", "cleaned"),
            ("watch", "watched"),
            ("laugh", "laughed"),
            ("dance", "danced"),
            ("fish", "fished"),
            ("wash", "washed"),
        ],
        a_markers: &["today", "now", "will", "always", "often", "usually"],
        b_markers: &["yesterday", "ago", "did", "once", "earlier", "already"],
    },
];

const FILLERS: &[&str] = &[
    "the", "and", "of", "in", "to", "was", "with", "for", "on", "at", "by", "from", "that", "it",
    "as",
];

/// Sentences written for each side of each pair.
const SENTENCES_PER_SIDE: usize = 250;
/// Private context words per pair: they tie a and b together, apart from the other pairs.
const ATTRIBUTES_PER_PAIR: usize = 3;
/// The corpus never changes: it is drawn from this seed, not the training seed.
const CORPUS_SEED: u64 = 2013;

/// Pronounceable made-up words, unique and distinct from every planted word.
fn attributes(rng: &mut Rng) -> Vec<Vec<String>> {
    const SYLLABLES: &[&str] = &[
        "ka", "zu", "mo", "ri", "te", "vo", "lan", "sek", "dri", "pol", "gu", "xi", "nar", "bel",
        "tof", "qua", "mil", "zen", "rok", "fai",
    ];
    let mut taken: FxHashSet<String> = FAMILIES
        .iter()
        .flat_map(|f| {
            f.pairs
                .iter()
                .flat_map(|(a, b)| [a.to_string(), b.to_string()])
        })
        .chain(FILLERS.iter().map(|s| s.to_string()))
        .collect();
    FAMILIES
        .iter()
        .flat_map(|f| f.pairs.iter())
        .map(|_| {
            (0..ATTRIBUTES_PER_PAIR)
                .map(|_| {
                    loop {
                        let word: String = (0..3)
                            .map(|_| *SYLLABLES.choose(rng).expect("syllables"))
                            .collect();
                        if taken.insert(word.clone()) {
                            break word;
                        }
                    }
                })
                .collect()
        })
        .collect()
}

/// Writes the corpus (about 240,000 tokens, one sentence per line).
pub fn write_corpus(path: &Path) -> Result<()> {
    let mut rng = rng_for(CORPUS_SEED, 0);
    let attrs = attributes(&mut rng);
    let mut sentences: Vec<String> = Vec::new();
    let mut pair_index = 0;
    for family in FAMILIES {
        for &(a, b) in family.pairs {
            let own = &attrs[pair_index];
            pair_index += 1;
            for (word, markers) in [(a, family.a_markers), (b, family.b_markers)] {
                for _ in 0..SENTENCES_PER_SIDE {
                    sentences.push(sentence(&mut rng, word, markers, own));
                }
            }
        }
    }
    sentences.shuffle(&mut rng);
    atomic_write(path, |w| {
        for s in &sentences {
            writeln!(w, "{s}")?;
        }
        Ok(())
    })
}

/// One sentence: the word, two side markers and two of its pair's attributes in random order,
/// with filler words between them.
fn sentence(rng: &mut Rng, word: &str, markers: &[&str], attrs: &[String]) -> String {
    let mut content: Vec<&str> = vec![
        word,
        markers.choose(rng).expect("markers"),
        markers.choose(rng).expect("markers"),
    ];
    content.extend(attrs.choose_multiple(rng, 2).map(String::as_str));
    content.shuffle(rng);
    let mut out: Vec<&str> = Vec::with_capacity(10);
    for c in content {
        if rng.random_bool(0.4) {
            out.push(FILLERS.choose(rng).expect("fillers"));
        }
        out.push(c);
    }
    if rng.random_bool(0.5) {
        out.push(FILLERS.choose(rng).expect("fillers"));
    }
    out.join(" ")
}

/// Every ordered pair of pairs within a family: "a_i is to b_i as a_j is to b_j".
pub fn analogy_questions() -> Vec<AnalogyQuestion> {
    let mut questions = Vec::new();
    for family in FAMILIES {
        for (i, &(a, b)) in family.pairs.iter().enumerate() {
            for (j, &(c, d)) in family.pairs.iter().enumerate() {
                if i != j {
                    questions.push(AnalogyQuestion {
                        section: family.section.to_string(),
                        words: [a, b, c, d].map(String::from),
                    });
                }
            }
        }
    }
    questions
}

/// Graded pairs: a word and its partner (9), a word and its pair's attribute (7), two words of
/// one family and side (5), words of different families (1).
pub fn similarity_pairs() -> Vec<SimilarityPair> {
    let mut rng = rng_for(CORPUS_SEED, 0);
    let attrs = attributes(&mut rng);
    let pair = |a: &str, b: &str, score: f64| SimilarityPair {
        a: a.to_string(),
        b: b.to_string(),
        score,
    };
    let mut pairs = Vec::new();
    let mut k = 0;
    for (f, family) in FAMILIES.iter().enumerate() {
        let other = &FAMILIES[(f + 1) % FAMILIES.len()];
        for (i, &(a, b)) in family.pairs.iter().enumerate() {
            pairs.push(pair(a, b, 9.0));
            pairs.push(pair(b, &attrs[k][0], 7.0));
            let (c, _) = family.pairs[(i + 1) % family.pairs.len()];
            pairs.push(pair(a, c, 5.0));
            pairs.push(pair(b, other.pairs[i % other.pairs.len()].1, 1.0));
            k += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_cover_every_family() {
        let q = analogy_questions();
        assert_eq!(q.len(), 16 * 15 * 3 + 12 * 11);
        assert_eq!(
            q[0].words,
            ["france", "paris", "germany", "berlin"].map(String::from)
        );
        assert!(similarity_pairs().len() > 200);
    }

    #[test]
    fn corpus_is_fixed_and_holds_the_planted_words() {
        let dir = tempfile::tempdir().unwrap();
        let (p1, p2) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        write_corpus(&p1).unwrap();
        write_corpus(&p2).unwrap();
        let text = std::fs::read_to_string(&p1).unwrap();
        assert_eq!(text, std::fs::read_to_string(&p2).unwrap());
        let words: FxHashSet<&str> = text.split_whitespace().collect();
        for q in analogy_questions() {
            for w in &q.words {
                assert!(words.contains(w.as_str()), "{w}");
            }
        }
        let tokens = text.split_whitespace().count();
        assert!((150_000..400_000).contains(&tokens), "{tokens}");
    }
}
