//! # Beyond the tutorial: connect
//! A telnet that is always there: send what you type, print what the server
//! sends, both at the same time.
//!
//! ```text
//! socket(AF_INET, SOCK_STREAM)
//! getaddrinfo(host)            -> ip
//! connect(ip:port)
//!   thread 1: read(stdin) -> sendall ... read(stdin) -> EOF -> shutdown(SHUT_WR)
//!   thread 2: recv -> write(stdout)  ... recv -> 0 (the server closed)
//! close()
//! ```
//!
//! New since http-get: the conversation has no fixed turns. http-get sends
//! one request and then only reads; here the server may speak first (the
//! tutorial's `Welcome to the server...` line), and the user may type while
//! a reply is on its way. A single loop that waits for stdin cannot notice
//! the server's data meanwhile, so each direction gets its own thread.
//!
//! The end of stdin is not the end of the conversation: `shutdown(SHUT_WR)`
//! tells the server "nothing more from me" (its recv returns 0) while we go
//! on reading its answer until it closes, which is how `nc -N` works and why
//! `printf 'hi\n' | socktool connect HOST PORT` prints the whole reply.
//! Whichever side closes first is narrated; when the server does, socktool
//! ends at once without waiting for more typing. It does wait (up to
//! [`WRITE_GRACE`]) for a write already under way: the server may have
//! read those bytes and closed before the sending thread counted them.
//!
//! `--timeout` bounds the connect (10 s by default). When it is given, it
//! also bounds how long the connection may be idle, like `nc -w`; by default
//! an interactive session may stay quiet for as long as the user likes, as
//! telnet's does. Sending is always bounded (by `--timeout`, or 10 s): a
//! server that takes none of our bytes for that long has stopped reading,
//! and socktool gives up with exit 75 instead of hanging half-sent.
//!
//! Try it (the tutorial's telnet session):
//! ```text
//! socktool serve-threaded --port 8888 &
//! socktool connect localhost 8888 --crlf        # type hi, see OK...hi
//! printf 'hi\n' | socktool connect localhost 8888
//! ```
//!
//! `--tls` makes it a TLS client, as `openssl s_client` is, but narrated
//! (`tls/`): after connect, the handshake with the server's certificate
//! and the verdict; then the same two threads, each byte typed sent
//! encrypted and each record received printed decrypted. The end of stdin
//! sends TLS's close_notify before the FIN.
//!
//! A real client would speak telnet's option negotiation (IAC bytes), switch
//! the terminal to raw mode to send single key presses, and offer an escape
//! key (telnet's Ctrl-]). Ctrl-C here simply ends the process.

