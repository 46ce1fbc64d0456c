//! The command line: clap types only, no I/O.
//!
//! Every argument is parsed into a real type here (`Host`, `Target`,
//! `Duration`, ports as `u16`), so a bad value is a usage error with exit
//! code 2 before any step creates a socket. Each field's `///` comment is its
//! `--help` text, written for students: it says what the kernel does with it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_CODES_HELP;
use crate::target::{self, Host, HostArg, Target, shorten};
use crate::tr;

/// socktool: learn TCP and UDP sockets by running each step of a classic
/// socket tutorial on real sockets, narrated as it happens.
///
/// Narration (the tutorial's own lines) goes to stderr; data goes to stdout,
/// so `socktool http-get example.com > page.html` saves only the reply.
#[derive(Debug, Parser)]
#[command(name = "socktool", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Colour the narration and errors: auto = only when stderr is a
    /// terminal and NO_COLOR is not set (CLICOLOR_FORCE=1 forces it)
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,

    /// The language of notes, hints and errors: en or zh (default: from
    /// LC_ALL, LC_MESSAGES or LANG). The tutorial's own lines, socket calls
    /// and errno names stay as the tutorial prints them
    #[arg(long, global = true, value_name = "LANG", value_parser = crate::lang::parse_flag, help_heading = "Output")]
    pub lang: Option<String>,

    /// `-q`, `--trace` and `--hex` typed before the step's name. Hidden:
    /// each step's `--help` offers the ones that mean something for it.
    #[command(flatten)]
    pub before: BeforeStep,

    #[command(subcommand)]
    pub command: Command,
}

/// How much socktool says, settled from the options of one run: what
/// [`Narrator::new`](crate::narrate::Narrator::new) is built from.
#[derive(Debug, Clone)]
pub struct OutputOpts {
    pub quiet: bool,
    pub trace: bool,
    pub hex: bool,
    pub color: ColorChoice,
    /// `--record FILE`: where every call also goes, as JSON lines.
    pub record: Option<PathBuf>,
    /// The step's name (`serve-once`), as the recording names it.
    pub step: &'static str,
}

/// The narration options, each offered only by the steps where it does
/// something: `--hex` where bytes are sent or received, `--trace` where a
/// socket or resolver call is made, `-q` where there is narration to hide.
/// Accepted before the step's name too (`socktool --trace resolve ...`);
/// a step that has no use for one says so instead of ignoring it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Levels {
    pub quiet: bool,
    pub trace: bool,
    pub hex: bool,
}

/// A step's own options plus the narration options it offers (`N`: one of
/// [`Narration`], [`QuietTrace`], [`Quiet`]), so every step is shown with
/// exactly the options that mean something for it.
#[derive(Debug, Args)]
pub struct Step<A: Args, N: Args + Narrated> {
    #[command(flatten)]
    pub args: A,

    #[command(flatten)]
    pub narration: N,
}

/// The narration options a step offers, and which of them were given.
pub trait Narrated {
    /// Which of -q, --trace, --hex this step has.
    const OFFERS: Levels;
    /// Which were given after the step's name.
    fn given(&self) -> Levels;
    /// `--record FILE`, on the steps that make socket calls.
    fn record(&self) -> Option<&Path> {
        None
    }
}

/// `-q`, `--trace`, `--hex`: for steps that send and receive bytes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct Narration {
    /// Data only: no narration on stderr (a server still prints its
    /// "Socket now listening on" line, which scripts wait for, and errors)
    #[arg(short, long, conflicts_with_all = ["trace", "hex"])]
    pub quiet: bool,

    /// Also print every socket call as it happens: its arguments and result,
    /// errors with their errno name (ECONNREFUSED, EAGAIN, ...)
    #[arg(long)]
    pub trace: bool,

    /// Show every chunk sent and received as a hex dump with its direction
    /// and size: see the \r\n that telnet sends and where recv boundaries fall
    #[arg(long)]
    pub hex: bool,

    /// Also write every call --trace shows to FILE, one JSON object a line,
    /// with the time on the clock all processes share: `socktool ladder`
    /// draws a server's and its clients' recordings as one conversation
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl Narrated for Narration {
    const OFFERS: Levels = Levels {
        quiet: true,
        trace: true,
        hex: true,
    };
    fn given(&self) -> Levels {
        Levels {
            quiet: self.quiet,
            trace: self.trace,
            hex: self.hex,
        }
    }
    fn record(&self) -> Option<&Path> {
        self.record.as_deref()
    }
}

/// `-q` and `--trace`: for `resolve`, which asks the resolver but sends no
/// bytes of its own (so there is nothing to hex-dump).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct QuietTrace {
    /// Results only: no notes on stderr
    #[arg(short, long, conflicts_with = "trace")]
    pub quiet: bool,

    /// Also print the resolver call (getaddrinfo or getnameinfo) with its
    /// arguments and result
    #[arg(long)]
    pub trace: bool,

    /// Also write every call --trace shows to FILE, one JSON object a line,
    /// with the time on the clock all processes share: `socktool ladder`
    /// draws a server's and its clients' recordings as one conversation
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl Narrated for QuietTrace {
    const OFFERS: Levels = Levels {
        quiet: true,
        trace: true,
        hex: false,
    };
    fn given(&self) -> Levels {
        Levels {
            quiet: self.quiet,
            trace: self.trace,
            hex: false,
        }
    }
    fn record(&self) -> Option<&Path> {
        self.record.as_deref()
    }
}

/// `-q` alone: for `load`, whose thousands of clients are summed up, not
/// traced one call at a time.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct Quiet {
    /// Only the result line on stdout (and errors): no progress, notes or
    /// summary on stderr
    #[arg(short, long)]
    pub quiet: bool,
}

impl Narrated for Quiet {
    const OFFERS: Levels = Levels {
        quiet: true,
        trace: false,
        hex: false,
    };
    fn given(&self) -> Levels {
        Levels {
            quiet: self.quiet,
            ..Levels::default()
        }
    }
}

/// `socktool -q STEP`, `socktool --trace STEP`: the narration options in
/// front of the step's name, as they were accepted before each step had its
/// own. Not shown in `--help`.
#[derive(Debug, Clone, Args)]
pub struct BeforeStep {
    #[arg(short, long, hide = true, conflicts_with_all = ["trace", "hex"])]
    pub quiet: bool,

