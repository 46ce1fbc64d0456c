//! What the kernel holds about the scenario's sockets, beyond any call's
//! result: which are in TIME_WAIT (a socket no program has any more), and
//! how many SYNs a full accept queue made it drop.
//!
//! ```text
//! /proc/thread-self/net/tcp, tcp6   one line per TCP socket: addresses, state
//! /proc/thread-self/net/netstat     TcpExt: ListenOverflows, ListenDrops
//! ```
//!
//! `thread-self`, not `self`: these files describe the network namespace
//! of the thread that opens them, and `/proc/self` is the main thread's
//! (the same here, since the lab enters its namespace before any thread
//! starts, but the thread's own view is the one meant). Outside a
//! namespace of the lab's own the same files describe the whole machine,
//! which is still right for the scenario's own ports. Linux only: other
//! systems keep this to `netstat`, and the lab says nothing there.

use std::net::SocketAddr;

/// The TCP states `/proc/net/tcp` writes as numbers (`include/net/tcp_states.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpState {
    Established,
    TimeWait,
    Listen,
    Close,
    /// On the way somewhere: SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2,
    /// CLOSE_WAIT, LAST_ACK, CLOSING.
    Moving,
}

/// One socket's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: TcpState,
}

/// Every TCP socket (IPv4 and IPv6) the kernel has now.
#[cfg(target_os = "linux")]
pub fn sockets() -> Vec<Socket> {
    let mut all = Vec::new();
    for file in ["tcp", "tcp6"] {
        let path = format!("/proc/thread-self/net/{file}");
        if let Ok(text) = std::fs::read_to_string(path) {
            all.extend(text.lines().skip(1).filter_map(parse_line));
        }
    }
    all
}

#[cfg(not(target_os = "linux"))]
pub fn sockets() -> Vec<Socket> {
    Vec::new()
}

/// `   0: 0100007F:1F90 0100007F:D2A4 06 00000000:00000000 ...`: the
/// addresses, then the state.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_line(line: &str) -> Option<Socket> {
    let mut fields = line.split_whitespace().skip(1);
    let local = parse_addr(fields.next()?)?;
    let remote = parse_addr(fields.next()?)?;
    let state = match u8::from_str_radix(fields.next()?, 16).ok()? {
        1 => TcpState::Established,
        6 => TcpState::TimeWait,
        7 => TcpState::Close,
        10 => TcpState::Listen,
        _ => TcpState::Moving,
    };
    Some(Socket {
        local,
        remote,
        state,
    })
}

/// `0100007F:1F90` → 127.0.0.1:8080. The kernel prints the address as the
/// 32-bit words it stores (network byte order, printed as this machine's
/// integers: reversed on a little-endian one) and the port as a number.
fn parse_addr(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..ip.len() / 8)
        .map(|i| u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect::<Option<_>>()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let ip: std::net::IpAddr = match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok()?.into(),
        16 => <[u8; 16]>::try_from(bytes).ok()?.into(),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// How many SYNs listening sockets have dropped because their accept
/// queue was full (`TcpExt: ListenOverflows`), where the kernel says.
#[cfg(target_os = "linux")]
pub fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let at = names
        .split_whitespace()
        .position(|n| n == "ListenOverflows")?;
    values.split_whitespace().nth(at)?.parse().ok()
}

#[cfg(not(target_os = "linux"))]
pub fn listen_overflows() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_lines_read_as_the_kernel_wrote_them() {
        let v4 = "   0: 0100007F:1F90 0100007F:D2A4 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000";
        let s = parse_line(v4).unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!(s.local, "127.0.0.1:8080".parse().unwrap());
            assert_eq!(s.remote, "127.0.0.1:53924".parse().unwrap());
        }
        assert_eq!(s.state, TcpState::TimeWait);
        let v6 = "   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0";
        let s = parse_line(v6).unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!(s.local, "[::1]:8080".parse().unwrap());
        }
        assert_eq!(s.state, TcpState::Listen);
        assert_eq!(parse_line("  sl  local_address rem_address   st"), None);
    }
}
