//! Which names hold a credential: env vars, JSON fields, log keys, label keys.

use super::RedactSettings;

/// Built-in sensitive-name fragments. A name is sensitive when, upper-cased with every
/// character other than A–Z and 0–9 removed (`db-pass`, `DB.PASS`, `db_pass` → `DBPASS`), it
/// contains one of these, or ends with one of [`SENSITIVE_SUFFIXES`].
pub const SENSITIVE_FRAGMENTS: &[&str] = &[
    "PASS",             // PASSWORD, PASSWD, PASSPHRASE, DB_PASS
    "PWD",              // DB_PWD, pwd= (the shell's PWD too: a false positive only hides a path)
    "SECRET",           // CLIENT_SECRET, SECRET_KEY_BASE
    "TOKEN",            // GITHUB_TOKEN, X-Auth-Token
    "APIKEY",           // API_KEY, API-KEY, apiKey, API_KEY_ID
    "PRIVATEKEY",       // PRIVATE_KEY, private.key, PRIVATEKEY_PEM
    "ACCESSKEY",        // AWS_SECRET_ACCESS_KEY, ACCESS_KEY_ID
    "CREDENTIAL",       // CREDENTIALS, GOOGLE_APPLICATION_CREDENTIALS_JSON
    "AUTH",             // AUTHORIZATION, BASIC_AUTH, OAUTH_CLIENT
    "COOKIE",           // SESSION_COOKIE
    "DSN",              // SENTRY_DSN, DATABASE_DSN
    "CONNECTIONSTRING", // AZURE_STORAGE_CONNECTION_STRING
    "CONNSTR",          // DB_CONNSTR
    "CREDS",            // DB_CREDS
    "WEBHOOK",          // SLACK_WEBHOOK_URL (the URL is the credential)
    "KEYDATA",          // client-key-data, KEY_DATA
];

/// Name endings that make a name sensitive: `STRIPE_KEY`, `SIGNING_KEY`, `HMAC_KEYS`,
/// `MYSQL_ROOT_PW`.
pub const SENSITIVE_SUFFIXES: &[&str] = &["KEY", "KEYS", "PW"];

/// `db-pass` → `DBPASS`: upper case, only A–Z and 0–9.
pub(super) fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether an env var, a log key or a JSON field named `name` holds a credential under the
/// built-in rules ([`SENSITIVE_FRAGMENTS`], [`SENSITIVE_SUFFIXES`]).
pub fn name_is_sensitive(name: &str) -> bool {
    RedactSettings::default().is_sensitive(name)
}

/// Field names that name a credential rather than hold one: `secretName`, `tokenPath`,
/// `passwordSecretRef`, `key` (of a `secretKeyRef`: the key's name).
pub(super) const NAMING_SUFFIXES: &[&str] = &[
    "NAME",
    "NAMESPACE",
    "REF",
    "PATH",
    "FILE",
    "KIND",
    "TYPE",
    "MODE",
    "FIELD",
    "SECONDS",
];

/// Whether a string field named `field` holds a credential: a sensitive name that does not
/// merely name one (see [`NAMING_SUFFIXES`]).
pub(super) fn is_credential_field(field: &str, s: &RedactSettings) -> bool {
    // The field names every object repeats thousands of times hold no sensitive fragment:
    // answer them without normalising (measured on a 10,000-pod list).
    if s.extra_fragments.is_empty() && plainly_safe(field) {
        return false;
    }
    let n = normalise(field);
    n != "KEY"
        && n != "KEYS"
        && s.is_sensitive_normalised(&n)
        && !NAMING_SUFFIXES.iter().any(|x| n.ends_with(x))
}

/// The most common field names of API objects, none of which is sensitive.
pub(super) fn plainly_safe(field: &str) -> bool {
    matches!(
        field,
        "name"
            | "namespace"
            | "uid"
            | "kind"
            | "apiVersion"
            | "metadata"
            | "spec"
            | "status"
            | "labels"
            | "annotations"
            | "resourceVersion"
            | "creationTimestamp"
            | "generation"
            | "ownerReferences"
            | "containers"
            | "image"
            | "imagePullPolicy"
            | "ports"
            | "containerPort"
            | "protocol"
            | "resources"
            | "limits"
            | "requests"
            | "cpu"
            | "memory"
            | "conditions"
            | "type"
            | "lastTransitionTime"
            | "lastProbeTime"
            | "reason"
            | "message"
            | "phase"
            | "nodeName"
            | "cells"
            | "rows"
            | "object"
            | "value"
            | "restartCount"
            | "ready"
            | "started"
            | "state"
            | "running"
            | "startedAt"
            | "hostIP"
            | "podIP"
            | "podIPs"
            | "ip"
            | "env"
            | "args"
            | "command"
            | "qosClass"
            | "startTime"
            | "tolerations"
            | "effect"
            | "operator"
            | "tolerationSeconds"
            | "volumeMounts"
            | "mountPath"
            | "readOnly"
            | "volumes"
            | "terminationMessagePath"
            | "terminationMessagePolicy"
            | "dnsPolicy"
            | "restartPolicy"
            | "schedulerName"
            | "securityContext"
            | "priority"
            | "enableServiceLinks"
            | "preemptionPolicy"
            | "terminationGracePeriodSeconds"
            | "serviceAccount"
            | "serviceAccountName"
            | "controller"
            | "blockOwnerDeletion"
            | "selfLink"
            | "continue"
            | "remainingItemCount"
            | "items"
            | "format"
            | "description"
    )
}
