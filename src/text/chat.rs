//! How fans spell in chat: contractions without apostrophes, abbreviations and
//! texting shorthand, each written as the word the rest of the pipeline knows. The
//! list comes from the register of fan servers (dropped apostrophes, "u"/"ur",
//! "pls", "bc", filler like "tbh"/"ngl"), not from any one question set; keep it
//! sorted, one entry per chat form.

use std::sync::LazyLock;

use super::WordMap;

/// Chat form, and what it stands for ("" for filler that carries no meaning). A
/// contraction stands for its stem as [`super::words`] keeps it ("don't" → "don").
const CHAT: &[(&str, &str)] = &[
    ("1st", "first"),
    ("2day", "today"),
    ("2nd", "second"),
    ("3rd", "third"),
    ("4th", "fourth"),
    ("5th", "fifth"),
    ("abt", "about"),
    ("afaik", ""),
    ("aint", "isn"),
    ("alot", "lot"),
    ("any1", "anyone"),
    ("arent", "aren"),
    ("ayo", ""),
    ("b4", "before"),
    ("bc", "because"),
    ("bcs", "because"),
    ("bcuz", "because"),
    ("bday", "birthday"),
    ("bf", "boyfriend"),
    ("bout", "about"),
    ("bro", ""),
    ("bruh", ""),
    ("btw", ""),
    ("cam", "camera"),
    ("cams", "cameras"),
    ("cant", "can"),
    ("cos", "because"),
    ("couldnt", "couldn"),
    ("coz", "because"),
    ("cuz", "because"),
    ("da", "the"),
    ("dat", "that"),
    ("deadass", ""),
    ("def", "definitely"),
    ("dem", "them"),
    ("dey", "they"),
    ("didnt", "didn"),
    ("diff", "different"),
    ("dis", "this"),
    ("doesnt", "doesn"),
    ("dont", "don"),
    ("dunno", ""),
    ("esp", "especially"),
    ("every1", "everyone"),
    ("fam", ""),
    ("fav", "favorite"),
    ("fave", "favorite"),
    ("fr", ""),
    ("gf", "girlfriend"),
    ("gimme", "give"),
    ("gonna", "going"),
    ("gotta", "got"),
    ("gud", "good"),
    ("hadnt", "hadn"),
    ("hasnt", "hasn"),
    ("havent", "haven"),
    ("hbu", ""),
    ("hes", "he"),
    ("heyy", ""),
    ("highkey", ""),
    ("hii", ""),
    ("hows", "how"),
    ("hr", "hour"),
    ("hrs", "hours"),
    ("idc", ""),
    ("idk", ""),
    ("ig", ""),
    ("iirc", ""),
    ("ikr", ""),
    ("im", "i"),
    ("ima", "i"),
    ("imho", ""),
    ("imma", "i"),
    ("imo", ""),
    ("isnt", "isn"),
    ("istg", ""),
    ("ive", "i"),
    ("jk", ""),
    ("kinda", "kind"),
    ("kno", "know"),
    ("lmao", ""),
    ("lmk", ""),
    ("lol", ""),
    ("lowkey", ""),
    ("luv", "love"),
    ("mil", "million"),
    ("mins", "minutes"),
    ("n", "and"),
    ("nah", ""),
    ("ngl", ""),
    ("nope", ""),
    ("nvm", ""),
    ("obv", ""),
    ("ofc", ""),
    ("okk", ""),
    ("omg", ""),
    ("peeps", "people"),
    ("pic", "picture"),
    ("pics", "pictures"),
    ("pls", "please"),
    ("plz", "please"),
    ("ppl", "people"),
    ("prolly", "probably"),
    ("r", "are"),
    ("rando", "random"),
    ("randos", "random"),
    ("rite", "right"),
    ("rly", "really"),
    ("rn", "now"),
    ("shes", "she"),
    ("shouldnt", "shouldn"),
    ("skool", "school"),
    ("smh", ""),
    ("smth", "something"),
    ("some1", "someone"),
    ("soo", "so"),
    ("srsly", ""),
    ("sth", "something"),
    ("tbh", ""),
    ("teh", "the"),
    ("tf", ""),
    ("thanx", ""),
    ("thats", "that"),
    ("theres", "there"),
    ("theyre", "they"),
    ("thnx", ""),
    ("tho", "though"),
    ("thru", "through"),
    ("thx", ""),
    ("tmr", "tomorrow"),
    ("tmrrw", "tomorrow"),
    ("tmrw", "tomorrow"),
    ("tryna", "trying"),
    ("ty", ""),
    ("tysm", ""),
    ("u", "you"),
    ("ur", "your"),
    ("vid", "video"),
    ("vids", "videos"),
    ("w", "with"),
    ("wanna", "want"),
    ("wasnt", "wasn"),
    ("wat", "what"),
    ("wen", "when"),
    ("werent", "weren"),
    ("whatcha", "what"),
    ("whats", "what"),
    ("wheres", "where"),
    ("whos", "who"),
    ("whr", "where"),
    ("wit", "with"),
    ("wk", "week"),
    ("wks", "weeks"),
    ("wont", "won"),
    ("wouldnt", "wouldn"),
    ("wtf", ""),
    ("wut", "what"),
    ("wyd", ""),
    ("ya", "you"),
    ("yall", "you"),
    ("yeah", ""),
    ("yep", ""),
    ("yoo", ""),
    ("youre", "you"),
    ("yr", "year"),
    ("yrs", "years"),
    ("yt", "youtube"),
];

