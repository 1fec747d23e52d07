//! The engine: a fact base and its matcher, built together once and then shared,
//! read-only, by every question. This is the library's front door.

use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::complete::TitleIndex;
use crate::knowledge::{FactId, KnowledgeBase, KnowledgeError};
use crate::matcher::{Matcher, Ranking, Target, CANDIDATES};
use crate::quotes::CitedPhrases;
use crate::reference::{Located, Reference, References};
use crate::reply::Reply;
use crate::{quotes, smalltalk, text};

/// How many suggestions an "I don't know" offers.
pub const SUGGESTIONS: usize = 3;
/// How many entries a question naming a document looks through for one citing it.
const DOCUMENT_CANDIDATES: usize = 20;
/// A ranked fact below this is too far off to suggest.
const SUGGESTION_FLOOR: f32 = 0.12;

#[derive(Debug)]
pub struct Engine {
    kb: KnowledgeBase,
    matcher: Matcher,
    titles: TitleIndex,
    references: References,
    cited: CitedPhrases,
}

impl Engine {
    pub fn new(kb: KnowledgeBase) -> Engine {
        let matcher = Matcher::new(&kb);
        Engine::with_matcher(kb, matcher)
    }

    /// `kb` with its matcher, already made.
    fn with_matcher(kb: KnowledgeBase, matcher: Matcher) -> Engine {
        let titles = TitleIndex::new(&kb);
        let references = References::new(&kb);
        let cited = CitedPhrases::new(&kb);
        Engine { kb, matcher, titles, references, cited }
    }

