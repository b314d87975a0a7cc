//! The read-only boundary: what kubeglass refuses, and why. Nothing that changes the cluster,
//! opens a channel into it (exec, attach, port-forward, cp, proxy), streams (watch, follow) or
//! reaches a raw API path gets past here.
//!
//! Both command forms run these checks first — the kubectl form before its flags are even
//! parsed, the JSON form before its fields are read — so a write is refused as a write
//! (`delete pod x --force` is `ReadOnly`, not "unknown flag --force"): the refusal does not
//! depend on the command's other flags or fields being valid.
//!
//! Why each refusal exists:
//! - write verbs ([`Code::ReadOnly`]): kubeglass is read-only by its own code, not only by the
//!   RBAC it is given; a write is never even sent.
//! - channel verbs ([`Code::Unsupported`]): exec, attach, port-forward, cp and proxy are not
//!   writes by verb, but they run code in or tunnel into a workload, which a remote
//!   investigator must never get.
//! - `rollout undo|restart|pause|resume` ([`Code::ReadOnly`]): only `rollout history` reads;
//!   the other sub-commands change a workload.
//! - `--watch`, `--watch-only`, `--follow`, `-w`, `-f`, `--raw` ([`Code::Unsupported`]):
//!   kubeglass answers once, within a budget; it does not stream, and it only sends the GETs it
//!   plans itself, never a path the caller chose.
//!
//! Beyond this file, the parsers refuse anything they do not know (the strict flag table in
//! `argv`, `deny_unknown_fields` in the JSON form), so a new kubectl flag cannot slip through
//! as "ignored"; and a command cannot turn log redaction off (see `NO_REDACT_REFUSED`).

use super::SUPPORTED;
use crate::error::{Code, Error, Result};

/// kubectl verbs that change the cluster: refused with [`Code::ReadOnly`].
const WRITE_VERBS: &[&str] = &[
    "delete",
    "apply",
    "create",
    "edit",
    "patch",
    "replace",
    "scale",
    "autoscale",
    "label",
    "annotate",
    "set",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "run",
    "expose",
    "debug",
    "certificate",
];

/// kubectl verbs that open a channel into a workload or the API: refused with
/// [`Code::Unsupported`] (they are not writes by verb, but kubeglass never offers them).
const CHANNEL_VERBS: &[&str] = &["exec", "attach", "port-forward", "cp", "proxy"];

/// `rollout` sub-commands that change a workload.
const ROLLOUT_WRITES: &[&str] = &["undo", "restart", "pause", "resume"];

/// Flags that ask for a stream or a raw API path: refused with [`Code::Unsupported`]. The JSON
/// form refuses the same names as fields.
pub(super) const REFUSED_LONG_FLAGS: &[&str] = &["watch", "watch-only", "raw", "follow"];
/// Short forms of the refused flags (`-w` watch, `-f` follow).
const REFUSED_SHORT_FLAGS: &[char] = &['w', 'f'];

/// An `Unsupported` error that lists what kubeglass does offer.
pub(super) fn unsupported(message: impl Into<String>) -> Error {
    Error::new(
        Code::Unsupported,
        format!("{}; supported: {SUPPORTED}", message.into()),
    )
}

fn read_only(message: impl Into<String>) -> Error {
    Error::new(
        Code::ReadOnly,
        format!(
            "{}; kubeglass is read-only (supported: {SUPPORTED})",
            message.into()
        ),
    )
}

/// Refuse a write or channel verb (and `rollout undo|restart|pause|resume`).
pub(super) fn refuse_verb(verb: &str, sub: Option<&str>) -> Result<()> {
    if WRITE_VERBS.contains(&verb) {
        return Err(read_only(format!("`{verb}` would change the cluster")));
    }
    if CHANNEL_VERBS.contains(&verb) {
        return Err(unsupported(format!(
            "`{verb}` opens a channel into the cluster and is not available"
        )));
    }
    let rollout_sub = match verb {
        "rollout" => sub,
        _ => verb
            .strip_prefix("rollout-")
            .or(verb.strip_prefix("rollout ")),
    };
    match rollout_sub {
        Some(s) if ROLLOUT_WRITES.contains(&s) => {
            Err(read_only(format!("`rollout {s}` would change the cluster")))
        }
        _ => Ok(()),
    }
}

