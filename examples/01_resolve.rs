//! Step 2 of the tutorial in plain Rust: turn a host name into IP addresses.
//!
//! Python: `remote_ip = socket.gethostbyname(host)`.
//! Here:   `(host, 0).to_socket_addrs()`, which calls the C library's
//! `getaddrinfo` (the same resolver: /etc/hosts first, then DNS).
//!
//! Run it: `cargo run --example 01_resolve -- localhost`
//! socktool does the same, narrated: `socktool resolve localhost --all`.

use std::net::{IpAddr, ToSocketAddrs};
use std::process::ExitCode;

fn main() -> ExitCode {
    // The host to look up: the first argument, or this machine's own name.
    let host = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "localhost".into());

    // getaddrinfo wants a port too (it fills in whole socket addresses);
    // 0 means "any", we only care about the IP part.
    let addrs = match (host.as_str(), 0).to_socket_addrs() {
        Ok(addrs) => addrs,
        Err(e) => {
            // The tutorial's socket.gaierror branch.
            eprintln!("Hostname could not be resolved. Exiting ({e})");
            return ExitCode::from(68); // sysexits EX_NOHOST, as socktool uses
        }
    };

    // The resolver may answer with several addresses, IPv4 and IPv6, and the
    // same one more than once (one per socket type): keep each once.
    let mut seen: Vec<IpAddr> = Vec::new();
    for addr in addrs {
        if !seen.contains(&addr.ip()) {
            seen.push(addr.ip());
        }
    }

    // gethostbyname would return only the first IPv4 address; print them all.
    for ip in &seen {
        let family = if ip.is_ipv4() { "AF_INET" } else { "AF_INET6" };
        println!("Ip address of {host} is {ip} ({family})");
    }
    ExitCode::SUCCESS
}
