//! What every client step shares: create a socket, resolve the host,
//! connect, each narrated with the tutorial's lines; then `sendall` and
//! `recv`, each traced (`--trace`) and dumped (`--hex`) in one place, with
//! timeouts turned into errors that name the phase.
//!
//! The order is the tutorial's: the socket exists before the address is
//! known (`socket.socket(AF_INET, SOCK_STREAM)` comes first there too), which
//! is why the address family is chosen up front: from `-4`/`-6`, from an
//! address literal, or IPv4 as in the tutorial.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::cli::Family;
use crate::error::{self, Asker, Phase, SockError};
use crate::lookup;
use crate::narrate::{Dir, Narrator};
use crate::signals::Doorbell;
use crate::sockopt::{self, Want, Woke};
use crate::target::Host;

/// socket → resolve → connect. Returns the connected stream and the address
/// it reached; read and write timeouts are set to `timeout` as well.
pub fn connect(
    host: &Host,
    port: u16,
    family: Option<Family>,
    timeout: Duration,
    say: &Narrator,
) -> Result<(TcpStream, SocketAddr), SockError> {
    let family = choose_family(host, family);

    let socket = sockopt::tcp_socket(family, say)?;
    say.step("Socket created");

    let addr = resolve_addr(host, port, family, say)?;
    let ip = addr.ip();

    let stream = socket
        .connect(addr, timeout)
        .map_err(|source| match source.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => SockError::Timeout {
                phase: Phase::Connect,
                addr,
                after: timeout,
            },
            // http-get and udp-send say who asked, for the hint.
            _ => SockError::Connect {
                addr,
                source,
                asker: Asker::Connect,
            },
        })?;
    say.step(format!("Socket Connected to {host} on ip {ip}"));
    // The port the kernel picked for our end: what the server's accept
    // calls the peer, and how `ladder` pairs the two recordings.
    if say.is_tracing() {
        let _ = say.traced(
            "getsockname",
            format_args!("fd {}", sockopt::fd(&stream)),
            stream.local_addr(),
            ToString::to_string,
        );
    }

    // From here on every wait happens in poll, bounded by the step's own
    // timeouts: a client that waits again after a timeout must not rely on
    // SO_RCVTIMEO, which leaves the socket undefined on Windows.
    sockopt::set_nonblocking(&stream, say).map_err(|source| SockError::Io {
        op: "fcntl",
        addr,
        source,
    })?;
    Ok((stream, addr))
}

/// The family a client socket is created with, before the name is resolved:
/// `-4`/`-6` if given, else the literal's own, else IPv4 as in the tutorial.
pub fn choose_family(host: &Host, family: Option<Family>) -> Family {
    family.or(host.ip().map(Family::of)).unwrap_or(Family::V4)
}

/// `host` and `port` as the address to connect or send to, resolved and
/// narrated (`Ip address of localhost is 127.0.0.1`). Shared by the TCP and
/// UDP clients.
pub fn resolve_addr(
    host: &Host,
    port: u16,
    family: Family,
    say: &Narrator,
) -> Result<SocketAddr, SockError> {
    let (ip, scope_id) = resolve(host, family, say)?;
    Ok(match (ip, scope_id) {
        (IpAddr::V6(v6), scope) if scope != 0 => {
            SocketAddr::V6(std::net::SocketAddrV6::new(v6, port, 0, scope))
        }
        _ => SocketAddr::new(ip, port),
    })
}

/// The tutorial's `gethostbyname`: a name becomes the first address of the
/// chosen family; a literal is used as it is.
fn resolve(host: &Host, family: Family, say: &Narrator) -> Result<(IpAddr, u32), SockError> {
    let name = match host {
        Host::Ip { addr, scope_id } => {
            if Family::of(*addr) != family {
                return Err(SockError::NoAddress {
                    host: host.to_string(),
                    family: family.name(),
                });
            }
            return Ok((*addr, *scope_id));
        }
        Host::Name(name) => name,
    };
    let found = lookup::lookup(name, Some(family));
    say.trace(
        "getaddrinfo",
        format_args!("\"{name}\", {}", family.af_name()),
        match &found {
            Ok(a) => a
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => e.to_string(),
        },
    );
    let no_address = || SockError::NoAddress {
        host: name.clone(),
        family: family.name(),
    };
    let found = match found {
        // Asked for one family, the resolver says "no such name" even when
        // the name has addresses of the other: ask once more for any, so
        // `connect localhost 8888 -6` says what `resolve -6` says.
        Err(SockError::Resolve { .. })
            if lookup::lookup(name, None).is_ok_and(|any| !any.is_empty()) =>
        {
            return Err(no_address());
        }
        found => found?,
    };
    let ip = *found.first().ok_or_else(no_address)?;
    say.step(format!("Ip address of {name} is {ip}"));
    Ok((ip, 0))
}

