//! Queries on a vectors file, as gensim's KeyedVectors answers them: `similar` (most_similar,
//! with positive and negative words), `analogy`, `doesnt-match`, `similarity`, `vector`, and
//! `query`, which reads one such query a line from standard input. Each prints text, or one JSON
//! object with `--json`.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};
use wordvec::embeddings::{Neighbour, VectorRows, doesnt_match, most_similar, similarity, vector};
use wordvec::io::VectorFormat;
use wordvec::vectors::Vectors;

/// The vectors file and how to read it: the flags every query shares.
#[derive(Args)]
pub struct VectorsSource {
    /// Vectors file (word2vec text or binary, GloVe text, fastText .vec, or a fastText .bin
    /// model, whose n-grams give unseen words vectors; detected from the content).
    #[arg(long)]
    vectors: PathBuf,
    /// Force the file format instead of detecting it.
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// Query the word2vec binary file memory-mapped instead of loading it (big files: memory
    /// for the word index only).
    #[arg(long)]
    mmap: bool,
    /// Print one JSON object per query instead of text.
    #[arg(long)]
    json: bool,
    /// Fold the query words to lower case, for vectors trained with `--lowercase`.
    #[arg(long)]
    lowercase: bool,
}

/// How many neighbours, among how many words: the flags of the neighbour queries.
#[derive(Args)]
pub struct Ranking {
    /// How many neighbours to print.
    #[arg(short = 'n', long, default_value_t = 10)]
    top: usize,
    /// Search only the N most frequent words (gensim's restrict_vocab).
    #[arg(long)]
    restrict: Option<usize>,
}

#[derive(Args)]
pub struct SimilarArgs {
    #[command(flatten)]
    source: VectorsSource,
    #[command(flatten)]
    ranking: Ranking,
    /// Words whose vectors are added (with the WORDs).
    #[arg(long, value_delimiter = ',')]
    positive: Vec<String>,
    /// Words whose vectors are subtracted.
    #[arg(long, value_delimiter = ',')]
    negative: Vec<String>,
    /// Words whose vectors are added.
    words: Vec<String>,
}

#[derive(Args)]
pub struct AnalogyArgs {
    #[command(flatten)]
    source: VectorsSource,
    #[command(flatten)]
    ranking: Ranking,
    /// a is to b …
    a: String,
    b: String,
    /// … as c is to ?
    c: String,
}

#[derive(Args)]
pub struct DoesntMatchArgs {
    #[command(flatten)]
    source: VectorsSource,
    /// The words to choose the odd one out from.
    #[arg(required = true, num_args = 2..)]
    words: Vec<String>,
}

#[derive(Args)]
pub struct SimilarityArgs {
    #[command(flatten)]
    source: VectorsSource,
    a: String,
    b: String,
}

#[derive(Args)]
pub struct VectorArgs {
    #[command(flatten)]
    source: VectorsSource,
    word: String,
}

#[derive(Args)]
pub struct QueryArgs {
    #[command(flatten)]
    source: VectorsSource,
    #[command(flatten)]
    ranking: Ranking,
}

impl VectorsSource {
    fn open(&self) -> wordvec::Result<Vectors> {
        Vectors::open(&self.vectors, self.format, self.mmap)
    }
}

