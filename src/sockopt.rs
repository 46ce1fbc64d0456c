//! Every socket call a lesson names, in one place: the only module that
//! uses socket2, and the one that traces (`--trace`) each call with its
//! arguments and result.
//!
//! The standard library creates and configures a socket in one call
//! (`TcpListener::bind`), which hides the steps the tutorial teaches. socket2
//! exposes each system call on its own, so here a socket is created first
//! (`socket()`), options are set one by one (`setsockopt`), and only then is
//! it bound and put to listening. Each function traces itself, so in a step
//! each call is one line, in the tutorial's order:
//!
//! ```text
//! let socket = sockopt::tcp_socket(family, say)?;    // socket(AF_INET, SOCK_STREAM)
//! socket.set_reuse_address(true)?;                  // setsockopt(SO_REUSEADDR, 1)
//! socket.bind(addr)?;                               // bind(127.0.0.1:8888)
//! let listener = socket.listen(128)?;               // listen(128)
//! ```
//!
//! Waiting is here too ([`wait`]): a server never sleeps inside `accept`,
//! `recv` or `send`, where Ctrl-C could not reach it on every system. It
//! sleeps in `poll`, on its socket and on the stop doorbell at once
//! (`signals.rs`), and makes the call once the kernel says it will not wait.
//! Python's `socket.settimeout` works the same way underneath.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::cli::Family;
use crate::error::SockError;
use crate::narrate::{Narrator, describe_errno, secs};
use crate::signals::Doorbell;

/// What a socket is to the system: a file descriptor on Unix, a SOCKET
/// handle on Windows. Everything here takes either.
#[cfg(unix)]
pub use std::os::fd::AsFd as AsSock;
#[cfg(windows)]
pub use std::os::windows::io::AsSocket as AsSock;

/// The descriptor's number, which `--trace` shows: a socket is a file.
pub fn fd(sock: &impl AsSock) -> i64 {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        i64::from(sock.as_fd().as_raw_fd())
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawSocket;
        sock.as_socket().as_raw_socket() as i64
    }
}

fn domain(family: Family) -> Domain {
    match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    }
}

fn ok<T>(_: &T) -> String {
    "ok".into()
}

/// A TCP socket that exists but is not connected or listening yet: what
/// Python's `socket.socket(AF_INET, SOCK_STREAM)` returns.
pub struct TcpSocket {
    socket: Socket,
    say: Narrator,
}

/// `socket(family, SOCK_STREAM, IPPROTO_TCP)`.
pub fn tcp_socket(family: Family, say: &Narrator) -> Result<TcpSocket, SockError> {
    let socket = say
        .traced(
            "socket",
            format_args!("{}, SOCK_STREAM", family.af_name()),
            Socket::new(domain(family), Type::STREAM, Some(Protocol::TCP)),
            |s| format!("fd {}", fd(s)),
        )
        .map_err(|source| SockError::Call {
            op: "socket",
            source,
        })?;
    Ok(TcpSocket {
        socket,
        say: say.clone(),
    })
}

impl TcpSocket {
    /// The file descriptor, which `--trace` shows.
    pub fn fd(&self) -> i64 {
        fd(&self.socket)
    }

    fn failed(op: &'static str) -> impl FnOnce(io::Error) -> SockError {
        move |source| SockError::Call { op, source }
    }

    /// `setsockopt(SO_REUSEADDR)`, before bind. With it on, a server
    /// restarted right after it stopped can bind its port although the old
    /// connections still wait in TIME_WAIT (a minute on Linux), as
    /// Python's http.server and asyncio, nc and ncat do. Off (`--no-reuse-address`)
    /// shows the tutorial's `Address already in use`. On Unix it never lets
    /// two servers listen on one port at once.
    #[cfg(unix)]
    pub fn set_reuse_address(&self, on: bool) -> Result<(), SockError> {
        self.say
            .traced(
                "setsockopt",
                format_args!(
                    "fd {}, SOL_SOCKET, SO_REUSEADDR, {}",
                    self.fd(),
                    u8::from(on)
                ),
                self.socket.set_reuse_address(on),
                ok,
            )
            .map_err(Self::failed("setsockopt"))
    }

