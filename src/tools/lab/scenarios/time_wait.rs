//! # lab time-wait
//! Whoever closes first keeps TIME_WAIT: two conversations, one each way.
//!
//! ```text
//! client 1                               server
//!          <------- FIN-ACK ------------ close: the server goes first
//! recv -> 0 (EOF), close --- FIN-ACK --> [TIME_WAIT for 60 s] (the server)
//! client 2
//! close: the client goes first --- FIN-ACK -->
//!          <------- FIN-ACK ------------ recv -> 0 (EOF), close
//! [TIME_WAIT for 60 s] (client 2)
//! ```
//!
//! The end that sends the first FIN, once it has the other's FIN, waits
//! in TIME_WAIT for twice the longest a segment may live (60 s on Linux)
//! before its port pair is free again: a late segment from this
//! conversation must not be taken for part of a new one, and its last
//! ACK may need sending again. The other end is done as soon as its FIN
//! is acknowledged. A server that closes first collects one TIME_WAIT
//! socket per client, which is why restarting it within the minute needs
//! SO_REUSEADDR (lesson 3). The lab finds them in /proc/net/tcp.

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{Lab, PATIENCE, Side};

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(128, &server)?;
    let mut buf = [0u8; 64];

    // 1: the server closes first.
    let first = lab.end(Side::Client, "lab");
    let mut stream = lab.connect(addr, &first)?;
    let (conn, _, server_1) = lab.accept(&listener, addr, &server)?;
    sockopt::close(conn, &server_1);
    client::recv(&mut stream, addr, &mut buf, Some(PATIENCE), None, &first)?;
    sockopt::close(stream, &first);

    // 2: the client closes first.
    let second = lab.end(Side::Client, "lab");
    let stream = lab.connect(addr, &second)?;
    let (mut conn, peer, server_2) = lab.accept(&listener, addr, &server)?;
    sockopt::close(stream, &second);
    client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server_2)?;
    sockopt::close(conn, &server_2);

    listener.close();
    Ok(())
}
