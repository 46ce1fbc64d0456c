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

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use crate::narrate::words::{describe_errno, secs, strerror};

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
    /// What was going on: `connecting to`, `reading from`, `writing to`.
    pub fn doing(self) -> &'static str {
        match self {
            Phase::Connect => "connecting to",
            Phase::Read => "reading from",
            Phase::Write => "writing to",
            Phase::Accept => "waiting for a client on",
            Phase::Handshake => "doing the TLS handshake with",
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
    #[error("Hostname could not be resolved. Exiting ({host}: {reason})")]
    Resolve {
        host: String,
        reason: String,
        asker: Asker,
    },

    /// The name resolved, but not to the family that was asked for.
    #[error("{host} has no {family} address")]
    NoAddress { host: String, family: &'static str },

    #[error("no host name for {addr}: {reason}")]
    ReverseLookup { addr: IpAddr, reason: String },

    /// `connect` failed for a reason other than a timeout.
    #[error("cannot connect to {addr}: {}", describe_errno(source))]
    Connect {
        addr: SocketAddr,
        #[source]
        source: io::Error,
        asker: Asker,
    },

    #[error("timed out after {} while {} {addr}", secs(*after), phase.doing())]
    Timeout {
        phase: Phase,
        addr: SocketAddr,
        after: Duration,
    },

    /// The tutorial's bind failure line, with the real errno and text.
    #[error(
        "Bind failed. Error Code : {} Message {} ({addr})",
        errno(source),
        strerror(source)
    )]
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
    #[error("{op} failed: {}", describe_errno(source))]
    Call {
        op: &'static str,
        #[source]
        source: io::Error,
    },

    /// Any other failing socket call: `op` is the call's name as traced.
    #[error("{op} failed ({addr}): {}", describe_errno(source))]
    Io {
        op: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },

    #[error("the reply passed --max-bytes {limit}; stopped after {limit} bytes")]
    TooLarge { limit: u64 },

    /// A server's own limit ran out: no client came (`--accept-timeout`),
    /// or its one client was silent or stopped reading; `option` is the
    /// flag that set it.
    #[error("timed out after {} while {} {addr} ({option})", secs(*after), phase.doing())]
    ServerTimeout {
        phase: Phase,
        addr: SocketAddr,
        after: Duration,
        option: &'static str,
    },

    /// http-get: the server sent some of its reply, then nothing for
    /// `--timeout`.
    #[error("timed out after {} while reading from {addr}: {got} bytes came, then nothing", secs(*after))]
    Stalled {
        addr: SocketAddr,
        after: Duration,
        got: u64,
    },

    /// http-get: `--max-time` ran out, however busy the connection was.
    #[error("gave up after --max-time {}: the exchange with {addr} was not over ({got} bytes of reply so far)", secs(*after))]
    MaxTime {
        addr: SocketAddr,
        after: Duration,
        got: u64,
    },

    /// http-get: the peer answered, but not in HTTP. `start` is the
    /// beginning of what it sent, escaped for one line.
    #[error(
        "{addr} answered with something that is not HTTP: \"{start}\" (an HTTP reply starts with HTTP/1.1 and a status code)"
    )]
    NotHttp { addr: SocketAddr, start: String },

    /// http-get: the reply began as HTTP but its framing is broken.
    #[error("the reply from {addr} cannot be read as HTTP: {why}")]
    BadReply { addr: SocketAddr, why: String },

    /// http-get: the server closed before the reply was whole.
    #[error("incomplete reply from {addr}: {what}")]
    Incomplete { addr: SocketAddr, what: String },

    /// TLS: the server's certificate cannot be trusted.
    #[error("cannot trust the certificate of {addr}: {problem}")]
    Certificate {
        addr: SocketAddr,
        problem: CertProblem,
    },

    /// TLS: the handshake (or, once connected, the TLS layer) failed for a
    /// reason other than the certificate.
    #[error("TLS {} with {addr} failed: {failure}", if *handshake { "handshake" } else { "connection" })]
    Tls {
        addr: SocketAddr,
        failure: TlsFailure,
        handshake: bool,
    },

    /// `--cacert FILE` cannot be read, or holds no certificate.
    #[error("--cacert {}: {why}", path.display())]
    CaFile {
        path: std::path::PathBuf,
        why: String,
    },

    /// http-get -L: the redirects did not end within `--max-redirs`.
    #[error("gave up after {max} redirects (--max-redirs): {last} sends us on again")]
    TooManyRedirects { max: u32, last: String },

    /// http-get -L: a redirect whose Location cannot be followed.
    #[error("cannot follow the redirect from {addr}: {why}")]
    BadRedirect { addr: SocketAddr, why: String },

    #[error("cannot write the data to stdout: {source}")]
    Stdout {
        #[source]
        source: io::Error,
    },

    /// `socktool man --dir`: a page or its directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    /// `socktool ladder`: a recording that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    /// `socktool ladder`: a line that is not one of `--record`'s events.
    #[error("{}, line {line}: not a socktool recording ({why})", path.display())]
    BadRecording {
        path: std::path::PathBuf,
        line: usize,
        why: String,
    },

    /// `socktool lab`: a scenario's end did not do what the scenario
    /// needs (a step exited with the wrong code, a wait ran out).
    #[error("lab {scenario}: {why}")]
    Lab { scenario: &'static str, why: String },

    /// `socktool lab --pcap`: there is no capture to write, because no
    /// private network namespace could be made.
    #[error("--pcap needs a capture, and there is none: {why}")]
    NoCapture { why: String },

    #[error("cannot read stdin: {source}")]
    Stdin {
        #[source]
        source: io::Error,
    },

    /// A UDP message that cannot fit in one datagram. Checked before
    /// sending, and also what the kernel's EMSGSIZE becomes.
    #[error(
        "the message is {}, but one {family} UDP datagram carries at most {limit} bytes",
        match size { Some(n) => format!("{n} bytes"), None => format!("over {limit} bytes") }
    )]
    DatagramTooLarge {
        /// None when stdin was read only up to one byte past the limit.
        size: Option<usize>,
        limit: usize,
        family: &'static str,
    },

    /// udp-send got no answer in time. UDP gives no error for a lost
    /// datagram, so silence is all there is to report.
    #[error(
        "no reply from {addr} within {}: UDP does not guarantee delivery, so the datagram or its reply may have been lost, or nothing answers on that port",
        secs(*after)
    )]
    NoReply { addr: SocketAddr, after: Duration },

    /// udp-ping heard no reply to any of its pings.
    #[error(
        "no reply from {addr} to any of {sent} pings: UDP does not guarantee delivery, so every ping or every reply was lost, or nothing answers on that port"
    )]
    NoPong { addr: SocketAddr, sent: u64 },

    /// A connected UDP socket learned from an ICMP "port unreachable" that
    /// nothing is bound to the port (Linux reports it as ECONNREFUSED).
    #[error(
        "{addr} answered ICMP port unreachable (ECONNREFUSED): nothing listens on UDP port {}",
        addr.port()
    )]
    PortUnreachable { addr: SocketAddr },

    /// Options that are each valid but cannot work together, found only
    /// once the program knows more than clap does (the open-files limit, the
    /// address family of the target).
    #[error("{0}")]
    Usage(String),

    /// `socktool load`: not every client got every reply it expected.
    /// `first` describes the first failure, so the one error line already
    /// says what went wrong.
    #[error("{failed} of {clients} clients failed: {first}")]
    Load {
        clients: u64,
        failed: u64,
        kind: LoadFailure,
        first: String,
    },

    /// Whoever read our stdout stopped reading (`| head`). Not a failure of
    /// ours: exit 0 and print nothing, as `cat` does.
    #[error("stdout was closed")]
    StdoutClosed,
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

    /// A second line saying what to do about it, where we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            SockError::Resolve { host, asker, .. } => Some(match asker {
                // The tutorial's first client command is `http-get
                // www.google.com`: without a network, a page of one's own
                // does as well.
                Asker::HttpGet => format!(
                    "check the spelling and your network (`getent hosts {host}` asks the same resolver); \
                     with no network, serve a page yourself: `python3 -m http.server 8000 --bind 127.0.0.1` \
                     in another terminal, then `socktool http-get localhost:8000`"
                ),
                _ => format!(
                    "check the spelling and your network: `getent hosts {host}` asks the same resolver \
                     (names in /etc/hosts, such as localhost, work without a network)"
                ),
            }),
            // Every address the name has is of the other family.
            SockError::NoAddress { host, family } => Some(format!(
                "{host} has addresses, but no {family} one: use {} instead",
                if *family == "IPv4" { "-6" } else { "-4" }
            )),
            SockError::Connect {
                addr,
                source,
                asker,
            } => match source.kind() {
                io::ErrorKind::ConnectionRefused => Some(refused_hint(*addr, *asker)),
                io::ErrorKind::TimedOut => Some(
                    "the handshake got no answer: a firewall drops it, or the server's accept queue is full; raise --timeout or check the address".into(),
                ),
                io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                    Some("no route to that address: check the address and your network".into())
                }
                _ => None,
            },
            SockError::Timeout { phase, .. } => Some(match phase {
                Phase::Connect => "the handshake got no answer: raise --timeout or check the address".into(),
                Phase::Read => "the peer is connected but sent nothing in time: raise --timeout, or check that it expects a request first".into(),
                Phase::Write => "the peer stopped reading and its receive window is full: raise --timeout or check the peer".into(),
                Phase::Accept => "no client connected in time: raise --timeout, or connect one, e.g. `telnet HOST PORT`".into(),
                Phase::Handshake => "the server took the connection but never finished the handshake: a server that does not speak TLS there waits for us to speak first (try http:// or drop --tls); or raise --timeout".into(),
            }),
            SockError::ServerTimeout { phase, option, .. } => Some(match phase {
                Phase::Accept => format!(
                    "nobody connected within {option}: connect a client (e.g. `telnet HOST PORT`), or raise {option}"
                ),
                Phase::Write => format!(
                    "the client stopped reading our reply: that is what {option} is for; raise it for a slow client"
                ),
                _ => format!(
                    "the client is connected but sent nothing: that is what {option} is for; raise it if the client needs longer"
                ),
            }),
            SockError::Bind {
                addr,
                source,
                reuse,
            } => Some(match source.kind() {
                io::ErrorKind::AddrInUse if *reuse == Some(false) => format!(
                    "port {} is taken: by a server still running, or by the connections of one just stopped, which wait in TIME_WAIT for a minute: drop --no-reuse-address (SO_REUSEADDR lets a restart past TIME_WAIT), or choose another --port",
                    addr.port()
                ),
                io::ErrorKind::AddrInUse => format!(
                    "port {} is taken by another server still running: stop it, or choose another --port (0 lets the OS pick)",
                    addr.port()
                ),
                io::ErrorKind::PermissionDenied => format!(
                    "ports below 1024 need privileges: use a port above 1023, e.g. --port {}",
                    addr.port() as u32 + 8000
                ),
                io::ErrorKind::AddrNotAvailable => format!(
                    "{} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of `ip addr`",
                    addr.ip()
                ),
                _ => "check --host and --port".into(),
            }),
            SockError::Io { source, .. } => match source.kind() {
                io::ErrorKind::ConnectionReset => {
                    Some("the peer reset the connection (it closed with unread data, or crashed)".into())
                }
                io::ErrorKind::BrokenPipe => {
                    Some("the peer closed its end before we finished sending".into())
                }
                _ => None,
            },
            SockError::TooLarge { .. } => Some("raise --max-bytes to receive more".into()),
            SockError::Certificate { problem, .. } => Some(problem.hint()),
            SockError::Tls { failure, .. } => Some(failure.hint()),
            SockError::CaFile { .. } => Some(
                "give a PEM file with the CA's certificate (-----BEGIN CERTIFICATE-----), e.g. the ca.pem a classroom's server was signed with".into(),
            ),
            SockError::TooManyRedirects { .. } => Some(
                "the server sends us round in a loop, or the chain is longer than --max-redirs: raise --max-redirs, or fetch the last Location yourself".into(),
            ),
            SockError::BadRedirect { .. } => Some(
                "fetch the Location yourself, or drop -L to see the redirect as the server sent it".into(),
            ),
            SockError::Stalled { .. } => Some(
                "the server stopped in the middle of its reply: raise --timeout, or check the server".into(),
            ),
            SockError::MaxTime { .. } => Some(
                "the server is slow, or sends without end: raise --max-time if the reply is just big (or the network slow)".into(),
            ),
            SockError::NotHttp { addr, .. } => Some(format!(
                "http-get speaks HTTP to web servers; for a line server such as serve-threaded use \
                 `socktool connect {} {}`; for a web server to try: `python3 -m http.server 8000 --bind 127.0.0.1`",
                addr.ip(),
                addr.port()
            )),
            SockError::Incomplete { .. } => Some(
                "the server closed before it finished: it crashed or was stopped, or the connection was cut; try again, or check the server".into(),
            ),
            SockError::DatagramTooLarge { .. } => Some(
                "the length fields are 16 bits: 65,535 bytes of IPv4 packet minus 20 (IP header) and 8 (UDP header) leave 65,507; IPv6 counts its 40-byte header apart, which leaves 65,527. Split the data, or use TCP (a stream has no such limit)".into(),
            ),
            SockError::NoReply { addr, .. } | SockError::NoPong { addr, .. } => Some(format!(
                "start a server there (`socktool udp-serve --port {}`), or raise --timeout",
                addr.port()
            )),
            SockError::PortUnreachable { addr } => Some(format!(
                "start one first, e.g. `socktool udp-serve --port {}`",
                addr.port()
            )),
            SockError::Load { kind, .. } => Some(match kind {
                LoadFailure::Mismatch => "the server's reply differs from --prefix followed by the message: check --prefix ('' for a pure echo) and --welcome".into(),
                LoadFailure::Unfinished => "the server did not answer every client in time: raise --duration or lower --clients or --messages; clients stuck before their first answer may have overflowed the server's accept queue (see `nstat -az TcpExtListenOverflows`): lower --connect-batch".into(),
                LoadFailure::Refused => "nothing listens there, or its accept queue overflowed: start the server first, or lower --connect-batch".into(),
                LoadFailure::TurnedAway { clients } => format!(
                    "the server turned {clients} client{} away, as a full server does (serve-threaded --max-clients): raise the server's --max-clients, or lower --clients",
                    if *clients == 1 { "" } else { "s" }
                ),
                LoadFailure::Io => "the server closed or reset connections before the last reply: see the failure lines above".into(),
            }),
            SockError::BadRecording { .. } => Some(
                "ladder reads what --record writes, one JSON object a line: record each end with \
                 `socktool STEP ... --record FILE` and pass those files"
                    .into(),
            ),
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
        (Asker::HttpGet, true) => format!(
            "nothing listens on port {port}, and a web server there needs root: start one on a high port, \
             e.g. `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`"
        ),
        (Asker::HttpGet, false) => format!(
            "nothing listens on port {port}: start a web server there first, e.g. `python3 -m http.server {port} --bind 127.0.0.1`"
        ),
        (_, true) => format!(
            "nothing listens on port {port}, and a server there needs root: start one on a high port, \
             e.g. `socktool serve-threaded --port 8888`, and connect to that port"
        ),
        (Asker::UdpSend, false) => format!(
            "nothing listens on port {port}: start a server there first, e.g. `socktool udp-serve --port {port}`"
        ),
        (_, false) => format!(
            "nothing listens on port {port}: start a server there first, e.g. `socktool serve-threaded --port {port}`"
        ),
    };
    if !addr.ip().is_loopback() {
        hint.push_str(&format!(
            "; if the server runs on {} but listens on 127.0.0.1 (the default), other machines cannot reach it: start it with --host 0.0.0.0",
            addr.ip()
        ));
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

impl std::fmt::Display for CertProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertProblem::UnknownIssuer { issuer, trusted } => write!(
                f,
                "unknown issuer: it was signed by \"{issuer}\", which is not among the CAs we trust ({trusted})"
            ),
            CertProblem::Expired { until, ago } => {
                write!(f, "it has expired: it was valid until {until}, {ago} ago")
            }
            CertProblem::NotYetValid { from } => {
                write!(f, "it is not valid yet: it is valid from {from}")
            }
            CertProblem::WrongName { asked, names } if names.is_empty() => write!(
                f,
                "it is not valid for the name {asked}: it names no host at all"
            ),
            CertProblem::WrongName { asked, names } => write!(
                f,
                "it is not valid for the name {asked}: it is valid for {}",
                names.join(", ")
            ),
            CertProblem::Other(why) => write!(f, "{why}"),
        }
    }
}

