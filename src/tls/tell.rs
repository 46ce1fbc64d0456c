//! What the handshake says as it goes: the server's choice (its
//! ServerHello), then the certificates it sent, one by one, and the
//! verdict on them, in the order they arrive, so that a failure's error
//! line comes after the chain it is about.

use super::records::version_name;
use super::trust::{Seen, Watcher};
use super::{Inner, Tls, cert};
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::tr;

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
                .map(|s| tr!("tls-suite", suite = format!("{:?}", s.suite())))
                .unwrap_or_else(|| tr!("tls-no-suite"));
            let group = conn
                .negotiated_key_exchange_group()
                .map(|g| tr!("tls-group", group = format!("{:?}", g.name())))
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
        say.info(tr!("tls-chain", count = seen.chain.len()));
        let now = cert::now();
        for (i, der) in seen.chain.iter().enumerate() {
            match cert::describe(der) {
                Some(d) => d.lines(i, now).into_iter().for_each(|l| say.info(l)),
                None => say.info(tr!("tls-unreadable", index = i)),
            }
        }
        match &seen.verdict {
            Ok(()) => {
                say.info(tr!(
                    "tls-verified",
                    roots = self.roots.to_string(),
                    host = self.host.to_string()
                ));
                if self.insecure {
                    say.note(tr!("tls-insecure-unneeded"));
                }
            }
            Err(e) if self.insecure => {
                let why = match self.certificate(e.clone(), Some(seen)) {
                    SockError::Certificate { problem, .. } => problem.to_string(),
                    other => other.to_string(),
                };
                say.warn(tr!("tls-insecure", why = why, host = self.host.to_string()));
            }
            // The error line says it.
            Err(_) => {}
        }
    }
}