    #[arg(long, hide = true)]
    pub trace: bool,

    #[arg(long, hide = true)]
    pub hex: bool,
}

impl Cli {
    /// The narration settings for this run: the options given before and
    /// after the step's name together. One given before a step that has no
    /// use for it (`socktool --hex resolve`) is a usage error, as it would
    /// be after the name.
    pub fn output(&self) -> Result<OutputOpts, clap::Error> {
        let (name, offers, after, record) = self.command.narration();
        let before = Levels {
            quiet: self.before.quiet,
            trace: self.before.trace,
            hex: self.before.hex,
        };
        for (flag, given, offered) in [
            ("--quiet", before.quiet, offers.quiet),
            ("--trace", before.trace, offers.trace),
            ("--hex", before.hex, offers.hex),
        ] {
            if given && !offered {
                return Err(useless_option(name, flag));
            }
        }
        let quiet = before.quiet || after.quiet;
        let trace = before.trace || after.trace;
        let hex = before.hex || after.hex;
        if quiet && (trace || hex) {
            let other = if trace { "--trace" } else { "--hex" };
            return Err(step_error(
                name,
                ErrorKind::ArgumentConflict,
                tr!("quiet-conflict", other = other),
            ));
        }
        Ok(OutputOpts {
            quiet,
            trace,
            hex,
            color: self.color,
            record: record.map(Path::to_path_buf),
            step: name,
        })
    }
}

/// Parses the command line as clap does, and settles the narration. Two
/// mistakes students make get a pointer clap alone cannot give: a server's
/// port typed as a bare number (`serve-threaded 9999`, which clap calls an
/// unexpected argument) and a narration option on a step it means nothing
/// for (`resolve --hex`).
pub fn parse_from<I, T>(argv: I) -> Result<(Cli, OutputOpts), clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let argv: Vec<std::ffi::OsString> = argv.into_iter().map(Into::into).collect();
    let cli = match try_parse(&argv) {
        Ok(cli) => cli,
        Err(e) => match split_host_port(&e, &argv) {
            Some(split) => try_parse(&split).map_err(|e| explain(e, &split))?,
            None => return Err(explain(e, &argv)),
        },
    };
    let output = cli.output()?;
    Ok((cli, output))
}

/// clap's `Cli::try_parse_from`, with the help texts in the chosen
/// language (`lang/help.rs`).
fn try_parse(argv: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
    let mut cmd = command();
    let mut matches = cmd.try_get_matches_from_mut(argv)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
}

/// The command line's definition, its help in the chosen language.
pub fn command() -> clap::Command {
    crate::lang::help::localize(Cli::command())
}

/// `connect localhost:8888` where `connect HOST PORT` is expected: when
/// clap refuses a HOST that is HOST:PORT and the step takes a PORT next,
/// the command line is read again as if a space stood for the colon
/// (`connect localhost 8888`), so every check on both still applies.
fn split_host_port(
    error: &clap::Error,
    argv: &[std::ffi::OsString],
) -> Option<Vec<std::ffi::OsString>> {
    if error.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let Some(ContextValue::String(value)) = error.get(ContextKind::InvalidValue) else {
        return None;
    };
    let (host, port) = target::split_host_port_text(value)?;
    let mut cli = command();
    cli.build();
    let takes_port_next = argv
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|a| cli.find_subcommand(a))
        .is_some_and(|step| {
            let positionals: Vec<&str> = step
                .get_positionals()
                .map(|a| a.get_id().as_str())
                .collect();
            positionals.windows(2).any(|w| w == ["host", "port"])
        });
    if arg != "<HOST>" || !takes_port_next {
        return None;
    }
    let at = argv
        .iter()
        .position(|a| a.to_str() == Some(value.as_str()))?;
    let mut split = argv.to_vec();
    split.splice(at..=at, [host.into(), port.into()]);
    Some(split)
}

/// clap's error, or a clearer one for the two mistakes above.
fn explain(mut error: clap::Error, argv: &[std::ffi::OsString]) -> clap::Error {
    if error.kind() != ErrorKind::UnknownArgument {
        return error;
    }
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg).cloned() else {
        return error;
    };
    let mut cli = command();
    cli.build();
    // The step is the first word that names one: options before it
    // (`--color never`) take values that never do.
    let Some(step) = argv
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|a| cli.find_subcommand(a))
    else {
        return error;
    };
    let flag = match arg.as_str() {
        "-q" | "--quiet" => Some("--quiet"),
        "--trace" => Some("--trace"),
        "--hex" => Some("--hex"),
        _ => None,
    };
    if let Some(flag) = flag {
        return useless_option(step.get_name(), flag);
    }
    let has_port_option = step.get_arguments().any(|a| a.get_long() == Some("port"));
    if has_port_option && arg.parse::<u16>().is_ok() {
        error.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![
                tr!(
                    "port-is-an-option",
                    step = step.get_name(),
                    port = arg.as_str()
                )
                .into(),
            ]),
        );
    }
    error
}

/// `--hex does nothing for socktool resolve: ...`, with the step's usage.
fn useless_option(step: &str, flag: &str) -> clap::Error {
    let why = match (flag, step) {
        (_, "load") => tr!("useless-load"),
        ("--hex", _) => tr!("useless-hex", step = step),
        ("--trace", _) => tr!("useless-trace", step = step),
        _ => tr!("useless-quiet", step = step),
    };
    step_error(
        step,
        ErrorKind::UnknownArgument,
        tr!("useless-option", flag = flag, step = step, why = why),
    )
}

