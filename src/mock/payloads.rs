//! The JSON the mock Discord sends, complete as serenity requires: a payload missing
//! a field serenity needs is silently dropped as an unknown event, so every builder
//! here is checked by a test that deserializes it into serenity's own types.

use serde_json::{json, Value};

pub const TIMESTAMP: &str = "2014-03-10T12:00:00.000000+00:00";
/// Generous permissions for the bot: nothing it does fails for lack of one.
const PERMISSIONS: &str = "2248473465835073";
/// A plain member's permissions: view, send, embed, react, read history, use
/// application commands; not Manage Messages, not Manage Server.
pub const MEMBER: u64 = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 6) | (1 << 16) | (1 << 31);
/// Manage Messages, a moderator's.
pub const MANAGE_MESSAGES: u64 = 1 << 13;
/// Manage Server, for `/settings`.
pub const MANAGE_GUILD: u64 = 1 << 5;

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": bot})
}

pub fn member(user: Value) -> Value {
    member_with(user, MEMBER)
}

/// A member as an interaction carries them: with their permissions in the channel.
pub fn member_with(user: Value, permissions: u64) -> Value {
    json!({"user": user, "roles": [], "joined_at": TIMESTAMP, "deaf": false, "mute": false, "flags": 0,
           "permissions": permissions.to_string()})
}

pub fn hello(heartbeat_interval_ms: u64) -> Value {
    json!({"op": 10, "d": {"heartbeat_interval": heartbeat_interval_ms}, "s": null, "t": null})
}

pub fn dispatch(seq: u64, kind: &str, data: Value) -> Value {
    json!({"op": 0, "s": seq, "t": kind, "d": data})
}

pub fn ready(bot: &Value, app_id: u64, session_id: &str, resume_url: &str, shard: [u32; 2], guilds: &[u64]) -> Value {
    json!({
        "v": 10,
        "user": bot,
        "guilds": guilds.iter().map(|g| json!({"id": g.to_string(), "unavailable": true})).collect::<Vec<_>>(),
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "shard": shard,
        "application": {"id": app_id.to_string(), "flags": 0},
    })
}

/// Where an event happens and who causes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub guild: u64,
    pub channel: u64,
}

pub struct Interaction<'a> {
    pub id: u64,
    pub token: &'a str,
    pub app_id: u64,
    pub place: Place,
    pub user: Value,
    /// The member's permissions in the channel.
    pub permissions: u64,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub data: Value,
    pub message: Option<Value>,
}

impl Interaction<'_> {
    pub fn to_json(&self) -> Value {
        let mut d = json!({
            "id": self.id.to_string(),
            "application_id": self.app_id.to_string(),
            "type": self.kind,
            "data": self.data,
            "guild_id": self.place.guild.to_string(),
            "channel_id": self.place.channel.to_string(),
            "member": member_with(self.user.clone(), self.permissions),
            "token": self.token,
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": PERMISSIONS,
            "entitlements": [],
            "attachment_size_limit": 8_388_608,
        });
        if let Some(message) = &self.message {
            d["message"] = message.clone();
        }
        d
    }
}

/// Discord's PING, which it POSTs to an interactions endpoint to check it (when the
/// URL is saved in the Developer Portal, and now and then after).
pub fn ping(id: u64, app_id: u64, token: &str) -> Value {
    json!({"id": id.to_string(), "application_id": app_id.to_string(), "type": 1, "token": token, "version": 1})
}

/// The `data` of a slash command with options `(name, value)`: a string, a boolean,
/// a number, or `{"channel": "ID"}` for a channel.
pub fn command_data(command_id: u64, name: &str, options: &[(&str, Value)], focused: Option<&str>) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(option, value)| {
            let (kind, value) = match value {
                Value::Bool(_) => (5, value.clone()),
                Value::Number(_) => (10, value.clone()),
                Value::Object(o) if o.contains_key("channel") => (7, o["channel"].clone()),
                _ => (3, value.clone()),
            };
            let mut o = json!({"name": option, "type": kind, "value": value});
            if focused == Some(*option) {
                o["focused"] = json!(true);
            }
            o
        })
        .collect();
    json!({"id": command_id.to_string(), "name": name, "type": 1, "options": options})
}

