//! A question's clauses: the runs of text between commas, semicolons, question and
//! exclamation marks, brackets, dashes and full stops. Fans wrap what they ask in
//! chat ("is it in colour or b&w, havent watched yet dont judge"), most often as
//! its own clause at either end.

/// What ends a clause. A full stop does only before a space, so that "3.5" and
/// "L.A." stay whole.
fn ends_clause(c: char, next: Option<char>) -> bool {
    matches!(c, ',' | ';' | '?' | '!' | '(' | ')' | '\u{2013}' | '\u{2014}')
        || (c == '.' && next.is_none_or(char::is_whitespace))
        || (c == '-' && next.is_some_and(char::is_whitespace))
}

/// The clauses of `text` that hold a letter or a digit, in order.
pub fn clauses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if ends_clause(c, chars.peek().map(|&(_, n)| n)) {
            push_clause(&mut out, &text[start..at]);
            start = at + c.len_utf8();
        }
    }
    push_clause(&mut out, &text[start..]);
    out
}

fn push_clause<'a>(out: &mut Vec<&'a str>, clause: &'a str) {
    if clause.chars().any(char::is_alphanumeric) {
        out.push(clause.trim());
    }
}

/// Most clauses a question may have for [`trimmed`] to offer its shorter forms: a
/// fan's question and its chat make two or three; more is a text, not a question,
/// and asking each form would multiply the work on it.
const MAX_CLAUSES: usize = 4;

/// `text` (clipped as a question is) without its last clause, then without its
/// first, each with the clause left out; nothing if it has one clause, or more than
/// [`MAX_CLAUSES`].
pub fn trimmed(text: &str) -> Vec<(String, &str)> {
    let parts = clauses(super::clip(text, super::MAX_QUESTION_CHARS));
    if !(2..=MAX_CLAUSES).contains(&parts.len()) {
        return Vec::new();
    }
    let last = parts.len() - 1;
    vec![(parts[..last].join(", "), parts[last]), (parts[1..].join(", "), parts[0])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_punctuation_but_not_inside_numbers_or_abbreviations() {
        assert_eq!(
            clauses("is it in colour or b&w, havent watched yet"),
            ["is it in colour or b&w", "havent watched yet"]
        );
        assert_eq!(
            clauses("did it get 3.5 million views in L.A.?? lol"),
            ["did it get 3.5 million views in L.A.", "lol"]
        );
        assert_eq!(clauses("who made it - the director?"), ["who made it", "the director"]);
        assert_eq!(clauses("well-known? ,,, !"), ["well-known"]);
    }

    #[test]
    fn a_question_of_one_clause_or_a_text_of_many_has_no_shorter_form() {
        assert!(trimmed("who directed first kiss?").is_empty());
        assert!(trimmed(&"who directed it? ".repeat(5)).is_empty());
        // Clipped as a question is first: a clause past the first 500 characters
        // is never reached, and a 100 KB text is read no further.
        assert!(trimmed(&format!("{}, lol", "a".repeat(100_000))).is_empty());
        assert_eq!(
            trimmed("ok so, who directed it, i forgot"),
            [("ok so, who directed it".to_string(), "i forgot"), ("who directed it, i forgot".to_string(), "ok so")]
        );
    }
}