/// A usage error in clap's own format (`error: ...`, the step's usage line,
/// exit 2), for what clap cannot check by itself.
fn step_error(step: &str, kind: ErrorKind, message: String) -> clap::Error {
    let mut cli = command();
    cli.build();
    match cli.find_subcommand_mut(step) {
        Some(sub) => sub.error(kind, message),
        None => cli.error(kind, message),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The subcommands, in the tutorial's order.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Step 2: turn a host name into an IP address (gethostbyname,
    /// getaddrinfo), or an address into a name (getnameinfo)
    #[command(
        after_help = "Socket calls: getaddrinfo (or getnameinfo for an address)\n\
                            Example: socktool resolve localhost --all"
    )]
    Resolve(Step<ResolveArgs, QuietTrace>),

    /// Step 3: connect to a web server, send an HTTP GET request, print the
    /// reply (socket, connect, sendall, recv, close); https:// does it
    /// inside TLS, on the same socket
    #[command(
        after_help = "Socket calls: socket, getaddrinfo, connect, sendall, recv ... recv -> 0, close \
                            (https://: the TLS handshake first, as sendall and recv of records)\n\
                            Example: socktool http-get http://localhost:8000/ > page.html\n\
                            Example: socktool http-get https://localhost:8443/ --cacert ca.pem"
    )]
    HttpGet(Step<HttpGetArgs, Narration>),

    /// Step 4: be a server: accept one client, receive once, send the same
    /// bytes back, close, exit
    #[command(
        after_help = "Socket calls: socket, setsockopt, bind, listen, accept, recv, sendall, close\n\
                            Example: socktool serve-once --port 8888   (then: telnet localhost 8888)"
    )]
    ServeOnce(Step<ServeOnceArgs, Narration>),

    /// Step 5: serve clients one after another: each gets one recv and an
    /// "OK..." reply, while the others wait in the listen backlog
    #[command(
        after_help = "Socket calls: socket, setsockopt, bind, listen, then per client: accept, recv, sendall, close\n\
                            Example: socktool serve-loop --port 5000 --max-clients 3"
    )]
    ServeLoop(Step<ServeLoopArgs, Narration>),

    /// Step 6: a thread per client: each is welcomed, then every line it
    /// sends is answered with "OK..." plus the line, until it leaves
    #[command(
        after_help = "Socket calls: socket, setsockopt, bind, listen, accept ... accept; per client thread: sendall, recv, sendall ... recv -> 0, close\n\
                            Example: socktool serve-threaded --port 8888   (then, in other terminals: telnet localhost 8888)"
    )]
    ServeThreaded(Step<ServeThreadedArgs, Narration>),

    /// Beyond the tutorial: talk to any TCP server, like telnet or nc. What
    /// you type is sent, what the server sends is printed as it arrives
    #[command(
        after_help = "Socket calls: socket, getaddrinfo, connect, then both at once: stdin -> sendall ... shutdown(SHUT_WR) and recv -> stdout ... recv -> 0, close \
                            (--tls: the TLS handshake first, then records both ways)\n\
                            Example: socktool connect localhost 8888 --crlf   (in a pipe: printf 'hi\\n' | socktool connect localhost 8888)\n\
                            Example: socktool connect localhost 8443 --tls --cacert ca.pem   (like openssl s_client, narrated)"
    )]
    Connect(Step<ConnectArgs, Narration>),

    /// Beyond the tutorial: a UDP server. No listen, no accept: recvfrom
    /// returns each datagram with its sender, sendto answers 'OK...' + data
    #[command(
        after_help = "Socket calls: socket(SOCK_DGRAM), bind, then recvfrom -> sendto for every datagram, close\n\
                            Example: socktool udp-serve --port 8888"
    )]
    UdpServe(Step<UdpServeArgs, Narration>),

    /// Beyond the tutorial: send one UDP datagram and print the one reply
    #[command(
        after_help = "Socket calls: socket(SOCK_DGRAM), getaddrinfo, connect (sends nothing), sendto, recvfrom, close\n\
                            Example: socktool udp-send localhost 8888 hello"
    )]
    UdpSend(Step<UdpSendArgs, Narration>),

    /// Beyond the tutorial: Kurose and Ross's UDP pinger: numbered pings,
    /// each reply's round-trip time or a timeout, then ping's summary
    #[command(
        after_help = "Socket calls: socket(SOCK_DGRAM), getaddrinfo, connect (sends nothing), then per ping: sendto, poll, recvfrom, close\n\
                            Example: socktool udp-ping localhost 8888 --count 20   (against: socktool udp-serve --loss 30 --delay 10-50)"
    )]
    UdpPing(Step<UdpPingArgs, Narration>),

    /// Beyond the tutorial: one thread serves every client, asking the
    /// kernel (epoll) which sockets are ready; same protocol as serve-threaded
    #[command(
        after_help = "Socket calls: socket, setsockopt, bind, listen, fcntl(O_NONBLOCK), epoll_create, epoll_ctl, \
                            then epoll_wait -> for each ready socket: accept ... EAGAIN, or recv ... EAGAIN and send (the rest kept until writable), close\n\
                            Example: socktool serve-poll --port 8888 --trace   (then, in other terminals: telnet localhost 8888)"
    )]
    ServePoll(Step<ServePollArgs, Narration>),

    /// Draw the recordings of a conversation's ends (--record FILE) as one
    /// ladder: a column per end, its calls, an arrow for the bytes and the
    /// FINs between them (not a tutorial step)
    #[command(
        after_help = "Socket calls: none (this reads the files --record wrote)\n\
                            Example: socktool serve-once --port 8888 --record server.jsonl &\n\
                            \x20        echo hello | socktool connect localhost 8888 --record client.jsonl\n\
                            \x20        socktool ladder server.jsonl client.jsonl"
    )]
    Ladder(LadderArgs),

    /// Beyond the tutorial: a chat room on serve-poll's loop. Every line a
    /// client sends goes to every other client, with its sender's name
    #[command(
        after_help = "Socket calls: as serve-poll (epoll_wait, accept ... EAGAIN, recv ... EAGAIN), \
                            then per line: send to every other client (the rest kept until writable), close\n\
                            Example: socktool serve-chat --host 0.0.0.0   (then, on each student's machine: telnet TEACHER 8888)"
    )]
    ServeChat(Step<ServeChatArgs, Narration>),

    /// Run a whole conversation, both ends, in a private network, and draw
    /// it: the client's calls, every segment on the wire (SYN, ACK, FIN,
    /// RST...), the server's calls and the kernel's state, on one timeline
    /// (not a tutorial step)
    #[command(
        after_help = "Socket calls: each scenario's ends make theirs (serve-once, connect and udp-send run as \
                            child processes; the lab plays the other ends); the lab itself: unshare, \
                            ioctl(SIOCSIFFLAGS, lo up), socket(AF_PACKET) to capture\n\
                            Needs: Linux, and root or unprivileged user namespaces, for the wire; elsewhere the \
                            calls are drawn without it, and one line says why\n\
                            Example: socktool lab --list\n\
                            \x20        socktool lab handshake\n\
                            \x20        socktool lab backlog-full --pcap backlog.pcap"
    )]
    Lab(LabArgs),

    /// Print a shell completion script for socktool (not a tutorial step)
    #[command(after_help = "Socket calls: none (this prints a completion script)\n\
                            Example: socktool completions bash > ~/.local/share/bash-completion/completions/socktool   (mkdir -p that directory first)")]
    Completions(CompletionsArgs),

    /// Print socktool's manual pages in roff, for man(1), or write them to a
    /// directory, one file per page (not a tutorial step)
    #[command(after_help = "Socket calls: none (this prints the manual pages)\n\
                            Example: socktool man | man -l -   (or install them: socktool man --dir ~/.local/share/man/man1)")]
    Man(ManArgs),
    /// A load generator for line protocols: many clients at once, each
    /// sending lines and checking every byte of every reply (not a tutorial
    /// step: the tool for measuring the servers the tutorial builds)
    #[command(
        after_help = "Socket calls: per client socket, [bind 127.0.0.X], connect (non-blocking), \
                            then send, recv ... as epoll reports each socket ready, close\n\
                            Result line on stdout: clients=N connected=N failed=N mismatched=N \
                            unfinished=N messages=N seconds=S msgs_per_sec=R p50_us=U p99_us=U max_us=U served_s=S\n\
                            Example: socktool load 127.0.0.1 8888 --welcome --clients 50 --messages 2000"
    )]
    Load(Step<LoadArgs, Quiet>),
}

