//! A request's query string, read into the values the API needs: each bad value is a 400 that
//! names the parameter and says what was wrong.

use super::catalog::{Catalog, ServedVectors};

/// An answer the API refuses, with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 404,
            message: message.into(),
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> ApiError {
        let status = match e {
            crate::Error::UnknownWord(_) => 404,
            crate::Error::Config(_) => 400,
            _ => 500,
        };
        ApiError {
            status,
            message: e.to_string(),
        }
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// Most words one request may name (a map's words, doesnt-match's).
pub const MOST_WORDS: usize = 2_000;

/// The decoded `name=value` pairs of a query string.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str) -> Params {
        Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of `name`, where given and not blank.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn text(&self, name: &str) -> ApiResult<&str> {
        self.optional(name)
            .ok_or_else(|| ApiError::bad(format!("missing parameter '{name}'")))
    }

    /// A list of words, separated by commas or spaces (none when not given).
    pub fn words(&self, name: &str) -> ApiResult<Vec<&str>> {
        let words: Vec<&str> = self
            .optional(name)
            .unwrap_or_default()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        match words.len() > MOST_WORDS {
            true => Err(ApiError::bad(format!(
                "'{name}' names {} words; at most {MOST_WORDS} are taken",
                words.len()
            ))),
            false => Ok(words),
        }
    }

    /// A whole number in `1..=most`, `default` when not given.
    pub fn count(&self, name: &str, default: usize, most: usize) -> ApiResult<usize> {
        let Some(value) = self.optional(name) else {
            return Ok(default);
        };
        match value.parse::<usize>() {
            Ok(n) if (1..=most).contains(&n) => Ok(n),
            Ok(n) => Err(ApiError::bad(format!(
                "'{name}' is {n}; it must be from 1 to {most}"
            ))),
            Err(_) => Err(ApiError::bad(format!(
                "'{name}' is '{value}', which is not a whole number"
            ))),
        }
    }

    /// An optional whole number of at least 1 (a `restrict`).
    pub fn limit(&self, name: &str) -> ApiResult<Option<usize>> {
        match self.optional(name).map(|v| (v, v.parse::<usize>())) {
            None => Ok(None),
            Some((_, Ok(n))) if n >= 1 => Ok(Some(n)),
            Some((_, Ok(n))) => Err(ApiError::bad(format!(
                "'{name}' is {n}; it must be at least 1"
            ))),
            Some((value, Err(_))) => Err(ApiError::bad(format!(
                "'{name}' is '{value}', which is not a whole number"
            ))),
        }
    }

    /// A positive finite number, `default` when not given.
    pub fn number(&self, name: &str, default: f64) -> ApiResult<f64> {
        let Some(value) = self.optional(name) else {
            return Ok(default);
        };
        match value.parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
            _ => Err(ApiError::bad(format!(
                "'{name}' is '{value}'; it must be a positive number"
            ))),
        }
    }

    /// The served vectors that parameter `name` picks by index (`model=0`).
    pub fn model<'c>(&self, catalog: &'c Catalog, name: &str) -> ApiResult<&'c ServedVectors> {
        let value = self.text(name)?;
        let index: usize = value.parse().map_err(|_| {
            ApiError::bad(format!(
                "'{name}' is '{value}', which is not a model's number"
            ))
        })?;
        catalog.models.get(index).ok_or_else(|| {
            ApiError::not_found(format!(
                "no model {index}: {} are served (0 to {})",
                catalog.models.len(),
                catalog.models.len().saturating_sub(1)
            ))
        })
    }
}
