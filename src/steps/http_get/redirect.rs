//! `-L`: following a redirect, one hop at a time.
//!
//! A server that wants us elsewhere answers `301 Moved Permanently` (or
//! 302, 303, 307, 308) with a `Location:` header, and an HTTP client that
//! follows it starts over: a new socket, a new connect, maybe a new host,
//! and for `http://` sent to `https://`, TLS. Every hop is narrated, and
//! `--max-redirs` bounds them, since two servers that send us to each
//! other would otherwise never end.
//!
//! A real client would also carry cookies to the next hop where allowed,
//! keep the connection when the host stays the same, and, for 307 and
//! 308, repeat a POST's body (socktool only ever GETs).

use std::net::SocketAddr;

use crate::cli::HttpGetArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::target::{self, Target};
use crate::tr;

/// A redirect that arrived with -L on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Who sent it.
    pub addr: SocketAddr,
    pub status: u16,
    /// The Location header, as sent.
    pub location: String,
}

/// The status codes that mean "ask again there" (RFC 9110, section
/// 15.4). 300 (a choice to make) and 304 (not modified) do not.
pub fn follows(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The next target, narrated, after `hops` redirects already followed.
pub fn follow(
    from: &Target,
    moved: Moved,
    hops: u32,
    args: &HttpGetArgs,
    say: &Narrator,
) -> Result<Target, SockError> {
    if hops >= args.max_redirs {
        return Err(SockError::TooManyRedirects {
            max: args.max_redirs,
            last: format!("{} ({} to {})", from.url(), moved.status, moved.location),
        });
    }
    let next =
        target::follow_location(from, &moved.location).map_err(|why| SockError::BadRedirect {
            addr: moved.addr,
            why: format!("Location: {}: {why}", target::shorten(&moved.location)),
        })?;
    say.note(tr!(
        "http-redirect",
        status = moved.status,
        to = next.url(),
        hop = hops + 1,
        max = args.max_redirs,
        upgrade = if next.tls && !from.tls { "yes" } else { "no" }
    ));
    Ok(next)
}
