//! Large synthetic fact bases, made deterministically from a seed (no data is checked
//! in), shaped like the shipped one so that the matcher meets the same kind of text
//! it meets in production, only more of it.
//!
//! Each generated fact recombines one shipped fact (its template): the same
//! phrasings, keywords, answer and quotes, with every named entity (people, brands,
//! outlets, places, titles) replaced by entities drawn for this fact, numbers
//! redrawn, and synonyms swapped in some phrasings. Entities come from pools whose
//! size grows sublinearly with the base (roughly Heaps' law: vocabulary ~ facts^0.7)
//! and are drawn with a skew, so a few first names, brands and title words are
//! common across facts while most surnames are rare, as in a real corpus. Quotes are
//! written verbatim into generated documents (ten facts per document, with filler
//! sentences from the shipped documents), so that the loader's quote check passes
//! and costs what it would cost.
//!
//! The probes are questions to ask the base: a phrasing of a randomly chosen fact,
//! perturbed (a typo, a dropped word, a greeting, shouting), or an off-topic question
//! that should get "I don't know".

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::io;

use firstkiss::knowledge::{Fact, KnowledgeBase, KnowledgeError};

use crate::rng::Rng;

/// Facts per generated document.
const FACTS_PER_DOCUMENT: usize = 10;
/// Share of probes that are off-topic.
const OFF_TOPIC_SHARE: f64 = 0.2;

/// A generated fact base: the TOML text and its documents.
pub struct Synth {
    pub facts: usize,
    pub toml: String,
    pub documents: HashMap<String, String>,
    pub probes: Vec<Probe>,
}

/// A question to ask a generated base, and the fact it was made from (`None` for an
/// off-topic question, which the bot should not answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub question: String,
    pub fact: Option<String>,
}

impl Synth {
    /// A document by file name, as the loader asks for it.
    pub fn document(&self, file: &str) -> io::Result<String> {
        self.documents.get(file).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, file.to_string()))
    }

    /// Parses and validates the base, as `KnowledgeBase::load` would from files.
    pub fn parse(&self) -> Result<KnowledgeBase, KnowledgeError> {
        KnowledgeBase::parse(&format!("synthetic-{}.toml", self.facts), &self.toml, |file| self.document(file))
    }

    /// Bytes of TOML and documents.
    pub fn text_bytes(&self) -> usize {
        self.toml.len() + self.documents.values().map(String::len).sum::<usize>()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A full name, of person slot n.
    Person(usize),
    First(usize),
    Last(usize),
    Org,
    Place,
    Work,
}

/// The named entities of the shipped base, lower case, longest first where they
/// overlap. Everything else in a template (the question words, the topic words, the
/// filler) is kept: that is the realistic vocabulary.
const ENTITIES: &[(&str, Kind)] = &[
    ("we might be dead tomorrow", Kind::Work),
    ("american film institute", Kind::Org),
    ("between two ferns", Kind::Work),
    ("huffington post", Kind::Org),
    ("kissing bandit", Kind::Work),
    ("first kiss", Kind::Work),
    ("tatia pilieva", Kind::Person(0)),
    ("melissa coker", Kind::Person(1)),
    ("melissa cocker", Kind::Person(1)),
    ("alexander mallin", Kind::Person(2)),
    ("richard avedon", Kind::Person(2)),
    ("irving penn", Kind::Person(2)),
    ("stuart heritage", Kind::Person(2)),
    ("natalia bonifacci", Kind::Person(2)),
    ("matthew carey", Kind::Person(2)),
    ("karim saleh", Kind::Person(2)),
    ("jill larson", Kind::Person(2)),
    ("ingrid schram", Kind::Person(2)),
    ("damian kulash", Kind::Person(2)),
    ("ross robinson", Kind::Person(2)),
    ("alexis ferenczi", Kind::Person(2)),
    ("los angeles", Kind::Place),
    ("new york", Kind::Place),
    ("joshua tree", Kind::Place),
    ("huff post", Kind::Org),
    ("ok go", Kind::Org),
    ("tatia", Kind::First(0)),
    ("pilieva", Kind::Last(0)),
    ("melissa", Kind::First(1)),
    ("coker", Kind::Last(1)),
    ("cocker", Kind::Last(1)),
    ("soko", Kind::First(2)),
    ("andre", Kind::First(3)),
    ("marianna", Kind::First(4)),
    ("obama", Kind::Last(3)),
    ("avedon", Kind::Last(2)),
    ("penn", Kind::Last(4)),
    ("mallin", Kind::Last(2)),
    ("saleh", Kind::Last(3)),
    ("larson", Kind::Last(4)),
    ("wren", Kind::Org),
    ("youtube", Kind::Org),
    ("vimeo", Kind::Org),
    ("jjamz", Kind::Org),
    ("huffpost", Kind::Org),
    ("cnn", Kind::Org),
    ("telegraph", Kind::Org),
    ("guardian", Kind::Org),
    ("reddit", Kind::Org),
    ("tetu", Kind::Org),
    ("afi", Kind::Org),
];

