//! Lesson 9 in plain Rust: a chat room on one thread (Beej's pollserver.c).
//!
//! ```text
//! socket → bind → listen → epoll: listener readable -> accept ... EAGAIN
//!                                 a client readable -> recv ... EAGAIN, each whole line
//!                                                      -> send to every other client
//! ```
//!
//! `cargo run --example 09_serve_chat`, then `telnet 127.0.0.1 PORT` in two
//! or three terminals. socktool adds names, announcements, line ends,
//! lines kept for a client that reads slowly (here one that does not keep
//! up loses lines), limits and narration: `socktool serve-chat`.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(0);

fn main() -> io::Result<()> {
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().expect("an address"))?;
    eprintln!("Socket now listening on {}", listener.local_addr()?);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    // Each client: its socket, its address, and its line under way.
    let mut clients: HashMap<Token, (TcpStream, String, Vec<u8>)> = HashMap::new();
    let (mut events, mut next) = (Events::with_capacity(128), 1);
    loop {
        poll.poll(&mut events, None)?;
        for event in &events {
            if event.token() == LISTENER {
                // Edge-triggered: accept until the queue is empty.
                while let Ok((mut stream, peer)) = listener.accept() {
                    poll.registry()
                        .register(&mut stream, Token(next), Interest::READABLE)?;
                    eprintln!("Connected with {peer}");
                    clients.insert(Token(next), (stream, peer.to_string(), Vec::new()));
                    next += 1;
                }
                continue;
            }
            let (mut lines, mut gone, mut buf) = (Vec::new(), false, [0u8; 1024]);
            let Some((stream, name, partial)) = clients.get_mut(&event.token()) else {
                continue;
            };
            loop {
                // Read until EAGAIN: epoll will not say again what is already here.
                match stream.read(&mut buf) {
                    Ok(0) => break gone = true,
                    Ok(n) => partial.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => break gone = true,
                }
            }
            while let Some(end) = partial.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = partial.drain(..=end).collect();
                lines.push([format!("[{name}] ").as_bytes(), &line].concat());
            }
            for line in lines {
                for (token, (other, _, _)) in clients.iter_mut() {
                    if *token != event.token() {
                        let _ = other.write(&line); // what the kernel takes now, no waiting
                    }
                }
            }
            if gone {
                let (_, name, _) = clients.remove(&event.token()).expect("a client");
                eprintln!("Disconnected {name}");
            }
        }
    }
}
