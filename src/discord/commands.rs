//! The slash commands: their definitions, registered in one bulk overwrite, and the
//! parsing of an invocation into a request the handler serves.

use serenity::all::{
    ChannelId, CommandDataOptionValue, CommandInteraction, CommandOptionType, CommandType, CreateCommand,
    CreateCommandOption, Message, Permissions, ResolvedTarget,
};

pub const ASK: &str = "ask";
pub const FACT: &str = "fact";
pub const SOURCES: &str = "sources";
pub const ABOUT: &str = "about";
pub const RELOAD: &str = "reload";
pub const SETTINGS: &str = "settings";
/// The message context-menu command (Apps › Ask firstkiss-bot).
pub const ASK_MESSAGE: &str = "Ask firstkiss-bot";
/// Longest question `/ask` takes. Discord enforces it in the client.
pub const MAX_QUESTION_CHARS: u16 = 300;

/// Every command, for one bulk overwrite: re-registering on each start replaces the
/// set rather than adding to it. `/reload` is there only when someone may use it, and
/// hidden from members who are not administrators (the handler also checks owners).
pub fn definitions(with_reload: bool) -> Vec<CreateCommand> {
    let mut commands = vec![
        CreateCommand::new(ASK)
            .description("Ask a question about the short film \"First Kiss\"")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "question", "Your question, in your own words")
                    .required(true)
                    .min_length(1)
                    .max_length(MAX_QUESTION_CHARS),
            )
            .add_option(CreateCommandOption::new(CommandOptionType::Boolean, "private", "Show the answer only to you")),
        CreateCommand::new(FACT).description("Look up one fact about \"First Kiss\" by topic").add_option(
            CreateCommandOption::new(CommandOptionType::String, "topic", "Start typing a topic")
                .required(true)
                .max_length(100)
                .set_autocomplete(true),
        ),
        CreateCommand::new(SOURCES).description("The documents every answer is drawn from"),
        CreateCommand::new(ABOUT).description("What this bot does and how to ask it"),
        settings_definition(),
        // A message command has a name and no description.
        CreateCommand::new(ASK_MESSAGE).kind(CommandType::Message),
    ];
    if with_reload {
        commands.push(
            CreateCommand::new(RELOAD)
                .description("Re-read the fact base (bot owners only)")
                .default_member_permissions(Permissions::ADMINISTRATOR),
        );
    }
    commands
}

/// `/settings`: shown to members with Manage Server only (the handler checks the
/// permission too). Without options it lists the server's settings; each option
/// given changes one.
fn settings_definition() -> CreateCommand {
    let option = |kind, name: &str, description: &str| CreateCommandOption::new(kind, name, description);
    let seconds = |name: &str, description: &str| {
        option(CommandOptionType::Number, name, description).min_number_value(0.0).max_number_value(86_400.0)
    };
    CreateCommand::new(SETTINGS)
        .description("This server's settings for the bot (Manage Server): list them, or change some")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .dm_permission(false)
        .add_option(option(CommandOptionType::Channel, "add_qa_channel", "Answer questions in this channel unprompted"))
        .add_option(option(
            CommandOptionType::Channel,
            "remove_qa_channel",
            "Stop answering in this channel unprompted",
        ))
        .add_option(option(CommandOptionType::Boolean, "unprompted", "Answer unprompted in the Q&A channels at all"))
        .add_option(
            option(CommandOptionType::Number, "unprompted_threshold", "Confidence an unprompted answer needs (0 to 1)")
                .min_number_value(0.0)
                .max_number_value(1.0),
        )
        .add_option(seconds("user_cooldown", "Seconds between two unprompted answers to one member"))
        .add_option(seconds("channel_cooldown", "Seconds between two unprompted answers in one channel"))
        .add_option(option(
            CommandOptionType::Boolean,
            "record_questions",
            "Keep the text of questions the bot missed, for the fact base's curators",
        ))
        .add_option(option(
            CommandOptionType::Boolean,
            "private_answers",
            "Answer /ask privately unless asked otherwise",
        ))
        .add_option(option(CommandOptionType::Boolean, "reset", "Forget this server's settings: the defaults again"))
}

