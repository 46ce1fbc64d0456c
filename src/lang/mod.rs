//! The language socktool speaks: English, or the student's own.
//!
//! Every sentence the tool says of its own (a note, a warning, a hint, an
//! error, a summary) is a message in a resource file, `locales/TAG.ftl`,
//! written in [Project Fluent](https://projectfluent.org)'s syntax and
//! looked up by id with [`tr!`](crate::tr):
//!
//! ```text
//! tr!("served-clients", count = 3)    en.ftl:    served-clients = { $count -> [one] 1 client *[other] { $count } clients }
//!                                      zh-CN.ftl: served-clients = { $count } 个客户端
//! ```
//!
//! Why Fluent and not `match lang` in the code: a translator works on one
//! file and never reads Rust; plural rules are the language's (English
//! has `one` and `other`, Chinese only `other`), chosen by the library from
//! CLDR; and a third language is one new file in `locales/` (`build.rs`
//! finds it, `--lang` and the locale accept it at once).
//!
//! What is deliberately *not* here: the tutorial's own lines (`Socket
//! created`, `Socket now listening on ADDR`, `Connected with IP:PORT`, the
//! welcome line, `OK...`), which students compare word for word with the
//! Chinese tutorial, which prints them in English; socket call names and
//! errno names in `--trace` lines; and exit codes. Those are the same in
//! every language.
//!
//! The language is chosen once, before the command line is parsed (so
//! that `--help` and usage errors speak it too), the way command-line
//! tools choose it: `--lang` if given, else the first of `LC_ALL`,
//! `LC_MESSAGES`, `LANG` that is set (POSIX's order), else, on Windows,
//! where those are rarely set, the user's locale from
//! `GetUserDefaultLocaleName`. `zh_CN.UTF-8`, `zh_TW` and `zh` all pick
//! Chinese; `C`, `POSIX`, `C.UTF-8` and anything socktool does not speak
//! pick English. Like colour, it is one setting for the whole process.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

// `LOCALES`: (tag, the file's text) for every `locales/*.ftl`, English first.
include!(concat!(env!("OUT_DIR"), "/locales.rs"));

pub mod help;

/// One language: its tag (`zh-CN`, the file's name) and its messages.
pub struct Language {
    pub tag: &'static str,
    id: LanguageIdentifier,
    bundle: FluentBundle<FluentResource>,
}

impl Language {
    /// `zh` for `zh-CN`: what `--lang` and a locale are matched by.
    pub fn code(&self) -> &str {
        self.id.language.as_str()
    }

    /// Whether this is English, the language the source is written in.
    pub fn is_english(&self) -> bool {
        self.code() == "en"
    }

    /// The message `id` with `args`, or `None` if this language lacks it.
    fn format(&self, id: &str, args: &FluentArgs) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        // Errors (a missing variable) still yield text with the gap
        // marked; the completeness test keeps them out of the files.
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, Some(args), &mut errors);
        Some(text.into_owned())
    }

    /// Whether this language has a message `id` (for `--help`, which falls
    /// back to clap's own text).
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

/// Every language socktool speaks, English first.
pub fn languages() -> &'static [Language] {
    static ALL: OnceLock<Vec<Language>> = OnceLock::new();
    ALL.get_or_init(|| {
        LOCALES
            .iter()
            .map(|&(tag, text)| {
                let id: LanguageIdentifier = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
                // No Unicode isolation marks around arguments: a terminal
                // shows them as stray characters, and tests compare bytes.
                bundle.set_use_isolating(false);
                // A file that does not parse still loads what it can; the
                // unit tests below refuse one that does not parse whole.
                let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(resource);
                Language { tag, id, bundle }
            })
            .collect()
    })
}

fn english() -> &'static Language {
    &languages()[0]
}

static CHOSEN: OnceLock<&'static Language> = OnceLock::new();

/// Settles the language for the whole process; the first call wins.
pub fn set(lang: &'static Language) {
    let _ = CHOSEN.set(lang);
}

/// The language chosen, English if none was (unit tests, examples).
pub fn current() -> &'static Language {
    CHOSEN.get().copied().unwrap_or_else(english)
}

