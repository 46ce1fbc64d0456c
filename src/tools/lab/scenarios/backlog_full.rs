//! # lab backlog-full
//! What a full accept queue does on Linux: it does not refuse; it drops.
//!
//! ```text
//! client 1, 2, 3                          server: listen(1), not accepting yet
//! 1: SYN, SYN-ACK, ACK; connect returns   [accept queue 1]
//! 2: SYN, SYN-ACK, ACK; connect returns   [accept queue 2]
//! 3: SYN ---------------------------->    [SYN dropped]
//!                                         accept -> client 1 [accept queue 1]
//! 3: SYN (retransmitted), 1 s later ->    answered now: SYN-ACK, ACK
//!                                         accept -> client 2, accept -> client 3
//! ```
//!
//! `listen(backlog)` bounds the queue of finished connections nobody has
//! accepted (Linux lets it hold backlog + 1). When it is full, Linux
//! neither answers a new SYN nor refuses it: it drops it, and counts the
//! drop (`nstat`'s TcpExtListenOverflows). The client hears nothing, so
//! its kernel sends the SYN again after its retransmission timeout, one
//! second at first, then two, four...: a server that accepts too slowly
//! makes its clients' `connect` take seconds, not fail. This is the
//! tutorial's `listen(5)` ("5 is enough for most programs"), and why
//! socktool's servers listen with 128.
//!
//! Here the server accepts once the kernel has counted the drop, so the
//! first retransmission finds room. Where the system does not count drops
//! (not Linux), the lab gives the third client a moment and a half before
//! it accepts.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{self, Lab, PATIENCE, Side};
use super::super::kernel;
use crate::tr;

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(1, &server)?;

    let mut clients = Vec::new();
    for queued in 1..=2 {
        let say = lab.end(Side::Client, "lab");
        let stream = lab.connect(addr, &say)?;
        lab.note_queue_of(&listener, addr, queued);
        clients.push((stream, say));
    }

    // The third connect waits for an answer that comes only after an
    // accept: on a thread of its own, while the server carries on.
    let third = lab.end(Side::Client, "lab");
    let dropped_before = kernel::listen_overflows();
    let (done, connected) = mpsc::channel();
    let connecting = {
        let say = third.clone();
        thread::spawn(move || {
            let stream = ends::connect(addr, &say);
            let _ = done.send(());
            stream
        })
    };
    match dropped_before {
        Some(before) => {
            if ends::wait_until(|| kernel::listen_overflows().is_some_and(|n| n > before)) {
                lab.state(addr, "SYN dropped".into());
            }
        }
        None => {
            let _ = connected.recv_timeout(Duration::from_millis(1500));
        }
    }

    let mut conns = Vec::new();
    let accepted = lab.accept(&listener, addr, &server)?;
    lab.note_queue(&listener, addr);
    conns.push(accepted);
    let stream = connecting
        .join()
        .map_err(|_| lab.failed(tr!("lab-third-panicked")))??;
    clients.push((stream, third));
    for _ in 0..2 {
        conns.push(lab.accept(&listener, addr, &server)?);
        lab.note_queue(&listener, addr);
    }

    // Goodbyes, one client at a time: it closes, the server reads the FIN
    // and closes too.
    let mut buf = [0u8; 64];
    for (stream, say) in clients {
        let local: Option<SocketAddr> = stream.local_addr().ok();
        sockopt::close(stream, &say);
        let at = conns.iter().position(|(_, peer, _)| Some(*peer) == local);
        let Some((mut conn, peer, server)) = at.map(|i| conns.remove(i)) else {
            continue;
        };
        client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;
        sockopt::close(conn, &server);
    }
    listener.close();
    Ok(())
}
