//! The rules both command forms end in: which fields each op needs or refuses, and the shape
//! of every value that ends up in a request path or query (names, namespaces, resource types,
//! selectors, container names, `--grep`, `--since-time`, numbers).
//!
//! Names and types become path segments of the GETs kubeglass sends, so the character sets
//! here are strict on purpose: nothing that could add a path segment (`/`, `..`), a query
//! (`?`, `#`, `%`-escapes) or a control character gets through.

use super::{Command, LogOptions, Op, OutputFormat, PrintOptions, split_type_name, verb_of};
use crate::error::{Code, Error, Result};
use crate::names::{check_namespace_name, check_object_name};
use crate::redact::RedactSettings;

/// Longest name or namespace Kubernetes accepts (a DNS subdomain).
const MAX_NAME_LEN: usize = 253;
/// Longest container name (a DNS label).
const MAX_CONTAINER_LEN: usize = 63;
/// Longest label or field selector we pass on; longer ones are almost surely not a selector.
const MAX_SELECTOR_LEN: usize = 4096;
/// Longest `--grep` pattern.
const MAX_GREP_LEN: usize = 1024;

/// The rules both forms share: required and forbidden fields per op, and the shape of every
/// value that ends up in a request path or query. Normalises `top` resources and event types.
pub(super) fn validate(cmd: &mut Command) -> Result<()> {
    validate_shape(cmd)?;
    if let Some(ns) = &cmd.namespace {
        check_namespace_name(ns)?;
    }
    if let Some(r) = &cmd.resource {
        if r.contains(',') && cmd.op != Op::Get {
            return Err(Error::invalid("several types (`a,b`) only work with `get`"));
        }
        for t in r.split(',') {
            check_resource_type(t)?;
        }
    }
    for n in &cmd.names {
        check_object_name(n)?;
    }
    if let Some(s) = &cmd.selector {
        check_selector("-l/--selector", s)?;
    }
    if let Some(s) = &cmd.field_selector {
        check_selector("--field-selector", s)?;
    }
    if cmd.max_output_bytes == Some(0) {
        return Err(Error::invalid("--max-output-bytes must be above 0"));
    }
    validate_events(cmd)?;
    validate_print(cmd)?;
    validate_logs(&cmd.logs)
}

/// Print options belong to `get`; templates and `--sort-by` must parse before any request.
fn validate_print(cmd: &Command) -> Result<()> {
    let p = &cmd.print;
    if cmd.op != Op::Get && *p != PrintOptions::default() {
        return Err(Error::invalid(format!(
            "--show-labels, -L, --no-headers, --sort-by and templates apply only to `get`, not `{}`",
            verb_of(cmd.op)
        )));
    }
    match (cmd.output, p.template.as_deref()) {
        (OutputFormat::CustomColumns, Some(spec)) => {
            crate::jsonpath::Columns::parse(spec)?;
        }
        (OutputFormat::JsonPath, Some(t)) => {
            crate::jsonpath::Template::parse(t)?;
        }
        (OutputFormat::CustomColumns | OutputFormat::JsonPath, None) => {
            return Err(Error::invalid(
                "custom-columns and jsonpath output need a template (\"print\": {\"template\": …})",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "a template needs -o custom-columns=… or -o jsonpath=…",
            ));
        }
        _ => {}
    }
    if let Some(s) = &p.sort_by {
        crate::jsonpath::relaxed(s)?;
    }
    Ok(())
}