    /// Windows reads SO_REUSEADDR differently: it lets a second server
    /// take a port another is listening on, and TIME_WAIT does not keep a
    /// restarted server from its port anyway. So socktool asks for the
    /// opposite, `SO_EXCLUSIVEADDRUSE`: a second server on a port in use
    /// fails with "Address already in use", as it does on Linux, and no
    /// other program can take this server's port. `on` false sets nothing.
    #[cfg(windows)]
    pub fn set_reuse_address(&self, on: bool) -> Result<(), SockError> {
        use std::os::windows::io::AsRawSocket;
        use windows_sys::Win32::Networking::WinSock;
        if !on {
            return Ok(());
        }
        let one: i32 = 1;
        // SAFETY: the option value points at `one`, whose size is passed
        // with it; the socket is open for the whole call.
        let rc = unsafe {
            WinSock::setsockopt(
                self.socket.as_raw_socket() as WinSock::SOCKET,
                WinSock::SOL_SOCKET,
                WinSock::SO_EXCLUSIVEADDRUSE,
                (&raw const one).cast(),
                std::mem::size_of::<i32>() as i32,
            )
        };
        let result = if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        };
        self.say
            .traced(
                "setsockopt",
                format_args!("fd {}, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1", self.fd()),
                result,
                ok,
            )
            .map_err(Self::failed("setsockopt"))
    }

    /// `bind(addr)`: claim the address and port. This is where "Address
    /// already in use" and "Permission denied" (ports below 1024) happen.
    /// An IPv6 socket first gets `IPV6_V6ONLY`: Linux lets a socket on `::`
    /// take IPv4 clients too, BSDs and Windows do not; saying it explicitly
    /// makes `-6` mean the same everywhere (and keeps `::` from colliding
    /// with an IPv4 server on the same port).
    pub fn bind(&self, addr: SocketAddr) -> Result<(), SockError> {
        if addr.is_ipv6() {
            self.say
                .traced(
                    "setsockopt",
                    format_args!("fd {}, IPPROTO_IPV6, IPV6_V6ONLY, 1", self.fd()),
                    self.socket.set_only_v6(true),
                    ok,
                )
                .map_err(Self::failed("setsockopt"))?;
        }
        self.say
            .traced(
                "bind",
                format_args!("fd {}, {addr}", self.fd()),
                self.socket.bind(&SockAddr::from(addr)),
                ok,
            )
            .map_err(|source| SockError::Bind {
                addr,
                source,
                // Windows never keeps a restart out for TIME_WAIT.
                reuse: Some(cfg!(windows) || self.socket.reuse_address().unwrap_or(false)),
            })
    }

    /// `listen(backlog)`: from now on the kernel answers handshakes by itself
    /// and queues finished connections, up to `backlog` (capped by
    /// `net.core.somaxconn`), until `accept()` takes them. The listening
    /// socket is then made non-blocking: the server waits for clients in
    /// `poll`, and `accept` only takes one the kernel says is there.
    pub fn listen(self, backlog: i32) -> Result<Listener, SockError> {
        let fd = self.fd();
        self.say
            .traced(
                "listen",
                format_args!("fd {fd}, {backlog}"),
                self.socket.listen(backlog),
                ok,
            )
            .map_err(Self::failed("listen"))?;
        set_nonblocking(&self.socket, &self.say).map_err(Self::failed(NONBLOCK_CALL))?;
        let listener: TcpListener = self.socket.into();
        Ok(Listener {
            listener: mio::net::TcpListener::from_std(listener),
            say: self.say,
        })
    }

    /// `getsockname`: the address `bind` gave this socket (port 0 resolved).
    pub fn getsockname(&self) -> Result<SocketAddr, SockError> {
        getsockname(&self.socket, &self.say).map_err(Self::failed("getsockname"))
    }

    /// `close` on a socket that never connected or listened.
    pub fn close(self) {
        close(self.socket, &self.say);
    }

    /// `connect(addr)`, giving up after `timeout`. Without a timeout a
    /// connect to a host that drops packets waits for the kernel's SYN
    /// retries, over two minutes on Linux.
    pub fn connect(self, addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        // Dated from its start for --record: the SYN leaves then, and the
        // server's accept may return before this call does.
        let started = Instant::now();
        self.say.traced_since(
            Some(started),
            "connect",
            format_args!("{addr}, timeout {}", secs(timeout)),
            self.socket.connect_timeout(&SockAddr::from(addr), timeout),
            ok,
        )?;
        Ok(self.socket.into())
    }
}

/// How the trace names the call that makes a socket non-blocking.
#[cfg(unix)]
const NONBLOCK_CALL: &str = "fcntl";
#[cfg(windows)]
const NONBLOCK_CALL: &str = "ioctlsocket";

