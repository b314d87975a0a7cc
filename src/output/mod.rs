//! Shaping results for an investigator: tables, documents, and the output budget.

pub mod budget;
pub mod doc;
pub mod table;

/// The kind of text in [`Output::text`], as sent in the protocol's `format` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text: tables, describe output, logs.
    Text,
    /// A JSON document.
    Json,
    /// A YAML document.
    Yaml,
}

/// The result of one command, already redacted and cut to its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// What the investigator reads.
    pub text: String,
    /// How to read `text`.
    pub format: Format,
    /// Whether the budget cut the output (the text then ends with a line saying so).
    pub truncated: bool,
}

impl Output {
    /// A short plain-text answer that needs no budget (a "nothing found" line).
    pub fn text(text: String) -> Output {
        Output {
            text,
            format: Format::Text,
            truncated: false,
        }
    }

    /// Plain text cut to `max` bytes line by line, the cut saying `hint`.
    pub fn lines(text: &str, max: usize, hint: &str) -> Output {
        let mut budget = budget::Budget::new(max);
        for l in text.lines() {
            budget.push(l);
        }
        budget.finish(Format::Text, hint)
    }
}