/// Which fields each op needs or refuses.
fn validate_shape(cmd: &mut Command) -> Result<()> {
    let verb = verb_of(cmd.op);
    let needs_type = matches!(
        cmd.op,
        Op::Get | Op::Describe | Op::RolloutHistory | Op::RolloutDiff | Op::Top
    );
    if needs_type && cmd.resource.is_none() {
        return Err(Error::invalid(format!(
            "`{verb}` needs a resource type: \"resource\", or \"names\" as TYPE/NAME \
             (deploy/web)"
        )));
    }
    if cmd.op != Op::Logs && cmd.logs != LogOptions::default() {
        return Err(Error::invalid(format!(
            "log options do not apply to `{verb}`"
        )));
    }
    let output_ok = match cmd.op {
        Op::Get | Op::Events => true,
        Op::Changes | Op::Triage | Op::History | Op::HelmList | Op::HelmHistory | Op::Scope => {
            matches!(cmd.output, OutputFormat::Table | OutputFormat::Json)
        }
        _ => false,
    };
    if !output_ok && cmd.output != OutputFormat::Table {
        return Err(Error::invalid(format!(
            "an output format does not apply to `{verb}` (changes, triage, history, helm, scope: table or json)"
        )));
    }
    if !matches!(cmd.op, Op::Events | Op::Changes | Op::History) && cmd.for_object.is_some()
        || cmd.op != Op::Events && !cmd.types.is_empty()
    {
        return Err(Error::invalid(format!(
            "--for applies only to `events`, `changes` and `history`, --types only to `events`, \
             not `{verb}`"
        )));
    }
    if cmd.op != Op::RolloutDiff && (cmd.revision.is_some() || cmd.to_revision.is_some()) {
        return Err(Error::invalid(format!(
            "--revision and --to apply only to `rollout diff`, not `{verb}`"
        )));
    }
    if [cmd.revision, cmd.to_revision]
        .iter()
        .flatten()
        .any(|r| *r < 1)
    {
        return Err(Error::invalid(
            "--revision and --to take a revision of 1 or more",
        ));
    }
    if let Some(since) = &cmd.since {
        if !matches!(cmd.op, Op::Changes | Op::History) {
            return Err(Error::invalid(format!(
                "\"since\" applies to `changes` and `history` (logs: logs.since_seconds), not \
                 `{verb}`"
            )));
        }
        super::argv::parse_duration_seconds(since)?;
    }
    if cmd.all && cmd.op != Op::HelmList {
        return Err(Error::invalid(format!(
            "--all applies only to `helm list`, not `{verb}`"
        )));
    }
    if !cmd.names.is_empty() && cmd.selector.is_some() {
        return Err(Error::invalid("give names or a selector (-l), not both"));
    }
    match cmd.op {
        Op::Get if cmd.all_namespaces && !cmd.names.is_empty() => Err(Error::invalid(
            "objects cannot be fetched by name across all namespaces: drop -A and give -n",
        )),
        Op::Logs => validate_logs_shape(cmd),
        Op::Endpoints if cmd.names.len() != 1 || cmd.resource.is_some() => {
            Err(Error::invalid("`endpoints` takes exactly one service name"))
        }
        Op::RolloutHistory | Op::RolloutDiff => validate_rollout_shape(cmd),
        Op::Top => normalise_top(cmd),
        Op::HelmHistory if cmd.names.len() != 1 || cmd.resource.is_some() => Err(Error::invalid(
            "`helm history` takes exactly one release name",
        )),
        Op::Events
        | Op::ApiResources
        | Op::Version
        | Op::Triage
        | Op::Changes
        | Op::History
        | Op::HelmList
        | Op::Scope
            if cmd.resource.is_some() || !cmd.names.is_empty() =>
        {
            Err(Error::invalid(format!(
                "`{verb}` takes no resource or names (events: use --for TYPE/NAME)"
            )))
        }
        _ => Ok(()),
    }
}

fn validate_logs_shape(cmd: &Command) -> Result<()> {
    match (cmd.names.len(), cmd.selector.is_some()) {
        (1, false) | (0, true) => Ok(()),
        (0, false) => Err(Error::invalid(
            "`logs` needs a pod name, TYPE/NAME (e.g. deploy/api) or -l SELECTOR",
        )),
        _ => Err(Error::invalid("`logs` takes exactly one pod or TYPE/NAME")),
    }
}

fn validate_rollout_shape(cmd: &Command) -> Result<()> {
    let kind = cmd
        .resource
        .as_deref()
        .map(|r| r.strip_suffix(".apps").unwrap_or(r));
    let workload = matches!(
        kind,
        Some(
            "deploy"
                | "deployment"
                | "deployments"
                | "sts"
                | "statefulset"
                | "statefulsets"
                | "ds"
                | "daemonset"
                | "daemonsets"
        )
    );
    if !workload {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "`{}` is available for deployments, statefulsets and daemonsets \
                 (deploy/NAME, sts/NAME, ds/NAME)",
                verb_of(cmd.op)
            ),
        ));
    }
    if cmd.names.len() != 1 {
        return Err(Error::invalid(format!(
            "`{}` takes exactly one workload (deploy/NAME, sts/NAME, ds/NAME)",
            verb_of(cmd.op)
        )));
    }
    Ok(())
}

