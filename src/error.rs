//! Every way a step can fail, as a value, and the one table that turns each
//! failure into a message and an exit code.
//!
//! Steps never print their own errors and never call `exit`: they return a
//! [`SockError`] and `main` hands it to the narrator, which prints one line
//! (plus an optional `hint:` line) and exits with [`SockError::exit_code`].
//! Keeping the table in one place is what lets README.md, `socktool --help`
//! and the tests promise the same numbers.
//!
//! The codes come from BSD's `sysexits.h` where one fits, so scripts that
//! already know those numbers read ours the same way.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use crate::narrate::words::{describe_errno, secs, strerror};
use crate::tr;

/// Exit codes, one per failure kind. 2 is clap's usage error.
pub mod code {
    /// Everything worked (also: stdout was closed by the reader, e.g. `| head`).
    pub const OK: u8 = 0;
    /// Bad arguments; clap prints the usage line.
    pub const USAGE: u8 = 2;
    /// The TLS handshake failed (curl's CURLE_SSL_CONNECT_ERROR: no
    /// sysexits code fits, and scripts that know curl read it the same).
    pub const TLS: u8 = 35;
    /// The server's certificate cannot be trusted (curl's
    /// CURLE_PEER_FAILED_VERIFICATION, kept apart from other TLS failures
    /// as curl keeps it: a script may want to tell the two apart).
    pub const CERTIFICATE: u8 = 60;
    /// The reply was larger than `--max-bytes`; `ladder`: a file that is
    /// not a recording (EX_DATAERR: the input data was wrong).
    pub const TOO_LARGE: u8 = 65;
    /// An input file (`--cacert`) is missing, unreadable or holds nothing
    /// usable (EX_NOINPUT).
    pub const NO_INPUT: u8 = 66;
    /// The host name could not be resolved (EX_NOHOST).
    pub const NO_HOST: u8 = 68;
    /// Connection refused, or host/network unreachable (EX_UNAVAILABLE).
    pub const UNAVAILABLE: u8 = 69;
    /// Cannot bind: address in use, no permission, not a local address (EX_OSERR).
    pub const BIND: u8 = 71;
    /// Any other input/output error, e.g. a reset connection (EX_IOERR).
    pub const IO: u8 = 74;
    /// A connect, read or write timed out (EX_TEMPFAIL).
    pub const TIMED_OUT: u8 = 75;
    /// A peer answered, but not what the protocol expects (EX_PROTOCOL).
    pub const PROTOCOL: u8 = 76;
}

/// The exit-code table as shown by `socktool --help` and README.md.
/// A unit test checks it against the constants above.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  ok (also when stdout is closed early, e.g. piped into head)
   2  usage: a bad argument or option (the line above says which)
  35  TLS handshake failed: the server refused our hello, chose what rustls
      refuses, or does not speak TLS on that port (curl's 35)
  60  the server's certificate cannot be trusted: unknown issuer, expired,
      or not valid for the name asked (curl's 60)
  65  the reply was larger than --max-bytes
      (ladder: a file is not a socktool --record recording)
  66  an input file cannot be read (--cacert, or it holds no certificate;
      ladder: a recording)
  68  host not found: the name could not be resolved
  69  connection refused or host unreachable: nothing listens there
      (load: a full server turned clients away; lab --pcap: no capture
      is possible here)
  71  cannot bind: address in use, port needs privileges, or not a local address
  74  other input/output error, e.g. connection reset by the peer
      (lab: a scenario's end did not do what it should)
  75  timed out: connect, TLS handshake, read or write took longer than --timeout
      (http-get: the whole exchange took longer than --max-time;
      load: --duration ended before every client finished)
  76  protocol: a reply was not what was expected (http-get: not HTTP,
      shorter than its header promised, or -L: too many redirects or one
      that cannot be followed; load: a byte differed)";

/// Which part of a conversation a timeout hit; students need to know whether
/// the peer never answered the handshake or answered and then went silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connect,
    Read,
    Write,
    /// A server waiting in `accept` for a client that never came.
    Accept,
    /// A client waiting for the server's side of the TLS handshake.
    Handshake,
}

impl Phase {
    /// The phase as the messages select on it (`timed out ... while
    /// connecting to`): `connect`, `read`, `write`, `accept`, `handshake`.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Connect => "connect",
            Phase::Read => "read",
            Phase::Write => "write",
            Phase::Accept => "accept",
            Phase::Handshake => "handshake",
        }
    }
}

