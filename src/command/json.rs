//! The JSON wire form: `{"op":"get","resource":"pods","namespace":"shop"}` into a
//! [`Command`].
//!
//! The fields are [`Command`]'s own serde names, so this file only adds what serde cannot do:
//! refusing a write or unknown `op` (and the stream/raw fields `watch`, `follow`, `raw`, …)
//! before the rest is read, refusing `"no_redact"`, and the `"resource": "TYPE/NAME"`
//! shorthand. Unknown fields are rejected by `deny_unknown_fields` on the types.

use super::refuse::{REFUSED_LONG_FLAGS, refuse_verb, unsupported};
use super::validate::validate;
use super::{Command, NO_REDACT_REFUSED, Op, SUPPORTED, split_type_name};
use crate::error::{Error, Result};

/// Parse the JSON form (`{"op":"get","resource":"pods","namespace":"shop"}`) into a validated
/// command. A write or unknown `op` is refused before the other fields are read; unknown fields
/// are rejected (`deny_unknown_fields`), and the same validation as [`parse_args`](super::parse_args) applies.
pub fn parse_json(v: &serde_json::Value) -> Result<Command> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid("a command must be a JSON object with an \"op\" field"))?;
    let op = obj.get("op").and_then(|o| o.as_str()).ok_or_else(|| {
        Error::invalid(format!(
            "missing string field \"op\"; supported: {SUPPORTED}"
        ))
    })?;
    refuse_verb(op, None)?;
    if Op::from_name(op).is_none() {
        return Err(unsupported(format!("unknown op {op:?}")));
    }
    for key in REFUSED_LONG_FLAGS {
        if obj.contains_key(*key) {
            return Err(unsupported(format!("\"{key}\" is not available")));
        }
    }
    // `LogOptions` would reject the field as unknown anyway; this says why it does not exist.
    if obj
        .get("logs")
        .is_some_and(|l| l.get("no_redact").is_some())
    {
        return Err(Error::invalid(NO_REDACT_REFUSED));
    }
    let mut cmd: Command = serde_json::from_value(v.clone())
        .map_err(|e| Error::invalid(format!("invalid command: {e}")))?;
    split_type_name_field(&mut cmd)?;
    validate(&mut cmd)?;
    Ok(cmd)
}

/// Parse the JSON form from text; see [`parse_json`].
pub fn parse_json_str(s: &str) -> Result<Command> {
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| Error::invalid(format!("the command is not valid JSON: {e}")))?;
    parse_json(&v)
}

/// JSON form convenience: `"resource": "deploy/web"` with no `names` means type and name, and
/// so do `"names": ["deploy/web"]` (what triage's hints print: `logs deploy/api`) and
/// `["svc/checkout"]` for `endpoints`.
fn split_type_name_field(cmd: &mut Command) -> Result<()> {
    if cmd.names.iter().any(|n| n.contains('/')) {
        return split_typed_names(cmd);
    }
    let Some(resource) = cmd.resource.clone() else {
        return Ok(());
    };
    if resource.contains('/') {
        if !cmd.names.is_empty() {
            return Err(Error::invalid(
                "give either \"resource\": \"TYPE/NAME\" or \"resource\" and \"names\", not both",
            ));
        }
        let (ty, name) = split_type_name(&resource)?;
        cmd.resource = Some(ty.to_string());
        cmd.names = vec![name.to_string()];
    }
    Ok(())
}

