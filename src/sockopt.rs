//! Creating sockets and setting their options: the only module that uses
//! socket2.
//!
//! The standard library creates and configures a socket in one call
//! (`TcpStream::connect`), which hides the steps the tutorial teaches. socket2
//! exposes each system call on its own, so here a socket is created first
//! (`socket()`), options are set one by one (`setsockopt`), and only then is
//! it connected or bound. Every function hands back ordinary `std::net`
//! types, so the steps stay plain std code.

use std::io;
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::cli::Family;

fn domain(family: Family) -> Domain {
    match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    }
}

/// A TCP socket that exists but is not connected yet: what Python's
/// `socket.socket(AF_INET, SOCK_STREAM)` returns.
pub struct TcpSocket {
    socket: Socket,
}

/// `socket(family, SOCK_STREAM, IPPROTO_TCP)`.
pub fn tcp_socket(family: Family) -> io::Result<TcpSocket> {
    let socket = Socket::new(domain(family), Type::STREAM, Some(Protocol::TCP))?;
    Ok(TcpSocket { socket })
}

impl TcpSocket {
    /// The file descriptor, which `--trace` shows: a socket is a file.
    pub fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// `connect(addr)`, giving up after `timeout`. Without a timeout a
    /// connect to a host that drops packets waits for the kernel's SYN
    /// retries, over two minutes on Linux.
    pub fn connect(self, addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        self.socket
            .connect_timeout(&SockAddr::from(addr), timeout)?;
        Ok(self.socket.into())
    }

    /// `setsockopt(SO_REUSEADDR, 1)`, before bind. Without it, a server
    /// restarted right after it stopped fails with "Address already in use":
    /// the old connections linger in TIME_WAIT for a minute and still count
    /// as using the port.
    pub fn set_reuse_address(&self) -> io::Result<()> {
        self.socket.set_reuse_address(true)
    }

    /// `setsockopt(IPV6_V6ONLY, 1)`. Linux lets an IPv6 socket bound to `::`
    /// take IPv4 clients too, BSDs and Windows do not; saying it explicitly
    /// makes `-6` mean the same everywhere (and keeps `::` from colliding
    /// with an IPv4 server on the same port).
    pub fn set_only_v6(&self) -> io::Result<()> {
        self.socket.set_only_v6(true)
    }

    /// `setsockopt(SO_RCVTIMEO, timeout)` on a socket that will listen: a
    /// blocked `accept()` then returns EAGAIN after `timeout`, which is how a
    /// server wakes up to check for Ctrl-C (a signal alone does not wake it).
    pub fn set_accept_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.socket.set_read_timeout(Some(timeout))
    }

    /// `bind(addr)`: claim the address and port. This is where "Address
    /// already in use" and "Permission denied" (ports below 1024) happen.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.socket.bind(&SockAddr::from(addr))
    }

    /// `listen(backlog)`: from now on the kernel answers handshakes by itself
    /// and queues finished connections, up to `backlog` (capped by
    /// `net.core.somaxconn`), until `accept()` takes them.
    pub fn listen(self, backlog: i32) -> io::Result<TcpListener> {
        self.socket.listen(backlog)?;
        Ok(self.socket.into())
    }
}

/// `fcntl(O_NONBLOCK)`: from now on `accept`, `recv` and `send` never wait;
/// when they cannot proceed they fail at once with EAGAIN (`WouldBlock`).
pub fn set_nonblocking(sock: &impl AsFd, on: bool) -> io::Result<()> {
    SockRef::from(sock).set_nonblocking(on)
}

/// `setsockopt(TCP_NODELAY, 1)`: send small writes at once instead of
/// holding them back (Nagle's algorithm) until the previous ones are
/// acknowledged. Interactive protocols want it; bulk transfers do not care.
pub fn set_nodelay(stream: &TcpStream) -> io::Result<()> {
    SockRef::from(stream).set_tcp_nodelay(true)
}

/// `shutdown(SHUT_RD)` on a connected socket, from any thread: a `recv`
/// blocked on it returns 0 at once, while the sending direction stays open,
/// so a reply already being sent can still be finished. The peer sees
/// nothing until the socket is closed.
pub fn shutdown_read(socket: impl AsFd) -> io::Result<()> {
    SockRef::from(&socket).shutdown(Shutdown::Read)
}

/// How many bytes we have sent on `stream` that the peer has not yet
/// acknowledged, the FIN included (`ioctl(SIOCOUTQ)`, Linux). 0 means all
/// of it has reached the peer's kernel, so a reset can no longer lose it.
#[cfg(target_os = "linux")]
pub fn unacknowledged(stream: &TcpStream) -> io::Result<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (the same number as TIOCOUTQ) writes one int to the
    // pointer, which points at `n`.
    let rc = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n.max(0) as usize)
}

