//! The standard benchmarks: analogy accuracy by section and word-similarity Spearman ρ, computed as
//! gensim's evaluators compute them so that figures are comparable.

mod analogy;
mod similarity;

pub use analogy::{
    AnalogyQuestion, AnalogyReport, AnalogySection, evaluate_analogies, read_analogies,
};
pub use similarity::{
    SimilarityPair, SimilarityReport, evaluate_similarity, read_similarity, spearman,
};

/// Everything `wordvec eval --json` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvalReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analogy: Option<AnalogyReport>,
    pub similarity: Vec<SimilarityReport>,
}

impl std::fmt::Display for EvalReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(a) = &self.analogy {
            write!(f, "{a}")?;
        }
        for s in &self.similarity {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}