/// The first refusal pass over kubectl-style words: find the verb (skipping flags and their
/// values) and refuse writes, channels, watches and raw paths before any other parsing, so that
/// `delete pod x --force` is `ReadOnly`, not "unknown flag --force".
pub(super) fn refuse_early(words: &[String], takes_value: impl Fn(&str) -> bool) -> Result<()> {
    let mut positionals = Vec::new();
    let mut i = 0;
    while i < words.len() && positionals.len() < 2 {
        let w = words[i].as_str();
        i += 1;
        if w == "--" {
            positionals.extend(words[i..].iter().take(2).map(String::as_str));
            break;
        }
        if !w.starts_with('-') || w == "-" {
            positionals.push(w);
            continue;
        }
        // `-n delete get pods` is a namespace named "delete", not the verb.
        if takes_value(w) {
            i += 1;
        }
    }
    if let Some(verb) = positionals.first() {
        refuse_verb(verb, positionals.get(1).copied())?;
    }
    for w in words {
        if let Some(flag) = refused_flag(w) {
            return Err(unsupported(format!(
                "{flag} is not available (kubeglass answers once, it does not stream or pass raw paths)"
            )));
        }
    }
    Ok(())
}

/// The refused flag `w` spells, if any (`--watch`, `--raw=/x`, `-w`).
fn refused_flag(w: &str) -> Option<String> {
    if let Some(long) = w.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or(long);
        return REFUSED_LONG_FLAGS
            .contains(&name)
            .then(|| format!("--{name}"));
    }
    let short = w.strip_prefix('-')?;
    let mut chars = short.chars();
    let c = chars.next()?;
    (REFUSED_SHORT_FLAGS.contains(&c) && chars.next().is_none()).then(|| format!("-{c}"))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{code, line};
    use super::*;

    #[test]
    fn refuses_delete_before_any_request() {
        // An unknown flag after the verb must not hide the refusal.
        let e = line("delete pod x --force --grace-period 0").unwrap_err();
        assert_eq!(e.code, Code::ReadOnly);
        assert!(e.message.contains(SUPPORTED), "{}", e.message);
    }

    #[test]
    fn refuses_every_write_as_read_only() {
        for s in [
            "apply -f x.yaml",
            "create ns x",
            "edit deploy web",
            "patch pod x -p {}",
            "replace -f x",
            "scale deploy/web --replicas 0",
            "autoscale deploy web",
            "label pod x a=b",
            "annotate pod x a=b",
            "set image deploy/web a=b",
            "rollout undo deploy/web",
            "rollout restart deploy/web",
            "rollout pause deploy/web",
            "rollout resume deploy/web",
            "cordon node-1",
            "drain node-1",
            "taint nodes node-1 k=v:NoSchedule",
            "run x --image y",
            "expose deploy web",
            "-n shop delete pod x",
        ] {
            assert_eq!(code(s), Code::ReadOnly, "{s}");
        }
    }

    #[test]
    fn refuses_channels_watches_raw_and_unknowns_as_unsupported() {
        for s in [
            "exec x -- sh",
            "attach x",
            "port-forward x 8080",
            "cp x:/a b",
            "proxy",
            "get --raw /api",
            "get pods -w",
            "get pods --watch",
            "logs x -f",
            "frobnicate",
            "get pods --server-print=false",
            "rollout status deploy/web",
            "top widgets",
        ] {
            let e = line(s).unwrap_err();
            assert_eq!(e.code, Code::Unsupported, "{s}: {}", e.message);
            assert!(
                e.message.contains("supported") || e.message.contains("only"),
                "{s}: {}",
                e.message
            );
        }
    }
}
