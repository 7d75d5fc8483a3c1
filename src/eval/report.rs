//! What an evaluation reports, and its headline figures by name.

use std::collections::BTreeMap;

use super::{AnalogyReport, SimilarityReport};

/// Everything `wordvec eval --json` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvalReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analogy: Option<AnalogyReport>,
    pub similarity: Vec<SimilarityReport>,
}

impl EvalReport {
    /// The headline figures by name, as metrics files and comparisons list them:
    /// `analogy` (3CosAdd accuracy, %) and `rho:<file name>` (Spearman ρ) for each similarity set.
    pub fn figures(&self) -> BTreeMap<String, f64> {
        let mut figures = BTreeMap::new();
        if let Some(a) = &self.analogy {
            figures.insert("analogy".to_string(), 100.0 * a.accuracy_3cosadd);
        }
        for s in &self.similarity {
            let file = std::path::Path::new(&s.file)
                .file_name()
                .map_or(s.file.clone(), |n| n.to_string_lossy().into_owned());
            figures.insert(format!("rho:{file}"), s.spearman);
        }
        figures
    }
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
