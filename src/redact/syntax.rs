//! Credentials in the syntax of well-known tools, where the place of a word, not its name,
//! makes it a secret: SQL's `IDENTIFIED BY 'x'`, Oracle's `user/password@db`, netrc's
//! `login u password p`, `sshpass -p x`, `redis-cli -a x`, `requirepass x`, `mysql -px`,
//! `docker login -p x`, `htpasswd -b file user x`. In each pattern, group 1 (and group 2,
//! when there is one) is kept and the rest of the match becomes [`REDACTED`].

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_lite::{Captures, Regex};

use super::text::replace_cow;
use super::{REDACTED, RedactSettings, compile_or_never};

/// One tool's syntax: a pattern, and words (any case) one of which it cannot match without:
/// one pass over the text finds which syntaxes are worth their regex.
struct Syntax {
    needles: &'static [&'static str],
    pattern: &'static str,
}

/// The tool syntaxes.
const SYNTAXES: &[Syntax] = &[
    // CREATE USER … IDENTIFIED BY 'x' / IDENTIFIED WITH plugin BY 'x' (MySQL, Oracle).
    Syntax {
        needles: &["identified"],
        pattern: r#"(?i)(\bidentified\s+(?:with\s+[a-z_]+\s+)?by\s+(?:password\s+)?)(?:'[^']*'|"[^"]*")"#,
    },
    // Oracle's unquoted form, in SQL's upper case only ("request identified by id 42" is prose).
    Syntax {
        needles: &["identified"],
        pattern: r"(\bIDENTIFIED\s+BY\s+)[^\s;'\x22]+",
    },
    // Oracle: jdbc:oracle:thin:user/pass@host, sqlplus user/pass@db, CONNECT user/pass@db,
    // rman target user/pass@db, expdp user/pass@db.
    Syntax {
        needles: &[
            "jdbc:oracle",
            "sqlplus",
            "conn",
            "rman",
            "dgmgrl",
            "expdp",
            "impdp",
            "exp ",
            "imp ",
        ],
        pattern: r#"(?i)(\b(?:jdbc:oracle:[a-z]+:|sqlplus(?:\s+-[a-z]+)*\s+|conn(?:ect)?\s+|(?:rman|dgmgrl)\s+(?:target\s+)?|(?:expdp|impdp|exp|imp)\s+(?:userid=)?)["']?[a-z0-9_$#.]+/)[^\s@/"']+(@)"#,
    },
    // EZConnect without a tool name: user/pass@//host:1521/service.
    Syntax {
        needles: &["@//"],
        pattern: r"(\b[A-Za-z][A-Za-z0-9_$#.]*/)[^\s@/]+(@//)",
    },
    // netrc: machine h login u password p (on one line; a line of its own is a directive).
    Syntax {
        needles: &["login"],
        pattern: r"(?i)(\blogin\s+\S+\s+(?:password|passwd)\s+)\S+",
    },
    // Redis: requirepass x, masterauth x (redis.conf, CONFIG SET), redis-cli -a x.
    Syntax {
        needles: &["requirepass"],
        pattern: r#"(?i)(\brequirepass\s+)(?:"[^"]*"|'[^']*'|\S+)"#,
    },
    Syntax {
        needles: &["masterauth"],
        pattern: r#"(?i)(\bmasterauth\s+)(?:"[^"]*"|'[^']*'|\S+)"#,
    },
    Syntax {
        needles: &["redis-cli"],
        pattern: r"(\bredis-cli\b[^\n|;&]*?\s(?:-a|--pass)\s+)\S+",
    },
    // sshpass -p x.
    Syntax {
        needles: &["sshpass"],
        pattern: r"(\bsshpass\b[^\n|;&]*?\s-p\s*)\S+",
    },
    // mysql -pSECRET (the password glued to -p; a bare -p prompts).
    Syntax {
        needles: &["mysql"],
        pattern: r"(\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlsh)\b[^\n|;&]*?\s-p)[^\s\-]\S*",
    },
    Syntax {
        needles: &["mariadb"],
        pattern: r"(\bmariadb\b[^\n|;&]*?\s-p)[^\s\-]\S*",
    },
    // docker/podman/helm registry login -p x.
    Syntax {
        needles: &["login"],
        pattern: r"(\blogin\b[^\n|;&]*?\s-p\s+)\S+",
    },
    // A password stored with its scheme (Dovecot, OpenLDAP): `admin:{PLAIN}x`, `{SSHA}x`.
    Syntax {
        needles: &[
            "{plain", "{clear", "{md5", "{smd5", "{sha", "{ssha", "{blf-", "{crypt", "{argon",
            "{pbkdf", "{ntlm", "{ldap-", "{cram-", "{digest-",
        ],
        pattern: r"(\{(?:PLAIN|CLEAR|CLEARTEXT|PLAIN-MD5|CRAM-MD5|DIGEST-MD5|MD5|SMD5|SHA|SSHA|SHA256|SSHA256|SHA512|SSHA512|BLF-CRYPT|SHA256-CRYPT|SHA512-CRYPT|MD5-CRYPT|CRYPT|ARGON2I|ARGON2ID|PBKDF2|NTLM|LDAP-MD5)(?:\.[A-Za-z0-9]+)?\})[^\s\x22',;]+",
    },
    // Go's MySQL DSN: user:password@tcp(host:3306)/db (no scheme for the URL shape).
    Syntax {
        needles: &["@tcp(", "@unix(", "@udp("],
        pattern: r"(\b[A-Za-z0-9_.-]+:)[^\s@/:\x22']+(@(?:tcp|unix|udp)\()",
    },
    // aws configure set aws_secret_access_key x.
    Syntax {
        needles: &["configure set"],
        pattern: r"(?i)(\baws\s+configure\s+set\s+\S*(?:secret|token|key)\S*\s+)\S+",
    },
    // MySQL: SET PASSWORD FOR 'app'@'%' = 'x'.
    Syntax {
        needles: &["set password"],
        pattern: r#"(?i)(\bset\s+password\b[^=\n]*=\s*)(?:'[^']*'|"[^"]*"|[^\s;]+)"#,
    },
    // Redis AUTH [user] x and SMTP AUTH PLAIN x, as the last words of a line (upper case:
    // "auth failed for bob" is prose); `"AUTH" "x"` as redis-cli echoes it.
    Syntax {
        needles: &["auth "],
        pattern: r"(\bAUTH\s+(?:[A-Za-z0-9_@.-]+\s+)?)[^\s\x22]+(\s*)$",
    },
    Syntax {
        needles: &["\"auth\""],
        pattern: r#"("AUTH"\s+(?:"[^"]*"\s+)?)"[^"]*""#,
    },
    // IMAP: a001 LOGIN user password.
    Syntax {
        needles: &["login "],
        pattern: r"(\b[A-Za-z0-9]+\s+LOGIN\s+\S+\s+)\S+",
    },
    // MongoDB shell: db.auth("user", "x").
    Syntax {
        needles: &[".auth("],
        pattern: r#"(\.auth\(\s*["'][^"']*["']\s*,\s*)["'][^"']*["']"#,
    },
    // smbclient -U user%password.
    Syntax {
        needles: &["-u "],
        pattern: r"(\s-U\s+[^\s%]+%)\S+",
    },
    // echo x | docker login --password-stdin.
    Syntax {
        needles: &["password-stdin"],
        pattern: r#"(\becho\s+)(?:'[^']*'|"[^"]*"|[^\s|'"]+)(\s*\|)"#,
    },
    // openssl enc -k x, vault login x.
    Syntax {
        needles: &["openssl"],
        pattern: r"(\bopenssl\b[^\n|;&]*?\s-k\s+)\S+",
    },
    Syntax {
        needles: &["vault login"],
        pattern: r"(\bvault\s+login\s+)[^\s-]\S*",
    },
    // Erlang/Elixir terms: {default_pass, <<"x">>}, [{password, "x"}].
    Syntax {
        needles: &[
            "{pass",
            "{ pass",
            "{default_pass",
            "{password",
            "{secret",
            "{ secret",
            "{token",
            "{ token",
            "_pass,",
            "password,",
        ],
        pattern: r#"(?i)(\{\s*[a-z_]*(?:pass|password|secret|token)[a-z_]*\s*,\s*)(?:<<"[^"]*">>|"[^"]*"|'[^']*'|[^\s,}]+)"#,
    },
    // Proxy settings: bob:x@proxy.corp:3128 (no scheme).
    Syntax {
        needles: &["@"],
        pattern: r"(\b[A-Za-z0-9._-]+:)[^\s@/:\x22']+(@[A-Za-z0-9.-]+:\d{2,5}\b)",
    },
    // Prose that says a password: `the password is 'x'`, `the password for user 'u' is "x"`
    // (quoted only: "the password is wrong" is not one).
    // (Its needle is the quoted value after "is", which the pattern needs: a line of a
    // thousand `"password":` keys must not run this pattern from each of them.)
    Syntax {
        needles: &["is '", "is \""],
        pattern: r#"(?i)(\b(?:password|passwd|passphrase|secret|token)\b(?:[^'"\n]|'[^'\n]*'|"[^"\n]*"){0,60}?\bis\s+)(?:'[^'\n]*'|"[^"\n]*")"#,
    },
    // .NET and HTTP client credentials as positional arguments: NetworkCredential("u", "x"),
    // HTTPBasicAuth('u', 'x'), DirectoryEntry("LDAP://…", "u", "x").
    Syntax {
        needles: &[
            "credential(",
            "basicauth(",
            "credentials(",
            "authentication(",
        ],
        pattern: r#"(\b(?:NetworkCredential|HTTPBasicAuth|HttpBasicAuth|BasicAuth|UsernamePasswordCredentials|PasswordAuthentication)\s*\(\s*(?:"[^"]*"|'[^']*')\s*,\s*)(?:"[^"]*"|'[^']*')"#,
    },
    Syntax {
        needles: &["directoryentry("],
        pattern: r#"(\bDirectoryEntry\s*\(\s*(?:"[^"]*"|'[^']*')\s*,\s*(?:"[^"]*"|'[^']*')\s*,\s*)(?:"[^"]*"|'[^']*')"#,
    },
    // htpasswd -b[B…] file user password.
    Syntax {
        needles: &["htpasswd"],
        pattern: r"(\bhtpasswd\s+(?:-[a-zA-Z]+\s+)*-[a-zA-Z]*b[a-zA-Z]*\s+\S+\s+\S+\s+)\S+",
    },
    // ldapsearch/ldapmodify … -w x.
    Syntax {
        needles: &["ldap"],
        pattern: r"(\bldap[a-z]*\b[^\n|;&]*?\s-w\s+)\S+",
    },
    // PowerShell: ConvertTo-SecureString [-String] "x" -AsPlainText (a script's trace).
    Syntax {
        needles: &["convertto-securestring"],
        pattern: r#"(?i)(\bConvertTo-SecureString\s+(?:-String\s+)?)(?:"[^"]*"|'[^']*'|[^\s$-][^\s]*)(\s+-AsPlainText)"#,
    },
];