/// The language a locale name or `--lang` value asks for, if socktool
/// speaks it: `zh_CN.UTF-8`, `zh-TW`, `zh`, `en_US`, `zh-CN`. The exact
/// tag wins (a `zh-TW.ftl` would take `zh_TW`), then the language alone.
pub fn find(name: &str) -> Option<&'static Language> {
    // `zh_CN.UTF-8@pinyin` → `zh-CN`: drop the encoding and modifier, and
    // spell the region the way language tags do.
    let bare = name
        .split(['.', '@'])
        .next()
        .unwrap_or("")
        .replace('_', "-");
    let id: LanguageIdentifier = bare.parse().ok()?;
    let all = languages();
    all.iter().find(|l| l.id == id).or_else(|| {
        all.iter()
            .find(|l| l.id.language == id.language && !id.language.is_empty())
    })
}

/// The language the environment asks for: the first of `LC_ALL`,
/// `LC_MESSAGES`, `LANG` that is set and not empty decides, as for every
/// POSIX program; `C`, `POSIX` and unknown languages mean English. `get`
/// reads a variable (the real environment, or a test's).
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> &'static Language {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()));
    match locale {
        Some(name) => find(&name).unwrap_or_else(english),
        None => system_locale()
            .and_then(|name| find(&name))
            .unwrap_or_else(english),
    }
}

/// Picks the language before clap parses the command line, so that its
/// help and its errors are in that language: `--lang X` or `--lang=X`
/// anywhere in `argv` if X is one socktool speaks (a bad one is left for
/// clap to refuse), else the environment.
pub fn choose(argv: &[std::ffi::OsString]) -> &'static Language {
    let words: Vec<&str> = argv.iter().filter_map(|a| a.to_str()).collect();
    let flag = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.strip_prefix("--lang") {
            Some("") => words.get(i + 1).copied(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        });
    flag.and_then(find)
        .unwrap_or_else(|| from_env(|k| std::env::var(k).ok()))
}

/// clap's value parser for `--lang`: a language socktool speaks.
pub fn parse_flag(text: &str) -> Result<String, String> {
    match find(text) {
        Some(lang) if !text.contains(['.', '@']) => Ok(lang.tag.to_string()),
        _ => Err(crate::tr!("lang-unknown", known = spoken())),
    }
}

/// `en, zh`: the `--lang` values, for its help and its error.
pub fn spoken() -> String {
    let codes: Vec<&str> = languages().iter().map(Language::code).collect();
    codes.join(", ")
}

/// The user's locale where the environment has none: Windows keeps it in
/// the user's settings, not in `LANG`.
#[cfg(windows)]
fn system_locale() -> Option<String> {
    use windows_sys::Win32::Globalization::GetUserDefaultLocaleName;
    // LOCALE_NAME_MAX_LENGTH is 85 UTF-16 units, the terminator included.
    let mut buf = [0u16; 85];
    // SAFETY: the buffer is valid for the length we pass; the call writes
    // at most that many units and returns how many it wrote (0 on failure).
    let n = unsafe { GetUserDefaultLocaleName(buf.as_mut_ptr(), buf.len() as i32) };
    let n = usize::try_from(n).ok()?.checked_sub(1)?;
    String::from_utf16(&buf[..n]).ok()
}

/// On Unix the environment is the locale: a terminal without `LANG` is
/// the C locale, which is English.
#[cfg(not(windows))]
fn system_locale() -> Option<String> {
    None
}

/// A message argument: a number (which plural rules can select on) or
/// text. Implemented for what messages are given, so `tr!` takes them as
/// they are.
pub trait ToArg {
    fn to_arg(&self) -> FluentValue<'static>;
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}
numbers!(u8, u16, u32, u64, usize, i32, i64);

macro_rules! texts {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> FluentValue<'static> {
                FluentValue::from(self.to_string())
            }
        }
    )*};
}
texts!(str, String, SocketAddr, IpAddr, char);

impl ToArg for Cow<'_, str> {
    fn to_arg(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> FluentValue<'static> {
        (**self).to_arg()
    }
}

/// The message `id` in the chosen language, with `args`; English if that
/// language lacks it (the tests make sure none does); the id itself if no
/// language has it (a test makes sure every `tr!` names one that exists).
pub fn text(id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let mut fluent = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    current()
        .format(id, &fluent)
        .or_else(|| english().format(id, &fluent))
        .unwrap_or_else(|| id.to_string())
}

/// `tr!("id")`, `tr!("id", name = value, ...)`: the message `id` in the
/// chosen language, as a `String`. Each `name` is a `$name` in the message.
#[macro_export]
macro_rules! tr {
    ($id:literal) => {
        $crate::lang::text($id, &[])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::lang::text(
            $id,
            &[$((
                stringify!($name),
                $crate::lang::ToArg::to_arg(&$value),
            )),+],
        )
    };
}

#[cfg(test)]
mod tests;
