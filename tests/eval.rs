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
/// as many wrong; its eighth harvested `blind11`, and answered 1 more of the first.)
#[test]
fn held_out_sets_do_not_regress() {
    holds("holdout", 86.5, 97.5, 3);
    holds("holdout2", 81.0, 97.5, 4);
}

/// The nine sets written blind for issue 9 (`blind3.toml` to `blind11.toml`: fans'
/// register, over a quarter asking what the documents leave open). Each was run once
/// as a round's generalization figure (see BENCHMARKS.md); since issue 9's sixth
/// round (`blind10` since its seventh, `blind11` since its eighth) their questions
/// are phrasings of the base (`harvest`, the curator's loop), so these guards say
/// only that the base still answers what it was taught, and declines what it was
/// taught to decline.
/// Generalization is measured on a new blind set each round.
#[test]
fn harvested_sets_are_still_answered() {
    holds("blind3", 97.5, 97.0, 4);
    holds("blind4", 94.0, 97.0, 11);
    holds("blind5", 94.5, 96.0, 6);
    holds("blind6", 97.0, 97.5, 3);
    holds("blind7", 95.5, 97.5, 5);
    holds("blind8", 94.5, 95.5, 6);
    holds("blind9", 92.5, 95.5, 11);
    holds("blind10", 93.5, 98.5, 6);
    holds("blind11", 95.5, 98.5, 6);
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
/// lost passport for, a trip somewhere?")
#[test]
fn training_sets_are_still_answered() {
    holds("train1", 93.5, 98.5, 12);
    holds("train2", 89.5, 95.5, 14);
    holds("train3", 90.0, 96.0, 9);
    holds("train4", 91.5, 98.5, 7);
    holds("train5", 93.0, 95.5, 13);
    holds("train6", 89.5, 98.0, 19);
}

/// The blind sets of issue 9's eighth to fifteenth rounds, each run once, before
/// any change was made from it, as its round's generalization figure, and from then
/// on a development set, not harvested into the base:
/// - `blind12.toml` (452 questions): 69.9% answered right, 93.6% declined, 13 wrong
///   (2.9%). The ninth round, whose chat phrases were written after reading its
///   misses, answers 75.6% right, declines 93.6%, and answers 14 wrongly.
/// - `blind13.toml` (462 questions): 85.7% answered right, 89.4% declined, 19 wrong
///   (4.1%). Three changes made from its misses since answer 86.6%, decline 90.8%,
///   and answer 17 wrongly.
/// - `blind14.toml` (470 questions): 78.3% answered right, 96.6% declined, 18 wrong
///   (3.8%), run on the tenth round's final build.
/// - `blind15.toml` (454 questions): 67.6% answered right, 94.9% declined, 25 wrong
///   (5.5%), run on the eleventh round's build before it was read. Leaving a clause
///   of chat out (`Engine::shorter_form`), written after reading its misses, answers
///   72.3% right, declines 93.4%, and answers 27 wrongly.
/// - `blind16.toml` (598 questions): 79.1% answered right, 93.4% declined, 29 wrong
///   (4.8%), run on the twelfth round's final build, whose answers are the
///   eleventh's.
/// - `blind17.toml` (461 questions): 85.0% answered right, 93.7% declined, 18 wrong
///   (3.9%), run on the thirteenth round's final build; the session-start build
///   and base: 84.3%, 93.7%, 20 wrong.
/// - `blind18.toml` (469 questions): 73.4% answered right, 90.1% declined, 24 wrong
///   (5.1%), run once on the same build after blind17; the session-start build and
///   base: 72.5%, 90.1%, 28 wrong.
/// - `blind19.toml` (462 questions): 74.1% answered right, 93.7% declined, 19 wrong
///   (4.1%), run once on the fourteenth round's build `715dca2`; the session-start
///   build: 72.2%, 93.7%, 19 wrong. A document's writer asked with a clause of chat
///   after it (`60f130d`, after the run) declines one more: 94.4%, 18 wrong.
/// - `blind20.toml` (462 questions): 80.8% answered right, 95.8% declined, 14 wrong
///   (3.0%), run once on the fourteenth round's final build, written after blind19's
///   run while the writer mend was made; the session-start build: 79.2%, 95.1%, 17
///   wrong.
/// - `blind21.toml` (458 questions): 82.2% answered right, 95.6% declined, 12 wrong
///   (2.6%), run once on the fifteenth round's final build; the session-start build
///   (`256f564`): 82.6%, 95.6%, 12 wrong.
/// - `blind22.toml` (472 questions): 83.5% answered right, 95.1% declined, 21 wrong
///   (4.4%), written by another helper after blind21's run and run once on the
///   same build; the session-start build: 83.8%, 94.4%, 20 wrong.
///
/// The thirteenth round's answers that say what their own quotes add took these
/// sets from 1,336 to 1,354 answered right and from 104 to 86 wrong answers. The
/// fourteenth round's "quoted word for word" signal took the seven sets from 1,867
/// to 1,891 answered right, with 2 more wrong answers (one each on blind13 and
/// blind18) and 2 fewer declined.
/// The fifteenth round's "a near miss's words" signal and chat phrases took the
/// sets never harvested from 2,623 to 2,630 answered right, 1,321 to 1,326
/// declined and 169 to 164 wrong; single sets moved by one to three questions
/// either way (blind13 one more wrong, blind18 two fewer right but one fewer wrong,
/// blind19 two fewer right, blind12 one fewer declined), and their guards with them.
#[test]
fn former_blind_sets_do_not_regress() {
    holds("blind12", 79.5, 94.0, 12);
    holds("blind13", 87.5, 91.0, 17);
    holds("blind14", 81.0, 96.5, 14);
    holds("blind15", 77.0, 93.0, 18);
    holds("blind16", 80.0, 93.0, 27);
    holds("blind17", 85.0, 92.5, 18);
    holds("blind18", 75.5, 90.0, 24);
    holds("blind19", 73.0, 94.0, 18);
    holds("blind20", 80.5, 95.5, 14);
    holds("blind21", 82.0, 95.5, 12);
    holds("blind22", 83.5, 95.0, 21);
}
