//! # socktool lab
//! A whole conversation, both ends, run for real and drawn on one
//! timeline: the client's calls, the segments on the wire, the server's
//! calls, and what the kernel holds in between.
//!
//! ```text
//! unshare(CLONE_NEWUSER | CLONE_NEWNET), lo up    a network of its own (netns.rs)
//! socket(AF_PACKET) on lo                         every frame from now on (capture.rs)
//! the scenario: its ends' calls, recorded         (scenarios/, ends.rs)
//! wait for the wire to go quiet, stop the capture
//! ladder: calls from the recordings, arrows from the frames (wire.rs),
//!         [accept queue], [TIME_WAIT] from the kernel (kernel.rs)
//! ```
//!
//! Why: `--trace` shows one end's calls; Wireshark shows packets but no
//! calls, and needs capture rights; strace shows one process and no
//! packets. The lab owns both ends and a network nobody else uses, so it
//! can lay all three side by side, and a student sees that `connect`
//! returned after the SYN-ACK, that the server's `accept` came later still,
//! and which FIN left TIME_WAIT behind.
//!
//! Where no namespace can be made (unprivileged user namespaces switched
//! off, macOS, Windows), the scenario still runs, on the machine's own
//! loopback, and the ladder shows the calls with the arrows they imply
//! (as `socktool ladder` draws them); one line says why the wire is
//! missing and what would bring it.
//!
//! Try it:
//! ```text
//! socktool lab --list
//! socktool lab handshake
//! socktool lab backlog-full --pcap backlog.pcap     # then: wireshark backlog.pcap
//! socktool lab reset --svg reset.svg
//! ```

mod ends;
mod kernel;
mod scenarios;

#[cfg(target_os = "linux")]
mod capture;
#[cfg(target_os = "linux")]
mod netns;
#[cfg(target_os = "linux")]
mod wire;

use std::net::SocketAddr;

use crate::cli::LabArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::record::now_us;
use crate::tools::ladder::{self, Ladder, What};
use crate::tr;

use scenarios::ALL;

/// `socktool lab SCENARIO` and `socktool lab --list`.
pub fn run(args: &LabArgs, say: &Narrator) -> Result<(), SockError> {
    let name = match (&args.scenario, args.list) {
        (_, true) => return list(say),
        (Some(name), false) => name,
        (None, false) => {
            return Err(SockError::Usage(tr!(
                "lab-no-scenario",
                names = scenarios::names()
            )));
        }
    };
    let scenario = scenarios::find(name).ok_or_else(|| {
        SockError::Usage(tr!(
            "lab-unknown-scenario",
            name = format!("{name:?}"),
            names = scenarios::names()
        ))
    })?;

    // First, while this is still the only thread (see netns.rs).
    let private = if args.no_namespace {
        Err(tr!("lab-no-namespace-given"))
    } else {
        enter_namespace()
    };
    if let (Err(why), Some(_)) = (&private, &args.pcap) {
        return Err(SockError::NoCapture { why: why.clone() });
    }
    let wire = Wire::start(private.is_ok())?;

    say.note(format!("lab {}: {}", scenario.name, (scenario.lesson)()));
    let mut lab = ends::Lab::new(scenario.name)?;
    let outcome = (scenario.run)(&mut lab);
    let captured = wire.finish(outcome.is_ok())?;
    outcome?;

    let mut ladder = ladder::build(&lab.events()?);
    let states = states_rows(&mut ladder, lab.states());
    match &captured {
        Some(captured) => {
            let mut rows = captured.rows(&mut ladder);
            rows.extend(states);
            rows.extend(captured.time_waits(&mut ladder));
            ladder.with_wire(rows);
        }
        None => {
            let time_waits = time_waits_now(&ladder);
            ladder.add(states);
            ladder.add(time_waits);
        }
    }

    match (&private, &captured) {
        (Ok(how), Some(captured)) => {
            say.note(tr!("lab-ran-in", how = how, count = captured.count()))
        }
        (Err(why), _) => say.warn(tr!("lab-no-wire", why = why)),
        _ => {}
    }
    if let (Some(path), Some(captured)) = (&args.pcap, &captured) {
        captured.write_pcap(path)?;
        say.note(tr!(
            "lab-wrote-pcap",
            count = captured.count(),
            path = path.display().to_string()
        ));
    }
    ladder::show(&ladder, &args.drawing, say)
}

/// `--list`: one line a scenario, its name and its lesson.
fn list(say: &Narrator) -> Result<(), SockError> {
    let wide = ALL.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for s in ALL {
        out.push_str(&format!("{:<wide$}  {}\n", s.name, (s.lesson)()));
    }
    say.data(out.as_bytes())
}

/// A private network namespace, or why there is none: one line, with what
/// to do about it.
#[cfg(target_os = "linux")]
fn enter_namespace() -> Result<String, String> {
    netns::enter().map(netns::Made::describe)
}

