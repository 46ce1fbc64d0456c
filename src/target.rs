//! Reading what the user typed as a host or an HTTP target.
//!
//! This is the only code that parses text from outside before any socket
//! exists, so it is strict and total: every input either becomes a
//! [`Target`] or a one-line reason that says what to type instead. clap calls
//! these functions as value parsers, so a bad target is a usage error (exit 2)
//! before a single socket is created. The fuzz target in `fuzz/` feeds them
//! arbitrary strings.
//!
//! Accepted forms for `http-get`:
//! ```text
//! host            example.com, 127.0.0.1, ::1
//! host:port       example.com:8080, 127.0.0.1:8080
//! [v6]:port       [::1]:8080, [fe80::1%eth0]:80
//! http://host[:port][/path][?query][#fragment]
//! https://host[:port][/path][?query][#fragment]     (TLS, port 443 unless given)
//! ```
//!
//! Students paste what they have: `connect localhost:8888` where the
//! command wants `localhost 8888` ([`split_host_port_text`] lets the
//! command line take either), or a browser's URL where `resolve` wants a
//! name ([`parse_host_or_url`]). An IPv6 address is full of colons, so
//! `::1:8080` could be an address or an address and a port: it is refused
//! with the bracketed form to write instead.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use crate::tr;

/// A host as typed: a name to resolve, or an address literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Name(String),
    /// An IP literal; `scope_id` is the interface index of an IPv6 zone
    /// (`fe80::1%eth0`), 0 when there is none.
    Ip {
        addr: IpAddr,
        scope_id: u32,
    },
}

impl Host {
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ip { addr, .. } => Some(*addr),
            Host::Name(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip { addr, .. } => write!(f, "{addr}"),
        }
    }
}

/// Where `http-get` connects and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: Host,
    pub port: u16,
    /// The request target: path and query, as typed (already percent-encoded).
    pub path: String,
    /// `https://`: speak TLS on the connection before HTTP.
    pub tls: bool,
}

impl Target {
    /// The scheme's own port: 443 for https://, 80 for http://.
    pub fn default_port(&self) -> u16 {
        if self.tls { 443 } else { 80 }
    }

    /// The target as a URL, for narration: `https://localhost:8443/a`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{}", self.host_header(), self.path)
    }

    /// The value of the `Host:` header: IPv6 literals in brackets, the port
    /// only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        let host = match &self.host {
            Host::Ip {
                addr: IpAddr::V6(a),
                ..
            } => format!("[{a}]"),
            other => other.to_string(),
        };
        if self.port == self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// The longest DNS name (RFC 1035), not counting a final dot.
const MAX_NAME: usize = 253;
/// The longest DNS label.
const MAX_LABEL: usize = 63;

/// Parses a bare host: a name or an IP literal (IPv6 with or without
/// brackets, with an optional `%zone`). Used by `resolve` and by `http-get`.
pub fn parse_host(input: &str) -> Result<Host, String> {
    if input.is_empty() {
        return Err(tr!("target-empty-host"));
    }
    if let Some(inner) = input.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| tr!("target-open-bracket", text = shorten(input)))?;
        return parse_v6(inner, input);
    }
    if input.contains(':') {
        return parse_v6(input, input);
    }
    if let Ok(addr) = input.parse::<IpAddr>() {
        return Ok(Host::Ip { addr, scope_id: 0 });
    }
    check_name(input)?;
    Ok(Host::Name(input.to_string()))
}

