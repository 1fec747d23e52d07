//! The worst questions we know how to construct: inputs built to make answering slow
//! (long words, many words, many typos, odd Unicode, 100 KB of text). The answer
//! benchmark times each against the median dev question; the answer fuzz target's
//! seeds (`fuzz/corpus/answer/seed-hostile-*`) are written from the same list by
//! `cargo run -p firstkiss-bench --bin profile -- seeds`.

/// A hostile input and what it is built to stress.
pub struct Hostile {
    pub name: &'static str,
    pub question: String,
}

/// Every constructed worst case, each one a few hundred characters or more.
pub fn inputs() -> Vec<Hostile> {
    let misspelt = ["directtor", "cinematograpehr", "photogrpahers", "collecton", "pilievaa", "musiciann"];
    let typo_words = |n: usize| (0..n).map(|i| misspelt[i % misspelt.len()]).collect::<Vec<_>>().join(" ");
    let mut inputs = vec![
        Hostile { name: "one 600-character word", question: "a".repeat(600) },
        Hostile { name: "one 500-character misspelt word", question: "cinematographre".repeat(34) },
        Hostile { name: "twenty 20-character words", question: vec!["cinematographerrrrrr"; 20].join(" ") },
        Hostile { name: "one hundred misspelt words", question: typo_words(100) },
        Hostile {
            name: "two hundred distinct unknown words",
            question: (0..200).map(|i| format!("zq{i:04}xw")).collect::<Vec<_>>().join(" "),
        },
        Hostile { name: "100 KB of a real question", question: "who directed first kiss ".repeat(4_300) },
        Hostile { name: "one word of 100 KB", question: "kiss".repeat(25_000) },
        Hostile { name: "mentions everywhere", question: "@everyone <@123456789012345678> who directed ".repeat(200) },
        Hostile {
            name: "combining marks and zero-width characters",
            question: "d\u{301}\u{302}\u{303}i\u{200b}r\u{feff}e\u{308}c\u{327}t\u{30a}ed ".repeat(300),
        },
        Hostile { name: "hyphen chains", question: "first-kiss-".repeat(300) },
        Hostile { name: "digit groups", question: "1,000,000.5 ".repeat(300) },
    ];
    inputs.push(Hostile {
        name: "misspelt words in many scripts", question: "кинематографр 映画監督さん ".repeat(60)
    });
    inputs
}
