//! The cheap questions asked of a whole file before any pattern runs: where the rule keywords
//! are (one SIMD pass) and which rules each hit feeds, whether a generic secret's name is
//! there, and so whether the file can matter at all.

use aho_corasick::AhoCorasick;
use once_cell::sync::Lazy;

use super::{context, literals, names, project, rules, verify};

/// The one keyword pass over a file: every case-insensitive occurrence of a rule keyword.
///
/// SIMD "Teddy" search over every ASCII case variant of the keywords runs at several GB/s; a
/// case-insensitive automaton cannot skip ahead on the first bytes (`z`, `Z`, `e`, `E` are
/// everywhere) and runs at a tenth of that. The automaton stays as the fallback for CPUs
/// without the SIMD instructions Teddy needs, built only there.
pub(super) struct Prefilter {
    search: KeywordSearch,
    /// What a hit of each keyword (in pattern order) leads to.
    routes: Vec<Route>,
}

/// What a keyword hit leads to, read off the rule table: the rules a keyword belongs to are
/// the rules its hits feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// A keyword of the token rules (`eyJ`, a JWT's first bytes, as written): a token may
    /// start here.
    TokenStart(&'static str),
    /// A keyword of the keyed rules (`zoom`): a reference to Zoom, if it reads as one.
    ZoomName,
    /// A word that says Zoom without its name (`x-zm-`, Zoom's webhook headers).
    ZoomWord,
}

impl Route {
    /// The route of `word`, one of the prefilter's keywords.
    fn of(word: &'static str) -> Route {
        let listed_by = |token: bool| {
            rules::RULES
                .iter()
                .filter(|rule| matches!(rule.matcher, rules::Matcher::Token(_)) == token)
                .any(|rule| rule.keywords.contains(&word))
        };
        if listed_by(true) {
            Route::TokenStart(word)
        } else if listed_by(false) {
            Route::ZoomName
        } else {
            Route::ZoomWord
        }
    }
}

/// How [`Prefilter`] searches.
enum KeywordSearch {
    /// Teddy over the case variants; `variant_of[pattern]` is the keyword index.
    Packed { searcher: aho_corasick::packed::Searcher, variant_of: Vec<usize> },
    /// A case-insensitive automaton over the keywords.
    Automaton(AhoCorasick),
}

impl Prefilter {
    fn new() -> Self {
        let words = Prefilter::keywords();
        let mut variants = Vec::new();
        let mut variant_of = Vec::new();
        for (index, word) in words.iter().enumerate() {
            for variant in case_variants(word) {
                variants.push(variant);
                variant_of.push(index);
            }
        }
        match aho_corasick::packed::Searcher::new(variants.iter()) {
            Some(searcher) => {
                let routes = words.iter().map(|&word| Route::of(word)).collect();
                Prefilter { search: KeywordSearch::Packed { searcher, variant_of }, routes }
            }
            None => Prefilter::with_automaton(),
        }
    }

    /// The keyword pass by automaton alone (what a CPU without Teddy's instructions gets).
    fn with_automaton() -> Prefilter {
        let words = Prefilter::keywords();
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("the rule keywords build an automaton");
        let routes = words.iter().map(|&word| Route::of(word)).collect();
        Prefilter { search: KeywordSearch::Automaton(automaton), routes }
    }

    /// The rule table's keywords and the Zoom webhook word.
    fn keywords() -> Vec<&'static str> {
        let mut words = rules::all_keywords();
        words.extend(project::KEYWORDS_WITHOUT_ZOOM);
        words
    }

    /// Calls `each` with every keyword occurrence in `text`: (offset, where it leads).
    /// Nothing is collected, so a text made of keywords costs no memory here.
    pub(super) fn for_each_hit(&self, text: &[u8], mut each: impl FnMut(usize, Route)) {
        match &self.search {
            KeywordSearch::Packed { searcher, variant_of } => {
                for m in searcher.find_iter(text) {
                    each(m.start(), self.routes[variant_of[m.pattern().as_usize()]]);
                }
            }
            KeywordSearch::Automaton(automaton) => {
                for m in automaton.find_iter(text) {
                    each(m.start(), self.routes[m.pattern().as_usize()]);
                }
            }
        }
    }
}

