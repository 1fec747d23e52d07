//! The one place where a reply becomes Discord's embeds, buttons and messages, cut to
//! fit every limit Discord enforces, so that no reply is ever rejected for its size.
//! Pure functions of the reply model: unit-tested here without a connection.
//!
//! It also owns the buttons' custom ids, both ways ([`components`] writes them,
//! [`Click::parse`] reads them back): each carries what its click needs, so that a
//! click works on any process and after any reload, with nothing remembered.
//!
//! | button                | custom id                         |
//! |-----------------------|-----------------------------------|
//! | Sources               | `sources:FACT`                    |
//! | 👍 / 👎               | `fb:u:RECORD:PERCENT:FACT` / `fb:d:...` |
//! | a "did you mean"      | `sg:RECORD:FACT`                  |
//! | a related fact        | `rel:FACT`                        |
//! | Remove                | `del:ASKER`                       |
//! | the 👎 note (a modal) | `note:RECORD`                     |
//!
//! RECORD is the reply's [`RecordId`] in base 36 (the question's record, and the
//! answer's for feedback), PERCENT the confidence, ASKER the asker's user id.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInputText, CreateModal, InputTextStyle,
};

use crate::knowledge::KnowledgeBase;
use crate::render as plain;
use crate::reply::{Footnote, Reply, Status};
use crate::store::RecordId;

/// Discord's limits, in characters (developer docs, "Embed Limits" and "Message").
pub mod limits {
    pub const CONTENT: usize = 2_000;
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4_096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1_024;
    pub const FOOTER: usize = 2_048;
    /// All the text of all the embeds of one message together.
    pub const EMBED_TOTAL: usize = 6_000;
    pub const CHOICES: usize = 25;
    pub const CHOICE_NAME: usize = 100;
    pub const CHOICE_VALUE: usize = 100;
    pub const CUSTOM_ID: usize = 100;
    /// Action rows in a message, and buttons in a row.
    pub const ROWS: usize = 5;
    pub const BUTTONS: usize = 5;
    pub const BUTTON_LABEL: usize = 80;
    pub const MODAL_TITLE: usize = 45;
}

/// How much of a quote the answer embed shows; the Sources button shows it whole.
const QUOTE_PREVIEW: usize = 200;
const ANSWER_COLOUR: Colour = Colour(0xE9_1E_63);
const UNKNOWN_COLOUR: Colour = Colour(0x95_A5_A6);
/// The custom id of the Sources button is this prefix and the fact id.
pub const SOURCES_BUTTON: &str = "sources:";
const FEEDBACK: &str = "fb:";
const SUGGESTION: &str = "sg:";
const RELATED: &str = "rel:";
const REMOVE: &str = "del:";
/// The custom id of the 👎's modal is this prefix and the answer's record id.
pub const NOTE_MODAL: &str = "note:";
/// The custom id of the modal's one text field.
const NOTE_FIELD: &str = "note";
/// Longest note kept from the modal (Discord enforces it in the client, the bot
/// again on what arrives).
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Related facts offered under an answer.
const MAX_RELATED: usize = 3;

/// An embed being built within the 6,000-character budget of a message.
struct Budget {
    embed: CreateEmbed,
    left: usize,
    fields: usize,
}

impl Budget {
    fn new() -> Budget {
        Budget { embed: CreateEmbed::new(), left: limits::EMBED_TOTAL, fields: 0 }
    }

    /// Cuts `text` to `max` and to what is left of the budget, keeping `reserve` for
    /// what must still follow.
    fn take(&mut self, text: &str, max: usize, reserve: usize) -> String {
        let text = cut(text, max.min(self.left.saturating_sub(reserve)));
        self.left -= text.chars().count();
        text
    }

    fn title(mut self, title: &str) -> Budget {
        let title = self.take(title, limits::TITLE, 0);
        self.embed = self.embed.title(title);
        self
    }