fn normalise_top(cmd: &mut Command) -> Result<()> {
    let kind = match cmd.resource.as_deref() {
        Some("pods" | "pod" | "po") => "pods",
        Some("nodes" | "node" | "no") => "nodes",
        other => {
            return Err(Error::new(
                Code::Unsupported,
                format!("`top` works on pods or nodes, not {other:?}"),
            ));
        }
    };
    cmd.resource = Some(kind.to_string());
    Ok(())
}

/// `--for TYPE/NAME` and `--types Normal,Warning` (types normalised to that spelling).
fn validate_events(cmd: &mut Command) -> Result<()> {
    if let Some(f) = &cmd.for_object {
        let (ty, name) = split_type_name(f).map_err(|_| {
            Error::invalid(format!("--for takes TYPE/NAME (e.g. pod/web-1), got {f:?}"))
        })?;
        check_resource_type(ty)?;
        check_object_name(name)?;
    }
    for t in cmd.types.iter_mut() {
        *t = match t.trim().to_ascii_lowercase().as_str() {
            "normal" => "Normal".to_string(),
            "warning" => "Warning".to_string(),
            _ => {
                return Err(Error::invalid(format!(
                    "--types takes Normal and/or Warning, got {t:?}"
                )));
            }
        };
    }
    Ok(())
}

fn validate_logs(l: &LogOptions) -> Result<()> {
    if let Some(c) = &l.container {
        check_container_name(c)?;
    }
    if l.container.is_some() && l.all_containers {
        return Err(Error::invalid(
            "give -c CONTAINER or --all-containers, not both",
        ));
    }
    if l.tail.is_some_and(|t| t < -1) {
        return Err(Error::invalid("--tail must be -1 (all lines) or more"));
    }
    if l.since_seconds.is_some_and(|s| s <= 0) {
        return Err(Error::invalid("--since must be a positive duration"));
    }
    if l.since_seconds.is_some() && l.since_time.is_some() {
        return Err(Error::invalid("give --since or --since-time, not both"));
    }
    if let Some(t) = &l.since_time {
        check_rfc3339(t)?;
    }
    if l.limit_bytes.is_some_and(|b| b <= 0) {
        return Err(Error::invalid("--limit-bytes must be above 0"));
    }
    if l.max_log_requests == Some(0) {
        return Err(Error::invalid("--max-log-requests must be above 0"));
    }
    if let Some(g) = &l.grep {
        check_grep(g)?;
    }
    if let Some(g) = &l.grep_v {
        check_grep(g)?;
    }
    if l.fold && (l.tail.is_some() || l.limit_bytes.is_some()) {
        return Err(Error::invalid(
            "--fold reads the whole log (or the --since window): it takes no --tail or \
             --limit-bytes; narrow with --since, --grep or --grep-v",
        ));
    }
    Ok(())
}

fn check_grep(g: &str) -> Result<()> {
    if g.is_empty() || g.len() > MAX_GREP_LEN {
        return Err(Error::invalid(format!(
            "--grep takes a pattern of 1 to {MAX_GREP_LEN} bytes"
        )));
    }
    super::grep::compile(g).map(|_| ()).map_err(|e| {
        Error::invalid(format!(
            "--grep pattern {g:?} is not a valid regular expression: {e}"
        ))
    })
}

/// A resource type as typed: plural, singular, short name, Kind, `TYPE.GROUP` or
/// `TYPE.VERSION.GROUP`, the group a DNS subdomain (it is copied into the request path).
fn check_resource_type(r: &str) -> Result<()> {
    let ok = !r.is_empty()
        && r.len() <= MAX_NAME_LEN
        && r.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if ok {
        crate::kube::discovery::check_type_form(r)
    } else {
        Err(Error::invalid(format!(
            "resource type {r:?} is not valid (e.g. pods, deploy, deployments.apps, widgets.example.com)"
        )))
    }
}