#[cfg(not(target_os = "linux"))]
fn enter_namespace() -> Result<String, String> {
    Err(tr!("lab-not-linux", os = std::env::consts::OS))
}

/// The kernel state the scenario saw, as rows in the columns of the ends
/// it is about.
fn states_rows(ladder: &mut Ladder, states: &[(u64, SocketAddr, String)]) -> Vec<(u64, What)> {
    states
        .iter()
        .filter_map(|(t, addr, text)| {
            let col = ladder.column_at(&addr.to_string())?;
            Some((
                *t,
                What::State {
                    col,
                    text: text.clone(),
                },
            ))
        })
        .collect()
}

/// The scenario's sockets that are in TIME_WAIT now, each in the column
/// of the end it belongs to, seen now (without a capture there is no
/// FIN to date it by).
fn time_waits_now(ladder: &Ladder) -> Vec<(u64, What)> {
    let now = now_us();
    kernel::sockets()
        .into_iter()
        .filter(|s| s.state == kernel::TcpState::TimeWait)
        .filter_map(|s| time_wait_row(ladder, &s, now))
        .collect()
}

/// `[TIME_WAIT for 60 s]` in the column of the end whose socket it is,
/// when that end is one of the ladder's (outside a namespace of the lab's
/// own, other programs' sockets are in the same file) and its peer is too.
fn time_wait_row(ladder: &Ladder, s: &kernel::Socket, t: u64) -> Option<(u64, What)> {
    let col = ladder.column_at(&s.local.to_string())?;
    ladder.column_at(&s.remote.to_string())?;
    Some((
        t,
        What::State {
            col,
            text: "TIME_WAIT for 60 s".into(),
        },
    ))
}

/// The capture, where there is one.
struct Wire {
    #[cfg(target_os = "linux")]
    capture: Option<capture::Capture>,
}

/// What the capture saw.
struct Captured {
    #[cfg(target_os = "linux")]
    frames: Vec<capture::Frame>,
    #[cfg(target_os = "linux")]
    segments: Vec<wire::Segment>,
}

impl Wire {
    /// Starts capturing on the namespace's loopback, if the lab has one.
    fn start(private: bool) -> Result<Wire, SockError> {
        #[cfg(target_os = "linux")]
        {
            let capture = match private {
                true => Some(capture::Capture::start().map_err(|source| SockError::Call {
                    op: "socket(AF_PACKET)",
                    source,
                })?),
                false => None,
            };
            Ok(Wire { capture })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = private;
            Ok(Wire {})
        }
    }

    /// Once the conversation is over: waits for its last segments (every
    /// socket settled: listening, closed or in TIME_WAIT; no FIN or ACK
    /// still on its way), then stops the capture.
    fn finish(self, settle: bool) -> Result<Option<Captured>, SockError> {
        #[cfg(target_os = "linux")]
        {
            let Some(capture) = self.capture else {
                return Ok(None);
            };
            if settle {
                use kernel::TcpState::{Close, Listen, TimeWait};
                ends::wait_until(|| {
                    kernel::sockets()
                        .iter()
                        .all(|s| matches!(s.state, Listen | TimeWait | Close))
                });
            }
            let frames = capture.stop().map_err(|source| SockError::Call {
                op: "recvfrom(AF_PACKET)",
                source,
            })?;
            let segments = wire::segments(&frames);
            Ok(Some(Captured { frames, segments }))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = settle;
            Ok(None)
        }
    }
}

#[cfg(target_os = "linux")]
impl Captured {
    fn count(&self) -> usize {
        self.frames.len()
    }

    fn rows(&self, ladder: &mut Ladder) -> Vec<(u64, What)> {
        wire::rows(ladder, &self.segments)
    }

    /// TIME_WAIT, dated when the socket entered it: when the FIN that
    /// ended its conversation arrived.
    fn time_waits(&self, ladder: &mut Ladder) -> Vec<(u64, What)> {
        kernel::sockets()
            .into_iter()
            .filter(|s| s.state == kernel::TcpState::TimeWait)
            .filter_map(|s| {
                let t = wire::last_fin_to(&self.segments, s.local, s.remote)?;
                time_wait_row(ladder, &s, t)
            })
            .collect()
    }

    fn write_pcap(&self, path: &std::path::Path) -> Result<(), SockError> {
        capture::write_pcap(path, &self.frames).map_err(|source| SockError::WriteFile {
            path: path.to_path_buf(),
            source,
        })
    }
}

#[cfg(not(target_os = "linux"))]
impl Captured {
    fn count(&self) -> usize {
        0
    }

    fn rows(&self, _ladder: &mut Ladder) -> Vec<(u64, What)> {
        Vec::new()
    }

    fn time_waits(&self, _ladder: &mut Ladder) -> Vec<(u64, What)> {
        Vec::new()
    }

    fn write_pcap(&self, _path: &std::path::Path) -> Result<(), SockError> {
        Ok(())
    }
}
