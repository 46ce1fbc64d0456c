//! The tutorial's steps, one module each, in teaching order.
//!
//! Every step has the same entry point, `run(args, say)`, and returns a
//! `SockError` instead of printing or exiting on failure.

pub mod connect;
pub mod http_get;
pub mod resolve;
pub mod udp_send;
pub mod udp_serve;

// Tools beside the tutorial's steps.
pub mod load;
