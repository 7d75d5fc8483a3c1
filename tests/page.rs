//! `wordvec serve`'s page in headless Chromium: search a word and read the neighbours the page
//! shows against `wordvec similar`, complete a word, draw maps, compare two runs, open a sweep.
//! A failing step leaves a screenshot in the test's target folder.

mod common;

use std::path::{Path, PathBuf};

use common::browser::{self, Browser};
use common::serving::Served;
use serde_json::Value;

/// Runs on the embedded corpus: one alone, and a sweep of two optimizers.
fn runs(dir: &Path) -> (PathBuf, PathBuf) {
    let run = dir.join("run");
    let out = common::wordvec()
        .args(["train", "--epochs", "1", "--seed", "5", "--output"])
        .arg(run.join("vectors.bin"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let sweep = dir.join("sweep");
    let out = common::wordvec()
        .args([
            "sweep",
            "--optimizer",
            "sgd,adagrad",
            "--epochs",
            "1",
            "--out",
        ])
        .arg(&sweep)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    (run, sweep)
}

/// The `n`-th word of the run's vocabulary.
fn word(run: &Path, n: usize) -> String {
    let vocab = std::fs::read_to_string(run.join("vectors.vocab.txt")).unwrap();
    vocab
        .lines()
        .nth(n)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn texts(browser: &Browser, selector: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll({selector:?})].map(e => e.textContent.trim())"
    );
    let value = browser.eval(&script);
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_page_searches_maps_compares_and_charts_runs() {
    if let Some(reason) = browser::missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (run, sweep) = runs(tmp.path());
    let served = Served::start(&[&run, &sweep], &[]);
    let browser = Browser::start("page");
    browser.open(&served.url("/"));
    browser.wait_for("the page to load", "return document.body.dataset.ready");

    // Search as you type: the neighbours shown are `wordvec similar`'s.
    let king = word(&run, 40);
    browser.type_into("#search", &king);
    browser.wait_for(
        "ten neighbours",
        "return document.querySelectorAll('#neighbours tbody tr').length === 10",
    );
    let shown = texts(&browser, "#neighbours tbody td:nth-child(2)");
    let out = common::wordvec()
        .args(["similar", "--json", "--vectors"])
        .arg(run.join("vectors.bin"))
        .arg(&king)
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: Vec<String> = cli["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["word"].as_str().unwrap().to_string())
        .collect();
    browser.check(
        shown == expected,
        &format!("the page shows {shown:?}, wordvec similar {expected:?}"),
    );
    let cosines = texts(&browser, "#neighbours tbody td:nth-child(3)");
    let first = cli["neighbours"][0]["score"].as_f64().unwrap();
    browser.check(
        cosines[0] == format!("{first:.4}"),
        &format!("cosine {} against {first}", cosines[0]),
    );

    // Completion: a prefix offers the word; choosing it searches it.
    browser.clear("#search");
    browser.type_into("#search", &king[..king.len() - 1]);
    let offered = browser.wait_for(
        "completions",
        "const items = [...document.querySelectorAll('#completions li')]; \
         return !document.getElementById('completions').hidden && items.map(i => i.textContent)",
    );
    browser.check(
        offered
            .as_array()
            .unwrap()
            .contains(&Value::from(king.clone())),
        &format!("{king} not among the completions {offered}"),
    );
    browser.click(&format!("#completions li[data-word='{king}']"));
    browser.wait_for(
        "the chosen word's neighbours",
        &format!("return document.getElementById('search').value === '{king}' && document.querySelectorAll('#neighbours tbody tr').length === 10"),
    );

    // Clicking a neighbour searches it.
    let second = expected[1].clone();
    browser.click(&format!("#neighbours .word[data-word='{second}']"));
    browser.wait_for(
        "the clicked neighbour's own neighbours",
        &format!("return document.getElementById('search').value === '{second}'"),
    );

    // Analogy and similarity answer as they are typed.
    let (a, b, c) = (word(&run, 50), word(&run, 51), word(&run, 52));
    browser.type_into("#analogy-a", &a);
    browser.type_into("#analogy-b", &b);
    browser.type_into("#analogy-c", &c);
    browser.wait_for(
        "the analogy's answers",
        "return document.querySelectorAll('#analogy-result li').length === 5",
    );
    browser.type_into("#sim-a", &a);
    browser.type_into("#sim-b", &b);
    browser.wait_for(
        "a similarity",
        "return document.getElementById('sim-result').textContent.startsWith('cosine')",
    );
    browser.type_into("#odd-words", "qqqzzz nothing");
    browser.wait_for(
        "an unknown word's message",
        "return document.getElementById('odd-result').textContent.includes(\"unknown word 'qqqzzz'\")",
    );

    // A map of a word's neighbourhood by PCA, then t-SNE; clicking a point maps its own.
    browser.click("nav button[data-tab='map']");
    browser.type_into("#map-around", &king);
    browser.clear("#map-k");
    browser.type_into("#map-k", "20");
    browser.click("#map-draw");
    browser.wait_for(
        "21 points",
        "return document.querySelectorAll('#map-svg g.point').length === 21",
    );
    let labels = texts(&browser, "#map-svg g.point text");
    browser.check(
        labels.contains(&king),
        &format!("{king} not on the map {labels:?}"),
    );
    browser.eval("document.getElementById('map-method').value = 'tsne'");
    browser.eval(&format!(
        "document.querySelector(\"#map-svg g.point[data-word='{second}'] circle\").dispatchEvent(new MouseEvent('click', {{bubbles: true}}))"
    ));
    browser.wait_for(
        "the clicked point's neighbourhood by t-SNE",
        &format!("return document.getElementById('map-around').value === '{second}' && document.querySelector('#map-svg circle.centre') && document.querySelector(\"#map-svg g.point[data-word='{second}'] circle\").classList.contains('centre')"),
    );

    // Two runs side by side: each column is that run's `similar`, the overlap counted.
    browser.click("nav button[data-tab='compare']");
    browser.eval("document.getElementById('compare-a').value = '1'; document.getElementById('compare-b').value = '2'");
    browser.type_into("#compare-word", &king);
    browser.wait_for(
        "both columns",
        "return document.querySelectorAll('#compare-neighbours-a tbody tr').length === 10 && document.querySelectorAll('#compare-neighbours-b tbody tr').length === 10",
    );
    let overlap = texts(&browser, "#compare-overlap")[0].clone();
    browser.check(overlap.starts_with("shared: "), &overlap);
    browser.click("#overlap-run");
    browser.wait_for(
        "the overlap over frequent words",
        "return document.getElementById('overlap-result').textContent.startsWith('mean overlap@10')",
    );

    // The runs: the lone run and the sweep's two, each a line on the loss chart.
    browser.click("nav button[data-tab='runs']");
    let names = texts(&browser, "#runs-list label");
    browser.check(names.len() == 3, &format!("runs listed: {names:?}"));
    browser.check(
        names.iter().any(|n| n.contains("optimizer-adagrad")),
        &format!("the sweep's runs are missing: {names:?}"),
    );
    let lines = browser.eval("return document.querySelectorAll('#chart-loss path.series').length");
    browser.check(lines == 3, &format!("{lines} loss lines"));
    let rows = browser.eval("return document.querySelectorAll('#runs-settings tbody tr').length");
    browser.check(rows == 3, &format!("{rows} rows of settings"));
    // Unticking a run takes its line away.
    browser.click("#runs-list input[value='0']");
    browser.wait_for(
        "two lines",
        "return document.querySelectorAll('#chart-loss path.series').length === 2",
    );
}

#[test]
fn a_link_opens_the_page_on_a_query() {
    if let Some(reason) = browser::missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (run, _) = runs(tmp.path());
    let served = Served::start(&[&run], &[]);
    let browser = Browser::start("link");
    let word = word(&run, 30);
    browser.open(&served.url(&format!("/#map={word}")));
    browser.wait_for(
        "the linked map",
        "return document.querySelectorAll('#map-svg g.point').length === 31 && !document.getElementById('tab-map').hidden",
    );
}