/// An IPv6 literal, possibly with a zone: `fe80::1%eth0`, `fe80::1%2`, or in a
/// URL `fe80::1%25eth0` (RFC 6874 escapes the `%`).
fn parse_v6(text: &str, input: &str) -> Result<Host, String> {
    let (addr_text, zone) = match text.split_once('%') {
        Some((a, z)) => (
            a,
            Some(z.strip_prefix("25").filter(|z| !z.is_empty()).unwrap_or(z)),
        ),
        None => (text, None),
    };
    let addr: Ipv6Addr = addr_text
        .parse()
        .map_err(|_| tr!("target-bad-v6", text = shorten(input)))?;
    let scope_id = match zone {
        None => 0,
        Some("") => {
            return Err(tr!("target-empty-zone", text = shorten(input)));
        }
        Some(z) => zone_index(z).ok_or_else(|| {
            tr!(
                "target-no-interface",
                text = shorten(input),
                zone = shorten(z)
            )
        })?,
    };
    Ok(Host::Ip {
        addr: IpAddr::V6(addr),
        scope_id,
    })
}

/// A zone is an interface name or its number.
fn zone_index(zone: &str) -> Option<u32> {
    if let Ok(n) = zone.parse::<u32>() {
        return Some(n);
    }
    let name = std::ffi::CString::new(zone).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string that outlives the call;
    // if_nametoindex only reads it and returns 0 when there is no such name.
    #[cfg(unix)]
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    // SAFETY: as above (Windows' if_nametoindex, in iphlpapi).
    #[cfg(windows)]
    let index = unsafe {
        windows_sys::Win32::NetworkManagement::IpHelper::if_nametoindex(name.as_ptr().cast())
    };
    (index != 0).then_some(index)
}

/// DNS names: at most 253 characters, labels of 1 to 63 letters, digits,
/// hyphens or underscores, one optional final dot.
fn check_name(name: &str) -> Result<(), String> {
    let body = name.strip_suffix('.').unwrap_or(name);
    if body.len() > MAX_NAME {
        return Err(tr!("target-long-name", len = body.len(), max = MAX_NAME));
    }
    for label in body.split('.') {
        if label.is_empty() {
            return Err(tr!("target-empty-label", text = shorten(name)));
        }
        if label.len() > MAX_LABEL {
            return Err(tr!(
                "target-long-label",
                text = shorten(name),
                len = label.len(),
                max = MAX_LABEL
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(tr!(
                "target-bad-char",
                text = shorten(name),
                char = format!("{c:?}")
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(tr!("target-hyphen", text = shorten(name)));
        }
    }
    // No top-level domain is all digits (RFC 3696), so 999.1.1.1 or 1234 is a
    // mistyped address, not a name to send to DNS.
    if body
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(tr!("target-numeric", text = shorten(name)));
    }
    Ok(())
}

/// Input echoed in a message: control characters escaped and long input
/// cut, so the error stays one readable line whatever was typed.
pub fn shorten(s: &str) -> String {
    let escaped: String = s
        .chars()
        .flat_map(|c| {
            let esc: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect();
    if escaped.chars().count() <= 60 {
        escaped
    } else {
        format!("{}...", escaped.chars().take(57).collect::<String>())
    }
}

/// What `resolve` was given: a host, taken from a pasted URL or HOST:PORT
/// when that is what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostArg {
    pub host: Host,
    /// The text around the host that was left out (`https://`, `/path`,
    /// `:443`), to say so; `None` when a bare host was typed.
    pub dropped: Option<String>,
}

/// A host name or address, or a URL or HOST:PORT to take the host from:
/// `https://www.google.com/` resolves `www.google.com`. Any scheme is
/// fine here, since nothing is fetched.
pub fn parse_host_or_url(input: &str) -> Result<HostArg, String> {
    let bare = parse_host(input);
    if bare.is_ok() || input.is_empty() {
        return bare.map(|host| HostArg {
            host,
            dropped: None,
        });
    }
    let rest = match input.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            rest
        }
        _ => input,
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    // user@host: the credentials are not part of the name either.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_text = match split_host_port_text(authority) {
        Some((host, _port)) => host,
        None => authority,
    };
    if host_text == input || host_text.is_empty() {
        // Nothing to take out: the input's own reason is the clearest.
        return bare.map(|host| HostArg {
            host,
            dropped: None,
        });
    }
    let host = parse_host(host_text)?;
    Ok(HostArg {
        host,
        dropped: Some(input.to_string()),
    })
}

/// `host:port` or `[v6]:port` as its two texts (the port unchecked), for a
/// command line that wants them as two arguments. `None` for anything
/// else, a bare IPv6 address included.
pub fn split_host_port_text(input: &str) -> Option<(&str, &str)> {
    if input.starts_with('[') {
        let close = input.find(']')?;
        let port = input[close + 1..].strip_prefix(':')?;
        return Some((&input[..=close], port));
    }
    match input.matches(':').count() {
        1 => input.split_once(':'),
        _ => None,
    }
}

/// Parses a port a client connects to: 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() {
        return Err(tr!("port-empty"));
    }
    match text.parse::<u32>() {
        Ok(0) => Err(tr!("port-zero-client")),
        Ok(n) if n <= 65535 => Ok(n as u16),
        Ok(n) => Err(tr!("port-out-of-range", port = n.to_string())),
        Err(_) => Err(tr!("port-not-a-number", text = shorten(text))),
    }
}

