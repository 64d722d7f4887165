//! Interactive mode: a banner, a prompt, and one command string per line.

use std::io::{BufRead, IsTerminal};

use super::{lexer, parse_all, Flow, Runner};

const BANNER: &str = "Welcome to virtsh, the virtualization interactive terminal.\n\n\
Type:  'help' for help with commands\n       'quit' to quit\n\n";

/// The prompt shows whether the connection is read-only.
pub fn prompt(runner: &Runner) -> &'static str {
    if runner.session.readonly {
        "virtsh > "
    } else {
        "virtsh # "
    }
}

pub fn run(runner: &mut Runner) {
    runner.session.interactive = true;
    runner.session.print_extra(BANNER);
    runner.session.flush();
    let stdin = std::io::stdin();
    let _terminal = stdin.is_terminal();
    let mut lines = stdin.lock().lines();
    loop {
        // Without a terminal the prompt and the line are echoed, as readline does.
        let p = prompt(runner);
        runner.session.print(p);
        let Some(Ok(line)) = lines.next() else { break };
        runner.session.print(&format!("{line}\n"));
        if !run_line(runner, &line) {
            break;
        }
    }
    runner.session.print("\n");
    runner.session.flush();
}

/// Runs one line; false when the user asked to quit.
pub fn run_line(runner: &mut Runner, line: &str) -> bool {
    let commands = match lexer::split_commands(line) {
        Ok(c) => c,
        Err(e) => {
            runner.report(&[e.0.to_string()]);
            return true;
        }
    };
    let parsed = match parse_all(&commands) {
        Ok(p) => p,
        Err(e) => {
            runner.report(&[e]);
            return true;
        }
    };
    for cmd in &parsed {
        if let Flow::Quit = runner.run(cmd) {
            return false;
        }
    }
    true
}