    /// The fact base at `path`, or the built-in one.
    pub fn load(path: Option<&Path>) -> Result<Engine, KnowledgeError> {
        let (kb, matcher) = match path {
            Some(path) => match crate::builtin::base_at(path) {
                Some(compiled) => compiled,
                None => return Ok(Engine::new(KnowledgeBase::load(path)?)),
            },
            None => crate::builtin::base()?,
        };
        Ok(Engine::with_matcher(kb, matcher.trained()))
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Answers a question put to the bot directly, at the threshold learned with the
    /// model.
    pub fn ask(&self, question: &str) -> Reply {
        self.ask_with(question, self.matcher.threshold())
    }

    /// Answers if the matcher's confidence reaches `threshold`; otherwise says it
    /// does not know and suggests the nearest facts. Small talk gets a friendly line.
    pub fn ask_with(&self, question: &str, threshold: f32) -> Reply {
        if let Some(kind) = smalltalk::classify(question) {
            return Reply::chat(question, kind.reply());
        }
        if let Some(reply) =
            quotes::who_said(&self.kb, question).and_then(|said| Reply::attribution(&self.kb, question, &said))
        {
            return reply;
        }
        if let Some(reply) = self.answer_quoting(question, threshold) {
            return reply;
        }
        // Split once: the document finder and the matcher read the same words.
        let words = text::question_words(question);
        let ranking = self.matcher.rank_words(&words, CANDIDATES);
        match self.locate(question, &words) {
            Some(Located::Asks(named)) => {
                if let Some(reply) = self.answer_from_document(question, &named, &words, &ranking, threshold) {
                    return reply;
                }
            }
            // "Who wrote the 'spawns actual couple' article": a document that names no
            // writer has none to give, whatever fact its title's words reach.
            Some(Located::AboutIt { source, writer: true, .. }) if self.kb.source(source).author.is_none() => {
                let title = &self.kb.source(source).title;
                let text = format!("The documents don't say who wrote \u{201c}{title}\u{201d}.");
                return Reply::unknown(&self.kb, question, 0.0, self.suggest(&ranking)).saying(&text);
            }
            // "title of mallin's piece?": the fact that cites the document's title.
            Some(Located::AboutIt { source, writer: false, title: true }) => {
                if let Some(id) = self.title_fact(source) {
                    return Reply::for_fact(&self.kb, id, question, 1.0);
                }
            }
            _ => {}
        }
        match self.shorter_form(question, &ranking, threshold) {
            Some((_, shorter)) => self.reply(question, &shorter, threshold),
            None => self.reply(question, &ranking, threshold),
        }
    }

    /// The answer to a question quoting a phrase of the documents ("what did coker
    /// say it was 'exactly as'"): of the facts whose citations hold the phrase, the
    /// one the question ranks first, in the words of the document the phrase
    /// stands in (its side of a contested fact). The phrase is the evidence, so it
    /// answers at the threshold even where the question's other words are too few
    /// to reach it.
    fn answer_quoting(&self, question: &str, threshold: f32) -> Option<Reply> {
        let citing = self.cited.citing(question);
        if citing.is_empty() {
            return None;
        }
        let ranking = self.matcher.rank_top(question, DOCUMENT_CANDIDATES);
        let (id, source, confidence) = ranking.ranked.iter().find_map(|s| {
            let id = s.fact()?;
            citing.iter().find(|c| c.0 == id).map(|&(id, source)| (id, source, s.confidence))
        })?;
        Some(Reply::from_source(&self.kb, id, question, confidence.max(threshold), source))
    }

    /// `question` with its first or last clause left out, and its ranking, if that
    /// clears `threshold` for the fact the whole question ranks first, below it: a
    /// clause of chat ("..., havent watched yet dont judge") adds words no fact
    /// accounts for, and so lowers the confidence in the fact the rest asks for
    /// without changing which fact that is. A clause that opens with a question word
    /// ("..., which article?") asks something itself, and is never left out.
    fn shorter_form(&self, question: &str, ranking: &Ranking, threshold: f32) -> Option<(String, Ranking)> {
        let best = ranking.ranked.first().filter(|s| s.confidence < threshold)?;
        let fact = best.fact()?;
        shorter_forms(question).find_map(|rest| {
            let shorter = self.matcher.rank_words(&text::question_words(&rest), CANDIDATES);
            let lifted = shorter.ranked.first().is_some_and(|s| s.fact() == Some(fact) && s.confidence >= threshold);
            lifted.then_some((rest, shorter))
        })
    }

    /// What a question names a document for: what the document says, or the document
    /// itself. A clause of chat after a question about the document itself ("who
    /// wrote the 'spawns actual couple' article, theres no name on it") adds words
    /// that would make it a question about what the document says; without its last
    /// clause, it asks about the same document. (Without its first, "is avedon still
    /// alive, according to that fashion write up" would ask who wrote it.)
    fn locate(&self, question: &str, words: &[String]) -> Option<Located> {
        let located = self.references.locate(words)?;
        let Located::Asks(named) = &located else { return Some(located) };
        let first_clauses = text::clauses::trimmed(question).into_iter().next();
        let about_it = first_clauses.filter(|(rest, out)| may_leave_out(rest, out)).and_then(|(rest, _)| {
            match self.references.locate(&text::question_words(&rest)) {
                Some(about @ Located::AboutIt { source, .. }) if source == named.source => Some(about),
                _ => None,
            }
        });
        Some(about_it.unwrap_or(located))
    }

    /// The shorter form of `question` its answer may come from (see
    /// [`Engine::shorter_form`]), for `ask --explain`.
    pub fn shorter_form_of(&self, question: &str) -> Option<String> {
        let ranking = self.matcher.rank_top(question, CANDIDATES);
        self.shorter_form(question, &ranking, self.matcher.threshold()).map(|(text, _)| text)
    }

    /// The answer to a question that names a document ("according to Mallin, ..."),
    /// from that document: the best fact citing it for what is left of the question
    /// once the words naming the document are gone, else the question's own answer
    /// if it cites the document. `None` leaves the question to the usual path.
    fn answer_from_document(
        &self,
        question: &str,
        named: &Reference,
        words: &[String],
        ranking: &Ranking,
        threshold: f32,
    ) -> Option<Reply> {
        let cites = |id: FactId| {
            let fact = self.kb.fact(id);
            fact.every_citation().any(|c| c.source == named.source)
        };
        let best = |ranking: &Ranking| {
            ranking.ranked.iter().find_map(|s| s.fact().filter(|&id| cites(id)).map(|id| (id, s.confidence)))
        };
        // What is left once the words naming the document are gone asks the question:
        // the naming words (a title's "spawns actual couple") would pull the whole
        // question towards whatever fact quotes the title.
        let from_rest = best(&self.matcher.rank_top(&named.rest, DOCUMENT_CANDIDATES)).filter(|&(id, confidence)| {
            // What is left can lose what made it a near miss ("how long was the
            // interview"): the whole question must have reached the fact too, if not
            // first (the author's name may fill the first places with what the
            // documents don't say of them).
            // The whole question's own ranking holds the first of those places, so
            // a wider one is asked for only when the fact is not among them.
            let among = |ranking: &Ranking| ranking.ranked.iter().any(|s| s.fact() == Some(id));
            confidence >= threshold && (among(ranking) || among(&self.matcher.rank_words(words, DOCUMENT_CANDIDATES)))
        });
        let (id, confidence) = match from_rest {
            Some(found) => found,
            None => {
                ranking.answer(threshold).and_then(|s| s.fact().filter(|&id| cites(id)).map(|id| (id, s.confidence)))?
            }
        };
        // Both ways cleared the threshold.
        Some(Reply::from_source(&self.kb, id, question, confidence, named.source))
    }

    /// The fact that gives a document's title: one citing its title as the
    /// document has it (a byline after it may be part of the quote).
    fn title_fact(&self, source: usize) -> Option<FactId> {
        let title = text::loose(&self.kb.source(source).title).to_lowercase();
        self.kb.fact_ids().find(|&id| {
            let fact = self.kb.fact(id);
            fact.citations.iter().any(|c| c.source == source && text::loose(&c.quote).to_lowercase().contains(&title))
        })
    }

    /// The reply `ranking` makes: the best fact if it clears `threshold`; else what
    /// the documents leave open, said as precisely as the base allows: the gap the
    /// question matched, or what the documents say of the entity it names, or a
    /// plain "I don't know".
    pub fn reply(&self, question: &str, ranking: &Ranking, threshold: f32) -> Reply {
        if ranking.empty {
            return Reply::empty(&self.kb, question, self.featured());
        }
        // The model judged facts and gaps alike, so the surest says what to do: a fact
        // answers, a gap says what the documents leave open; either only if sure enough.
        let confidence = ranking.ranked.first().map_or(0.0, |s| s.confidence);
        match ranking.ranked.first().map(|s| s.target) {
            Some(Target::Fact(id)) if confidence >= threshold => {
                return Reply::for_fact(&self.kb, id, question, confidence);
            }
            Some(Target::Gap(id)) if confidence >= threshold => {
                return Reply::gap(&self.kb, id, question, confidence, self.suggest(ranking));
            }
            _ => {}
        }
        match ranking.entities.first() {
            Some(&entity) => Reply::about_entity(&self.kb, entity, question, confidence, self.suggest(ranking)),
            None => Reply::unknown(&self.kb, question, confidence, self.suggest(ranking)),
        }
    }

    /// What to offer instead of an answer: the nearest facts, then facts about what
    /// the question names, then the featured facts.
    fn suggest(&self, ranking: &Ranking) -> Vec<FactId> {
        let mut near: Vec<FactId> =
            ranking.ranked.iter().filter(|s| s.confidence >= SUGGESTION_FLOOR).filter_map(|s| s.fact()).collect();
        for &entity in &ranking.entities {
            let about = self.kb.fact_ids().filter(|&id| self.kb.fact(id).about.contains(&entity));
            for id in about {
                if near.len() >= SUGGESTIONS {
                    break;
                }
                if !near.contains(&id) {
                    near.push(id);
                }
            }
        }
        if near.is_empty() {
            return self.featured();
        }
        near.truncate(SUGGESTIONS);
        near
    }

    /// Facts whose titles match what a user is typing, for autocomplete: titles with
    /// a word starting with each typed word, the matcher's best first; if none does
    /// (a typo, another wording), the matcher's ranking. Empty input lists the first
    /// facts.
    pub fn complete(&self, typed: &str, limit: usize) -> Vec<FactId> {
        let typed_words = crate::text::words(crate::text::clip(typed, crate::text::MAX_QUESTION_CHARS));
        if typed_words.is_empty() {
            return self.kb.fact_ids().take(limit).collect();
        }
        let ranked: Vec<FactId> = self.matcher.rank_top(typed, limit).ranked.iter().filter_map(|s| s.fact()).collect();
        let mut by_title: Vec<FactId> =
            ranked.iter().copied().filter(|&id| self.titles.matches(id, &typed_words)).collect();
        let rest = self.titles.fill(&typed_words, &by_title, limit.saturating_sub(by_title.len()));
        if by_title.is_empty() && rest.is_empty() {
            return ranked;
        }
        by_title.extend(rest);
        by_title
    }

    /// The reply presenting one fact, chosen by the user rather than matched.
    pub fn fact_reply(&self, id: FactId) -> Reply {
        Reply::for_fact(&self.kb, id, &self.kb.fact(id).title, 1.0)
    }

    /// What to suggest when nothing is near: the first facts of the base, which the
    /// curators order by what fans ask most.
    fn featured(&self) -> Vec<FactId> {
        self.kb.fact_ids().take(SUGGESTIONS).collect()
    }
}

/// `question` without its last clause, then without its first, where
/// [`may_leave_out`] allows leaving that clause out.
fn shorter_forms(question: &str) -> impl Iterator<Item = String> + '_ {
    text::clauses::trimmed(question).into_iter().filter(|(rest, out)| may_leave_out(rest, out)).map(|(rest, _)| rest)
}