    fn description(mut self, text: &str, reserve: usize) -> Budget {
        let text = self.take(text, limits::DESCRIPTION, reserve);
        self.embed = self.embed.description(text);
        self
    }

    /// Adds a field if it fits whole enough to be worth showing.
    fn field(mut self, name: &str, value: &str) -> Budget {
        if self.fields == limits::FIELDS || self.left < 40 {
            return self;
        }
        let name = self.take(name, limits::FIELD_NAME, 20);
        let value = self.take(value, limits::FIELD_VALUE, 0);
        if !name.is_empty() && !value.is_empty() {
            self.embed = self.embed.field(name, value, false);
            self.fields += 1;
        }
        self
    }

    fn footer(mut self, text: &str) -> CreateEmbed {
        let text = self.take(text, limits::FOOTER, 0);
        if text.is_empty() {
            self.embed
        } else {
            self.embed.footer(CreateEmbedFooter::new(text))
        }
    }
}

/// The answer to a question: the answer with footnote markers, each footnote with
/// a preview of its quote, and for "I don't know" the suggestions.
pub fn answer(reply: &Reply) -> CreateEmbed {
    let body = plain::body(reply);
    match reply.status {
        Status::Unknown => {
            let mut text = body;
            if !reply.suggestions.is_empty() {
                text.push_str("\n\n**You could ask:**");
                for suggestion in &reply.suggestions {
                    text.push_str("\n• ");
                    text.push_str(suggestion);
                }
            }
            // A gap or an entity's summary rests on quotes, shown as an answer's are.
            let mut embed = Budget::new().description(&text, if reply.citations.is_empty() { 0 } else { 600 });
            for note in &reply.citations {
                embed = embed.field(&footnote_name(note), &format!("“{}”", cut(&note.quote, QUOTE_PREVIEW)));
            }
            embed.embed.colour(UNKNOWN_COLOUR)
        }
        Status::Answered | Status::Contested => {
            let title = reply.fact_title.as_deref().unwrap_or("First Kiss");
            // Keep room for at least the first footnote and the footer.
            let mut embed = Budget::new().title(title).description(&body, 600);
            for note in &reply.citations {
                embed = embed.field(&footnote_name(note), &format!("“{}”", cut(&note.quote, QUOTE_PREVIEW)));
            }
            let footer = match reply.status {
                Status::Contested => "The documents disagree: each side is shown with its source.",
                _ => "Every answer quotes the document it rests on. Press Sources for the full quotes.",
            };
            embed.footer(footer).colour(ANSWER_COLOUR)
        }
    }
}

/// The full quotes behind an answer, shown privately to whoever presses Sources.
pub fn sources(reply: &Reply) -> CreateEmbed {
    let title = format!("Sources: {}", reply.fact_title.as_deref().unwrap_or("First Kiss"));
    let mut embed = Budget::new().title(&title);
    for note in &reply.citations {
        let value = format!("“{}”\n*{}*", note.quote, note.kind);
        embed = embed.field(&footnote_name(note), &value);
    }
    embed.footer("Quotes are verbatim from the documents. /sources lists them all.").colour(ANSWER_COLOUR)
}

/// What a reply's buttons carry besides the reply itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buttons {
    /// The reply's record id: the question's record, and the answer's for feedback.
    pub record: RecordId,
    /// For an answer posted unprompted: who asked, who may remove it.
    pub remove_for: Option<u64>,
}

