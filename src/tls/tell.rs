//! What the handshake says as it goes: the server's choice (its
//! ServerHello), then the certificates it sent, one by one, and the
//! verdict on them, in the order they arrive, so that a failure's error
//! line comes after the chain it is about.

use super::records::version_name;
use super::trust::{Seen, Watcher};
use super::{Inner, Tls, cert};
use crate::error::SockError;
use crate::narrate::{Narrator, plural};

impl Tls {
    /// Narrates what the handshake has newly learnt: the server's choice,
    /// then its certificates and the verdict on them.
    pub(super) fn tell(&self, inner: &mut Inner, watcher: &Watcher, say: &Narrator) {
        if !inner.told_hello
            && let Some(version) = inner.conn.protocol_version()
        {
            inner.told_hello = true;
            let conn = &inner.conn;
            let suite = conn
                .negotiated_cipher_suite()
                .map(|s| format!("cipher suite {:?}", s.suite()))
                .unwrap_or_else(|| "no cipher suite yet".into());
            let group = conn
                .negotiated_key_exchange_group()
                .map(|g| format!(", key exchange {:?}", g.name()))
                .unwrap_or_default();
            let alpn = match conn.alpn_protocol() {
                Some(p) => format!(", ALPN {}", String::from_utf8_lossy(p)),
                None => String::new(),
            };
            say.info(format!(
                "< ServerHello: {}, {suite}{group}{alpn}",
                version_name(u16::from(version))
            ));
        }
        if let Some(seen) = watcher.take() {
            self.tell_certificates(&seen, say);
            inner.seen = Some(seen);
        }
    }

    fn tell_certificates(&self, seen: &Seen, say: &Narrator) {
        say.info(format!(
            "< Certificate: {} from the server, its own first:",
            plural(seen.chain.len() as u64, "certificate")
        ));
        let now = cert::now();
        for (i, der) in seen.chain.iter().enumerate() {
            match cert::describe(der) {
                Some(d) => d.lines(i, now).into_iter().for_each(|l| say.info(l)),
                None => say.info(format!("  {i} (not a certificate x509-parser can read)")),
            }
        }
        match &seen.verdict {
            Ok(()) => {
                say.info(format!(
                    "Certificate verified: signed by a CA we trust ({}), valid now, made out for {}",
                    self.roots, self.host
                ));
                if self.insecure {
                    say.note("--insecure was not needed: the certificate verifies");
                }
            }
            Err(e) if self.insecure => {
                let why = match self.certificate(e.clone(), Some(seen)) {
                    SockError::Certificate { problem, .. } => problem.to_string(),
                    other => other.to_string(),
                };
                say.warn(format!(
                    "--insecure: the certificate was NOT verified, and would have failed ({why}); \
                     the connection is encrypted, but nothing proves it is with {}: anyone on the \
                     path can pose as the server, then read and change everything",
                    self.host
                ));
            }
            // The error line says it.
            Err(_) => {}
        }
    }
}