const PERSON_SLOTS: usize = 5;

const SYLLABLES: &[&str] = &[
    "ta", "ti", "a", "me", "li", "sa", "ko", "so", "pi", "lie", "va", "co", "ker", "an", "dre", "mar", "ian", "na",
    "ro", "be", "el", "ri", "ne", "lo", "vi", "da", "mi", "ka", "ze", "ru", "no", "fe", "ga", "jo", "la", "si", "to",
    "ve", "wy", "xa", "yo", "bri", "cha", "dor", "es", "fin", "gre", "hal", "is", "jun", "kel", "lin", "mon", "nor",
    "or", "pal", "quin", "ren", "sol", "tam", "ul", "vor", "wen", "zan",
];
const SURNAME_ENDINGS: &[&str] =
    &["", "", "", "ova", "son", "ez", "berg", "ini", "ski", "ard", "elli", "ton", "ic", "ley", "mann", "ier"];
const REAL_PLACES: &[&str] = &[
    "paris",
    "brooklyn",
    "london",
    "berlin",
    "tokyo",
    "chicago",
    "austin",
    "toronto",
    "lisbon",
    "seoul",
    "madrid",
    "oslo",
    "dublin",
    "vienna",
    "prague",
    "sydney",
    "portland",
    "seattle",
    "denver",
    "atlanta",
    "boston",
    "miami",
    "montreal",
    "glasgow",
    "marseille",
    "lyon",
    "naples",
    "kyoto",
    "osaka",
    "tbilisi",
];
const REAL_MOVIES: &[&str] = &["titanic", "jaws", "inception", "avatar", "casablanca", "vertigo", "alien", "rocky"];
const LANGUAGES: &[&str] = &["python", "javascript", "bash", "excel", "sql", "haskell"];
const THINGS: &[&str] =
    &["pizza", "laptop", "bicycle", "sandwich", "mortgage", "guitar", "lasagna", "smartphone", "sofa", "ticket"];
const GREETINGS: &[&str] = &["hey bot, ", "quick question: ", "does anyone know ", "@everyone ", "hi! ", "so "];
const OFF_TOPIC: &[&str] = &[
    "what's the weather in {place} today",
    "who won the world cup in {year}",
    "can you write me a {lang} script",
    "how much does a {thing} cost",
    "what is {name}'s favourite food",
    "how old is {name}",
    "recommend a good {thing} recipe",
    "asdf {gibberish}",
    "what time is it in {place}",
    "who directed {movie}",
    "is {thing} better than {thing}",
    "what's the capital of {place}",
];

/// The pools entities are drawn from, sized for a base of `facts` facts.
struct Pools {
    first: Vec<String>,
    last: Vec<String>,
    orgs: Vec<String>,
    places: Vec<String>,
    /// Title words: real words of the shipped documents.
    title_words: Vec<String>,
    works: Vec<String>,
}

fn syllable_name(rng: &mut Rng, syllables: usize, ending: bool) -> String {
    let mut name = String::new();
    for _ in 0..syllables {
        name.push_str(rng.pick::<&str>(SYLLABLES));
    }
    if ending {
        name.push_str(rng.pick::<&str>(SURNAME_ENDINGS));
    }
    name
}