pub fn button_data(custom_id: &str) -> Value {
    json!({"custom_id": custom_id, "component_type": 2})
}

/// The `data` of a message context-menu command (command type 3) on `target`.
pub fn message_command_data(command_id: u64, name: &str, target: &Value) -> Value {
    let id = target["id"].as_str().unwrap_or("0");
    json!({"id": command_id.to_string(), "name": name, "type": 3, "target_id": id,
           "resolved": {"messages": {id: target}}})
}

/// The `data` of a submitted modal with one text field.
pub fn modal_data(custom_id: &str, field: &str, text: &str) -> Value {
    json!({"custom_id": custom_id, "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": field, "value": text}]}
    ]})
}

/// MESSAGE_REACTION_ADD: `user` added `emoji` to a message by `author`.
pub fn reaction(place: Place, user: u64, message: u64, author: u64, emoji: &str) -> Value {
    json!({
        "user_id": user.to_string(), "channel_id": place.channel.to_string(), "message_id": message.to_string(),
        "guild_id": place.guild.to_string(), "message_author_id": author.to_string(),
        "emoji": {"id": null, "name": emoji}, "burst": false, "burst_colors": [], "type": 0,
    })
}

/// A public thread (channel type 11) in `parent`, as THREAD_CREATE carries it; a
/// forum post is such a thread too.
pub fn thread(id: u64, guild: u64, parent: u64, owner: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "guild_id": guild.to_string(), "parent_id": parent.to_string(),
        "owner_id": owner.to_string(), "type": 11, "name": name, "last_message_id": null,
        "rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "position": 0, "nsfw": false,
        "permission_overwrites": [], "flags": 0, "newly_created": true,
        "thread_metadata": {"archived": false, "auto_archive_duration": 1440, "archive_timestamp": TIMESTAMP,
                            "locked": false},
    })
}

/// THREAD_LIST_SYNC: the threads open in `guild`, as Discord sends them when the
/// bot gains access to a channel (GUILD_CREATE carries the same list).
pub fn thread_list_sync(guild: u64, threads: &[Value]) -> Value {
    json!({"guild_id": guild.to_string(), "threads": threads, "members": []})
}

/// A message as Discord sends it in MESSAGE_CREATE and returns from REST.
pub fn message(id: u64, place: Place, author: Value, content: &str, mentions: &[Value], extra: &Value) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": place.channel.to_string(),
        "guild_id": place.guild.to_string(),
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    });
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        for key in ["embeds", "components", "flags", "message_reference", "content"] {
            if let Some(value) = extra.get(key) {
                m.insert(key.to_string(), value.clone());
            }
        }
    }
    m
}

pub fn application(app_id: u64, bot: &Value) -> Value {
    json!({
        "id": app_id.to_string(), "name": "firstkiss-mock", "icon": null, "description": "", "bot_public": true,
        "bot_require_code_grant": false, "verify_key": "00", "flags": 0, "owner": bot,
    })
}

/// A registered command as Discord returns it: the request plus ids.
pub fn registered_command(id: u64, app_id: u64, guild: Option<u64>, request: &Value) -> Value {
    let mut c = request.clone();
    c["id"] = json!(id.to_string());
    c["application_id"] = json!(app_id.to_string());
    c["guild_id"] = json!(guild.map(|g| g.to_string()));
    c["version"] = json!("1");
    if c.get("type").is_none() {
        c["type"] = json!(1);
    }
    if c.get("description").is_none() {
        c["description"] = json!("");
    }
    c
}

