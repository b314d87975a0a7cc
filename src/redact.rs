//! Keeping secrets in the cluster: every object shown and every log line passes through here.
//!
//! Objects: the `kubectl.kubernetes.io/last-applied-configuration` annotation (on a Secret it
//! holds the data in clear) and `metadata.managedFields` are removed wherever an object's
//! metadata appears (the object, List items, Table rows, pod templates); literal env values
//! whose names look sensitive become [`REDACTED`] in every container list of every pod spec;
//! a Secret's `data`/`stringData` are dropped (Secrets are requested as metadata only — this
//! is the second line of defence). Logs: [`LogRedactor`] replaces well-known credential shapes.

use std::borrow::Cow;
use std::cell::Cell;

use regex_lite::{Captures, Regex, RegexBuilder};
use serde_json::{Map, Value};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The annotation `kubectl apply` writes: a full copy of the applied object, Secret data included.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Built-in env-name patterns (case-insensitive substrings) whose literal values are hidden.
pub const DEFAULT_ENV_PATTERNS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "ACCESS_KEY",
];

/// The container lists of a pod spec.
const CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

/// What to redact; `Default` is the built-in env patterns with log redaction on.
#[derive(Debug, Clone)]
pub struct RedactSettings {
    /// Case-insensitive substrings of env names whose literal values are hidden.
    pub env_name_patterns: Vec<String>,
    /// Whether log lines go through [`LogRedactor`] (`--no-redact-logs` turns it off).
    pub logs: bool,
}

impl Default for RedactSettings {
    fn default() -> RedactSettings {
        RedactSettings {
            env_name_patterns: DEFAULT_ENV_PATTERNS.iter().map(|p| p.to_string()).collect(),
            logs: true,
        }
    }
}

impl RedactSettings {
    /// The defaults plus `extra` patterns (e.g. from `--redact-env-names`); empty ones ignored.
    pub fn with_extra_patterns<I: IntoIterator<Item = String>>(extra: I) -> RedactSettings {
        let mut s = RedactSettings::default();
        s.env_name_patterns.extend(
            extra
                .into_iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
        );
        s
    }

    fn env_name_is_sensitive(&self, name: &str) -> bool {
        let upper = name.to_ascii_uppercase();
        self.env_name_patterns
            .iter()
            .any(|p| upper.contains(&p.to_ascii_uppercase()))
    }
}

/// Redact an object, a List, or a Table in place (see the module header for what goes).
///
/// The walk is structural rather than per kind, so pod templates of any workload — built-in
/// or a CRD's — are covered: every object with a `metadata` map is cleaned, every map holding
/// a container list has its env literals checked, and every `kind: Secret` loses its data.
pub fn object(v: &mut Value, s: &RedactSettings) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| object(i, s)),
        Value::Object(map) => {
            clean_map(map, s);
            map.values_mut().for_each(|child| object(child, s));
        }
        _ => {}
    }
}

/// The redactions that apply to one JSON map, whatever it is.
fn clean_map(map: &mut Map<String, Value>, s: &RedactSettings) {
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        clean_metadata(meta);
    }
    match map.get("kind").and_then(Value::as_str) {
        Some("Secret") => drop_secret_data(map),
        // Items of a list from the API carry no `kind` of their own.
        Some("SecretList") => {
            if let Some(Value::Array(items)) = map.get_mut("items") {
                items
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(drop_secret_data);
            }
        }
        _ => {}
    }
    for list in CONTAINER_LISTS {
        if let Some(Value::Array(containers)) = map.get_mut(*list) {
            containers.iter_mut().for_each(|c| redact_env(c, s));
        }
    }
}

/// A Secret's values; its metadata (name, keys in managedFields aside) stays.
fn drop_secret_data(secret: &mut Map<String, Value>) {
    secret.remove("data");
    secret.remove("stringData");
}

/// Drop the last-applied annotation (and an emptied annotations map) and managedFields.
fn clean_metadata(meta: &mut Map<String, Value>) {
    meta.remove("managedFields");
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
}

/// Replace literal `value`s of sensitive-looking env entries; `valueFrom` references stay,
/// they name a Secret key but carry no value.
fn redact_env(container: &mut Value, s: &RedactSettings) {
    let Some(Value::Array(env)) = container.get_mut("env") else {
        return;
    };
    for entry in env {
        let sensitive = entry
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| s.env_name_is_sensitive(n));
        if let (true, Some(value @ Value::String(_))) = (sensitive, entry.get_mut("value")) {
            *value = Value::String(REDACTED.to_string());
        }
    }
}

