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
//! What the handshake says as it goes is in `tell.rs`; how a failure
//! becomes one error line, in `failure.rs`; the key log, in `keylog.rs`.
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
use crate::error::{Phase, SockError, TlsFailure};
use crate::narrate::Narrator;
use crate::signals::Doorbell;
use crate::target::Host;
use crate::tr;

pub mod cert;
mod failure;
pub mod keylog;
pub mod records;
mod tell;
pub mod trust;

use keylog::KeyLogTo;
use records::Records;
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
            .map_err(|e| SockError::Usage(tr!("tls-setup", why = e.to_string())))?
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
        tr!(
            "tls-offered",
            suites = self.config.crypto_provider().cipher_suites.len()
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
        say.info(tr!("tls-handshake", host = host.to_string()));
        let sni = match &name {
            ServerName::DnsName(n) => tr!("tls-sni", name = n.as_ref()),
            _ => tr!("tls-no-sni"),
        };
        let alpn = match setup.config.alpn_protocols.first() {
            Some(p) => format!("ALPN {}", String::from_utf8_lossy(p)),
            None => tr!("tls-no-alpn"),
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
            say.note(tr!("tls-13-encrypts"));
        }
        if let Some((log, from)) = &setup.keylog {
            let lost = log.lost.load(Ordering::Relaxed);
            if lost > 0 {
                say.warn(tr!(
                    "tls-keylog-lost",
                    lost = lost,
                    path = log.path.display().to_string(),
                    from = *from
                ));
            } else {
                say.note(tr!(
                    "tls-keylog",
                    path = log.path.display().to_string(),
                    from = *from
                ));
            }
        }
        say.note(tr!("tls-done"));
        drop(inner);
        Ok(tls)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave rustls half-updated in a way that
        // matters more than the panic itself.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
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
                            tr!("tls-close-notify")
                        } else {
                            tr!("tls-no-close-notify")
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
        say.note(tr!("tls-sent-close-notify"));
        Ok(())
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

/// The name the certificate must carry: a DNS name, or an IP address
/// (which is sent no SNI and must be in the certificate's names).
fn server_name(host: &Host) -> Result<ServerName<'static>, SockError> {
    match host {
        Host::Ip { addr, .. } => Ok(ServerName::IpAddress((*addr).into())),
        Host::Name(name) => {
            let name = name.trim_end_matches('.').to_string();
            ServerName::try_from(name.clone())
                .map_err(|_| SockError::Usage(tr!("tls-bad-name", name = name.as_str())))
        }
    }
}