fn compiled() -> &'static [Regex] {
    static R: OnceLock<Vec<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        SYNTAXES
            .iter()
            .map(|s| compile_or_never(s.pattern))
            .collect()
    })
}

/// A `.pgpass` line (`host:port:db:user:password`) with its password hidden.
fn pgpass(line: &str) -> Option<String> {
    if line.len() > 512 || line.bytes().filter(|&b| b == b':').count() != 4 {
        return None;
    }
    if line.contains(char::is_whitespace) || line.contains('/') {
        return None;
    }
    let parts: Vec<&str> = line.split(':').collect();
    let port = parts.get(1)?;
    let numeric = *port == "*" || (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    (parts.len() == 5 && numeric && !parts[4].is_empty())
        .then(|| format!("{}:{REDACTED}", parts[..4].join(":")))
}

/// A header set by a web server's or proxy's configuration (`proxy_set_header X-Api-Key
/// "x";`, haproxy `http-request set-header`, Apache `RequestHeader set`) with a sensitive
/// header name: its value hidden.
fn headers(text: &str, lower: &str, settings: &RedactSettings) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    if ![
        "proxy_set_header",
        "add_header",
        "set-header",
        "add-header",
        "requestheader",
    ]
    .iter()
    .any(|n| lower.contains(n))
    {
        return None;
    }
    let re = RE.get_or_init(|| {
        compile_or_never(
            r#"(?i)((?:proxy_set_header|more_set_headers|add_header|set-header|add-header|requestheader\s+(?:set|add|append))\s+["']?)([A-Za-z0-9_-]+)(["']?\s+)("[^"]*"|'[^']*'|[^\s;]+)"#,
        )
    });
    let mut changed = false;
    let out = re.replace_all(text, |c: &Captures| {
        let g = |i| c.get(i).map_or("", |m| m.as_str());
        if settings.is_sensitive(g(2)) {
            changed = true;
            format!("{}{}{}{REDACTED}", g(1), g(2), g(3))
        } else {
            g(0).to_string()
        }
    });
    changed.then(|| out.into_owned())
}