/// Which step looked a name up or connected: a hint says what to do next
/// in that step's terms (start a web server for http-get, a line server
/// for connect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    Resolve,
    HttpGet,
    Connect,
    UdpSend,
}

/// A failure, carrying what was being done and to whom.
#[derive(Debug, thiserror::Error)]
pub enum SockError {
    /// The tutorial's own line, followed by the resolver's reason.
    Resolve {
        host: String,
        reason: String,
        asker: Asker,
    },

    /// The name resolved, but not to the family that was asked for.
    NoAddress {
        host: String,
        family: &'static str,
    },

    ReverseLookup {
        addr: IpAddr,
        reason: String,
    },

    /// `connect` failed for a reason other than a timeout.
    Connect {
        addr: SocketAddr,
        #[source]
        source: io::Error,
        asker: Asker,
    },

    Timeout {
        phase: Phase,
        addr: SocketAddr,
        after: Duration,
    },

    /// The tutorial's bind failure line, with the real errno and text.
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
        /// For TCP, whether SO_REUSEADDR was set (then TIME_WAIT cannot
        /// be what holds the port); `None` for UDP, which has no TIME_WAIT.
        reuse: Option<bool>,
    },

    /// A socket call that failed before there was an address to name
    /// (`socket`, `setsockopt`, `listen`).
    Call {
        op: &'static str,
        #[source]
        source: io::Error,
    },

    /// Any other failing socket call: `op` is the call's name as traced.
    Io {
        op: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },

    TooLarge {
        limit: u64,
    },

    /// A server's own limit ran out: no client came (`--accept-timeout`),
    /// or its one client was silent or stopped reading; `option` is the
    /// flag that set it.
    ServerTimeout {
        phase: Phase,
        addr: SocketAddr,
        after: Duration,
        option: &'static str,
    },

    /// http-get: the server sent some of its reply, then nothing for
    /// `--timeout`.
    Stalled {
        addr: SocketAddr,
        after: Duration,
        got: u64,
    },

    /// http-get: `--max-time` ran out, however busy the connection was.
    MaxTime {
        addr: SocketAddr,
        after: Duration,
        got: u64,
    },

    /// http-get: the peer answered, but not in HTTP. `start` is the
    /// beginning of what it sent, escaped for one line.
    NotHttp {
        addr: SocketAddr,
        start: String,
    },

    /// http-get: the reply began as HTTP but its framing is broken.
    BadReply {
        addr: SocketAddr,
        why: String,
    },

    /// http-get: the server closed before the reply was whole.
    Incomplete {
        addr: SocketAddr,
        what: String,
    },

    /// TLS: the server's certificate cannot be trusted.
    Certificate {
        addr: SocketAddr,
        problem: CertProblem,
    },

    /// TLS: the handshake (or, once connected, the TLS layer) failed for a
    /// reason other than the certificate.
    Tls {
        addr: SocketAddr,
        failure: TlsFailure,
        handshake: bool,
    },

    /// `--cacert FILE` cannot be read, or holds no certificate.
    CaFile {
        path: std::path::PathBuf,
        why: String,
    },

    /// http-get -L: the redirects did not end within `--max-redirs`.
    TooManyRedirects {
        max: u32,
        last: String,
    },

    /// http-get -L: a redirect whose Location cannot be followed.
    BadRedirect {
        addr: SocketAddr,
        why: String,
    },

    Stdout {
        #[source]
        source: io::Error,
    },

    /// `socktool man --dir`: a page or its directory could not be written.
    WriteFile {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    /// `socktool ladder`: a recording that cannot be read.
    ReadFile {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    /// `socktool ladder`: a line that is not one of `--record`'s events.
    BadRecording {
        path: std::path::PathBuf,
        line: usize,
        why: String,
    },

    /// `socktool lab`: a scenario's end did not do what the scenario
    /// needs (a step exited with the wrong code, a wait ran out).
    Lab {
        scenario: &'static str,
        why: String,
    },

    /// `socktool lab --pcap`: there is no capture to write, because no
    /// private network namespace could be made.
    NoCapture {
        why: String,
    },

    Stdin {
        #[source]
        source: io::Error,
    },

    /// A UDP message that cannot fit in one datagram. Checked before
    /// sending, and also what the kernel's EMSGSIZE becomes.
    DatagramTooLarge {
        /// None when stdin was read only up to one byte past the limit.
        size: Option<usize>,
        limit: usize,
        family: &'static str,
    },

    /// udp-send got no answer in time. UDP gives no error for a lost
    /// datagram, so silence is all there is to report.
    NoReply {
        addr: SocketAddr,
        after: Duration,
    },

    /// udp-ping heard no reply to any of its pings.
    NoPong {
        addr: SocketAddr,
        sent: u64,
    },

    /// A connected UDP socket learned from an ICMP "port unreachable" that
    /// nothing is bound to the port (Linux reports it as ECONNREFUSED).
    PortUnreachable {
        addr: SocketAddr,
    },

    /// Options that are each valid but cannot work together, found only
    /// once the program knows more than clap does (the open-files limit, the
    /// address family of the target).
    Usage(String),

    /// `socktool load`: not every client got every reply it expected.
    /// `first` describes the first failure, so the one error line already
    /// says what went wrong.
    Load {
        clients: u64,
        failed: u64,
        kind: LoadFailure,
        first: String,
    },

    /// Whoever read our stdout stopped reading (`| head`). Not a failure of
    /// ours: exit 0 and print nothing, as `cat` does.
    StdoutClosed,
}

/// The one line each failure is printed as, in the chosen language
/// (`locales/*.ftl`, ids `err-*`). Two lines are the tutorial's own and
/// stay as it prints them, whatever the language: `Hostname could not be
/// resolved. Exiting` and `Bind failed. Error Code : 98 Message ...`.
impl fmt::Display for SockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = match self {
            SockError::Resolve { host, reason, .. } => {
                format!("Hostname could not be resolved. Exiting ({host}: {reason})")
            }
            SockError::NoAddress { host, family } => {
                tr!("err-no-address", host = host, family = *family)
            }
            SockError::ReverseLookup { addr, reason } => {
                tr!("err-reverse-lookup", addr = addr, reason = reason)
            }
            SockError::Connect { addr, source, .. } => {
                tr!("err-connect", addr = addr, errno = describe_errno(source))
            }
            SockError::Timeout { phase, addr, after } => tr!(
                "err-timeout",
                phase = phase.key(),
                addr = addr,
                after = secs(*after)
            ),
            SockError::Bind { addr, source, .. } => format!(
                "Bind failed. Error Code : {} Message {} ({addr})",
                errno(source),
                strerror(source)
            ),
            SockError::Call { op, source } => {
                tr!("err-call", op = *op, errno = describe_errno(source))
            }
            SockError::Io { op, addr, source } => tr!(
                "err-io",
                op = *op,
                addr = addr,
                errno = describe_errno(source)
            ),
            SockError::TooLarge { limit } => tr!("err-too-large", limit = limit),
            SockError::ServerTimeout {
                phase,
                addr,
                after,
                option,
            } => tr!(
                "err-server-timeout",
                phase = phase.key(),
                addr = addr,
                after = secs(*after),
                option = *option
            ),
            SockError::Stalled { addr, after, got } => {
                tr!("err-stalled", addr = addr, after = secs(*after), got = got)
            }
            SockError::MaxTime { addr, after, got } => {
                tr!("err-max-time", addr = addr, after = secs(*after), got = got)
            }
            SockError::NotHttp { addr, start } => {
                tr!("err-not-http", addr = addr, start = start)
            }
            SockError::BadReply { addr, why } => tr!("err-bad-reply", addr = addr, why = why),
            SockError::Incomplete { addr, what } => {
                tr!("err-incomplete", addr = addr, what = what)
            }
            SockError::Certificate { addr, problem } => tr!(
                "err-certificate",
                addr = addr,
                problem = problem.to_string()
            ),
            SockError::Tls {
                addr,
                failure,
                handshake,
            } => tr!(
                "err-tls",
                addr = addr,
                failure = failure.to_string(),
                during = if *handshake {
                    "handshake"
                } else {
                    "connection"
                }
            ),
            SockError::CaFile { path, why } => {
                tr!("err-ca-file", path = path.display().to_string(), why = why)
            }
            SockError::TooManyRedirects { max, last } => {
                tr!("err-too-many-redirects", max = max, last = last)
            }
            SockError::BadRedirect { addr, why } => {
                tr!("err-bad-redirect", addr = addr, why = why)
            }
            SockError::Stdout { source } => tr!("err-stdout", source = source.to_string()),
            SockError::WriteFile { path, source } => tr!(
                "err-write-file",
                path = path.display().to_string(),
                source = source.to_string()
            ),
            SockError::ReadFile { path, source } => tr!(
                "err-read-file",
                path = path.display().to_string(),
                source = source.to_string()
            ),
            SockError::BadRecording { path, line, why } => tr!(
                "err-bad-recording",
                path = path.display().to_string(),
                line = line,
                why = why
            ),
            SockError::Lab { scenario, why } => tr!("err-lab", scenario = scenario, why = why),
            SockError::NoCapture { why } => tr!("err-no-capture", why = why),
            SockError::Stdin { source } => tr!("err-stdin", source = source.to_string()),
            SockError::DatagramTooLarge {
                size,
                limit,
                family,
            } => match size {
                Some(size) => tr!(
                    "err-datagram-too-large",
                    size = size,
                    limit = limit,
                    family = *family
                ),
                None => tr!("err-datagram-over-limit", limit = limit, family = *family),
            },
            SockError::NoReply { addr, after } => {
                tr!("err-no-reply", addr = addr, after = secs(*after))
            }
            SockError::NoPong { addr, sent } => tr!("err-no-pong", addr = addr, sent = sent),
            SockError::PortUnreachable { addr } => {
                tr!("err-port-unreachable", addr = addr, port = addr.port())
            }
            SockError::Usage(line) => line.clone(),
            SockError::Load {
                clients,
                failed,
                first,
                ..
            } => tr!(
                "err-load",
                clients = clients,
                failed = failed,
                first = first
            ),
            SockError::StdoutClosed => tr!("err-stdout-closed"),
        };
        f.write_str(&line)
    }
}

