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
    "UNSEAL",           // unseal_keys_hex, UNSEAL_KEY (Vault)
];

/// Name endings that make a name sensitive: `STRIPE_KEY`, `SIGNING_KEY`, `HMAC_KEYS`,
/// `MYSQL_ROOT_PW`, `X-Amz-Signature` (a signed URL's signature is its credential),
/// `connect.sid` (a session id is a login).
pub const SENSITIVE_SUFFIXES: &[&str] = &[
    "KEY",
    "KEYS",
    "PW",
    "SIGNATURE",
    "SESSIONID",
    "SID",
    "KEYHEX",
    "KEYSHEX",
    "KEYB64",
    "KEYSB64",
];

/// Whole names (normalised) that are sensitive but too short to be fragments: `sig=` of a
/// signed URL, `pass`/`pwd` handled by fragments already.
pub const SENSITIVE_NAMES: &[&str] = &["SIG", "SESSION", "PHPSESSID"];

/// `db-pass` → `DBPASS`: upper case, only A–Z and 0–9, after folding what could disguise a
/// name: zero-width and other invisible format characters are dropped, full-width and
/// mathematical letters become ASCII, and Latin look-alikes from Cyrillic and Greek become the
/// letter they imitate (`pаssword` with a Cyrillic а is `PASSWORD`).
pub(super) fn normalise(name: &str) -> String {
    if name.is_ascii() {
        return name
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_uppercase()))
            .collect();
    }
    // A letter with no known ASCII look-alike becomes `?`, which [`wild_contains`] lets
    // stand for one letter of a fragment (`pǎssword`, `ṡecret`).
    name.chars()
        .filter_map(fold)
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_uppercase())
            } else if c.is_alphabetic() {
                Some(WILD)
            } else {
                None
            }
        })
        .collect()
}

/// What [`normalise`] makes of a letter it cannot fold.
pub(super) const WILD: char = '?';

/// Whether `n` holds `fragment` with at most one of its letters (of a fragment of four or
/// more) replaced by [`WILD`]; anchored at the end with `at_end`.
pub(super) fn wild_contains(n: &str, fragment: &str, at_end: bool) -> bool {
    let (n, f) = (n.as_bytes(), fragment.as_bytes());
    if f.len() < 4 || n.len() < f.len() {
        return false;
    }
    let fits = |w: &[u8]| {
        let wild = w.iter().filter(|&&b| b == b'?').count();
        wild <= 1 && w.iter().zip(f).all(|(a, b)| a == b || *a == b'?')
    };
    if at_end {
        fits(&n[n.len() - f.len()..])
    } else {
        n.windows(f.len()).any(fits)
    }
}