impl Command {
    /// The step's name, the narration options it offers, and those given
    /// after its name.
    fn narration(&self) -> (&'static str, Levels, Levels, Option<&Path>) {
        fn of<'a, A: Args, N: Args + Narrated>(
            name: &'static str,
            step: &'a Step<A, N>,
        ) -> (&'static str, Levels, Levels, Option<&'a Path>) {
            (
                name,
                N::OFFERS,
                step.narration.given(),
                step.narration.record(),
            )
        }
        let none = Levels::default();
        match self {
            Command::Resolve(s) => of("resolve", s),
            Command::HttpGet(s) => of("http-get", s),
            Command::ServeOnce(s) => of("serve-once", s),
            Command::ServeLoop(s) => of("serve-loop", s),
            Command::ServeThreaded(s) => of("serve-threaded", s),
            Command::Connect(s) => of("connect", s),
            Command::UdpServe(s) => of("udp-serve", s),
            Command::UdpSend(s) => of("udp-send", s),
            Command::UdpPing(s) => of("udp-ping", s),
            Command::ServePoll(s) => of("serve-poll", s),
            Command::ServeChat(s) => of("serve-chat", s),
            Command::Completions(_) => ("completions", none, none, None),
            Command::Man(_) => ("man", none, none, None),
            Command::Ladder(_) => ("ladder", none, none, None),
            Command::Lab(_) => ("lab", none, none, None),
            Command::Load(s) => of("load", s),
        }
    }
}

/// `-4` / `-6`: which address family to use.
#[derive(Debug, Clone, Args)]
pub struct FamilyOpts {
    /// Use IPv4 only (AF_INET)
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Use IPv6 only (AF_INET6)
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
}

/// Address families as the socket API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(ip: std::net::IpAddr) -> Family {
        if ip.is_ipv4() { Family::V4 } else { Family::V6 }
    }

    /// The constant's name, for narration: AF_INET or AF_INET6.
    pub fn af_name(self) -> &'static str {
        match self {
            Family::V4 => "AF_INET",
            Family::V6 => "AF_INET6",
        }
    }

    /// The family's everyday name: IPv4 or IPv6.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl FamilyOpts {
    /// The family asked for with -4 or -6, if any.
    pub fn family(&self) -> Option<Family> {
        match (self.ipv4, self.ipv6) {
            (true, _) => Some(Family::V4),
            (_, true) => Some(Family::V6),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// A host name (www.example.com) to look up, or an IP address to find
    /// the name of. From a pasted URL or HOST:PORT, the host is taken
    #[arg(value_parser = target::parse_host_or_url)]
    pub host: HostArg,

    /// Every address getaddrinfo returns, IPv4 and IPv6, each once, with its
    /// family (gethostbyname gives only the first IPv4 one)
    #[arg(short, long)]
    pub all: bool,

    /// Bare addresses, one per line, for scripts
    #[arg(short, long)]
    pub short: bool,

    #[command(flatten)]
    pub family: FamilyOpts,
}

#[derive(Debug, Args)]
pub struct HttpGetArgs {
    /// Where to connect: host, host:port, [v6addr]:port,
    /// http://host[:port]/path, or https://host[:port]/path for HTTP inside
    /// TLS (port 443 unless given)
    #[arg(value_parser = target::parse_target)]
    pub target: Target,

    /// Send exactly the tutorial's request, "GET / HTTP/1.1\r\n\r\n", and
    /// make exactly one recv, as the tutorial does (the reply may be cut)
    #[arg(long)]
    pub tutorial: bool,

    /// Bytes asked for in each recv call [default: 65536; with --tutorial
    /// 4096, the tutorial's recv(4096)]
    #[arg(long, value_parser = parse_recv_size)]
    pub recv_size: Option<usize>,

    /// Seconds to wait for connect and for every read and write; nothing
    /// ever hangs forever (decimals allowed: 0.5)
    #[arg(long, default_value = "10", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub timeout: Duration,

    /// Seconds the whole exchange may take, connect to last byte (curl's
    /// --max-time), exit 75 past it: --timeout bounds each call, so a server
    /// that sends one byte a second would otherwise never be done
    #[arg(long, default_value = "60", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub max_time: Duration,

    /// Stop after this many bytes of reply (exit 65): a guard against a
    /// server that sends forever
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bytes: Option<u64>,

    /// Follow redirects (301, 302, 303, 307, 308 with a Location header),
    /// each hop narrated, as curl -L does: the first reply's body is not
    /// printed, only the last one's
    #[arg(short = 'L', long, conflicts_with = "tutorial")]
    pub location: bool,

    /// With -L: the most redirects followed before giving up (exit 76)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_redirs: u32,

    #[command(flatten)]
    pub tls: TlsOpts,

    #[command(flatten)]
    pub family: FamilyOpts,
}

/// How a TLS client decides whom to trust, and what it lets others see:
/// `http-get https://` and `connect --tls`.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsOpts {
    /// Trust only the CA certificates in FILE (PEM), instead of Mozilla's
    /// roots compiled into socktool: a classroom's own CA, as curl's
    /// --cacert
    #[arg(long, value_name = "FILE", help_heading = "TLS")]
    pub cacert: Option<std::path::PathBuf>,

    /// Go on when the certificate cannot be verified, with a warning that
    /// says why it failed. Still encrypted, but to whoever answered: anyone
    /// on the path can pose as the server
    #[arg(short = 'k', long, help_heading = "TLS")]
    pub insecure: bool,

    /// Append this connection's TLS secrets to FILE in the NSS key log
    /// format, so Wireshark can decrypt a capture of it (SSLKEYLOGFILE does
    /// the same, as in browsers and curl). Whoever has the file can read
    /// the traffic
    #[arg(long, value_name = "FILE", help_heading = "TLS")]
    pub keylog: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The server: a name (localhost) or an address (127.0.0.1, ::1).
    /// HOST:PORT ([::1]:8888 for IPv6) works too, in place of both
    #[arg(value_parser = target::parse_host)]
    pub host: Host,

    /// The port it listens on
    #[arg(value_parser = target::parse_port)]
    pub port: u16,

    /// Send every line end as \r\n, as telnet does (\r\n already there is
    /// kept as it is). Without it, bytes go out exactly as typed or piped
    #[arg(long)]
    pub crlf: bool,

    /// Seconds to wait for the connection [default: 10]. When given, it is
    /// also the longest the connection may stay idle (no bytes either way)
    /// before socktool gives up with exit 75, like `nc -w`; without it an
    /// idle session stays open, as telnet's does. Sending is bounded either
    /// way: a server that takes none of our bytes for this long (10 s
    /// without it) has stopped reading, and socktool exits 75
    #[arg(long, value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Speak TLS on the connection first (as openssl s_client does): a
    /// narrated handshake, then what you type goes out encrypted and what
    /// the server sends is printed decrypted
    #[arg(long, help_heading = "TLS")]
    pub tls: bool,

    #[command(flatten)]
    pub tls_opts: TlsOpts,

    #[command(flatten)]
    pub family: FamilyOpts,
}

