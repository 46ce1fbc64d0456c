//! One load thread: a share of the clients and one epoll instance (a mio
//! `Poll`) watching all of their sockets.
//!
//! The loop is the C10K answer in miniature: start clients while few of them
//! wait for the server's first answer, ask the kernel which sockets can make
//! progress (`epoll_wait`, bounded by the deadline and by the Ctrl-C check),
//! and drive each of those as far as it can go without blocking. The thread
//! never sleeps on one socket, so a slow connection costs nothing while it
//! waits. Counters the main thread shows are added up here and handed over
//! once per poll round.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use super::client::{Client, Outcome, State, advance};
use super::ending::{GRACE, connect_failure, wrong_line};
use super::report::{Fail, Report};
use super::{Plan, Shared};
use crate::signals::Stop;
use crate::sockopt;

/// The longest a worker waits in epoll before it looks at the clock and
/// for Ctrl-C again.
const POLL: Duration = Duration::from_millis(100);

/// One thread: a share of the clients and an epoll instance watching them.
pub(super) struct Worker<'a> {
    plan: &'a Plan,
    shared: &'a Shared,
    stop: &'a Stop,
    poll: Poll,
    ids: Vec<u64>,
    /// Client `ids[k]` lives in `slots[k]` and is `Token(k)`; `None` before
    /// it starts and after it ends (dropping it closes the socket).
    slots: Vec<Option<Client>>,
    next: usize,
    /// Started clients the server has not answered yet.
    unanswered: usize,
    active: usize,
    buf: Vec<u8>,
    report: Report,
    /// Counts not yet added to `shared` (added once per poll round, so the
    /// threads do not fight over one cache line for every message).
    unflushed_trips: u64,
    unflushed_settled: i64,
    /// Clients in `MaybeTurnedAway`, oldest first, with the moment their
    /// GRACE ends: a wrong line the server did not close behind is judged
    /// a wrong reply then, not at the end of the run.
    undecided: VecDeque<(Instant, usize)>,
}

