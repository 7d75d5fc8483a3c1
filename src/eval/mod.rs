//! The standard benchmarks: analogy accuracy by section and word-similarity Spearman ρ, computed as
//! gensim's evaluators compute them so that figures are comparable.

mod analogy;
mod benchmarks;
mod report;
mod similarity;

pub use analogy::{
    AnalogyQuestion, AnalogyReport, AnalogySection, evaluate_analogies, read_analogies,
};
pub use benchmarks::Benchmarks;
pub use report::EvalReport;
pub use similarity::{
    SimilarityPair, SimilarityReport, evaluate_similarity, read_similarity, spearman,
};