/// Parses an `http-get` TARGET (see the module docs for the forms).
pub fn parse_target(input: &str) -> Result<Target, String> {
    let input_trimmed = input.trim();
    if input_trimmed.is_empty() {
        return Err(tr!("target-empty"));
    }
    let lower = input_trimmed.to_ascii_lowercase();
    for scheme in ["http:", "https:"] {
        // `http:/host` or `http:host`: a slash or two lost in typing, not a
        // host called "http" (that would need a port after its colon).
        if let Some(after) = lower.strip_prefix(scheme)
            && !after.starts_with("//")
            && !after.starts_with(|c: char| c.is_ascii_digit())
        {
            let missing = if after.starts_with('/') { "one" } else { "two" };
            let fixed = format!(
                "{scheme}//{}",
                input_trimmed[scheme.len()..].trim_start_matches('/')
            );
            return Err(tr!(
                "target-slashes",
                text = shorten(input_trimmed),
                missing = missing,
                scheme = scheme,
                fixed = shorten(&fixed)
            ));
        }
    }
    if let Some((scheme, rest)) = input_trimmed.split_once("://") {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" => parse_url_rest(rest, false),
            "https" => parse_url_rest(rest, true),
            other => Err(tr!("target-scheme", scheme = shorten(other))),
        };
    }
    parse_url_rest(input_trimmed, false)
}

/// Where a redirect's `Location` points, seen from `from` (RFC 9110,
/// section 10.2.2, with RFC 3986's references): a whole URL (`https://h/`),
/// one without its scheme (`//h/x`, the scheme kept), an absolute path
/// (`/x`, the same host), or a path relative to the current one (`x`).
pub fn follow_location(from: &Target, location: &str) -> Result<Target, String> {
    if location.is_empty() {
        return Err(tr!("target-empty-location"));
    }
    if location.contains("://") {
        return parse_target(location);
    }
    if let Some(rest) = location.strip_prefix("//") {
        return parse_url_rest(rest, from.tls);
    }
    let location = location.split_once('#').map_or(location, |(l, _)| l);
    let base = from.path.split('?').next().unwrap_or("/");
    let path = if location.starts_with('/') {
        location.to_string()
    } else if location.starts_with('?') {
        // Only a new query: the same path.
        format!("{base}{location}")
    } else {
        // Relative: beside the current path's last segment.
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{dir}{location}")
    };
    check_path(&path)?;
    Ok(Target {
        path,
        ..from.clone()
    })
}