/// AWS access key ids (long-term `AKIA`, temporary `ASIA`, and the other IAM id prefixes).
const AWS_KEY_ID: &str = r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b";
/// JSON Web Tokens (service-account tokens, OIDC tokens): header.payload.signature.
const JWT: &str = r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*";
/// `Bearer <token>` anywhere (`Authorization: Bearer …`, `bearer=…`), and `Authorization: Basic …`.
const BEARER: &str = r"(?i)(\bbearer[\s:=]+|\bauthorization\s*[:=]\s*basic\s+)[A-Za-z0-9._~+/=-]+";
/// A PEM private key wholly on one line (e.g. inside an escaped JSON string).
const PEM_INLINE: &str =
    r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)";
/// The start of a PEM private key block that continues on the next lines.
const PEM_BEGIN: &str = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----";
/// The end of a PEM private key block.
const PEM_END: &str = r"-----END [A-Z0-9 ]*PRIVATE KEY-----";
/// A line inside a PEM block: base64, or an RFC 1421 header (`Proc-Type:`, `DEK-Info:`),
/// after an optional `--timestamps` prefix.
const PEM_BODY: &str =
    r"^(\d{4}-\d\d-\d\dT\S+\s+)?\s*([A-Za-z0-9+/=]+|Proc-Type:.*|DEK-Info:.*)\s*$";

/// Redacts credential shapes in log lines, one line at a time. Holds the state of a multi-line
/// PEM private key, so use one redactor per log stream (it is `Send`, not `Sync`).
pub struct LogRedactor {
    enabled: bool,
    patterns: Vec<Regex>,
    pairs: Option<Regex>,
    pem_inline: Regex,
    pem_begin: Regex,
    pem_end: Regex,
    pem_body: Regex,
    in_pem: Cell<bool>,
}

impl LogRedactor {
    /// A redactor for `s` (a pass-through when `s.logs` is false).
    pub fn new(s: &RedactSettings) -> LogRedactor {
        LogRedactor {
            enabled: s.logs,
            patterns: [AWS_KEY_ID, JWT, BEARER]
                .iter()
                .filter_map(|p| compile(p))
                .collect(),
            pairs: pairs_regex(&s.env_name_patterns),
            pem_inline: compile_or_never(PEM_INLINE),
            pem_begin: compile_or_never(PEM_BEGIN),
            pem_end: compile_or_never(PEM_END),
            pem_body: compile_or_never(PEM_BODY),
            in_pem: Cell::new(false),
        }
    }

    /// The line with credentials replaced by [`REDACTED`]; borrowed when nothing matched.
    pub fn line<'a>(&self, l: &'a str) -> Cow<'a, str> {
        if !self.enabled {
            return Cow::Borrowed(l);
        }
        if self.in_pem.get() {
            if self.pem_end.is_match(l) {
                self.in_pem.set(false);
                return Cow::Borrowed(l);
            }
            if self.pem_body.is_match(l) {
                return Cow::Owned(self.pem_body_line(l));
            }
            // Not base64: the key ended without an END line (cut by --tail or --limit-bytes).
            self.in_pem.set(false);
        }
        let mut out = self
            .pem_inline
            .replace_all(l, format!("${{1}}{REDACTED}${{2}}").as_str());
        if let Some(m) = self.pem_begin.find(&out)
            && !self.pem_end.is_match(&out[m.end()..])
        {
            self.in_pem.set(true);
            out = Cow::Owned(format!("{}{REDACTED}", &out[..m.end()]));
        }
        for re in &self.patterns {
            out = replace_cow(out, re, |c: &Captures| {
                format!("{}{REDACTED}", c.get(1).map_or("", |m| m.as_str()))
            });
        }
        if let Some(re) = &self.pairs {
            out = replace_cow(out, re, |c: &Captures| {
                format!("{}{}{REDACTED}", &c[1], &c[2])
            });
        }
        out
    }

    /// A line inside a PEM block: keep a `--timestamps` prefix, hide the rest.
    fn pem_body_line(&self, l: &str) -> String {
        let prefix = self
            .pem_body
            .captures(l)
            .and_then(|c| c.get(1))
            .map_or("", |m| m.as_str());
        format!("{prefix}{REDACTED}")
    }
}

/// Apply `re` to text that may already be owned, staying borrowed when nothing matched.
fn replace_cow<'a>(
    text: Cow<'a, str>,
    re: &Regex,
    rep: impl FnMut(&Captures) -> String,
) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(b) => re.replace_all(b, rep),
        Cow::Owned(o) => Cow::Owned(re.replace_all(&o, rep).into_owned()),
    }
}

/// `password=…`, `DB_TOKEN: …`, `"apiKey":"…"`: a key containing a sensitive pattern (where
/// `_` may also be `-` or nothing), then `=` or `:`, then a quoted or bare value.
fn pairs_regex(patterns: &[String]) -> Option<Regex> {
    let alternatives: Vec<String> = patterns
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split('_')
                .map(regex_lite::escape)
                .collect::<Vec<_>>()
                .join("[_-]?")
        })
        .collect();
    if alternatives.is_empty() {
        return None;
    }
    let key = format!(
        r#"([A-Za-z0-9_.-]*(?:{})[A-Za-z0-9_.-]*"?)"#,
        alternatives.join("|")
    );
    let pattern = format!(r#"{key}(\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s,;&"'}}]+)"#);
    RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .build()
        .map_err(|e| log::error!("log redactor: pattern for env names does not compile: {e}"))
        .ok()
}

