//! # lab refused
//! Nobody listening: the kernel itself says no.
//!
//! ```text
//! connect (the step)                       the lab's socket: bind, no listen
//! connect ---------- SYN ------------->
//!         <-------- RST-ACK -----------    no listening socket on that port
//! connect -> ECONNREFUSED (exit 69)
//! ```
//!
//! `bind` alone claims the port but answers nothing: only `listen` tells
//! the kernel to take connections there. A SYN to a port with no listener
//! gets a reset straight back, and the client's `connect` fails at once
//! with ECONNREFUSED, "Connection refused". (A SYN that gets no answer at
//! all, from a firewall that drops it, would instead be retried until
//! connect times out.)

use std::net::SocketAddr;

use crate::cli::Family;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{LOOPBACK, Lab, Side};

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let sock = sockopt::tcp_socket(Family::V4, &server)?;
    sock.bind(SocketAddr::new(LOOPBACK, 0))?;
    let addr = sock.getsockname()?;

    let port = addr.port().to_string();
    let mut client = lab.socktool("connect", &["127.0.0.1", &port])?;
    client.end_input();
    // 69: connection refused (EX_UNAVAILABLE), as every client step says it.
    client.expect_exit(69)?;
    sock.close();
    Ok(())
}
