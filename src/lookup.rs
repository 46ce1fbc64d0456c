//! Names to addresses and back, over the C library's resolver.
//!
//! `getaddrinfo` is what Python's `gethostbyname` calls underneath: it reads
//! `/etc/hosts`, then asks DNS, as `/etc/nsswitch.conf` says. It can return
//! several addresses of both families; `gethostbyname` keeps only the first
//! IPv4 one. `getnameinfo` goes the other way, from an address to a name.

use std::net::{IpAddr, SocketAddr};

use dns_lookup::{AddrInfoHints, LookupError};
use socket2::{Domain, Type};

use crate::cli::Family;
use crate::error::{Asker, SockError};
use crate::tr;

/// Who asked, until a caller says otherwise with [`SockError::asked_by`].
const RESOLVE: Asker = Asker::Resolve;

/// Every address `host` has, in the resolver's order, each once, restricted
/// to `family` if one is given.
pub fn lookup(host: &str, family: Option<Family>) -> Result<Vec<IpAddr>, SockError> {
    if is_special_invalid(host) {
        return Err(SockError::Resolve {
            host: host.to_string(),
            // The resolver's own words, as glibc says them, then why.
            reason: format!(
                "Name or service not known ({})",
                tr!("resolve-invalid-never")
            ),
            asker: RESOLVE,
        });
    }
    let hints = AddrInfoHints {
        // AF_INET, AF_INET6, or AF_UNSPEC (0): whatever the name has. The
        // numbers differ between systems; socket2 knows each one's.
        address: match family {
            Some(Family::V4) => Domain::IPV4.into(),
            Some(Family::V6) => Domain::IPV6.into(),
            None => 0,
        },
        // One socket type, or every address comes back three times
        // (stream, datagram, raw).
        socktype: Type::STREAM.into(),
        ..AddrInfoHints::default()
    };
    let failed = |e: LookupError| SockError::Resolve {
        host: host.to_string(),
        reason: gai_reason(&e),
        asker: RESOLVE,
    };
    // A final dot means "this name is complete". DNS understands it, but
    // glibc's hosts-file lookup does not ("localhost." would miss the
    // "localhost" line and go to DNS), so it is removed here.
    let name = host.strip_suffix('.').unwrap_or(host);
    let mut addrs: Vec<IpAddr> = Vec::new();
    for info in dns_lookup::getaddrinfo(Some(name), None, Some(hints)).map_err(failed)? {
        let ip = info
            .map_err(|e| SockError::Resolve {
                host: host.to_string(),
                reason: e.to_string(),
                asker: RESOLVE,
            })?
            .sockaddr
            .ip();
        if !addrs.contains(&ip) {
            addrs.push(ip);
        }
    }
    Ok(addrs)
}

/// The name of an address, as `getnameinfo(NI_NAMEREQD)` finds it.
pub fn reverse(addr: IpAddr) -> Result<String, SockError> {
    let sockaddr = SocketAddr::new(addr, 0);
    dns_lookup::getnameinfo(&sockaddr, NI_NAMEREQD)
        .map(|(name, _service)| name)
        .map_err(|e| SockError::ReverseLookup {
            addr,
            reason: gai_reason(&e),
        })
}

/// RFC 6761 reserves `.invalid` for names that must never resolve and asks
/// resolver libraries to answer "no" at once. glibc still asks the network,
/// so socktool answers itself: `nosuch.invalid` fails fast and offline.
fn is_special_invalid(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

/// getnameinfo's "fail rather than give the address back as text".
#[cfg(unix)]
const NI_NAMEREQD: i32 = libc::NI_NAMEREQD;
#[cfg(windows)]
const NI_NAMEREQD: i32 = windows_sys::Win32::Networking::WinSock::NI_NAMEREQD as i32;

/// The resolver's own words: `Name or service not known`.
#[cfg(unix)]
fn gai_reason(e: &LookupError) -> String {
    // SAFETY: gai_strerror returns a pointer to a static, NUL-terminated
    // message for any error number.
    let text = unsafe { std::ffi::CStr::from_ptr(libc::gai_strerror(e.error_num())) };
    text.to_string_lossy().into_owned()
}

/// Windows' resolver reports WSA errors (WSAHOST_NOT_FOUND, 11001), which
/// the system describes like any other.
#[cfg(windows)]
fn gai_reason(e: &LookupError) -> String {
    crate::narrate::words::strerror(&std::io::Error::from_raw_os_error(e.error_num()))
}