/// `host[:port][/path][?query][#fragment]`, after any `http://` (or
/// `https://`, then `tls`).
fn parse_url_rest(rest: &str, tls: bool) -> Result<Target, String> {
    // The fragment is for the browser; HTTP never sends it.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let split_at = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split_at);
    if authority.contains('@') {
        return Err(tr!("target-credentials"));
    }
    let (host, port) = split_host_port(authority, if tls { 443 } else { 80 })?;
    let path = match path {
        "" => "/".to_string(),
        p if p.starts_with('?') => format!("/{p}"),
        p => p.to_string(),
    };
    check_path(&path)?;
    Ok(Target {
        host,
        port,
        path,
        tls,
    })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal; a
/// missing port is `default`.
fn split_host_port(authority: &str, default: u16) -> Result<(Host, u16), String> {
    if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or_else(|| tr!("target-open-bracket-port", text = shorten(authority)))?;
        let host = parse_host(&authority[..=close])?;
        let port = match &authority[close + 1..] {
            "" => default,
            tail => match tail.strip_prefix(':') {
                Some(p) => parse_port(p)?,
                None => {
                    return Err(tr!("target-after-bracket", text = shorten(tail)));
                }
            },
        };
        return Ok((host, port));
    }
    match authority.matches(':').count() {
        0 => Ok((parse_host(authority)?, default)),
        1 => {
            let (h, p) = authority.split_once(':').unwrap_or((authority, ""));
            Ok((parse_host(h)?, parse_port(p)?))
        }
        // Several colons and no brackets: a bare IPv6 literal on port 80,
        // unless its last group could be a port someone meant to add.
        _ => {
            if let Some((addr, port)) = authority.rsplit_once(':')
                && !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && addr.parse::<Ipv6Addr>().is_ok()
            {
                return Err(tr!(
                    "target-v6-port",
                    text = shorten(authority),
                    addr = addr,
                    port = port
                ));
            }
            Ok((parse_host(authority)?, default))
        }
    }
}

