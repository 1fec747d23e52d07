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
/// matcher improves; never tune the fact base to these questions. The first set has
/// informed matcher changes; the second was kept unseen until the final measure.
/// (Issue 9's fourth round traded answers for fewer wrong ones: its answer guards
/// went down, its abstention and wrong-answer guards up, on every set.)
#[test]
fn held_out_sets_do_not_regress() {
    holds("holdout", 72.0, 95.0, 2);
    holds("holdout2", 64.0, 95.0, 4);
}

/// The three sets written blind for issue 9 (`blind3.toml`, `blind4.toml`,
/// `blind5.toml`: fans' register, over a quarter asking what the documents leave
/// open). Each was run once as the generalization figure, then served as a
/// development set. Guards just below what the bot does.
#[test]
fn blind_sets_do_not_regress() {
    holds("blind3", 68.5, 95.0, 13);
    holds("blind4", 70.0, 94.0, 21);
    holds("blind5", 66.0, 92.0, 17);
}

/// The fourth blind set (`blind6.toml`), run once on the final build of issue 9's
/// second round as its generalization figure: 64.8% answered right, 91.2% declined,
/// 14 wrong. From then on a development set (issue 9's third round: 73.7%, 91.2%, 15).
#[test]
fn the_sixth_set_does_not_regress() {
    holds("blind6", 70.5, 92.0, 10);
}

/// The fifth blind set (`blind7.toml`, 325 questions by a helper who saw only the
/// documents), run once on the final build of issue 9's third round as its
/// generalization figure: 70.8% answered right, 91.3% declined, 15 wrong. From then
/// on a development set.
#[test]
fn the_seventh_set_does_not_regress() {
    holds("blind7", 66.5, 94.0, 8);
}

/// The sixth blind set (`blind8.toml`, 387 questions by a helper who saw only the
/// documents), run once on the final build of issue 9's fourth round as its
/// generalization figure: 65.3% answered right, 90.3% declined, 19 wrong (4.9%).
/// From then on a development set.
#[test]
fn the_eighth_set_does_not_regress() {
    holds("blind8", 65.0, 90.0, 20);
}

/// The seventh blind set (`blind9.toml`, 403 questions by a helper who saw only the
/// documents), run once on the final build of issue 9's fifth round as its
/// generalization figure: 65.0% answered right, 92.5% declined, 17 wrong (4.2%).
/// From then on a development set.
#[test]
fn the_ninth_set_does_not_regress() {
    holds("blind9", 64.5, 92.0, 17);
}
