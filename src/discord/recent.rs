//! The questions behind the answers just given, for servers that record questions:
//! a 👎 button carries the answer's record id, not its question (a custom id holds
//! 100 characters), so the bot keeps each recent question a while to put it on the
//! 👎 record, where a curator's `review` needs it. Memory only, and bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::RecordId;

/// A 👎 comes within minutes of the answer; one later is recorded without its question.
const KEPT_FOR: Duration = Duration::from_secs(60 * 60);
/// A bound on memory under a flood: at most this many questions (500 characters each).
const MAX_KEPT: usize = 20_000;

#[derive(Default)]
pub struct RecentQuestions(Mutex<Kept>);

#[derive(Default)]
struct Kept {
    questions: HashMap<RecordId, String>,
    /// The same ids, oldest first, with when each was kept.
    order: VecDeque<(Instant, RecordId)>,
}

impl RecentQuestions {
    pub fn keep(&self, answer: RecordId, question: String) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while let Some(&(at, old)) = kept.order.front() {
            if now.duration_since(at) < KEPT_FOR && kept.order.len() < MAX_KEPT {
                break;
            }
            kept.order.pop_front();
            kept.questions.remove(&old);
        }
        if kept.questions.insert(answer, question).is_none() {
            kept.order.push_back((now, answer));
        }
    }

    /// The question `answer` answered, if it is still kept.
    pub fn question(&self, answer: RecordId) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).questions.get(&answer).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_kept_by_answer_and_bounded() {
        let recent = RecentQuestions::default();
        recent.keep(RecordId(1), "who directed it".into());
        assert_eq!(recent.question(RecordId(1)).as_deref(), Some("who directed it"));
        assert_eq!(recent.question(RecordId(2)), None);
        for id in 2..=MAX_KEPT as u64 + 1 {
            recent.keep(RecordId(id), String::new());
        }
        assert_eq!(recent.0.lock().unwrap().questions.len(), MAX_KEPT, "memory stays bounded");
        assert_eq!(recent.question(RecordId(1)), None, "the oldest was forgotten to make room");
    }
}