use std::io::{self, IsTerminal, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::ConnectArgs;
use crate::client;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::signals::{Doorbell, Stop};
use crate::sockopt;
use crate::tls::{self, Tls};
use crate::tr;

/// How long connect may take when `--timeout` is not given: long enough for
/// a slow network, short enough that nothing seems to hang.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes taken from stdin at a time. A terminal hands over one line per
/// read anyway; a pipe hands over whatever is there.
const CHUNK: usize = 4096;

/// How long the summary waits for a write that was under way when the
/// server closed. Such a write ends in microseconds (the kernel takes the
/// bytes, or the server's reset fails it); it can only last longer when
/// the server stopped reading with every buffer full, and then it may never
/// end.
pub const WRITE_GRACE: Duration = Duration::from_secs(1);

/// What the two directions share.
struct Shared {
    started: Instant,
    /// Milliseconds since `started` when a byte last went either way: the
    /// idle clock behind `--timeout`.
    last_activity_ms: AtomicU64,
    /// Set once stdin ended and SHUT_WR was sent: we closed first.
    we_closed: AtomicBool,
    /// What the sending side has done, under one lock: the summary must
    /// not read the byte count while a write is between the kernel and
    /// the count (the server may already have the bytes, answered, and
    /// closed, waking the receiving side first).
    sending: Mutex<Sending>,
    /// Signalled whenever a write ends, so the summary can wait for it.
    write_ended: Condvar,
}

#[derive(Default)]
struct Sending {
    /// Bytes every completed `sendall` handed to the kernel.
    sent: u64,
    /// The size of the `sendall` under way, if one is.
    writing: Option<usize>,
    /// Why the sending side stopped, if it failed. The receiving side
    /// reports it, since it is the one that returns from `run`.
    failure: Option<SockError>,
}

impl Shared {
    fn touch(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_activity_ms.store(now, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_activity_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn sending(&self) -> MutexGuard<'_, Sending> {
        // A panic elsewhere cannot leave these numbers half-updated.
        self.sending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sender is about to hand `n` bytes to the kernel.
    fn begin_write(&self, n: usize) {
        self.sending().writing = Some(n);
    }

    /// That write is over: counted if it went out, its failure kept if not.
    fn end_write(&self, result: Result<usize, SockError>) {
        let mut s = self.sending();
        s.writing = None;
        match result {
            Ok(n) => s.sent += n as u64,
            Err(e) => s.failure = Some(e),
        }
        self.write_ended.notify_all();
    }

    /// Waits, at most `grace`, for a write under way to end; then returns
    /// the bytes sent, the sender's failure, and the size of a write still
    /// under way. A sender waiting on stdin is not waited for: a user may
    /// never type again.
    fn settle(&self, grace: Duration) -> (u64, Option<SockError>, Option<usize>) {
        let s = self.sending();
        let (mut s, _) = self
            .write_ended
            .wait_timeout_while(s, grace, |s| s.writing.is_some())
            .unwrap_or_else(|p| p.into_inner());
        (s.sent, s.failure.take(), s.writing)
    }
}

pub fn run(args: &ConnectArgs, say: &Narrator) -> Result<(), SockError> {
    let connect_timeout = args.timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    // Decided before the socket exists: a bad --cacert is said first.
    let setup = tls_setup(args)?;
    let started = Instant::now();
    let (mut stream, addr) = client::connect(
        &args.host,
        args.port,
        args.family.family(),
        connect_timeout,
        say,
    )?;
    // --tls: the handshake, bounded as a whole by the connect timeout.
    let tls = match &setup {
        Some(setup) => Some(Arc::new(Tls::handshake(
            &mut stream,
            addr,
            &args.host,
            setup,
            connect_timeout,
            started + connect_timeout,
            say,
        )?)),
        None => None,
    };
    // An idle session may last, but a stuck one may not: a server that
    // takes none of our bytes for this long has stopped reading, and
    // without a limit `cat big | socktool connect` would hang half-sent.
    let write_limit = args.timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    if io::stdin().is_terminal() {
        say.note(tr!("connect-typing"));
    }

    let shared = Arc::new(Shared {
        started: Instant::now(),
        last_activity_ms: AtomicU64::new(0),
        we_closed: AtomicBool::new(false),
        sending: Mutex::new(Sending::default()),
        write_ended: Condvar::new(),
    });
    // A second handle on the same socket (dup): one thread writes through
    // it while this one reads, which TCP allows since the two directions
    // are independent.
    let writer = say
        .traced(
            "dup",
            format_args!("fd {}", sockopt::fd(&stream)),
            stream.try_clone(),
            |w| format!("fd {}", sockopt::fd(w)),
        )
        .map_err(|source| SockError::Io {
            op: "dup",
            addr,
            source,
        })?;
    // Rung by the sending side when it fails: the receiving side, asleep
    // in poll, wakes and reports it.
    let failed = Stop::new().map_err(|source| SockError::Io {
        op: "pipe",
        addr,
        source,
    })?;
    let sender = {
        let (shared, say, crlf, timeout, failed, tls) = (
            Arc::clone(&shared),
            say.clone(),
            args.crlf,
            Some(write_limit),
            failed.clone(),
            tls.clone(),
        );
        thread::spawn(move || {
            let mut writer = Link {
                stream: writer,
                addr,
                tls,
            };
            if let Err(e) = send_stdin(&mut writer, crlf, timeout, &say, &shared) {
                shared.end_write(Err(e));
                // Wakes the receiving side, so it reports the failure
                // instead of waiting for a server that may never close.
                // (A shutdown of the socket woke it on Linux, not under
                // Wine; the doorbell wakes a wait in poll everywhere.)
                failed.request();
            }
        })
    };

    let mut link = Link { stream, addr, tls };
    let received = receive(&mut link, args.timeout, failed.bell(), say, &shared);
    // Once stdin has ended the sender is only finishing its narration: wait
    // for it, so its lines come before ours. Otherwise it may be blocked
    // reading a terminal, and the process ends without it; but a write it
    // has begun is waited for (briefly), so that the bytes the server got
    // and answered are counted.
    if shared.we_closed.load(Ordering::SeqCst) {
        let _ = sender.join();
    }
    let (sent, failure, unfinished) = shared.settle(WRITE_GRACE);
    if let Some(failure) = failure {
        return Err(failure);
    }
    let received = received?;

    if shared.we_closed.load(Ordering::SeqCst) {
        say.note(tr!("connect-we-closed"));
    } else {
        say.note(tr!("connect-server-closed"));
    }
    if let Some(n) = unfinished {
        say.note(tr!("connect-unfinished", bytes = n));
    }
    sockopt::close(link.stream, say);
    say.info(tr!("connect-summary", sent = sent, received = received));
    Ok(())
}

/// `--tls` and its options; without `--tls` the options are refused
/// rather than ignored.
fn tls_setup(args: &ConnectArgs) -> Result<Option<tls::Setup>, SockError> {
    let opts = &args.tls_opts;
    if !args.tls {
        let given = [
            (opts.cacert.is_some(), "--cacert"),
            (opts.insecure, "--insecure"),
            (opts.keylog.is_some(), "--keylog"),
        ];
        if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
            return Err(SockError::Usage(tr!("connect-tls-only", flag = *flag)));
        }
        return Ok(None);
    }
    // No ALPN: connect does not know what the server speaks inside.
    tls::Setup::new(opts, None).map(Some)
}

/// One end of the connection: the socket, and TLS on it with --tls. The
/// two threads each hold one (two handles on one socket) and share the TLS
/// state.
struct Link {
    stream: TcpStream,
    addr: SocketAddr,
    tls: Option<Arc<Tls>>,
}

impl Link {
    fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Option<Duration>,
        bell: &Doorbell,
        say: &Narrator,
    ) -> Result<usize, SockError> {
        match &self.tls {
            Some(tls) => tls.recv(&mut self.stream, buf, timeout, Some(bell), say),
            None => client::recv(&mut self.stream, self.addr, buf, timeout, Some(bell), say),
        }
    }

    fn send_all(
        &mut self,
        bytes: &[u8],
        timeout: Option<Duration>,
        say: &Narrator,
    ) -> Result<(), SockError> {
        match &self.tls {
            Some(tls) => tls.send_all(&mut self.stream, bytes, timeout, say),
            None => client::send_all(&mut self.stream, self.addr, bytes, timeout, say),
        }
    }
}

/// Server → stdout: every recv written out and flushed at once, so a welcome
/// line appears before the user has typed anything. Returns the byte count.
fn receive(
    link: &mut Link,
    idle_limit: Option<Duration>,
    bell: &Doorbell,
    say: &Narrator,
    shared: &Shared,
) -> Result<u64, SockError> {
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        // The idle clock counts both ways: wait only for what is left of it
        // since a byte last moved, either way.
        let left = idle_limit.map(|l| {
            l.saturating_sub(shared.idle())
                .max(Duration::from_millis(1))
        });
        match link.recv(&mut buf, left, bell, say) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                shared.touch();
                total += n as u64;
                say.data(&buf[..n])?;
            }
            // If the user typed meanwhile the session is not idle: wait again.
            Err(SockError::Timeout { .. }) if idle_limit.is_some_and(|l| shared.idle() < l) => {}
            Err(SockError::Timeout { phase, addr, .. }) => {
                return Err(SockError::Timeout {
                    phase,
                    addr,
                    after: idle_limit.unwrap_or_default(),
                });
            }
            Err(e) => return Err(e),
        }
    }
}

