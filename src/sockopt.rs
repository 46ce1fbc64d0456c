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
