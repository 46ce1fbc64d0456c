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
