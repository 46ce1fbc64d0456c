//! Choose the language → parse → narrate → run one step → exit code.
//! Nothing else lives here.

use std::ffi::OsString;
use std::process::ExitCode;

use socktool::cli::{self, Command};
use socktool::narrate::Narrator;
use socktool::{lang, meta};
use socktool::{steps, tools};

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    lang::set(lang::choose(&argv));
    let (cli, output) = cli::parse_from(argv).unwrap_or_else(|e| lang::help::exit(e));
    let mut say = Narrator::new(&output);
    if let Some(Err(e)) = output
        .record
        .as_ref()
        .map(|path| say.record_to(path, output.step))
    {
        say.error(&e);
        return ExitCode::from(e.exit_code());
    }
    let result = match &cli.command {
        Command::Resolve(step) => steps::resolve::run(&step.args, &say),
        Command::HttpGet(step) => steps::http_get::run(&step.args, &say),
        Command::ServeOnce(step) => steps::serve_once::run(&step.args, &say),
        Command::ServeLoop(step) => steps::serve_loop::run(&step.args, &say),
        Command::ServeThreaded(step) => steps::serve_threaded::run(&step.args, &say),
        Command::Connect(step) => steps::connect::run(&step.args, &say),
        Command::UdpServe(step) => steps::udp_serve::run(&step.args, &say),
        Command::UdpSend(step) => steps::udp_send::run(&step.args, &say),
        Command::UdpPing(step) => steps::udp_ping::run(&step.args, &say),
        Command::ServePoll(step) => steps::serve_poll::run(&step.args, &say),
        Command::ServeChat(step) => steps::serve_chat::run(&step.args, &say),
        Command::Completions(args) => meta::completions(args, &say),
        Command::Man(args) => meta::man(args, &say),
        Command::Load(step) => tools::load::run(&step.args, &say),
        Command::Ladder(args) => tools::ladder::run(args, &say),
        Command::Lab(args) => tools::lab::run(args, &say),
    };
    let code = match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say.error(&e);
            ExitCode::from(e.exit_code())
        }
    };
    // A server's last lines may still be queued: out they go, for a
    // moment at most (a terminal nobody reads cannot hold the exit).
    say.flush();
    code
}