fn unique_names(
    rng: &mut Rng,
    count: usize,
    min_syllables: usize,
    ending: bool,
    taken: &mut HashSet<String>,
) -> Vec<String> {
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 50 {
        attempts += 1;
        let syllables = min_syllables + rng.below(2);
        let name = syllable_name(rng, syllables, ending);
        if name.len() >= 4 && !firstkiss::text::is_stopword(&name) && taken.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

impl Pools {
    fn new(rng: &mut Rng, facts: usize, shipped: &KnowledgeBase, documents: &[String]) -> Pools {
        let n = facts.max(1) as f64;
        let size = |k: f64, exponent: f64, min: usize| ((k * n.powf(exponent)) as usize).max(min);
        let mut taken = HashSet::new();
        let first = unique_names(rng, size(3.0, 0.5, 40), 2, false, &mut taken);
        let last = unique_names(rng, size(6.0, 0.7, 100), 2, true, &mut taken);
        let orgs = unique_names(rng, size(2.0, 0.7, 30), 2, false, &mut taken);
        let mut places: Vec<String> = REAL_PLACES.iter().map(|s| s.to_string()).collect();
        places.extend(unique_names(rng, size(1.0, 0.5, 20), 2, false, &mut taken).into_iter().map(|p| p + "ville"));
        // Title words: the content words of the shipped documents and facts.
        let mut seen = HashSet::new();
        let mut title_words = Vec::new();
        let texts = documents.iter().map(String::as_str).chain(shipped.facts().iter().map(|f| f.answer.as_str()));
        for text in texts {
            for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
                let word = word.to_lowercase();
                if (4..=12).contains(&word.len()) && !firstkiss::text::is_stopword(&word) && seen.insert(word.clone()) {
                    title_words.push(word);
                }
            }
        }
        let works = (0..size(3.0, 0.7, 50))
            .map(|_| {
                let words = 2 + usize::from(rng.chance(0.2));
                (0..words).map(|_| title_words[rng.below(title_words.len())].clone()).collect::<Vec<_>>().join(" ")
            })
            .collect();
        Pools { first, last, orgs, places, title_words, works }
    }
}

/// What each shipped entity becomes in one generated fact.
struct Cast {
    persons: [(String, String); PERSON_SLOTS],
    org: String,
    place: String,
    work: String,
    /// Per-fact key for redrawing numbers.
    number_key: u64,
}

impl Cast {
    fn draw(rng: &mut Rng, pools: &Pools) -> Cast {
        let persons = std::array::from_fn(|_| {
            (pools.first[rng.skewed(pools.first.len())].clone(), pools.last[rng.skewed(pools.last.len())].clone())
        });
        Cast {
            persons,
            org: pools.orgs[rng.skewed(pools.orgs.len())].clone(),
            place: pools.places[rng.skewed(pools.places.len())].clone(),
            work: pools.works[rng.skewed(pools.works.len())].clone(),
            number_key: rng.next_u64(),
        }
    }

    fn replacement(&self, kind: Kind) -> String {
        match kind {
            Kind::Person(i) => format!("{} {}", self.persons[i].0, self.persons[i].1),
            Kind::First(i) => self.persons[i].0.clone(),
            Kind::Last(i) => self.persons[i].1.clone(),
            Kind::Org => self.org.clone(),
            Kind::Place => self.place.clone(),
            Kind::Work => self.work.clone(),
        }
    }

    /// The same number of digits, redrawn (consistently within the fact).
    fn number(&self, digits: &str) -> String {
        let mut h = self.number_key ^ 0xcbf2_9ce4_8422_2325;
        for b in digits.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut rng = Rng::new(h);
        digits
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 && c != '0' {
                    char::from(b'1' + rng.below(9) as u8)
                } else {
                    char::from(b'0' + rng.below(10) as u8)
                }
            })
            .collect()
    }

    /// `text` with every shipped entity replaced (keeping its capitalization) and every
    /// number redrawn.
    fn apply(&self, text: &str, entities: &[(Vec<String>, Kind)]) -> String {
        // Split into runs of alphanumerics and of everything else.
        let mut runs: Vec<&str> = Vec::new();
        let mut start = 0;
        let mut alnum = None;
        for (i, c) in text.char_indices() {
            let a = c.is_alphanumeric();
            if alnum.is_some_and(|prev| prev != a) {
                runs.push(&text[start..i]);
                start = i;
            }
            alnum = Some(a);
        }
        if start < text.len() {
            runs.push(&text[start..]);
        }
        let is_word = |s: &str| s.chars().next().is_some_and(char::is_alphanumeric);
        let mut out = String::with_capacity(text.len() + 16);
        let mut i = 0;
        'runs: while i < runs.len() {
            let run = runs[i];
            if is_word(run) {
                for (words, kind) in entities {
                    // words[k] must be at runs[i + 2k], separated by single spaces.
                    let fits = words.iter().enumerate().all(|(k, w)| {
                        runs.get(i + 2 * k).is_some_and(|r| r.eq_ignore_ascii_case(w))
                            && (k == 0 || runs[i + 2 * k - 1] == " ")
                    });
                    if fits {
                        out.push_str(&cased(&self.replacement(*kind), run));
                        i += 2 * words.len() - 1;
                        continue 'runs;
                    }
                }
                if run.bytes().all(|b| b.is_ascii_digit()) {
                    out.push_str(&self.number(run));
                } else {
                    out.push_str(run);
                }
            } else {
                out.push_str(run);
            }
            i += 1;
        }
        out
    }
}