pub fn error(code: u64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::all::{Interaction as SerenityInteraction, Message, Ready};

    fn place() -> Place {
        Place { guild: 100 << 22, channel: 7 }
    }

    #[test]
    fn ready_deserializes() {
        let ready: Ready =
            serde_json::from_value(super::ready(&user(1, "bot", true), 1, "s", "ws://x", [0, 1], &[5])).unwrap();
        assert_eq!(ready.guilds.len(), 1);
    }

    #[test]
    fn interactions_deserialize_as_their_kind() {
        let fan = user(42, "fan", false);
        let command = Interaction {
            id: 9,
            token: "t",
            app_id: 1,
            place: place(),
            user: fan.clone(),
            permissions: MEMBER,
            kind: 2,
            message: None,
            data: command_data(3, "ask", &[("question", json!("who")), ("private", json!(true))], None),
        };
        assert!(matches!(serde_json::from_value(command.to_json()).unwrap(), SerenityInteraction::Command(_)));
        let complete =
            Interaction { kind: 4, data: command_data(3, "fact", &[("topic", json!("so"))], Some("topic")), ..command };
        assert!(matches!(serde_json::from_value(complete.to_json()).unwrap(), SerenityInteraction::Autocomplete(_)));
        let bot_message = message(5, place(), user(1, "bot", true), "", &[], &json!({}));
        let click = Interaction { kind: 3, data: button_data("sources:x"), message: Some(bot_message), ..complete };
        assert!(matches!(serde_json::from_value(click.to_json()).unwrap(), SerenityInteraction::Component(_)));
        let target = message(6, place(), fan.clone(), "who directed it?", &[], &json!({}));
        let menu = Interaction { kind: 2, data: message_command_data(4, "Ask firstkiss-bot", &target), ..click };
        match serde_json::from_value(menu.to_json()).unwrap() {
            SerenityInteraction::Command(c) => {
                assert!(matches!(c.data.target(), Some(serenity::all::ResolvedTarget::Message(m)) if m.id.get() == 6));
            }
            other => panic!("{other:?}"),
        }
        let submit = Interaction { kind: 5, data: modal_data("note:1", "note", "@everyone hi"), message: None, ..menu };
        assert!(matches!(serde_json::from_value(submit.to_json()).unwrap(), SerenityInteraction::Modal(_)));
        let settings = Interaction {
            kind: 2,
            permissions: MANAGE_GUILD,
            data: command_data(
                5,
                "settings",
                &[("add_qa_channel", json!({"channel": "3000"})), ("user_cooldown", json!(2.5))],
                None,
            ),
            ..submit
        };
        match serde_json::from_value(settings.to_json()).unwrap() {
            SerenityInteraction::Command(c) => {
                assert_eq!(c.member.unwrap().permissions, Some(serenity::all::Permissions::MANAGE_GUILD));
                assert_eq!(c.data.options.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        let ping = serde_json::from_value(super::ping(9, 1, "t")).unwrap();
        assert!(matches!(ping, SerenityInteraction::Ping(_)));
    }

    #[test]
    fn reactions_and_threads_deserialize() {
        let r: serenity::all::Reaction = serde_json::from_value(reaction(place(), 42, 5, 1, "❌")).unwrap();
        assert!(r.emoji.unicode_eq("❌") && r.message_author_id.map(|a| a.get()) == Some(1));
        let t: serenity::all::GuildChannel = serde_json::from_value(thread(9, 100 << 22, 7, 42, "a thread")).unwrap();
        assert_eq!(t.parent_id.map(|p| p.get()), Some(7));
        assert_eq!(t.kind, serenity::all::ChannelType::PublicThread);
        let sync: serenity::all::ThreadListSyncEvent =
            serde_json::from_value(thread_list_sync(100 << 22, &[thread(9, 100 << 22, 7, 42, "a thread")])).unwrap();
        assert_eq!(sync.threads.len(), 1);
    }

    #[test]
    fn messages_deserialize() {
        let m: Message = serde_json::from_value(message(
            5,
            place(),
            user(42, "fan", false),
            "hi",
            &[user(1, "bot", true)],
            &json!({"embeds": []}),
        ))
        .unwrap();
        assert_eq!(m.mentions.len(), 1);
    }
}
