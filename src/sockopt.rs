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
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

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
}

/// Read and write timeouts on a connected socket (`SO_RCVTIMEO`,
/// `SO_SNDTIMEO`). An expired one makes `read`/`write` fail with `EAGAIN`,
/// which `error::io_failure` turns into a timed-out error.
pub fn set_io_timeouts(stream: &TcpStream, timeout: Option<Duration>) -> io::Result<()> {
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)
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