/// 0.0.0.0 or ::, for errors about a socket that has no address yet.
pub fn unspecified(family: Family) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        Family::V6 => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
    }
}

/// `sendall`: every byte, or an error. Traced and hex-dumped as one call,
/// the way Python's `sendall` is one call that loops inside. The socket is
/// non-blocking: when its buffer is full the wait happens in `poll`, and
/// `timeout` bounds how long the peer may take none of our bytes.
pub fn send_all(
    stream: &mut TcpStream,
    addr: SocketAddr,
    bytes: &[u8],
    timeout: Option<Duration>,
    say: &Narrator,
) -> Result<(), SockError> {
    say.hex(Dir::Sent, bytes);
    let started = Instant::now();
    say.traced_since(
        Some(started),
        "sendall",
        format_args!("fd {}, {} bytes", sockopt::fd(stream), bytes.len()),
        write_all(stream, bytes, timeout),
        |_| "ok".into(),
    )
    .map_err(|e| error::io_failure("sendall", Phase::Write, addr, timeout, e))
}

/// Every byte of `bytes`, or `WouldBlock` once the peer took nothing for
/// `timeout`.
fn write_all(stream: &mut TcpStream, bytes: &[u8], timeout: Option<Duration>) -> io::Result<()> {
    let mut sent = 0;
    let mut progress = Instant::now();
    while sent < bytes.len() {
        match stream.write(&bytes[sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                sent += n;
                progress = Instant::now();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let until = timeout.map(|t| progress + t);
                // Checked here too, not only by poll: a poll that calls a
                // full socket writable (Wine's does) must not spin for ever.
                if until.is_some_and(|u| Instant::now() >= u) {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                let quiet = Narrator::silent();
                if sockopt::wait(stream, Want::Writable, None, until, &quiet)? == Woke::TimedOut {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One `recv(size)`: returns how many bytes arrived (0 = the peer closed).
/// Interrupted calls are retried, as Python does since PEP 475. The wait
/// for data happens in `poll`, bounded by `timeout` if one is given, and
/// ended early by `bell` (connect's other thread rings it when it fails):
/// then it returns 0, as if the peer had closed.
pub fn recv(
    stream: &mut TcpStream,
    addr: SocketAddr,
    buf: &mut [u8],
    timeout: Option<Duration>,
    bell: Option<&Doorbell>,
    say: &Narrator,
) -> Result<usize, SockError> {
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let quiet = Narrator::silent();
        match sockopt::wait(stream, Want::Readable, bell, deadline, &quiet) {
            Ok(Woke::Rung) => return Ok(0),
            Ok(Woke::TimedOut) => {
                let after = timeout.unwrap_or_default();
                say.trace(
                    "recv",
                    format_args!("fd {}, {}", sockopt::fd(stream), buf.len()),
                    format_args!("nothing in {}", error::secs(after)),
                );
                return Err(SockError::Timeout {
                    phase: Phase::Read,
                    addr,
                    after,
                });
            }
            Ok(_) => {}
            Err(source) => {
                return Err(SockError::Io {
                    op: "poll",
                    addr,
                    source,
                });
            }
        }
        let result = stream.read(buf);
        if matches!(&result, Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock))
        {
            continue;
        }
        let n = say
            .traced(
                "recv",
                format_args!("fd {}, {}", sockopt::fd(stream), buf.len()),
                result,
                |n| format!("{n} bytes"),
            )
            .map_err(|e| error::io_failure("recv", Phase::Read, addr, timeout, e))?;
        if n > 0 {
            say.hex(Dir::Received, &buf[..n]);
        }
        return Ok(n);
    }
}
