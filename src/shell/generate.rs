//! `virtsh __generate`: prints the files kept in `completions/` and `man/`,
//! so they are made by the binary that they describe (and a test checks the
//! committed copies against it).
//!
//! ```text
//! virtsh __generate completions bash|zsh|fish
//! virtsh __generate man
//! ```

use super::manpage;

/// The shell scripts. They carry no knowledge of commands: every candidate
/// comes from `virtsh __complete`, so one completer serves the interactive
/// shell and all three shells, live names included.
const BASH: &str = include_str!("completion/virtsh.bash");
const ZSH: &str = include_str!("completion/_virtsh");
const FISH: &str = include_str!("completion/virtsh.fish");

/// Runs `virtsh __generate …`; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = match args.as_slice() {
        ["completions", "bash"] => BASH.to_string(),
        ["completions", "zsh"] => ZSH.to_string(),
        ["completions", "fish"] => FISH.to_string(),
        ["man"] => manpage::render(),
        _ => {
            crate::stdio::err(
                "usage: virtsh __generate completions bash|zsh|fish\n       virtsh __generate man\n",
            );
            return 2;
        }
    };
    crate::stdio::out(&text);
    0
}