impl SockError {
    /// The same failure, its hint now in the terms of the step that asked
    /// (the resolver and `connect` do not know which step called them).
    pub fn asked_by(mut self, by: Asker) -> SockError {
        if let SockError::Resolve { asker, .. } | SockError::Connect { asker, .. } = &mut self {
            *asker = by;
        }
        self
    }

    /// The one mapping from failure to exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            SockError::Resolve { .. }
            | SockError::NoAddress { .. }
            | SockError::ReverseLookup { .. } => code::NO_HOST,
            SockError::Connect { source, .. } => match source.kind() {
                io::ErrorKind::TimedOut => code::TIMED_OUT,
                io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable => code::UNAVAILABLE,
                _ => code::IO,
            },
            SockError::Timeout { .. }
            | SockError::ServerTimeout { .. }
            | SockError::Stalled { .. }
            | SockError::MaxTime { .. } => code::TIMED_OUT,
            SockError::NotHttp { .. }
            | SockError::BadReply { .. }
            | SockError::Incomplete { .. }
            | SockError::TooManyRedirects { .. }
            | SockError::BadRedirect { .. } => code::PROTOCOL,
            SockError::Certificate { .. } => code::CERTIFICATE,
            SockError::Tls { .. } => code::TLS,
            SockError::CaFile { .. } => code::NO_INPUT,
            SockError::Bind { .. } => code::BIND,
            SockError::Io { .. }
            | SockError::Call { .. }
            | SockError::Stdout { .. }
            | SockError::Stdin { .. }
            | SockError::WriteFile { .. } => code::IO,
            SockError::ReadFile { .. } => code::NO_INPUT,
            SockError::BadRecording { .. } => code::TOO_LARGE,
            SockError::Lab { .. } => code::IO,
            SockError::NoCapture { .. } => code::UNAVAILABLE,
            SockError::DatagramTooLarge { .. } => code::USAGE,
            SockError::NoReply { .. } | SockError::NoPong { .. } => code::TIMED_OUT,
            SockError::PortUnreachable { .. } => code::UNAVAILABLE,
            SockError::TooLarge { .. } => code::TOO_LARGE,
            SockError::StdoutClosed => code::OK,
            SockError::Usage(_) => code::USAGE,
            SockError::Load { kind, .. } => match kind {
                LoadFailure::Mismatch => code::PROTOCOL,
                LoadFailure::Unfinished => code::TIMED_OUT,
                LoadFailure::Refused | LoadFailure::TurnedAway { .. } => code::UNAVAILABLE,
                LoadFailure::Io => code::IO,
            },
        }
    }

    /// A second line saying what to do about it, where we know (ids
    /// `hint-*`).
    pub fn hint(&self) -> Option<String> {
        match self {
            SockError::Resolve { host, asker, .. } => Some(match asker {
                // The tutorial's first client command is `http-get
                // www.google.com`: without a network, a page of one's own
                // does as well.
                Asker::HttpGet => tr!("hint-resolve-web", ask = resolver_command(host)),
                _ => tr!(
                    "hint-resolve",
                    ask = resolver_command(host),
                    hosts_file = HOSTS_FILE
                ),
            }),
            // Every address the name has is of the other family.
            SockError::NoAddress { host, family } => Some(tr!(
                "hint-no-address",
                host = host,
                family = *family,
                flag = if *family == "IPv4" { "-6" } else { "-4" }
            )),
            SockError::Connect {
                addr,
                source,
                asker,
            } => match source.kind() {
                io::ErrorKind::ConnectionRefused => Some(refused_hint(*addr, *asker)),
                io::ErrorKind::TimedOut => Some(tr!("hint-connect-timed-out")),
                io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                    Some(tr!("hint-no-route"))
                }
                _ => None,
            },
            SockError::Timeout { phase, .. } => Some(tr!("hint-timeout", phase = phase.key())),
            SockError::ServerTimeout { phase, option, .. } => Some(tr!(
                "hint-server-timeout",
                phase = phase.key(),
                option = *option
            )),
            SockError::Bind {
                addr,
                source,
                reuse,
            } => Some(match source.kind() {
                io::ErrorKind::AddrInUse if *reuse == Some(false) => {
                    tr!("hint-bind-time-wait", port = addr.port())
                }
                io::ErrorKind::AddrInUse => tr!("hint-bind-in-use", port = addr.port()),
                io::ErrorKind::PermissionDenied => {
                    tr!("hint-bind-privileged", port = u32::from(addr.port()) + 8000)
                }
                io::ErrorKind::AddrNotAvailable => {
                    tr!("hint-bind-not-local", ip = addr.ip())
                }
                _ => tr!("hint-bind-other"),
            }),
            SockError::Io { source, .. } => match source.kind() {
                io::ErrorKind::ConnectionReset => Some(tr!("hint-reset")),
                io::ErrorKind::BrokenPipe => Some(tr!("hint-broken-pipe")),
                _ => None,
            },
            SockError::TooLarge { .. } => Some(tr!("hint-too-large")),
            SockError::Certificate { problem, .. } => Some(problem.hint()),
            SockError::Tls { failure, .. } => Some(failure.hint()),
            SockError::CaFile { .. } => Some(tr!("hint-ca-file")),
            SockError::TooManyRedirects { .. } => Some(tr!("hint-too-many-redirects")),
            SockError::BadRedirect { .. } => Some(tr!("hint-bad-redirect")),
            SockError::Stalled { .. } => Some(tr!("hint-stalled")),
            SockError::MaxTime { .. } => Some(tr!("hint-max-time")),
            SockError::NotHttp { addr, .. } => {
                Some(tr!("hint-not-http", ip = addr.ip(), port = addr.port()))
            }
            SockError::Incomplete { .. } => Some(tr!("hint-incomplete")),
            SockError::DatagramTooLarge { .. } => Some(tr!("hint-datagram-too-large")),
            SockError::NoReply { addr, .. } | SockError::NoPong { addr, .. } => {
                Some(tr!("hint-no-reply", port = addr.port()))
            }
            SockError::PortUnreachable { addr } => {
                Some(tr!("hint-port-unreachable", port = addr.port()))
            }
            SockError::Load { kind, .. } => Some(match kind {
                LoadFailure::Mismatch => tr!("hint-load-mismatch"),
                LoadFailure::Unfinished => tr!("hint-load-unfinished"),
                LoadFailure::Refused => tr!("hint-load-refused"),
                LoadFailure::TurnedAway { clients } => {
                    tr!("hint-load-turned-away", clients = clients)
                }
                LoadFailure::Io => tr!("hint-load-io"),
            }),
            SockError::BadRecording { .. } => Some(tr!("hint-bad-recording")),
            _ => None,
        }
    }
}