/// One character as the ASCII letter it passes for, or `None` for an invisible one. Not full
/// NFKC or Unicode's confusables table (both are large): the look-alikes an attacker can type
/// to hide a key name from an ASCII match, which is what a name check needs.
pub(super) fn fold(c: char) -> Option<char> {
    let u = u32::from(c);
    if c.is_ascii() {
        return Some(c);
    }
    // Invisible: soft hyphen, combining grapheme joiner, Mongolian vowel separator, zero-width
    // and directional marks, word joiners, BOM; combining diacritics (`pa\u0301ssword`).
    if matches!(u, 0xAD | 0x34F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0x300..=0x36F | 0xFE00..=0xFE0F)
    {
        return None;
    }
    // Full-width ASCII (`ｐａｓｓｗｏｒｄ`).
    if (0xFF01..=0xFF5E).contains(&u) {
        return char::from_u32(u - 0xFEE0);
    }
    // Mathematical alphanumerics: bold, italic, script, … A–Z a–z in blocks of 52.
    if (0x1D400..=0x1D6A3).contains(&u) {
        let i = (u - 0x1D400) % 52;
        return char::from_u32(if i < 26 { 0x41 + i } else { 0x61 + i - 26 });
    }
    // Circled letters (`ⓟⓐⓢⓢⓦⓞⓡⓓ`).
    if (0x24B6..=0x24CF).contains(&u) {
        return char::from_u32(0x41 + u - 0x24B6);
    }
    if (0x24D0..=0x24E9).contains(&u) {
        return char::from_u32(0x61 + u - 0x24D0);
    }
    if (0x1D7CE..=0x1D7FF).contains(&u) {
        return char::from_u32(0x30 + (u - 0x1D7CE) % 10);
    }
    let ascii = match c {
        'а' | 'α' | 'ɑ' => 'a',
        'А' | 'Α' => 'A',
        'В' | 'Β' | 'ʙ' => 'B',
        'с' | 'ϲ' => 'c',
        'С' | 'Ϲ' => 'C',
        'ԁ' => 'd',
        'е' | 'ё' | 'ε' => 'e',
        'Е' | 'Ё' | 'Ε' => 'E',
        'ɡ' => 'g',
        'һ' => 'h',
        'Н' | 'Η' => 'H',
        'і' | 'ї' | 'ι' | 'ı' | 'ɩ' => 'i',
        'І' | 'Ї' | 'Ι' | 'Ӏ' => 'I',
        'ј' => 'j',
        'Ј' => 'J',
        'κ' | 'к' => 'k',
        'К' | 'Κ' => 'K',
        'ӏ' | 'ℓ' => 'l',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'о' | 'ο' | 'σ' => 'o',
        'О' | 'Ο' => 'O',
        'р' | 'ρ' => 'p',
        'Р' | 'Ρ' => 'P',
        'ԛ' => 'q',
        'Ԛ' => 'Q',
        'ѕ' | 'ſ' => 's',
        'Ѕ' => 'S',
        'τ' => 't',
        'Т' | 'Τ' => 'T',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' => 'w',
        'Ԝ' => 'W',
        'х' | 'χ' => 'x',
        'Х' | 'Χ' => 'X',
        'у' | 'γ' => 'y',
        'У' | 'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        // Small capitals and modifier letters (`ᴘᴀssword`, `ᵖᵃˢˢʷᵒʳᵈ`), letter-like symbols.
        'ᴀ' | 'ᵃ' => 'a',
        'ᵇ' => 'b',
        'ᴄ' | 'ᶜ' => 'c',
        'ᴅ' | 'ᵈ' => 'd',
        'ᴇ' | 'ᵉ' | 'ℯ' => 'e',
        'ꜰ' | 'ᶠ' => 'f',
        'ɢ' | 'ᵍ' | 'ℊ' => 'g',
        'ʜ' | 'ʰ' | 'ℎ' => 'h',
        'ɪ' | 'ⁱ' => 'i',
        'ᴊ' | 'ʲ' => 'j',
        'ᴋ' | 'ᵏ' => 'k',
        'ʟ' | 'ˡ' => 'l',
        'ᴍ' | 'ᵐ' => 'm',
        'ɴ' | 'ⁿ' => 'n',
        'ᴏ' | 'ᵒ' => 'o',
        'ᴘ' | 'ᵖ' => 'p',
        'ʀ' | 'ʳ' => 'r',
        'ꜱ' | 'ˢ' => 's',
        'ᴛ' | 'ᵗ' => 't',
        'ᴜ' | 'ᵘ' => 'u',
        'ᴠ' | 'ᵛ' => 'v',
        'ᴡ' | 'ʷ' => 'w',
        'ˣ' => 'x',
        'ʏ' | 'ʸ' => 'y',
        'ᴢ' | 'ᶻ' => 'z',
        'ℂ' => 'C',
        'ℍ' => 'H',
        'ℕ' => 'N',
        'ℙ' | 'Ƥ' => 'P',
        'ℚ' => 'Q',
        'ℝ' => 'R',
        'ℤ' => 'Z',
        _ => return Some(latin_base(c).unwrap_or(c)),
    };
    Some(ascii)
}