impl<'a> Worker<'a> {
    pub(super) fn new(
        ids: Vec<u64>,
        plan: &'a Plan,
        shared: &'a Shared,
        stop: &'a Stop,
    ) -> io::Result<Worker<'a>> {
        let slots = ids.iter().map(|_| None).collect();
        Ok(Worker {
            plan,
            shared,
            stop,
            poll: Poll::new()?,
            ids,
            slots,
            next: 0,
            unanswered: 0,
            active: 0,
            buf: vec![0; 64 * 1024],
            report: Report::new(),
            unflushed_trips: 0,
            unflushed_settled: 0,
            undecided: VecDeque::new(),
        })
    }

    pub(super) fn run(mut self) -> io::Result<Report> {
        let mut events = Events::with_capacity(1024);
        loop {
            // Start clients while fewer than --connect-batch wait for the
            // server's first answer. A connection the server has not
            // answered may still sit in its accept queue (listen's backlog);
            // a burst beyond that queue gets handshakes dropped, and a
            // client whose final ACK was dropped believes it is connected
            // while the server never sees it.
            while self.unanswered < self.plan.batch && self.next < self.ids.len() {
                self.start(self.next);
                self.next += 1;
            }
            self.flush();
            if self.active == 0 && self.next == self.ids.len() {
                break;
            }
            let now = Instant::now();
            if now >= self.plan.deadline || self.stop.requested() {
                break;
            }
            // Wake at least every POLL to notice Ctrl-C and the deadline,
            // and when the oldest undecided client's GRACE ends.
            let mut wait = (self.plan.deadline - now).min(POLL);
            if let Some(&(due, _)) = self.undecided.front() {
                wait = wait.min(due.saturating_duration_since(now));
            }
            match self.poll.poll(&mut events, Some(wait)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                self.drive(event.token().0);
            }
            self.judge_undecided();
        }
        self.finish();
        self.report.ended = self.plan.start.elapsed();
        Ok(self.report)
    }

    /// socket → [bind] → connect, without waiting for the handshake.
    fn start(&mut self, k: usize) {
        let id = self.ids[k];
        let plan = self.plan;
        let started = sockopt::start_connect(plan.addr, plan.source_for(id)).and_then(|std| {
            let mut stream = TcpStream::from_std(std);
            self.poll.registry().register(
                &mut stream,
                Token(k),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            Ok(stream)
        });
        match started {
            Ok(stream) => {
                self.slots[k] = Some(Client::new(id, stream, plan.size));
                self.unanswered += 1;
                self.active += 1;
            }
            Err(e) => {
                let (kind, story) = connect_failure(id, plan.addr, &e);
                self.report.fail(kind, story);
                self.unflushed_settled += 1;
            }
        }
    }

    /// Takes client `k` as far as it can go on what the kernel has ready.
    fn drive(&mut self, k: usize) {
        let Some(client) = self.slots.get_mut(k).and_then(Option::as_mut) else {
            // An event for a client already closed in this round.
            return;
        };
        let was_unanswered = !client.answered;
        let was_holding = client.state == State::Holding;
        let was_undecided = client.state == State::MaybeTurnedAway;
        let trips_before = self.report.round_trips;
        let result = advance(
            client,
            self.plan,
            &mut self.buf,
            &self.poll,
            Token(k),
            &mut self.report,
        );
        let now_answered = client.answered;
        let now_holding = client.state == State::Holding;
        let now_undecided = client.state == State::MaybeTurnedAway;
        self.unflushed_trips += self.report.round_trips - trips_before;
        match result {
            Ok(Outcome::Waiting) => {
                if was_unanswered && now_answered {
                    self.unanswered -= 1;
                }
                if now_holding && !was_holding {
                    self.settled_now();
                    self.shared.held.fetch_add(1, Ordering::Relaxed);
                }
                if now_undecided && !was_undecided {
                    self.undecided.push_back((Instant::now() + GRACE, k));
                }
            }
            Ok(Outcome::Finished) => {
                if was_unanswered {
                    self.unanswered -= 1;
                }
                self.slots[k] = None;
                self.active -= 1;
                self.report.completed += 1;
                self.settled_now();
            }
            Err((kind, story)) => self.fail(k, was_unanswered, was_holding, kind, story),
        }
    }

    /// Closes client `k`, which failed. `unanswered` and `holding` say what
    /// it still counted as before this failure.
    fn fail(&mut self, k: usize, unanswered: bool, holding: bool, kind: Fail, story: String) {
        self.slots[k] = None;
        self.active -= 1;
        if unanswered {
            self.unanswered -= 1;
        }
        if holding {
            // It had counted as settled already; now it is a failure.
            self.shared.held.fetch_sub(1, Ordering::Relaxed);
            self.unflushed_settled -= 1;
        }
        self.report.fail(kind, story);
        self.unflushed_settled += 1;
    }

    /// Undecided clients whose GRACE is over: the server kept the
    /// connection open behind their first line, so it was a wrong reply.
    fn judge_undecided(&mut self) {
        let now = Instant::now();
        while let Some(&(due, k)) = self.undecided.front() {
            if due > now {
                break;
            }
            self.undecided.pop_front();
            // A client that ended meanwhile (the close came) has no slot.
            let Some(c) = self.slots[k].as_mut() else {
                continue;
            };
            let unanswered = !c.answered;
            let (kind, story) = wrong_line(c);
            self.fail(k, unanswered, false, kind, story);
        }
    }

    fn settled_now(&mut self) {
        self.unflushed_settled += 1;
        self.report.last_served = self.plan.start.elapsed();
    }

    fn flush(&mut self) {
        if self.unflushed_trips > 0 {
            self.shared
                .round_trips
                .fetch_add(self.unflushed_trips, Ordering::Relaxed);
            self.unflushed_trips = 0;
        }
        if self.unflushed_settled != 0 {
            // A held client that failed takes back its settled count;
            // adding a negative number as u64 wraps to a subtraction.
            self.shared
                .settled
                .fetch_add(self.unflushed_settled as u64, Ordering::Relaxed);
            self.unflushed_settled = 0;
        }
    }

    /// The run is over: held clients succeeded, everyone else still under
    /// way did not finish. Dropping the clients closes their sockets.
    fn finish(&mut self) {
        let reason = if self.stop.requested() {
            "when Ctrl-C stopped the run".to_string()
        } else {
            format!(
                "when --duration {} ended",
                crate::error::secs(self.plan.duration)
            )
        };
        for slot in self.slots.iter_mut() {
            let Some(mut c) = slot.take() else { continue };
            if c.state == State::Holding {
                self.report.completed += 1;
                continue;
            }
            if c.state == State::MaybeTurnedAway {
                // Its line was wrong whatever would have followed.
                let (kind, story) = wrong_line(&mut c);
                self.report.fail(kind, story);
                continue;
            }
            let story = match c.state {
                State::Connecting => format!("client {}: still connecting {reason}", c.id),
                State::Welcome => format!(
                    "client {}: still waiting for the welcome line ({} bytes so far) {reason}",
                    c.id, c.got
                ),
                _ => format!(
                    "client {}: no complete reply to message {} of {} ({} of {} bytes) {reason}",
                    c.id,
                    c.done + 1,
                    self.plan.round_trips(),
                    c.got,
                    self.plan.prefix.len() + c.msg.len()
                ),
            };
            self.report.fail(Fail::Unfinished, story);
        }
        // Clients never started count as unfinished too.
        for &id in &self.ids[self.next..] {
            self.report.fail(
                Fail::Unfinished,
                format!("client {id}: never started {reason}"),
            );
        }
        self.next = self.ids.len();
        self.flush();
    }
}
