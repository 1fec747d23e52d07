//! The quality bar: the shipped bot, scored on question sets as `tests/data/dev.toml`'s
//! header describes (the judge is `firstkiss::eval`). `dev.toml` is the project's
//! development sample. The held-out sets were written from the documents alone, by
//! people who never saw the fact base, to measure how the bot does on wordings
//! nobody tuned it for.
//!
//! `cargo run -- eval tests/data/*.toml` prints every miss.

use firstkiss::eval::{self, QuestionSet, Score};
use firstkiss::Engine;

fn score(file: &str) -> Score {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let set = QuestionSet::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    let score = eval::score(&engine, &set);
    for (case, why) in &score.misses {
        println!("MISS [{:?}] {:?}: {why}", case.kind, case.q);
    }
    println!("{file}: {score}");
    score
}

fn assert_at_least(what: &str, rate: f64, percent: f64) {
    assert!(100.0 * rate >= percent, "{what}: {:.1}% is below {percent}%", 100.0 * rate);
}

#[test]
fn dev_set_meets_the_quality_bar() {
    let score = score("tests/data/dev.toml");
    assert_at_least("dev answers", score.answer_rate(), 90.0);
    assert_at_least("dev abstentions", score.abstain_rate(), 90.0);
    assert_eq!(score.wrong, 0, "a wrong answer on the dev set");
}

/// Fails unless the bot answers at least `answers`% of `name`'s answerable questions
/// right, declines at least `abstentions`% of the others, and answers at most
/// `wrong` wrongly.
fn holds(name: &str, answers: f64, abstentions: f64, wrong: usize) {
    let score = score(&format!("tests/data/{name}.toml"));
    assert_at_least(&format!("{name} answers"), score.answer_rate(), answers);
    assert_at_least(&format!("{name} abstentions"), score.abstain_rate(), abstentions);
    assert!(score.wrong <= wrong, "{name} wrong answers: {} (at most {wrong})", score.wrong);
}

/// Guards against regressions in generalization, set just below what the bot
/// achieves on questions written without sight of the fact base. Raise them when the
/// matcher improves; never tune the fact base to these questions (`harvest` never
/// reads them). The first set has informed matcher changes; the second was kept
/// unseen until the final measure. (Issue 9's fourth round traded answers for fewer
/// wrong ones; its sixth, which harvested the blind sets into the base, answers
/// more of both sets, with up to three more wrong on the first; its seventh
/// harvested `blind10` too and the `train` sets, and answered 15 more of the two,
/// as many wrong; its eighth harvested `blind11`, and answered 1 more of the first;
/// its sixteenth harvested `blind12` to `blind22` and `train9` to `train12`, and the
/// threshold the base learns fell from 0.702 to 0.638: holdout answers 6 more and
/// holdout2 2 more; each declines one fewer and answers one more wrongly ("how old is
/// soko rn" now gets the fact about her record "right now"); its seventeenth no
/// longer lets a fact that never gives a measure answer "how old", "how many" or
/// "how long", and each declines one more and answers one fewer wrongly; its
/// eighteenth reads what "how many" counts as the question's focus, and holdout
/// declines "how many veiws by lunchtime on day one": the typo is a word of the base,
/// asked as a count only by an unknown entry; its nineteenth harvested `blind23` to
/// `blind27`, and the threshold the base learns rose from 0.647 to 0.702: holdout
/// answers 2 fewer and holdout2 1 fewer, as many wrong; reading a value that a
/// question of whether something is so offers ("they filmed it in march right?")
/// as one a fact giving such values answers, holdout2 answers that question and
/// one more, and holdout is where it was; its twentieth trained on the phrasings of
/// least hash, and the threshold rose to 0.727: holdout answers one fewer right and
/// one fewer wrongly.)
#[test]
fn held_out_sets_do_not_regress() {
    holds("holdout", 88.0, 100.0, 2);
    holds("holdout2", 90.0, 97.5, 4);
}

