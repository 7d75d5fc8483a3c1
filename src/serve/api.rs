//! The JSON API: one function an endpoint, each reading its parameters and answering from the
//! catalog with the library's queries (the same answers as `wordvec similar` and the rest).

use serde_json::{Value, json};

use super::catalog::{Catalog, ServedVectors};
use super::params::{ApiError, ApiResult, MOST_WORDS, Params};
use super::tsne::tsne;
use crate::embeddings::{Neighbour, VectorRows, doesnt_match, most_similar, similarity, vector};
use crate::linalg::{dot, normalize};

/// Most neighbours one request may ask for.
pub const MOST_NEIGHBOURS: usize = 1_000;
/// Most frequent words an overlap is measured over.
const MOST_OVERLAP_WORDS: usize = 2_000;
/// Most rows an overlap searches in each model (each kept at unit length for the request).
const MOST_OVERLAP_RESTRICT: usize = 100_000;
/// Most steps of a t-SNE map.
const MOST_TSNE_STEPS: usize = 2_000;

/// The answer to `GET /api/{endpoint}?{params}`.
pub fn answer(catalog: &Catalog, endpoint: &str, params: &Params) -> ApiResult<Value> {
    match endpoint {
        "models" => Ok(models(catalog)),
        "complete" => complete(catalog, params),
        "similar" => similar(catalog, params),
        "analogy" => analogy(catalog, params),
        "similarity" => similarity_of(catalog, params),
        "doesnt-match" => odd_one_out(catalog, params),
        "vector" => vector_of(catalog, params),
        "map" => map(catalog, params),
        "compare" => compare(catalog, params),
        "overlap" => overlap(catalog, params),
        "runs" => Ok(runs(catalog)),
        other => Err(ApiError::not_found(format!(
            "no endpoint /api/{other}: there are models, complete, similar, analogy, similarity, doesnt-match, vector, map, compare, overlap and runs"
        ))),
    }
}

fn models(catalog: &Catalog) -> Value {
    let models: Vec<Value> = catalog
        .models
        .iter()
        .enumerate()
        .map(|(id, m)| {
            json!({
                "id": id,
                "name": m.name,
                "path": m.path.display().to_string(),
                "words": m.vectors.rows(),
                "dim": m.vectors.dim(),
                "subwords": m.vectors.has_subwords(),
                "run": m.run,
            })
        })
        .collect();
    json!({ "models": models, "runs": catalog.runs.runs.len() })
}

fn complete(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let prefix = params.optional("prefix").unwrap_or_default();
    let k = params.count("k", 10, MOST_NEIGHBOURS)?;
    Ok(json!({ "prefix": prefix, "words": model.complete(prefix, k) }))
}

/// The words of `words` that the vectors lack but can make from n-grams.
fn unseen<'w>(model: &ServedVectors, words: &[&'w str]) -> Vec<&'w str> {
    words
        .iter()
        .copied()
        .filter(|w| model.vectors.find(w).is_none())
        .collect()
}

fn similar(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let mut positive = params.words("positive")?;
    positive.extend(params.words("word")?);
    let negative = params.words("negative")?;
    let k = params.count("k", 10, MOST_NEIGHBOURS)?;
    let restrict = params.limit("restrict")?;
    let found = most_similar(&model.vectors, &positive, &negative, k, restrict)?;
    let asked: Vec<&str> = positive.iter().chain(&negative).copied().collect();
    Ok(json!({
        "positive": positive,
        "negative": negative,
        "neighbours": found,
        "unseen": unseen(model, &asked),
    }))
}

fn analogy(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let [a, b, c] = ["a", "b", "c"].map(|p| params.text(p));
    let (a, b, c) = (a?, b?, c?);
    let k = params.count("k", 10, MOST_NEIGHBOURS)?;
    let restrict = params.limit("restrict")?;
    let found = most_similar(&model.vectors, &[b, c], &[a], k, restrict)?;
    Ok(json!({
        "a": a, "b": b, "c": c,
        "neighbours": found,
        "unseen": unseen(model, &[a, b, c]),
    }))
}

fn similarity_of(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let (a, b) = (params.text("a")?, params.text("b")?);
    let cosine = similarity(&model.vectors, a, b)?;
    Ok(json!({ "a": a, "b": b, "similarity": cosine, "unseen": unseen(model, &[a, b]) }))
}