/// The longest chat form, in bytes.
const LONGEST: usize = 8;

/// What `word` (lower case) stands for, if it is a chat form.
pub fn standard(word: &str) -> Option<&'static str> {
    // Every chat form is short; most words are not looked up at all.
    if word.len() > LONGEST {
        return None;
    }
    static MAP: LazyLock<WordMap<&str, &str>> = LazyLock::new(|| CHAT.iter().copied().collect());
    MAP.get(word).copied()
}

/// Letters English words never double ("whyyy", "howww", "hiii" are "why", "how",
/// "hi"); a stretched run of one of them is cut to one.
const NEVER_DOUBLED: &[char] = &['a', 'h', 'i', 'j', 'k', 'q', 'u', 'v', 'w', 'x', 'y'];

/// `word` with stretched letters ("sooo", "pleeease") cut to two: English doubles a
/// letter but never triples one. A letter it never doubles is cut to one.
pub fn unstretch(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    if !bytes.windows(3).any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_ascii_alphabetic()) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut run = (None, 0);
    for c in word.chars() {
        run = if run.0 == Some(c) { (Some(c), run.1 + 1) } else { (Some(c), 1) };
        let most = if NEVER_DOUBLED.contains(&c) { 1 } else { 2 };
        if run.1 <= most || !c.is_alphabetic() {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_has_each_form_once() {
        assert!(CHAT.windows(2).all(|w| w[0].0 < w[1].0), "keep CHAT sorted, one entry per form");
        assert!(CHAT.iter().all(|(form, _)| form.len() <= LONGEST));
    }

    #[test]
    fn chat_forms_stand_for_words() {
        assert_eq!(standard("dont"), Some("don"));
        assert_eq!(standard("u"), Some("you"));
        assert_eq!(standard("tbh"), Some(""));
        assert_eq!(standard("soko"), None);
    }

    #[test]
    fn stretched_letters_are_cut_to_two_or_one() {
        assert_eq!(unstretch("sooooo").as_deref(), Some("soo"));
        assert_eq!(unstretch("kisssss").as_deref(), Some("kiss"));
        assert_eq!(unstretch("pleeeease").as_deref(), Some("pleease"));
        assert_eq!(unstretch("howww").as_deref(), Some("how"));
        assert_eq!(unstretch("whyyy").as_deref(), Some("why"));
        assert_eq!(unstretch("kiss"), None);
        assert_eq!(unstretch("aa"), None, "a double is no stretch");
        assert_eq!(unstretch("600000"), None, "digits are not stretched");
    }
}