#[derive(Debug, Args)]
pub struct UdpServeArgs {
    /// Bytes asked for in each recvfrom. A datagram is read whole or cut:
    /// whatever does not fit is discarded by the kernel (the default fits
    /// the largest datagram; try 4 to see one cut)
    #[arg(long, default_value_t = 65535, value_parser = parse_recv_size)]
    pub recv_size: usize,

    /// Drop this percentage of the datagrams (0 to 100, decimals allowed)
    /// as if the network had lost them: no reply. Loopback never loses a
    /// datagram; this is the UDP pinger's server of Kurose and Ross
    #[arg(help_heading = "A bad network", long, value_name = "PERCENT", default_value_t = 0.0, value_parser = parse_percent)]
    pub loss: f64,

    /// Hold each reply this many milliseconds, or a random number in a
    /// range (10-50), as a long or busy path would: the pinger sees jitter
    #[arg(help_heading = "A bad network", long, value_name = "MS[-MS]", value_parser = parse_delay)]
    pub delay: Option<(u64, u64)>,

    /// Start the dice of --loss and --delay here: the same seed and the
    /// same datagrams give the same losses and delays [default: a new one
    /// each run, shown at start]
    #[arg(help_heading = "A bad network", long, value_name = "N")]
    pub seed: Option<u64>,

    #[command(flatten)]
    pub bind: BindOpts,
}

#[derive(Debug, Args)]
pub struct UdpSendArgs {
    /// The server: a name (localhost) or an address (127.0.0.1, ::1).
    /// HOST:PORT ([::1]:8888 for IPv6) works too, in place of both
    #[arg(value_parser = target::parse_host)]
    pub host: Host,

    /// The UDP port it is bound to
    #[arg(value_parser = target::parse_port)]
    pub port: u16,

    /// What to send, as one datagram, byte for byte (no line end is added).
    /// Without it, all of stdin is read and sent as one datagram
    #[arg(value_parser = clap::value_parser!(std::ffi::OsString))]
    pub message: Option<std::ffi::OsString>,

    /// Seconds to wait for the reply (decimals allowed: 0.5). UDP has no
    /// connection and no acknowledgement: silence is the only sign of loss
    #[arg(long, default_value = "2", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Do not connect() the socket: use plain sendto/recvfrom, as the
    /// tutorial's table shows. Then a closed port looks exactly like a lost
    /// datagram (a timeout), because the kernel keeps ICMP errors to itself
    #[arg(long)]
    pub no_connect: bool,

    #[command(flatten)]
    pub family: FamilyOpts,
}

/// `socktool ladder FILE... [--svg FILE] [--mermaid] [--width N]`.
#[derive(Debug, Args)]
pub struct LadderArgs {
    /// Recordings made with --record: a server's and its clients', or one
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub drawing: DrawingOpts,
}

/// How `ladder` and `lab` draw a conversation: text (the default),
/// Mermaid, and an SVG file beside either.
#[derive(Debug, Args)]
pub struct DrawingOpts {
    /// Also write the ladder as a standalone SVG image to this file
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// Print a Mermaid sequenceDiagram instead of the text drawing (GitHub
    /// draws it inside a ```mermaid block in Markdown)
    #[arg(long)]
    pub mermaid: bool,

    /// How many characters wide the text drawing is: 80 fits a projector
    #[arg(long, default_value_t = 80, value_name = "N")]
    pub width: usize,
}

#[derive(Debug, Args)]
pub struct UdpPingArgs {
    /// The server: a name (localhost) or an address (127.0.0.1, ::1).
    /// HOST:PORT ([::1]:8888 for IPv6) works too, in place of both
    #[arg(value_parser = target::parse_host)]
    pub host: Host,

    /// The UDP port it is bound to
    #[arg(value_parser = target::parse_port)]
    pub port: u16,

    /// How many pings to send (the assignment sends 10)
    #[arg(short, long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: u64,

    /// Seconds from one ping to the next (decimals allowed: 0.2)
    #[arg(short, long, default_value = "1", value_parser = parse_interval)]
    pub interval: Duration,

    /// Seconds to wait for each reply before saying "Request timed out"
    #[arg(long, default_value = "1", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Bytes of each ping: its text ("Ping 1 1733120000.123456") padded
    /// with '.' [default: the text alone]
    #[arg(short, long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65_507))]
    pub size: Option<usize>,