/// `replacement` written the way `original` was: all caps, capitalized, or lower.
fn cased(replacement: &str, original: &str) -> String {
    let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        replacement.to_uppercase()
    } else if letters.first().is_some_and(|c| c.is_uppercase()) {
        replacement
            .split(' ')
            .map(|w| {
                let mut cs = w.chars();
                cs.next().map(|c| c.to_uppercase().collect::<String>() + cs.as_str()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        replacement.to_string()
    }
}

/// The first `max` characters of `s`.
fn clip(s: &str, max: usize) -> &str {
    firstkiss::text::clip(s, max)
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

/// Swaps single words for another single-word member of their synonym group, with
/// probability `p` each: the same question asked in other words.
fn swap_synonyms(
    rng: &mut Rng,
    text: &str,
    synonyms: &HashMap<String, usize>,
    groups: &[Vec<String>],
    p: f64,
) -> String {
    text.split(' ')
        .map(|w| match synonyms.get(w) {
            Some(&g) if rng.chance(p) => {
                let singles: Vec<&String> = groups[g].iter().filter(|m| !m.contains(' ')).collect();
                singles[rng.below(singles.len())].clone()
            }
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fan's version of `question`: maybe a typo, a dropped word, a greeting, shouting.
pub fn perturb(rng: &mut Rng, question: &str) -> String {
    let mut words: Vec<String> = question.split_whitespace().map(str::to_string).collect();
    if rng.chance(0.35) {
        let long: Vec<usize> = (1..words.len()).filter(|&i| words[i].len() >= 5 && words[i].is_ascii()).collect();
        if !long.is_empty() {
            let w = &mut words[long[rng.below(long.len())]];
            let at = 1 + rng.below(w.len() - 2);
            let mut bytes = w.clone().into_bytes();
            bytes.swap(at, at + 1);
            *w = String::from_utf8(bytes).unwrap_or_default();
        }
    }
    if words.len() > 3 && rng.chance(0.2) {
        words.remove(1 + rng.below(words.len() - 1));
    }
    let mut out = words.join(" ");
    if rng.chance(0.15) {
        out = format!("{}{out}", rng.pick(GREETINGS));
    }
    if rng.chance(0.1) {
        out = out.to_uppercase() + "??";
    } else if rng.chance(0.3) {
        out.push('?');
    }
    out
}

fn off_topic(rng: &mut Rng, pools: &Pools) -> String {
    let mut out = rng.pick(OFF_TOPIC).to_string();
    while let Some(at) = out.find('{') {
        let end = out[at..].find('}').map_or(out.len(), |e| at + e + 1);
        let fill = match &out[at..end] {
            "{place}" => pools.places[rng.below(pools.places.len())].clone(),
            "{year}" => (1930 + rng.below(95)).to_string(),
            "{lang}" => rng.pick(LANGUAGES).to_string(),
            "{thing}" => rng.pick(THINGS).to_string(),
            "{name}" => format!("{} {}", rng.pick(&pools.first), pools.last[rng.below(pools.last.len())]),
            "{movie}" => rng.pick(REAL_MOVIES).to_string(),
            _ => (0..2).map(|_| syllable_name(rng, 3, false)).collect::<Vec<_>>().join(" "),
        };
        out.replace_range(at..end, &fill);
    }
    perturb(rng, &out)
}

/// Sentences of the shipped documents, to fill the generated documents between quotes.
fn filler_sentences(documents: &[String]) -> Vec<String> {
    documents
        .iter()
        .flat_map(|d| d.split(". "))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| (40..400).contains(&s.len()))
        .collect()
}

/// Generates a base of `facts` facts from the shipped base `shipped` (whose documents
/// are `documents`), and `probes` questions to ask it.
pub fn generate(shipped: &KnowledgeBase, documents: &[String], facts: usize, seed: u64, probes: usize) -> Synth {
    let mut rng = Rng::new(seed ^ (facts as u64).wrapping_mul(0x9e37_79b9));
    let pools = Pools::new(&mut rng, facts, shipped, documents);
    let filler = filler_sentences(documents);
    let entities: Vec<(Vec<String>, Kind)> =
        ENTITIES.iter().map(|(e, k)| (e.split(' ').map(str::to_string).collect(), *k)).collect();
    let groups: Vec<Vec<String>> = shipped.synonyms().to_vec();
    let synonyms: HashMap<String, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, words)| words.iter().filter(|w| !w.contains(' ')).map(move |w| (w.to_lowercase(), g)))
        .collect();
    let templates: &[Fact] = shipped.facts();

    // Which facts the on-topic probes come from, chosen up front. The probes have
    // their own generator, so that the base is the same whatever their number.
    let mut probe_rng = Rng::new(seed ^ 0x7072_6f62_6573);
    let on_topic = probes - (probes as f64 * OFF_TOPIC_SHARE) as usize;
    let mut probe_at: HashMap<usize, usize> = HashMap::new();
    for _ in 0..on_topic {
        *probe_at.entry(probe_rng.below(facts)).or_default() += 1;
    }
    let mut probe_list = Vec::with_capacity(probes);

    let mut toml = String::with_capacity(facts * 1100);
    toml.push_str("# Synthetic fact base generated by firstkiss-bench (bench/src/synth.rs).\n\n");
    for group in &groups {
        let _ = writeln!(toml, "[[synonyms]]\nwords = {}\n", list(group));
    }
    let kinds = ["news report", "interview", "first-person account"];
    let documents_count = facts.div_ceil(FACTS_PER_DOCUMENT);
    for d in 0..documents_count {
        let author = if rng.chance(0.6) {
            format!("author = {}\n", q(&cased(&format!("{} {}", rng.pick(&pools.first), rng.pick(&pools.last)), "A")))
        } else {
            String::new()
        };
        let title = cased(
            &format!("{} {}", pools.title_words[rng.below(pools.title_words.len())], rng.pick(&pools.works)),
            "A",
        );
        let _ = writeln!(
            toml,
            "[[source]]\nid = \"doc-{d}\"\nfile = \"doc-{d}.txt\"\ntitle = {}\n{author}kind = {}\n",
            q(&title),
            q(kinds[d % kinds.len()])
        );
    }
    let mut documents_out: HashMap<String, String> = HashMap::with_capacity(documents_count);
    let mut document = String::new();
    for i in 0..facts {
        let template = &templates[rng.below(templates.len())];
        let cast = Cast::draw(&mut rng, &pools);
        let source = format!("doc-{}", i / FACTS_PER_DOCUMENT);
        let sub = |text: &str| cast.apply(text, &entities);

        // Phrasings: a random subset of the template's, some in other words.
        let mut phrasings: Vec<&String> = template.questions.iter().collect();
        for k in (1..phrasings.len()).rev() {
            phrasings.swap(k, rng.below(k + 1));
        }
        phrasings.truncate((4 + rng.below(6)).min(phrasings.len()));
        let questions: Vec<String> = phrasings
            .iter()
            .map(|p| swap_synonyms(&mut rng, &sub(p).to_lowercase(), &synonyms, &groups, 0.25))
            .collect();
        let keywords: Vec<String> = template.keywords.iter().take(8).map(|k| sub(k)).collect();
        let title = sub(&template.title);
        let answer = sub(&template.answer);

        let _ = writeln!(
            toml,
            "[[fact]]\nid = \"{}-{i}\"\ntitle = {}\nanswer = {}\nquestions = {}\nkeywords = {}\n",
            template.id,
            q(clip(&title, 100)),
            q(clip(&answer, 1000)),
            list(&questions),
            list(&keywords)
        );
        let _ = write!(document, "{} ", sub(&filler[rng.below(filler.len())]));
        let quote = |text: &str, document: &mut String| -> String {
            let quote = clip(&sub(text), 650).trim().to_string();
            let _ = write!(document, "{quote} ");
            quote
        };
        if template.is_contested() {
            for claim in &template.claims {
                let quoted = quote(&claim.citation.quote, &mut document);
                let _ = writeln!(
                    toml,
                    "  [[fact.claim]]\n  text = {}\n  source = \"{source}\"\n  quote = {}\n",
                    q(clip(&sub(&claim.text), 400)),
                    q(&quoted)
                );
            }
        } else {
            for citation in template.citations.iter().take(3) {
                let quoted = quote(&citation.quote, &mut document);
                let _ = writeln!(toml, "  [[fact.cite]]\n  source = \"{source}\"\n  quote = {}\n", q(&quoted));
            }
        }
        document.push('\n');
        if (i + 1) % FACTS_PER_DOCUMENT == 0 || i + 1 == facts {
            documents_out.insert(format!("{source}.txt"), std::mem::take(&mut document));
        }
        for _ in 0..probe_at.get(&i).copied().unwrap_or(0) {
            let phrasing = &questions[probe_rng.below(questions.len())];
            let question = perturb(&mut probe_rng, phrasing);
            probe_list.push(Probe { question, fact: Some(format!("{}-{i}", template.id)) });
        }
    }
    while probe_list.len() < probes {
        probe_list.push(Probe { question: off_topic(&mut probe_rng, &pools), fact: None });
    }
    // Mix on- and off-topic questions deterministically.
    for k in (1..probe_list.len()).rev() {
        probe_list.swap(k, probe_rng.below(k + 1));
    }
    Synth { facts, toml, documents: documents_out, probes: probe_list }
}

/// The shipped base's documents, in the order of its sources.
pub fn shipped_documents(kb: &KnowledgeBase) -> Vec<String> {
    let dir = crate::repo_root().join("sources");
    kb.sources().iter().map(|s| std::fs::read_to_string(dir.join(&s.file)).unwrap_or_default()).collect()
}

/// Generates a base of `facts` facts from the built-in base, with the benchmarks' seed.
pub fn standard(facts: usize, probes: usize) -> Synth {
    let kb = KnowledgeBase::builtin().expect("the shipped fact base is valid");
    let documents = shipped_documents(&kb);
    generate(&kb, &documents, facts, SEED, probes)
}

/// The seed of every generated base in the benchmarks.
pub const SEED: u64 = 2014;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_replaced_with_their_case() {
        let cast = Cast {
            persons: std::array::from_fn(|i| (format!("first{i}"), format!("last{i}"))),
            org: "velora".into(),
            place: "oslo".into(),
            work: "gentle morning".into(),
            number_key: 1,
        };
        let entities: Vec<(Vec<String>, Kind)> =
            ENTITIES.iter().map(|(e, k)| (e.split(' ').map(str::to_string).collect(), *k)).collect();
        assert_eq!(
            cast.apply("\"First Kiss\" was directed by Tatia Pilieva for WREN.", &entities),
            "\"Gentle Morning\" was directed by First0 Last0 for VELORA."
        );
        assert_eq!(
            cast.apply("who is tatia the director of first kiss", &entities),
            "who is first0 the director of gentle morning"
        );
        let n = cast.apply("5 cameras, 2014", &entities);
        assert_eq!(n.len(), "5 cameras, 2014".len());
        assert_eq!(n, cast.apply("5 cameras, 2014", &entities), "numbers are redrawn consistently");
    }

    #[test]
    fn the_base_does_not_depend_on_the_number_of_probes() {
        assert_eq!(standard(200, 0).toml, standard(200, 80).toml);
    }

    #[test]
    fn a_generated_base_loads_and_is_deterministic() {
        let a = standard(300, 50);
        let b = standard(300, 50);
        assert_eq!(a.toml, b.toml);
        assert_eq!(a.probes, b.probes);
        let kb = a.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kb.facts().len(), 300);
        assert_eq!(a.probes.len(), 50);
        assert!(a.probes.iter().filter(|p| p.fact.is_none()).count() >= 5);
    }
}
