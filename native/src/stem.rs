//! Light stemming with guards and protected names: `indexer/analysis/stem.py`,
//! with its affixes and word lists handed in by it.

use pyo3::prelude::*;
use rustc_hash::FxHashSet;

use crate::isri::isri_root;

type Word = Vec<char>;

pub struct Stemmer {
    protected: FxHashSet<String>,
    prefixes: Vec<(Word, usize)>, // (prefix, least length of a word it is cut from)
    suffixes: Vec<Word>,
    pronoun_suffixes: Vec<Word>,
    accusative: (char, usize),
    isri_stop_words: FxHashSet<String>,
}

fn chars(text: &str) -> Word {
    text.chars().collect()
}

fn text(word: &[char]) -> String {
    word.iter().collect()
}

/// The reference's stemming tables (`indexer/analysis/stem.py`, `isri.py`), handed in as a dict.
#[derive(FromPyObject)]
pub struct StemTables {
    #[pyo3(item)]
    protected: Vec<String>,
    #[pyo3(item)]
    prefixes: Vec<(String, usize)>,
    #[pyo3(item)]
    suffixes: Vec<String>,
    #[pyo3(item)]
    pronoun_suffixes: Vec<String>,
    #[pyo3(item)]
    accusative: (String, usize),
    #[pyo3(item)]
    isri_stop_words: Vec<String>,
}

impl Stemmer {
    pub fn new(tables: StemTables) -> Result<Self, String> {
        let StemTables {
            protected,
            prefixes,
            suffixes,
            pronoun_suffixes,
            accusative,
            isri_stop_words,
        } = tables;
        let mut alef = accusative.0.chars();
        let (Some(alef), None) = (alef.next(), alef.next()) else {
            return Err("the accusative suffix must be one letter".into());
        };
        Ok(Stemmer {
            protected: protected.into_iter().collect(),
            prefixes: prefixes.iter().map(|(p, n)| (chars(p), *n)).collect(),
            suffixes: suffixes.iter().map(|s| chars(s)).collect(),
            pronoun_suffixes: pronoun_suffixes.iter().map(|s| chars(s)).collect(),
            accusative: (alef, accusative.1),
            isri_stop_words: isri_stop_words.into_iter().collect(),
        })
    }

    fn is_protected(&self, word: &[char]) -> bool {
        self.protected.contains(&text(word))
    }

    fn strip_prefix<'w>(&self, word: &'w [char]) -> &'w [char] {
        for (prefix, least) in &self.prefixes {
            if word.starts_with(prefix) && word.len() >= *least {
                return &word[prefix.len()..];
            }
        }
        word
    }

    fn stem_chars(&self, word: &[char]) -> Word {
        if self.is_protected(word) {
            return word.to_vec();
        }
        let bare = self.strip_prefix(word);
        let mut with_article = chars("ال");
        with_article.extend_from_slice(bare);
        if self.is_protected(bare) {
            return bare.to_vec();
        }
        if self.is_protected(&with_article) {
            // A name listed with its article: والعراق, بالعراق and للعراق are
            // العراق; without the article (عراق, مدينه) the word is itself.
            let prefix = &word[..word.len() - bare.len()];
            let article = prefix.ends_with(&['ا', 'ل']) || prefix == ['ل', 'ل'];
            return if article { with_article } else { bare.to_vec() };
        }
        let mut bare = bare.to_vec();
        let pronoun = self
            .pronoun_suffixes
            .iter()
            .find(|s| bare.ends_with(s) && bare.len() >= s.len() + 3);
        match pronoun {
            Some(suffix) => {
                bare.truncate(bare.len() - suffix.len());
                // A pronoun turns teh marbuta back into teh: مدرستهم is مدرسة + هم.
                if bare.last() == Some(&'ت') && bare.len() >= 5 {
                    *bare.last_mut().unwrap() = 'ه';
                }
            }
            None => {
                let (alef, least) = self.accusative;
                if bare.last() == Some(&alef) && bare.len() >= least {
                    bare.pop();
                }
            }
        }
        for suffix in &self.suffixes {
            if bare.ends_with(suffix) && bare.len() >= suffix.len() + 2 {
                bare.truncate(bare.len() - suffix.len());
            }
        }
        bare
    }

    /// The light stem and the root of a normalised word: the root is the ISRI
    /// root, but a protected stem is its own root.
    pub fn stem_and_root(&self, word: &str) -> (String, String) {
        let word = chars(word);
        let stem = self.stem_chars(&word);
        let root = if self.is_protected(&stem) {
            stem.clone()
        } else {
            isri_root(&word, &self.isri_stop_words)
        };
        (text(&stem), text(&root))
    }
}