/// The buttons under a reply: for an answer, Sources (if it quotes), 👍 and 👎
/// (and Remove, for an unprompted answer), then its related facts; for "I don't
/// know", its suggestions. Every custom id fits Discord's 100 characters (a fact id
/// has at most 64), and a button whose id would not is left out.
pub fn components(reply: &Reply, buttons: &Buttons) -> Vec<CreateActionRow> {
    let mut rows = Vec::new();
    let button = |id: String, label: &str, style: ButtonStyle| {
        (id.len() <= limits::CUSTOM_ID)
            .then(|| CreateButton::new(id).label(cut(label, limits::BUTTON_LABEL)).style(style))
    };
    let record = buttons.record;
    if let Some(fact) = reply.fact_id.as_deref().filter(|_| reply.is_answer()) {
        let mut first = Vec::new();
        if !reply.citations.is_empty() {
            first.extend(button(format!("{SOURCES_BUTTON}{fact}"), "Sources", ButtonStyle::Secondary));
        }
        let percent = (reply.confidence.clamp(0.0, 1.0) * 100.0).round() as u32;
        first.extend(button(format!("{FEEDBACK}u:{record}:{percent}:{fact}"), "👍", ButtonStyle::Secondary));
        first.extend(button(format!("{FEEDBACK}d:{record}:{percent}:{fact}"), "👎", ButtonStyle::Secondary));
        if let Some(asker) = buttons.remove_for {
            first.extend(button(format!("{REMOVE}{asker}"), "Remove", ButtonStyle::Danger));
        }
        rows.push(first);
        let mut seen = vec![fact];
        let mut related = Vec::new();
        for link in &reply.related {
            if related.len() == MAX_RELATED || seen.contains(&link.fact_id.as_str()) {
                continue;
            }
            seen.push(&link.fact_id);
            related.extend(button(
                format!("{RELATED}{}", link.fact_id),
                &format!("Related: {}", link.title),
                ButtonStyle::Primary,
            ));
        }
        rows.push(related);
    } else {
        let mut seen = Vec::new();
        let mut offered = Vec::new();
        for (question, fact) in reply.suggestions.iter().zip(&reply.suggested) {
            if offered.len() == crate::engine::SUGGESTIONS || seen.contains(&fact.as_str()) || question.is_empty() {
                continue;
            }
            seen.push(fact);
            offered.extend(button(format!("{SUGGESTION}{record}:{fact}"), question, ButtonStyle::Primary));
        }
        rows.push(offered);
    }
    rows.into_iter().filter(|r| !r.is_empty()).take(limits::ROWS).map(CreateActionRow::Buttons).collect()
}

/// What a click on one of the bot's buttons asks for, read back from its custom id.
#[derive(Debug, Clone, PartialEq)]
pub enum Click {
    Sources { fact: String },
    Feedback { helpful: bool, answer: RecordId, confidence: f32, fact: String },
    Suggestion { question: RecordId, fact: String },
    Related { fact: String },
    Remove { asker: u64 },
}

impl Click {
    /// The click a custom id stands for; `None` for one the bot never made (or one
    /// over Discord's 100 characters, which Discord never sends).
    pub fn parse(custom_id: &str) -> Option<Click> {
        if custom_id.len() > limits::CUSTOM_ID {
            return None;
        }
        let fact = |id: &str| {
            let ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            ok.then(|| id.to_string())
        };
        if let Some(id) = custom_id.strip_prefix(SOURCES_BUTTON) {
            return Some(Click::Sources { fact: fact(id)? });
        }
        if let Some(rest) = custom_id.strip_prefix(FEEDBACK) {
            let mut parts = rest.splitn(4, ':');
            let helpful = match parts.next()? {
                "u" => true,
                "d" => false,
                _ => return None,
            };
            let answer = RecordId::parse(parts.next()?)?;
            let percent: u8 = parts.next()?.parse().ok().filter(|&p| p <= 100)?;
            let fact = fact(parts.next()?)?;
            return Some(Click::Feedback { helpful, answer, confidence: f32::from(percent) / 100.0, fact });
        }
        if let Some(rest) = custom_id.strip_prefix(SUGGESTION) {
            let (record, id) = rest.split_once(':')?;
            return Some(Click::Suggestion { question: RecordId::parse(record)?, fact: fact(id)? });
        }
        if let Some(id) = custom_id.strip_prefix(RELATED) {
            return Some(Click::Related { fact: fact(id)? });
        }
        if let Some(asker) = custom_id.strip_prefix(REMOVE) {
            return asker.parse().ok().filter(|&a| a > 0).map(|asker| Click::Remove { asker });
        }
        None
    }
}

