//! The in-memory store: for tests, and for a bot run without a database.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{Asked, Feedback, GuildSettings, Record, StoreError, SuggestionTaken};

#[derive(Debug, Clone, Default)]
pub struct Memory(Arc<Mutex<State>>);

#[derive(Debug, Default)]
pub struct State {
    pub asked: Vec<Asked>,
    pub feedback: Vec<(Feedback, Option<String>)>,
    pub suggestions: Vec<SuggestionTaken>,
    pub settings: BTreeMap<u64, GuildSettings>,
}

impl Memory {
    pub fn write(&self, record: &Record) -> Result<(), StoreError> {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match record {
            Record::Asked(a) => state.asked.push(a.clone()),
            Record::Feedback(f) => {
                if !state.feedback.iter().any(|(g, _)| g.answer == f.answer && g.user == f.user) {
                    state.feedback.push((f.clone(), None));
                }
            }
            Record::Note { answer, user, text } => {
                if let Some((_, note)) = state.feedback.iter_mut().find(|(f, _)| f.answer == *answer && f.user == *user)
                {
                    *note = Some(text.clone());
                }
            }
            Record::SuggestionTaken(s) => state.suggestions.push(s.clone()),
        }
        Ok(())
    }

    pub fn guild_settings(&self) -> Vec<(u64, GuildSettings)> {
        let state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        state.settings.iter().map(|(&g, s)| (g, s.clone())).collect()
    }

    pub fn save_guild_settings(&self, guild: u64, settings: GuildSettings) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).settings.insert(guild, settings);
    }

    /// A look at everything held, for tests.
    pub fn with<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