/// The sets written blind for issue 9 (`blind3.toml` to `blind27.toml`: fans'
/// register, over a quarter asking what the documents leave open). Each was run once
/// as a round's generalization figure (see BENCHMARKS.md and below), then used as a
/// development set; their questions are now phrasings of the base (`harvest`, the
/// curator's loop: `blind3` to `blind9` since issue 9's sixth round, `blind10` since
/// its seventh, `blind11` since its eighth, `blind12` to `blind22` since its
/// sixteenth, `blind23` to `blind27` since its nineteenth), so these guards say only that the base still answers what it was
/// taught, and declines what it was taught to decline.
/// Generalization is measured on a new blind set each round. The figures of the
/// sets harvested in the sixteenth round, from their one run:
/// - `blind12.toml` (452 questions): 69.9% answered right, 93.6% declined, 13 wrong
///   (2.9%), on the eighth round's final build.
/// - `blind13.toml` (462 questions): 85.7%, 89.4%, 19 wrong (4.1%).
/// - `blind14.toml` (470 questions): 78.3%, 96.6%, 18 wrong (3.8%), on the tenth
///   round's final build.
/// - `blind15.toml` (454 questions): 67.6%, 94.9%, 25 wrong (5.5%), on the eleventh
///   round's build.
/// - `blind16.toml` (598 questions): 79.1%, 93.4%, 29 wrong (4.8%), on the twelfth
///   round's final build.
/// - `blind17.toml` (461 questions): 85.0%, 93.7%, 18 wrong (3.9%), on the
///   thirteenth round's final build.
/// - `blind18.toml` (469 questions): 73.4%, 90.1%, 24 wrong (5.1%), on the same
///   build.
/// - `blind19.toml` (462 questions): 74.1%, 93.7%, 19 wrong (4.1%), on the
///   fourteenth round's build `715dca2`.
/// - `blind20.toml` (462 questions): 80.8%, 95.8%, 14 wrong (3.0%), on the
///   fourteenth round's final build.
/// - `blind21.toml` (458 questions): 82.2%, 95.6%, 12 wrong (2.6%), on the
///   fifteenth round's final build.
/// - `blind22.toml` (472 questions): 83.5%, 95.1%, 21 wrong (4.4%), on the same
///   build.
///
/// (Issue 9's eighteenth round reads a quote retold in reported speech as the
/// quote, and `blind12` answers "where did sokko sleep when she had nowhere to
/// sleep" with the fact whose quote says she had nowhere to sleep; its judge says
/// to decline. Reading what "how many" counts as the focus cost `blind4`, `blind7`,
/// `blind15` and `blind20` one answer each, and `blind6` answers one more wrongly;
/// with three phrasings moved out of `were-they-paid`, every harvested and training
/// set together answered 9 fewer right and 35 fewer wrongly. The twentieth round
/// takes a document's name out of a question only where it names the document, and
/// "couple" stays in the rest of "according to the article that says it spawned
/// an actual couple, who is the couple" (`blind10`) and of "what do the couples
/// do in the video, per the article about the actual couple?" (`blind4`): each is
/// answered with a fact its judge does not accept.)
#[test]
fn harvested_sets_are_still_answered() {
    holds("blind3", 99.0, 99.0, 1);
    holds("blind4", 95.5, 99.0, 8);
    holds("blind5", 98.0, 98.0, 2);
    holds("blind6", 98.5, 99.0, 1);
    holds("blind7", 98.5, 98.5, 1);
    holds("blind8", 96.5, 97.0, 4);
    holds("blind9", 96.0, 97.5, 8);
    holds("blind10", 97.0, 99.0, 4);
    holds("blind11", 98.5, 97.0, 4);
    holds("blind12", 96.5, 98.5, 4);
    holds("blind13", 98.0, 96.0, 8);
    holds("blind14", 98.0, 99.0, 6);
    holds("blind15", 94.5, 99.0, 9);
    holds("blind16", 96.5, 98.0, 5);
    holds("blind17", 96.5, 95.0, 12);
    holds("blind18", 94.0, 94.0, 20);
    holds("blind19", 95.0, 95.0, 12);
    holds("blind20", 96.0, 99.0, 6);
    holds("blind21", 95.5, 99.0, 6);
    holds("blind22", 97.0, 96.5, 11);
    holds("blind23", 95.5, 100.0, 6);
    holds("blind24", 98.0, 98.5, 5);
    holds("blind25", 91.5, 97.5, 24);
    holds("blind26", 94.5, 98.5, 9);
    holds("blind27", 96.5, 99.0, 9);
}