/// The modal a 👎 opens: "what were you looking for?", one optional paragraph.
pub fn note_modal(answer: RecordId) -> CreateModal {
    let field = CreateInputText::new(InputTextStyle::Paragraph, "What were you looking for?", NOTE_FIELD)
        .required(false)
        .max_length(MAX_NOTE_CHARS as u16)
        .placeholder("Optional: what the answer should have said, or what you meant to ask");
    CreateModal::new(format!("{NOTE_MODAL}{answer}"), cut("Thanks: what were you looking for?", limits::MODAL_TITLE))
        .components(vec![CreateActionRow::InputText(field)])
}

/// The answer a note belongs to, from the modal's custom id.
pub fn note_answer(custom_id: &str) -> Option<RecordId> {
    custom_id.strip_prefix(NOTE_MODAL).filter(|id| id.len() <= 13).and_then(RecordId::parse)
}

/// An embed that says something short, privately, in the bot's colour.
pub fn notice(text: &str) -> CreateEmbed {
    Budget::new().description(text, 0).embed.colour(UNKNOWN_COLOUR)
}

/// Every document the bot knows, as a fan would look for it: title, author and
/// kind. The file name under `sources/` is a hash, meaningless to fans.
pub fn source_list(kb: &KnowledgeBase) -> CreateEmbed {
    let mut embed = Budget::new().title("The documents behind every answer");
    for source in kb.sources() {
        let kind = source.kind.to_string();
        let kind = kind[..1].to_uppercase() + &kind[1..];
        let value = match &source.author {
            Some(author) => format!("{kind} by {author}"),
            None => kind,
        };
        embed = embed.field(&source.title, &value);
    }
    embed.footer("The bot answers only from these; every answer quotes one.").colour(ANSWER_COLOUR)
}

/// What the bot is and how to use it.
pub fn about(kb: &KnowledgeBase) -> CreateEmbed {
    let stats = kb.stats();
    let text = format!(
        "I answer questions about **\"First Kiss\"**, Tatia Pilieva's short film for the label Wren, \
         from {} documents, and quote the one each answer rests on.\n\n\
         **Ask** with `/ask`, by mentioning me, or in a Q&A channel.\n\
         **Browse** the {} facts I know with `/fact`, and the documents with `/sources`.\n\n\
         Where the documents disagree ({} such topics), I show each side with its source. \
         When they don't say, I say I don't know.",
        stats.sources, stats.facts, stats.contested
    );
    Budget::new().title("About this bot").description(&text, 0).embed.colour(ANSWER_COLOUR)
}

/// No mention in anything the bot sends may ping anyone: not @everyone, not a role,
/// not a user, not even the person it replies to.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// An autocomplete choice's label.
pub fn choice_name(title: &str) -> String {
    cut(title, limits::CHOICE_NAME)
}

fn footnote_name(note: &Footnote) -> String {
    match &note.author {
        Some(author) => format!("[{}] {} ({author})", note.number, note.title),
        None => format!("[{}] {}", note.number, note.title),
    }
}

/// `text` cut to at most `max` characters: at a word boundary when one is near, and
/// marked with an ellipsis when anything was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(max - 1).collect();
    let at_word = keep.rfind(char::is_whitespace).filter(|&i| keep[..i].chars().count() * 5 >= max * 4);
    let kept = at_word.map_or(keep.as_str(), |i| &keep[..i]).trim_end();
    format!("{kept}…")
}

/// Something Discord checks against its limits: an embed, or a message's rows of
/// components.
pub trait Limited {
    /// The first limit broken, or `None`.
    fn broken(&self) -> Option<String>;
}

impl Limited for CreateEmbed {
    fn broken(&self) -> Option<String> {
        broken_embed(self)
    }
}

impl Limited for [CreateActionRow] {
    fn broken(&self) -> Option<String> {
        broken_components(self)
    }
}