/// `fcntl(O_NONBLOCK)` (Windows: `ioctlsocket(FIONBIO)`): from now on
/// `accept`, `recv` and `send` never wait; when they cannot proceed they
/// fail at once with EAGAIN (`WouldBlock`).
pub fn set_nonblocking(sock: &impl AsSock, say: &Narrator) -> io::Result<()> {
    #[cfg(unix)]
    let what = "F_SETFL, O_NONBLOCK";
    #[cfg(windows)]
    let what = "FIONBIO, 1";
    say.traced(
        NONBLOCK_CALL,
        format_args!("fd {}, {what}", fd(sock)),
        SockRef::from(sock).set_nonblocking(true),
        ok,
    )
}

/// A listening socket (non-blocking, see [`TcpSocket::listen`]). mio's
/// type, so that serve-poll can register it with epoll (kqueue on macOS,
/// AFD polling on Windows) as it is.
pub struct Listener {
    listener: mio::net::TcpListener,
    say: Narrator,
}

impl Listener {
    pub fn fd(&self) -> i64 {
        fd(&self.listener)
    }

    /// `getsockname`: the address really bound (port 0 resolved).
    pub fn local_addr(&self) -> Result<SocketAddr, SockError> {
        self.say
            .traced(
                "getsockname",
                format_args!("fd {}", self.fd()),
                self.listener.local_addr(),
                |a| a.to_string(),
            )
            .map_err(|source| SockError::Call {
                op: "getsockname",
                source,
            })
    }

    /// One `accept` that never waits: a connected socket and its peer, or
    /// `WouldBlock` when the queue is empty. The new socket is
    /// non-blocking too (Linux's `accept4(SOCK_NONBLOCK)`; macOS and
    /// Windows pass the flag on): every wait happens in [`wait`].
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let fd = self.fd();
        let result = self.listener.accept();
        // Every drained queue ends in EAGAIN: words only when shown.
        if self.say.is_tracing() {
            let outcome = match &result {
                Ok((s, peer)) => format!("fd {}, peer {peer}", self::fd(s)),
                Err(e) => describe_errno(e),
            };
            self.say.trace("accept", format_args!("fd {fd}"), outcome);
        }
        result.map(|(stream, peer)| (stream.into(), peer))
    }

    /// How many finished connections wait in the listen backlog, and the
    /// backlog's limit, read from the kernel (Linux only).
    pub fn accept_queue(&self) -> Option<AcceptQueue> {
        accept_queue(&self.listener).ok()
    }

    /// Registers the listening socket with a readiness loop, readable:
    /// "tell me when a client is queued".
    pub fn register(
        &mut self,
        registry: &mio::Registry,
        token: mio::Token,
        call: &str,
    ) -> Result<(), SockError> {
        let fd = self.fd();
        self.say
            .traced(
                call,
                format_args!("ADD, fd {fd}, readable"),
                registry.register(&mut self.listener, token, mio::Interest::READABLE),
                ok,
            )
            .map_err(|source| SockError::Call {
                op: "epoll_ctl",
                source,
            })
    }

    /// `close`: no new connection is queued from now on; those still in the
    /// queue are reset.
    pub fn close(self) {
        close(self.listener, &self.say);
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for Listener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.listener.as_fd()
    }
}

#[cfg(windows)]
impl std::os::windows::io::AsSocket for Listener {
    fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
        self.listener.as_socket()
    }
}

/// `setsockopt(TCP_NODELAY, 1)`: send small writes at once instead of
/// holding them back (Nagle's algorithm) until the previous ones are
/// acknowledged. Interactive protocols want it; bulk transfers do not care.
pub fn set_nodelay(stream: &impl AsSock, say: &Narrator) -> io::Result<()> {
    say.traced(
        "setsockopt",
        format_args!("fd {}, IPPROTO_TCP, TCP_NODELAY, 1", fd(stream)),
        SockRef::from(stream).set_tcp_nodelay(true),
        ok,
    )
}

/// `setsockopt(SO_LINGER, {on, 0 s})`: from now on `close` does not end
/// the conversation politely with a FIN but aborts it with a reset (RST),
/// throwing away whatever was not yet sent; the peer's next `recv` or
/// `send` fails with ECONNRESET. Programs use it to skip TIME_WAIT; it is
/// how `socktool lab reset` makes a reset happen on purpose.
pub fn set_linger_zero(stream: &impl AsSock, say: &Narrator) -> io::Result<()> {
    say.traced(
        "setsockopt",
        format_args!("fd {}, SOL_SOCKET, SO_LINGER, {{on, 0 s}}", fd(stream)),
        SockRef::from(stream).set_linger(Some(Duration::ZERO)),
        ok,
    )
}

