//! Credential shapes as data: one row per credential family (a provider token, a password
//! hash, a scheme-prefixed password), one engine that finds them all in a single pass, and
//! the generic high-entropy rule with the known non-secret shapes it must leave alone.
//!
//! A row is a literal prefix (kept in the output, so `ghp_<redacted>` still tells an
//! investigator what kind of token was there), a charset, a length range for the secret
//! part after the prefix, and optionally a context keyword that must occur somewhere in the
//! text (case-insensitive) — for families that have no prefix of their own (`sonar` + 40
//! hex). Adding a family is adding a row with an example and a non-example; the unit test
//! below walks the table.
//!
//! Why not regexes: most strings carry none of these marks, and a regex per family made
//! every string pay for every family. Here a string costs one byte scan (a bit set of the
//! byte pairs that start a needle, in the spirit of [`super::text::contains_any`]), and only
//! the rows whose needle is really there are read further.

use std::sync::OnceLock;

use super::text::looks_like_path;
use super::{REDACTED, RedactSettings};

/// Which bytes the secret part of a shape is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charset {
    /// `A-Z a-z 0-9`
    Alnum,
    /// `A-Z a-z 0-9 _`
    AlnumUnderscore,
    /// `A-Z a-z 0-9 -`
    AlnumDash,
    /// base64url: `A-Z a-z 0-9 _ -`
    Base64Url,
    /// `0-9 a-f A-F`
    Hex,
    /// `0-9 a-f`
    LowerHex,
    /// `a-z 0-9`
    LowerAlnum,
    /// `A-Z 0-9`
    UpperAlnum,
    /// `a-z 0-9 -` (a Mailchimp key's `-us13` data-centre suffix)
    LowerAlnumDash,
    /// `0-9 a-f A-F -` (a UUID)
    Uuid,
    /// crypt(3) and PHC strings: `A-Z a-z 0-9 . / $ = , + -`
    Crypt,
    /// Kerberos hashes (`$krb5tgs$23$*user$REALM$spn*$…`): crypt plus `: @ * _ -`
    Kerberos,
    /// The path of a webhook URL: `A-Z a-z 0-9 @ / . _ -`
    UrlPath,
    /// A URL query value, percent-escapes included: `A-Z a-z 0-9 % + / = . _ - ~`
    UrlValue,
    /// Dotted tokens (`dp.st.dev.…`, `dt0c01.….…`): `A-Z a-z 0-9 . _ -`
    Dotted,
    /// Anything up to whitespace, a quote, a backslash or `<`/`>` (a password after
    /// `{PLAIN}` may hold any character).
    Word,
}

impl Charset {
    /// Whether `b` belongs to the charset.
    pub(super) fn allows(self, b: u8) -> bool {
        let alnum = b.is_ascii_alphanumeric();
        match self {
            Charset::Alnum => alnum,
            Charset::AlnumUnderscore => alnum || b == b'_',
            Charset::AlnumDash => alnum || b == b'-',
            Charset::Base64Url => alnum || b == b'_' || b == b'-',
            Charset::Hex => b.is_ascii_hexdigit(),
            Charset::LowerHex => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Charset::LowerAlnum => b.is_ascii_digit() || b.is_ascii_lowercase(),
            Charset::UpperAlnum => b.is_ascii_digit() || b.is_ascii_uppercase(),
            Charset::LowerAlnumDash => b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-',
            Charset::Uuid => b.is_ascii_hexdigit() || b == b'-',
            Charset::Crypt => alnum || b"./$=,+-".contains(&b),
            Charset::Kerberos => alnum || b"./$=,+:@*_-".contains(&b),
            Charset::UrlPath => alnum || b"@/._-".contains(&b),
            Charset::UrlValue => alnum || b"%+/=._-~".contains(&b),
            Charset::Dotted => alnum || b"._-".contains(&b),
            Charset::Word => (b.is_ascii_graphic() && !b"\"'`\\<>".contains(&b)) || b >= 0x80,
        }
    }
}

/// One credential family.
#[derive(Debug, Clone, Copy)]
// `family`, `example` and `non_example` are read by the table's tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct Shape {
    /// The family, for tests and for whoever reads the table.
    pub(super) family: &'static str,
    /// The literal the credential starts with, kept in the output; empty for a
    /// context-only shape.
    pub(super) prefix: &'static str,
    /// What the secret part after the prefix is made of.
    pub(super) charset: Charset,
    /// Shortest secret part.
    pub(super) min: usize,
    /// Longest secret part (a longer run is another thing, not this credential).
    pub(super) max: usize,
    /// A word (ASCII, lower case, matched case-insensitively) that must occur in the text.
    pub(super) context: Option<&'static str>,
    /// A text holding the credential: hidden by the table (its last 8 bytes are secret).
    pub(super) example: &'static str,
    /// A text close to the credential that is not one: left unchanged.
    pub(super) non_example: &'static str,
}

use Charset::*;

/// Longest secret part of the open-ended families.
const ANY: usize = 4096;

