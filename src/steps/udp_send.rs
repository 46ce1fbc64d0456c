//! # Beyond the tutorial: udp-send
//! Send one UDP datagram and wait a moment for one reply.
//!
//! ```text
//! socket(AF_INET, SOCK_DGRAM)
//! getaddrinfo(host)            -> ip
//! connect(ip:port)             (sends nothing; see below)
//! sendto(data, ip:port)        one datagram
//! recvfrom(65536) -> reply     or nothing within --timeout
//! close()
//! ```
//!
//! New since the TCP client: no handshake, no stream, no close to wait for.
//! `sendto` hands the kernel one datagram and returns; whether it ever
//! arrives, nobody says. So the client waits `--timeout` for an answer and,
//! when none comes, can only report silence (exit 75): the request may have
//! been lost, the reply may have been lost, or nothing listens there.
//!
//! `connect` on a UDP socket is a local act: it sends no packet, it records
//! the peer. The kernel then drops datagrams from anyone else, and when the
//! peer's host answers with ICMP "port unreachable" (nothing bound to that
//! port), Linux reports it as ECONNREFUSED on our next recv, so a closed port
//! on a reachable host is a clear error (exit 69) instead of a timeout.
//! `--no-connect` skips it, as the tutorial's table does (plain
//! `sendto`/`recvfrom`), and the closed port becomes a timeout again.
//!
//! A datagram has a size limit that a stream does not: the length fields are
//! 16 bits, which leaves 65,507 bytes of data over IPv4 and 65,527 over
//! IPv6. A larger message is refused before anything is sent (exit 2).
//!
//! Try it:
//! ```text
//! socktool udp-serve --port 8888 &
//! socktool udp-send localhost 8888 hello
//! head -c 70000 /dev/zero | socktool udp-send localhost 8888   # too large
//! socktool udp-send localhost 9 hi                             # refused
//! ```
//!
//! A real UDP client would retry after a timeout (the reply or the request
//! may simply be lost), number its requests to match replies to them, and
//! keep datagrams below the path MTU (about 1,472 bytes on Ethernet) so that
//! one lost fragment does not lose the whole datagram.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use crate::cli::{Family, UdpSendArgs};
use crate::client;
use crate::error::{Asker, SockError};
use crate::narrate::{Dir, Narrator, describe_errno, os_error};
use crate::sockopt::{self, Want, Woke};
use crate::tr;

/// Room for any reply: above the largest datagram of either family, so a
/// reply is never cut.
const REPLY_BUF: usize = 65_536;

pub fn run(args: &UdpSendArgs, say: &Narrator) -> Result<(), SockError> {
    let family = client::choose_family(&args.host, args.family.family());
    // The message is checked before any socket exists: a too-large datagram
    // is bad input, not a network failure.
    let message = read_message(args.message.as_deref(), family)?;

    let socket = sockopt::udp_socket(family, say)?;
    say.step("Socket created");
    let socket = socket.unbound();
    let addr = client::resolve_addr(&args.host, args.port, family, say)
        .map_err(|e| e.asked_by(Asker::UdpSend))?;

    if !args.no_connect {
        say.traced(
            "connect",
            format_args!("{addr}"),
            socket.connect(addr),
            |_| "ok".into(),
        )
        .map_err(|source| SockError::Connect {
            addr,
            source,
            asker: Asker::UdpSend,
        })?;
        say.note(tr!("udp-connect", addr = addr));
    }

    send(&socket, addr, &message, family, say)?;
    let local = say.traced(
        "getsockname",
        format_args!("fd {}", sockopt::fd(&socket)),
        socket.local_addr(),
        ToString::to_string,
    );
    if let Ok(local) = local {
        say.note(tr!("udp-implicit-bind", local = local, port = local.port()));
    }
    say.step("Message sent successfully");
    say.info(tr!(
        "udp-sent",
        bytes = message.len(),
        addr = addr,
        timeout = crate::error::secs(args.timeout)
    ));

    let reply = receive(&socket, addr, args, say)?;
    say.data(&reply)?;
    say.end_line_on_terminal(&reply)?;
    say.info(tr!("udp-received", bytes = reply.len(), addr = addr));
    crate::sockopt::close(socket, say);
    Ok(())
}