/// Which of [`SYNTAXES`] have a needle in `lower` (the text lower-cased; bit i for syntax
/// i): a substring search per needle (std's, with its SIMD prefilter).
fn present(lower: &str) -> u64 {
    SYNTAXES
        .iter()
        .enumerate()
        .filter(|(_, x)| x.needles.iter().any(|n| lower.contains(n)))
        .fold(0, |mask, (i, _)| mask | 1u64 << i)
}

/// `text` with the secrets of every tool syntax it holds hidden.
pub(super) fn tools<'a>(text: Cow<'a, str>, settings: &RedactSettings) -> Cow<'a, str> {
    let text = match pgpass(&text) {
        Some(r) => Cow::Owned(r),
        None => text,
    };
    // Every other syntax is a command line (a space), an `@` or a `{SCHEME}`: a timestamp,
    // an image name or a path (most strings of an object) has none, and costs one byte scan.
    if text.len() < 3 || !text.bytes().any(|b| matches!(b, b' ' | b'@' | b'{')) {
        return text;
    }
    let lower = text.to_ascii_lowercase();
    let text = match headers(&text, &lower, settings) {
        Some(r) => Cow::Owned(r),
        None => text,
    };
    let present = present(&lower);
    if present == 0 {
        return text;
    }
    let mut out = text;
    for (i, (_, re)) in SYNTAXES.iter().zip(compiled()).enumerate() {
        if present & (1u64 << i) == 0 {
            continue;
        }
        out = replace_cow(out, re, |c: &Captures| {
            let keep = |i| c.get(i).map_or("", |m| m.as_str());
            format!("{}{REDACTED}{}", keep(1), keep(2))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_syntax_hides_its_secret_and_keeps_its_shape() {
        for (input, secret, kept) in [
            (
                "CREATE USER app IDENTIFIED BY 'Tr0ub4dor';",
                "Tr0ub4dor",
                "IDENTIFIED BY ",
            ),
            (
                "ALTER USER x IDENTIFIED WITH mysql_native_password BY \"pw9\"",
                "pw9",
                "BY ",
            ),
            (
                "jdbc:oracle:thin:scott/tiger9@db.example:1521/ORCL",
                "tiger9",
                "scott/",
            ),
            ("sqlplus -s system/Manager1@prod", "Manager1", "system/"),
            ("connect app/S3cret@//db:1521/svc", "S3cret", "app/"),
            (
                "machine api.example.com login bob password hunter22",
                "hunter22",
                "login bob",
            ),
            ("requirepass \"foo bar\"", "foo bar", "requirepass "),
            ("masterauth s3cr3tauth", "s3cr3tauth", "masterauth"),
            ("redis-cli -h cache -a rEd1spass ping", "rEd1spass", "-a "),
            ("sshpass -p 'sup3r' ssh root@host", "sup3r", "sshpass -p"),
            ("mysql -u root -pMyS3cret db", "MyS3cret", "-p"),
            (
                "docker login -u me -p dckr-pass registry.example",
                "dckr-pass",
                "-p ",
            ),
            (
                "htpasswd -b /etc/htpasswd admin Adm1nPw",
                "Adm1nPw",
                "admin ",
            ),
            (
                "ldapsearch -x -D cn=admin -w LdapPw1 -b dc=x",
                "LdapPw1",
                "-w ",
            ),
            (
                "$p = ConvertTo-SecureString \"Ps3cret\" -AsPlainText -Force",
                "Ps3cret",
                "ConvertTo-SecureString ",
            ),
        ] {
            let out = tools(Cow::Borrowed(input), &RedactSettings::default());
            assert!(!out.contains(secret), "{input} → {out}");
            assert!(out.contains(kept), "{input} → {out}");
        }
    }

    #[test]
    fn ordinary_lines_with_the_tools_names_stay() {
        for input in [
            "user logged in from 10.0.0.1",
            "image registry/app@sha256:abcd",
            "mysql -u root -p db",
            "GET /login?next=/home 200",
            "connection identified by id 42",
        ] {
            assert_eq!(
                tools(Cow::Borrowed(input), &RedactSettings::default()),
                input
            );
        }
    }
}
