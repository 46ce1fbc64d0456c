//! Commands about socktool itself rather than sockets: shell completions and
//! the manual page. Both are generated from the clap definitions in
//! `cli.rs`, so they can never disagree with `--help`.
//!
//! Not a tutorial step (those live in `steps/`): nothing here opens a socket.
//!
//! ```text
//! mkdir -p ~/.local/share/bash-completion/completions
//! socktool completions bash > ~/.local/share/bash-completion/completions/socktool
//! socktool man | man -l -
//! ```

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::SockError;
use crate::narrate::Narrator;

/// `socktool completions SHELL`: the script goes to stdout, like all data,
/// so `> file` installs it and `| head` stops quietly.
pub fn completions(args: &CompletionsArgs, say: &Narrator) -> Result<(), SockError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "socktool", &mut script);
    say.data(&script)
}

/// `socktool man`: the page for socktool, then one page per subcommand
/// (`socktool-resolve(1)`, ...), the pages its SUBCOMMANDS section names,
/// all in one roff stream that `man -l -` shows in turn.
pub fn man(say: &Narrator) -> Result<(), SockError> {
    // Building copies the global options (--trace, --color, ...) into every
    // subcommand and names each one `socktool-resolve`, as its page is titled.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = Vec::new();
    for c in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
        clap_mangen::Man::new(c.clone())
            .render(&mut page)
            // Rendering writes into memory: it fails only on a bug in clap_mangen.
            .map_err(|source| SockError::Stdout { source })?;
    }
    say.data(&page)
}