/// A container name is a DNS label.
fn check_container_name(c: &str) -> Result<()> {
    let ok = !c.is_empty()
        && c.len() <= MAX_CONTAINER_LEN
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("container name {c:?} is not valid")))
    }
}

/// Selectors: the characters label and field selectors use (`app=web,tier!=db`,
/// `env in (a,b)`, `!canary`, `status.phase=Running`), nothing that could smuggle query syntax.
fn check_selector(flag: &str, s: &str) -> Result<()> {
    let ok = !s.trim().is_empty()
        && s.len() <= MAX_SELECTOR_LEN
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-' | b'_' | b'/' | b'=' | b'!' | b',' | b'(' | b')' | b' ' | b':'
                )
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{flag} {s:?} is not a valid selector (e.g. app=web,tier!=db or status.phase=Running)"
        )))
    }
}

/// Refuse a selector that would test a value kubeglass hides: a label selector comparing
/// the value of a label whose key the redactor hides (`api-token=guess`, `api-token in
/// (a,b)`, `api-token!=x`, `api-token notin (x)`), a field selector comparing a field whose
/// name it hides (a custom resource's selectable `spec.apiToken`), and any selector whose
/// compared value itself looks like a credential (it would test a value the text redactor
/// hides under an innocent key). The API server evaluates selectors on the raw values, so
/// each answer — which objects come back — would reveal one bit of the hidden value.
///
/// Decision: selecting on a hidden key's existence (`api-token`, `!api-token`) stays
/// allowed. The keys of labels are shown (only their values are hidden), so existence
/// reveals nothing `get --show-labels` does not.
///
/// This needs the operator's [`RedactSettings`] (`--redact-env-names` hides more keys), so
/// it runs in the engine, before any request, for commands from every transport.
pub fn refuse_hidden_selectors(cmd: &Command, settings: &RedactSettings) -> Result<()> {
    if let Some(s) = &cmd.selector {
        for req in requirements(s) {
            check_requirement("-l/--selector", "label", req, &|k| settings.hides_field(k))?;
        }
    }
    if let Some(s) = &cmd.field_selector {
        // A field path names a field at each step: `spec.apiToken` is hidden by its last.
        let hides = |path: &str| path.split('.').any(|step| settings.hides_field(step));
        for req in requirements(s) {
            check_requirement("--field-selector", "field", req, &hides)?;
        }
    }
    Ok(())
}