/// `getsockname`: the address the kernel gave this socket (port 0
/// resolved, a client's ephemeral port chosen at connect or first send).
pub fn getsockname(sock: &impl AsSock, say: &Narrator) -> io::Result<SocketAddr> {
    let found = SockRef::from(sock).local_addr().and_then(|a| {
        a.as_socket()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not an IP address"))
    });
    say.traced(
        "getsockname",
        format_args!("fd {}", fd(sock)),
        found,
        ToString::to_string,
    )
}

/// A connected TCP socket as a server holds it: std's, or mio's (serve-poll).
/// Each reads and writes through its own type: mio on Windows learns from
/// its own read's EAGAIN that it must watch the socket again.
pub trait Stream: AsSock {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize>;
    fn write_some(&self, bytes: &[u8]) -> io::Result<usize>;
}

impl Stream for TcpStream {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
    fn write_some(&self, bytes: &[u8]) -> io::Result<usize> {
        (&*self).write(bytes)
    }
}

impl Stream for mio::net::TcpStream {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
    fn write_some(&self, bytes: &[u8]) -> io::Result<usize> {
        (&*self).write(bytes)
    }
}

/// One `recv(buf.len())` on a non-blocking socket: the bytes that arrived
/// (0: the peer closed), or `WouldBlock` when there are none yet.
pub fn recv(stream: &impl Stream, buf: &mut [u8], say: &Narrator) -> io::Result<usize> {
    let result = stream.read_some(buf);
    // The outcome is put into words only when it is shown: spelling out
    // "EAGAIN (Resource temporarily unavailable)" after every drained
    // socket was 70 % of serve-poll's own work in ping-pong (callgrind,
    // docs/PERFORMANCE.md).
    if say.is_tracing() && !matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
        let outcome = match &result {
            Ok(0) => "0 bytes (EOF)".to_string(),
            Ok(n) => format!("{n} bytes"),
            Err(e) => describe_errno(e),
        };
        say.trace(
            "recv",
            format_args!("fd {}, {}", fd(&stream), buf.len()),
            outcome,
        );
    }
    result
}

/// One `send` on a non-blocking socket: how many bytes the kernel took, or
/// `WouldBlock` when its send buffer is full. `traced` is false inside a
/// `sendall`, which traces itself once.
pub fn send(stream: &impl Stream, bytes: &[u8], say: &Narrator, traced: bool) -> io::Result<usize> {
    let started = Instant::now();
    let result = stream.write_some(bytes);
    if traced
        && say.is_tracing()
        && !matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted)
    {
        say.trace_since(
            Some(started),
            "send",
            format_args!("fd {}, {} bytes", fd(&stream), bytes.len()),
            match &result {
                Ok(n) => format!("{n} bytes"),
                Err(e) => describe_errno(e),
            },
        );
    }
    result
}

/// `shutdown(SHUT_WR)`: "I have nothing more to send". The kernel sends a
/// FIN after any queued data; the peer's `recv` returns 0 (EOF) while our
/// side can still receive its answer. Closing instead would end both
/// directions, and the peer's reply would be lost (or answered with a reset).
pub fn shutdown_write(stream: &impl AsSock, say: &Narrator) -> io::Result<()> {
    // Dated from its start for --record, as every call that sends is: the
    // peer may see the FIN before this call's trace is written.
    let started = Instant::now();
    let result = SockRef::from(stream).shutdown(Shutdown::Write);
    say.traced_since(
        Some(started),
        "shutdown",
        format_args!("fd {}, SHUT_WR", fd(stream)),
        result,
        ok,
    )
}

/// `close(fd)`: the socket is gone, and its number free for the next one.
pub fn close(stream: impl AsSock, say: &Narrator) {
    let fd = fd(&stream);
    let started = Instant::now();
    drop(stream);
    say.trace_since(Some(started), "close", format_args!("fd {fd}"), "ok");
}

/// What a socket is waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Data, EOF, an error, or (a listener) a client to accept.
    Readable,
    /// Room in the send buffer.
    Writable,
}

/// How a [`wait`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woke {
    /// The socket is ready: the call will not wait now.
    Ready,
    /// The doorbell rang: the server is stopping.
    Rung,
    /// The other socket of [`wait_also`] turned readable.
    Other,
    /// The deadline passed first.
    TimedOut,
}

