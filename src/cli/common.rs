//! Flags every subcommand that reads the cluster shares (`query`, `run`), resolved once:
//! flag, else environment variable, else the documented default.

use std::path::PathBuf;
use std::time::Duration;

use crate::command::parse_duration_seconds;
use crate::error::{Error, Result};
use crate::kube;
use crate::ops::Engine;
use crate::redact::{self, RedactSettings};
use crate::scope::Scope;

/// Default `--max-output-bytes` (256 KiB): a few thousand table rows or a long describe,
/// still small enough for an AI's context window.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 256 * 1024;
/// Upper bound of `--max-output-bytes` (larger results travel in parts over SQS).
pub const MAX_MAX_OUTPUT_BYTES: usize = crate::protocol::MAX_RESULT_BYTES;

/// Help text for the shared flags, embedded in each subcommand's help.
pub const CLUSTER_HELP: &str = "\
Cluster access and scope:
  --kubeconfig PATH          kubeconfig file(s) (else KUBECONFIG, else in-cluster, else ~/.kube/config)
  --context NAME             kubeconfig context (default: its current-context)
  --request-timeout DUR      per request to the Kubernetes API (default 30s)
  --namespaces a,b           read only these namespaces (KUBEGLASS_NAMESPACES; default: all)
  --no-cluster-resources     refuse cluster-scoped types: nodes, PVs, CRDs, … (KUBEGLASS_NO_CLUSTER_RESOURCES=1)
  --no-secrets               refuse every Secret read, metadata too, before any request
                             (KUBEGLASS_NO_SECRETS=1; the chart's rbac.secrets=none sets it)
  --redact-env-names a,b     more name fragments whose values are hidden, in env, args and
                             key=value pairs (KUBEGLASS_REDACT_ENV_NAMES). Built in: a name,
                             upper-cased with only A-Z 0-9 kept, containing PASS PWD SECRET TOKEN
                             APIKEY PRIVATEKEY ACCESSKEY CREDENTIAL AUTH COOKIE DSN
                             CONNECTIONSTRING CONNSTR CREDS WEBHOOK KEYDATA UNSEAL, or ending in
                             KEY KEYS PW SIGNATURE SESSIONID SID KEYHEX KEYSHEX KEYB64 KEYSB64,
                             or exactly SIG SESSION PHPSESSID
                             (look-alike letters and invisible characters folded first)
  --allow-unredacted-logs    send container log lines without the credential redactor (objects,
                             events and errors stay redacted; a command can never ask for this)
  Always redacted, whatever the flags or the command: Secret data and annotation values,
  last-applied-configuration, managedFields; string fields with sensitive names (above)
  in any object, custom resources included; and in every other string (logs, env, args,
  annotations, messages, ConfigMap data, table cells, errors): AWS key ids, JWTs,
  Authorization/Bearer credentials, URL passwords, GitHub/Slack/Stripe/GitLab/npm/Google
  tokens, PEM and PGP private keys, 32+ character base64 key material, and the values of
  sensitive names in key=value, key: value, \"key\":\"value\", key => value and --flag value.
  --max-output-bytes N       cut every result at N bytes (KUBEGLASS_MAX_OUTPUT_BYTES; default 262144)
";

/// What `query` and `run` need to build an [`crate::ops::Engine`].
#[derive(Debug, Clone)]
pub struct ClusterArgs {
    /// How to reach the Kubernetes API.
    pub kube: kube::Settings,
    /// Which namespaces and cluster-scoped types may be read.
    pub scope: Scope,
    /// What is redacted in objects and logs.
    pub redact: RedactSettings,
    /// The output budget of every command (a command may ask for less, never more).
    pub max_output_bytes: usize,
}

impl ClusterArgs {
    /// Connect the engine these settings describe. A failure's message passes the text
    /// redactor (it may quote a kubeconfig URL with userinfo or a credential plugin's output).
    pub fn connect(&self) -> Result<Engine> {
        Engine::connect(&self.kube, self.scope.clone(), self.redact.clone()).map_err(|mut e| {
            e.message = redact::message(&e.message).into_string();
            e
        })
    }
}

/// Take the shared flags out of `args` (the rest stays for the subcommand).
pub fn cluster_args(args: &mut pico_args::Arguments) -> Result<ClusterArgs> {
    let kubeconfig: Option<PathBuf> = args.opt_value_from_str("--kubeconfig").map_err(usage)?;
    let context: Option<String> = args.opt_value_from_str("--context").map_err(usage)?;
    let timeout = match args
        .opt_value_from_str::<_, String>("--request-timeout")
        .map_err(usage)?
    {
        Some(t) => {
            let secs = parse_duration_seconds(&t).map_err(|_| {
                Error::config(format!(
                    "--request-timeout takes a duration such as 30s or 2m, got {t:?}"
                ))
            })?;
            Duration::from_secs(secs.max(1) as u64)
        }
        None => Duration::from_secs(30),
    };
    let namespaces = flag_or_env(args, "--namespaces", "KUBEGLASS_NAMESPACES")?;
    let no_cluster =
        args.contains("--no-cluster-resources") || env_true("KUBEGLASS_NO_CLUSTER_RESOURCES");
    let no_secrets = args.contains("--no-secrets") || env_true("KUBEGLASS_NO_SECRETS");
    let scope =
        Scope::parse(namespaces.as_deref().unwrap_or(""), !no_cluster)?.without_secrets(no_secrets);
    let extra = flag_or_env(args, "--redact-env-names", "KUBEGLASS_REDACT_ENV_NAMES")?;
    let redact = RedactSettings::with_extra_patterns(
        extra
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>(),
    );
    // Operator only: a command message has no way to reach this flag.
    let redact = if args.contains("--allow-unredacted-logs") {
        log::warn!("--allow-unredacted-logs: container log lines are sent without redaction");
        redact.without_log_redaction()
    } else {
        redact
    };
    let max_output_bytes = max_output_bytes(args)?;
    Ok(ClusterArgs {
        kube: kube::Settings {
            kubeconfig,
            context,
            timeout,
            retry_unavailable: false,
        },
        scope,
        redact,
        max_output_bytes,
    })
}

/// `--max-output-bytes` / `KUBEGLASS_MAX_OUTPUT_BYTES`, within sane bounds.
fn max_output_bytes(args: &mut pico_args::Arguments) -> Result<usize> {
    let Some(raw) = flag_or_env(args, "--max-output-bytes", "KUBEGLASS_MAX_OUTPUT_BYTES")? else {
        return Ok(DEFAULT_MAX_OUTPUT_BYTES);
    };
    match raw.trim().parse::<usize>() {
        Ok(n) if (1024..=MAX_MAX_OUTPUT_BYTES).contains(&n) => Ok(n),
        _ => Err(Error::config(format!(
            "--max-output-bytes / KUBEGLASS_MAX_OUTPUT_BYTES must be a number of bytes from 1024 \
             to {MAX_MAX_OUTPUT_BYTES}, got {raw:?}"
        ))),
    }
}

/// A string flag, else a non-empty environment variable.
pub fn flag_or_env(
    args: &mut pico_args::Arguments,
    flag: &'static str,
    env: &str,
) -> Result<Option<String>> {
    if let Some(v) = args.opt_value_from_str::<_, String>(flag).map_err(usage)? {
        return Ok(Some(v));
    }
    Ok(std::env::var(env).ok().filter(|v| !v.trim().is_empty()))
}

/// Whether an environment variable is set to a true value (1, true, yes).
pub fn env_true(name: &str) -> bool {
    std::env::var(name)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false)
}

