//! Ending a server cleanly on Ctrl-C (SIGINT) or SIGTERM.
//!
//! A signal handler may do almost nothing safely, so it only sets a flag.
//! The server's loops check that flag between calls. A call that blocks
//! (`accept`, `recv`, `recvfrom`) would never see it, so servers give such
//! calls a short timeout ([`POLL`]) and check the flag each time it expires.
//! (A signal alone does not wake a blocked `accept`: Rust retries calls
//! interrupted by a signal.) serve-threaded's client threads are woken
//! another way, by `shutdown(SHUT_RD)` on their sockets, so that idle
//! clients cost no wake-ups at all (see `serving::Registry`).
//!
//! A second Ctrl-C while the first is still being handled ends the process
//! at once with exit code 130, so no server ever needs `kill -9`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM};

/// How often a blocked call wakes up to check for a shutdown request.
pub const POLL: Duration = Duration::from_millis(100);

/// Exit code of a second Ctrl-C: 128 + SIGINT, as shells report it.
const FORCED_EXIT: i32 = 130;

/// Set once SIGINT or SIGTERM has arrived. Clones share the flag.
#[derive(Debug, Clone)]
pub struct Shutdown {
    flag: Arc<AtomicBool>,
}

impl Shutdown {
    /// Installs the handlers for SIGINT and SIGTERM.
    pub fn install() -> io::Result<Shutdown> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [SIGINT, SIGTERM] {
            // Registered first, so it runs before the flag is set: when the
            // flag is already set (a second signal), exit at once.
            signal_hook::flag::register_conditional_shutdown(sig, FORCED_EXIT, Arc::clone(&flag))?;
            signal_hook::flag::register(sig, Arc::clone(&flag))?;
        }
        Ok(Shutdown { flag })
    }

    /// Whether a shutdown was requested.
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Asks for a shutdown from inside the program (e.g. `--max-clients`
    /// reached), so every loop ends the same way a signal ends it.
    pub fn request(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}