/// Sets of fans' questions written to be harvested, never to measure (`train1.toml`
/// and on: helpers who saw only the five documents, each asked for a register of
/// its own: chat fragments; long messages about a source; role words and yes/no;
/// non-native and formal English; near-misses; the documents' small details).
/// Like the harvested blind sets, they say only that the base answers what it was
/// taught. (Issue 9's ninth round moved the threshold from 0.706 to 0.705, and one
/// question of `train2` about an unsigned article is answered since. Its tenth read
/// "what does soko feel when..." as no when-question, and `train6` answers it with
/// a fact its judge does not accept. Its eleventh, leaving a clause of chat out,
/// answers one question of `train6` that its judge says to decline: "what was the
/// lost passport for, a trip somewhere?" `train7` and `train8`, compound and
/// keyword questions, were written in its seventh and not kept; `train9` to
/// `train12` were written and harvested in its sixteenth. Its eighteenth moved the
/// threshold by a hair, and `train6` answers one more question it should decline;
/// reading what "how many" counts as the focus cost `train3`, `train5`, `train11`
/// and `train12` one answer each. Its twentieth took a document's name out of a
/// question only where it names the document, and "what does that couple article
/// say went viral 'this week' and how many strangers did it feature" (`train2`) is
/// answered with the view counts: the quoted phrase is in their citation.)
#[test]
fn training_sets_are_still_answered() {
    holds("train1", 96.5, 98.5, 7);
    holds("train2", 92.0, 97.5, 12);
    holds("train3", 95.5, 99.0, 2);
    holds("train4", 95.0, 99.0, 5);
    holds("train5", 96.0, 96.5, 9);
    holds("train6", 95.0, 98.0, 11);
    holds("train9", 94.5, 96.0, 15);
    holds("train10", 96.5, 96.5, 11);
    holds("train11", 95.5, 95.5, 12);
    holds("train12", 94.0, 95.0, 19);
}

