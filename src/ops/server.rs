//! `api-resources` and `version`: what the server serves and which version it runs.

use serde_json::Value;

use crate::error::Result;
use crate::output::Output;
use crate::output::table::render_columns;
use crate::redact;

use super::engine::Engine;

/// Run `api-resources`.
pub fn api_resources(e: &Engine, max: usize) -> Result<Output> {
    let mut list = e.api_resources()?;
    list.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.plural.clone(),
                r.short_names.join(","),
                r.api_version(),
                r.namespaced.to_string(),
                r.kind.clone(),
            ]
        })
        .collect();
    let lines = render_columns(
        &["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
        &rows,
    );
    // The names are the server's (discovery is not an object read): they pass the text
    // redactor here, and the budget makes them printable, as every answer's text.
    let text = redact::message(&lines.join("\n")).into_string();
    Ok(Output::lines(&text, max, ""))
}

/// Run `version`: the server's strings (already redacted as an object) through the budget,
/// which makes them printable and cuts them like any answer.
pub fn version(e: &Engine, max: usize) -> Result<Output> {
    let v = e.get("/version")?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string()
    };
    let text = format!(
        "Client Version: kubeglass {}\nServer Version: {} (platform {}, built {})\n",
        env!("CARGO_PKG_VERSION"),
        field("gitVersion"),
        field("platform"),
        field("buildDate"),
    );
    Ok(Output::lines(&text, max, ""))
}
