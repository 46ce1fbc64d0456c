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
use std::net::{SocketAddr, TcpStream};
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