/// Sleeps until `sock` is ready, `bell` rings, or `deadline` passes,
/// whichever comes first: `poll` on two descriptors. This is the only
/// place a server sleeps, and why Ctrl-C reaches it on every system. With
/// no bell, only the socket and the deadline count (a reply still being
/// sent while the server stops).
pub fn wait(
    sock: &impl AsSock,
    want: Want,
    bell: Option<&Doorbell>,
    deadline: Option<Instant>,
    say: &Narrator,
) -> io::Result<Woke> {
    wait_also(sock, want, None, bell, deadline, say)
}

/// [`wait`], also waking when `other` turns readable ([`Woke::Other`]):
/// serve-loop hears a client join its backlog while it waits for the
/// current one.
pub fn wait_also(
    sock: &impl AsSock,
    want: Want,
    other: Option<&dyn AsSock>,
    bell: Option<&Doorbell>,
    deadline: Option<Instant>,
    say: &Narrator,
) -> io::Result<Woke> {
    // The timeout as the call is made, for the trace.
    let until = match deadline {
        Some(d) if say.is_tracing() => secs(d.saturating_duration_since(Instant::now())),
        _ => "no timeout".into(),
    };
    let woke = poll_on(sock, want, other, bell, deadline);
    if say.is_tracing() {
        let what = match want {
            Want::Readable => "readable",
            Want::Writable => "writable",
        };
        let other_fd = other.map(|o| format!(", fd {} readable", fd_dyn(o)));
        let bell = if bell.is_some() { ", doorbell" } else { "" };
        let outcome = match &woke {
            Ok(Woke::Ready) => format!("fd {} {what}", fd(sock)),
            Ok(Woke::Other) => format!("fd {} readable", other.map_or(-1, fd_dyn)),
            Ok(Woke::Rung) => "doorbell rang (stopping)".into(),
            Ok(Woke::TimedOut) => "timed out".into(),
            Err(e) => describe_errno(e),
        };
        say.trace(
            "poll",
            format_args!(
                "fd {} {what}{}{bell}, {until}",
                fd(sock),
                other_fd.unwrap_or_default()
            ),
            outcome,
        );
    }
    woke
}

fn fd_dyn(sock: &dyn AsSock) -> i64 {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        i64::from(sock.as_fd().as_raw_fd())
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawSocket;
        sock.as_socket().as_raw_socket() as i64
    }
}

/// Sleeps `d`, or less if the doorbell rings: `--nonblocking`'s pause
/// between two tries.
pub fn nap(bell: &Doorbell, d: Duration) {
    let _ = poll_fds(
        &mut [poll::fd(bell.watched(), poll::READ)],
        Some(Instant::now() + d),
    );
}

fn poll_on(
    sock: &impl AsSock,
    want: Want,
    other: Option<&dyn AsSock>,
    bell: Option<&Doorbell>,
    deadline: Option<Instant>,
) -> io::Result<Woke> {
    let events = match want {
        Want::Readable => poll::READ,
        Want::Writable => poll::WRITE,
    };
    let mut fds = vec![poll::fd(sock, events)];
    if let Some(bell) = bell {
        fds.push(poll::fd(bell.watched(), poll::READ));
    }
    if let Some(other) = other {
        fds.push(poll::fd(other, poll::READ));
    }
    if !poll_fds(&mut fds, deadline)? {
        return Ok(Woke::TimedOut);
    }
    if bell.is_some() && fds[1].revents != 0 {
        return Ok(Woke::Rung);
    }
    // POLLHUP and POLLERR count as ready: the call then says what happened.
    if fds[0].revents != 0 {
        return Ok(Woke::Ready);
    }
    Ok(Woke::Other)
}

/// `poll(fds, timeout)`, retried when a signal interrupts it. Whether
/// anything became ready before `deadline`.
fn poll_fds(fds: &mut [poll::PollFd], deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                // Rounded up: a wait that wakes a little early would just
                // poll again with 0 and burn a turn.
                let ms = left.as_nanos().div_ceil(1_000_000);
                i32::try_from(ms).unwrap_or(i32::MAX)
            }
        };
        match poll::poll(fds, timeout) {
            -1 => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            0 if deadline.is_some_and(|d| Instant::now() < d) => {}
            0 => return Ok(false),
            _ => return Ok(true),
        }
    }
}

/// `poll` as each system spells it: poll(2) on Unix, WSAPoll on Windows
/// (which takes sockets only, hence the doorbell there is a socket too).
#[cfg(unix)]
mod poll {
    use std::os::fd::AsRawFd;