/// Other systems: unknown, so never "all delivered".
#[cfg(not(target_os = "linux"))]
pub fn unacknowledged(_stream: &TcpStream) -> io::Result<usize> {
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
pub fn accept_queue(listener: &TcpListener) -> io::Result<AcceptQueue> {
    // SAFETY: tcp_info is plain old data, so all zeroes is a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `info`, which outlives the
    // call; the kernel writes at most `len` bytes and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            listener.as_raw_fd(),
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
pub fn accept_queue(_listener: &TcpListener) -> io::Result<AcceptQueue> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Read and write timeouts on a connected socket (`SO_RCVTIMEO`,
/// `SO_SNDTIMEO`). An expired one makes `read`/`write` fail with `EAGAIN`,
/// which `error::io_failure` turns into a timed-out error.
pub fn set_io_timeouts(stream: &TcpStream, timeout: Option<Duration>) -> io::Result<()> {
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)
}

/// `SO_RCVTIMEO` alone: how long a blocking `recv` may sleep before it
/// returns EAGAIN (`None`: until data or EOF).
pub fn set_recv_timeout(stream: &TcpStream, timeout: Option<Duration>) -> io::Result<()> {
    // A zero timeout means "none" to the kernel (std refuses it): the
    // opposite of "no time left".
    stream.set_read_timeout(timeout.map(|t| t.max(Duration::from_millis(1))))
}

/// `shutdown(SHUT_WR)`: "I have nothing more to send". The kernel sends a
/// FIN after any queued data; the peer's `recv` returns 0 (EOF) while our
/// side can still receive its answer. Closing instead would end both
/// directions, and the peer's reply would be lost (or answered with a reset).
pub fn shutdown_write(stream: &TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)
}

/// A UDP socket that exists but has no address yet: what Python's
/// `socket.socket(AF_INET, SOCK_DGRAM)` returns.
pub struct UdpUnbound {
    socket: Socket,
}

/// `socket(family, SOCK_DGRAM, IPPROTO_UDP)`.
pub fn udp_socket(family: Family) -> io::Result<UdpUnbound> {
    let socket = Socket::new(domain(family), Type::DGRAM, Some(Protocol::UDP))?;
    Ok(UdpUnbound { socket })
}

impl UdpUnbound {
    /// The file descriptor, which `--trace` shows.
    pub fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// `SO_REUSEADDR`, set before bind. For UDP it matters less than for
    /// TCP (no TIME_WAIT), but the servers share one set of options.
    pub fn set_reuse_address(&self, on: bool) -> io::Result<()> {
        self.socket.set_reuse_address(on)
    }

    /// `bind(addr)`: from now on datagrams sent to `addr` are queued for this
    /// socket. On an IPv6 socket `IPV6_V6ONLY` is set explicitly, because its
    /// default differs between systems (`/proc/sys/net/ipv6/bindv6only`):
    /// `::` then means every IPv6 interface and nothing else, and IPv4
    /// senders need a server on 0.0.0.0.
    pub fn bind(self, addr: SocketAddr) -> io::Result<UdpSocket> {
        if addr.is_ipv6() {
            self.socket.set_only_v6(true)?;
        }
        self.socket.bind(&SockAddr::from(addr))?;
        Ok(self.socket.into())
    }

    /// The socket as it is, for a client: the kernel binds it to an
    /// ephemeral port by itself at the first `connect` or `sendto`.
    pub fn unbound(self) -> UdpSocket {
        self.socket.into()
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
    /// How long the datagram really was. Larger than `kept` when the buffer
    /// was too small: the kernel discarded the rest, and no later recvfrom
    /// will return it (a datagram is read whole or cut, never in pieces).
    pub len: usize,
    pub from: SocketAddr,
}

/// `recvfrom(buf, MSG_TRUNC)`: one datagram and its sender. With
/// `MSG_TRUNC` Linux returns the datagram's real length even when the buffer
/// was shorter, which is how a server can tell that data was cut off.
pub fn recv_datagram(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<Datagram> {
    // SAFETY: `MaybeUninit<u8>` has the same layout as `u8`, and every byte
    // of `buf` is already initialised; recvfrom only writes bytes into it.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    let (len, from) =
        socket2::SockRef::from(socket).recv_from_with_flags(uninit, libc::MSG_TRUNC)?;
    let from = from.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "recvfrom: sender is not an IP address",
        )
    })?;
    Ok(Datagram {
        kept: len.min(buf.len()),
        len,
        from,
    })
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
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    Ok(socket.into())
}
