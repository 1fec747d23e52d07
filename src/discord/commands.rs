//! The slash commands: their definitions, registered in one bulk overwrite, and the
//! parsing of an invocation into a request the handler serves.

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption, Permissions,
};

pub const ASK: &str = "ask";
pub const FACT: &str = "fact";
pub const SOURCES: &str = "sources";
pub const ABOUT: &str = "about";
pub const RELOAD: &str = "reload";
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

/// What an invocation asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Ask { question: String, private: Option<bool> },
    Fact { topic: String },
    Sources,
    About,
    Reload,
    Unknown { name: String },
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
    match command.data.name.as_str() {
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
        assert_eq!(names, [ASK, FACT, SOURCES, ABOUT]);
        assert_eq!(json[0]["options"][0]["max_length"], MAX_QUESTION_CHARS);
        assert_eq!(json[0]["options"][0]["min_length"], 1);
        assert_eq!(json[1]["options"][0]["autocomplete"], true);
        let with_reload = serde_json::to_value(definitions(true)).unwrap();
        assert_eq!(with_reload[4]["name"], RELOAD);
        assert_eq!(with_reload[4]["default_member_permissions"], "8", "administrators only");
    }
}
