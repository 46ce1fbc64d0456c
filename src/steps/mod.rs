//! The tutorial's steps, one module each, in teaching order (the blank
//! lines keep rustfmt from sorting them alphabetically).
//!
//! Every step has the same entry point, `run(args, say)`, and returns a
//! `SockError` instead of printing or exiting on failure.

pub mod resolve;

pub mod http_get;

pub mod serve_once;

pub mod serve_loop;

pub mod serve_threaded;

// Beyond the tutorial: the client it borrows telnet for, and UDP.
pub mod connect;

pub mod udp_serve;

pub mod udp_send;

// Beyond the tutorial: the lesson after a thread per client.
pub mod serve_poll;

// Beyond the tutorial: the classroom's own programs.
pub mod serve_chat;

pub mod udp_ping;
