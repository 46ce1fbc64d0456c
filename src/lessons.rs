//! The lessons in docs/ are compiled as doctests, so their Rust cannot rot.
//!
//! Each lesson, in both languages, is included as the doc comment of an
//! empty type; rustdoc then builds (and, unless `no_run`, runs) every
//! ```` ```rust ```` block in it. Blocks marked `console`, `text` or `sh` are
//! not Rust and are checked by tests/docs.rs instead. Add a line per lesson.

#[doc = include_str!("../docs/01-resolve.md")]
pub struct ResolveLesson;

#[doc = include_str!("../docs/zh/01-resolve.md")]
pub struct ResolveLessonZh;

#[doc = include_str!("../docs/02-http-get.md")]
pub struct HttpGetLesson;

#[doc = include_str!("../docs/zh/02-http-get.md")]
pub struct HttpGetLessonZh;

#[doc = include_str!("../docs/02-https.md")]
pub struct HttpsLesson;

#[doc = include_str!("../docs/zh/02-https.md")]
pub struct HttpsLessonZh;

#[doc = include_str!("../docs/03-serve-once.md")]
pub struct ServeOnceLesson;

#[doc = include_str!("../docs/zh/03-serve-once.md")]
pub struct ServeOnceLessonZh;

#[doc = include_str!("../docs/04-serve-loop.md")]
pub struct ServeLoopLesson;

#[doc = include_str!("../docs/zh/04-serve-loop.md")]
pub struct ServeLoopLessonZh;

#[doc = include_str!("../docs/05-serve-threaded.md")]
pub struct ServeThreadedLesson;

#[doc = include_str!("../docs/zh/05-serve-threaded.md")]
pub struct ServeThreadedLessonZh;

#[doc = include_str!("../docs/06-connect.md")]
pub struct ConnectLesson;

#[doc = include_str!("../docs/zh/06-connect.md")]
pub struct ConnectLessonZh;

#[doc = include_str!("../docs/07-udp.md")]
pub struct UdpLesson;

#[doc = include_str!("../docs/zh/07-udp.md")]
pub struct UdpLessonZh;

#[doc = include_str!("../docs/08-serve-poll.md")]
pub struct ServePollLesson;

#[doc = include_str!("../docs/zh/08-serve-poll.md")]
pub struct ServePollLessonZh;

#[doc = include_str!("../docs/09-serve-chat.md")]
pub struct ServeChatLesson;

#[doc = include_str!("../docs/zh/09-serve-chat.md")]
pub struct ServeChatLessonZh;

#[doc = include_str!("../docs/10-udp-ping.md")]
pub struct UdpPingLesson;

#[doc = include_str!("../docs/zh/10-udp-ping.md")]
pub struct UdpPingLessonZh;
