//! The one place where a reply becomes Discord's embeds, buttons and messages, cut to
//! fit every limit Discord enforces, so that no reply is ever rejected for its size.
//! Pure functions of the reply model: unit-tested here without a connection.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter,
};

use crate::knowledge::KnowledgeBase;
use crate::render as plain;
use crate::reply::{Footnote, Reply, Status};

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
}

/// How much of a quote the answer embed shows; the Sources button shows it whole.
const QUOTE_PREVIEW: usize = 200;
const ANSWER_COLOUR: Colour = Colour(0xE9_1E_63);
const UNKNOWN_COLOUR: Colour = Colour(0x95_A5_A6);
/// The custom id of the Sources button is this prefix and the fact id.
pub const SOURCES_BUTTON: &str = "sources:";

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

/// The Sources button under an answer.
pub fn sources_button(reply: &Reply) -> Option<CreateActionRow> {
    let fact = reply.fact_id.as_deref().filter(|_| !reply.citations.is_empty())?;
    let custom_id = format!("{SOURCES_BUTTON}{fact}");
    (custom_id.len() <= limits::CUSTOM_ID).then(|| {
        CreateActionRow::Buttons(vec![CreateButton::new(custom_id).label("Sources").style(ButtonStyle::Secondary)])
    })
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

/// The first of Discord's embed limits that `embed` breaks, checked on the JSON
/// Discord would receive, or `None` if it fits. The rendering above budgets for
/// every limit; the tests and the fuzz targets hold it to that with this.
pub fn broken_limit(embed: &CreateEmbed) -> Option<String> {
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

    #[test]
    fn the_sources_button_names_its_fact() {
        let r = reply(Body::Answer { text: "x".into(), notes: vec![1] }, 1, "t");
        let v = serde_json::to_value(sources_button(&r).unwrap()).unwrap();
        assert_eq!(v["components"][0]["custom_id"], "sources:a-fact");
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