/// The request target goes into the request line as is, so it must not
/// contain spaces or control bytes (they would end the line early) and every
/// `%` must start a valid escape.
fn check_path(path: &str) -> Result<(), String> {
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' || b.is_ascii_control() || !b.is_ascii() {
            return Err(tr!(
                "target-path-char",
                char = format!("{:?}", path[i..].chars().next().unwrap_or(' '))
            ));
        }
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(tr!("target-percent", text = shorten(&path[i..])));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Target {
        parse_target(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn forms() {
        let t = ok("example.com");
        assert_eq!(
            (t.host.to_string(), t.port, t.path.as_str()),
            ("example.com".into(), 80, "/")
        );
        let t = ok("127.0.0.1:8080");
        assert_eq!(
            (t.host.ip(), t.port),
            (Some("127.0.0.1".parse().unwrap()), 8080)
        );
        let t = ok("[::1]:81");
        assert_eq!((t.host.ip(), t.port), (Some("::1".parse().unwrap()), 81));
        assert_eq!(t.host_header(), "[::1]:81");
        let t = ok("::1");
        assert_eq!((t.host.ip(), t.port), (Some("::1".parse().unwrap()), 80));
        let t = ok("HTTP://Example.com:8080/a/b?x=1#frag");
        assert_eq!((t.port, t.path.as_str()), (8080, "/a/b?x=1"));
        assert_eq!(t.host_header(), "Example.com:8080");
        let t = ok("https://localhost/x");
        assert_eq!(
            (t.port, t.tls, t.host_header()),
            (443, true, "localhost".into())
        );
        assert_eq!(t.url(), "https://localhost/x");
        let t = ok("HTTPS://[::1]:8443");
        assert_eq!((t.port, t.host_header()), (8443, "[::1]:8443".into()));
        assert_eq!(ok("localhost:443").host_header(), "localhost:443");
        let t = ok("http://localhost?q");
        assert_eq!(t.path, "/?q");
        let t = ok("localhost.");
        assert_eq!(t.host, Host::Name("localhost.".into()));
        let t = ok("http://[::1%251]/");
        assert_eq!(
            t.host,
            Host::Ip {
                addr: "::1".parse().unwrap(),
                scope_id: 1
            }
        );
    }

    #[test]
    fn a_location_is_followed_from_where_we_are() {
        let from = ok("http://localhost:8000/a/b?q=1");
        let go = |l: &str| follow_location(&from, l).map(|t| t.url());
        assert_eq!(
            go("https://localhost:8443/"),
            Ok("https://localhost:8443/".into())
        );
        assert_eq!(go("//example.test/x"), Ok("http://example.test/x".into()));
        assert_eq!(go("/c#frag"), Ok("http://localhost:8000/c".into()));
        assert_eq!(go("c?d"), Ok("http://localhost:8000/a/c?d".into()));
        assert_eq!(go("?e"), Ok("http://localhost:8000/a/b?e".into()));
        assert!(go("").is_err());
        assert!(go("ftp://h/").unwrap_err().contains("ftp://"));
        assert!(go("/a b").unwrap_err().contains("percent-encode"));
    }

    #[test]
    fn bare_ipv6_without_a_port_like_tail_stays_on_port_80() {
        for input in ["::1", "fe80::1%1", "2001:db8::abcd"] {
            assert_eq!(ok(input).port, 80, "{input}");
        }
        assert_eq!(ok("http:8080").port, 8080, "a host called http");
    }

    #[test]
    fn host_port_texts_split_only_when_they_are_one() {
        assert_eq!(
            split_host_port_text("localhost:8888"),
            Some(("localhost", "8888"))
        );
        assert_eq!(split_host_port_text("[::1]:8888"), Some(("[::1]", "8888")));
        assert_eq!(split_host_port_text("localhost:"), Some(("localhost", "")));
        for whole in ["localhost", "::1", "[::1]", "1:2:3"] {
            assert_eq!(split_host_port_text(whole), None, "{whole}");
        }
    }

    #[test]
    fn a_pasted_url_gives_its_host() {
        let name =
            |s: &str| parse_host_or_url(s).map(|h| (h.host.to_string(), h.dropped.is_some()));
        assert_eq!(name("localhost"), Ok(("localhost".into(), false)));
        assert_eq!(name("::1"), Ok(("::1".into(), false)));
        assert_eq!(
            name("https://www.google.com/"),
            Ok(("www.google.com".into(), true))
        );
        assert_eq!(name("ftp://user@[::1]:21/x#y"), Ok(("::1".into(), true)));
        assert_eq!(name("example.com:443"), Ok(("example.com".into(), true)));
        assert!(name("").is_err());
        assert!(name("https://").is_err());
        assert!(name("http://a..b/").unwrap_err().contains("empty label"));
    }

    #[test]
    fn refusals_say_why() {
        for (input, needle) in [
            ("", "empty"),
            ("wss://example.com", "HTTP and HTTPS only"),
            ("ftp://example.com", "ftp://"),
            ("http://user:pw@example.com/", "credentials"),
            ("example.com:0", "port 0"),
            ("example.com:65536", "out of range"),
            ("example.com:abc", "not a number"),
            ("example.com:", "empty"),
            ("a..b", "empty label"),
            (&"a".repeat(64), "63"),
            (&"a.".repeat(150), "253"),
            ("[::1", "does not close"),
            ("[::1]x", "unexpected"),
            ("[fe80::1%nosuchif0]:80", "no network interface"),
            ("http://h/a%zz", "percent-escape"),
            ("http://h/a%2", "percent-escape"),
            ("exa mple.com", "contains"),
            ("1:2:3", "IPv6"),
            ("-1", "starts or ends"),
            ("999.1.1.1", "four numbers"),
            ("1234", "four numbers"),
            ("a\nb", "\\n"),
            ("[a\nb", "\\n"),
            ("x\r\n://h", "\\r"),
            ("::1:8080", "[::1]:8080"),
            ("2001:db8::1:443", "[2001:db8::1]:443"),
            ("http:/127.0.0.1:1", "a slash is missing"),
            ("HTTPS:localhost", "two slashes"),
        ] {
            let err = parse_target(input).expect_err(input);
            assert!(err.contains(needle), "{input:?} -> {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }
}