    #[command(flatten)]
    pub family: FamilyOpts,
}

/// `socktool lab SCENARIO [--pcap FILE] [--svg FILE] [--mermaid]`.
#[derive(Debug, Args)]
pub struct LabArgs {
    /// The conversation to run: handshake, echo, half-close, reset,
    /// refused, backlog-full, time-wait, nagle or udp (--list says what
    /// each shows)
    #[arg(required_unless_present = "list", value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// List the scenarios, one line each: its name and what it shows
    #[arg(long, conflicts_with_all = ["scenario", "pcap", "svg", "mermaid", "no_namespace"])]
    pub list: bool,

    /// Also write every frame captured to FILE as a pcap file, for
    /// Wireshark or tcpdump -r
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,

    #[command(flatten)]
    pub drawing: DrawingOpts,

    /// Run on this machine's loopback instead of a private network
    /// namespace: the calls only, no capture (what lab does by itself
    /// where it cannot make a namespace)
    #[arg(long)]
    pub no_namespace: bool,
}

/// `socktool completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `socktool man [--dir DIR]`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write socktool.1, socktool-resolve.1, ... into DIR (created if
    /// missing) instead of printing every page to stdout. Choose a man1
    /// directory man searches (`manpath` lists where it looks; usually
    /// ~/.local/share/man/man1), and `man socktool-resolve` works
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// What socktool is, as the manual page's NAME line says it after
/// "socktool - ". `--help` opens with the same words (the doc comment on
/// [`Cli`]).
pub const ABOUT: &str = "learn TCP and UDP sockets by running each step of a classic socket \
                         tutorial on real sockets, narrated as it happens";

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server: an address (127.0.0.1, ::1) or a name (localhost),
    /// resolved once
    #[arg(value_parser = target::parse_host)]
    pub host: Host,

    /// The server's port
    #[arg(value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,

    /// Connections open at the same time; each is one file descriptor here
    /// and one socket (often one thread) in the server
    #[arg(short, long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub clients: u64,

    /// Round trips per client: send one line, wait for its whole reply
    #[arg(short, long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub messages: u64,

    /// Bytes per message, the final '\n' included (the tutorial's server
    /// reads with recv(1024): keep it at or below 1024 there)
    #[arg(short, long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub size: u64,

    /// Read the server's welcome line (up to its '\n') before the first
    /// message, as serve-threaded and the tutorial's step 6 send one
    #[arg(short, long)]
    pub welcome: bool,

    /// What each reply starts with before the echoed message: the
    /// tutorial's "OK..."; '' for a pure echo server (socat, ncat)
    #[arg(long, default_value = "OK...")]
    pub prefix: String,

    /// Hard bound on the whole run in seconds (decimals allowed): clients
    /// still waiting then count as unfinished, and the run ends by itself
    #[arg(short, long, default_value = "60", value_parser = parse_timeout)]
    pub duration: Duration,

    /// Connect every client, make one round trip each, then keep them all
    /// open until --duration ends: how many can the server hold?
    #[arg(long)]
    pub hold: bool,

    /// Spread clients over this many source addresses, 127.0.0.1,
    /// 127.0.0.2, ... (bound before connect): each address has its own
    /// ~28,000 ephemeral ports, so 50,000 clients need at least 2 (IPv4
    /// loopback targets only)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=65_000))]
    pub sources: u32,

    /// Clients that may wait at once for the server's first answer (the
    /// handshake, then its welcome line or first reply); the rest wait their
    /// turn. Below the tutorial's listen(10), so the server's accept queue
    /// never overflows; raise it to see a burst lose clients
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub connect_batch: u32,

    /// Threads driving the clients, each polling its share of them with
    /// epoll [default: one per CPU core]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
}

/// Where a server listens: `--host`, `--port`, `-4`/`-6`, and whether the
/// port may be reused at once. Shared by every server, TCP and UDP
/// (flattened into their arguments).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Where to listen")]
pub struct BindOpts {
    /// Address to listen on [default: 127.0.0.1, or ::1 with -6: this machine
    /// only]. '' (the tutorial's HOST = ''), 0.0.0.0 or :: listen on every
    /// interface, so other machines can connect
    #[arg(long, value_parser = parse_bind_host)]
    pub host: Option<IpAddr>,

    /// Port to listen on; 0 lets the OS choose a free one (the listening
    /// line shows which)
    #[arg(short, long, default_value_t = 8888, value_parser = parse_listen_port)]
    pub port: u16,

    /// Listen on IPv4 (AF_INET), the default
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Listen on IPv6 (AF_INET6); the default host becomes ::1
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,

    /// Set SO_REUSEADDR before bind (the TCP servers' default; UDP servers
    /// only with this): a restarted server can bind its port while the old
    /// connections still wait in TIME_WAIT
    #[arg(long, conflicts_with = "no_reuse_address")]
    pub reuse_address: bool,

    /// Do not set SO_REUSEADDR: a TCP server restarted within a minute of
    /// closing a connection fails with the tutorial's "Address already in
    /// use" (its old connections wait in TIME_WAIT)
    #[arg(long)]
    pub no_reuse_address: bool,
}

impl BindOpts {
    /// The address to bind, from --host, --port, -4 and -6; a usage error
    /// when they disagree.
    pub fn addr(&self) -> Result<SocketAddr, String> {
        let ip = match (self.host, self.ipv6) {
            // `-6 --host 0.0.0.0` (or '') means every IPv6 interface.
            (Some(IpAddr::V4(v4)), true) if v4.is_unspecified() => Ipv6Addr::UNSPECIFIED.into(),
            (Some(IpAddr::V4(v4)), true) => {
                return Err(tr!("bind-v4-with-6", host = v4.to_string()));
            }
            (Some(IpAddr::V6(v6)), _) if self.ipv4 => {
                return Err(tr!("bind-v6-with-4", host = v6.to_string()));
            }
            (Some(IpAddr::V6(v6)), _) if v6.to_ipv4_mapped().is_some() => {
                return Err(tr!(
                    "bind-mapped",
                    host = v6.to_string(),
                    v4 = v6
                        .to_ipv4_mapped()
                        .map(|v4| v4.to_string())
                        .unwrap_or_default()
                ));
            }
            (Some(ip), _) => ip,
            (None, false) => Ipv4Addr::LOCALHOST.into(),
            (None, true) => Ipv6Addr::LOCALHOST.into(),
        };
        Ok(SocketAddr::new(ip, self.port))
    }

