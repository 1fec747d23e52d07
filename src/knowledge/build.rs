//! Turns the TOML as written into a checked [`KnowledgeBase`], collecting every
//! problem (ripgrep's way with config files) so that a curator fixes them in one go.

use std::collections::{HashMap, HashSet};
use std::io;

use toml::Spanned;

use super::error::Lines;
use super::{raw, Citation, Claim, Entity, EntityId, EntityKind, Fact, FactId, Gap, KnowledgeBase, KnowledgeError};
use super::{Problem, Source, SourceKind};
use super::{MAX_ANSWER_CHARS, MAX_CLAIMS, MAX_CLAIM_CHARS, MAX_FACT_ID_CHARS, MAX_QUOTE_CHARS, MAX_TITLE_CHARS};
use crate::text::{loose, WordMap};

pub fn build(
    origin: &str,
    text: &str,
    document: &dyn Fn(&str) -> io::Result<String>,
) -> Result<KnowledgeBase, KnowledgeError> {
    let file: raw::File = super::halves::parse(text).map_err(|e| super::error::toml_error(origin, text, &e))?;
    let mut b = Builder { lines: Lines::new(text), problems: Vec::new() };
    let (mut sources, documents) = b.sources(&file.source, document);
    let synonyms = b.synonyms(&file.synonyms);
    let docs = Documents::new(&sources, &documents);
    let keyed = Keyed::of(&file);
    // Reading every phrasing for its key is four times the work of checking the
    // entities and facts, and needs nothing that makes: a second thread reads most
    // of them meanwhile, this one the rest when done.
    let (entities, mut facts, keys) = std::thread::scope(|scope| {
        let (early, late) = keyed.questions.split_at(keyed.questions.len() * 3 / 5);
        let early = scope.spawn(|| early.iter().map(|q| key(q)).collect::<Vec<_>>());
        let entities = b.entities(&file.entity, &docs);
        let facts = b.facts(&file.fact, &docs, &entities);
        let late: Vec<String> = late.iter().map(|q| key(q)).collect();
        let mut read = crate::joined(early);
        read.extend(late);
        (entities, facts, read)
    });
    let (fact_keys, gap_keys) = keyed.split(keys);
    let asked = asked(fact_keys);
    let gaps = b.gaps(&file.unknown, &docs, &entities, &facts, &asked, &gap_keys);
    b.subjects(&file.source, &mut sources, &entities);
    b.check_entities_have_facts(&file.entity, &entities, &facts);
    facts.extend(introductions(&entities, &facts, &asked));
    if b.problems.is_empty() && facts.is_empty() {
        b.problems.push(Problem {
            line: 1,
            entry: None,
            message: "no [[fact]] entries: the bot would know nothing".into(),
        });
    }
    if b.problems.is_empty() {
        let texts = documents.into_iter().map(Option::unwrap_or_default).collect();
        Ok(KnowledgeBase { origin: origin.to_string(), sources, texts, facts, entities, gaps, synonyms })
    } else {
        b.problems.sort_by_key(|p| p.line);
        Err(KnowledgeError::Invalid { origin: origin.to_string(), problems: b.problems })
    }
}

/// The sources by id, and each document's text made loose for quote lookup.
struct Documents<'a> {
    sources: &'a [Source],
    index: HashMap<&'a str, usize>,
    /// `None` where the document could not be used, which is itself a problem.
    loose: &'a [Option<String>],
}

impl<'a> Documents<'a> {
    fn new(sources: &'a [Source], loose: &'a [Option<String>]) -> Documents<'a> {
        Documents { sources, index: sources.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect(), loose }
    }
}

/// For each entity no fact introduces, a fact that does: its summary, cited, as the
/// answer to "who is ..." or "what is ...". The summary is curated and checked like
/// any answer, so "what does Karim Saleh do" gets what the documents say of him
/// instead of "I don't know".
fn introductions(entities: &[Entity], facts: &[Fact], asked: &WordMap<String, usize>) -> Vec<Fact> {
    let mut out = Vec::new();
    for (i, entity) in entities.iter().enumerate() {
        // Events and places are what other facts are about; "what is the launch"
        // asks for one of them, not a summary.
        let forms: &[&str] = match entity.kind {
            EntityKind::Person => &["who is {}", "who's {}", "what does {} do", "tell me about {}", "{} who is that"],
            EntityKind::Event | EntityKind::Place => continue,
            _ => &["what is {}", "what's {}", "tell me about {}", "{} what is that"],
        };
        let questions: Vec<String> = forms.iter().map(|f| f.replace("{}", &entity.name)).collect();
        if questions.iter().any(|q| asked.contains_key(&key(q)))
            || facts.iter().any(|f| f.id == format!("about-{}", entity.id))
        {
            continue;
        }
        out.push(Fact {
            id: format!("about-{}", entity.id),
            title: entity.name.clone(),
            answer: entity.summary.clone(),
            questions,
            about: vec![EntityId(i as u32)],
            keywords: Vec::new(),
            related: Vec::new(),
            citations: entity.citations.clone(),
            claims: Vec::new(),
            introduces: Some(EntityId(i as u32)),
        });
    }
    out
}

