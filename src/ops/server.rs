//! `api-resources` and `version`: what the server serves and which version it runs.

use serde_json::Value;

use crate::error::Result;
use crate::output::Output;
use crate::output::table::render_columns;

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
    Ok(Output::lines(&lines.join("\n"), max, ""))
}

/// Run `version`.
pub fn version(e: &Engine) -> Result<Output> {
    let v = e.get("/version")?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string()
    };
    Ok(Output::text(format!(
        "Client Version: kubeglass {}\nServer Version: {} (platform {}, built {})\n",
        env!("CARGO_PKG_VERSION"),
        field("gitVersion"),
        field("platform"),
        field("buildDate"),
    )))
}