/// What to do about a refused connect: start the right kind of server
/// (one a student can start: ports below 1024 need root), and, when the
/// target is another machine, remember that a server on 127.0.0.1 (every
/// socktool server's default) cannot be reached from there.
fn refused_hint(addr: SocketAddr, asker: Asker) -> String {
    let port = addr.port();
    let low = port < 1024;
    let mut hint = match (asker, low) {
        (Asker::HttpGet, true) => tr!("hint-refused-web-low", port = port),
        (Asker::HttpGet, false) => tr!("hint-refused-web", port = port),
        (_, true) => tr!("hint-refused-low", port = port),
        (Asker::UdpSend, false) => tr!("hint-refused-udp", port = port),
        (_, false) => tr!("hint-refused", port = port),
    };
    if !addr.ip().is_loopback() {
        hint.push_str(&tr!("hint-refused-far", ip = addr.ip()));
    }
    hint
}

/// Why a TLS server's certificate cannot be trusted: each the kind of
/// lie a certificate check exists to catch, or a mistake that looks the
/// same from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    /// Signed by a CA that is not among the roots we trust. `issuer`
    /// names it; `trusted` says which roots those are.
    UnknownIssuer { issuer: String, trusted: String },
    /// Its time is over: `until` when, `ago` how long since.
    Expired { until: String, ago: String },
    /// Its time has not begun: valid from `from`.
    NotYetValid { from: String },
    /// Made out for other names: `asked` is ours, `names` its own.
    WrongName { asked: String, names: Vec<String> },
    /// Anything else the check refused, in rustls' words.
    Other(String),
}

