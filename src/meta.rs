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
//! socktool man --dir ~/.local/share/man/man1 && man socktool-resolve
//! ```

use clap::CommandFactory;

use crate::cli::{ABOUT, Cli, CompletionsArgs, ManArgs};
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::tr;

/// `socktool completions SHELL`: the script goes to stdout, like all data,
/// so `> file` installs it and `| head` stops quietly.
pub fn completions(args: &CompletionsArgs, say: &Narrator) -> Result<(), SockError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "socktool", &mut script);
    say.data(&script)
}

/// `socktool man`: the page for socktool, then one page per subcommand
/// (`socktool-resolve(1)`, ...), the pages its SUBCOMMANDS section names.
/// Printed as one roff stream that `man -l -` shows in turn, or with
/// `--dir` written one file each, named as `man` looks them up.
pub fn man(args: &ManArgs, say: &Narrator) -> Result<(), SockError> {
    let pages = pages();
    let Some(dir) = &args.dir else {
        let mut stream = Vec::new();
        for page in &pages {
            page.render(&mut stream)
                // Rendering writes into memory: it fails only on a bug in clap_mangen.
                .map_err(|source| SockError::Stdout { source })?;
        }
        return say.data(&stream);
    };
    std::fs::create_dir_all(dir).map_err(|source| SockError::WriteFile {
        path: dir.clone(),
        source,
    })?;
    for page in &pages {
        let path = dir.join(page.get_filename());
        page.generate_to(dir)
            .map_err(|source| SockError::WriteFile {
                path: path.clone(),
                source,
            })?;
        say.info(tr!("man-wrote", path = path.display().to_string()));
    }
    say.note(tr!("man-where", dir = dir.display().to_string()));
    Ok(())
}

/// socktool's page, then one per subcommand.
fn pages() -> Vec<clap_mangen::Man> {
    // Building copies the global options (--color) into every subcommand
    // and names each one `socktool-resolve`, as its page is titled and its
    // file named.
    let mut cmd = Cli::command().disable_help_subcommand(true).about(ABOUT);
    cmd.build();
    std::iter::once(&cmd)
        .chain(cmd.get_subcommands())
        .map(|c| clap_mangen::Man::new(c.clone()))
        .collect()
}