fn strs(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

/// One query, whichever command or input line it came from.
enum Query {
    Similar {
        positive: Vec<String>,
        negative: Vec<String>,
    },
    Analogy([String; 3]),
    DoesntMatch(Vec<String>),
    Similarity(String, String),
    Vector(String),
}

impl Query {
    /// The same query with its words folded to lower case.
    fn lowercased(self) -> Query {
        let fold = |w: String| w.to_lowercase();
        let all = |v: Vec<String>| v.into_iter().map(fold).collect();
        match self {
            Query::Similar { positive, negative } => Query::Similar {
                positive: all(positive),
                negative: all(negative),
            },
            Query::Analogy(words) => Query::Analogy(words.map(fold)),
            Query::DoesntMatch(words) => Query::DoesntMatch(all(words)),
            Query::Similarity(a, b) => Query::Similarity(fold(a), fold(b)),
            Query::Vector(w) => Query::Vector(fold(w)),
        }
    }

    /// The query as the vectors spell their words.
    fn folded(self, source: &VectorsSource) -> Query {
        match source.lowercase {
            true => self.lowercased(),
            false => self,
        }
    }

    /// A line of `query`'s input: a command and its words (`similar king woman -man`: a
    /// leading `-` marks a word to subtract).
    fn parse(line: &str) -> Result<Query, String> {
        let mut fields = line.split_whitespace();
        let command = fields.next().unwrap_or_default();
        let words: Vec<String> = fields.map(str::to_string).collect();
        let count = |n: usize| -> Result<(), String> {
            match words.len() == n {
                true => Ok(()),
                false => Err(format!(
                    "`{command}` takes {n} word(s), got {}",
                    words.len()
                )),
            }
        };
        match command {
            "similar" => {
                let (negative, positive): (Vec<String>, Vec<String>) = words
                    .into_iter()
                    .partition(|w| w.len() > 1 && w.starts_with('-'));
                let negative = negative.into_iter().map(|w| w[1..].to_string()).collect();
                Ok(Query::Similar { positive, negative })
            }
            "analogy" => {
                count(3)?;
                let [a, b, c]: [String; 3] = words.try_into().expect("three words");
                Ok(Query::Analogy([a, b, c]))
            }
            "doesnt-match" => Ok(Query::DoesntMatch(words)),
            "similarity" => {
                count(2)?;
                let [a, b]: [String; 2] = words.try_into().expect("two words");
                Ok(Query::Similarity(a, b))
            }
            "vector" => {
                count(1)?;
                Ok(Query::Vector(words.into_iter().next().expect("one word")))
            }
            other => Err(format!(
                "unknown query `{other}`: expected similar, analogy, doesnt-match, similarity or vector"
            )),
        }
    }

    /// The query's words.
    fn words(&self) -> Vec<&str> {
        match self {
            Query::Similar { positive, negative } => {
                strs(positive).into_iter().chain(strs(negative)).collect()
            }
            Query::Analogy(words) => words.iter().map(String::as_str).collect(),
            Query::DoesntMatch(words) => strs(words),
            Query::Similarity(a, b) => vec![a, b],
            Query::Vector(word) => vec![word],
        }
    }

    /// The answer as JSON (the query echoed beside it, and `unseen`: the words outside the
    /// vocabulary that a subword model gave vectors from their n-grams) and as text, with a note
    /// on standard error for each such word.
    fn answer(&self, rows: &Vectors, ranking: &Ranking) -> wordvec::Result<(Value, String)> {
        let (mut json, text) = self.answer_words(rows, ranking)?;
        let unseen: Vec<&str> = self
            .words()
            .into_iter()
            .filter(|w| rows.find(w).is_none())
            .collect();
        if !unseen.is_empty() {
            for word in &unseen {
                eprintln!(
                    "note: `{word}` is not in the vocabulary: its vector is the mean of its character n-grams'"
                );
            }
            json["unseen"] = json!(unseen);
        }
        Ok((json, text))
    }

    fn answer_words(&self, rows: &Vectors, ranking: &Ranking) -> wordvec::Result<(Value, String)> {
        let neighbours = |n: Vec<Neighbour>| {
            let text = n
                .iter()
                .map(|n| format!("{:<24} {:.4}\n", n.word, n.score))
                .collect();
            let json: Vec<Value> = n
                .into_iter()
                .map(|n| json!({"word": n.word, "score": n.score}))
                .collect();
            (json, text)
        };
        Ok(match self {
            Query::Similar { positive, negative } => {
                let found = most_similar(
                    rows,
                    &strs(positive),
                    &strs(negative),
                    ranking.top,
                    ranking.restrict,
                )?;
                let (list, text) = neighbours(found);
                let query = json!({"query": "similar", "positive": positive, "negative": negative});
                (json!({"query": query, "neighbours": list}), text)
            }
            Query::Analogy([a, b, c]) => {
                let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
                let found = most_similar(rows, &[b, c], &[a], ranking.top, ranking.restrict)?;
                let (list, text) = neighbours(found);
                let query = json!({"query": "analogy", "a": a, "b": b, "c": c});
                (json!({"query": query, "neighbours": list}), text)
            }
            Query::DoesntMatch(words) => {
                let odd = doesnt_match(rows, &strs(words))?;
                let query = json!({"query": "doesnt-match", "words": words});
                (json!({"query": query, "answer": odd}), format!("{odd}\n"))
            }
            Query::Similarity(a, b) => {
                let s = similarity(rows, a, b)?;
                let query = json!({"query": "similarity", "a": a, "b": b});
                (
                    json!({"query": query, "similarity": s}),
                    format!("{s:.4}\n"),
                )
            }
            Query::Vector(word) => {
                let v = vector(rows, word)?;
                let text: Vec<String> = v.iter().map(f32::to_string).collect();
                let query = json!({"query": "vector", "word": word});
                (json!({"query": query, "vector": v}), text.join(" ") + "\n")
            }
        })
    }
}

/// Answers one query from the command line.
fn run_one(source: &VectorsSource, ranking: &Ranking, query: Query) -> anyhow::Result<()> {
    let rows = source.open()?;
    let (json, text) = query.folded(source).answer(&rows, ranking)?;
    match source.json {
        true => println!("{json}"),
        false => print!("{text}"),
    }
    Ok(())
}

/// The ranking flags where a query has none.
const ONE: Ranking = Ranking {
    top: 1,
    restrict: None,
};

pub fn similar(args: SimilarArgs) -> anyhow::Result<()> {
    let mut positive = args.words;
    positive.extend(args.positive);
    let query = Query::Similar {
        positive,
        negative: args.negative,
    };
    run_one(&args.source, &args.ranking, query)
}

pub fn analogy(args: AnalogyArgs) -> anyhow::Result<()> {
    let query = Query::Analogy([args.a, args.b, args.c]);
    run_one(&args.source, &args.ranking, query)
}

pub fn doesnt_match_words(args: DoesntMatchArgs) -> anyhow::Result<()> {
    run_one(&args.source, &ONE, Query::DoesntMatch(args.words))
}

pub fn similarity_of(args: SimilarityArgs) -> anyhow::Result<()> {
    run_one(&args.source, &ONE, Query::Similarity(args.a, args.b))
}

pub fn vector_of(args: VectorArgs) -> anyhow::Result<()> {
    run_one(&args.source, &ONE, Query::Vector(args.word))
}

/// Answers every line of standard input (blank lines and `#` comments skipped); a line that
/// fails is reported with its number and the rest still run; the exit status says whether any
/// failed.
pub fn batch(args: QueryArgs) -> anyhow::Result<()> {
    let rows = args.source.open()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.context("reading standard input")?;
        let line_no = n + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let answer = Query::parse(&line).and_then(|q| {
            q.folded(&args.source)
                .answer(&rows, &args.ranking)
                .map_err(|e| e.to_string())
        });
        match answer {
            Ok((json, text)) => match args.source.json {
                true => writeln!(out, "{json}")?,
                // A blank line between answers.
                false => writeln!(out, "{text}")?,
            },
            Err(message) => {
                failed += 1;
                eprintln!("stdin:{line_no}: {message}");
                if args.source.json {
                    writeln!(out, "{}", json!({"line": line_no, "error": message}))?;
                }
            }
        }
        out.flush()?;
    }
    if failed > 0 {
        anyhow::bail!("{failed} of the queries on standard input failed (see above)");
    }
    Ok(())
}