fn compile(p: &str) -> Option<Regex> {
    Regex::new(p)
        .map_err(|e| log::error!("log redactor: built-in pattern does not compile: {e}"))
        .ok()
}

/// Built-in patterns are constants covered by tests; should one ever fail to compile, match
/// nothing rather than panic (the other patterns still apply).
fn compile_or_never(p: &str) -> Regex {
    compile(p).unwrap_or_else(never)
}

fn never() -> Regex {
    // `[^\s\S]` matches no character; this literal is known to compile.
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("constant pattern"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DEPLOYMENT: &str = include_str!("../tests/fixtures/objects/deployment-web.json");
    const DEPLOYMENT_LIST: &str =
        include_str!("../tests/fixtures/objects/deployments-shop-list.json");
    const POD: &str = include_str!("../tests/fixtures/objects/pod-web.json");
    const SECRET_META: &str =
        include_str!("../tests/fixtures/objects/secret-db-credentials-metadata.json");
    /// The seed's canaries that these recorded fixtures contain.
    const CANARY: &str = "canary-env-literal-55d2";

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    fn redacted(s: &str) -> Value {
        let mut v = parse(s);
        object(&mut v, &RedactSettings::default());
        v
    }

    fn env_of(template_spec: &Value) -> &Vec<Value> {
        template_spec["containers"][0]["env"].as_array().unwrap()
    }

    #[test]
    fn redacts_password_env_literal() {
        assert!(
            DEPLOYMENT.contains(CANARY),
            "fixture should hold the canary"
        );
        let v = redacted(DEPLOYMENT);
        let env = env_of(&v["spec"]["template"]["spec"]);
        assert_eq!(env[0], json!({"name": "LOG_LEVEL", "value": "info"}));
        assert_eq!(env[1], json!({"name": "DB_PASSWORD", "value": REDACTED}));
        assert!(
            env[2]["valueFrom"]["secretKeyRef"].is_object(),
            "references stay"
        );
        assert!(!v.to_string().contains(CANARY));
    }

    #[test]
    fn redacts_env_in_pods_and_list_items() {
        let pod = redacted(POD);
        assert!(POD.contains(CANARY));
        assert!(!pod.to_string().contains(CANARY));
        assert_eq!(env_of(&pod["spec"])[1]["value"], REDACTED);
        let list = redacted(DEPLOYMENT_LIST);
        assert!(DEPLOYMENT_LIST.contains(CANARY));
        assert!(!list.to_string().contains(CANARY));
    }

    #[test]
    fn redacts_env_in_every_template_and_container_list() {
        let template = parse(DEPLOYMENT)["spec"]["template"].clone();
        let mut cronjob = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template.clone()}}}});
        let mut pod_spec = template["spec"].clone();
        let containers = pod_spec["containers"].clone();
        pod_spec["initContainers"] = containers.clone();
        pod_spec["ephemeralContainers"] = containers;
        object(&mut cronjob, &RedactSettings::default());
        object(&mut pod_spec, &RedactSettings::default());
        assert!(!cronjob.to_string().contains(CANARY));
        assert!(!pod_spec.to_string().contains(CANARY));
    }

    #[test]
    fn env_patterns_are_case_insensitive_and_configurable() {
        let mut v = json!({"containers": [{"name": "a", "env": [
            {"name": "db_password", "value": "x"}, {"name": "GitHubToken", "value": "x"},
            {"name": "MY_PIN", "value": "1234"}, {"name": "HOME", "value": "/root"}]}]});
        object(
            &mut v,
            &RedactSettings::with_extra_patterns(["pin".to_string()]),
        );
        let values: Vec<&str> = v["containers"][0]["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].as_str().unwrap())
            .collect();
        assert_eq!(values, [REDACTED, REDACTED, REDACTED, "/root"]);
    }

    #[test]
    fn strips_last_applied_annotation() {
        let before = parse(SECRET_META);
        assert!(before["metadata"]["annotations"][LAST_APPLIED].is_string());
        let v = redacted(SECRET_META);
        assert!(!v.to_string().contains("last-applied-configuration"));
        let mut in_template = json!({"kind": "List", "items": [{"spec": {"template": {"metadata": {
            "annotations": {LAST_APPLIED: "{}", "keep": "me"}}}}}]});
        object(&mut in_template, &RedactSettings::default());
        assert_eq!(
            in_template["items"][0]["spec"]["template"]["metadata"]["annotations"],
            json!({"keep": "me"})
        );
    }

    #[test]
    fn strips_managed_fields() {
        assert!(SECRET_META.contains("managedFields"));
        assert!(!redacted(SECRET_META).to_string().contains("managedFields"));
        assert!(
            !redacted(DEPLOYMENT_LIST)
                .to_string()
                .contains("managedFields")
        );
    }

    #[test]
    fn drops_secret_data_and_string_data() {
        let mut secret = parse(SECRET_META);
        secret["kind"] = json!("Secret");
        secret["data"] = json!({"password": "c2VjcmV0"});
        secret["stringData"] = json!({"password": "secret"});
        let mut list = json!({"kind": "SecretList", "items": [secret.clone()]});
        object(&mut secret, &RedactSettings::default());
        object(&mut list, &RedactSettings::default());
        assert!(secret.get("data").is_none() && secret.get("stringData").is_none());
        assert!(secret["metadata"]["name"].is_string());
        assert!(list["items"][0].get("data").is_none());
    }

    #[test]
    fn drops_data_of_secret_list_items_without_their_own_kind() {
        let mut item = parse(SECRET_META);
        item.as_object_mut().unwrap().remove("kind");
        item["data"] = json!({"password": "c2VjcmV0"});
        let mut list = json!({"kind": "SecretList", "apiVersion": "v1", "items": [item]});
        object(&mut list, &RedactSettings::default());
        assert!(list["items"][0].get("data").is_none(), "{list}");
    }

    fn log(lines: &[&str]) -> Vec<String> {
        let r = LogRedactor::new(&RedactSettings::default());
        lines.iter().map(|l| r.line(l).into_owned()).collect()
    }

    #[test]
    fn redacts_aws_access_key_ids_in_logs() {
        let out = log(&[
            "using key AKIAIOSFODNN7EXAMPLE for s3",
            "temp ASIAY34FZKBOKMUTVV7A ok",
        ]);
        assert_eq!(out, ["using key <redacted> for s3", "temp <redacted> ok"]);
    }

    #[test]
    fn redacts_jwts_and_bearer_tokens_in_logs() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
        let out = log(&[
            &format!("token {jwt} accepted"),
            "GET / Authorization: Bearer abc.def-123",
            "header authorization=bearer xyz",
            "Authorization: Basic dXNlcjpwYXNz",
        ]);
        assert_eq!(out[0], "token <redacted> accepted");
        assert_eq!(out[1], "GET / Authorization: Bearer <redacted>");
        assert_eq!(out[2], "header authorization=bearer <redacted>");
        assert_eq!(out[3], "Authorization: Basic <redacted>");
    }

    #[test]
    fn redacts_password_pairs_in_logs() {
        let out = log(&[
            "connecting with password=hunter2 user=bob",
            r#"{"db_password":"hunter2","user":"bob"}"#,
            "API-KEY: abc123",
            "nothing to see here",
        ]);
        assert_eq!(out[0], "connecting with password=<redacted> user=bob");
        assert_eq!(out[1], r#"{"db_password":<redacted>,"user":"bob"}"#);
        assert_eq!(out[2], "API-KEY: <redacted>");
        assert_eq!(out[3], "nothing to see here");
    }

    #[test]
    fn redacts_multi_line_pem_private_key_line_by_line() {
        let out = log(&[
            "loading key",
            "-----BEGIN RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
            "2024-05-01T10:00:00.000Z VxVuT6CztCTPFeDuQ+kJ1Ke6RCeKyo0w==",
            "-----END RSA PRIVATE KEY-----",
            "key loaded",
        ]);
        assert_eq!(
            out,
            [
                "loading key",
                "-----BEGIN RSA PRIVATE KEY-----<redacted>",
                "<redacted>",
                "2024-05-01T10:00:00.000Z <redacted>",
                "-----END RSA PRIVATE KEY-----",
                "key loaded",
            ]
        );
    }

    #[test]
    fn pem_state_ends_when_a_non_key_line_arrives() {
        let out = log(&["-----BEGIN PRIVATE KEY-----", "MIIEow", "panic: boom"]);
        assert_eq!(out[2], "panic: boom");
        let one_line =
            log(&[r"key=-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY----- next"]);
        assert!(!one_line[0].contains("MHcC"), "{}", one_line[0]);
    }

    #[test]
    fn log_redaction_can_be_turned_off() {
        let r = LogRedactor::new(&RedactSettings {
            logs: false,
            ..RedactSettings::default()
        });
        assert_eq!(r.line("password=hunter2"), "password=hunter2");
    }

    #[test]
    fn clean_lines_stay_borrowed() {
        let r = LogRedactor::new(&RedactSettings::default());
        assert!(matches!(r.line("GET /healthz 200"), Cow::Borrowed(_)));
    }
}
