//! Every parser that reads text from outside, fed arbitrary input.
//!
//! Besides "never panics", it checks the promises the rest of socktool relies
//! on: a parsed target can go into a request line and a Host header without
//! breaking them, and every refusal is one non-empty line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use socktool::cli::{parse_bind_host, parse_listen_port, parse_recv_size, parse_timeout};
use socktool::target::{
    follow_location, parse_host, parse_host_or_url, parse_port, parse_target,
    split_host_port_text,
};

fn one_line(result: Result<impl Sized, String>) {
    if let Err(msg) = result {
        assert!(!msg.is_empty());
        assert!(!msg.contains('\n') && !msg.contains('\r'), "{msg:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match parse_target(input) {
        Ok(t) => {
            assert!(t.path.starts_with('/'));
            assert!(!t.path.bytes().any(|b| b == b' ' || b.is_ascii_control() || b >= 0x80));
            let host = t.host_header();
            assert!(!host.bytes().any(|b| b == b' ' || b.is_ascii_control()), "{host:?}");
            assert_ne!(t.port, 0);
            // The same input as a redirect's Location, seen from there
            // (-L): the target it makes keeps the same promises.
            match follow_location(&t, input) {
                Ok(next) => {
                    assert!(next.path.starts_with('/'));
                    assert_ne!(next.port, 0);
                }
                Err(msg) => one_line(Err::<(), _>(msg)),
            }
        }
        Err(msg) => one_line(Err::<(), _>(msg)),
    }
    one_line(parse_host(input));
    one_line(parse_host_or_url(input));
    // The two halves of a split HOST:PORT are what the command line then
    // parses as HOST and PORT: together they never exceed the input.
    if let Some((host, port)) = split_host_port_text(input) {
        assert!(host.len() + port.len() < input.len());
    }
    one_line(parse_port(input));
    one_line(parse_bind_host(input));
    one_line(parse_listen_port(input));
    one_line(parse_recv_size(input));
    if let Ok(d) = parse_timeout(input) {
        assert!(!d.is_zero());
    } else {
        one_line(parse_timeout(input));
    }
});
