//! A network of the lab's own: a fresh network namespace, with nothing in
//! it but a loopback interface that the lab brings up itself.
//!
//! ```text
//! root:      unshare(CLONE_NEWNET)
//! otherwise: unshare(CLONE_NEWUSER | CLONE_NEWNET), then
//!            /proc/self/setgroups "deny", uid_map "UID UID 1", gid_map "GID GID 1"
//! both:      ioctl(SIOCGIFFLAGS, "lo"), ioctl(SIOCSIFFLAGS, "lo", flags | IFF_UP)
//! ```
//!
//! Why a namespace: capturing packets needs CAP_NET_RAW, and a student's
//! machine has other programs talking on its loopback. In a namespace of
//! its own the lab holds every capability over a network nobody else
//! uses, so every segment it captures is one of the scenario's, and no
//! port can be taken. A user namespace gives those capabilities without
//! root, where the kernel allows it (most distributions do; some switch
//! it off with `kernel.unprivileged_userns_clone=0` or AppArmor's
//! `kernel.apparmor_restrict_unprivileged_userns=1`). The ids are mapped to
//! themselves, so files the lab writes (`--pcap`, `--svg`) belong to the
//! user as usual.
//!
//! `unshare` moves only the calling thread, and with CLONE_NEWUSER it
//! refuses a process that has more than one. So the lab calls it first
//! thing, while `main`'s thread is still the only one (socktool starts
//! threads only later: a server's narration writers, Ctrl-C's handler);
//! every thread and child process it starts afterwards is born inside.
//!
//! A new namespace's loopback is down: nothing, not even 127.0.0.1,
//! answers until it is up. `ip link set lo up` would do it, but needs
//! iproute2; the two ioctls are what it calls underneath.

use crate::tr;
use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// What [`enter`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// As root: only a network namespace.
    Network,
    /// Without root: a user namespace, and a network namespace it owns.
    UserAndNetwork,
}

impl Made {
    pub fn describe(self) -> String {
        match self {
            Made::Network => tr!("lab-ns-root"),
            Made::UserAndNetwork => tr!("lab-ns-user"),
        }
    }
}

/// The loopback interface's name on Linux.
pub const LOOPBACK: &CStr = c"lo";

/// Moves this process into a network namespace of its own with its
/// loopback up. Must run before the process starts any thread. The error
/// is one line for the user: why, and what to do.
pub fn enter() -> Result<Made, String> {
    // SAFETY: these calls only read the process's credentials.
    let (euid, uid, gid) = unsafe { (libc::geteuid(), libc::getuid(), libc::getgid()) };
    let made = if euid == 0 && unshare(libc::CLONE_NEWNET).is_ok() {
        Made::Network
    } else {
        unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET).map_err(|e| cannot(&e))?;
        map_ids(uid, gid).map_err(|e| tr!("lab-ns-map", error = e.to_string()))?;
        Made::UserAndNetwork
    };
    loopback_up().map_err(|e| tr!("lab-ns-lo", error = e.to_string()))?;
    Ok(made)
}

fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes flags only; on success this thread (the only
    // one) now lives in the new namespaces.
    if unsafe { libc::unshare(flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Why the namespaces could not be made, and what to do about it.
fn cannot(e: &io::Error) -> String {
    let errno = crate::narrate::describe_errno(e);
    match e.raw_os_error() {
        Some(libc::EINVAL) => tr!("lab-ns-threads", errno = errno),
        Some(libc::ENOSPC) => tr!("lab-ns-no-more", errno = errno),
        _ => tr!("lab-ns-refused", errno = errno),
    }
}

/// Inside a new user namespace every id is unmapped (it shows as 65534,
/// "nobody") until the maps are written; an unprivileged process may map
/// exactly its own ids, and must give up setgroups before the gid map.
fn map_ids(uid: libc::uid_t, gid: libc::gid_t) -> io::Result<()> {
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
}

/// `ip link set lo up`, as its two ioctls: read the interface's flags, set
/// them again with IFF_UP.
fn loopback_up() -> io::Result<()> {
    // Any socket will do: the ioctls are about the interface, not it.
    // SAFETY: socket takes plain integers; a valid descriptor is owned below.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a descriptor we just opened and nobody else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: ifreq is plain old data; all zeroes is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (to, from) in req.ifr_name.iter_mut().zip(LOOPBACK.to_bytes()) {
        *to = *from as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS reads the flags of the interface named in `req`
    // into `req`, which outlives the call.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the union's flags member is the one SIOCGIFFLAGS filled.
    unsafe { req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    // SAFETY: SIOCSIFFLAGS reads `req`, which outlives the call.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