/// The changes a `/settings` invocation asks for; all `None` (and no reset): list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsChange {
    pub add_qa_channel: Option<ChannelId>,
    pub remove_qa_channel: Option<ChannelId>,
    pub unprompted: Option<bool>,
    pub unprompted_threshold: Option<f64>,
    pub user_cooldown: Option<f64>,
    pub channel_cooldown: Option<f64>,
    pub record_questions: Option<bool>,
    pub private_answers: Option<bool>,
    pub reset: bool,
}

impl SettingsChange {
    pub fn is_empty(&self) -> bool {
        *self == SettingsChange::default()
    }
}

/// What an invocation asks for.
#[derive(Debug, Clone)]
pub enum Request {
    Ask {
        question: String,
        private: Option<bool>,
    },
    Fact {
        topic: String,
    },
    Sources,
    About,
    Reload,
    Settings(SettingsChange),
    /// The message context-menu command, on this message (`None`: Discord did not
    /// resolve it).
    AnswerMessage(Option<Box<Message>>),
    Unknown {
        name: String,
    },
}

pub fn parse(command: &CommandInteraction) -> Request {
    let string = |name: &str| {
        command.data.options.iter().find(|o| o.name == name).and_then(|o| match &o.value {
            CommandDataOptionValue::String(s) => Some(s.clone()),
            _ => None,
        })
    };
    let boolean = |name: &str| {
        command.data.options.iter().find(|o| o.name == name).and_then(|o| match o.value {
            CommandDataOptionValue::Boolean(b) => Some(b),
            _ => None,
        })
    };
    let number = |name: &str| {
        command.data.options.iter().find(|o| o.name == name).and_then(|o| match o.value {
            CommandDataOptionValue::Number(n) if n.is_finite() => Some(n),
            CommandDataOptionValue::Integer(n) => Some(n as f64),
            _ => None,
        })
    };
    let channel = |name: &str| {
        command.data.options.iter().find(|o| o.name == name).and_then(|o| match o.value {
            CommandDataOptionValue::Channel(c) => Some(c),
            _ => None,
        })
    };
    if command.data.kind == CommandType::Message {
        let message = match command.data.target() {
            Some(ResolvedTarget::Message(m)) => Some(Box::new(m.clone())),
            _ => None,
        };
        return match command.data.name.as_str() {
            ASK_MESSAGE => Request::AnswerMessage(message),
            other => Request::Unknown { name: other.to_string() },
        };
    }
    match command.data.name.as_str() {
        SETTINGS => Request::Settings(SettingsChange {
            add_qa_channel: channel("add_qa_channel"),
            remove_qa_channel: channel("remove_qa_channel"),
            unprompted: boolean("unprompted"),
            unprompted_threshold: number("unprompted_threshold"),
            user_cooldown: number("user_cooldown"),
            channel_cooldown: number("channel_cooldown"),
            record_questions: boolean("record_questions"),
            private_answers: boolean("private_answers"),
            reset: boolean("reset").unwrap_or(false),
        }),
        ASK => Request::Ask { question: string("question").unwrap_or_default(), private: boolean("private") },
        FACT => Request::Fact { topic: string("topic").unwrap_or_default() },
        SOURCES => Request::Sources,
        ABOUT => Request::About,
        RELOAD => Request::Reload,
        other => Request::Unknown { name: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_set_the_documented_options() {
        let json = serde_json::to_value(definitions(false)).unwrap();
        let names: Vec<&str> = json.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, [ASK, FACT, SOURCES, ABOUT, SETTINGS, ASK_MESSAGE]);
        assert_eq!(json[0]["options"][0]["max_length"], MAX_QUESTION_CHARS);
        assert_eq!(json[0]["options"][0]["min_length"], 1);
        assert_eq!(json[1]["options"][0]["autocomplete"], true);
        let with_reload = serde_json::to_value(definitions(true)).unwrap();
        assert_eq!(with_reload[6]["name"], RELOAD);
        assert_eq!(with_reload[6]["default_member_permissions"], "8", "administrators only");
        assert_eq!(json[4]["default_member_permissions"], "32", "Manage Server only");
        assert_eq!(json[5]["type"], 3, "a message command");
        assert_eq!(json[5].get("description"), None);
    }
}
