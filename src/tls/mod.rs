//! TLS: the same socket, encrypted. What `http-get https://` and
//! `connect --tls` share.
//!
//! ```text
//! socket → connect                      (as before: TCP, in the clear)
//! sendall(ClientHello)                  16 03 01 ...  versions, server name, ALPN
//! recv → ServerHello, Certificate, ...  the server's choice and its proof
//! sendall(Finished)                     both sides now hold the same keys
//! sendall(application_data)             17 03 03 ...  the request, encrypted
//! recv   (application_data) → decrypt   the reply
//! ```
//!
//! TLS adds no system call. It is bytes on the same TCP socket: records
//! (`records.rs`) that first carry a handshake, where the server proves
//! with a certificate (`cert.rs`, `trust.rs`) that it is the host we asked
//! for, and then carry our data, encrypted. rustls does the cryptography;
//! socktool moves its bytes. rustls' `ClientConnection` never touches the
//! socket itself: we hand it what `recv` returned (`read_tls`), ask it what
//! to send (`write_tls`), and send that with the same `sendall` the plain
//! steps use, so `--trace` shows the same calls, `--hex` shows the records
//! on the socket and, apart, the plaintext inside, and every wait happens
//! in `poll`, bounded, on every system (the socket stays non-blocking).
//!
//! [`Tls`] is shared by two threads in `connect --tls`, one reading and
//! one writing, so it keeps its state behind a lock that no wait holds.
//!
//! A real client would resume sessions (a ticket saves a round trip next
//! time), check revocation (OCSP, CRLs), and send its own certificate when
//! a server asks for one.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

use crate::cli::TlsOpts;
use crate::client;
use crate::error::{CertProblem, Phase, SockError, TlsFailure};
use crate::narrate::{Narrator, first_line, plural};
use crate::signals::Doorbell;
use crate::target::Host;

pub mod cert;
pub mod keylog;
pub mod records;
pub mod trust;

use keylog::KeyLogTo;
use records::{Records, version_name};
use trust::{Seen, Watcher};

/// The ALPN name http-get offers: "I will speak HTTP/1.1 inside".
pub const HTTP_1_1: &[u8] = b"http/1.1";

