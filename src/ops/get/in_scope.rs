//! `get namespaces` under a namespace allow-list (`--namespaces a,b`): the allowed ones are
//! read by name, and one that does not exist is not an error, as it would be when named:
//! the list shows those that exist and a note names the others.

use crate::command::Command;
use crate::error::Result;
use crate::output::{Format, Output};

use super::super::engine::Engine;

/// Run the `get namespaces` that [`Engine::namespace_reads_in_scope`] made of a list.
pub fn run_in_scope(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let (out, missing) = super::read(e, cmd, max);
    let out = out?;
    // The NotFound's request path ends in the namespace's name (`/api/v1/namespaces/gone`).
    let names: Vec<&str> = missing
        .iter()
        .filter_map(|m| m.path.as_deref()?.rsplit('/').next())
        .collect();
    if names.is_empty() {
        return Ok(out);
    }
    let note = format!(
        "kubeglass: allowed namespaces that do not exist: {}",
        names.join(", ")
    );
    Ok(noted(out, &note))
}

/// `out` with a last note line (`query` prints it on stderr); a JSON document has no line
/// for it, so the log and `query`'s stderr say it.
pub(super) fn noted(mut out: Output, note: &str) -> Output {
    let line = match out.format {
        Format::Text => format!("[{note}]\n"),
        Format::Yaml => format!("# {note}\n"),
        // A JSON document takes no note line: query says it on stderr, the log too.
        Format::Json => {
            log::info!("get: {note}");
            out.doc_note.get_or_insert_with(|| note.to_string());
            return out;
        }
    };
    let start = out.text.len();
    out.text.push_str(&line);
    out.notes.push(start..out.text.len());
    out
}