impl fmt::Display for CertProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CertProblem::UnknownIssuer { issuer, trusted } => {
                tr!("cert-unknown-issuer", issuer = issuer, trusted = trusted)
            }
            CertProblem::Expired { until, ago } => {
                tr!("cert-expired", until = until, ago = ago)
            }
            CertProblem::NotYetValid { from } => tr!("cert-not-yet-valid", from = from),
            CertProblem::WrongName { asked, names } if names.is_empty() => {
                tr!("cert-wrong-name-none", asked = asked)
            }
            CertProblem::WrongName { asked, names } => {
                tr!("cert-wrong-name", asked = asked, names = names.join(", "))
            }
            CertProblem::Other(why) => why.clone(),
        };
        f.write_str(&text)
    }
}

impl CertProblem {
    fn hint(&self) -> String {
        match self {
            CertProblem::UnknownIssuer { .. } => tr!("hint-cert-unknown-issuer"),
            CertProblem::Expired { .. } | CertProblem::NotYetValid { .. } => {
                tr!("hint-cert-clock")
            }
            CertProblem::WrongName { names, .. } => match names.first() {
                Some(name) => tr!("hint-cert-wrong-name", name = name),
                None => tr!("hint-cert-no-name"),
            },
            CertProblem::Other(_) => tr!("hint-cert-other"),
        }
    }
}