fn odd_one_out(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let words = params.words("words")?;
    let odd = doesnt_match(&model.vectors, &words)?;
    Ok(json!({ "words": words, "doesnt_match": odd, "unseen": unseen(model, &words) }))
}

fn vector_of(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let word = params.text("word")?;
    let values = vector(&model.vectors, word)?;
    Ok(json!({ "word": word, "vector": values, "unseen": unseen(model, &[word]) }))
}

/// Unit vectors of `words`, each the word's row or, for a subword model, its n-grams'.
fn unit_vectors(model: &ServedVectors, words: &[&str]) -> ApiResult<Vec<Vec<f32>>> {
    words
        .iter()
        .map(|w| {
            let mut v = vector(&model.vectors, w)?;
            normalize(&mut v);
            Ok(v)
        })
        .collect()
}

/// A 2-D map of chosen words (`words`) or of a word's neighbourhood (`around`, with its `k`
/// nearest), by PCA or t-SNE.
fn map(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let model = params.model(catalog, "model")?;
    let mut words: Vec<String> = params
        .words("words")?
        .iter()
        .map(|w| w.to_string())
        .collect();
    if let Some(centre) = params.optional("around") {
        let k = params.count("k", 30, MOST_WORDS - 1)?;
        let restrict = params.limit("restrict")?;
        let found = most_similar(&model.vectors, &[centre], &[], k, restrict)?;
        words.push(centre.to_string());
        words.extend(found.into_iter().map(|n| n.word));
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    if words.len() < 2 {
        return Err(ApiError::bad(
            "a map needs at least two words: give 'words' (two or more) or 'around'",
        ));
    }
    if words.len() > MOST_WORDS {
        return Err(ApiError::bad(format!(
            "a map of {} words; at most {MOST_WORDS} are drawn",
            words.len()
        )));
    }
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let rows = unit_vectors(model, &refs)?;
    let method = params.optional("method").unwrap_or("pca");
    let (points, explained) = match method {
        "pca" => {
            let device = crate::train::select_device(crate::train::BackendKind::Cpu)?;
            let slices: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
            let projection = crate::projection::pca(&slices, model.vectors.dim(), 2, &device);
            let points: Vec<[f64; 2]> = projection.points.iter().map(|p| [p[0], p[1]]).collect();
            (points, Some(projection.explained))
        }
        "tsne" => {
            let perplexity = params.number("perplexity", 30.0)?;
            let steps = params.count("steps", 500, MOST_TSNE_STEPS)?;
            (tsne(&rows, perplexity, steps, 1), None)
        }
        other => {
            return Err(ApiError::bad(format!(
                "'method' is '{other}'; it must be pca or tsne"
            )));
        }
    };
    let unseen = unseen(model, &refs);
    let points: Vec<Value> = refs
        .iter()
        .zip(points)
        .map(|(w, [x, y])| json!({ "word": w, "x": x, "y": y, "unseen": unseen.contains(w) }))
        .collect();
    Ok(json!({ "method": method, "points": points, "explained": explained }))
}

/// A word's neighbours in two models, and how many they share.
fn compare(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let (a, b) = (params.model(catalog, "a")?, params.model(catalog, "b")?);
    let word = params.text("word")?;
    let k = params.count("k", 10, MOST_NEIGHBOURS)?;
    let restrict = params.limit("restrict")?;
    let mut lists = Vec::new();
    for model in [a, b] {
        lists.push(
            match most_similar(&model.vectors, &[word], &[], k, restrict) {
                Ok(found) => Ok(found),
                Err(crate::Error::UnknownWord(w)) => Err(w),
                Err(e) => return Err(e.into()),
            },
        );
    }
    let words = |l: &Result<Vec<Neighbour>, String>| -> Vec<String> {
        l.as_ref()
            .map(|n| n.iter().map(|n| n.word.clone()).collect())
            .unwrap_or_default()
    };
    let (wa, wb) = (words(&lists[0]), words(&lists[1]));
    if lists.iter().all(Result::is_err) {
        return Err(ApiError::not_found(format!(
            "unknown word '{word}': neither model has it"
        )));
    }
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    let side = |l: &Result<Vec<Neighbour>, String>| match l {
        Ok(n) => json!({ "neighbours": n }),
        Err(w) => json!({ "neighbours": [], "error": format!("unknown word '{w}'") }),
    };
    Ok(json!({
        "word": word,
        "k": k,
        "a": side(&lists[0]),
        "b": side(&lists[1]),
        "shared": shared,
        "overlap": shared as f64 / k as f64,
    }))
}

/// The first `restrict` rows at unit length, one after another.
fn unit_table(model: &ServedVectors, restrict: usize) -> ApiResult<Vec<f32>> {
    let dim = model.vectors.dim();
    let mut table = vec![0.0; restrict * dim];
    for (row, out) in table.chunks_exact_mut(dim.max(1)).enumerate() {
        model.vectors.unit_row(row, out)?;
    }
    Ok(table)
}

/// The `k` rows of `table` nearest row `query` (itself left out), as words of `model`.
fn table_neighbours<'m>(
    model: &'m ServedVectors,
    table: &[f32],
    query: usize,
    k: usize,
) -> Vec<&'m str> {
    let dim = model.vectors.dim();
    let q = &table[query * dim..(query + 1) * dim];
    let mut scored: Vec<(usize, f32)> = table
        .chunks_exact(dim)
        .enumerate()
        .filter(|&(i, _)| i != query)
        .map(|(i, row)| (i, dot(row, q)))
        .collect();
    let k = k.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |x, y| y.1.total_cmp(&x.1));
    scored[..k]
        .iter()
        .map(|&(i, _)| model.vectors.word(i))
        .collect()
}