/// The blind set of issue 9's sixteenth round, `blind23.toml` (462 questions, by a
/// helper who read only the five documents), run once on that round's final build
/// (`1c1dfdc`) before anything was read or changed from it: 89.1% answered right,
/// 95.0% declined, 19 wrong (4.1%). A development set since, and not harvested, so
/// that the next round's changes show on it before the next blind set: the
/// seventeenth round answers two more right and declines one more, 18 wrong.
///
/// The blind set of the seventeenth round, `blind24.toml` (467 questions, written
/// the same way), run once on its final build (`4543f51`): 90.2% answered right,
/// 94.4% declined, 17 wrong (3.6%). A development set since, not harvested.
/// `blind25.toml` (478 questions, by another helper the same way), run once on the
/// same build: 85.5% answered right, 94.3% declined, 40 wrong (8.4%; 15 of them
/// give the expected words only in the quote they cite, which the judge does not
/// read).
///
/// The blind set of the eighteenth round, `blind26.toml` (456 questions, written the
/// same way), run once on the round's first build (`26babf5`, the same figures as
/// the seventeenth round's final build): 84.7% answered right, 92.3% declined, 22
/// wrong (4.8%). A development set since, not harvested. (The round's later changes
/// brought `blind23` from 18 wrong answers to 16, `blind24` from 17 to 15 and
/// `blind25` from 40 to 39.)
///
/// The blind set of the eighteenth round, `blind27.toml` (459 questions, by another
/// helper the same way), run once on its final build (`992b3e1`): 89.0% answered
/// right, 96.5% declined, 17 wrong (3.7%); the seventeenth round's final build
/// answers 284 of it right, declines 136 and answers 18 wrongly. A development set
/// since, not harvested. `blind28.toml` (461 questions, by a third helper the same
/// way), run once on the same answers (`be6f063`, which changes only start-up):
/// 87.0% answered right, 95.7% declined, 16 wrong (3.5%); the seventeenth round's
/// final build: 283 right, 133 declined, 17 wrong. `blind29.toml` (456 questions, by
/// a fourth helper), run once on the same answers: 89.0% answered right, 94.9%
/// declined, 15 wrong (3.3%); the seventeenth round's final build: 284, 128, 20.
///
/// The nineteenth round harvested `blind23` to `blind27` (their guards are with the
/// harvested sets above). `blind28` and `blind29` stay out of the base, so that the
/// next changes show on them before the next blind set; with the harvest and the
/// threshold it learns (0.702), `blind28` is answered as before and `blind29`
/// answers 2 fewer right, declines 2 more and answers 3 fewer wrongly. Reading a
/// value offered for checking answers "was the shoot in march" (`blind28`) and
/// "soko's tetu interview was 2014 right" (`blind29`), and `blind28` declines
/// "didnt it get like 100 million views", which it had answered with the wrong
/// count: the harvest filed "did first kiss ever hit 100 million views" under what
/// the documents leave open of its numbers.
///
/// The blind set of the nineteenth round, `blind30.toml` (551 questions, by a helper
/// who read only the five documents and the first 80 lines of `dev.toml`), run once
/// on its final build (`8052bf1`): 90.3% answered right, 95.9% declined, 16 wrong
/// (2.9%); the eighteenth round's final build: 344 right, 160 declined, 20 wrong. A
/// development set since, not harvested. `blind31.toml` (472 questions, by another
/// helper the same way), run once on the same answers: 86.9% answered right, 97.2%
/// declined, 16 wrong (3.4%); the eighteenth round's final build: 287, 140, 18.
///
/// The twentieth round used `blind30` and `blind31` as development sets. Each of
/// its four blind sets (by a new helper the same way) was run once, then used as a
/// development set, not harvested (the nineteenth round's final build in brackets):
/// - `blind32.toml` (467 questions), on `f55cd12`: 86.1% answered right, 96.5%
///   declined, 19 wrong (4.1%) (279, 138, 18).
/// - `blind33.toml` (474 questions), on `96728f0`: 83.3%, 91.7%, 31 wrong (6.5%)
///   (273, 132, 31).
/// - `blind34.toml` (471 questions), on `69045b0`: 86.1%, 93.2%, 19 wrong (4.0%)
///   (277, 138, 19).
/// - `blind35.toml` (450 questions), on the round's final build (`d5268dc`):
///   90.1%, 96.3%, 15 wrong (3.3%) (283, 129, 16).
///
/// The twenty-first round changed start-up only, not one answer. Its three blind
/// sets (each by a new helper the same way) were each run once on the twentieth
/// round's answers, then used as development sets:
/// - `blind36.toml` (460 questions), on `30a7d87`: 95.6% answered right, 96.5%
///   declined, 8 wrong (1.7%).
/// - `blind37.toml` (489 questions), on `2d608be`: 90.6%, 94.6%, 14 wrong (2.9%).
/// - `blind38.toml` (541 questions), on `2d608be`: 88.8%, 97.6%, 15 wrong (2.8%).
#[test]
fn former_blind_sets_do_not_regress() {
    holds("blind28", 87.5, 96.0, 13);
    holds("blind29", 89.5, 97.0, 11);
    holds("blind30", 90.5, 96.0, 13);
    holds("blind31", 88.0, 97.0, 17);
    holds("blind32", 87.0, 96.5, 17);
    holds("blind33", 83.5, 91.5, 30);
    holds("blind34", 86.0, 93.5, 18);
    holds("blind35", 90.0, 96.0, 15);
    holds("blind36", 95.5, 96.0, 8);
    holds("blind37", 90.5, 94.5, 14);
    holds("blind38", 88.5, 97.5, 15);
}
