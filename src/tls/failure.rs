//! A failed handshake (or TLS connection) as one error line: which of the
//! failures the lesson names it is, with what the server sent and what we
//! offered, so the line says more than rustls' own words.

use std::net::TcpStream;
use std::time::Duration;

use super::trust::Seen;
use super::{Inner, Tls, cert, records};
use crate::error::{CertProblem, SockError, TlsFailure};
use crate::narrate::{Narrator, first_line};
use crate::tr;

impl Tls {
    /// A rustls error as the error line says it, after sending the alert
    /// rustls prepared (so the server hears why), at most briefly.
    pub(super) fn failed(
        &self,
        stream: &mut TcpStream,
        e: rustls::Error,
        handshake: bool,
    ) -> SockError {
        let _ = self.flush(
            stream,
            Some(Duration::from_millis(200)),
            &Narrator::silent(),
        );
        let inner = self.lock();
        if matches!(e, rustls::Error::InvalidCertificate(_)) {
            return self.certificate(e, inner.seen.as_ref());
        }
        self.refusal(&inner, Some(e), handshake)
    }

    /// A failure that is not about the certificate.
    pub(super) fn refusal(
        &self,
        inner: &Inner,
        e: Option<rustls::Error>,
        handshake: bool,
    ) -> SockError {
        let first = &inner.received.first;
        let failure = if inner.received.not_tls {
            TlsFailure::NotTls {
                start: first_line(first),
                // A status line; or an HTML page with no status line, as
                // python3's http.server sends to a request it cannot parse.
                http: first.starts_with(b"HTTP/")
                    || first
                        .get(..9)
                        .is_some_and(|s| s.eq_ignore_ascii_case(b"<!DOCTYPE"))
                    || first
                        .get(..5)
                        .is_some_and(|s| s.eq_ignore_ascii_case(b"<html")),
            }
        } else {
            match e {
                None => TlsFailure::Closed,
                Some(rustls::Error::AlertReceived(alert)) => TlsFailure::Alert {
                    name: records::alert_name(alert),
                    code: u8::from(alert),
                    offered: self.offered.clone(),
                },
                Some(rustls::Error::PeerIncompatible(p)) => TlsFailure::Incompatible {
                    why: incompatible(&p),
                    chose: inner.received.server_hello().map(|h| h.to_string()),
                },
                Some(rustls::Error::NoCertificatesPresented) => {
                    return SockError::Certificate {
                        addr: self.addr,
                        problem: CertProblem::Other(tr!("cert-none")),
                    };
                }
                Some(e) => TlsFailure::Other(e.to_string()),
            }
        };
        SockError::Tls {
            addr: self.addr,
            failure,
            handshake,
        }
    }

    /// A certificate refused by the check, with what the chain says.
    pub(super) fn certificate(&self, e: rustls::Error, seen: Option<&Seen>) -> SockError {
        let leaf = seen.and_then(|s| s.chain.first()).and_then(cert::describe);
        let top = seen.and_then(|s| s.chain.last()).and_then(cert::describe);
        let problem = match e {
            rustls::Error::InvalidCertificate(ce) => {
                use rustls::CertificateError as C;
                match ce {
                    C::UnknownIssuer => CertProblem::UnknownIssuer {
                        issuer: top.map(|t| t.issuer).unwrap_or_else(|| "(unknown)".into()),
                        trusted: self.roots.clone(),
                    },
                    C::ExpiredContext { time, not_after } => CertProblem::Expired {
                        until: cert::date(not_after.as_secs() as i64),
                        ago: cert::span(time.as_secs() as i64 - not_after.as_secs() as i64),
                    },
                    C::Expired => CertProblem::Expired {
                        until: leaf
                            .as_ref()
                            .map(|l| cert::date(l.not_after))
                            .unwrap_or_default(),
                        ago: leaf
                            .as_ref()
                            .map(|l| cert::span(cert::now() - l.not_after))
                            .unwrap_or_default(),
                    },
                    C::NotValidYetContext { not_before, .. } => CertProblem::NotYetValid {
                        from: cert::date(not_before.as_secs() as i64),
                    },
                    C::NotValidYet => CertProblem::NotYetValid {
                        from: leaf.map(|l| cert::date(l.not_before)).unwrap_or_default(),
                    },
                    // The names as the certificate spells them (rustls'
                    // own list is in Rust's debug form).
                    C::NotValidForNameContext { presented, .. } => CertProblem::WrongName {
                        asked: self.host.clone(),
                        names: leaf.map(|l| l.names).unwrap_or(presented),
                    },
                    C::NotValidForName => CertProblem::WrongName {
                        asked: self.host.clone(),
                        names: leaf.map(|l| l.names).unwrap_or_default(),
                    },
                    other => CertProblem::Other(other_certificate(other)),
                }
            }
            other => CertProblem::Other(other.to_string()),
        };
        SockError::Certificate {
            addr: self.addr,
            problem,
        }
    }
}

/// Another refusal of the certificate, in words where we know them.
fn other_certificate(e: rustls::CertificateError) -> String {
    let text = rustls::Error::InvalidCertificate(e).to_string();
    if text.contains("CaUsedAsEndEntity") {
        tr!("cert-ca-as-host")
    } else if text.contains("BadSignature") {
        tr!("cert-bad-signature")
    } else {
        text
    }
}

/// What rustls calls the server's choice, in a student's words.
fn incompatible(p: &rustls::PeerIncompatible) -> String {
    use rustls::PeerIncompatible as P;
    match p {
        P::ServerDoesNotSupportTls12Or13 | P::ServerTlsVersionIsDisabledByOurConfig => {
            tr!("tls-too-old")
        }
        P::NoCipherSuitesInCommon => tr!("tls-no-common-suite"),
        P::NoKxGroupsInCommon => tr!("tls-no-common-group"),
        P::NoSignatureSchemesInCommon => tr!("tls-no-common-signature"),
        other => rustls::Error::PeerIncompatible(other.clone()).to_string(),
    }
}
