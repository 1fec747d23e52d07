//! A message as Discord would show it, as text: the embed's title, description,
//! fields and footer, Discord's markdown as a terminal can show it, and the buttons
//! under it. The mock console prints every reply this way, and `firstkiss-bot
//! preview` a fact, so both show the same thing.

use serde_json::{json, Value};

use super::render::{self, Buttons};
use crate::store::RecordId;
use crate::Engine;

/// Fact `id` as an answer to `/fact` would show it, buttons included; `None` if
/// there is no such fact.
pub fn fact(engine: &Engine, id: &str, ansi: bool) -> Option<String> {
    let reply = engine.fact_reply(engine.kb().find(id)?);
    // The record id is in the buttons' custom ids only, which are not shown.
    let rows = render::components(&reply, &Buttons { record: RecordId(0), remove_for: None });
    let data = json!({"embeds": [render::answer(&reply)], "components": rows});
    Some(message(&data, ansi))
}

/// A message (or an interaction response's `data`) as Discord shows it: its
/// content, each embed's title, description, fields and footer, and its buttons as
/// `[label]`, one row per line.
pub fn message(data: &Value, ansi: bool) -> String {
    let md = |text: &str| markdown(text, ansi);
    let mut lines = Vec::new();
    if let Some(content) = data["content"].as_str().filter(|c| !c.is_empty()) {
        lines.push(md(content));
    }
    for embed in data["embeds"].as_array().into_iter().flatten() {
        // Discord shows titles, field names and footers as plain text.
        if let Some(title) = embed["title"].as_str() {
            lines.push(format!("== {title} =="));
        }
        if let Some(description) = embed["description"].as_str() {
            lines.push(md(description));
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            let value = md(field["value"].as_str().unwrap_or_default()).replace('\n', "\n    ");
            lines.push(format!("{}\n    {value}", field["name"].as_str().unwrap_or_default()));
        }
        if let Some(footer) = embed["footer"]["text"].as_str() {
            lines.push(format!("-- {footer}"));
        }
    }
    for row in data["components"].as_array().into_iter().flatten() {
        let buttons: Vec<String> = row["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["label"].as_str().map(|l| format!("[{l}]")))
            .collect();
        if !buttons.is_empty() {
            lines.push(buttons.join(" "));
        }
    }
    lines.join("\n")
}

/// Discord's markdown as a terminal can show it: `**bold**` and `*italics*` (or
/// `_italics_`) as ANSI bold and italics when `ansi`, else as their plain text;
/// `` `code` `` without its backticks; `\*` as `*`. A marker with no partner is
/// kept as written, as Discord keeps it.
pub fn markdown(text: &str, ansi: bool) -> String {
    const BOLD: (&str, &str) = ("\u{1b}[1m", "\u{1b}[22m");
    const ITALIC: (&str, &str) = ("\u{1b}[3m", "\u{1b}[23m");
    let chars: Vec<char> = text.chars().collect();
    let closes = |from: usize, marker: &[char]| {
        (from..chars.len()).any(|i| chars[i..].starts_with(marker) && i > from && !chars[i - 1].is_whitespace())
    };
    let mut out = String::with_capacity(text.len());
    let (mut bold, mut italic, mut code) = (false, None::<char>, false);
    let toggle = |out: &mut String, on: bool, (start, end): (&str, &str)| {
        if ansi {
            out.push_str(if on { start } else { end });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '`' && (code || closes(i + 1, &['`'])) {
            code = !code;
            i += 1;
        } else if code {
            out.push(c);
            i += 1;
        } else if c == '\\' && next.is_some_and(|n| n.is_ascii_punctuation()) {
            out.extend(next);
            i += 2;
        } else if c == '*' && next == Some('*') && (bold || closes(i + 2, &['*', '*'])) {
            bold = !bold;
            toggle(&mut out, bold, BOLD);
            i += 2;
        } else if (c == '*' || c == '_') && italic == Some(c) {
            italic = None;
            toggle(&mut out, false, ITALIC);
            i += 1;
        } else if (c == '*' || c == '_')
            && italic.is_none()
            && next.is_some_and(|n| !n.is_whitespace())
            && (c == '*' || i == 0 || !chars[i - 1].is_alphanumeric())
            && closes(i + 1, &[c])
        {
            italic = Some(c);
            toggle(&mut out, true, ITALIC);
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    if ansi && (bold || italic.is_some()) {
        out.push_str("\u{1b}[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_plain_text_off_a_terminal_and_styled_on_one() {
        for (text, plain, styled) in [
            ("**You could ask:**", "You could ask:", "\u{1b}[1mYou could ask:\u{1b}[22m"),
            ("by Alexis, *news report*", "by Alexis, news report", "by Alexis, \u{1b}[3mnews report\u{1b}[23m"),
            (
                "_italic_ and snake_case_name",
                "italic and snake_case_name",
                "\u{1b}[3mitalic\u{1b}[23m and snake_case_name",
            ),
            ("use `/ask` here", "use /ask here", "use /ask here"),
            ("5 * 3 = 15, a lone ** stays", "5 * 3 = 15, a lone ** stays", "5 * 3 = 15, a lone ** stays"),
            ("\\*not italic\\*", "*not italic*", "*not italic*"),
            ("**bold *and italic***", "bold and italic", "\u{1b}[1mbold \u{1b}[3mand italic\u{1b}[22m\u{1b}[23m"),
        ] {
            assert_eq!(markdown(text, false), plain, "{text}");
            assert_eq!(markdown(text, true), styled, "{text}");
        }
    }

    #[test]
    fn buttons_show_row_by_row() {
        let data = json!({"content": "hi", "components": [
            {"type": 1, "components": [{"type": 2, "label": "Sources"}, {"type": 2, "label": "👍"}]},
            {"type": 1, "components": [{"type": 2, "label": "Related: x"}]},
        ]});
        assert_eq!(message(&data, false), "hi\n[Sources] [👍]\n[Related: x]");
    }
}