/// The requirements of a selector: its parts at commas outside parentheses (the commas of
/// `env in (a,b)` belong to the set).
fn requirements(s: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// One requirement: its key, and whether it compares a value. Anything after the key
/// (an operator, a set) counts as a comparison, so an odd spelling is checked, not waved
/// through; only a bare key (`k`, `!k`) is an existence test.
fn check_requirement(
    flag: &str,
    what: &str,
    req: &str,
    hides: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let body = req.strip_prefix('!').unwrap_or(req).trim_start();
    let end = body
        .find(['=', '!', ' ', '(', '<', '>'])
        .unwrap_or(body.len());
    let (key, rest) = body.split_at(end);
    if rest.trim().is_empty() {
        return Ok(());
    }
    if hides(key) {
        return Err(Error::invalid(format!(
            "{flag} comparing the {what} {key:?} is refused: kubeglass hides its values, and a \
             selector comparing them would reveal them (which objects match tells the value); \
             select on the key alone ({key:?} or \"!{key}\") or on another {what}"
        )));
    }
    let ops = rest.trim_start();
    let set = ops
        .strip_prefix("notin")
        .or_else(|| ops.strip_prefix("in"))
        .map(str::trim)
        .filter(|r| r.starts_with('('));
    let values = match set {
        Some(r) => r.trim_start_matches('(').trim_end_matches(')'),
        None => ops.trim_start_matches(['=', '!']),
    };
    if values
        .split(',')
        .map(str::trim)
        .any(|v| crate::redact::text(v) != v)
    {
        return Err(Error::invalid(format!(
            "{flag} on {key:?} is refused: a value it compares has the shape of a credential, \
             which kubeglass hides wherever it appears, and the selector would reveal whether \
             a hidden value equals it"
        )));
    }
    Ok(())
}

/// `--since-time`: an RFC 3339 time (`2024-05-01T10:00:00Z`, offsets and fractions allowed),
/// read by the same parser kubeglass uses for the API server's timestamps. The value is sent on
/// as `sinceTime` exactly as typed, and that parser is lenient about what it skips (surrounding
/// spaces, a space for `T`, the fraction's characters), so the length and characters are
/// bounded here as well; the API server does the exact parsing.
fn check_rfc3339(t: &str) -> Result<()> {
    let plain = (20..=40).contains(&t.len())
        && t.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'-' | b':' | b'.' | b'+' | b'T' | b't' | b'Z' | b'z')
        });
    if plain && crate::timefmt::parse_rfc3339(t).is_some() {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "--since-time takes an RFC 3339 time such as 2024-05-01T10:00:00Z, got {t:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{code, line};
    use super::super::{parse_args, parse_json_str};
    use crate::error::Code;
    use crate::redact::RedactSettings;

    #[test]
    fn rejects_invalid_names_namespaces_and_selectors() {
        for s in [
            "get pods ..",
            "get pods -n Shop",
            "get pods -n 'a b'",
            "get pods x%2F",
            "get pods -l 'a=b&c'",
            "logs x --tail -2",
            "logs x -c C",
            "logs x --since 5",
            "logs x --since-time yesterday",
            "logs x --grep '('",
            "get pods -c x",
            "describe pods x -o json",
            "get pods x -A",
            "get pods x -l a=b",
            "logs",
            "endpoints",
            "get",
            "describe pods,svc",
            "events --types Info",
            "logs x --since 1m --since-time 2024-05-01T10:00:00Z",
        ] {
            assert_eq!(code(s), Code::InvalidCommand, "{s}");
        }
        assert_eq!(code("rollout history cm/x"), Code::Unsupported);
        assert!(line("rollout history sts/x").is_ok() && line("rollout history ds.apps/x").is_ok());
    }

    #[test]
    fn names_and_types_that_could_steer_a_request_path_are_refused() {
        for s in [
            "get deployments....apps",
            "get deployments...apps",
            "get deployments.v1./apps",
            "get deployments./apps",
            "get pods.",
            "get deployments.apps.",
            "get deploy/...",
            "get deploy/.",
            "get pods ..:..",
            "get pods ...",
            "get pods :",
            "get pods .:",
            "get pods a/b",
            "get pods 'a%2f'",
            "get pods 'a?b'",
            "get pods 'a#b'",
            "get pods 'a\tb'",
            "get pods -n ..",
            "get pods -n '.'",
            "get pods -n 'a/b'",
            "events --for pod/..",
            "events --for deployments....apps/web",
            "logs deploy/..:..",
            "endpoints ...",
            "top pods ..",
        ] {
            assert_eq!(code(s), Code::InvalidCommand, "{s}");
        }
        for control in ["a\u{1}b", "a\nb", "a\u{7f}b"] {
            let words = ["get", "pods", control].map(String::from);
            assert_eq!(
                parse_args(&words).unwrap_err().code,
                Code::InvalidCommand,
                "{control:?}"
            );
        }
        let e = line("get deployments....apps").unwrap_err();
        assert!(e.message.contains("TYPE.VERSION.GROUP"), "{}", e.message);
        for json in [
            r#"{"op":"get","resource":"deployments....apps"}"#,
            r#"{"op":"get","resource":"deploy","names":["..:.."]}"#,
            r#"{"op":"get","resource":"deploy/..."}"#,
            r#"{"op":"get","resource":"pods","namespace":".."}"#,
        ] {
            assert_eq!(
                parse_json_str(json).unwrap_err().code,
                Code::InvalidCommand,
                "{json}"
            );
        }
    }

    #[test]
    fn names_and_types_kubectl_accepts_still_parse() {
        for (s, ty, name) in [
            (
                "get clusterroles system:node",
                "clusterroles",
                "system:node",
            ),
            (
                "get clusterrolebindings system:node-proxier",
                "clusterrolebindings",
                "system:node-proxier",
            ),
            ("get pods a.b", "pods", "a.b"),
            ("get cm v1.beta", "cm", "v1.beta"),
            ("get deployments.v1.apps/web", "deployments.v1.apps", "web"),
            ("get deployments.apps web", "deployments.apps", "web"),
            (
                "get widgets.v1alpha1.example.com w-1",
                "widgets.v1alpha1.example.com",
                "w-1",
            ),
            ("get Deployment.apps web", "Deployment.apps", "web"),
            ("get pods -- -", "pods", "-"),
        ] {
            let c = line(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(
                (c.resource.as_deref(), c.names.first().map(String::as_str)),
                (Some(ty), Some(name)),
                "{s}"
            );
        }
    }

    fn refusal(line_: &str, settings: &RedactSettings) -> Option<crate::error::Error> {
        let cmd = line(line_).unwrap_or_else(|e| panic!("{line_}: {e}"));
        super::refuse_hidden_selectors(&cmd, settings).err()
    }

    #[test]
    fn a_selector_comparing_a_hidden_label_value_is_refused_with_why() {
        let s = RedactSettings::default();
        for sel in [
            "api-token=guess",
            "api-token==guess",
            "api-token!=guess",
            "api-token in (a,b)",
            "api-token notin (a)",
            "api-token=",
            "app=web,api-token=x",
            "app in (a,b),api-token=x",
            "example.com/db-password=x",
        ] {
            for op in ["get pods", "describe pods", "logs", "top pods"] {
                let cmd = format!("{op} -l '{sel}'");
                let e = refusal(&cmd, &s).unwrap_or_else(|| panic!("{cmd} was accepted"));
                assert_eq!(e.code, Code::InvalidCommand, "{cmd}");
                assert!(e.message.contains("would reveal"), "{cmd}: {}", e.message);
                assert!(!e.message.contains("guess"), "{cmd}: {}", e.message);
            }
        }
        for json in [
            r#"{"op":"get","resource":"pods","selector":"api-token in (a,b)"}"#,
            r#"{"op":"events","selector":"api-token=guess"}"#,
        ] {
            let cmd = parse_json_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let e = super::refuse_hidden_selectors(&cmd, &s).err();
            assert_eq!(e.map(|e| e.code), Some(Code::InvalidCommand), "{json}");
        }
    }

    #[test]
    fn selecting_on_a_hidden_label_key_alone_or_on_shown_labels_is_allowed() {
        let s = RedactSettings::default();
        for sel in [
            "api-token",
            "!api-token",
            "app=web,!api-token",
            "app in (a,b),tier notin (db)",
            "app.kubernetes.io/name=web",
            "kubernetes.io/service-name=web",
        ] {
            let cmd = format!("get pods -l '{sel}'");
            assert!(refusal(&cmd, &s).is_none(), "{cmd} was refused");
        }
    }

    #[test]
    fn the_operators_extra_names_hide_more_label_keys() {
        let cmd = "get pods -l tenant-id=acme";
        assert!(refusal(cmd, &RedactSettings::default()).is_none());
        let extra = RedactSettings::with_extra_patterns(["tenant".to_string()]);
        assert_eq!(
            refusal(cmd, &extra).map(|e| e.code),
            Some(Code::InvalidCommand)
        );
    }

    #[test]
    fn a_field_selector_on_a_hidden_field_is_refused() {
        let s = RedactSettings::default();
        let e = refusal("get widgets --field-selector spec.apiToken=x", &s);
        assert_eq!(e.map(|e| e.code), Some(Code::InvalidCommand));
        for ok in [
            "get pods --field-selector status.phase=Running,spec.nodeName!=n1",
            "get secrets --field-selector type=kubernetes.io/tls",
            "get pods --field-selector metadata.name=web-1",
        ] {
            assert!(refusal(ok, &s).is_none(), "{ok} was refused");
        }
    }

    #[test]
    fn a_selector_comparing_a_credential_shaped_value_is_refused() {
        let s = RedactSettings::default();
        for cmd in [
            "get pods -l build=AKIAIOSFODNN7EXAMPLE",
            "get pods -l 'build in (x,AKIAIOSFODNN7EXAMPLE)'",
            "get pods --field-selector spec.nodeName=AKIAIOSFODNN7EXAMPLE",
        ] {
            let e = refusal(cmd, &s).unwrap_or_else(|| panic!("{cmd} was accepted"));
            assert!(!e.message.contains("AKIA"), "{cmd}: {}", e.message);
        }
    }
}