/// A command that asks the same resolver socktool asks (the hosts file,
/// then DNS), on this system. `nslookup` would not do: it asks a DNS
/// server directly and never reads the hosts file.
fn resolver_command(host: &str) -> String {
    if cfg!(windows) {
        // Resolve-DnsName goes through the DNS client service, which
        // serves the hosts file's names too.
        format!("powershell Resolve-DnsName {host}")
    } else if cfg!(target_os = "macos") {
        format!("dscacheutil -q host -a name {host}")
    } else {
        format!("getent hosts {host}")
    }
}

/// Where this system keeps the names it resolves without a network.
const HOSTS_FILE: &str = if cfg!(windows) {
    r"C:\Windows\System32\drivers\etc\hosts"
} else {
    "/etc/hosts"
};

/// Why a TLS handshake failed, when the certificate was not the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFailure {
    /// The server refused with an alert: `name` and `code` as RFC 8446
    /// spells them (`handshake_failure`, 40); `offered` is what our
    /// ClientHello proposed.
    Alert {
        name: String,
        code: u8,
        offered: String,
    },
    /// rustls refused what the server chose (`why`); `chose` is what its
    /// ServerHello said, when one came.
    Incompatible { why: String, chose: Option<String> },
    /// The peer does not speak TLS: `start` is the beginning of what it
    /// sent, escaped for one line; `http` when that is plain HTTP.
    NotTls { start: String, http: bool },
    /// The server closed the connection before the handshake was done.
    Closed,
    /// Anything else, in rustls' words.
    Other(String),
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            TlsFailure::Alert {
                name,
                code,
                offered,
            } => tr!(
                "tls-alert",
                name = name,
                code = code.to_string(),
                offered = offered
            ),
            TlsFailure::Incompatible { why, chose: None } => why.clone(),
            TlsFailure::Incompatible {
                why,
                chose: Some(chose),
            } => tr!("tls-incompatible", why = why, chose = chose),
            TlsFailure::NotTls { start, http: true } => tr!("tls-plain-http", start = start),
            TlsFailure::NotTls { start, http: false } => tr!("tls-not-tls", start = start),
            TlsFailure::Closed => tr!("tls-closed"),
            TlsFailure::Other(why) => why.clone(),
        };
        f.write_str(&text)
    }
}

