//! Every frame on the namespace's loopback, as the kernel saw it pass,
//! with its time: what `tcpdump -i lo` would show, without tcpdump.
//!
//! ```text
//! socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))    every protocol, not only IP
//! bind(sockaddr_ll { ifindex of lo })               this interface only
//! thread: poll(socket, bell) -> recvfrom -> ioctl(SIOCGSTAMP) ... until the bell rings
//! ```
//!
//! A packet socket receives a copy of each frame an interface sends or
//! receives. On loopback every frame is both, so each shows up twice:
//! once going out (`PACKET_OUTGOING`) and once coming in (`PACKET_HOST`).
//! The lab keeps the incoming copy: that is the moment the segment reached
//! the other end's kernel. Its time is the kernel's own (`SIOCGSTAMP`, on
//! the wall clock every `--record` uses), not when this thread got round
//! to reading it, so a segment and the calls around it are laid out in the
//! order they really happened.
//!
//! These calls are the lab's instrument, not a lesson's, so they are here
//! rather than in `sockopt.rs`, and not traced. The socket is made before
//! the scenario starts, so the kernel queues every frame for it even
//! before the thread reads the first.

use std::fs::File;
use std::io::{self, BufWriter};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};

use super::netns::LOOPBACK;
use crate::tr;

/// One frame as captured.
#[derive(Debug, Clone)]
pub struct Frame {
    /// When it arrived, in microseconds since 1970.
    pub t_us: u64,
    /// The frame: an Ethernet header (all-zero addresses on loopback),
    /// then IP and TCP or UDP.
    pub data: Vec<u8>,
}

/// `<linux/if_packet.h>`: the copy of a frame this host sends. (Not in the
/// libc crate.)
const PACKET_OUTGOING: u8 = 4;
/// `<asm-generic/sockios.h>`: the time the last frame read arrived, as a
/// `struct timeval`. (Not in the libc crate for Linux.)
const SIOCGSTAMP: libc::c_ulong = 0x8906;
/// Loopback's MTU is 65,536 bytes; with the Ethernet header a frame fits.
const LARGEST_FRAME: usize = 65_536 + 14;
/// Bounds: a scenario sends dozens of segments; these only stop a runaway.
const MOST_FRAMES: usize = 100_000;
const LONGEST: Duration = Duration::from_secs(120);

/// A capture under way; [`Capture::stop`] ends it.
pub struct Capture {
    bell: UnixStream,
    reader: JoinHandle<io::Result<Vec<Frame>>>,
}

impl Capture {
    /// Opens the packet socket on loopback and starts reading it.
    pub fn start() -> io::Result<Capture> {
        let sock = packet_socket()?;
        let (bell, heard) = UnixStream::pair()?;
        let reader = thread::Builder::new()
            .name("capture".into())
            .spawn(move || read_frames(&sock, &heard))?;
        Ok(Capture { bell, reader })
    }

    /// Takes what is still queued, then stops: every frame the kernel
    /// handed over before this call is in the result.
    pub fn stop(self) -> io::Result<Vec<Frame>> {
        use std::io::Write;
        (&self.bell).write_all(b"x")?;
        self.reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other(tr!("lab-capture-panicked"))))
    }
}

/// `socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)` bound to loopback, non-blocking.
fn packet_socket() -> io::Result<OwnedFd> {
    let all = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: socket takes plain integers; a valid descriptor is owned below.
    let raw = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            libc::c_int::from(all),
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a descriptor we just opened and nobody else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // The kernel stamps frames with their time only while some socket
    // asks for it, and the first SIOCGSTAMP is what asks (it fails with
    // ENOENT: no frame yet). Asked now, the first SYN has its time too.
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: SIOCGSTAMP writes at most one timeval, to `tv`.
    let _ = unsafe { libc::ioctl(sock.as_raw_fd(), SIOCGSTAMP, &mut tv) };
    // SAFETY: the name is a valid C string.
    let index = unsafe { libc::if_nametoindex(LOOPBACK.as_ptr()) };
    if index == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: sockaddr_ll is plain old data; all zeroes is a valid value.
    let mut at: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    at.sll_family = libc::AF_PACKET as u16;
    at.sll_protocol = all;
    at.sll_ifindex = index as i32;
    // SAFETY: the pointer and length describe `at`, which outlives the call.
    let rc = unsafe {
        libc::bind(
            sock.as_raw_fd(),
            (&raw const at).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sock)
}

/// The capture thread: frames until the bell rings, then the rest.
fn read_frames(sock: &OwnedFd, bell: &UnixStream) -> io::Result<Vec<Frame>> {
    let mut frames = Vec::new();
    let mut buf = vec![0u8; LARGEST_FRAME];
    let deadline = Instant::now() + LONGEST;
    while frames.len() < MOST_FRAMES {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut fds = [
            libc::pollfd {
                fd: sock.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: bell.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd for the whole call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, left.as_millis() as libc::c_int) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let stopping = n == 0 || fds[1].revents != 0;
        // Whatever is queued now, stopping or not: the bell may ring while
        // the last segments still wait to be read.
        while frames.len() < MOST_FRAMES && Instant::now() < deadline {
            match read_one(sock, &mut buf)? {
                Some(Some(frame)) => frames.push(frame),
                Some(None) => {}
                None => break,
            }
        }
        if stopping {
            break;
        }
    }
    Ok(frames)
}

/// One `recvfrom`: a frame, `Some(None)` for an outgoing copy (skipped),
/// `None` when nothing is queued.
fn read_one(sock: &OwnedFd, buf: &mut [u8]) -> io::Result<Option<Option<Frame>>> {
    // SAFETY: sockaddr_ll is plain old data; all zeroes is a valid value.
    let mut from: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    // SAFETY: `buf` and `from` are valid for writes of the lengths passed,
    // and outlive the call.
    let n = unsafe {
        libc::recvfrom(
            sock.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
            (&raw mut from).cast(),
            &mut len,
        )
    };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::WouldBlock => Ok(None),
            io::ErrorKind::Interrupted => Ok(Some(None)),
            _ => Err(e),
        };
    }
    if from.sll_pkttype == PACKET_OUTGOING {
        return Ok(Some(None));
    }
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: SIOCGSTAMP writes one timeval to the pointer, which points at
    // `tv`.
    let t_us = if unsafe { libc::ioctl(sock.as_raw_fd(), SIOCGSTAMP, &mut tv) } == 0 {
        tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64
    } else {
        crate::record::now_us()
    };
    Ok(Some(Some(Frame {
        t_us,
        data: buf[..n as usize].to_vec(),
    })))
}

/// Writes `frames` as a classic pcap file (libpcap's format: what
/// Wireshark, tcpdump -r and tshark read), link type Ethernet,
/// microsecond times.
pub fn write_pcap(path: &Path, frames: &[Frame]) -> io::Result<()> {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        // Larger than any loopback frame (tcpdump's own default).
        snaplen: 262_144,
        ..PcapHeader::default()
    };
    let pcap = |e: pcap_file::PcapError| io::Error::other(e.to_string());
    let mut out =
        PcapWriter::with_header(BufWriter::new(File::create(path)?), header).map_err(pcap)?;
    for frame in frames {
        let packet = PcapPacket::new(
            Duration::from_micros(frame.t_us),
            frame.data.len() as u32,
            &frame.data,
        );
        out.write_packet(&packet).map_err(pcap)?;
    }
    use std::io::Write;
    out.into_writer().flush()
}