/// Stdin → server, until stdin ends; then `shutdown(SHUT_WR)`.
fn send_stdin(
    link: &mut Link,
    crlf: bool,
    timeout: Option<Duration>,
    say: &Narrator,
    shared: &Shared,
) -> Result<(), SockError> {
    let mut stdin = io::stdin().lock();
    let mut buf = vec![0u8; CHUNK];
    let mut line_ends = LineEnds::default();
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(SockError::Stdin { source }),
        };
        let chunk = if crlf {
            line_ends.to_crlf(&buf[..n])
        } else {
            buf[..n].to_vec()
        };
        // Marked before the call: once the kernel has the bytes, the server
        // may answer and close before this thread runs again.
        shared.begin_write(chunk.len());
        link.send_all(&chunk, timeout, say)?;
        shared.end_write(Ok(chunk.len()));
        shared.touch();
    }
    // Set before the FIN goes out, so that if the receiving side sees it
    // clear, the server's close cannot have been an answer to ours.
    shared.we_closed.store(true, Ordering::SeqCst);
    if let Some(tls) = &link.tls {
        tls.close(&mut link.stream, timeout, say)?;
    }
    let addr = link.addr;
    sockopt::shutdown_write(&link.stream, say).map_err(|source| SockError::Io {
        op: "shutdown",
        addr,
        source,
    })?;
    say.note(tr!("connect-half-close"));
    Ok(())
}

/// Turns `\n` into `\r\n` for `--crlf`, remembering the last byte of the
/// previous chunk so a `\r\n` split across two reads is not doubled.
#[derive(Debug, Default)]
pub struct LineEnds {
    last_was_cr: bool,
}

impl LineEnds {
    pub fn to_crlf(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 8 + 1);
        for &b in chunk {
            if b == b'\n' && !self.last_was_cr {
                out.push(b'\r');
            }
            out.push(b);
            self.last_was_cr = b == b'\r';
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_adds_cr_only_where_missing() {
        let mut le = LineEnds::default();
        assert_eq!(le.to_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert_eq!(le.to_crlf(b"\n\n"), b"\r\n\r\n");
    }

    #[test]
    fn crlf_split_across_chunks_is_not_doubled() {
        let mut le = LineEnds::default();
        let mut out = le.to_crlf(b"hi\r");
        out.extend(le.to_crlf(b"\nyo\n"));
        assert_eq!(out, b"hi\r\nyo\r\n");
    }

    #[test]
    fn crlf_keeps_other_bytes() {
        let mut le = LineEnds::default();
        assert_eq!(le.to_crlf(&[0, 255, b'\r', b'x']), [0, 255, b'\r', b'x']);
    }
}