/// overlap@k of two models: for each of the `words` most frequent words both hold, the share
/// of its `k` nearest neighbours (among each model's `restrict` most frequent words) that the
/// two models agree on; the mean, and the words they agree on least.
fn overlap(catalog: &Catalog, params: &Params) -> ApiResult<Value> {
    let (a, b) = (params.model(catalog, "a")?, params.model(catalog, "b")?);
    let k = params.count("k", 10, MOST_NEIGHBOURS)?;
    let count = params.count("words", 200, MOST_OVERLAP_WORDS)?;
    let restrict = params.count("restrict", 10_000, MOST_OVERLAP_RESTRICT)?;
    let (ra, rb) = (
        restrict.min(a.vectors.rows()),
        restrict.min(b.vectors.rows()),
    );
    let (ta, tb) = (unit_table(a, ra)?, unit_table(b, rb)?);
    let mut rows = Vec::new();
    for row in 0..ra {
        if rows.len() == count {
            break;
        }
        if let Some(other) = b.vectors.find(a.vectors.word(row)).filter(|&r| r < rb) {
            rows.push((row, other));
        }
    }
    if rows.is_empty() {
        return Err(ApiError::bad(
            "the two models share none of their most frequent words",
        ));
    }
    let mut per_word: Vec<(&str, f64)> = rows
        .iter()
        .map(|&(ia, ib)| {
            let na = table_neighbours(a, &ta, ia, k);
            let nb = table_neighbours(b, &tb, ib, k);
            let shared = na.iter().filter(|w| nb.contains(w)).count();
            (a.vectors.word(ia), shared as f64 / k as f64)
        })
        .collect();
    let mean = per_word.iter().map(|(_, o)| o).sum::<f64>() / per_word.len() as f64;
    let words = per_word.len();
    per_word.sort_by(|x, y| x.1.total_cmp(&y.1));
    let least: Vec<Value> = per_word
        .iter()
        .take(20)
        .map(|(w, o)| json!({ "word": w, "overlap": o }))
        .collect();
    Ok(json!({ "k": k, "words": words, "restrict": restrict, "mean": mean, "least": least }))
}

/// Each run: its settings (and which differ between the runs), its loss and evaluation curves.
fn runs(catalog: &Catalog) -> Value {
    let comparison = &catalog.runs;
    let runs: Vec<Value> = comparison
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let model = catalog.models.iter().position(|m| m.run == Some(i));
            json!({
                "id": i,
                "name": run.name,
                "dir": run.dir.display().to_string(),
                "model": model,
                "settings": comparison.settings(i),
                "vocab_size": run.vocab_size,
                "total_words": run.total_words,
                "words": run.words,
                "seconds": run.seconds,
                "finished": run.finished,
                "losses": run.losses,
                "epoch_losses": run.epoch_losses,
                "evals": run.evals.iter().map(|(w, s, f)| json!({ "words": w, "seconds": s, "figures": f })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "runs": runs, "differing": comparison.differing, "figures": comparison.figures })
}