/// Every ASCII upper/lower-case spelling of `word` (`eyJ` → `eyj`, `eyJ`, `eYj`, … `EYJ`).
fn case_variants(word: &str) -> Vec<Vec<u8>> {
    let mut variants = vec![Vec::new()];
    for byte in word.bytes() {
        let forms = [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()];
        let forms: &[u8] = if forms[0] == forms[1] { &forms[..1] } else { &forms };
        variants = variants
            .into_iter()
            .flat_map(|prefix| {
                forms.iter().map(move |&b| {
                    let mut next = prefix.clone();
                    next.push(b);
                    next
                })
            })
            .collect();
    }
    variants
}

pub(super) static PREFILTER: Lazy<Prefilter> = Lazy::new(Prefilter::new);

/// The words of the generic names that count in a Zoom project ([`names::WIDE_NAME_WORDS`],
/// as written): asked only of a file with no Zoom keyword, in a project that may use Zoom.
static SECRET_NAME_WORDS: Lazy<literals::Literals> =
    Lazy::new(|| literals::Literals::new(names::WIDE_NAME_WORDS));

/// Whether `text` holds a word of the generic names that count in a Zoom project.
pub(super) fn names_a_secret(text: &[u8]) -> bool {
    SECRET_NAME_WORDS.is_match(text)
}

/// Every word whose presence lets a text matter: each spelling of the keywords, the words of
/// the generic names, and the words of evidence. One pass over a text for all of them, where
/// asking each search in turn took three over a text that holds none (most do).
static ANY_THAT_MATTERS: Lazy<literals::Literals> =
    Lazy::new(|| literals::Literals::new(&words_that_matter()));

fn words_that_matter() -> Vec<Vec<u8>> {
    let spellings = Prefilter::keywords().into_iter().flat_map(case_variants);
    let words = names::WIDE_NAME_WORDS.iter().chain(&verify::EVIDENCE_WORDS);
    let mut all: Vec<Vec<u8>> = spellings.chain(words.map(|word| word.as_bytes().to_vec())).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Whether any of the lines of `text` (the file at `path`) can matter, whichever of them are
/// added: `false` when it holds no keyword, no word of a generic secret's name, nothing a
/// secret could be verified against, and its path does not name Zoom. Then [`super::scan`] finds
/// nothing in it and it shows no sign of a Zoom project, so a source need not work out which
/// of its lines are added (which needs the old version read and compared).
pub fn may_matter(path: &str, text: &[u8]) -> bool {
    context::mentions_zoom(path.as_bytes()) || ANY_THAT_MATTERS.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_pass_says_what_the_three_searches_say() {
        let three = |text: &[u8]| {
            let mut keyword = false;
            PREFILTER.for_each_hit(text, |_, _| keyword = true);
            keyword || names_a_secret(text) || verify::may_be_evidence(text)
        };
        let mut texts = vec![Vec::new(), b"fn main() { println!(\"a plain file\"); }\n".to_vec()];
        for word in words_that_matter() {
            texts.push([&b"let value = \""[..], &word, b"\";\n"].concat());
            // Every word cut short, which none of the searches takes for the word.
            texts.push([&b"x "[..], &word[..word.len() - 1], b" y"].concat());
        }
        let mut matched = 0;
        for text in &texts {
            let one = ANY_THAT_MATTERS.is_match(text);
            assert_eq!(one, three(text), "{:?}", String::from_utf8_lossy(text));
            matched += usize::from(one);
        }
        assert!(matched >= words_that_matter().len(), "each word is found");
        assert!(!may_matter("src/plain.rs", &texts[1]), "a file with none of them cannot matter");
    }

    #[test]
    fn the_keyword_pass_finds_every_spelling() {
        assert_eq!(case_variants("eyJ").len(), 8);
        let text = b"a ZoOm b eyj c zoom";
        let hits = |prefilter: &Prefilter| {
            let mut hits = Vec::new();
            prefilter.for_each_hit(text, |at, route| hits.push((at, route)));
            hits
        };
        assert_eq!(
            hits(&PREFILTER),
            [(2, Route::ZoomName), (9, Route::TokenStart("eyJ")), (15, Route::ZoomName)]
        );
        assert!(
            matches!(PREFILTER.search, KeywordSearch::Packed { .. }),
            "the keyword pass fits the SIMD search"
        );
        assert!(
            matches!(*SECRET_NAME_WORDS, literals::Literals::Packed(_)),
            "so does the search for secret names"
        );
        assert!(
            matches!(*ANY_THAT_MATTERS, literals::Literals::Packed(_)),
            "and the one for every word that matters ({} of them)",
            words_that_matter().len()
        );
        let fallback = Prefilter::with_automaton();
        assert_eq!(hits(&fallback), hits(&PREFILTER));
    }
}