/// Whether a clause may be left out of a question, leaving `rest`: it must ask
/// nothing itself, and say less than what is left, in words or in words that are
/// not filler ("..., according to that article" asks nothing alone).
fn may_leave_out(rest: &str, left_out: &str) -> bool {
    let left_out = text::words(left_out);
    if left_out.first().is_some_and(|w| crate::matcher::is_question_word(w)) {
        return false;
    }
    let rest = text::words(rest);
    let said = |words: &[String]| words.iter().filter(|w| !text::is_stopword(w)).count();
    left_out.len() < rest.len() || said(&left_out) < said(&rest)
}

/// The engine in use, replaceable while questions are being answered: a reader takes
/// the current engine (a pointer copy) and keeps it for the whole question, so no
/// question ever sees half of an old base and half of a new one.
#[derive(Debug)]
pub struct SharedEngine(RwLock<Arc<Engine>>);

impl SharedEngine {
    pub fn new(engine: Engine) -> SharedEngine {
        SharedEngine(RwLock::new(Arc::new(engine)))
    }

    pub fn current(&self) -> Arc<Engine> {
        // A poisoned lock only means a writer panicked between two whole engines.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn replace(&self, engine: Engine) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
    }

    /// Loads and checks the fact base at `path` (the built-in one for `None`) and, only
    /// if it is valid, makes it current. The old base answers until the swap, and an
    /// invalid file changes nothing.
    pub fn reload(&self, path: Option<&Path>) -> Result<crate::knowledge::Stats, KnowledgeError> {
        let engine = Engine::load(path)?;
        let stats = engine.kb().stats();
        self.replace(engine);
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{Body, Status};

    #[test]
    fn a_phrase_quoted_from_a_citation_is_answered_by_the_fact_citing_it() {
        // "Coker" alone reaches her every fact about as well; the phrase is in one
        // fact's citation.
        let engine = Engine::load(None).expect("the shipped base");
        let reply = engine.ask("what did coker say it was 'exactly as'");
        assert_eq!(reply.fact_id.as_deref(), Some("coker-actor-friends"), "{reply:?}");
        assert!(reply.confidence >= engine.matcher().threshold());
    }

    #[test]
    fn a_clause_of_chat_does_not_stop_an_answer() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        for (question, fact) in [
            ("is the whole film black and white, havent seen it yet", "black-and-white"),
            ("was it shot in black and white, my mom wants to know", "black-and-white"),
            ("how many cameras were there, my film teacher asked", "five-cameras"),
        ] {
            let whole = engine.matcher().rank(question);
            assert!(whole.ranked[0].confidence < engine.matcher().threshold(), "{question}: sure without help");
            let reply = engine.ask(question);
            assert_eq!(reply.fact_id.as_deref(), Some(fact), "{question}");
            assert!(reply.confidence >= engine.matcher().threshold(), "{question}");
        }
    }

