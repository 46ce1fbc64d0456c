//! The tutorial's steps, one module each, in teaching order.
//!
//! Every step has the same entry point, `run(args, say)`, and returns a
//! `SockError` instead of printing or exiting on failure.

pub mod http_get;
pub mod resolve;
pub mod serve_loop;
pub mod serve_once;
pub mod serve_threaded;