/// Everything decided before the first socket: roots, options, the key
/// log file. Made once per run, so a bad `--cacert` or `--keylog` is said
/// before anything connects, and reused by every hop of `-L`.
pub struct Setup {
    config: Arc<ClientConfig>,
    watcher: Arc<Watcher>,
    /// How the roots are named in a verdict.
    roots: String,
    insecure: bool,
    keylog: Option<(Arc<KeyLogTo>, &'static str)>,
}

impl Setup {
    /// The client's configuration from `opts`; `alpn` is the protocol it
    /// will speak inside, when it has a registered name.
    pub fn new(opts: &TlsOpts, alpn: Option<&[u8]>) -> Result<Setup, SockError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = trust::roots(opts.cacert.as_deref())?;
        let watcher = Arc::new(Watcher::new(
            roots.store,
            Arc::clone(&provider),
            opts.insecure,
        )?);
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SockError::Usage(format!("TLS cannot be set up: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::clone(&watcher) as _)
            .with_no_client_auth();
        config.alpn_protocols = alpn.map(|a| vec![a.to_vec()]).unwrap_or_default();
        // --keylog FILE, or SSLKEYLOGFILE as browsers and curl honour it.
        let keylog_path = match (&opts.keylog, std::env::var_os("SSLKEYLOGFILE")) {
            (Some(path), _) => Some((path.clone(), "--keylog")),
            (None, Some(path)) if !path.is_empty() => Some((path.into(), "SSLKEYLOGFILE")),
            _ => None,
        };
        let keylog = match keylog_path {
            Some((path, from)) => {
                let to = Arc::new(KeyLogTo::open(&path)?);
                config.key_log = Arc::clone(&to) as _;
                Some((to, from))
            }
            None => None,
        };
        Ok(Setup {
            config: Arc::new(config),
            watcher,
            roots: roots.named,
            insecure: opts.insecure,
            keylog,
        })
    }

    /// What our ClientHello proposes, for a refusal: `TLS 1.3 and 1.2 with
    /// 9 cipher suites`.
    fn offered(&self) -> String {
        format!(
            "TLS 1.3 and 1.2 with {}",
            plural(
                self.config.crypto_provider().cipher_suites.len() as u64,
                "cipher suite"
            )
        )
    }
}

/// One TLS connection over a connected, non-blocking TCP socket.
pub struct Tls {
    inner: Mutex<Inner>,
    /// Held while records are taken from rustls and sent, so that records
    /// reach the socket in the order rustls numbered them even when both
    /// threads of `connect --tls` send (the reader answers a key update).
    sending: Mutex<()>,
    addr: SocketAddr,
    host: String,
    /// From the setup, for the error lines: what we offered, whom we trust.
    offered: String,
    roots: String,
    insecure: bool,
}

struct Inner {
    conn: ClientConnection,
    /// Plaintext decrypted but not yet handed to the caller.
    plain: VecDeque<u8>,
    /// Each direction's bytes on the socket, record by record.
    sent: Records,
    received: Records,
    /// The ServerHello was narrated.
    told_hello: bool,
    /// What the certificate check saw, once it ran.
    seen: Option<Seen>,
    /// The server's TLS stream ended: with close_notify (true) or not.
    ended: Option<bool>,
    /// That end was narrated.
    told_end: bool,
}

/// The largest socket read during the handshake: a flight of records.
const HANDSHAKE_RECV: usize = 16 * 1024 + 256;

impl Tls {
    /// The handshake on `stream`, narrated: our ClientHello, the server's
    /// choice, its certificates and the verdict. `per_call` bounds each
    /// wait for the server, `until` the whole handshake.
    pub fn handshake(
        stream: &mut TcpStream,
        addr: SocketAddr,
        host: &Host,
        setup: &Setup,
        per_call: Duration,
        until: Instant,
        say: &Narrator,
    ) -> Result<Tls, SockError> {
        let name = server_name(host)?;
        let conn = ClientConnection::new(Arc::clone(&setup.config), name.clone()).map_err(|e| {
            SockError::Tls {
                addr,
                failure: TlsFailure::Other(e.to_string()),
                handshake: true,
            }
        })?;
        // Each handshake's check is its own.
        let _ = setup.watcher.take();
        let tls = Tls {
            inner: Mutex::new(Inner {
                conn,
                plain: VecDeque::new(),
                sent: Records::default(),
                received: Records::default(),
                told_hello: false,
                seen: None,
                ended: None,
                told_end: false,
            }),
            sending: Mutex::new(()),
            addr,
            host: host.to_string(),
            offered: setup.offered(),
            roots: setup.roots.clone(),
            insecure: setup.insecure,
        };
        say.info(format!(
            "TLS handshake with {host}: the same socket now carries TLS records"
        ));
        let sni = match &name {
            ServerName::DnsName(n) => format!("server name (SNI) {}", n.as_ref()),
            _ => "no server name (SNI carries names, not addresses)".into(),
        };
        let alpn = match setup.config.alpn_protocols.first() {
            Some(p) => format!("ALPN {}", String::from_utf8_lossy(p)),
            None => "no ALPN".into(),
        };
        say.info(format!("> ClientHello: {}, {sni}, {alpn}", setup.offered()));

        let mut buf = vec![0u8; HANDSHAKE_RECV];
        loop {
            let (handshaking, wants_write) = {
                let inner = tls.lock();
                (inner.conn.is_handshaking(), inner.conn.wants_write())
            };
            let left = until.saturating_duration_since(Instant::now());
            let bound = per_call.min(left).max(Duration::from_millis(1));
            if wants_write {
                tls.flush(stream, Some(bound), say)?;
                continue;
            }
            if !handshaking {
                break;
            }
            let n =
                client::recv(stream, addr, &mut buf, Some(bound), None, say).map_err(
                    |e| match e {
                        SockError::Timeout { addr, after, .. } => SockError::Timeout {
                            phase: Phase::Handshake,
                            addr,
                            after,
                        },
                        e => e,
                    },
                )?;
            let fed = {
                let mut inner = tls.lock();
                let fed = inner.feed(&buf[..n], say);
                tls.tell(&mut inner, &setup.watcher, say);
                fed
            };
            if let Err(e) = fed {
                return Err(tls.failed(stream, e, true));
            }
            if n == 0 && tls.lock().conn.is_handshaking() {
                let inner = tls.lock();
                return Err(tls.refusal(&inner, None, true));
            }
        }
        let inner = tls.lock();
        let conn = &inner.conn;
        if conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3) {
            say.note(
                "TLS 1.3 encrypts everything after the ServerHello, the certificate too: \
                 on the wire (and in --hex) those records are application_data (17 03 03); \
                 with --keylog, Wireshark can open them",
            );
        }
        if let Some((log, from)) = &setup.keylog {
            let lost = log.lost.load(Ordering::Relaxed);
            if lost > 0 {
                say.warn(format!(
                    "{lost} of this connection's secrets could not be written to {} ({from})",
                    log.path.display()
                ));
            } else {
                say.note(format!(
                    "this connection's secrets appended to {} ({from}), in the NSS key log format: \
                     with them Wireshark decrypts a capture of it, and so can anyone who has the file",
                    log.path.display()
                ));
            }
        }
        say.note(
            "handshake done: from here on every byte on the socket is encrypted, in \
             application_data records (17 03 03 ...); the request and the reply travel inside",
        );
        drop(inner);
        Ok(tls)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave rustls half-updated in a way that
        // matters more than the panic itself.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Narrates what the handshake has newly learnt: the server's choice,
    /// then its certificates and the verdict on them.
    fn tell(&self, inner: &mut Inner, watcher: &Watcher, say: &Narrator) {
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

    /// Takes every record rustls has ready and sends them with one
    /// `sendall`, in order (see [`Tls::sending`]).
    fn flush(
        &self,
        stream: &mut TcpStream,
        timeout: Option<Duration>,
        say: &Narrator,
    ) -> Result<(), SockError> {
        let _order = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        let out = self.lock().take_records();
        self.send_records(stream, &out, timeout, say)
    }

    /// `sendall` of records, then (`--hex`) their headers read out under
    /// the dump, as for the records received.
    fn send_records(
        &self,
        stream: &mut TcpStream,
        out: &[u8],
        timeout: Option<Duration>,
        say: &Narrator,
    ) -> Result<(), SockError> {
        if out.is_empty() {
            return Ok(());
        }
        client::send_all(stream, self.addr, out, timeout, say)?;
        for head in self.lock().sent.follow(out) {
            say.hex_titled(format!("  > TLS record: {head}"), &[]);
        }
        Ok(())
    }

    /// Sends `bytes` encrypted: rustls turns them into application_data
    /// records, which go out with `sendall`.
    pub fn send_all(
        &self,
        stream: &mut TcpStream,
        bytes: &[u8],
        timeout: Option<Duration>,
        say: &Narrator,
    ) -> Result<(), SockError> {
        say.hex_titled(
            format!("> plaintext {} bytes, to be sent inside TLS", bytes.len()),
            bytes,
        );
        let _order = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        let mut rest = bytes;
        loop {
            let out = {
                let mut inner = self.lock();
                // rustls takes what its buffer holds; the rest next time.
                let n = inner
                    .conn
                    .writer()
                    .write(rest)
                    .map_err(|e| self.io_error(e))?;
                rest = &rest[n..];
                inner.take_records()
            };
            self.send_records(stream, &out, timeout, say)?;
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    /// One piece of plaintext into `buf`: 0 when the server's stream has
    /// ended (or `bell` rang, as in [`client::recv`]). Each socket `recv`
    /// asks for `buf.len()` bytes of records and is bounded by `timeout`.
    pub fn recv(
        &self,
        stream: &mut TcpStream,
        buf: &mut [u8],
        timeout: Option<Duration>,
        bell: Option<&Doorbell>,
        say: &Narrator,
    ) -> Result<usize, SockError> {
        loop {
            {
                let mut inner = self.lock();
                if !inner.plain.is_empty() {
                    let n = buf.len().min(inner.plain.len());
                    for (dst, src) in buf.iter_mut().zip(inner.plain.drain(..n)) {
                        *dst = src;
                    }
                    say.hex_titled(
                        format!("< plaintext {n} bytes, decrypted from the records above"),
                        &buf[..n],
                    );
                    return Ok(n);
                }
                if let Some(clean) = inner.ended {
                    // Said as the end is handed on, after the last data.
                    if !inner.told_end {
                        inner.told_end = true;
                        say.note(if clean {
                            "the server sent close_notify: TLS's own \"I am done\", so the end of the stream is really the server's"
                        } else {
                            "the server closed TCP without TLS's close_notify: the end is not authenticated \
                             (anyone on the path could cut the stream here); the application's own framing \
                             must tell whether all of it came"
                        });
                    }
                    return Ok(0);
                }
            }
            let n = client::recv(stream, self.addr, buf, timeout, bell, say)?;
            let raw = buf[..n].to_vec();
            let fed = self.lock().feed(&raw, say);
            if let Err(e) = fed {
                return Err(self.failed(stream, e, false));
            }
            let wants_write = self.lock().conn.wants_write();
            if wants_write {
                self.flush(stream, timeout, say)?;
            }
        }
    }

    /// Ends our side: TLS's close_notify alert, sent before the TCP FIN,
    /// says "nothing more from me" in a way no one on the path can forge.
    pub fn close(
        &self,
        stream: &mut TcpStream,
        timeout: Option<Duration>,
        say: &Narrator,
    ) -> Result<(), SockError> {
        self.lock().conn.send_close_notify();
        self.flush(stream, timeout, say)?;
        say.note("sent close_notify: TLS's \"nothing more from me\", before the FIN that TCP's shutdown sends");
        Ok(())
    }

    /// A rustls error as the error line says it, after sending the alert
    /// rustls prepared (so the server hears why), at most briefly.
    fn failed(&self, stream: &mut TcpStream, e: rustls::Error, handshake: bool) -> SockError {
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
    fn refusal(&self, inner: &Inner, e: Option<rustls::Error>, handshake: bool) -> SockError {
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
                        problem: CertProblem::Other("the server sent no certificate".into()),
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
    fn certificate(&self, e: rustls::Error, seen: Option<&Seen>) -> SockError {
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

    fn io_error(&self, source: io::Error) -> SockError {
        SockError::Io {
            op: "TLS",
            addr: self.addr,
            source,
        }
    }
}

impl Inner {
    /// Hands rustls what `recv` returned (nothing: the server closed) and
    /// takes out the plaintext it decrypted.
    fn feed(&mut self, raw: &[u8], say: &Narrator) -> Result<(), rustls::Error> {
        for head in self.received.follow(raw) {
            say.hex_titled(format!("  < TLS record: {head}"), &[]);
        }
        if self.received.not_tls {
            // rustls would say "corrupt message"; the caller says better.
            return Err(rustls::Error::General("not TLS".into()));
        }
        let mut rest = raw;
        loop {
            // read_tls copies what fits in rustls' buffer; process_new_packets
            // empties it, so the next read_tls takes more.
            self.conn
                .read_tls(&mut rest)
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            self.conn.process_new_packets()?;
            self.take_plain();
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    fn take_plain(&mut self) {
        let mut chunk = [0u8; 4096];
        loop {
            match self.conn.reader().read(&mut chunk) {
                Ok(0) => {
                    self.ended = Some(true);
                    return;
                }
                Ok(n) => self.plain.extend(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.ended = Some(false);
                    return;
                }
                // WouldBlock: nothing more decrypted yet.
                Err(_) => return,
            }
        }
    }

    /// Every record rustls has ready to send.
    fn take_records(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            if self.conn.write_tls(&mut out).is_err() {
                break;
            }
        }
        out
    }
}

/// Another refusal of the certificate, in words where we know them.
fn other_certificate(e: rustls::CertificateError) -> String {
    let text = rustls::Error::InvalidCertificate(e).to_string();
    if text.contains("CaUsedAsEndEntity") {
        "the server's own certificate is a CA's (basicConstraints CA:TRUE): a CA signs certificates, it cannot be one for a host".into()
    } else if text.contains("BadSignature") {
        "a signature in the chain does not match: the certificate was changed, or signed by another key than its issuer's".into()
    } else {
        text
    }
}

/// What rustls calls the server's choice, in a student's words.
fn incompatible(p: &rustls::PeerIncompatible) -> String {
    use rustls::PeerIncompatible as P;
    match p {
        P::ServerDoesNotSupportTls12Or13 | P::ServerTlsVersionIsDisabledByOurConfig => {
            "the server does not speak TLS 1.2 or 1.3, the oldest rustls accepts".into()
        }
        P::NoCipherSuitesInCommon => "the server chose a cipher suite we did not offer".into(),
        P::NoKxGroupsInCommon => "the server wants a key exchange we did not offer".into(),
        P::NoSignatureSchemesInCommon => {
            "the server signs with an algorithm we did not offer".into()
        }
        other => rustls::Error::PeerIncompatible(other.clone()).to_string(),
    }
}

/// The name the certificate must carry: a DNS name, or an IP address
/// (which is sent no SNI and must be in the certificate's names).
fn server_name(host: &Host) -> Result<ServerName<'static>, SockError> {
    match host {
        Host::Ip { addr, .. } => Ok(ServerName::IpAddress((*addr).into())),
        Host::Name(name) => {
            let name = name.trim_end_matches('.').to_string();
            ServerName::try_from(name.clone()).map_err(|_| {
                SockError::Usage(format!(
                    "{name} is not a name a certificate can carry (letters, digits, '-' and '.'): connect by another name or by address"
                ))
            })
        }
    }
}