    use super::AsSock;

    pub type PollFd = libc::pollfd;
    pub const READ: i16 = libc::POLLIN;
    pub const WRITE: i16 = libc::POLLOUT;

    pub fn fd(sock: &(impl AsSock + ?Sized), events: i16) -> PollFd {
        libc::pollfd {
            fd: sock.as_fd().as_raw_fd(),
            events,
            revents: 0,
        }
    }

    pub fn poll(fds: &mut [PollFd], timeout_ms: i32) -> i32 {
        // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd for
        // the whole call, and its length is passed with it.
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) }
    }
}

#[cfg(windows)]
mod poll {
    use std::os::windows::io::AsRawSocket;

    use windows_sys::Win32::Networking::WinSock;

    use super::AsSock;

    pub type PollFd = WinSock::WSAPOLLFD;
    pub const READ: i16 = WinSock::POLLRDNORM;
    pub const WRITE: i16 = WinSock::POLLWRNORM;

    pub fn fd(sock: &(impl AsSock + ?Sized), events: i16) -> PollFd {
        WinSock::WSAPOLLFD {
            fd: sock.as_socket().as_raw_socket() as WinSock::SOCKET,
            events,
            revents: 0,
        }
    }

    pub fn poll(fds: &mut [PollFd], timeout_ms: i32) -> i32 {
        // SAFETY: `fds` is a valid, exclusively borrowed slice of WSAPOLLFD
        // for the whole call, and its length is passed with it.
        unsafe { WinSock::WSAPoll(fds.as_mut_ptr(), fds.len() as u32, timeout_ms) }
    }
}

/// How many bytes we have sent on `stream` that the peer has not yet
/// acknowledged, the FIN included (`ioctl(SIOCOUTQ)`, Linux). 0 means all
/// of it has reached the peer's kernel, so a reset can no longer lose it.
#[cfg(target_os = "linux")]
pub fn unacknowledged(stream: &impl AsSock) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let mut n: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (the same number as TIOCOUTQ) writes one int to the
    // pointer, which points at `n`.
    let rc = unsafe { libc::ioctl(stream.as_fd().as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n.max(0) as usize)
}

/// macOS: `getsockopt(SO_NWRITE)`, the bytes still in the send buffer,
/// which TCP keeps there until they are acknowledged.
#[cfg(target_vendor = "apple")]
pub fn unacknowledged(stream: &impl AsSock) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let mut n: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `n`, which outlives the call.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_fd().as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_NWRITE,
            (&raw mut n).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n.max(0) as usize)
}

/// Other systems do not say: a goodbye there waits for the client's FIN
/// (or its time) instead.
#[cfg(not(any(target_os = "linux", target_vendor = "apple")))]
pub fn unacknowledged(_stream: &impl AsSock) -> io::Result<usize> {
    Err(io::ErrorKind::Unsupported.into())
}

/// The accept queue of a listening socket: connections whose handshake the
/// kernel has finished but that nobody has `accept`ed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptQueue {
    /// Connections waiting now.
    pub waiting: u32,
    /// The most the kernel will queue: `listen`'s backlog, capped by
    /// `net.core.somaxconn`.
    pub limit: u32,
}

/// Reads the accept queue with `getsockopt(IPPROTO_TCP, TCP_INFO)`. For a
/// socket in the LISTEN state Linux reuses two fields of `struct tcp_info`:
/// `tcpi_unacked` is the queue's current length and `tcpi_sacked` its limit
/// (what `ss -lnt` shows as Recv-Q and Send-Q).
#[cfg(target_os = "linux")]
fn accept_queue(listener: &impl AsSock) -> io::Result<AcceptQueue> {
    use std::os::fd::AsRawFd;
    // SAFETY: tcp_info is plain old data, so all zeroes is a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `info`, which outlives the
    // call; the kernel writes at most `len` bytes and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            listener.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&raw mut info).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(AcceptQueue {
        waiting: info.tcpi_unacked,
        limit: info.tcpi_sacked,
    })
}

/// Other systems keep the accept queue to themselves.
#[cfg(not(target_os = "linux"))]
fn accept_queue(_listener: &impl AsSock) -> io::Result<AcceptQueue> {
    Err(io::ErrorKind::Unsupported.into())
}

/// A UDP socket that exists but has no address yet: what Python's
/// `socket.socket(AF_INET, SOCK_DGRAM)` returns.
pub struct UdpUnbound {
    socket: Socket,
    say: Narrator,
}

