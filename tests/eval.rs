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

/// Guards against regressions in generalization, set just below what the bot
/// achieves on questions written without sight of the fact base. Raise them when the
/// matcher improves; never tune the fact base to these questions. (Issue 9's fourth
/// round traded answers for fewer wrong ones: the answer guards went down, the
/// abstention and wrong-answer guards up.) The first set has
/// informed matcher changes; the second was kept unseen until the final measure.
#[test]
fn held_out_sets_do_not_regress() {
    let first = score("tests/data/holdout.toml");
    assert_at_least("held-out answers", first.answer_rate(), 72.0);
    assert_at_least("held-out abstentions", first.abstain_rate(), 95.0);
    assert!(first.wrong <= 2, "held-out wrong answers: {}", first.wrong);
    let second = score("tests/data/holdout2.toml");
    assert_at_least("second held-out answers", second.answer_rate(), 64.0);
    assert_at_least("second held-out abstentions", second.abstain_rate(), 95.0);
    assert!(second.wrong <= 4, "second held-out wrong answers: {}", second.wrong);
}

/// The three sets written blind for issue 9 (`blind3.toml`, `blind4.toml`,
/// `blind5.toml`: fans' register, over a quarter asking what the documents leave
/// open). Each was run once as the generalization figure, then served as a
/// development set. Guards just below what the bot does.
#[test]
fn blind_sets_do_not_regress() {
    let third = score("tests/data/blind3.toml");
    assert_at_least("blind3 answers", third.answer_rate(), 68.5);
    assert_at_least("blind3 abstentions", third.abstain_rate(), 95.0);
    assert!(third.wrong <= 13, "blind3 wrong answers: {}", third.wrong);
    let fourth = score("tests/data/blind4.toml");
    assert_at_least("blind4 answers", fourth.answer_rate(), 70.0);
    assert_at_least("blind4 abstentions", fourth.abstain_rate(), 94.0);
    assert!(fourth.wrong <= 21, "blind4 wrong answers: {}", fourth.wrong);
    let fifth = score("tests/data/blind5.toml");
    assert_at_least("blind5 answers", fifth.answer_rate(), 66.0);
    assert_at_least("blind5 abstentions", fifth.abstain_rate(), 92.0);
    assert!(fifth.wrong <= 17, "blind5 wrong answers: {}", fifth.wrong);
}

/// The fourth blind set (`blind6.toml`), run once on the final build of issue 9's
/// second round as its generalization figure: 64.8% answered right, 91.2% declined,
/// 14 wrong. From then on a development set (issue 9's third round: 73.7%, 91.2%, 15).
#[test]
fn the_last_blind_set_does_not_regress() {
    let sixth = score("tests/data/blind6.toml");
    assert_at_least("blind6 answers", sixth.answer_rate(), 70.5);
    assert_at_least("blind6 abstentions", sixth.abstain_rate(), 92.0);
    assert!(sixth.wrong <= 10, "blind6 wrong answers: {}", sixth.wrong);
}

/// The fifth blind set (`blind7.toml`, 325 questions by a helper who saw only the
/// documents), run once on the final build of issue 9's third round as its
/// generalization figure: 70.8% answered right, 91.3% declined, 15 wrong. From then
/// on a development set.
#[test]
fn the_newest_blind_set_does_not_regress() {
    let seventh = score("tests/data/blind7.toml");
    assert_at_least("blind7 answers", seventh.answer_rate(), 66.5);
    assert_at_least("blind7 abstentions", seventh.abstain_rate(), 94.0);
    assert!(seventh.wrong <= 8, "blind7 wrong answers: {}", seventh.wrong);
}

/// The sixth blind set (`blind8.toml`, 387 questions by a helper who saw only the
/// documents), run once on the final build of issue 9's fourth round as its
/// generalization figure: 65.3% answered right, 90.3% declined, 19 wrong (4.9%).
/// From then on a development set.
#[test]
fn the_eighth_set_does_not_regress() {
    let eighth = score("tests/data/blind8.toml");
    assert_at_least("blind8 answers", eighth.answer_rate(), 65.0);
    assert_at_least("blind8 abstentions", eighth.abstain_rate(), 90.0);
    assert!(eighth.wrong <= 20, "blind8 wrong answers: {}", eighth.wrong);
}
