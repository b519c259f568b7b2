//! A search for a few literal words anywhere in a text: SIMD ("Teddy") where the CPU has it,
//! at several GB/s, and an Aho-Corasick automaton where it does not. The automaton is built
//! only when it is needed: building it cost a tenth of a one-line commit's time.

use aho_corasick::packed::Searcher;
use aho_corasick::AhoCorasick;

/// Words to look for, and how.
pub enum Literals {
    /// The SIMD search.
    Packed(Searcher),
    /// The automaton, where the SIMD search is unavailable.
    Automaton(AhoCorasick),
}

impl Literals {
    /// The fastest search for `words` this CPU allows.
    pub fn new<W: AsRef<[u8]>>(words: &[W]) -> Literals {
        Searcher::new(words.iter()).map_or_else(|| Literals::automaton(words), Literals::Packed)
    }

    /// The automaton alone (what a CPU without the SIMD search gets; the tests compare both).
    pub fn automaton<W: AsRef<[u8]>>(words: &[W]) -> Literals {
        Literals::Automaton(AhoCorasick::new(words).expect("a few literal words build an automaton"))
    }

    /// Whether `text` holds one of the words.
    pub fn is_match(&self, text: &[u8]) -> bool {
        match self {
            Literals::Packed(searcher) => searcher.find(text).is_some(),
            Literals::Automaton(automaton) => automaton.is_match(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_searches_agree() {
        let words = ["ecret", "x-zm-signature"];
        for (text, expected) in
            [(&b"CLIENT_Secret"[..], true), (b"x-zm-signature: v0", true), (b"SECRET", false)]
        {
            assert_eq!(Literals::new(&words).is_match(text), expected);
            assert_eq!(Literals::automaton(&words).is_match(text), expected);
        }
    }
}