    /// Whether to set SO_REUSEADDR, given the server's own default (on for
    /// TCP, whose closed connections linger in TIME_WAIT; off for UDP,
    /// where it would let two servers share a port).
    pub fn reuse(&self, default: bool) -> bool {
        !self.no_reuse_address && (self.reuse_address || default)
    }
}

/// `--host`: an address of this machine. '' is the tutorial's "all
/// interfaces"; `localhost` is accepted as 127.0.0.1. Names are not
/// resolved: a server binds addresses.
pub fn parse_bind_host(text: &str) -> Result<IpAddr, String> {
    match text.trim() {
        "" => Ok(Ipv4Addr::UNSPECIFIED.into()),
        "localhost" => Ok(Ipv4Addr::LOCALHOST.into()),
        t => match t.strip_prefix('[') {
            // [::1] as in URLs; a lone [ is a typo, not an address.
            Some(rest) => rest
                .strip_suffix(']')
                .ok_or_else(|| tr!("bind-open-bracket", text = shorten(text)))?,
            None => t,
        }
        .parse()
        .map_err(|_| tr!("bind-bad-host", text = shorten(text))),
    }
}

/// `--port` of a server: 0 to 65535, where 0 asks the OS for a free port.
pub fn parse_listen_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u64>() {
        Ok(n) => {
            u16::try_from(n).map_err(|_| tr!("listen-port-out-of-range", port = n.to_string()))
        }
        Err(_) if text.trim().is_empty() => Err(tr!("listen-port-empty")),
        Err(_) => Err(tr!("listen-port-not-a-number", text = shorten(text))),
    }
}

/// The largest buffer a single recv may ask for. The kernel never returns
/// more than its socket buffer holds anyway; this keeps memory bounded.
pub const MAX_RECV_SIZE: usize = 16 * 1024 * 1024;

/// The longest timeout accepted: one day. Longer is almost always a typo,
/// and the kernel's timeval would overflow on absurd values.
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// `--recv-size`: 1 byte to 16 MiB.
pub fn parse_recv_size(text: &str) -> Result<usize, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err(tr!("recv-size-zero")),
        Ok(n) if n <= MAX_RECV_SIZE as u64 => Ok(n as usize),
        Ok(n) => Err(tr!(
            "recv-size-too-large",
            bytes = n.to_string(),
            max = MAX_RECV_SIZE.to_string()
        )),
        Err(_) => Err(tr!("recv-size-not-a-number", text = shorten(text))),
    }
}

/// `--loss`: a percentage from 0 to 100, decimals allowed.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let percent: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| tr!("percent-not-a-number", text = shorten(text)))?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(tr!("percent-out-of-range", text = shorten(text)));
    }
    Ok(percent)
}

/// The longest `--delay`: a minute. Longer is a typo, and every held reply
/// is memory.
pub const MAX_DELAY_MS: u64 = 60_000;

/// `--delay`: milliseconds, `MS` or `FROM-TO`, at most a minute.
pub fn parse_delay(text: &str) -> Result<(u64, u64), String> {
    let ms = |t: &str| {
        t.trim()
            .parse::<u64>()
            .map_err(|_| tr!("delay-not-a-number", text = shorten(text)))
    };
    let (from, to) = match text.split_once('-') {
        Some((from, to)) => (ms(from)?, ms(to)?),
        None => (ms(text)?, ms(text)?),
    };
    if from > to {
        return Err(tr!("delay-backwards", range = format!("{from}-{to}")));
    }
    if to > MAX_DELAY_MS {
        return Err(tr!(
            "delay-too-long",
            ms = to.to_string(),
            max = MAX_DELAY_MS.to_string()
        ));
    }
    Ok((from, to))
}

/// `--interval`: seconds between two pings, as a timeout is read, but
/// named as what it is.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    parse_seconds(text, "interval")
}

/// `--timeout` and friends: seconds, decimals allowed, above 0, at most a day.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    parse_seconds(text, "timeout")
}

/// Seconds for a `what` (`timeout` or `interval`, as the messages say it).
fn parse_seconds(text: &str, what: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| tr!("secs-not-a-number", text = shorten(text)))?;
    if secs.is_nan() {
        return Err(tr!("secs-nan"));
    }
    if secs <= 0.0 {
        return Err(tr!("secs-not-positive", what = what, text = shorten(text)));
    }
    if secs > MAX_TIMEOUT_SECS {
        return Err(tr!(
            "secs-too-long",
            text = shorten(text),
            max = MAX_TIMEOUT_SECS.to_string()
        ));
    }
    // At least a millisecond: the kernel rounds smaller values to zero,
    // which would mean "no timeout" again.
    Ok(Duration::from_secs_f64(secs).max(Duration::from_millis(1)))
}

/// What every TCP server step shares: where it listens (`BindOpts`) and how
/// it treats its listening socket and its clients.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Serving")]
pub struct ServeOpts {
    #[command(flatten)]
    pub bind: BindOpts,

    /// listen(N): how many finished handshakes the kernel queues until
    /// accept takes them (the tutorial's listen(10) is --backlog 10). A full
    /// queue does not refuse newcomers on Linux: their last handshake packet
    /// is dropped and they wait
    #[arg(help_heading = "Serving", long, default_value_t = 128, value_parser = clap::value_parser!(i32).range(0..=65535))]
    pub backlog: i32,

    /// Bytes asked for in each recv call (the tutorial's recv(1024))
    #[arg(help_heading = "Serving", long, default_value_t = 1024, value_parser = parse_recv_size)]
    pub recv_size: usize,

    #[command(flatten)]
    pub timeouts: TimeoutOpts,

    /// Make the sockets non-blocking (O_NONBLOCK) and retry instead of
    /// waiting: accept and recv return EAGAIN at once when nothing is
    /// there, and the server says so each time
    #[arg(long, help_heading = "Serving")]
    pub nonblocking: bool,

    /// Set TCP_NODELAY on each client socket: small replies leave at once
    /// instead of waiting for Nagle's algorithm
    #[arg(long, help_heading = "Serving")]
    pub nodelay: bool,
}

/// One timeout per phase of a server's life, each named by what it
/// bounds, so that bounding the clients never stops the server by
/// accident. All in seconds, decimals allowed (0.5).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Timeouts")]
pub struct TimeoutOpts {
    /// Give up (exit 75) when no client connects for this long: the first
    /// one, or the next one once nobody is connected [default: wait for
    /// ever]
    #[arg(help_heading = "Timeouts", long, value_name = "SECS", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub accept_timeout: Option<Duration>,