impl TlsFailure {
    fn hint(&self) -> String {
        match self {
            TlsFailure::Alert { .. } => tr!("hint-tls-alert"),
            TlsFailure::Incompatible { .. } => tr!("hint-tls-incompatible"),
            TlsFailure::NotTls { http: true, .. } => tr!("hint-tls-plain-http"),
            TlsFailure::NotTls { http: false, .. } => tr!("hint-tls-not-tls"),
            TlsFailure::Closed => tr!("hint-tls-closed"),
            TlsFailure::Other(_) => tr!("hint-tls-other"),
        }
    }
}

/// The worst thing that happened to a `socktool load` run; it picks the
/// exit code. A wrong byte outranks everything: it means the server is wrong,
/// not merely slow or overloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LoadFailure {
    /// Connections were refused (exit 69).
    Refused,
    /// The server answered this many clients with one line and closed: it
    /// was full (exit 69).
    TurnedAway { clients: u64 },
    /// Connections closed, reset or failed otherwise (exit 74).
    Io,
    /// The time bound ended the run before every client finished (exit 75).
    Unfinished,
    /// A reply byte differed from the expected one (exit 76).
    Mismatch,
}

/// Wraps a failed read or write: an expired `SO_RCVTIMEO`/`SO_SNDTIMEO`
/// surfaces as `WouldBlock` (EAGAIN) on Linux, not as `TimedOut`, so both are
/// turned into [`SockError::Timeout`] here rather than in every step.
pub fn io_failure(
    op: &'static str,
    phase: Phase,
    addr: SocketAddr,
    after: Option<Duration>,
    source: io::Error,
) -> SockError {
    match (source.kind(), after) {
        (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(after)) => {
            SockError::Timeout { phase, addr, after }
        }
        _ => SockError::Io { op, addr, source },
    }
}

