//! The tutorial's steps, one module each, in teaching order.
//!
//! Every step has the same entry point, `run(args, say)`, and returns a
//! `SockError` instead of printing or exiting on failure.

pub mod http_get;
pub mod resolve;

// Tools beside the tutorial's steps.
pub mod load;