/// A phrasing as the matcher reads it (its words, joined): two phrasings that read
/// alike are one question.
fn key(question: &str) -> String {
    crate::text::words(question).join(" ")
}

/// Every fact phrasing's key, with the index of its fact (`keys` holds each raw
/// fact's, in order, and each raw fact is checked into the fact of its index): what
/// an unknown's or an introduction's question must not repeat.
fn asked(keys: Vec<Vec<String>>) -> WordMap<String, usize> {
    keys.into_iter().enumerate().flat_map(|(i, keys)| keys.into_iter().map(move |k| (k, i))).collect()
}

/// The phrasings whose [`key`]s loading needs, in one list so that reading them can
/// be shared out: every fact's questions, then those of each unknown that is not for
/// every person (whose questions are keyed once a person is put in).
struct Keyed<'a> {
    questions: Vec<&'a str>,
    /// How many of `questions` each raw fact has, then each raw unknown.
    facts: Vec<usize>,
    unknowns: Vec<usize>,
}

impl<'a> Keyed<'a> {
    fn of(file: &'a raw::File) -> Keyed<'a> {
        let facts: Vec<&Vec<String>> = file.fact.iter().map(|f| &f.get_ref().questions).collect();
        let unknowns: Vec<&[String]> = file
            .unknown
            .iter()
            .map(|u| &u.get_ref().questions)
            .map(|qs| if for_every_person(qs) { &[][..] } else { &qs[..] })
            .collect();
        Keyed {
            questions: facts
                .iter()
                .copied()
                .flatten()
                .chain(unknowns.iter().copied().flatten())
                .map(String::as_str)
                .collect(),
            facts: facts.iter().map(|qs| qs.len()).collect(),
            unknowns: unknowns.iter().map(|qs| qs.len()).collect(),
        }
    }

    /// `keys`, of `questions` in order, as each fact's and each unknown's.
    fn split(&self, keys: Vec<String>) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let mut keys = keys.into_iter();
        let mut take = |n: &usize| keys.by_ref().take(*n).collect::<Vec<String>>();
        let facts = self.facts.iter().map(&mut take).collect();
        let unknowns = self.unknowns.iter().map(&mut take).collect();
        (facts, unknowns)
    }
}

/// The placeholder a gap's questions use to be asked about every person.
const PERSON: &str = "{person}";

/// Whether an unknown with these questions is one for every person.
fn for_every_person(questions: &[String]) -> bool {
    questions.iter().any(|q| q.contains(PERSON))
}

struct Builder {
    lines: Lines,
    problems: Vec<Problem>,
}

impl Builder {
    fn line<T>(&self, spanned: &Spanned<T>) -> usize {
        self.lines.line(spanned.span().start)
    }

    fn problem(&mut self, line: usize, entry: &str, message: impl Into<String>) {
        let entry = (!entry.is_empty()).then(|| entry.to_string());
        self.problems.push(Problem { line, entry, message: message.into() });
    }