impl Limited for Vec<CreateActionRow> {
    fn broken(&self) -> Option<String> {
        broken_components(self)
    }
}

/// The first of Discord's limits that `what` (an embed, or rows of components)
/// breaks, checked on the JSON Discord would receive, or `None` if it fits. The
/// rendering above budgets for every limit; the tests and the fuzz targets hold it
/// to that with this.
pub fn broken_limit<T: Limited + ?Sized>(what: &T) -> Option<String> {
    what.broken()
}

/// Components: at most 5 rows of at most 5 buttons, each with a label of 1 to 80
/// characters and a custom id of 1 to 100, no custom id used twice.
fn broken_components(rows: &[CreateActionRow]) -> Option<String> {
    let v = match serde_json::to_value(rows) {
        Ok(v) => v,
        Err(e) => return Some(format!("the components do not serialize: {e}")),
    };
    let rows = v.as_array().map_or(&[][..], Vec::as_slice);
    if rows.len() > limits::ROWS {
        return Some(format!("{} rows, over {}", rows.len(), limits::ROWS));
    }
    let mut ids = std::collections::HashSet::new();
    for row in rows {
        let buttons = row["components"].as_array().map_or(&[][..], Vec::as_slice);
        if buttons.is_empty() || buttons.len() > limits::BUTTONS {
            return Some(format!("a row of {} components, not 1 to {}", buttons.len(), limits::BUTTONS));
        }
        for button in buttons {
            let label = button["label"].as_str().map_or(0, |l| l.chars().count());
            if !(1..=limits::BUTTON_LABEL).contains(&label) {
                return Some(format!("a label of {label} characters: {button}"));
            }
            let id = button["custom_id"].as_str().unwrap_or_default();
            if !(1..=limits::CUSTOM_ID).contains(&id.chars().count()) {
                return Some(format!("a custom id of {} characters: {id:?}", id.chars().count()));
            }
            if !ids.insert(id.to_string()) {
                return Some(format!("the custom id {id:?} is used twice"));
            }
        }
    }
    None
}