/// `"names": ["TYPE/NAME", …]`, as the kubectl form takes `get deploy/a deploy/b`: one type for
/// all of them (kubectl's rule here too), and `resource`, when given as well, must be that same
/// type. `endpoints` takes a Service only (`svc/NAME`) and keeps no resource.
fn split_typed_names(cmd: &mut Command) -> Result<()> {
    if let Some(plain) = cmd.names.iter().find(|n| !n.contains('/')) {
        return Err(Error::invalid(format!(
            "mixing NAME ({plain:?}) and TYPE/NAME in \"names\": use one form"
        )));
    }
    let mut ty: Option<String> = None;
    let mut names = Vec::with_capacity(cmd.names.len());
    for typed in &cmd.names {
        let (t, name) = split_type_name(typed)?;
        match &ty {
            Some(first) if first != t => {
                return Err(Error::invalid(format!(
                    "one resource type per command, got {first:?} and {t:?} in \"names\""
                )));
            }
            _ => ty = Some(t.to_string()),
        }
        names.push(name.to_string());
    }
    let ty = ty.unwrap_or_default();
    if cmd.op == Op::Endpoints {
        if !matches!(ty.as_str(), "svc" | "service" | "services") {
            return Err(Error::invalid(format!(
                "`endpoints` takes a Service (svc/NAME), got {ty}/…"
            )));
        }
    } else {
        match &cmd.resource {
            Some(r) if *r != ty => {
                return Err(Error::invalid(format!(
                    "\"resource\": {r:?} and \"names\" of type {ty:?}: give the type once, in \
                     either"
                )));
            }
            _ => cmd.resource = Some(ty),
        }
    }
    cmd.names = names;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::line;
    use super::*;
    use crate::error::Code;

    #[test]
    fn print_options_and_templates_come_in_the_json_form_too() {
        let c = parse_json_str(
            r#"{"op":"get","resource":"pods","output":"custom-columns","print":{"template":"N:.metadata.name","sort_by":".metadata.name","no_headers":true,"label_columns":["app"],"show_labels":true}}"#,
        )
        .unwrap();
        assert_eq!(c.output, crate::command::OutputFormat::CustomColumns);
        assert!(c.print.no_headers && c.print.show_labels);
        assert_eq!(c, line("get pods -o custom-columns=N:.metadata.name --sort-by .metadata.name --no-headers -L app --show-labels").unwrap());
        for bad in [
            r#"{"op":"get","resource":"pods","output":"jsonpath"}"#,
            r#"{"op":"get","resource":"pods","print":{"template":"{.a}"}}"#,
            r#"{"op":"get","resource":"pods","output":"jsonpath","print":{"template":"{{.a}}"}}"#,
            r#"{"op":"describe","resource":"pods","print":{"show_labels":true}}"#,
            r#"{"op":"get","resource":"pods","print":{"colour":true}}"#,
        ] {
            assert_eq!(
                parse_json_str(bad).unwrap_err().code,
                Code::InvalidCommand,
                "{bad}"
            );
        }
    }

    #[test]
    fn json_form_parses_and_validates_like_arguments() {
        let c = parse_json_str(
            r#"{"op":"list","resource":"pods","namespace":"shop","selector":"app=web"}"#,
        )
        .unwrap();
        assert_eq!(c, line("get pods -n shop -l app=web").unwrap());
        let c = parse_json_str(
            r#"{"op":"logs","resource":"deploy/api","logs":{"tail":1,"previous":true}}"#,
        )
        .unwrap();
        assert_eq!(c, line("logs deploy/api --tail 1 -p").unwrap());
        let c = parse_json_str(r#"{"op":"top","resource":"pod"}"#).unwrap();
        assert_eq!(c.resource.as_deref(), Some("pods"));
    }

    #[test]
    fn names_take_type_slash_name_as_triage_hints_print_them() {
        for (json, kubectl) in [
            (r#"{"op":"logs","names":["deploy/api"]}"#, "logs deploy/api"),
            (r#"{"op":"logs","names":["pod/api-1"]}"#, "logs pod/api-1"),
            (
                r#"{"op":"describe","names":["deploy/api"],"namespace":"shop"}"#,
                "describe deploy api -n shop",
            ),
            (
                r#"{"op":"get","names":["deploy/api","deploy/web"]}"#,
                "get deploy api web",
            ),
            (
                r#"{"op":"get","resource":"deploy","names":["deploy/api"]}"#,
                "get deploy/api",
            ),
            (
                r#"{"op":"endpoints","names":["svc/checkout"]}"#,
                "endpoints checkout",
            ),
            (
                r#"{"op":"rollout-history","names":["sts/db"]}"#,
                "rollout history sts/db",
            ),
        ] {
            assert_eq!(
                parse_json_str(json).unwrap(),
                line(kubectl).unwrap(),
                "{json}"
            );
        }
        for bad in [
            r#"{"op":"get","names":["deploy/api","svc/api"]}"#,
            r#"{"op":"get","names":["deploy/api","web"]}"#,
            r#"{"op":"get","resource":"pods","names":["deploy/api"]}"#,
            r#"{"op":"get","names":["deploy/"]}"#,
            r#"{"op":"get","names":["/api"]}"#,
            r#"{"op":"get","names":["deploy/a/b"]}"#,
            r#"{"op":"endpoints","names":["deploy/checkout"]}"#,
            r#"{"op":"logs","names":["deploy/api","deploy/web"]}"#,
        ] {
            let e = parse_json_str(bad).unwrap_err();
            assert_eq!(e.code, Code::InvalidCommand, "{bad}: {}", e.message);
        }
    }

    #[test]
    fn json_form_refuses_writes_and_unknown_fields() {
        let e = parse_json_str(r#"{"op":"delete","resource":"pods","names":["x"]}"#).unwrap_err();
        assert_eq!(e.code, Code::ReadOnly);
        assert!(e.message.contains(SUPPORTED));
        assert_eq!(
            parse_json_str(r#"{"op":"exec"}"#).unwrap_err().code,
            Code::Unsupported
        );
        assert_eq!(
            parse_json_str(r#"{"op":"rollout-undo"}"#).unwrap_err().code,
            Code::ReadOnly
        );
        assert_eq!(
            parse_json_str(r#"{"op":"frob"}"#).unwrap_err().code,
            Code::Unsupported
        );
        assert_eq!(
            parse_json_str(r#"{"op":"get","resource":"pods","watch":true}"#)
                .unwrap_err()
                .code,
            Code::Unsupported
        );
        let e = parse_json_str(r#"{"op":"get","resource":"pods","colour":"red"}"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidCommand);
        assert!(e.message.contains("colour"), "{}", e.message);
        assert_eq!(
            parse_json_str(r#"{"op":"get","resource":"pods","names":[".."]}"#)
                .unwrap_err()
                .code,
            Code::InvalidCommand
        );
        assert_eq!(
            parse_json_str(r#"{"op":"logs","names":["x"],"logs":{"tail":-5}}"#)
                .unwrap_err()
                .code,
            Code::InvalidCommand
        );
        assert_eq!(
            parse_json_str("[1]").unwrap_err().code,
            Code::InvalidCommand
        );
        assert_eq!(parse_json_str("{").unwrap_err().code, Code::InvalidCommand);
    }
}