impl CertProblem {
    fn hint(&self) -> String {
        match self {
            CertProblem::UnknownIssuer { .. } => "a CA of your own (a classroom's, a company's): trust it with --cacert CA.pem; a public site: the server may not send its intermediate certificate. --insecure would go on unchecked, and then anyone on the path could pose as the server".into(),
            CertProblem::Expired { .. } | CertProblem::NotYetValid { .. } => "check this computer's clock (`date`): a clock set wrong makes good certificates look expired or not yet valid; otherwise the server must renew its certificate".into(),
            CertProblem::WrongName { names, .. } => match names.first() {
                Some(name) => format!("ask for a name the certificate lists (e.g. {name}), or the server is sending another site's certificate"),
                None => "the server is sending a certificate made for no host name: it must get one for its name".into(),
            },
            CertProblem::Other(_) => "the certificate is broken or uses what rustls refuses; `openssl s_client -connect HOST:PORT -showcerts` shows it".into(),
        }
    }
}

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

impl std::fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsFailure::Alert {
                name,
                code,
                offered,
            } => write!(
                f,
                "the server refused with alert {name} ({code}); we offered {offered}"
            ),
            TlsFailure::Incompatible { why, chose: None } => write!(f, "{why}"),
            TlsFailure::Incompatible {
                why,
                chose: Some(chose),
            } => write!(f, "{why} (the server's hello chose {chose})"),
            TlsFailure::NotTls { start, http: true } => {
                write!(f, "the server answered in plain HTTP, not TLS: \"{start}\"")
            }
            TlsFailure::NotTls { start, http: false } => write!(
                f,
                "the server answered with bytes that are not TLS: \"{start}\" (a TLS record starts with 15, 16 or 17 hex, then 03)"
            ),
            TlsFailure::Closed => write!(
                f,
                "the server closed the connection during the handshake, without a word (no alert)"
            ),
            TlsFailure::Other(why) => write!(f, "{why}"),
        }
    }
}

impl TlsFailure {
    fn hint(&self) -> String {
        match self {
            TlsFailure::Alert { .. } => "the server wants what we did not offer: a TLS version older than 1.2 (rustls refuses 1.0 and 1.1), other cipher suites, or a client certificate; `openssl s_client -connect HOST:PORT` shows what it accepts".into(),
            TlsFailure::Incompatible { .. } => "the server speaks only what rustls refuses as unsafe (TLS 1.0 or 1.1, old cipher suites): the server needs updating".into(),
            TlsFailure::NotTls { http: true, .. } => "this port speaks plain HTTP: use http:// instead of https:// (connect: drop --tls)".into(),
            TlsFailure::NotTls { http: false, .. } => "this port speaks another protocol: `socktool connect HOST PORT` without --tls shows what it says".into(),
            TlsFailure::Closed => "a server that hangs up on a ClientHello may not speak TLS on this port, or refused us without saying why: check the port".into(),
            TlsFailure::Other(_) => "`openssl s_client -connect HOST:PORT` shows the handshake from another client's side".into(),
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
