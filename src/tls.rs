//! Trust roots and PEM certificates, shared by the Kubernetes client and the SQS client:
//! the system CA bundle (honouring `SSL_CERT_FILE`) plus any extra CA, parsed by ureq's
//! rustls PEM reader — never hand-rolled.

use ureq::tls::{Certificate, RootCerts};

use crate::error::{Error, Result};

/// The system CA bundle (honours SSL_CERT_FILE), else the bundled WebPKI roots.
pub fn system_roots() -> RootCerts {
    roots_with(Vec::new())
}

/// The system CA bundle (honours SSL_CERT_FILE) plus `extra`; the bundled WebPKI roots when
/// there is neither.
pub fn roots_with(extra: Vec<Certificate<'static>>) -> RootCerts {
    let mut certs: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    certs.extend(extra);
    if certs.is_empty() {
        log::debug!("no system CA certificates found; using the bundled WebPKI roots");
        return RootCerts::WebPki;
    }
    RootCerts::new_with_certs(&certs)
}

/// The certificates of a PEM bundle (an error names `origin` and `what` when there are none).
pub fn certs_from_pem(pem: &[u8], origin: &str, what: &str) -> Result<Vec<Certificate<'static>>> {
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::config(format!(
            "{origin}: the {what} holds no PEM certificate"
        )));
    }
    Ok(certs)
}