/// Whether an env var, a log key or a JSON field named `name` holds a credential under the
/// built-in rules ([`SENSITIVE_FRAGMENTS`], [`SENSITIVE_SUFFIXES`]).
#[cfg(test)]
pub fn name_is_sensitive(name: &str) -> bool {
    RedactSettings::default().is_sensitive(name)
}

/// The base letter of an accented Latin letter (`à`, `ş`, `ő`: Latin-1 and Latin
/// Extended-A), so `pàssword` is `PASSWORD`; `None` for any other character.
fn latin_base(c: char) -> Option<char> {
    // U+00C0..=U+00FF and U+0100..=U+017F, one base letter per code point ('.' for none).
    const LATIN1: &str = "AAAAAAACEEEEIIIIDNOOOOO.OUUUUY..aaaaaaaceeeeiiiidnooooo.ouuuuy.y";
    const EXT_A: &str = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi..JjKkkLlLlLlLlLlNnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    let u = u32::from(c);
    let (table, at) = match u {
        0xC0..=0xFF => (LATIN1, u - 0xC0),
        0x100..=0x17F => (EXT_A, u - 0x100),
        _ => return None,
    };
    let b = *table.as_bytes().get(usize::try_from(at).ok()?)?;
    (b != b'.').then_some(char::from(b))
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

/// Whether a field named `field` only names a credential (`secretName`, `tokenSecretRef`,
/// `passwordFile`) rather than holding one.
pub(super) fn names_a_credential(field: &str) -> bool {
    let n = normalise(field);
    NAMING_SUFFIXES.iter().any(|x| n.ends_with(x))
}

/// Name endings of settings that describe a credential without being one: a key's
/// `algorithm` and `size`, a token's `audience` and `ttl`.
const DESCRIBING_SUFFIXES: &[&str] = &[
    "ALGORITHM",
    "SIZE",
    "LENGTH",
    "ENCODING",
    "FORMAT",
    "POLICY",
    "AUDIENCE",
    "ISSUER",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "LIFETIME",
    "DURATION",
    "TIMEOUT",
    "ENABLED",
    "DISABLED",
    "COUNT",
    "USED",
    "LIMIT",
    "PROVIDER",
    "SCOPE",
    "SCOPES",
    "URL",
    "URI",
    "ENDPOINT",
];

/// Whether a name (normalised) only describes a credential (`TOKEN_TTL`, `AUTH_URL`,
/// `privateKey.algorithm`) or holds a sensitive fragment by accident (`ssl-passthrough`,
/// `bypass`): its value is shown. A webhook URL is the credential itself and stays hidden.
pub(super) fn describes_normalised(n: &str) -> bool {
    (DESCRIBING_SUFFIXES.iter().any(|s| n.ends_with(s)) && !n.contains("WEBHOOK"))
        || ["PASSTHROUGH", "BYPASS", "SURPASS", "COMPASS"]
            .iter()
            .any(|w| n.contains(w))
}

/// [`describes_normalised`] of a field name.
pub(super) fn describes_a_credential(field: &str) -> bool {
    describes_normalised(&normalise(field))
}

/// Whether a string field named `field` holds a credential: a sensitive name that does not
/// merely name one (see [`NAMING_SUFFIXES`]).
pub(super) fn is_credential_field(field: &str, s: &RedactSettings) -> bool {
    // The field names every object repeats thousands of times hold no sensitive fragment:
    // answer them without normalising (measured on a 10,000-pod list).
    if s.extra_fragments.is_empty() && plainly_safe(field) {
        return false;
    }
    is_credential_normalised(&normalise(field), s)
}

/// [`is_credential_field`] of a name already [`normalise`]d (the text pair scan has it): a
/// sensitive name that does not merely name a credential, and not a bare `key`.
pub(super) fn is_credential_normalised(n: &str, s: &RedactSettings) -> bool {
    n != "KEY"
        && n != "KEYS"
        && s.is_sensitive_normalised(n)
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
