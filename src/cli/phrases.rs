//! `phrases`: learn a phrase table from a corpus (word2phrase's and gensim's `Phrases`), or
//! apply one and write the joined text for other tools.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use wordvec::files::atomic_write;
use wordvec::phrases::{ENGLISH_CONNECTORS, MAX_ENTRIES, PhraseSettings, Scoring, learn};
use wordvec::text::{PhraseTable, TokenSink};
use wordvec::train::peak_memory_bytes;

use super::vocab::CorpusArgs;

#[derive(Args)]
#[command(after_help = "Learn a table, then train on the text it joins:
  wordvec phrases --corpus text.txt --passes 2 --output phrases.txt
  wordvec train --corpus text.txt --phrases phrases.txt --output runs/p/vectors.bin
or write the joined text: wordvec phrases --apply phrases.txt --corpus text.txt --output joined.txt")]
pub struct PhrasesArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// The phrase table (`PASS TOKENS SCORE COUNT` lines, highest score first in each pass); with
    /// --apply, the joined text.
    #[arg(long)]
    output: PathBuf,
    /// Write the corpus with this table's phrases joined by `_` instead of learning one.
    #[arg(long, conflicts_with_all = ["scoring", "threshold", "min_count", "connector_words", "max_entries", "passes", "phrases"])]
    apply: Option<PathBuf>,
    /// How candidates are scored: word2vec's (count(ab) − min_count) / (count(a)·count(b)) ·
    /// entries, or normalised PMI in [−1, 1].
    #[arg(long, value_enum, default_value_t = Scoring::Default)]
    scoring: Scoring,
    /// A candidate scoring above it is a phrase [default: 10 (gensim's); npmi: 0.5].
    #[arg(long, allow_negative_numbers = true)]
    threshold: Option<f64>,
    /// Subtracted from a candidate's count by the default scoring; the least count npmi scores.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Words that may sit inside a phrase but never start or end one: `english` (gensim's
    /// ENGLISH_CONNECTOR_WORDS: a, an, the, for, of, …), `none`, or a comma list.
    #[arg(long, default_value = "none")]
    connector_words: String,
    /// Entries (words and candidates) counted before the rarest are pruned (gensim's
    /// max_vocab_size): bounds memory.
    #[arg(long, default_value_t = MAX_ENTRIES)]
    max_entries: usize,
    /// Passes: each joins the text of the one before, so phrases grow a word a pass (word2vec's
    /// demo runs two).
    #[arg(long, default_value_t = 1)]
    passes: usize,
}

pub fn run(args: PhrasesArgs) -> anyhow::Result<()> {
    match &args.apply {
        Some(table) => apply(&args, table),
        None => learn_table(&args),
    }
}

fn learn_table(args: &PhrasesArgs) -> anyhow::Result<()> {
    let connectors: Vec<String> = match args.connector_words.as_str() {
        "none" => Vec::new(),
        "english" => ENGLISH_CONNECTORS.iter().map(|c| c.to_string()).collect(),
        list => list.split(',').map(str::to_string).collect(),
    };
    let settings = PhraseSettings {
        scoring: args.scoring,
        threshold: args.threshold.unwrap_or(match args.scoring {
            Scoring::Default => 10.0,
            Scoring::Npmi => 0.5,
        }),
        min_count: args.min_count,
        connectors,
        max_entries: args.max_entries,
        passes: args.passes,
        threads: args.corpus.threads(),
    };
    let corpus = args.corpus.open()?;
    let started = Instant::now();
    let mut notes = vec![format!(
        "wordvec phrases: scoring {:?}, threshold {}, min_count {}, {} connector words, {} pass(es)",
        settings.scoring,
        settings.threshold,
        settings.min_count,
        settings.connectors.len(),
        settings.passes
    )];
    let mut table = learn(&corpus, &settings, |pass, stats| {
        let line = format!(
            "pass {pass}: {} words, {} entries counted ({} prunings), {} phrases",
            stats.words, stats.entries, stats.prunings, stats.phrases
        );
        eprintln!("{line} ({:.1}s)", started.elapsed().as_secs_f64());
        notes.push(line);
    })?;
    table.notes = notes;
    table.save(&args.output)?;
    let peak = peak_memory_bytes().map_or(String::new(), |b| {
        format!(", peak memory {:.0} MB", b as f64 / 1e6)
    });
    eprintln!(
        "{} phrases written to {} in {:.1}s{peak}",
        table.phrases.len(),
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn apply(args: &PhrasesArgs, table: &Path) -> anyhow::Result<()> {
    let corpus = args.corpus.open()?.joined(Some(&PhraseTable::load(table)?));
    let mut lines = 0u64;
    let mut unread = None;
    let written = atomic_write(&args.output, |out| {
        let mut text = TextSink {
            out,
            first: true,
            lines: 0,
            failed: None,
        };
        if let Err(e) = corpus.scan(0..corpus.total_bytes(), &mut text) {
            if let Some(failed) = text.failed.take() {
                return Err(failed);
            }
            unread = Some(e);
            return Err(std::io::Error::other("the corpus could not be read"));
        }
        lines = text.lines;
        Ok(())
    });
    if let Some(e) = unread {
        return Err(e.into());
    }
    written?;
    eprintln!("{lines} lines written to {}", args.output.display());
    Ok(())
}

/// Writes tokens a space apart and each line with tokens as a line.
struct TextSink<'o, W: Write> {
    out: &'o mut W,
    first: bool,
    lines: u64,
    failed: Option<std::io::Error>,
}

impl<W: Write> TextSink<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> wordvec::Result<()> {
        self.out.write_all(bytes).map_err(|e| {
            let message = e.to_string();
            self.failed = Some(e);
            wordvec::Error::Config(format!("writing the joined text: {message}"))
        })
    }
}

impl<W: Write> TokenSink for TextSink<'_, W> {
    fn token(&mut self, token: &[u8], _: &Path, _: u64) -> wordvec::Result<()> {
        if !self.first {
            self.write(b" ")?;
        }
        self.first = false;
        self.write(token)
    }

    /// Ends a line that had tokens (a line without any, or the break the reader adds after a
    /// file's last line, writes nothing).
    fn line_end(&mut self) -> wordvec::Result<()> {
        if self.first {
            return Ok(());
        }
        self.first = true;
        self.lines += 1;
        self.write(b"\n")
    }
}
