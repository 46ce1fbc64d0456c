//! The addresses the room should type. A server on every interface
//! (`--host 0.0.0.0`, the tutorial's `HOST = ''`) is reached through this
//! machine's own network addresses, which the teacher would otherwise look
//! up with `ip addr` (`ipconfig` on Windows) and read out. So right after
//! the warning that other machines can reach it, the server names them:
//!
//! ```text
//! warning: listening on 0.0.0.0:8888: every network interface, ...
//! students: telnet 192.168.1.20 8888  (wlan0)
//! ```
//!
//! The list comes from the system (`getifaddrs` on Unix,
//! `GetAdaptersAddresses` on Windows, through the `if-addrs` crate):
//! every address but loopback and IPv6 link-local ones (those need an
//! interface name to be typed, `fe80::1%eth0`), of the bound family only
//! (a socket on 0.0.0.0 takes IPv4 clients, one on `::` IPv6 ones).

use std::net::{IpAddr, SocketAddr};

use crate::narrate::Narrator;
use crate::tr;

/// The addresses of `interfaces` (name, address) a client on another
/// machine could use to reach a server bound to `bound`, in the system's
/// order, each once.
pub fn reachable(bound: IpAddr, interfaces: &[(String, IpAddr)]) -> Vec<(String, IpAddr)> {
    if bound.is_loopback() {
        return Vec::new();
    }
    if !bound.is_unspecified() {
        let name = interfaces
            .iter()
            .find(|(_, ip)| *ip == bound)
            .map(|(name, _)| name.clone())
            .unwrap_or_default();
        return vec![(name, bound)];
    }
    let mut found: Vec<(String, IpAddr)> = Vec::new();
    for (name, ip) in interfaces {
        let link_local_v6 = matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local());
        if ip.is_loopback()
            || ip.is_unspecified()
            || link_local_v6
            || ip.is_ipv4() != bound.is_ipv4()
            || found.iter().any(|(_, seen)| seen == ip)
        {
            continue;
        }
        found.push((name.clone(), *ip));
    }
    found
}

/// After the all-interfaces warning: one `students: TOOL IP PORT` line
/// per address that reaches `addr`, or why there is none. `tool` is what
/// a student types (`telnet`, `nc -u`).
pub fn name_the_way_in(addr: SocketAddr, tool: &str, say: &Narrator) {
    if addr.ip().is_loopback() {
        return;
    }
    let interfaces = match if_addrs::get_if_addrs() {
        Ok(list) => list
            .into_iter()
            .map(|i| (i.name.clone(), i.ip()))
            .collect::<Vec<_>>(),
        Err(e) => {
            // GetAdaptersAddresses reports its failure as a return code,
            // not as the thread's last error: "os error 0" says nothing.
            let why = match e.raw_os_error() {
                Some(0) => tr!("reach-no-reason"),
                _ => e.to_string(),
            };
            say.note(tr!("reach-cannot-list", why = why));
            return;
        }
    };
    let ways = reachable(addr.ip(), &interfaces);
    if ways.is_empty() {
        say.note(tr!(
            "reach-loopback-only",
            family = if addr.is_ipv4() { "IPv4" } else { "IPv6" }
        ));
        return;
    }
    for (name, ip) in ways {
        let command = format!("{tool} {ip} {}", addr.port());
        say.info(if name.is_empty() {
            tr!("reach-students", command = command)
        } else {
            tr!("reach-students-on", command = command, interface = name)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<(String, IpAddr)> {
        [
            ("lo", "127.0.0.1"),
            ("eth0", "192.168.1.20"),
            ("lo", "::1"),
            ("eth0", "fe80::1"),
            ("eth0", "2001:db8::20"),
            ("docker0", "172.17.0.1"),
            ("eth0", "192.168.1.20"),
        ]
        .into_iter()
        .map(|(n, ip)| (n.to_string(), ip.parse().unwrap()))
        .collect()
    }

    fn ips(found: Vec<(String, IpAddr)>) -> Vec<String> {
        found.into_iter().map(|(_, ip)| ip.to_string()).collect()
    }

    #[test]
    fn every_interface_names_each_address_of_its_family_once() {
        assert_eq!(
            ips(reachable("0.0.0.0".parse().unwrap(), &list())),
            ["192.168.1.20", "172.17.0.1"]
        );
        assert_eq!(
            ips(reachable("::".parse().unwrap(), &list())),
            ["2001:db8::20"]
        );
    }

    #[test]
    fn one_address_names_itself_and_loopback_names_nothing() {
        let one = reachable("192.168.1.20".parse().unwrap(), &list());
        assert_eq!(one, [("eth0".to_string(), "192.168.1.20".parse().unwrap())]);
        assert!(reachable("127.0.0.1".parse().unwrap(), &list()).is_empty());
        assert!(reachable("::1".parse().unwrap(), &list()).is_empty());
    }
}