/// `socket(family, SOCK_DGRAM, IPPROTO_UDP)`, with a send buffer that fits
/// the largest datagram (see [`UdpUnbound::fit_largest_datagram`]).
pub fn udp_socket(family: Family, say: &Narrator) -> Result<UdpUnbound, SockError> {
    let failed = |op| move |source| SockError::Call { op, source };
    let socket = say
        .traced(
            "socket",
            format_args!("{}, SOCK_DGRAM", family.af_name()),
            Socket::new(domain(family), Type::DGRAM, Some(Protocol::UDP)),
            |s| format!("fd {}", fd(s)),
        )
        .map_err(failed("socket"))?;
    let socket = UdpUnbound {
        socket,
        say: say.clone(),
    };
    socket
        .fit_largest_datagram()
        .map_err(failed("setsockopt"))?;
    Ok(socket)
}

impl UdpUnbound {
    /// The file descriptor, which `--trace` shows.
    pub fn fd(&self) -> i64 {
        fd(&self.socket)
    }

    /// `SO_REUSEADDR`, set before bind. UDP has no TIME_WAIT, and on Linux
    /// the option would let two servers share a port, so the UDP server
    /// sets it only when asked (`--reuse-address`).
    pub fn set_reuse_address(&self, on: bool) -> Result<(), SockError> {
        self.say
            .traced(
                "setsockopt",
                format_args!(
                    "fd {}, SOL_SOCKET, SO_REUSEADDR, {}",
                    self.fd(),
                    u8::from(on)
                ),
                self.socket.set_reuse_address(on),
                ok,
            )
            .map_err(|source| SockError::Call {
                op: "setsockopt",
                source,
            })
    }

    /// `bind(addr)`: from now on datagrams sent to `addr` are queued for this
    /// socket. On an IPv6 socket `IPV6_V6ONLY` is set explicitly, because its
    /// default differs between systems (`/proc/sys/net/ipv6/bindv6only`):
    /// `::` then means every IPv6 interface and nothing else, and IPv4
    /// senders need a server on 0.0.0.0.
    pub fn bind(self, addr: SocketAddr) -> Result<UdpSocket, SockError> {
        let fd = self.fd();
        if addr.is_ipv6() {
            self.say
                .traced(
                    "setsockopt",
                    format_args!("fd {fd}, IPPROTO_IPV6, IPV6_V6ONLY, 1"),
                    self.socket.set_only_v6(true),
                    ok,
                )
                .map_err(|source| SockError::Call {
                    op: "setsockopt",
                    source,
                })?;
        }
        self.say
            .traced(
                "bind",
                format_args!("fd {fd}, {addr}"),
                self.socket.bind(&SockAddr::from(addr)),
                ok,
            )
            .map_err(|source| SockError::Bind {
                addr,
                source,
                reuse: None,
            })?;
        Ok(self.socket.into())
    }

    /// The socket as it is, for a client: the kernel binds it to an
    /// ephemeral port by itself at the first `connect` or `sendto`.
    pub fn unbound(self) -> UdpSocket {
        self.socket.into()
    }

    /// `setsockopt(SO_SNDBUF)`, where the system's default is too small for
    /// the largest datagram: macOS gives a UDP socket 9,216 bytes
    /// (`net.inet.udp.maxdgram`), and a larger datagram then fails with
    /// EMSGSIZE although UDP allows 65,507. Linux's default is far larger
    /// and is left alone.
    fn fit_largest_datagram(&self) -> io::Result<()> {
        let needed = UDP_MAX_PAYLOAD_V6 + 64;
        if self.socket.send_buffer_size()? >= needed {
            return Ok(());
        }
        self.say.traced(
            "setsockopt",
            format_args!("fd {}, SOL_SOCKET, SO_SNDBUF, {needed}", self.fd()),
            self.socket.set_send_buffer_size(needed),
            ok,
        )
    }
}

/// The most data one IPv4 UDP datagram can carry: the IPv4 total-length
/// field is 16 bits (65,535 bytes), minus a 20-byte IP header and an 8-byte
/// UDP header.
pub const UDP_MAX_PAYLOAD_V4: usize = 65_535 - 20 - 8;

/// The same for IPv6, whose payload-length field does not count the IPv6
/// header itself: 65,535 minus the 8-byte UDP header. (Jumbograms, RFC 2675,
/// go further but need links that carry them.)
pub const UDP_MAX_PAYLOAD_V6: usize = 65_535 - 8;