/// MESSAGE as its bytes, or all of stdin; at most one datagram's worth.
fn read_message(arg: Option<&OsStr>, family: Family) -> Result<Vec<u8>, SockError> {
    let limit = sockopt::max_udp_payload(family);
    let too_large = |size| SockError::DatagramTooLarge {
        size,
        limit,
        family: family.name(),
    };
    let message = match arg {
        // Bytes as the shell passed them, even if they are not UTF-8 (on
        // Windows, whose command line is UTF-16, as UTF-8).
        Some(text) => text.as_encoded_bytes().to_vec(),
        None => {
            // One byte more than the limit is enough to know it is too
            // large, and a stdin that never ends cannot fill memory.
            let mut data = Vec::new();
            io::stdin()
                .lock()
                .take(limit as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|source| SockError::Stdin { source })?;
            if data.len() > limit {
                return Err(too_large(None));
            }
            data
        }
    };
    if message.len() > limit {
        return Err(too_large(Some(message.len())));
    }
    Ok(message)
}

/// `sendto`: the whole datagram or nothing; UDP never sends part of one.
fn send(
    socket: &UdpSocket,
    addr: SocketAddr,
    message: &[u8],
    family: Family,
    say: &Narrator,
) -> Result<(), SockError> {
    say.hex(Dir::Sent, message);
    say.traced_since(
        // Read before send_to runs (arguments are evaluated in order):
        // --record dates the datagram from when it left.
        Some(std::time::Instant::now()),
        "sendto",
        format_args!("{} bytes, {addr}", message.len()),
        socket.send_to(message, addr),
        |n| format!("{n}"),
    )
    .map(drop)
    .map_err(|source| match os_error(&source) {
        // The kernel's own limit: smaller than ours when the send buffer
        // or the interface cannot take a datagram this large.
        Some("EMSGSIZE") => SockError::DatagramTooLarge {
            size: Some(message.len()),
            limit: sockopt::max_udp_payload(family),
            family: family.name(),
        },
        // An ICMP error left over from an earlier datagram to this peer.
        Some("ECONNREFUSED" | "ECONNRESET") => SockError::PortUnreachable { addr },
        _ => SockError::Io {
            op: "sendto",
            addr,
            source,
        },
    })
}

/// `recvfrom` until a datagram from `addr` arrives or `--timeout` passes.
fn receive(
    socket: &UdpSocket,
    addr: SocketAddr,
    args: &UdpSendArgs,
    say: &Narrator,
) -> Result<Vec<u8>, SockError> {
    let deadline = Instant::now() + args.timeout;
    let no_reply = || SockError::NoReply {
        addr,
        after: args.timeout,
    };
    let mut buf = vec![0u8; REPLY_BUF];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(no_reply());
        }
        // Wait in poll for a datagram (or the deadline), then take it.
        let quiet = Narrator::silent();
        match sockopt::wait(socket, Want::Readable, None, Some(deadline), &quiet) {
            Ok(Woke::TimedOut) => return Err(no_reply()),
            Ok(_) => {}
            Err(source) => {
                return Err(SockError::Io {
                    op: "poll",
                    addr,
                    source,
                });
            }
        }
        let result = socket.recv_from(&mut buf);
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
            continue;
        }
        let traced = say.traced(
            "recvfrom",
            format_args!("{}", buf.len()),
            result,
            |(n, from)| format!("{n} bytes from {from}"),
        );
        match traced {
            // Only possible with --no-connect: anyone may send to our port.
            Ok((_, from)) if !same_peer(from, addr) => {
                say.warn(tr!("udp-ignored", from = from, addr = addr));
            }
            Ok((n, _)) => {
                say.hex(Dir::Received, &buf[..n]);
                buf.truncate(n);
                return Ok(buf);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(no_reply());
            }
            // Linux and macOS say ECONNREFUSED; Windows says WSAECONNRESET.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
                ) =>
            {
                say.note(tr!("udp-icmp", errno = describe_errno(&e)));
                return Err(SockError::PortUnreachable { addr });
            }
            Err(source) => {
                return Err(SockError::Io {
                    op: "recvfrom",
                    addr,
                    source,
                });
            }
        }
    }
}

/// Same address and port; an IPv6 scope id may be filled in on one side only.
fn same_peer(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip() == b.ip() && a.port() == b.port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_limits_follow_the_family() {
        let v4 = "x".repeat(65_507);
        assert!(read_message(Some(OsStr::new(&v4)), Family::V4).is_ok());
        let over = "x".repeat(65_508);
        let e = read_message(Some(OsStr::new(&over)), Family::V4).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("65508 bytes"), "{e}");
        assert!(e.to_string().contains("at most 65507"), "{e}");
        assert!(read_message(Some(OsStr::new(&over)), Family::V6).is_ok());
    }

    #[test]
    #[cfg(unix)]
    fn message_bytes_are_kept_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let raw = [b'h', 0, 0xff, b'\n'];
        assert_eq!(
            read_message(Some(OsStr::from_bytes(&raw)), Family::V4).unwrap(),
            raw
        );
    }
}