    /// Drop a client that has sent nothing for this long [default:
    /// serve-threaded and serve-poll 600, ten minutes, longer than a pause
    /// in a lecture and shorter than a laptop left open overnight; the
    /// others wait for ever, as the tutorial's server does]
    #[arg(help_heading = "Timeouts", long, value_name = "SECS", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub idle_timeout: Option<Duration>,

    /// Drop a client that takes none of a reply for this long: it stopped
    /// reading [default: wait for ever; a client that never reads holds
    /// only its own connection]
    #[arg(help_heading = "Timeouts", long, value_name = "SECS", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub send_timeout: Option<Duration>,

    /// The single timeout of earlier versions: sets all three above at
    /// once, so the server also stops when nobody has connected for that
    /// long. To bound only the clients, use --idle-timeout and
    /// --send-timeout
    #[arg(help_heading = "Timeouts", long, value_name = "SECS", value_parser = parse_timeout, allow_negative_numbers = true)]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct ServeOnceArgs {
    #[command(flatten)]
    pub serve: ServeOpts,
}

#[derive(Debug, Args)]
pub struct ServeLoopArgs {
    #[command(flatten)]
    pub serve: ServeOpts,

    /// Stop (exit 0) after serving this many clients [default: serve until
    /// Ctrl-C]
    #[arg(help_heading = "This server", long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_clients: Option<u64>,
}

/// The tutorial's welcome line, without its newline (socktool adds it).
pub const WELCOME: &str = "Welcome to the server. Type something and hit enter";

/// How many clients serve-threaded talks to at once unless told otherwise:
/// enough for any classroom, and a thread and two file descriptors each, so
/// a runaway client script cannot exhaust the machine.
pub const DEFAULT_MAX_CLIENTS: usize = 1000;

#[derive(Debug, Args)]
pub struct ServeThreadedArgs {
    #[command(flatten)]
    pub serve: ServeOpts,

    #[command(flatten)]
    pub many: ManyClientsOpts,
}

/// What a server that talks to many clients at once lets you change
/// (serve-threaded and serve-poll): the cap and the protocol's two strings.
#[derive(Debug, Clone, Args)]
pub struct ManyClientsOpts {
    /// Clients connected at once; a newcomer over the cap gets one line,
    /// "Server full (N clients). Try again later.", and is closed
    #[arg(help_heading = "This server", long, default_value_t = DEFAULT_MAX_CLIENTS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_clients: usize,

    /// The line each client gets first ("\n" is added; '' sends none)
    #[arg(help_heading = "This server", long, default_value = WELCOME)]
    pub welcome: String,

    /// What each reply starts with, before the client's own bytes
    #[arg(help_heading = "This server", long, default_value = "OK...")]
    pub prefix: String,
}

#[derive(Debug, Args)]
pub struct ServePollArgs {
    #[command(flatten)]
    pub serve: ServeOpts,

    #[command(flatten)]
    pub many: ManyClientsOpts,
}

/// The first line of serve-chat (`--welcome`).
pub const CHAT_WELCOME: &str =
    "Welcome to the chat. Type a line and hit enter: everyone here sees it";

#[derive(Debug, Args)]
pub struct ServeChatArgs {
    #[command(flatten)]
    pub serve: ServeOpts,

    /// Clients in the room at once; a newcomer over the cap gets one line,
    /// "Server full (N clients). Try again later.", and is closed
    #[arg(help_heading = "This server", long, default_value_t = DEFAULT_MAX_CLIENTS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_clients: usize,

    /// The line each client gets first ('' sends none); then a line says
    /// who it is, who is here and the commands (/nick NAME, /who, /quit)
    #[arg(help_heading = "This server", long, default_value = CHAT_WELCOME)]
    pub welcome: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bind_hosts() {
        let opts = |host: Option<&str>, ipv6: bool| BindOpts {
            host: host.map(|h| parse_bind_host(h).unwrap()),
            port: 0,
            ipv4: false,
            ipv6,
            reuse_address: false,
            no_reuse_address: false,
        };
        let addr = |host, ipv6| opts(host, ipv6).addr().map(|a| a.to_string());
        assert_eq!(addr(None, false).unwrap(), "127.0.0.1:0");
        assert_eq!(addr(None, true).unwrap(), "[::1]:0");
        assert_eq!(addr(Some(""), false).unwrap(), "0.0.0.0:0");
        assert_eq!(addr(Some(""), true).unwrap(), "[::]:0");
        assert_eq!(addr(Some("[::]"), false).unwrap(), "[::]:0");
        assert!(
            addr(Some("127.0.0.1"), true)
                .unwrap_err()
                .contains("-6 asks for IPv6")
        );
        assert!(
            addr(Some("::ffff:0.0.0.0"), false)
                .unwrap_err()
                .contains("--host 0.0.0.0")
        );
        let mut four = opts(Some("::1"), false);
        four.ipv4 = true;
        assert!(four.addr().unwrap_err().contains("-4 asks for IPv4"));
        assert!(opts(None, false).reuse(true));
        assert!(!opts(None, false).reuse(false));
        assert!(parse_bind_host("example.com").is_err());
        assert!(parse_bind_host("[::1").is_err());
        assert!(parse_bind_host("::1]").is_err());
        assert_eq!(parse_listen_port("0"), Ok(0));
        for bad in ["65536", "abc", "", "99999999999999999999"] {
            assert!(parse_listen_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "NaN", "inf", "1e9", "abc", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loss_and_delay() {
        assert_eq!(parse_percent("30"), Ok(30.0));
        assert_eq!(parse_percent("2.5%"), Ok(2.5));
        for bad in ["-1", "101", "NaN", "x", ""] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_delay("30"), Ok((30, 30)));
        assert_eq!(parse_delay("10-50"), Ok((10, 50)));
        for bad in ["50-10", "-5", "x", "1-2-3", "60001", ""] {
            assert!(parse_delay(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recv_sizes() {
        assert_eq!(parse_recv_size("1024"), Ok(1024));
        for bad in ["0", "-1", "99999999999", "x"] {
            assert!(parse_recv_size(bad).is_err(), "{bad}");
        }
    }
}