/// The credential families. One row per line, so the table reads as a table.
#[rustfmt::skip]
pub(super) const SHAPES: &[Shape] = &[
    // GitHub (classic, OAuth, user-to-server, server-to-server, refresh, fine-grained).
    row("GitHub personal access token", "ghp_", Alnum, 20, 255, None, "GITHUB=ghp_XIxB7KMNdAr3zqWtQqhE94qglHqOzn1D1stg", "ghp_short"),
    row("GitHub OAuth token", "gho_", Alnum, 20, 255, None, "oauth_token: gho_fq75OMU7UVbS9pTZmoCCzJT6TM5d1w099FgG", "gho_"),
    row("GitHub user-to-server token", "ghu_", Alnum, 20, 255, None, "ghu_16C7e42F292c69C2E7C10c838347Ae178B4a", "aghu_16C7e42F292c69C2E7C10c838347Ae178B4a"),
    row("GitHub server-to-server token", "ghs_", Alnum, 20, 255, None, "git clone http://ghs_RguXIkihJjwHAP6eXEYxaPNvywurTr5IOAbg", "ghs_x"),
    row("GitHub refresh token", "ghr_", Alnum, 20, 255, None, "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498", "ghr_"),
    row("GitHub fine-grained token", "github_pat_", AlnumUnderscore, 20, 255, None, "github_pat_11ABCDEFG0abcdefghijklmnop_qrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX", "github_pat_x"),
    // Slack tokens and webhooks.
    row("Slack bot token", "xoxb-", AlnumDash, 10, 255, None, "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-1"),
    row("Slack user token", "xoxp-", AlnumDash, 10, 255, None, "xoxp-123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef", "xoxp-"),
    row("Slack app token", "xoxa-", AlnumDash, 10, 255, None, "xoxa-2-123456789012-AbCdEfGhIjKl", "xoxa"),
    row("Slack legacy token", "xoxo-", AlnumDash, 10, 255, None, "xoxo-123456789012-AbCdEfGhIjKl", "xoxo"),
    row("Slack session token", "xoxs-", AlnumDash, 10, 255, None, "xoxs-123456789012-AbCdEfGhIjKl", "xoxs"),
    row("Slack refresh token", "xoxr-", AlnumDash, 10, 255, None, "xoxr-123456789012-AbCdEfGhIjKl", "xoxr"),
    row("Slack configuration token", "xoxe.xoxp-", AlnumDash, 10, 255, None, "xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkw", "xoxe."),
    row("Slack app-level token", "xapp-", AlnumDash, 20, 255, None, "xapp-1-A0123456789-1234567890123-0123456789abcdef", "xapp-1"),
    row("Slack webhook", "hooks.slack.com/services/", UrlPath, 20, 255, None, "https://hooks.slack.com/services/T01234567/B0123456789/AbCdEfGhIjKlMnOpQrStUvWx", "https://hooks.slack.com/services/"),
    // Stripe.
    row("Stripe secret key", "sk_live_", Alnum, 10, 255, None, "STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_"),
    row("Stripe test secret key", "sk_test_", Alnum, 10, 255, None, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_x"),
    row("Stripe restricted key", "rk_live_", Alnum, 10, 255, None, "rk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_"),
    row("Stripe test restricted key", "rk_test_", Alnum, 10, 255, None, "rk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_"),
    row("Stripe webhook secret", "whsec_", Alnum, 24, 255, None, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_x"),
    // GitLab.
    row("GitLab personal access token", "glpat-", Base64Url, 20, 255, None, "glpat-x1y2z3A4B5C6D7E8F9G0", "glpat-short"),
    row("GitLab pipeline trigger token", "glptt-", Hex, 40, 40, None, "glptt-0123456789abcdef0123456789abcdef01234567", "glptt-0123"),
    row("GitLab runner token", "glrt-", Base64Url, 20, 255, None, "glrt-x1y2z3A4B5C6D7E8F9G0", "glrt-x"),
    row("GitLab deploy token", "gldt-", Base64Url, 20, 255, None, "gldt-x1y2z3A4B5C6D7E8F9G0", "gldt-x"),
    row("GitLab runner registration token", "GR1348941", Base64Url, 20, 255, None, "GR1348941x1y2z3A4B5C6D7E8F9G0", "GR1348941"),
    // Package registries.
    row("npm token", "npm_", Alnum, 30, 255, None, "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_install"),
    row("PyPI token", "pypi-AgEIcHlwaS5vcmc", Base64Url, 50, ANY, None, "pypi-AgEIcHlwaS5vcmcCJDk2ZTk0NmFhLWE5MzYtNDNmZS04YmIwLTQzNDdhNGQwZTkwNwACKlszLCJlZTI5", "pypi-AgEIcHlwaS5vcmc"),
    row("RubyGems key", "rubygems_", Hex, 48, 48, None, "rubygems_0123456789abcdef0123456789abcdef0123456789abcdef", "rubygems_x"),
    row("NuGet key", "oy2", LowerAlnum, 43, 43, None, "nuget push x.nupkg oy2dgb333j35kjjybcf99yzxo7hjyloera4anxn4ivcvle", "oy2abc"),
    row("crates.io token", "cio", Alnum, 32, 32, None, "cioAbCdEfGhIjKlMnOpQrStUvWx01234567", "ciotoo"),
    row("Docker Hub token", "dckr_pat_", Base64Url, 27, 27, None, "dckr_pat_AbCdEfGhIjKlMnOpQrStUvWxYz0", "dckr_pat_x"),
    // Cloud and SaaS providers.
    row("Google API key", "AIza", Base64Url, 35, 35, None, "key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "AIzaShort"),
    row("Google OAuth client secret", "GOCSPX-", Base64Url, 28, 28, None, "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", "GOCSPX-x"),
    row("Google OAuth access token", "ya29.", Base64Url, 20, ANY, None, "Bearer ya29.a0AfH6SMBx3abcdefghijklmnopqrstuvwxyz", "ya29.1"),
    row("Anthropic API key", "sk-ant-", Base64Url, 80, 200, None, "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyzA-AA", "sk-ant-x"),
    row("OpenAI project key", "sk-proj-", Base64Url, 40, 255, None, "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH", "sk-proj-x"),
    row("OpenAI API key", "sk-", Alnum, 48, 48, None, "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL", "disk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"),
    row("Groq API key", "gsk_", Alnum, 50, 54, None, "gsk_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN", "gsk_x"),
    row("Hugging Face token", "hf_", Alnum, 34, 34, None, "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "hf_x"),
    row("Databricks token", "dapi", Hex, 32, 34, None, "dapif21ee53d2b3648c2a1ed38953312a203", "dapper"),
    row("DigitalOcean OAuth token", "doo_v1_", Hex, 64, 64, None, "doo_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "doo_v1_x"),
    row("DigitalOcean personal token", "dop_v1_", Hex, 64, 64, None, "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "dop_v1_x"),
    row("DigitalOcean refresh token", "dor_v1_", Hex, 64, 64, None, "dor_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "dor_v1_x"),
    row("Doppler CLI token", "dp.ct.", Alnum, 40, 44, None, "dp.ct.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.ct.x"),
    row("Doppler personal token", "dp.pt.", Alnum, 40, 44, None, "dp.pt.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.pt.x"),
    row("Doppler service token", "dp.st.", Dotted, 40, 80, None, "dp.st.dev.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.st.x"),
    row("Doppler service account token", "dp.sa.", Alnum, 40, 44, None, "dp.sa.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.sa.x"),
    row("Doppler SCIM token", "dp.scim.", Alnum, 40, 44, None, "dp.scim.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.scim.x"),
    row("Doppler audit token", "dp.audit.", Alnum, 40, 44, None, "dp.audit.bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi", "dp.audit.x"),
    row("HashiCorp Vault service token", "hvs.", Base64Url, 24, 255, None, "VAULT=hvs.CAESIJ1a2b3c4d5e6f7g8h9i0jKLMNOPQRST", "hvs.x"),
    row("HashiCorp Vault batch token", "hvb.", Base64Url, 24, 500, None, "hvb.AAAAAQJ1a2b3c4d5e6f7g8h9i0jKLMNOPQRST", "hvb.x"),
    row("HashiCorp Vault recovery token", "hvr.", Base64Url, 24, 255, None, "hvr.CAESIJ1a2b3c4d5e6f7g8h9i0jKLMNOPQRST", "hvr.x"),
    row("Azure DevOps PAT", "", LowerAlnum, 52, 52, Some("ado_pat"), "ado_pat = \"iyfmob6xjrfmit67anxbot64umfx2clwx7dz5ynxi4q2z3uqegvq\"", "ado_pat = \"short1\""),
    row("Azure DevOps PAT (new format)", "", Alnum, 84, 84, Some("azdo"), "t=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDAZDOabcd", "azdo 1234"),
    row("Azure storage account key", "AccountKey=", Crypt, 20, 120, None, "AccountName=x;AccountKey=6jqh42QQjWWBwoPGGR/Jr0PZjhBMZVbHm/gkhEfHvOj8aV6+oI8ed6ZAAwB5a6993WqyQDiuJJB0QpseJwqYxw==", "AccountKey="),
    row("Azure shared access key", "SharedAccessKey=", Crypt, 20, 120, None, "SharedAccessKeyName=x;SharedAccessKey=S8ii67l3Gd1Ba69az78iP9UksewzhjvUfh1DIuDs30w=", "SharedAccessKey="),
    row("Azure SAS signature", "sig=", UrlValue, 20, 200, None, "https://x.blob.core.windows.net/c?sv=2020&sig=AbCdEfGhIjKlMnOpQrStUvWx0123456789%2B%3D", "sig=short"),
    row("SendGrid key", "SG.", Base64Url, 22, 22, None, "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", "SG.x"),
    row("SendGrid key secret", "SG.", Dotted, 66, 70, None, "SENDGRID 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", "SG.abc.def"),
    row("Twilio API key", "SK", Hex, 32, 32, Some("twilio"), "twilio key SK0123456789abcdef0123456789abcdef", "SK0123456789abcdef0123456789abcdef"),
    row("Mailgun key", "key-", LowerAlnum, 32, 32, Some("mailgun"), "MAILGUN || 'key-46cebd38c59ac222e6cf991581411eaf'", "key-46cebd38c59ac222e6cf991581411eaf"),
    row("Mailchimp key", "", LowerAlnumDash, 35, 37, Some("mailchimp"), "MAILCHIMP_API='bd3777708aecfee66c5335f62a6246a4-us13'", "bd3777708aecfee66c5335f62a6246a4-us13"),
    row("Postmark server token", "", Uuid, 36, 36, Some("postmark"), "postmark: \"f59dffd2-83ea-47c7-ba8f-95e053a6d0ae\"", "uid: f59dffd2-83ea-47c7-ba8f-95e053a6d0ae"),
    row("Shopify access token", "shpat_", Hex, 32, 32, None, "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", "shpat_x"),
    row("Shopify custom app token", "shpca_", Hex, 32, 32, None, "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", "shpca_x"),
    row("Shopify private app token", "shppa_", Hex, 32, 32, None, "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", "shppa_x"),
    row("Shopify shared secret", "shpss_", Hex, 32, 32, None, "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", "shpss_x"),
    row("Square access token", "sq0atp-", Base64Url, 22, 22, None, "sq0atp-qUlZzae8wVMc5P5NZdf5DA", "sq0atp-x"),
    row("Square OAuth secret", "sq0csp-", Base64Url, 43, 43, None, "sq0csp-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "sq0csp-x"),
    row("Square access token (EAAA)", "EAAA", Base64Url, 60, 60, Some("square"), "square: EAAAl0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW", "EAAAl0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"),
    row("Sourcegraph token", "sgp_", AlnumUnderscore, 40, 70, None, "sgp_fd1b4edb60bf82b8_a70aabf5f685734b19792789feeb73c6393cd02e", "sgp_x"),
    row("SonarQube token", "squ_", Hex, 40, 40, None, "squ_5524bf449ca45fcace54698371466398321f3a82", "squ_x"),
    row("SonarQube project token", "sqp_", Hex, 40, 40, None, "sqp_5524bf449ca45fcace54698371466398321f3a82", "sqp_x"),
    row("SonarQube analysis token", "sqa_", Hex, 40, 40, None, "sqa_5524bf449ca45fcace54698371466398321f3a82", "sqa_x"),
    row("SonarQube login", "", LowerHex, 40, 40, Some("sonar"), "-Dsonar.login=5524bf449ca45fcace54698371466398321f3a82", "commit 5524bf449ca45fcace54698371466398321f3a82"),
    row("New Relic user key", "NRAK-", UpperAlnum, 27, 27, None, "NRAK-CIH1YVYWKA9ZP6E49WP5XYJH1G9", "NRAK-X"),
    row("New Relic admin key", "NRAA-", Hex, 27, 27, None, "NRAA-0123456789abcdef012345678ab", "NRAA-X"),
    row("New Relic insights insert key", "NRII-", Base64Url, 32, 32, None, "NRII-0123456789abcdef0123456789abcdef", "NRII-X"),
    row("New Relic insights query key", "NRIQ-", Base64Url, 32, 32, None, "NRIQ-0123456789abcdef0123456789abcdef", "NRIQ-X"),
    row("New Relic REST key", "NRRA-", Hex, 42, 42, None, "NRRA-0123456789abcdef0123456789abcdef0123456789", "NRRA-X"),
    row("Postman key", "PMAK-", AlnumDash, 59, 59, None, "PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01", "PMAK-x"),
    row("Atlassian API token", "ATATT3xFfGF0", Crypt, 20, 255, None, "ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz0123456789=0123ABCD", "ATATT3xFfGF0"),
    row("Bitbucket app password", "ATBB", Alnum, 32, 32, None, "ATBBabcdefghijklmnopqrstuvwxyz012345", "ATBBx"),
    row("age secret key", "AGE-SECRET-KEY-1", UpperAlnum, 58, 58, None, "AGE-SECRET-KEY-1HJCRJVK7EE3A5N8CRP8YSEUGZKNW90Y5UR2RGYAS8L279LFP6LCQU5ADNR", "AGE-SECRET-KEY-1"),
    row("Adafruit IO key", "aio_", Alnum, 28, 28, None, "aio_abcdefghijklmnopqrstuvwx0123", "aio_x"),
    row("Adobe client secret", "p8e-", AlnumDash, 32, 32, None, "p8e-abcdefghijklmnopqrstuvwxyz012345", "p8e-x"),
    row("AWS AppSync key", "da2-", LowerAlnum, 26, 26, None, "da2-abcdefghijklmnopqrstuvwxyz", "da2-x"),
    row("Dropbox token", "sl.", Base64Url, 130, 152, None, "sl.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789abcdefgh", "sl.x"),
    row("Dynatrace token", "dt0c01.", Dotted, 80, 100, None, "dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "dt0c01.x"),
    row("Grafana Cloud token", "glc_", Base64Url, 32, ANY, None, "glc_eyJrIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU2Nzg5In0", "glc_x"),
    row("Grafana service account token", "glsa_", AlnumUnderscore, 41, 41, None, "glsa_abcdefghijklmnopqrstuvwxyz012345_0123abcd", "glsa_x"),
    row("Grafana API key", "eyJrIjoi", Alnum, 60, 100, None, "eyJrIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU2Nzg5In0YWJjZGVmZ2hpamtsbW5", "eyJrIjoi"),
    row("Jina key", "jina_", Alnum, 60, 60, None, "jina_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX", "jina_x"),
    row("Tavily key", "tvly-", Alnum, 32, 32, None, "tvly-abcdefghijklmnopqrstuvwxyz012345", "tvly-x"),
    row("Firecrawl key", "fc-", LowerHex, 32, 32, None, "fc-0123456789abcdef0123456789abcdef", "fc-x"),
    row("Dependency-Track key", "odt_", Alnum, 32, 255, None, "odt_abcdefghijklmnopqrstuvwxyz012345", "odt_x"),
    row("StackHawk key", "hawk.", Dotted, 41, 41, None, "hawk.abcdefghijklmnopqrst.abcdefghijklmnopqrst", "hawk.x"),
    row("Twitch stream key", "live_", AlnumUnderscore, 40, 50, None, "live_123456789_abcdefghijklmnopqrstuvwxyz0123", "live_x"),
    row("Facebook access token", "EAACEdEose0cBA", Alnum, 20, ANY, None, "EAACEdEose0cBAabcdefghijklmnopqrstuvwxyz0123", "EAACEdEose0cBA"),
    row("Microsoft Teams webhook", "outlook.office.com/webhook/", UrlPath, 60, 255, None, "https://outlook.office.com/webhook/9da5da9c-4218-4c22-aed6-b5c8baebfff5@2f2b54b7-0141-4ba7-8fcd-ab7d17a60547/IncomingWebhook/1bf66ccbb8e745e791fa6e6de0cf465b/4361420b-8fde-48eb-b62a-0e34fec63f5c", "https://outlook.office.com/webhook/"),
    row("Microsoft Teams webhook (webhookb2)", "webhook.office.com/webhookb2/", UrlPath, 60, 255, None, "https://acme.webhook.office.com/webhookb2/9da5da9c-4218-4c22-aed6-b5c8baebfff5@2f2b54b7-0141-4ba7-8fcd-ab7d17a60547/IncomingWebhook/1bf66ccbb8e745e7/4361420b", "webhook.office.com/webhookb2/"),
    row("Discord webhook", "discord.com/api/webhooks/", UrlPath, 40, 255, None, "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "discord.com/api/webhooks/"),
    // Context-only families: a bare run of the charset, in a text that names the provider.
    row("Jenkins crumb or token", "", LowerHex, 32, 36, Some("jenkins"), "-H 'Jenkins-Crumb:440561953171ba44ace9740562d172bb'", "jenkins build 1234"),
    row("Code Climate reporter id", "", LowerHex, 64, 64, Some("codeclimate"), "codeclimate CC_TEST_REPORTER_ID: 945dfb58a832d233a3caeb84e3e6d3be212e8c7abcb48117fce63b9adcb43647", "codeclimate v2"),
    row("Code Climate reporter id (name)", "", LowerHex, 64, 64, Some("cc_test_reporter_id"), "CC_TEST_REPORTER_ID=945dfb58a832d233a3caeb84e3e6d3be212e8c7abcb48117fce63b9adcb43647", "CC_TEST_REPORTER_ID="),
    row("ThingsBoard device token", "", LowerAlnum, 20, 20, Some("thingsboard"), "https://thingsboard.cloud/api/v1/354u1g321kcqc1oad3w7", "thingsboard.cloud/api/v1/telemetry"),
    row("Artifactory key", "", LowerAlnum, 73, 73, Some("artifactory"), "artifactory: akcp0123456789abcdefghijklmnopqrstuvwxyzakcp0123456789abcdefghijklmnopqrs", "artifactory 7.1"),
    row("Heroku API key", "", Uuid, 36, 36, Some("heroku"), "HEROKU_API_KEY_X f59dffd2-83ea-47c7-ba8f-95e053a6d0ae", "uid f59dffd2-83ea-47c7-ba8f-95e053a6d0ae"),
    row("Figma token", "", Uuid, 36, 36, Some("figma"), "figma f59dffd2-83ea-47c7-ba8f-95e053a6d0ae", "f59dffd2-83ea-47c7-ba8f-95e053a6d0ae"),
    row("Sauce Labs key", "", Uuid, 36, 36, Some("sauce"), "SAUCE_ACCESS f59dffd2-83ea-47c7-ba8f-95e053a6d0ae", "f59dffd2-83ea-47c7-ba8f-95e053a6d0ae"),
    row("Okta token", "00", Base64Url, 40, 40, Some("okta"), "okta SSWS 00abcdefghijklmnopqrstuvwxyz0123456789ABCD", "00abcdefghijklmnopqrstuvwxyz0123456789ABCD"),
    // Password hashes: as good as the password to an offline attack.
    row("md5-crypt hash", "$1$", Crypt, 20, 120, None, "root:$1$OKgLCmVl$d02jECa4DXn/oXX0R.MoQ/", "s/x/$1$2/"),
    row("Apache md5 hash", "$apr1$", Crypt, 20, 120, None, "admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "$apr1$"),
    row("bcrypt hash (2a)", "$2a$", Crypt, 50, 120, None, "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "$2a$12$short"),
    row("bcrypt hash (2b)", "$2b$", Crypt, 50, 120, None, "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "$2b$"),
    row("bcrypt hash (2x)", "$2x$", Crypt, 50, 120, None, "$2x$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "$2x$"),
    row("bcrypt hash (2y)", "$2y$", Crypt, 50, 120, None, "$2y$12$atWJ1Nx6ep65tNx0YIJ4I.jzgI86znQbNRI3lF0qIt/XCYnEPxSc2", "$2y$"),
    row("sha256-crypt hash", "$5$", Crypt, 40, 200, None, "$5$rounds=5000$GX7BopJZJxPc/KEK$le16UF8I2Anb.rOrn22AUPWvzUETDGefUmAV8AZkGcD", "$5$short"),
    row("sha512-crypt hash", "$6$", Crypt, 80, 200, None, "$6$rounds=5000$GX7BopJZJxPc/KEK$le16UF8I2Anb.rOrn22AUPWvzUETDGefUmAV8AZkGcDle16UF8I2Anb.rOrn22AUPWvzUETDGefUmAV8AZkGcD", "$6$x"),
    row("scrypt hash", "$7$", Crypt, 40, 200, None, "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D", "$7$x"),
    row("Cisco type 8 hash", "$8$", Crypt, 40, 200, None, "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk", "$8$x"),
    row("yescrypt hash", "$y$", Crypt, 40, 200, None, "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", "$y$x"),
    row("gost-yescrypt hash", "$gy$", Crypt, 40, 200, None, "$gy$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", "$gy$x"),
    row("argon2id hash", "$argon2id$", Crypt, 40, 300, None, "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "$argon2id$"),
    row("argon2i hash", "$argon2i$", Crypt, 40, 300, None, "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "$argon2i$"),
    row("argon2d hash", "$argon2d$", Crypt, 40, 300, None, "$argon2d$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "$argon2d$"),
    row("PBKDF2 hash (passlib)", "$pbkdf2", Crypt, 40, 300, None, "$pbkdf2-sha256$29000$N2bsPSfkXMuZM0aIkbLW2w$JbvMPD0y8d4Z8Wdm0Ll2lRSK/GSf3xQ2wMgIu.a2GkE", "$pbkdf2"),
    row("Kerberos AS-REP hash", "$krb5asrep$", Kerberos, 60, ANY, None, "$krb5asrep$23$user@domain.com:3e156ada591263b8aab0965f5aebd837$007497cb51b6c8116d6407a782ea0e1c5402b17db7afa6b05a6d30ed164a9933", "$krb5asrep$"),
    row("Kerberos TGS hash", "$krb5tgs$", Kerberos, 60, ANY, None, "$krb5tgs$23$*user$REALM$http/host*$3e156ada591263b8aab0965f5aebd837$007497cb51b6c8116d6407a782ea0e1c5402b17db7afa6b05a6d30ed164a9933", "$krb5tgs$"),
    row("Kerberos pre-auth hash", "$krb5pa$", Kerberos, 60, ANY, None, "$krb5pa$18$user$REALM$3e156ada591263b8aab0965f5aebd837007497cb51b6c8116d6407a782ea0e1c", "$krb5pa$"),
    // Scheme-prefixed passwords (Dovecot, OpenLDAP `userPassword`): the scheme stays.
    row("plain-text password", "{PLAIN}", Word, 1, ANY, None, "admin:{PLAIN}hunter2secret", "{PLAIN}"),
    row("clear-text password", "{CLEARTEXT}", Word, 1, ANY, None, "admin:{CLEARTEXT}hunter2secret", "{CLEARTEXT}"),
    row("clear password", "{CLEAR}", Word, 1, ANY, None, "admin:{CLEAR}hunter2secret", "{CLEAR}"),
    row("salted SHA password", "{SSHA}", Word, 1, ANY, None, "userPassword: {SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SSHA}"),
    row("SHA password", "{SHA}", Word, 1, ANY, None, "userPassword: {SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SHA}"),
    row("salted SHA-256 password", "{SSHA256}", Word, 1, ANY, None, "{SSHA256}W6ph5Mm5Pz8GgiULbPgzG37mj9gW6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SSHA256}"),
    row("salted SHA-512 password", "{SSHA512}", Word, 1, ANY, None, "{SSHA512}W6ph5Mm5Pz8GgiULbPgzG37mj9gW6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SSHA512}"),
    row("MD5 password", "{MD5}", Word, 1, ANY, None, "{MD5}X03MO1qnZdYdgyfeuILPmQ==", "{MD5}"),
    row("salted MD5 password", "{SMD5}", Word, 1, ANY, None, "{SMD5}X03MO1qnZdYdgyfeuILPmQ==", "{SMD5}"),
    row("crypt password", "{CRYPT}", Word, 1, ANY, None, "{CRYPT}$1$OKgLCmVl$d02jECa4DXn/oXX0R.MoQ/", "{CRYPT}"),
    row("Blowfish crypt password", "{BLF-CRYPT}", Word, 1, ANY, None, "{BLF-CRYPT}$2y$05$atWJ1Nx6ep65tNx0YIJ4I.jzgI86znQbNRI3lF0qIt/XCYnEPxSc2", "{BLF-CRYPT}"),
    row("SHA-512 crypt password", "{SHA512-CRYPT}", Word, 1, ANY, None, "{SHA512-CRYPT}$6$rounds=5000$GX7BopJZJxPc/KEK$le16UF8I2Anb", "{SHA512-CRYPT}"),
    row("SHA-256 crypt password", "{SHA256-CRYPT}", Word, 1, ANY, None, "{SHA256-CRYPT}$5$rounds=5000$GX7BopJZJxPc/KEK$le16UF8I2Anb", "{SHA256-CRYPT}"),
    row("PBKDF2 password", "{PBKDF2}", Word, 1, ANY, None, "{PBKDF2}10000$c29tZXNhbHQ$RdescudvJCsgt3ub", "{PBKDF2}"),
    row("Argon2 password", "{ARGON2ID}", Word, 1, ANY, None, "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$Rdescudv", "{ARGON2ID}"),
];

/// A row of [`SHAPES`] (a function so that each row fits on one line).
#[allow(clippy::too_many_arguments)] // one argument per column of the table
const fn row(
    family: &'static str,
    prefix: &'static str,
    charset: Charset,
    min: usize,
    max: usize,
    context: Option<&'static str>,
    example: &'static str,
    non_example: &'static str,
) -> Shape {
    Shape {
        family,
        prefix,
        charset,
        min,
        max,
        context,
        example,
        non_example,
    }
}

/// How many rows have a prefix.
#[cfg(test)]
const PREFIXED: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < SHAPES.len() {
        if !SHAPES[i].prefix.is_empty() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Every row's prefix (the unit tests of `contains_any` use them as needles).
#[cfg(test)]
pub(super) const PREFIXES: [&str; PREFIXED] = {
    let mut out = [""; PREFIXED];
    let (mut i, mut n) = (0, 0);
    while i < SHAPES.len() {
        if !SHAPES[i].prefix.is_empty() {
            out[n] = SHAPES[i].prefix;
            n += 1;
        }
        i += 1;
    }
    out
};

/// What the single pass looks for: a row's prefix (case-sensitive) or a context keyword
/// (case-insensitive; `id` is its bit in [`Found::keywords`]).
enum Needle {
    Prefix { text: &'static [u8], row: usize },
    Context { text: &'static [u8], id: u32 },
}

/// The needles indexed by their first two bytes, built once.
struct Index {
    /// The needles' first two bytes (all four cases for keywords), as a 65,536-bit set: a
    /// byte pair that starts no needle (nearly every pair of ordinary text) costs one test.
    pairs: Vec<u64>,
    /// For each byte, the needles starting with it.
    by_byte: Vec<Vec<Needle>>,
    /// The distinct context keywords, in bit order.
    keywords: Vec<&'static str>,
}

/// The bit of the byte pair `a b` in [`Index::pairs`].
fn pair(a: u8, b: u8) -> (usize, u64) {
    let p = usize::from(a) << 8 | usize::from(b);
    (p >> 6, 1 << (p & 63))
}

impl Index {
    /// Index a needle of two bytes or more under the byte pairs `firsts` × `seconds`.
    fn add(&mut self, firsts: &[u8], seconds: &[u8], n: impl Fn() -> Needle) {
        for &a in firsts {
            for &b in seconds {
                let (word, bit) = pair(a, b);
                self.pairs[word] |= bit;
            }
            self.by_byte[usize::from(a)].push(n());
        }
    }

    /// The bit of context keyword `k`.
    fn bit(&self, k: &str) -> u64 {
        self.keywords
            .iter()
            .position(|x| *x == k)
            .map_or(0, |i| 1 << i)
    }
}

/// A byte in both cases (once when it has no case).
fn cases(b: u8) -> Vec<u8> {
    let mut v = vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()];
    v.dedup();
    v
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let mut ix = Index {
            pairs: vec![0; 65536 / 64],
            by_byte: (0..256).map(|_| Vec::new()).collect(),
            keywords: Vec::new(),
        };
        for (row, s) in SHAPES.iter().enumerate() {
            let text = s.prefix.as_bytes();
            // Every needle has two bytes or more (the table test checks it).
            if let [a, b, ..] = *text {
                ix.add(&[a], &[b], || Needle::Prefix { text, row });
            }
            let Some(k) = s.context else { continue };
            // A u64 holds the keywords found (the table test keeps them under 64).
            if ix.keywords.contains(&k) || ix.keywords.len() >= 64 {
                continue;
            }
            let (&[a, b, ..], Ok(id)) = (k.as_bytes(), u32::try_from(ix.keywords.len())) else {
                continue;
            };
            ix.keywords.push(k);
            let text = k.as_bytes();
            ix.add(&cases(a), &cases(b), || Needle::Context { text, id });
        }
        ix
    })
}

/// Whether the byte before `at` lets a token start there: not inside a word (`xghp_…`,
/// `disk-…`). `_`, `-` and punctuation are fine: `_AIza…`, `key-AKIA…`.
fn starts_word(b: &[u8], at: usize) -> bool {
    at == 0 || !b[at - 1].is_ascii_alphanumeric()
}

/// What one pass over a text found: prefix hits `(row, at)` and the context keywords
/// present (one bit each).
#[derive(Default)]
struct Found {
    prefixes: Vec<(usize, usize)>,
    keywords: u64,
}

/// One pass over `s`; with `first_only`, it stops at the first hit.
fn scan(s: &str, first_only: bool) -> Found {
    let ix = index();
    let b = s.as_bytes();
    let mut found = Found::default();
    for (i, w) in b.windows(2).enumerate() {
        let (word, bit) = pair(w[0], w[1]);
        if ix.pairs[word] & bit == 0 {
            continue;
        }
        for n in &ix.by_byte[usize::from(w[0])] {
            match n {
                Needle::Prefix { text, row } => {
                    if b[i..].starts_with(text) && starts_word(b, i) {
                        found.prefixes.push((*row, i));
                    }
                }
                Needle::Context { text, id } => {
                    if b.get(i..i + text.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(text))
                    {
                        found.keywords |= 1 << id;
                    }
                }
            }
        }
        if first_only && (found.keywords != 0 || !found.prefixes.is_empty()) {
            break;
        }
    }
    found
}

/// Whether any row could match `s` (a prefix or a context keyword is there): the quick
/// check of `may_hold_secret`.
pub(super) fn may_match(s: &str) -> bool {
    let f = scan(s, true);
    f.keywords != 0 || !f.prefixes.is_empty()
}

/// Whether the row's context keyword (if any) is in the text.
fn context_ok(s: &Shape, f: &Found) -> bool {
    s.context.is_none_or(|k| f.keywords & index().bit(k) != 0)
}

/// The length of the run of `cs` at the start of `b`.
fn run_len(b: &[u8], cs: Charset) -> usize {
    b.iter().position(|&c| !cs.allows(c)).unwrap_or(b.len())
}

/// Whether a bare run (a context-only row) looks like a key rather than a word or a number.
fn mixes_letters_and_digits(run: &[u8]) -> bool {
    run.iter().any(u8::is_ascii_digit) && run.iter().any(u8::is_ascii_alphabetic)
}

/// The byte ranges to replace by [`REDACTED`] for every row found in `s`.
fn row_spans(s: &str, f: &Found) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut spans = Vec::new();
    for &(row, at) in &f.prefixes {
        let Some(shape) = SHAPES.get(row) else {
            continue;
        };
        if !context_ok(shape, f) {
            continue;
        }
        let start = at + shape.prefix.len();
        // An earlier step hid the token's start but stopped at a byte this family allows
        // (`{ARGON2ID}<redacted>,t=3,p=4$salt$hash`): the hidden part runs on to its end.
        if b[start..].starts_with(REDACTED.as_bytes()) {
            let rest = start + REDACTED.len();
            let len = run_len(&b[rest..], shape.charset);
            if len > 0 {
                spans.push((start, rest + len));
            }
            continue;
        }
        let len = run_len(&b[start..], shape.charset);
        let next_is_word = b.get(start + len).is_some_and(u8::is_ascii_alphanumeric);
        if (shape.min..=shape.max).contains(&len) && !next_is_word {
            spans.push((start, start + len));
        }
    }
    for shape in SHAPES.iter().filter(|r| r.prefix.is_empty()) {
        if !context_ok(shape, f) {
            continue;
        }
        let mut i = 0;
        while i < b.len() {
            if !shape.charset.allows(b[i]) {
                i += 1;
                continue;
            }
            let len = run_len(&b[i..], shape.charset);
            let run = &b[i..i + len];
            let bounded =
                starts_word(b, i) && !b.get(i + len).is_some_and(u8::is_ascii_alphanumeric);
            if bounded && (shape.min..=shape.max).contains(&len) && mixes_letters_and_digits(run) {
                spans.push((i, i + len));
            }
            i += len;
        }
    }
    spans
}

/// Shortest run the generic rule takes for a credential.
const GENERIC_MIN: usize = 16;
/// How many separator bytes may stand between a sensitive word and its value
/// (`'API_KEY' , '"…"` has six).
const GENERIC_GAP: usize = 6;

/// The generic high-entropy rule: a run of 16+ key characters mixing letters and digits,
/// right after a sensitive word (or after a value already [`REDACTED`]: the second half of
/// a credential, `KEY_ID=<redacted>'secret'`) with only separators between, that is not a
/// known non-secret shape. Pairs (`password=x`) are the text redactor's; this catches the
/// separators they do not read (`'API_KEY' , 'x'`, `apiKey x`).
fn generic_spans(s: &str, settings: &RedactSettings) -> Vec<(usize, usize)> {
    // The key characters of `text::is_key_char`, on bytes (this loop sees every byte).
    let key = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-');
    let b = s.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !key(b[i]) {
            i += 1;
            continue;
        }
        let len = b[i..].iter().position(|&c| !key(c)).unwrap_or(b.len() - i);
        let run = &s[i..i + len];
        // Cheapest tests first: most runs are short, and few follow a sensitive word.
        if len >= GENERIC_MIN
            && mixes_letters_and_digits(run.as_bytes())
            && follows_sensitive_word(&s[..i], settings)
            && !looks_like_path(run)
            && !is_known_benign(run, &s[..i])
            && !is_benign_run(run)
        {
            spans.push((i, i + len));
        }
        i += len;
    }
    spans
}

/// Whether `before` ends with a sensitive word (or [`REDACTED`]) and 1 to [`GENERIC_GAP`]
/// separator bytes, on the same line.
fn follows_sensitive_word(before: &str, settings: &RedactSettings) -> bool {
    let gap = |seps: &[u8]| {
        let n = before
            .bytes()
            .rev()
            .take_while(|c| seps.contains(c))
            .count();
        (1..=GENERIC_GAP)
            .contains(&n)
            .then(|| &before[..before.len() - n])
    };
    // `<redacted>` ends with `>`, which also ends `=>`: the hidden value is tried first. Its
    // second half is joined to it by punctuation (`<redacted>'x'`, `<redacted>", "x"`), not
    // by a space alone: `auth: <redacted> 4bf9…` is a hidden word, then a request id.
    let glued = |head: &str| {
        head.ends_with(REDACTED)
            && !before[head.len()..]
                .bytes()
                .all(|c| c == b' ' || c == b'\t')
    };
    if gap(b" \t'\"`:=,([{").is_some_and(glued) {
        return true;
    }
    let Some(head) = gap(b" \t'\"`:=,([{>") else {
        return false;
    };
    let word_start = head
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "_.-".contains(c))
        .len();
    let word = &head[word_start..];
    !word.is_empty() && settings.is_sensitive(word)
}

/// Known non-secret shapes an investigation needs: a UUID, a ULID, a digest after
/// `sha256:`, a commit after `commit`/`sha`/`revision`, a container id after
/// `containerd://`/`docker://`, a trace or span id, a pod name with its hashes. `before` is
/// the text before the run (for the shapes known by what precedes them).
pub(super) fn is_known_benign(run: &str, before: &str) -> bool {
    let b = run.as_bytes();
    let hex = |p: &[u8]| p.iter().all(u8::is_ascii_hexdigit);
    let tail: String = before
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    // Crockford base32, upper case, first character 0–7 (48-bit milliseconds).
    let ulid = b.len() == 26
        && b.first().is_some_and(|c| (b'0'..=b'7').contains(c))
        && b.iter()
            .all(|&c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"ILOU".contains(&c)));
    let digest = hex(b)
        && ["sha256:", "sha512:", "sha384:", "sha1:", "md5:"]
            .iter()
            .any(|p| tail.ends_with(p));
    let commit = hex(b)
        && (7..=40).contains(&b.len())
        && ["commit", "sha", "revision", "rev", "ref", "git"]
            .iter()
            .any(|w| tail.contains(w));
    let container = hex(b)
        && b.len() == 64
        && ["containerd://", "docker://", "cri-o://", "containerid"]
            .iter()
            .any(|p| tail.contains(p));
    let trace = hex(b)
        && matches!(b.len(), 16 | 32)
        && ["trace", "span", "traceparent", "request"]
            .iter()
            .any(|w| tail.contains(w));
    uuid || ulid || digest || commit || container || trace || pod_name(run)
}

/// `web-7d9f8b6c5d-x2x4q`, `node-exporter-kq2xm`: lower-case words and hashes joined by `-`,
/// each part short (a lower-case hex key has no dashes; a key in base64 has upper case).
fn pod_name(run: &str) -> bool {
    run.contains('-')
        && run.split('-').all(|p| {
            !p.is_empty()
                && p.len() <= 12
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `run` (a run of key characters, as `hide_key_runs` reads them) is a known non-secret:
/// a `name=value` whose parts are not key material on their own (`request_id=<ULID>`: the
/// name's lower case and the ULID's upper case made one "mixed" run), or `-`/`_`-joined
/// parts that are each a known non-secret or a short lower-case word.
pub(super) fn is_benign_run(run: &str) -> bool {
    let mixed = |p: &str| {
        p.len() >= 20
            && p.bytes().any(|c| c.is_ascii_uppercase())
            && p.bytes().any(|c| c.is_ascii_lowercase())
            && p.bytes().any(|c| c.is_ascii_digit())
    };
    let body = run.trim_end_matches('=');
    if body.contains('=') {
        return !body.split('=').any(mixed);
    }
    run.split(['-', '_']).all(|p| {
        is_known_benign(p, "")
            || (p.len() <= 12
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
    })
}

/// `s` with every credential of the table and of the generic rule replaced (the row's
/// prefix kept); `None` when there was none. Context keywords are looked for in
/// `original`, the text before any other redaction (`MAILGUN_API || 'key-…'`: the pair
/// rule hid the name that says whose key it is).
pub(super) fn hide(s: &str, original: &str, settings: &RedactSettings) -> Option<String> {
    let mut f = scan(s, false);
    if !std::ptr::eq(s, original) {
        f.keywords |= scan(original, false).keywords;
    }
    let mut spans = row_spans(s, &f);
    {
        // A table row knows the token better (and keeps its prefix): a generic run that
        // overlaps one is left to it.
        let generic: Vec<_> = generic_spans(s, settings)
            .into_iter()
            .filter(|&(a, b)| {
                !spans.iter().any(|&(c, d)| a < d && c < b)
                    && !f.prefixes.iter().any(|&(_, at)| a <= at && at < b)
            })
            .collect();
        spans.extend(generic);
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for (start, end) in spans {
        // Overlapping spans (two rows on one token) become one.
        if end <= copied {
            continue;
        }
        let start = start.max(copied);
        out.push_str(&s[copied..start]);
        if start > copied || !out.ends_with(REDACTED) {
            out.push_str(REDACTED);
        }
        copied = end;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(s: &str) -> String {
        hide(s, s, &RedactSettings::default()).unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn every_example_is_hidden_and_every_non_example_kept() {
        let mut wrong = Vec::new();
        for shape in SHAPES {
            let out = hidden(shape.example);
            let tail = &shape.example[shape.example.len() - 8..];
            let kept = format!("{}{REDACTED}", shape.prefix);
            if out.contains(tail) || !out.contains(&kept) {
                wrong.push(format!(
                    "{}: example {:?} -> {out:?}",
                    shape.family, shape.example
                ));
            }
            let out = hidden(shape.non_example);
            if out != shape.non_example {
                wrong.push(format!(
                    "{}: non-example {:?} -> {out:?}",
                    shape.family, shape.non_example
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_example_is_hidden_by_every_reader() {
        // The table's engine is one step of the text redactor: the structural steps before
        // it (pairs, documents, lines) must not hand it a form it no longer recognises.
        let settings = RedactSettings::default();
        let mut wrong = Vec::new();
        for shape in SHAPES {
            let tail = &shape.example[shape.example.len() - 8..];
            let cm = serde_json::json!({"kind": "ConfigMap", "data": {"x": shape.example}});
            let cm = super::super::fetched(cm, super::super::Source::Object, &settings);
            let mut log = super::super::LogRedactor::new(&settings);
            for (reader, shown) in [
                ("text", super::super::text(shape.example).into_owned()),
                ("object", cm.value()["data"]["x"].to_string()),
                ("log", log.redact_line(shape.example).into_string()),
            ] {
                if shown.contains(tail) {
                    wrong.push(format!("{} ({reader}): {shown:?}", shape.family));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_family_has_a_valid_row() {
        for s in SHAPES {
            assert!(s.min >= 1 && s.min <= s.max, "{}", s.family);
            assert!(
                !s.prefix.is_empty() || s.context.is_some(),
                "{}: a row without a prefix needs a context keyword",
                s.family
            );
            assert!(
                s.context.is_none_or(|k| k == k.to_ascii_lowercase()),
                "{}: context keywords are lower case",
                s.family
            );
            assert!(s.example.len() >= 8, "{}", s.family);
            assert!(
                s.prefix.is_empty() || s.prefix.len() >= 2,
                "{}: the scan indexes needles by their first two bytes",
                s.family
            );
            assert!(s.context.is_none_or(|k| k.len() >= 2), "{}", s.family);
        }
        let keywords: std::collections::HashSet<_> =
            SHAPES.iter().filter_map(|s| s.context).collect();
        assert!(
            keywords.len() <= 64,
            "the keywords found are one bit each of a u64"
        );
    }

    #[test]
    fn known_non_secret_shapes_survive_the_generic_rule() {
        for s in [
            "api_key_id: 7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "token request_id=01HZY3V5QK9T3M2N8P7R6S4W1X",
            "secret image@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "token: web-7d9f8b6c5d-x2x4q",
        ] {
            assert_eq!(hidden(s), s);
        }
        assert!(is_benign_run("request_id=01HZY3V5QK9T3M2N8P7R6S4W1X"));
        assert!(!is_benign_run("id=Xk9mP2qR7sT4vW8yZ1aB3cD5eF6gH0jK"));
    }

    #[test]
    fn a_value_after_a_sensitive_word_or_a_hidden_value_is_hidden() {
        for (s, secret) in [
            (
                "'API_KEY' , '\"951bc382db9cfee29c68634761dd6e19\"'",
                "951bc382db9c",
            ),
            (
                "KEY=<redacted>'ded7db27a4558eea9bbf0bf36e0e8521618f366c'",
                "ded7db27",
            ),
            ("apiKey 4477ab12cd34ef56ab78cd90", "4477ab12"),
            (
                "<redacted>\", \"ded7db27a4558eea9bbf0bf36e0e8521618f366c\"",
                "ded7db27",
            ),
        ] {
            assert!(!hidden(s).contains(secret), "{s:?} -> {:?}", hidden(s));
        }
        // A space alone does not join a run to a hidden value.
        let s = "auth: <redacted> 4bf92f3577b34da6a3ce929d0e0e4736 denied";
        assert_eq!(hidden(s), s);
    }

    #[test]
    fn a_multi_byte_character_in_a_sensitive_word_does_not_panic() {
        // Found by tests/fuzz_corpus.rs: the word before a run was cut inside a character.
        let s = "\u{9d}SECRET 3373333333333333333333WEBHOOK";
        assert!(!hidden(s).contains("33733333"));
        assert_eq!(hidden("ü: ab12cd34ef56ab78cd90"), "ü: ab12cd34ef56ab78cd90");
    }

    #[test]
    fn a_token_an_earlier_step_cut_short_is_hidden_to_its_end() {
        let s = "{ARGON2ID}<redacted>,t=3,p=4$c29tZXNhbHQ$Rdescudv ok";
        assert_eq!(hidden(s), "{ARGON2ID}<redacted> ok");
        assert_eq!(hidden("{PLAIN}<redacted> ok"), "{PLAIN}<redacted> ok");
    }

    #[test]
    fn prefixes_inside_words_and_longer_runs_are_not_tokens() {
        for s in [
            "xghp_abcdefghijklmnopqrstuvwxyz0123",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQeX",
        ] {
            assert_eq!(hidden(s), s);
        }
    }
}
