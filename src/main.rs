//! Parse → narrate → run one step → exit code. Nothing else lives here.

use std::process::ExitCode;

use clap::Parser;

use socktool::cli::{Cli, Command};
use socktool::meta;
use socktool::narrate::Narrator;
use socktool::{steps, tools};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let say = Narrator::new(&cli.output);
    let result = match &cli.command {
        Command::Resolve(args) => steps::resolve::run(args, &say),
        Command::HttpGet(args) => steps::http_get::run(args, &say),
        Command::ServeOnce(args) => steps::serve_once::run(args, &say),
        Command::ServeLoop(args) => steps::serve_loop::run(args, &say),
        Command::ServeThreaded(args) => steps::serve_threaded::run(args, &say),
        Command::Connect(args) => steps::connect::run(args, &say),
        Command::UdpServe(args) => steps::udp_serve::run(args, &say),
        Command::UdpSend(args) => steps::udp_send::run(args, &say),
        Command::ServePoll(args) => steps::serve_poll::run(args, &say),
        Command::Completions(args) => meta::completions(args, &say),
        Command::Man => meta::man(&say),
        Command::Load(args) => tools::load::run(args, &say),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say.error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
