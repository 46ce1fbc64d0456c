//! # Step 2: resolve
//! Turn a host name into the IP address a socket can connect to.
//!
//! ```text
//! getaddrinfo("www.example.com") -> [93.184.215.14, 2606:2800:21f:cb07::1, ...]
//! getnameinfo(127.0.0.1)         -> "localhost"        (for an address)
//! ```
//!
//! New since step 1: sockets speak addresses, people speak names. Python's
//! `socket.gethostbyname(host)` answers with one IPv4 address; underneath it
//! the resolver (`getaddrinfo`) knows every address, IPv4 and IPv6, and
//! `--all` shows them. Given an address instead of a name, this step does the
//! reverse lookup (`gethostbyaddr`/`getnameinfo`).
//!
//! Try it:
//! ```text
//! socktool resolve localhost
//! socktool resolve localhost --all
//! socktool resolve 127.0.0.1
//! socktool resolve nosuch.invalid; echo $?     # 68: host not found
//! ```
//!
//! A real program would not stop at the first address: when a connect to it
//! fails it tries the next (and races IPv6 against IPv4, "happy eyeballs").

use std::net::IpAddr;

use crate::cli::{Family, ResolveArgs};
use crate::error::SockError;
use crate::lookup;
use crate::narrate::Narrator;
use crate::target::Host;
use crate::tr;

pub fn run(args: &ResolveArgs, say: &Narrator) -> Result<(), SockError> {
    if let Some(pasted) = &args.host.dropped {
        say.note(tr!(
            "resolve-pasted",
            host = args.host.host.to_string(),
            pasted = pasted.as_str()
        ));
    }
    match &args.host.host {
        Host::Ip { addr, .. } => reverse(*addr, args, say),
        Host::Name(name) => forward(name, args, say),
    }
}

fn forward(name: &str, args: &ResolveArgs, say: &Narrator) -> Result<(), SockError> {
    let asked = args.family.family();
    // Ask for every family, then choose: that way the default can still
    // say how much more there was to see.
    let found = lookup::lookup(name, None);
    say.trace(
        "getaddrinfo",
        format_args!("\"{name}\", AF_UNSPEC, SOCK_STREAM"),
        match &found {
            Ok(addrs) => format!("{} address(es)", addrs.len()),
            Err(e) => e.to_string(),
        },
    );
    let all = found?;
    let matching: Vec<IpAddr> = all
        .iter()
        .copied()
        .filter(|ip| asked.is_none_or(|f| Family::of(*ip) == f))
        .collect();

    let shown: Vec<IpAddr> = if args.all {
        matching
    } else {
        // gethostbyname: the first IPv4 address (or the first of -6's family).
        let family = asked.unwrap_or(Family::V4);
        matching
            .into_iter()
            .filter(|ip| Family::of(*ip) == family)
            .take(1)
            .collect()
    };
    if shown.is_empty() {
        let family = asked.unwrap_or(Family::V4).name();
        return Err(SockError::NoAddress {
            host: name.to_string(),
            family,
        });
    }

    let mut out = String::new();
    for ip in &shown {
        if args.short {
            out.push_str(&format!("{ip}\n"));
        } else if args.all {
            out.push_str(&format!(
                "Ip address of {name} is {ip} ({})\n",
                Family::of(*ip).name()
            ));
        } else {
            out.push_str(&format!("Ip address of {name} is {ip}\n"));
        }
    }
    say.data(out.as_bytes())?;

    let hidden = all.len() - shown.len();
    if !args.all && hidden > 0 {
        say.note(tr!("resolve-more", name = name, hidden = hidden));
    }
    Ok(())
}

fn reverse(addr: IpAddr, args: &ResolveArgs, say: &Narrator) -> Result<(), SockError> {
    let found = lookup::reverse(addr);
    say.trace(
        "getnameinfo",
        format_args!("{addr}, NI_NAMEREQD"),
        match &found {
            Ok(name) => format!("\"{name}\""),
            Err(e) => e.to_string(),
        },
    );
    let name = found?;
    let line = if args.short {
        format!("{name}\n")
    } else {
        format!("Host name of {addr} is {name}\n")
    };
    say.data(line.as_bytes())
}