/// The errno number of an I/O error, as the tutorial's `Error Code : 98`.
pub fn errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_table_lists_every_code_once() {
        for c in [
            code::OK,
            code::USAGE,
            code::TLS,
            code::CERTIFICATE,
            code::TOO_LARGE,
            code::NO_INPUT,
            code::NO_HOST,
            code::UNAVAILABLE,
            code::BIND,
            code::IO,
            code::TIMED_OUT,
            code::PROTOCOL,
        ] {
            let rows = EXIT_CODES_HELP
                .lines()
                .filter(|l| l.trim_start().starts_with(&format!("{c} ")))
                .count();
            assert_eq!(rows, 1, "exit code {c} must appear once in the help table");
        }
    }

    #[test]
    fn a_refused_connect_to_another_machine_mentions_listening_on_loopback_only() {
        // Hints are text: no packet goes anywhere in this test.
        let lan: SocketAddr = "192.0.2.7:8888".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8888".parse().unwrap();
        let refused = |addr, asker| SockError::Connect {
            addr,
            source: io::ErrorKind::ConnectionRefused.into(),
            asker,
        };
        for asker in [Asker::Connect, Asker::HttpGet] {
            let far = refused(lan, asker).hint().unwrap_or_default();
            assert!(
                far.contains("listens on 127.0.0.1 (the default), other machines cannot reach it: start it with --host 0.0.0.0"),
                "{far}"
            );
            let near = refused(local, asker).hint().unwrap_or_default();
            assert!(!near.contains("--host"), "{near}");
        }
        let web = refused(local, Asker::HttpGet).hint().unwrap_or_default();
        assert!(web.contains("python3 -m http.server 8888"), "{web}");
    }

    #[test]
    fn kinds_map_to_distinct_codes() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let refused = SockError::Connect {
            addr,
            source: io::ErrorKind::ConnectionRefused.into(),
            asker: Asker::Connect,
        };
        let timed = io_failure(
            "recv",
            Phase::Read,
            addr,
            Some(Duration::from_secs(1)),
            io::ErrorKind::WouldBlock.into(),
        );
        let bind = SockError::Bind {
            reuse: Some(true),
            addr,
            source: io::Error::from_raw_os_error(98),
        };
        assert_eq!(refused.exit_code(), 69);
        assert_eq!(timed.exit_code(), 75);
        assert_eq!(bind.exit_code(), 71);
        // The tutorial's line, with the system's own number and words
        // (98 is Linux's EADDRINUSE; Windows says 10048).
        #[cfg(target_os = "linux")]
        assert_eq!(
            bind.to_string(),
            "Bind failed. Error Code : 98 Message Address already in use (127.0.0.1:1)"
        );
        assert!(
            bind.to_string()
                .starts_with("Bind failed. Error Code : 98 Message ")
        );
        assert_eq!(SockError::StdoutClosed.exit_code(), 0);
    }
}