fn broken_embed(embed: &CreateEmbed) -> Option<String> {
    let v = match serde_json::to_value(embed) {
        Ok(v) => v,
        Err(e) => return Some(format!("the embed does not serialize: {e}")),
    };
    let len = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
    let (title, description, footer) = (len(&v["title"]), len(&v["description"]), len(&v["footer"]["text"]));
    let fields = v["fields"].as_array().map_or(&[][..], Vec::as_slice);
    let too_long = [
        ("title", title, limits::TITLE),
        ("description", description, limits::DESCRIPTION),
        ("footer", footer, limits::FOOTER),
        ("field count", fields.len(), limits::FIELDS),
    ];
    if let Some((what, n, max)) = too_long.into_iter().find(|&(_, n, max)| n > max) {
        return Some(format!("{what} is {n}, over {max}"));
    }
    let mut total = title + description + footer;
    for field in fields {
        let (name, value) = (len(&field["name"]), len(&field["value"]));
        if !(1..=limits::FIELD_NAME).contains(&name) || !(1..=limits::FIELD_VALUE).contains(&value) {
            return Some(format!("a field's name is {name} and value {value} characters: {field}"));
        }
        total += name + value;
    }
    (total > limits::EMBED_TOTAL).then(|| format!("{total} characters in all, over {}", limits::EMBED_TOTAL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{FactId, SourceKind};
    use crate::reply::Body;
    use proptest::prelude::*;

    fn assert_fits(embed: &CreateEmbed) {
        assert_eq!(broken_limit(embed), None);
    }

    #[test]
    fn broken_limits_are_found() {
        let long = "x".repeat(limits::DESCRIPTION + 1);
        assert!(broken_limit(&CreateEmbed::new().description(long)).is_some_and(|b| b.starts_with("description")));
        let field = "y".repeat(limits::FIELD_VALUE);
        let crowded = (0..6).fold(CreateEmbed::new(), |e, i| e.field(format!("f{i}"), field.clone(), false));
        assert!(broken_limit(&crowded).is_some_and(|b| b.contains("in all")), "6 x 1,024 is over 6,000");
        assert_eq!(broken_limit(&CreateEmbed::new().title("fits").field("a", "b", false)), None);
    }

    fn reply(body: Body, notes: usize, text: &str) -> Reply {
        let status = match body {
            Body::Contested { .. } => Status::Contested,
            Body::Unknown { .. } => Status::Unknown,
            Body::Answer { .. } => Status::Answered,
        };
        Reply {
            question: text.into(),
            status,
            fact: Some(FactId(0)),
            gap: None,
            fact_id: Some("a-fact".into()),
            fact_title: Some(text.into()),
            confidence: 0.9,
            body,
            citations: (1..=notes)
                .map(|n| Footnote {
                    number: n,
                    file: "000.txt".into(),
                    title: text.into(),
                    author: Some(text.into()),
                    kind: SourceKind::Interview,
                    quote: text.into(),
                })
                .collect(),
            suggestions: vec![text.into(); 3],
            suggested: vec!["a-fact".into(); 3],
            related: Vec::new(),
        }
    }

    #[test]
    fn cut_is_clean_and_bounded() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("the quick brown fox jumps", 18), "the quick brown…");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
        assert_eq!(cut("émoji 👩‍❤️‍💋‍👩 text", 8).chars().count(), 8);
        assert_eq!(cut("x", 0), "");
    }

    #[test]
    fn an_oversized_answer_still_fits_every_limit() {
        let huge = "word ".repeat(3_000);
        let cases = [
            reply(Body::Answer { text: huge.clone(), notes: (1..=40).collect() }, 40, &huge),
            reply(Body::Contested { intro: huge.clone(), claims: vec![(huge.clone(), 1); 30] }, 30, &huge),
            reply(Body::Unknown { text: huge.clone(), notes: Vec::new() }, 0, &huge),
        ];
        for r in &cases {
            assert_fits(&answer(r));
            assert_fits(&sources(r));
        }
    }

    #[test]
    fn a_normal_answer_shows_every_footnote() {
        let r = reply(Body::Answer { text: "Tatia Pilieva directed it.".into(), notes: vec![1, 2] }, 2, "short");
        let v = serde_json::to_value(answer(&r)).unwrap();
        assert_eq!(v["description"], "Tatia Pilieva directed it. [1][2]");
        assert_eq!(v["fields"].as_array().unwrap().len(), 2);
        assert_eq!(v["fields"][0]["name"], "[1] short (short)");
    }

    #[test]
    fn no_mention_can_ping() {
        let v = serde_json::to_value(no_pings()).unwrap();
        assert_eq!(v["parse"], serde_json::json!([]));
        assert_eq!(v["users"], serde_json::json!([]));
        assert_eq!(v["roles"], serde_json::json!([]));
        assert_eq!(v["replied_user"], false);
    }

    const BUTTONS: Buttons = Buttons { record: RecordId(36 * 36 - 1), remove_for: None };

    fn ids(rows: &[CreateActionRow]) -> Vec<String> {
        let v = serde_json::to_value(rows).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["components"].as_array().unwrap().iter().map(|b| b["custom_id"].as_str().unwrap().into()))
            .collect()
    }

    #[test]
    fn an_answer_carries_sources_feedback_and_its_related_facts() {
        let mut r = reply(Body::Answer { text: "x".into(), notes: vec![1] }, 1, "t");
        r.related = vec![
            crate::reply::Link { fact_id: "b".into(), title: "B".into() },
            crate::reply::Link { fact_id: "b".into(), title: "B again".into() },
            crate::reply::Link { fact_id: "a-fact".into(), title: "itself".into() },
        ];
        let rows = components(&r, &Buttons { remove_for: Some(42), ..BUTTONS });
        assert_eq!(ids(&rows), ["sources:a-fact", "fb:u:zz:90:a-fact", "fb:d:zz:90:a-fact", "del:42", "rel:b"]);
        assert_eq!(broken_limit(&rows), None);
        for id in ids(&rows) {
            assert!(Click::parse(&id).is_some(), "{id} reads back");
        }
        assert_eq!(
            Click::parse("fb:d:zz:90:a-fact"),
            Some(Click::Feedback { helpful: false, answer: RecordId(1295), confidence: 0.9, fact: "a-fact".into() })
        );
    }

    #[test]
    fn i_dont_know_offers_its_suggestions_as_buttons() {
        let mut r = reply(Body::Unknown { text: "?".into(), notes: vec![] }, 0, "t");
        r.status = Status::Unknown;
        r.suggested = vec!["one".into(), "two".into(), "one".into()];
        let rows = components(&r, &BUTTONS);
        assert_eq!(ids(&rows), ["sg:zz:one", "sg:zz:two"]);
        assert_eq!(Click::parse("sg:zz:two"), Some(Click::Suggestion { question: RecordId(1295), fact: "two".into() }));
    }

    #[test]
    fn custom_ids_fit_with_the_longest_fact_id_and_the_largest_record() {
        let longest = "x".repeat(crate::knowledge::MAX_FACT_ID_CHARS);
        let mut r = reply(Body::Answer { text: "x".into(), notes: vec![1] }, 1, "t");
        r.fact_id = Some(longest.clone());
        r.related = vec![crate::reply::Link { fact_id: longest.clone() + "y", title: "t".repeat(500) }];
        let big = Buttons { record: RecordId((1 << 63) - 1), remove_for: Some(u64::MAX) };
        let rows = components(&r, &big);
        assert_eq!(ids(&rows).len(), 5, "no button left out: {:?}", ids(&rows));
        assert_eq!(broken_limit(&rows), None);
        r.status = Status::Unknown;
        r.suggested = vec![longest; 3];
        assert_eq!(broken_limit(&components(&r, &big)), None);
    }

    #[test]
    fn hostile_custom_ids_are_refused() {
        for id in ["", "sources:", "fb:x:1:1:a", "fb:u:1:101:a", "sg:1:A", "del:0", "del:-1", "rel:a b", "note:1"] {
            assert_eq!(Click::parse(id), None, "{id}");
        }
        assert_eq!(Click::parse(&format!("rel:{}", "a".repeat(100_000))), None);
        assert_eq!(note_answer(&format!("note:{}", "1".repeat(100_000))), None);
        assert_eq!(note_answer("note:zz"), Some(RecordId(1295)));
    }

    #[test]
    fn broken_components_are_found() {
        let row = |n: usize, label: &str| {
            CreateActionRow::Buttons((0..n).map(|i| CreateButton::new(format!("b{i}")).label(label)).collect())
        };
        assert!(broken_limit(&vec![row(6, "x")]).is_some_and(|b| b.contains("row of 6")));
        assert!(broken_limit(&vec![row(1, &"x".repeat(81))]).is_some_and(|b| b.contains("label of 81")));
        assert!(broken_limit(&vec![row(1, "x"), row(1, "y")]).is_some_and(|b| b.contains("twice")));
        assert!(broken_limit(&vec![CreateActionRow::Buttons(vec![CreateButton::new("y".repeat(101)).label("x")])])
            .is_some_and(|b| b.contains("custom id")));
        assert_eq!(broken_limit(&vec![row(5, "x")]), None);
    }

    proptest! {
        #[test]
        fn any_reply_fits(text in "\\PC{0,300}", repeat in 1usize..40, notes in 0usize..30) {
            let text = text.repeat(repeat);
            let r = reply(Body::Answer { text: text.clone(), notes: (1..=notes).collect() }, notes, &text);
            assert_fits(&answer(&r));
            assert_fits(&sources(&r));
            prop_assert!(cut(&text, 100).chars().count() <= 100);
        }
    }
}
