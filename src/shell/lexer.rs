//! virsh's command-string tokenizer: whitespace-separated words, `'…'` and
//! `"…"` quoting, backslash escapes, `;` and newline between commands, and
//! `#` comments at the start of a word.

/// A failure to split a command string, with virsh's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError(pub &'static str);

/// Splits a command string into commands, each a list of words.
/// Empty commands (`;;`, blank lines, comments) are dropped.
pub fn split_commands(input: &str) -> Result<Vec<Vec<String>>, LexError> {
    let chars: Vec<char> = input.chars().collect();
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    loop {
        // Skip blanks and escaped newlines between words.
        while i < chars.len() {
            match chars[i] {
                ' ' | '\t' => i += 1,
                '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
                _ => break,
            }
        }
        let Some(&c) = chars.get(i) else { break };
        if c == ';' || c == '\n' {
            i += 1;
            if !words.is_empty() {
                commands.push(std::mem::take(&mut words));
            }
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        // A command named `#…` (quoted or escaped) is a comment: virsh reads
        // its words without minding an unterminated double quote.
        let in_comment = words.first().is_some_and(|w| w.starts_with('#'));
        let (word, next) = read_word(&chars, i, !in_comment)?;
        words.push(word);
        i = next;
    }
    if !words.is_empty() {
        commands.push(words);
    }
    Ok(commands)
}

/// Reads one word starting at `start`; returns it and the index after it.
/// Without `strict`, a double quote left open runs to the end of the input.
fn read_word(chars: &[char], start: usize, strict: bool) -> Result<(String, usize), LexError> {
    let mut word = String::new();
    let mut i = start;
    let mut in_double = false;
    while i < chars.len() {
        let c = chars[i];
        if !in_double && matches!(c, ' ' | '\t' | ';' | '\n') {
            break;
        }
        match c {
            '\\' => {
                // An escaped newline joins lines; any other escaped char is literal.
                match chars.get(i + 1) {
                    None => return Err(LexError("dangling \\")),
                    Some('\n') => {}
                    Some(&next) => word.push(next),
                }
                i += 2;
                continue;
            }
            '\'' if !in_double => {
                // Single quotes take everything literally; an unterminated one runs to the end.
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
                continue;
            }
            '"' => in_double = !in_double,
            _ => word.push(c),
        }
        i += 1;
    }
    if in_double && strict {
        return Err(LexError("missing \""));
    }
    Ok((word, i.min(chars.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<Vec<String>> {
        split_commands(s).unwrap()
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            split(r#"echo "a b" 'c d' e\ f"#),
            vec![vec!["echo", "a b", "c d", "e f"]]
        );
        assert_eq!(split(r#"echo "a\"b""#), vec![vec!["echo", "a\"b"]]);
        assert_eq!(split(r"echo 'a\b'"), vec![vec!["echo", r"a\b"]]);
        assert_eq!(split("echo a\\\nb"), vec![vec!["echo", "ab"]]);
        assert_eq!(split("echo 'unterm"), vec![vec!["echo", "unterm"]]);
    }

    #[test]
    fn separators_and_comments() {
        assert_eq!(
            split("echo a;;echo b"),
            vec![vec!["echo", "a"], vec!["echo", "b"]]
        );
        assert_eq!(
            split("echo a # comment\nuri"),
            vec![vec!["echo", "a"], vec!["uri"]]
        );
        assert_eq!(split("echo a#b"), vec![vec!["echo", "a#b"]]);
        assert!(split("  ").is_empty());
        assert!(split("# only a comment").is_empty());
    }

    #[test]
    fn a_quoted_hash_command_may_leave_a_double_quote_open() {
        assert_eq!(
            split("'#x' \"abc; echo hi"),
            vec![vec!["#x", "abc; echo hi"]]
        );
        assert_eq!(split_commands("echo \"abc"), Err(LexError("missing \"")));
    }

    #[test]
    fn errors() {
        assert_eq!(split_commands("echo \"open"), Err(LexError("missing \"")));
        assert_eq!(split_commands("echo a\\"), Err(LexError("dangling \\")));
    }
}
