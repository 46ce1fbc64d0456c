//! Whom we believe: the roots a certificate chain must lead to, and the
//! check that watches the chain go by.
//!
//! The server sends its certificate and the intermediate ones that signed
//! it; the client must find a path from them to a root it already trusts.
//! socktool's roots are Mozilla's list, compiled in (webpki-roots), so a
//! verdict is the same on every machine, or the CA certificates in
//! `--cacert FILE` alone (as curl's `--cacert`), for a classroom's own CA.
//!
//! [`Watcher`] runs rustls' own check (webpki) and keeps what it saw: the
//! chain and the verdict, to narrate both even when the check fails. With
//! `--insecure` it goes on after a failed check; the handshake's signature
//! is still checked, so the server proves it holds the key of the
//! certificate it sent, but nothing proves that certificate is the
//! server's.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::SockError;
use crate::tr;

/// The roots, and how to name them in a verdict.
pub struct Roots {
    pub store: RootCertStore,
    /// `Mozilla's list of 146 roots, compiled into socktool`.
    pub named: String,
}

/// Mozilla's roots, or the certificates in `cacert`.
pub fn roots(cacert: Option<&Path>) -> Result<Roots, SockError> {
    let Some(path) = cacert else {
        let store = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let named = tr!("tls-mozilla-roots", count = store.len());
        return Ok(Roots { store, named });
    };
    let bad = |why: String| SockError::CaFile {
        path: path.to_path_buf(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(tr!("ca-unreadable", why = e.to_string())))?;
    let mut store = RootCertStore::empty();
    let mut refused = 0;
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| bad(tr!("ca-not-pem", why = e.to_string())))?;
        if store.add(cert).is_err() {
            refused += 1;
        }
    }
    if store.is_empty() {
        return Err(bad(if refused > 0 {
            tr!("ca-refused", count = refused)
        } else {
            tr!("ca-empty")
        }));
    }
    let named = format!(
        "--cacert {}, {}",
        path.display(),
        tr!("tls-certificates", count = store.len())
    );
    Ok(Roots { store, named })
}

/// What the check saw on one handshake.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The server's chain: its own certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// rustls' verdict, before `--insecure` overrode it.
    pub verdict: Result<(), rustls::Error>,
}

/// rustls' certificate check, watched (see the module docs).
#[derive(Debug)]
pub struct Watcher {
    webpki: Arc<WebPkiServerVerifier>,
    insecure: bool,
    seen: Mutex<Option<Seen>>,
}

impl Watcher {
    pub fn new(
        roots: RootCertStore,
        provider: Arc<CryptoProvider>,
        insecure: bool,
    ) -> Result<Watcher, SockError> {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| SockError::Usage(tr!("tls-setup", why = e.to_string())))?;
        Ok(Watcher {
            webpki,
            insecure,
            seen: Mutex::new(None),
        })
    }

    /// What the last handshake's check saw, taken (each handshake has its
    /// own: -L may make several).
    pub fn take(&self) -> Option<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl ServerCertVerifier for Watcher {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(Seen {
            chain,
            verdict: verdict.clone(),
        });
        match verdict {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(_) if self.insecure => Ok(ServerCertVerified::assertion()),
            Err(e) => Err(e),
        }
    }

    // The server signs the handshake with its certificate's key: checked
    // even with --insecure, which gives up only on whose key it is.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}