/// A duration flag (`30s`, `2m`) or its default, in seconds.
pub fn duration(
    pargs: &mut pico_args::Arguments,
    flag: &'static str,
    default: u64,
) -> Result<Duration> {
    match pargs.opt_value_from_str::<_, String>(flag).map_err(usage)? {
        Some(v) => parse_duration_seconds(&v)
            .map(|s| Duration::from_secs(s.max(0) as u64))
            .map_err(|_| {
                Error::config(format!(
                    "{flag} takes a duration such as 30s or 2m, got {v:?}"
                ))
            }),
        None => Ok(Duration::from_secs(default)),
    }
}

/// A command-line usage error (exit code 2).
pub fn usage(e: pico_args::Error) -> Error {
    Error::config(format!("bad command line: {e}"))
}

/// Print the CLI's failure line (`error: <Code>: <message>`, the last line on stderr).
pub fn print_error(e: &Error) {
    eprintln!("error: {}: {}", e.code, e.message);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> pico_args::Arguments {
        pico_args::Arguments::from_vec(words.iter().map(Into::into).collect())
    }

    #[test]
    fn flags_become_settings() {
        let mut a = args(&[
            "--kubeconfig",
            "/k",
            "--namespaces=shop,payments",
            "--max-output-bytes",
            "2048",
            "--no-cluster-resources",
            "--no-secrets",
        ]);
        let c = cluster_args(&mut a).unwrap();
        assert!(c.scope.no_secrets);
        assert_eq!(c.kube.kubeconfig, Some(PathBuf::from("/k")));
        assert_eq!(
            c.scope.namespaces,
            Some(vec!["payments".to_string(), "shop".to_string()])
        );
        assert!(!c.scope.cluster_resources);
        assert_eq!(c.max_output_bytes, 2048);
        assert_eq!(c.kube.timeout, Duration::from_secs(30));
    }

    #[test]
    fn tiny_budget_and_bad_namespace_are_refused() {
        assert!(cluster_args(&mut args(&["--max-output-bytes", "10"])).is_err());
        assert!(cluster_args(&mut args(&["--max-output-bytes", "lots"])).is_err());
        assert!(cluster_args(&mut args(&["--namespaces", "Not_A_Name"])).is_err());
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use crate::redact::{SENSITIVE_FRAGMENTS, SENSITIVE_NAMES, SENSITIVE_SUFFIXES};

    #[test]
    fn help_and_the_security_docs_list_exactly_the_sensitive_names_the_code_matches() {
        let readme = include_str!("../../docs/security.md");
        for f in SENSITIVE_FRAGMENTS
            .iter()
            .chain(SENSITIVE_SUFFIXES)
            .chain(SENSITIVE_NAMES)
        {
            assert!(CLUSTER_HELP.contains(&format!(" {f}")), "--help lacks {f}");
            assert!(
                readme.contains(&format!("`{f}`")),
                "docs/security.md lacks {f}"
            );
        }
        let listed = CLUSTER_HELP.split("containing ").nth(1).unwrap_or("");
        let words = listed.split_whitespace().take_while(|w| *w != "or").count();
        assert_eq!(
            words,
            SENSITIVE_FRAGMENTS.len(),
            "--help lists other fragments"
        );
    }
}