    /// The sources and, for each, its document's text made loose for quote lookup:
    /// `None` when the document could not be used, which is itself a problem (so no
    /// base is built whose quotes went unchecked).
    fn sources(
        &mut self,
        raw: &[Spanned<raw::Source>],
        document: &dyn Fn(&str) -> io::Result<String>,
    ) -> (Vec<Source>, Vec<Option<String>>) {
        let mut seen = HashSet::new();
        let mut sources = Vec::new();
        let mut documents = Vec::new();
        for spanned in raw {
            let (line, s) = (self.line(spanned), spanned.get_ref());
            self.check_id(line, &s.id, "source");
            if !seen.insert(s.id.as_str()) {
                self.problem(line, &s.id, "this source id is used twice");
            }
            let title = self.required(line, &s.id, "title", s.title.as_deref());
            self.check_text(line, &s.id, "title", title, MAX_TITLE_CHARS * 3);
            if let Some(author) = &s.author {
                self.check_text(line, &s.id, "author", author, MAX_TITLE_CHARS);
            }
            for name in &s.names {
                self.check_text(line, &s.id, "a name", name, MAX_TITLE_CHARS);
                if !crate::reference::names_a_document(name) {
                    self.problem(
                        line,
                        &s.id,
                        format!("the name {name:?} needs a word for a document (article, piece, essay, interview...): a question names a document only beside one"),
                    );
                }
            }
            if s.kind.is_none() {
                self.problem(
                    line,
                    &s.id,
                    "missing field `kind` (\"news report\", \"interview\" or \"first-person account\")",
                );
            }
            let file = self.required(line, &s.id, "file", s.file.as_deref());
            let text = if s.file.is_none() {
                None
            } else if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
                self.problem(line, &s.id, format!("file = {file:?} must be a plain file name inside sources/"));
                None
            } else {
                match document(file) {
                    Err(e) => {
                        self.problem(line, &s.id, format!("cannot read sources/{file}: {e}"));
                        None
                    }
                    // An empty document would match no quote; it must not pass every one.
                    Ok(text) if text.trim().is_empty() => {
                        self.problem(
                            line,
                            &s.id,
                            format!("sources/{file} is empty: a document must hold the text its quotes are taken from"),
                        );
                        None
                    }
                    Ok(text) => Some(loose(&text)),
                }
            };
            documents.push(text);
            sources.push(Source {
                id: s.id.clone(),
                file: file.to_string(),
                title: title.to_string(),
                author: s.author.clone(),
                kind: s.kind.unwrap_or(SourceKind::NewsReport),
                subject: None,
                names: s.names.iter().map(|n| n.trim().to_string()).collect(),
            });
        }
        if sources.is_empty() {
            self.problem(1, "", "no [[source]] entries: every fact must cite a document");
        }
        (sources, documents)
    }

    /// A field the TOML may leave out but the fact base needs: `""` and a problem
    /// naming the entry when it is missing.
    fn required<'a>(&mut self, line: usize, entry: &str, field: &str, value: Option<&'a str>) -> &'a str {
        value.unwrap_or_else(|| {
            self.problem(line, entry, format!("missing field `{field}`"));
            ""
        })
    }

    fn synonyms(&mut self, raw: &[Spanned<raw::Synonyms>]) -> Vec<Vec<String>> {
        let mut owner: HashMap<String, usize> = HashMap::new();
        let mut groups = Vec::new();
        for spanned in raw {
            let line = self.line(spanned);
            let words = &spanned.get_ref().words;
            if words.len() < 2 {
                self.problem(line, "", "a [[synonyms]] group needs at least two words");
            }
            for word in words {
                let key = word.trim().to_lowercase();
                if key.is_empty() {
                    self.problem(line, "", "a [[synonyms]] group has an empty word");
                } else if let Some(first) = owner.insert(key, line) {
                    self.problem(
                        line,
                        "",
                        format!(
                            "{word:?} is already in the synonym group at line {first}; a word may be in one group only"
                        ),
                    );
                }
            }
            groups.push(words.clone());
        }
        groups
    }

    fn facts(&mut self, raw: &[Spanned<raw::Fact>], docs: &Documents, entities: &[Entity]) -> Vec<Fact> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, spanned) in raw.iter().enumerate() {
            let id = spanned.get_ref().id.get_ref();
            if let Some(first) = index.insert(id.as_str(), i) {
                let first_line = self.line(&raw[first].get_ref().id);
                self.problem(
                    self.line(&spanned.get_ref().id),
                    id,
                    format!("this fact id is already used at line {first_line}"),
                );
            }
        }
        let mut facts = Vec::with_capacity(raw.len());
        for spanned in raw {
            let f = spanned.get_ref();
            let (line, id) = (self.line(&f.id), f.id.get_ref().as_str());
            self.check_id(line, id, "fact");
            if id.len() > MAX_FACT_ID_CHARS {
                self.problem(
                    line,
                    id,
                    format!(
                        "a fact id may have at most {MAX_FACT_ID_CHARS} characters (this one has {}): Discord's buttons carry it",
                        id.len()
                    ),
                );
            }
            let title = self.required(line, id, "title", f.title.as_deref());
            if f.title.is_some() {
                self.check_text(line, id, "title", title, MAX_TITLE_CHARS);
            }
            let answer = self.required(line, id, "answer", f.answer.as_deref());
            if f.answer.is_some() {
                self.check_text(line, id, "answer", answer, MAX_ANSWER_CHARS);
            }
            if f.questions.is_empty() {
                self.problem(line, id, "questions is empty: give a few ways a fan might ask this");
            }
            for question in &f.questions {
                self.check_text(line, id, "a question", question, MAX_ANSWER_CHARS);
            }
            for keyword in &f.keywords {
                self.check_text(line, id, "a keyword", keyword, MAX_TITLE_CHARS);
            }
            let mut related = Vec::new();
            for other in &f.related {
                match index.get(other.as_str()) {
                    None => self.problem(line, id, format!("related fact {other:?} does not exist")),
                    Some(_) if other == id => self.problem(line, id, "a fact cannot be related to itself"),
                    Some(&i) => related.push(FactId(i as u32)),
                }
            }
            let about = self.about(line, id, &f.about, entities);
            let citations = self.citations(id, &f.cite, docs);
            let claims: Vec<Claim> = f
                .claim
                .iter()
                .map(|c| {
                    let (claim_line, claim) = (self.line(c), c.get_ref());
                    self.check_text(claim_line, id, "a claim's text", &claim.text, MAX_CLAIM_CHARS);
                    Claim {
                        text: claim.text.trim().to_string(),
                        citation: self.citation(id, &claim.source, &claim.quote, docs),
                    }
                })
                .collect();
            match (citations.len(), claims.len()) {
                (0, 0) => {
                    self.problem(line, id, "has no citation: add a [[fact.cite]] with a source and a verbatim quote")
                }
                (_, 1) => {
                    self.problem(line, id, "has a single [[fact.claim]]: a contested fact presents at least two sides")
                }
                (n, c) if n > 0 && c > 0 => self.problem(
                    line,
                    id,
                    "has both [[fact.cite]] and [[fact.claim]]: a contested fact cites in its claims only",
                ),
                (_, c) if c > MAX_CLAIMS => {
                    self.problem(line, id, format!("has {c} claims; at most {MAX_CLAIMS} fit a reply"))
                }
                _ => {}
            }
            facts.push(Fact {
                id: id.to_string(),
                title: title.trim().to_string(),
                answer: answer.trim().to_string(),
                questions: f.questions.iter().map(|q| q.trim().to_string()).collect(),
                about,
                keywords: f.keywords.iter().map(|k| k.trim().to_string()).collect(),
                related,
                citations,
                claims,
                introduces: None,
            });
        }
        facts
    }

    /// A verbatim quote from a known source, checked against its document.
    fn citation(&mut self, id: &str, source: &Spanned<String>, quote: &Spanned<String>, docs: &Documents) -> Citation {
        let (source_line, line) = (self.line(source), self.line(quote));
        let (source, quote) = (source.get_ref().as_str(), quote.get_ref().as_str());
        let Some(&s) = docs.index.get(source) else {
            let known: Vec<&str> = docs.sources.iter().map(|s| s.id.as_str()).collect();
            self.problem(source_line, id, format!("cites unknown source {source:?} (known: {})", known.join(", ")));
            return Citation { source: 0, quote: quote.to_string() };
        };
        self.check_text(line, id, "a quote", quote, MAX_QUOTE_CHARS);
        // Every quote is checked against its document. Only where a problem is already
        // recorded (an empty quote, a document that could not be read or is empty) is
        // there nothing more to say, and no base is built.
        let found = match &docs.loose[s] {
            Some(document) => quote.trim().is_empty() || document.contains(&loose(quote)),
            None => true,
        };
        if !found {
            self.problem(
                line,
                id,
                format!("quote {quote:?} is not found word for word in sources/{}", docs.sources[s].file),
            );
        }
        Citation { source: s, quote: quote.trim().to_string() }
    }

    fn citations(&mut self, id: &str, cites: &[Spanned<raw::Cite>], docs: &Documents) -> Vec<Citation> {
        cites.iter().map(|c| self.citation(id, &c.get_ref().source, &c.get_ref().quote, docs)).collect()
    }

    /// Each interview's `subject`, resolved to a person entity.
    fn subjects(&mut self, raw: &[Spanned<raw::Source>], sources: &mut [Source], entities: &[Entity]) {
        for (spanned, source) in raw.iter().zip(sources.iter_mut()) {
            let (line, s) = (self.line(spanned), spanned.get_ref());
            let Some(subject) = &s.subject else { continue };
            if s.kind != Some(SourceKind::Interview) {
                self.problem(line, &s.id, "subject is for an interview: whom it questions");
            }
            match entities.iter().position(|e| e.id == *subject && e.kind == EntityKind::Person) {
                Some(i) => source.subject = Some(EntityId(i as u32)),
                None => self.problem(line, &s.id, format!("subject {subject:?}: no person [[entity]] has this id")),
            }
        }
    }

    /// The entities an entry is `about`, resolved.
    fn about(&mut self, line: usize, id: &str, about: &[String], entities: &[Entity]) -> Vec<EntityId> {
        let mut out = Vec::new();
        for name in about {
            match entities.iter().position(|e| e.id == *name) {
                Some(i) => out.push(EntityId(i as u32)),
                None => self.problem(line, id, format!("about {name:?}: no [[entity]] has this id")),
            }
        }
        out
    }

    fn entities(&mut self, raw: &[Spanned<raw::Entity>], docs: &Documents) -> Vec<Entity> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut entities = Vec::with_capacity(raw.len());
        for spanned in raw {
            let e = spanned.get_ref();
            let (line, id) = (self.line(&e.id), e.id.get_ref().as_str());
            self.check_id(line, id, "entity");
            if let Some(first) = ids.insert(id, line) {
                self.problem(line, id, format!("this entity id is already used at line {first}"));
            }
            self.check_text(line, id, "name", &e.name, MAX_TITLE_CHARS);
            self.check_text(line, id, "summary", &e.summary, MAX_ANSWER_CHARS);
            if e.names.is_empty() {
                self.problem(line, id, "names is empty: give every way a fan refers to it");
            }
            for name in &e.names {
                self.check_text(line, id, "a name", name, MAX_TITLE_CHARS);
                let key = crate::text::words(name).join(" ");
                if let Some(other) = names.insert(key, id.to_string()).filter(|other| other != id) {
                    self.problem(line, id, format!("the name {name:?} is also a name of entity {other:?}"));
                }
            }
            let citations = self.citations(id, &e.cite, docs);
            if citations.is_empty() {
                self.problem(line, id, "has no citation: add an [[entity.cite]] backing its summary");
            }
            entities.push(Entity {
                id: id.to_string(),
                kind: e.kind,
                name: e.name.trim().to_string(),
                names: e.names.iter().map(|n| n.trim().to_string()).collect(),
                summary: e.summary.trim().to_string(),
                citations,
            });
        }
        entities
    }

    /// The `[[unknown]]` entries, an entry written for every person expanded once per
    /// person. An expanded phrasing that a fact has word for word is left to the
    /// fact; a plain entry sharing a fact's phrasing is a curator's mistake.
    fn gaps(
        &mut self,
        raw: &[Spanned<raw::Unknown>],
        docs: &Documents,
        entities: &[Entity],
        facts: &[Fact],
        asked: &WordMap<String, usize>,
        keys: &[Vec<String>],
    ) -> Vec<Gap> {
        let mut ids: HashMap<&str, usize> = facts.iter().map(|f| (f.id.as_str(), 0)).collect();
        let mut gaps = Vec::new();
        for (spanned, keys) in raw.iter().zip(keys) {
            let u = spanned.get_ref();
            let (line, id) = (self.line(&u.id), u.id.get_ref().as_str());
            self.check_id(line, id, "unknown");
            match ids.insert(id, line) {
                Some(0) => self.problem(line, id, "this id is already a fact's id"),
                Some(first) => self.problem(line, id, format!("this unknown id is already used at line {first}")),
                None => {}
            }
            if u.questions.is_empty() {
                self.problem(line, id, "questions is empty: give a few ways a fan might ask this");
            }
            for question in &u.questions {
                self.check_text(line, id, "a question", question, MAX_ANSWER_CHARS);
            }
            self.check_text(line, id, "reply", &u.reply, MAX_ANSWER_CHARS);
            let citations = self.citations(id, &u.cite, docs);
            let templated = for_every_person(&u.questions);
            if !templated {
                if !u.except.is_empty() {
                    self.problem(
                        line,
                        id,
                        format!("except is for an entry for every person ({PERSON} in its questions)"),
                    );
                }
                for (question, key) in u.questions.iter().zip(keys) {
                    if let Some(&fact) = asked.get(key) {
                        let fact = &facts[fact].id;
                        self.problem(
                            line,
                            id,
                            format!("the question {question:?} is also a phrasing of fact `{fact}`"),
                        );
                    }
                }
                let about = self.about(line, id, &u.about, entities);
                gaps.push(Gap {
                    id: id.to_string(),
                    about,
                    questions: u.questions.iter().map(|q| q.trim().to_string()).collect(),
                    reply: u.reply.trim().to_string(),
                    citations,
                });
                continue;
            }
            if u.about.iter().any(|a| a != PERSON) || !u.questions.iter().all(|q| q.contains(PERSON)) {
                self.problem(
                    line,
                    id,
                    format!("an entry for every person puts {PERSON} in each question and in about, and nowhere else"),
                );
            }
            if !citations.is_empty() {
                self.problem(line, id, "an entry for every person cites nothing: what it says of each person is only that the documents don't say");
            }
            for except in &u.except {
                if !entities.iter().any(|e| e.kind == EntityKind::Person && e.id == *except) {
                    self.problem(line, id, format!("except {except:?}: no person [[entity]] has this id"));
                }
            }
            let people = entities.iter().enumerate().filter(|(_, e)| e.kind == EntityKind::Person);
            for (i, person) in people.filter(|(_, e)| !u.except.contains(&e.id)) {
                let questions: Vec<String> = u
                    .questions
                    .iter()
                    .map(|q| q.trim().replace(PERSON, &person.name))
                    .filter(|q| !asked.contains_key(&key(q)))
                    .collect();
                if !questions.is_empty() {
                    gaps.push(Gap {
                        id: format!("{id}/{}", person.id),
                        about: vec![EntityId(i as u32)],
                        questions,
                        reply: u.reply.trim().replace(PERSON, &person.name),
                        citations: Vec::new(),
                    });
                }
            }
        }
        gaps
    }

    /// Every entity is what some fact is about: one that none is about is a name the
    /// bot could only ever decline.
    fn check_entities_have_facts(&mut self, raw: &[Spanned<raw::Entity>], entities: &[Entity], facts: &[Fact]) {
        for (i, (spanned, entity)) in raw.iter().zip(entities).enumerate() {
            if !facts.iter().any(|f| f.about.contains(&EntityId(i as u32))) {
                let line = self.line(&spanned.get_ref().id);
                self.problem(line, &entity.id, "no fact is about this entity: add its id to a fact's `about`");
            }
        }
    }

    fn check_id(&mut self, line: usize, id: &str, what: &str) {
        let ok = !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-')
            && !id.ends_with('-');
        if !ok {
            self.problem(
                line,
                id,
                format!("{what} id {id:?} must be lower-case letters, digits and dashes, like \"wren-founder\""),
            );
        }
    }

    fn check_text(&mut self, line: usize, id: &str, what: &str, text: &str, max_chars: usize) {
        if text.trim().is_empty() {
            self.problem(line, id, format!("{what} is empty"));
        } else if text.chars().count() > max_chars {
            self.problem(
                line,
                id,
                format!("{what} is {} characters long; at most {max_chars} fit", text.chars().count()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "Tatia Pilieva directed it.\nFive cameras   were used.";

    fn parse(toml: &str) -> Result<KnowledgeBase, KnowledgeError> {
        KnowledgeBase::parse("kb.toml", toml, |file| {
            if file == "doc.txt" {
                Ok(DOC.to_string())
            } else {
                Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
            }
        })
    }

    const SOURCE: &str = "[[source]]\nid = \"doc\"\nfile = \"doc.txt\"\ntitle = \"Doc\"\nkind = \"interview\"\n";

    fn fact(id: &str, extra: &str) -> String {
        format!("\n[[fact]]\nid = \"{id}\"\ntitle = \"T\"\nanswer = \"A.\"\nquestions = [\"q\"]\n{extra}\n[[fact.cite]]\nsource = \"doc\"\nquote = \"Five cameras were used\"\n")
    }

    fn problems(toml: &str) -> String {
        match parse(toml) {
            Err(e) => e.to_string(),
            Ok(_) => "ok".into(),
        }
    }

    #[test]
    fn accepts_a_well_formed_base_with_loose_quote_match() {
        let kb = parse(&format!("{SOURCE}{}", fact("cameras", ""))).unwrap();
        assert_eq!(kb.stats().facts, 1);
        assert_eq!(kb.facts()[0].citations[0].quote, "Five cameras were used");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = problems("[[source]]\nid = \"doc\nfile = 1\n");
        assert!(err.starts_with("kb.toml:2:"), "{err}");
    }

    #[test]
    fn fuzz_a_control_character_in_a_comment_still_gets_a_message() {
        let err = problems("#\u{1}\n");
        assert_eq!(
            err,
            "kb.toml:1:2: invalid character: TOML allows no control characters here\n  |\n1 | #\u{fffd}\n  |  ^"
        );
    }

    #[test]
    fn a_syntax_error_shows_its_line_with_a_caret_and_says_what_was_expected() {
        let toml = format!("{SOURCE}{}", fact("cameras", "")).replace("questions = [\"q\"]", "questions = \"camera\"");
        assert_eq!(
            problems(&toml),
            "kb.toml:11:13: `questions` is a list: put the text in [ ], like questions = [\"camera\"]\n   |\n11 | \
             questions = \"camera\"\n   |             ^^^^^^^^"
        );
    }

    #[test]
    fn common_toml_mistakes_are_said_in_plain_words_with_their_entry() {
        let base = format!("{SOURCE}{}", fact("cameras", ""));
        let entity = "\n[[entity]]\nid = \"tatia\"\nkind = \"person\"\nnames = [\"Tatia\"]\nsummary = \"S.\"\n";
        for (toml, expected) in [
            (base.replace("title = \"T\"", "title = \"T"), "this text has no closing \""),
            (base.replace("title = \"T\"", "title = [\"T\"]"), "`title` is one text, not a list"),
            (
                base.replace("title = \"T\"", "title = 3"),
                "`title` is a text: put it in double quotes, like title = \"3\"",
            ),
            (
                base.replace("title = \"T\"", "title = \"He said \"action\"\""),
                "a \" inside a text ends the text: write \\\" for a quote mark inside it",
            ),
            (
                base.replace("quote = \"Five cameras were used\"\n", ""),
                "a [[fact.cite]] of fact `cameras` has no `quote`",
            ),
            (base.replace("id = \"cameras\"\n", ""), "kb.toml:7:1: the [[fact]] at line 7 has no `id`"),
            (format!("{base}{entity}"), "the [[entity]] `tatia` has no `name`"),
            (
                base.replace("questions =", "qestions ="),
                "the [[fact]] `cameras` has a field `qestions` that the bot does not know: did you mean `questions`?",
            ),
            (base.replace("\"interview\"", "\"intervew\""), "`kind` cannot be \"intervew\": it is one of"),
            (base.replace("[[fact]]", "[fact]"), "`[fact]` is written `[[fact]]`, with double brackets"),
            (
                base.replace("title = \"T\"", "title = \"T\"\ntitle = \"U\""),
                "`title` is given twice in the [[fact]] `cameras`",
            ),
            (base.replace("title = \"T\"", "title = Tea"), "`title` is a text: put it in double quotes"),
            (base.replace("title = \"T\"", "title = Coffee"), "`title` is a text: put it in double quotes"),
            (base.replace("title = \"T\"", "title = \"T\u{1}\""), "this text holds an invisible control character"),
            (base.replace("questions = [\"q\"]", "questions = [\"q\" \"r\"]"), "a list holds texts in double quotes"),
        ] {
            let err = problems(&toml);
            assert!(err.contains(expected), "{expected:?} not in:\n{err}");
            assert!(!err.contains("invalid type") && !err.contains("expected a"), "serde's words in:\n{err}");
        }
    }

    #[test]
    fn a_documents_name_needs_a_word_for_a_document() {
        let base = format!("{SOURCE}{}", fact("cameras", ""));
        let bare = problems(&base.replace("kind = \"interview\"", "kind = \"interview\"\nnames = [\"the Telegraph\"]"));
        assert!(bare.contains("the name \"the Telegraph\" needs a word for a document"), "{bare}");
        let named = base.replace("kind = \"interview\"", "kind = \"interview\"\nnames = [\"the Telegraph piece\"]");
        assert!(!problems(&named).contains("needs a word for a document"));
    }

    #[test]
    fn an_interviews_subject_must_be_a_person_it_names() {
        let base = format!("{SOURCE}{}", fact("cameras", ""));
        let nobody = problems(&base.replace("kind = \"interview\"", "kind = \"interview\"\nsubject = \"nobody\""));
        assert!(nobody.contains("subject \"nobody\": no person [[entity]] has this id"), "{nobody}");
        let report = problems(&base.replace("kind = \"interview\"", "kind = \"news report\"\nsubject = \"nobody\""));
        assert!(report.contains("subject is for an interview"), "{report}");
    }

    #[test]
    fn a_fact_id_fits_a_buttons_custom_id() {
        let longest = "a".repeat(MAX_FACT_ID_CHARS);
        let err = problems(&format!("{SOURCE}{}{}", fact(&longest, ""), fact(&format!("{longest}b"), "")));
        assert!(err.contains("at most 64 characters (this one has 65)"), "{err}");
        assert!(!err.contains(&format!("`{longest}`:")), "64 is fine:\n{err}");
    }

    #[test]
    fn unknown_fields_are_syntax_errors_at_their_line() {
        let err = problems(&format!("{SOURCE}\n[[fact]]\nid = \"x\"\nqestions = []\n"));
        assert!(err.contains("kb.toml:9:") && err.contains("qestions"), "{err}");
    }

    #[test]
    fn collects_every_problem_with_line_and_fact() {
        let toml = format!(
            "{SOURCE}{}{}{}",
            fact("dup", ""),
            fact("dup", "related = [\"nowhere\"]"),
            "\n[[fact]]\nid = \"bad\"\ntitle = \"\"\nanswer = \"x\"\nquestions = [\"q\"]\n[[fact.cite]]\nsource = \"doc\"\nquote = \"six cameras\"\n[[fact.cite]]\nsource = \"elsewhere\"\nquote = \"q\"\n"
        );
        let err = problems(&toml);
        for expected in [
            "`dup`: this fact id is already used at line 8",
            "`dup`: related fact \"nowhere\" does not exist",
            "`bad`: title is empty",
            "`bad`: quote \"six cameras\" is not found word for word in sources/doc.txt",
            "`bad`: cites unknown source \"elsewhere\"",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
        assert!(err.contains("kb.toml:34: `bad`: quote"), "the quote's own line is named:\n{err}");
    }

    #[test]
    fn contested_facts_need_two_claims_and_no_plain_cites() {
        let claim = "[[fact.claim]]\ntext = \"c\"\nsource = \"doc\"\nquote = \"Tatia Pilieva\"\n";
        let one =
            format!("{SOURCE}\n[[fact]]\nid = \"one\"\ntitle = \"T\"\nanswer = \"A\"\nquestions = [\"q\"]\n{claim}");
        assert!(problems(&one).contains("single [[fact.claim]]"));
        let both = format!("{SOURCE}{}{claim}{claim}", fact("both", ""));
        assert!(problems(&both).contains("both [[fact.cite]] and [[fact.claim]]"));
        let two = format!(
            "{SOURCE}\n[[fact]]\nid = \"two\"\ntitle = \"T\"\nanswer = \"A\"\nquestions = [\"q\"]\n{claim}{claim}"
        );
        assert!(parse(&two).unwrap().facts()[0].is_contested());
    }

    #[test]
    fn missing_document_and_bad_ids_are_reported() {
        let toml = SOURCE.replace("doc.txt", "gone.txt").replace("id = \"doc\"", "id = \"Doc\"");
        let err = problems(&format!("{toml}{}", fact("Bad_Id", "")));
        assert!(err.contains("cannot read sources/gone.txt"), "{err}");
        assert!(err.contains("fact id \"Bad_Id\" must be lower-case"), "{err}");
        assert!(err.contains("source id \"Doc\" must be lower-case"), "{err}");
    }

    #[test]
    fn an_empty_document_is_rejected_not_a_pass_for_every_quote() {
        for empty in ["", "  \n\t\u{a0}\n"] {
            let err =
                KnowledgeBase::parse("kb.toml", &format!("{SOURCE}{}", fact("made-up", "")), |_| Ok(empty.into()))
                    .expect_err("an empty document fails validation")
                    .to_string();
            assert_eq!(
                err,
                "kb.toml: 1 problem\nkb.toml:1: `doc`: sources/doc.txt is empty: a document must hold the text its quotes are taken from"
            );
        }
    }

    #[test]
    fn missing_fields_name_their_entry() {
        let toml =
            format!("{SOURCE}{}", fact("cameras", "")).replace("answer = \"A.\"\n", "").replace("title = \"T\"\n", "");
        let err = problems(&toml);
        assert!(err.contains("kb.toml:8: `cameras`: missing field `answer`"), "{err}");
        assert!(err.contains("kb.toml:8: `cameras`: missing field `title`"), "{err}");
        let err = problems(&format!(
            "{}{}",
            SOURCE.replace("file = \"doc.txt\"\n", "").replace("kind = \"interview\"\n", ""),
            fact("f", "")
        ));
        assert!(err.contains("kb.toml:1: `doc`: missing field `file`"), "{err}");
        assert!(err.contains("kb.toml:1: `doc`: missing field `kind`"), "{err}");
        let err = problems(&format!("{SOURCE}{}", fact("f", "")).replace("questions = [\"q\"]\n", ""));
        assert!(err.contains("`f`: questions is empty"), "{err}");
    }

    #[test]
    fn a_word_in_two_synonym_groups_is_rejected() {
        let toml = format!(
            "{SOURCE}\n[[synonyms]]\nwords = [\"song\", \"music\"]\n[[synonyms]]\nwords = [\"tune\", \"Music\"]\n{}",
            fact("f", "")
        );
        assert!(problems(&toml).contains("\"Music\" is already in the synonym group at line 7"));
    }

    fn entity(id: &str, kind: &str, names: &str) -> String {
        format!("\n[[entity]]\nid = \"{id}\"\nkind = \"{kind}\"\nname = \"{id}\"\nnames = [{names}]\nsummary = \"S.\"\n[[entity.cite]]\nsource = \"doc\"\nquote = \"Tatia Pilieva directed it.\"\n")
    }

    fn unknown(id: &str, about: &str, questions: &str, extra: &str) -> String {
        format!("\n[[unknown]]\nid = \"{id}\"\nabout = [{about}]\nquestions = [{questions}]\nreply = \"The documents don't say.\"\n{extra}")
    }

    #[test]
    fn entities_and_unknowns_load_and_person_entries_expand() {
        let toml = format!(
            "{SOURCE}{}{}{}{}{}",
            entity("tatia", "person", "\"Tatia\", \"the director\""),
            entity("wren", "organization", "\"Wren\""),
            fact("director", "about = [\"tatia\"]\nquestions = [\"how old is tatia\"]")
                .replace("questions = [\"q\"]\n", ""),
            fact("label", "about = [\"wren\", \"andre\"]"),
            entity("andre", "person", "\"Andre\""),
        ) + &unknown("age", "\"{person}\"", "\"how old is {person}\", \"when was {person} born\"", "")
            + &unknown("spouse", "\"{person}\"", "\"who is {person} married to\"", "except = [\"tatia\"]")
            + &unknown("wren-money", "\"wren\"", "\"how rich is wren\"", "");
        let kb = parse(&toml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kb.entities().len(), 3);
        let age = kb.gaps().iter().find(|g| g.id == "age/tatia").expect("expanded for the person");
        assert_eq!(age.questions, ["when was tatia born"], "the phrasing a fact has is left to the fact");
        assert!(kb.gaps().iter().all(|g| g.id != "age/wren"), "only people");
        assert!(kb.gaps().iter().any(|g| g.id == "spouse/andre"));
        assert!(kb.gaps().iter().all(|g| g.id != "spouse/tatia"), "the documents give Tatia's spouse");
        assert!(kb.facts().iter().any(|f| f.id == "about-wren"), "an introduction from the summary");
    }

    #[test]
    fn entity_and_unknown_mistakes_are_reported_with_their_entry() {
        let toml = format!(
            "{SOURCE}{}{}{}{}",
            entity("tatia", "person", "\"Tatia\""),
            entity("twin", "person", "\"tatia\""),
            entity("lonely", "place", "\"Nowhere\""),
            fact("director", "about = [\"tatia\", \"ghost\", \"twin\"]"),
        ) + &unknown("director", "", "\"who made it\"", "")
            + &unknown(
                "copy",
                "\"tatia\"",
                "\"Q\"",
                "[[unknown.cite]]\nsource = \"doc\"\nquote = \"not in the document\"\n",
            )
            + &unknown("bad-template", "\"{person}\"", "\"how old is {person}\", \"how tall\"", "")
            + &unknown("misplaced-except", "\"tatia\"", "\"is tatia married\"", "except = [\"tatia\"]")
            + &unknown("unknown-except", "\"{person}\"", "\"is {person} married\"", "except = [\"lonely\"]");
        let err = problems(&toml);
        for expected in [
            "`twin`: the name \"tatia\" is also a name of entity \"tatia\"",
            "`lonely`: no fact is about this entity",
            "`director`: about \"ghost\": no [[entity]] has this id",
            "`director`: this id is already a fact's id",
            "`copy`: the question \"Q\" is also a phrasing of fact `director`",
            "`copy`: quote \"not in the document\" is not found word for word",
            "`bad-template`: an entry for every person puts {person} in each question",
            "`misplaced-except`: except is for an entry for every person",
            "`unknown-except`: except \"lonely\": no person [[entity]] has this id",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
    }
}