    #[test]
    fn a_shorter_form_only_lifts_the_fact_the_whole_question_ranks_first() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        let threshold = engine.matcher().threshold();
        let mut lifted = 0;
        for question in [
            "did soko write the song, my friend thinks so",
            "where was it filmed, i wanna visit",
            "how many views did it get, exact number",
            "who shot the video, my sister asked me and i had no clue",
            "what song is in it, the director's husband shot it right",
            "what did tatia study, like undergrad",
            "soko's favorite band? i bet its smth 80s",
            "how many cameras were there, my film teacher asked",
        ] {
            let whole = engine.matcher().rank(question);
            let first = whole.ranked.first().and_then(|s| s.fact()).map(|id| engine.kb().fact(id).id.as_str());
            let reply = engine.ask(question);
            if let Some(answered) = reply.fact_id.as_deref() {
                assert_eq!(first, Some(answered), "{question}");
                lifted += usize::from(whole.ranked[0].confidence < threshold);
            }
        }
        assert!(lifted > 0, "no question here was answered by a shorter form");
    }

    #[test]
    fn a_question_naming_a_document_gets_that_documents_side() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        let both = engine.ask("how long is first kiss");
        assert_eq!(both.status, Status::Contested, "asked plainly, every side");
        for (question, says) in [
            ("according to mallin how long is the video", "three-and-a-half"),
            ("according to the huffpost interview how long is the film", "three-minute"),
        ] {
            let reply = engine.ask(question);
            assert_eq!(reply.fact_id, both.fact_id, "{question}");
            assert_eq!(reply.status, Status::Answered, "{question}: one side, not a contest");
            let Body::Answer { text, .. } = &reply.body else { panic!("{question}: {:?}", reply.body) };
            assert!(text.contains(says), "{question}: {text}");
            assert_eq!(reply.citations.len(), 1, "{question}: that document's citation only");
        }
    }

    #[test]
    fn the_words_naming_a_document_do_not_choose_the_fact() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        // The title's words ("spawns actual couple") are quoted by the view count's
        // fact; the question asks how many people took part.
        let reply = engine.ask("how many strangers does the spawns actual couple piece say are in it");
        assert_eq!(reply.fact_id.as_deref(), Some("how-many-people"));
        let Body::Answer { text, .. } = &reply.body else { panic!("{:?}", reply.body) };
        assert!(text.contains("20"), "{text}");
    }

    #[test]
    fn the_writer_of_an_unsigned_document_is_not_made_up() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        for question in [
            "who wrote the 'spawns actual couple' article",
            "who wrote the 'spawns actual couple' article, theres no name on it",
        ] {
            let reply = engine.ask(question);
            assert!(!reply.is_answer(), "{question}: {:?}", reply.fact_id);
            let Body::Unknown { text, .. } = &reply.body else { panic!("{question}: {:?}", reply.body) };
            assert!(text.contains("don't say who wrote") && text.contains("Spawns Actual Couple"), "{text}");
        }
        // Without its first clause, this would ask who wrote the article it names.
        let reply = engine.ask("is richard avedon still alive?? according to that fashion write up");
        assert!(!matches!(&reply.body, Body::Unknown { text, .. } if text.contains("who wrote")), "{:?}", reply.body);
        // A signed one has its writer, and a question about what it says is no
        // question about its writer.
        let signed = engine.ask("who wrote the story behind tuesday's real viral hit");
        let Body::Answer { text, .. } = &signed.body else { panic!("{:?}", signed.body) };
        assert!(text.contains("Mallin"), "{text}");
        assert!(engine.ask("who wrote the song in the spawns actual couple article").is_answer());
    }

    #[test]
    fn a_documents_title_is_answered_by_the_fact_citing_it() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        for (question, fact) in [
            ("title of alexander mallin's piece?", "alexander-mallin"),
            ("whats the headline of the huffpost interview", "soko-interview-title"),
            ("what did tatia call her essay", "pilieva-story-title"),
        ] {
            assert_eq!(engine.ask(question).fact_id.as_deref(), Some(fact), "{question}");
        }
    }
}