/// The most data one UDP datagram of `family` can carry.
pub fn max_udp_payload(family: Family) -> usize {
    match family {
        Family::V4 => UDP_MAX_PAYLOAD_V4,
        Family::V6 => UDP_MAX_PAYLOAD_V6,
    }
}

/// One datagram as `recvfrom` delivered it.
pub struct Datagram {
    /// How many bytes of the datagram are in the buffer.
    pub kept: usize,
    /// Whether the buffer was too small: the kernel discarded the rest, and
    /// no later recvfrom will return it (a datagram is read whole or cut,
    /// never in pieces).
    pub cut: bool,
    /// How long the datagram really was, where the system says (Linux);
    /// macOS and Windows only say that it was cut.
    pub len: Option<usize>,
    pub from: SocketAddr,
}

/// `recvfrom`: one datagram and its sender, and whether it was cut. Linux
/// given `MSG_TRUNC` returns the datagram's real length even when the
/// buffer was shorter; macOS flags a cut datagram (`MSG_TRUNC` in the
/// message's flags), Windows fails the call with WSAEMSGSIZE (socket2 turns
/// both into the same flag).
pub fn recv_datagram(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<Datagram> {
    // SAFETY: `MaybeUninit<u8>` has the same layout as `u8`, and every byte
    // of `buf` is already initialised; recvfrom only writes bytes into it.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let flags = libc::MSG_TRUNC;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let flags = 0;
    let (n, got, from) = socket2::SockRef::from(socket)
        .recv_from_vectored_with_flags(&mut [socket2::MaybeUninitSlice::new(uninit)], flags)?;
    let from = from.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "recvfrom: sender is not an IP address",
        )
    })?;
    let cut = got.is_truncated() || n > buf.len();
    // A cut datagram fills the buffer. (Windows reports the cut as
    // WSAEMSGSIZE, and then no count at all.)
    let kept = if cut { buf.len() } else { n };
    Ok(Datagram {
        kept,
        cut,
        len: (n > buf.len() || !cut).then_some(n),
        from,
    })
}

/// [`recv_datagram`], traced as the UDP server traces it:
/// `recvfrom(65535) -> 5 bytes from 127.0.0.1:40000`.
pub fn recvfrom(socket: &UdpSocket, buf: &mut [u8], say: &Narrator) -> io::Result<Datagram> {
    let size = buf.len();
    let got = recv_datagram(socket, buf);
    say.traced("recvfrom", format_args!("{size}"), got, |d| {
        format!("{} bytes from {}", d.len.unwrap_or(d.kept), d.from)
    })
}

/// `sendto`: one datagram to `to`, whole or not at all.
pub fn sendto(
    socket: &UdpSocket,
    bytes: &[u8],
    to: SocketAddr,
    say: &Narrator,
) -> io::Result<usize> {
    // Dated from before the call for --record: the datagram leaves in it.
    let started = Instant::now();
    say.traced_since(
        Some(started),
        "sendto",
        format_args!("{} bytes, {to}", bytes.len()),
        socket.send_to(bytes, to),
        |n| format!("{n}"),
    )
}

/// A client socket whose `connect` has started but not finished, for
/// programs that drive many connections from one thread (`socktool load`).
///
/// The socket is made non-blocking *before* `connect`, so `connect` returns
/// at once with EINPROGRESS and the handshake completes in the background;
/// the socket turns writable when it is done (then `SO_ERROR` says whether it
/// worked). `TCP_NODELAY` is set because every message is one small write
/// that waits for its reply: Nagle's algorithm would only ever delay it.
/// With `source`, the socket is bound to that address (port 0: the kernel
/// picks a free one) before connecting. Each source address has its own
/// range of ephemeral ports, so spreading clients over 127.0.0.X lets one
/// machine open more connections to one server port than the ~28,000 ports
/// of `net.ipv4.ip_local_port_range`.
pub fn start_connect(addr: SocketAddr, source: Option<std::net::IpAddr>) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    if let Some(ip) = source {
        socket.bind(&SockAddr::from(SocketAddr::new(ip, 0)))?;
    }
    match socket.connect(&SockAddr::from(addr)) {
        Ok(()) => {}
        // Unix says EINPROGRESS, Windows WSAEWOULDBLOCK: the same news.
        Err(e)
            if e.kind() == io::ErrorKind::WouldBlock
                || crate::narrate::os_error(&e) == Some("EINPROGRESS") => {}
        Err(e) => return Err(e),
    }
    Ok(socket.into())
}
