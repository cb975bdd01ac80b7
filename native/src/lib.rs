//! The compiled core of bahth's Arabic analysis.
//!
//! `indexer.analysis` (Python) is the reference: this crate must give the same
//! terms, offsets and term streams, character for character.  It takes every
//! table from the reference when it is built (`Core::new`): the per-character
//! normalisation table is computed by Python's own `unicodedata`, so both sides
//! agree on one Unicode version, and the word lists are the reference's.  A
//! chunk holding a character the table cannot fold alone (NFKC compositions,
//! ligatures, final sigma, anything past the BMP) is tokenised by the
//! reference's `spans`, passed in as `fallback`; stop words, stems and roots
//! of its words are computed here as for any other.

mod collapse;
mod isri;
mod signature;
mod stem;
mod vocabulary;

use std::sync::Mutex;

use compact_str::CompactString;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::stem::{StemTables, Stemmer};

// One u32 per BMP code point: the folded character in the low 21 bits, flags above.
const OUT_MASK: u32 = 0x1F_FFFF;
const DELETED: u32 = 1 << 24; // normalisation deletes it (marks, tatweel)
const RAW_WORD: u32 = 1 << 25; // part of a written word (a letter, digit or deleted mark)
const WORD: u32 = 1 << 26; // its folded form is a word character
const SPACE: u32 = 1 << 27; // white space: chunks are cut here
const UNSAFE: u32 = 1 << 28; // only the reference can tokenise a chunk holding it
const MARK: u32 = 1 << 29; // a mark or invisible character: not shown in a display form

/// A normalised word and the span of its written word in the chunk (code points).
type Span = (String, usize, usize);

/// A content term and the span of its written word: (exact, stem, root, start, end).
type TermSpan = (String, String, String, usize, usize);

/// A document's term streams: (exact, stem, root, lead, title).
type Streams = (String, String, String, String, String);

/// A chunk's light stems and the spans of their words.
type ChunkStems = (Vec<String>, Vec<(usize, usize)>);

/// A word's search forms: None for a stop word, else (stem, root).
type Forms = Option<(CompactString, CompactString)>;

// PERF: CompactString keeps a word of up to 24 bytes (most Arabic words) inside
// the table's entry: a look-up reads one place in memory, not three (the
// analysis was bound by those reads: a tenth of its time).
type Cache = FxHashMap<CompactString, Forms>;

// Words analysed, kept up to this many (then the cache starts over): bounds memory.
const CACHE_LIMIT: usize = 1 << 20;

#[pyclass(frozen, module = "bahth_native")]
struct Core {
    table: Vec<u32>,
    stop_words: FxHashSet<String>,
    stemmer: Stemmer,
    edge_punctuation: FxHashSet<char>,
    fallback: Py<PyAny>,
    cache: Mutex<Cache>,
}

fn text_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    text.to_str()
        .map_err(|_| PyValueError::new_err("text holds a lone surrogate: not valid Unicode text"))
}

impl Core {
    fn flags(&self, c: char) -> u32 {
        let code = c as usize;
        if code < self.table.len() {
            self.table[code]
        } else {
            UNSAFE
        }
    }

    fn is_space(&self, c: char) -> bool {
        self.flags(c) & SPACE != 0
    }

    /// The chunks of `text` (cut at white space) with the code-point offset of each.
    fn chunks<'t>(&self, text: &'t str) -> Vec<(&'t str, usize)> {
        let mut found = Vec::new();
        let (mut start_byte, mut start_char, mut in_chunk) = (0, 0, false);
        for (position, (byte, c)) in text.char_indices().enumerate() {
            if self.is_space(c) {
                if in_chunk {
                    found.push((&text[start_byte..byte], start_char));
                    in_chunk = false;
                }
            } else if !in_chunk {
                (start_byte, start_char, in_chunk) = (byte, position, true);
            }
        }
        if in_chunk {
            found.push((&text[start_byte..], start_char));
        }
        found
    }

    /// Calls `found(word, start, end)` for each normalised word of `text`, with
    /// the span of its written word: the reference's `spans`, chunk by chunk.
    fn each_word(
        &self,
        py: Python<'_>,
        text: &str,
        found: &mut dyn FnMut(&str, usize, usize),
    ) -> PyResult<()> {
        let mut words = Words::default();
        for (chunk, base) in self.chunks(text) {
            if chunk.chars().any(|c| self.flags(c) & UNSAFE != 0) {
                for (word, start, end) in self.fallback_spans(py, chunk)? {
                    found(&word, base + start, base + end);
                }
                continue;
            }
            let mut run_start = None;
            let mut length = 0;
            for (position, c) in chunk.chars().enumerate() {
                let flags = self.flags(c);
                length = position + 1;
                if flags & RAW_WORD == 0 {
                    if let Some(start) = run_start.take() {
                        words.emit(base + start, base + position, found);
                    }
                    continue;
                }
                run_start.get_or_insert(position);
                if flags & DELETED == 0 {
                    if flags & WORD != 0 {
                        words
                            .current
                            .push(char::from_u32(flags & OUT_MASK).unwrap_or('\u{FFFD}'));
                    } else {
                        words.cut();
                    }
                }
            }
            if let Some(start) = run_start {
                words.emit(base + start, base + length, found);
            }
        }
        Ok(())
    }

    fn fallback_spans(&self, py: Python<'_>, chunk: &str) -> PyResult<Vec<Span>> {
        let result = self.fallback.bind(py).call1((chunk,))?;
        let mut found = Vec::new();
        for item in result.try_iter()? {
            found.push(item?.extract::<Span>()?);
        }
        Ok(found)
    }

    /// Content terms (exact, stem, root) of `text`, with offsets, in order.
    fn terms(&self, py: Python<'_>, text: &str) -> PyResult<Vec<TermSpan>> {
        let mut terms = Vec::new();
        self.each_word(py, text, &mut |word, start, end| {
            self.with_forms(word, |forms| {
                if let Some((stem, root)) = forms {
                    terms.push((
                        word.to_owned(),
                        stem.to_string(),
                        root.to_string(),
                        start,
                        end,
                    ));
                }
            })
        })?;
        Ok(terms)
    }

    /// `with(forms)`: the stem and root of a normalised word, None for a stop word; cached.
    ///
    /// NOTE: the cache is locked for this alone, never across a call into
    /// Python (the fallback), which may hand the interpreter to another thread
    /// that would then wait for the lock while holding the interpreter.
    fn with_forms<R>(&self, word: &str, with: impl FnOnce(&Forms) -> R) -> R {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(forms) = cache.get(word) {
            return with(forms);
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let forms = (!self.stop_words.contains(word)).then(|| {
            let (stem, root) = self.stemmer.stem_and_root(word);
            (CompactString::from(stem), CompactString::from(root))
        });
        let result = with(&forms);
        cache.insert(CompactString::from(word), forms);
        result
    }
}

pub(crate) type FormCounts = FxHashMap<(CompactString, CompactString), u64>;

/// `mark`: `text` HTML-escaped as `html.escape` does, each span in <mark>.
///
/// A span may repeat (the words of a ligature share its span): it is marked once.
fn mark(text: &[char], spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() * 2 + spans.len() * 13);
    let mut last = 0;
    for &(start, end) in spans {
        if start < last {
            continue;
        }
        escape_into(&mut out, &text[last..start]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[start..end]);
        out.push_str("</mark>");
        last = end;
    }
    escape_into(&mut out, &text[last..]);
    out
}

fn escape_into(out: &mut String, text: &[char]) {
    for &c in text {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
}

/// A text's characters, decoded only as far as they are asked for: a snippet
/// reads the start of an article, and taking all of its characters was a
/// quarter of a snippet's time on long articles.
struct Lazy<'t> {
    rest: std::str::Chars<'t>,
    chars: Vec<char>,
}

impl<'t> Lazy<'t> {
    fn new(text: &'t str) -> Self {
        Lazy {
            rest: text.chars(),
            chars: Vec::new(),
        }
    }

    /// Decodes up to `n` characters: how many there are, `n` at most.
    fn reach(&mut self, n: usize) -> usize {
        while self.chars.len() < n {
            match self.rest.next() {
                Some(c) => self.chars.push(c),
                None => break,
            }
        }
        self.chars.len().min(n)
    }

    /// Whether the text has a character at `i`.
    fn has(&mut self, i: usize) -> bool {
        self.reach(i + 1) > i
    }
}

/// Index of the span that starts the window of `width` with the most spans.
fn densest(spans: &[(usize, usize)], width: usize) -> usize {
    let (mut best, mut best_count, mut j) = (0, 0, 0);
    for (i, &(start, _)) in spans.iter().enumerate() {
        while j < spans.len() && spans[j].0 < start + width {
            j += 1;
        }
        if j - i > best_count {
            (best, best_count) = (i, j - i);
        }
    }
    best
}

impl Core {
    /// The spans of the words of `text` whose stem is one of `stems`.
    fn matches(
        &self,
        py: Python<'_>,
        text: &[char],
        stems: &FxHashSet<String>,
    ) -> PyResult<Vec<(usize, usize)>> {
        let text: String = text.iter().collect();
        let mut found = Vec::new();
        // A light stem is its word with letters cut off: a word holding none of
        // the stems cannot match, and is not stemmed (nor its root found).
        self.each_word(py, &text, &mut |word, start, end| {
            if stems.iter().any(|stem| word.contains(stem.as_str()))
                && self.with_forms(
                    word,
                    |forms| matches!(forms, Some((stem, _)) if stems.contains(stem.as_str())),
                )
            {
                found.push((start, end));
            }
        })?;
        Ok(found)
    }

    /// The matches in the first block of `text` holding any, and where that block ends.
    fn first_matches(
        &self,
        py: Python<'_>,
        text: &mut Lazy<'_>,
        stems: &FxHashSet<String>,
        block: usize,
    ) -> PyResult<(Vec<(usize, usize)>, usize)> {
        let (mut start, mut block) = (0, block);
        while text.has(start) {
            let reached = text.reach(start + block);
            let end = self.word_end(text, reached);
            let found = self.matches(py, &text.chars[start..end], stems)?;
            if !found.is_empty() {
                return Ok((
                    found
                        .into_iter()
                        .map(|(s, e)| (s + start, e + start))
                        .collect(),
                    end,
                ));
            }
            (start, block) = (end, block * 2);
        }
        Ok((Vec::new(), text.chars.len()))
    }

    fn word_start(&self, text: &[char], mut i: usize) -> usize {
        while 0 < i && i < text.len() && !self.is_space(text[i - 1]) {
            i -= 1;
        }
        i
    }

    fn word_end(&self, text: &mut Lazy<'_>, mut i: usize) -> usize {
        while text.has(i) && !self.is_space(text.chars[i]) {
            i += 1;
        }
        i
    }

    /// `str.strip()`: white space off both ends.
    fn strip<'h>(&self, html: &'h str) -> &'h str {
        html.trim_matches(|c| self.is_space(c))
    }

    /// Adds `count` to the (exact, display) form of each content word of `chunk`.
    fn count_forms(
        &self,
        py: Python<'_>,
        chunk: &str,
        count: u64,
        forms: &mut FormCounts,
    ) -> PyResult<()> {
        let letters: Vec<char> = chunk.chars().collect();
        self.each_word(py, chunk, &mut |word, start, end| {
            if self.with_forms(word, |forms| forms.is_some()) {
                let display = letters[start..end]
                    .iter()
                    .filter(|c| self.flags(**c) & MARK == 0)
                    .collect();
                *forms
                    .entry((CompactString::from(word), display))
                    .or_default() += count;
            }
        })
    }

    fn trim<'t>(&self, chunk: &'t str) -> &'t str {
        chunk.trim_matches(|c| self.edge_punctuation.contains(&c))
    }
}

fn forms_dict(py: Python<'_>, forms: FormCounts) -> PyResult<Bound<'_, PyDict>> {
    let counted = PyDict::new(py);
    for ((exact, display), count) in forms {
        counted.set_item((exact.as_str(), display.as_str()), count)?;
    }
    Ok(counted)
}

/// `vocabulary.FormCounter` in the core: the chunks of many texts counted,
/// then each distinct chunk expanded into its forms once.
#[pyclass(module = "bahth_native")]
struct FormCounter {
    core: Py<Core>,
    chunks: FxHashMap<CompactString, u64>,
    forms: FormCounts,
}

#[pymethods]
impl FormCounter {
    #[new]
    fn new(core: Py<Core>) -> Self {
        FormCounter {
            core,
            chunks: FxHashMap::default(),
            forms: FormCounts::default(),
        }
    }

    /// Counts the chunks of `text`, edge punctuation trimmed (``trimmed_chunks``).
    fn add(&mut self, text: &Bound<'_, PyString>) -> PyResult<()> {
        let core = self.core.get();
        for (chunk, _) in core.chunks(text_of(text)?) {
            let chunk = core.trim(chunk);
            match self.chunks.get_mut(chunk) {
                Some(count) => *count += 1,
                None => {
                    self.chunks.insert(CompactString::from(chunk), 1);
                }
            }
        }
        Ok(())
    }

    /// Distinct chunks counted since the last expansion.
    fn held(&self) -> usize {
        self.chunks.len()
    }

    /// Expands the chunks counted so far into forms.
    fn expand(&mut self, py: Python<'_>) -> PyResult<()> {
        let core = self.core.get();
        for (chunk, count) in std::mem::take(&mut self.chunks) {
            core.count_forms(py, &chunk, count, &mut self.forms)?;
        }
        Ok(())
    }

    /// The forms of every text added, as lines of `exact\tdisplay\tcount`.
    fn table<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.expand(py)?;
        Ok(PyBytes::new(
            py,
            &vocabulary::table(&std::mem::take(&mut self.forms)),
        ))
    }
}

/// The words of one written word, held until its end is known: each gets its whole span.
#[derive(Default)]
struct Words {
    current: String,
    before: Vec<String>, // earlier words of the same written word (rare: a letter folded to a non-letter)
}

impl Words {
    fn cut(&mut self) {
        if !self.current.is_empty() {
            self.before.push(std::mem::take(&mut self.current));
        }
    }

    fn emit(&mut self, start: usize, end: usize, found: &mut dyn FnMut(&str, usize, usize)) {
        for word in self.before.drain(..) {
            found(&word, start, end);
        }
        if !self.current.is_empty() {
            found(&self.current, start, end);
            self.current.clear();
        }
    }
}

fn push_joined(stream: &mut String, term: &str) {
    if !stream.is_empty() {
        stream.push(' ');
    }
    stream.push_str(term);
}

#[pymethods]
impl Core {
    /// `table`: one u32 a BMP code point (see the flags above); the stop
    /// words and stemming tables of the reference; `fallback(chunk)` is the
    /// reference's `spans`, for chunks the table cannot tokenise.
    #[new]
    fn new(
        table: Vec<u32>,
        stop_words: Vec<String>,
        stemming: StemTables,
        edge_punctuation: &str,
        fallback: Py<PyAny>,
    ) -> PyResult<Self> {
        if table.len() != 0x10000 {
            return Err(PyValueError::new_err(
                "the character table must have one entry per BMP code point",
            ));
        }
        let stemmer = Stemmer::new(stemming).map_err(PyValueError::new_err)?;
        Ok(Core {
            table,
            stop_words: stop_words.into_iter().collect(),
            stemmer,
            edge_punctuation: edge_punctuation.chars().collect(),
            fallback,
            cache: Mutex::new(FxHashMap::default()),
        })
    }

    /// `analyse_word`: (exact, stem, root) of a normalised word, None for a stop word.
    fn word(&self, word: &Bound<'_, PyString>) -> PyResult<Option<(String, String, String)>> {
        let word = text_of(word)?;
        Ok(self.with_forms(word, |forms| {
            forms
                .as_ref()
                .map(|(stem, root)| (word.to_owned(), stem.to_string(), root.to_string()))
        }))
    }

    /// Content terms of `text` with their offsets: [(exact, stem, root, start, end)].
    fn analyse_spans(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Vec<TermSpan>> {
        self.terms(py, text_of(text)?)
    }

    /// Content terms of `text`: [(exact, stem, root)].
    fn analyse(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
    ) -> PyResult<Vec<(String, String, String)>> {
        Ok(self
            .terms(py, text_of(text)?)?
            .into_iter()
            .map(|(e, s, r, _, _)| (e, s, r))
            .collect())
    }

    /// A document's term streams, each a field's terms joined by spaces: (exact,
    /// stem, root, lead, title), lead the first `lead_terms` stems; None if it
    /// has no content words.  The title's terms come first in the others.
    fn document_streams(
        &self,
        py: Python<'_>,
        title: &Bound<'_, PyString>,
        body: &Bound<'_, PyString>,
        lead_terms: usize,
    ) -> PyResult<Option<Streams>> {
        let (title, body) = (text_of(title)?, text_of(body)?);
        let mut streams: [String; 5] = Default::default();
        let [exact, stems, roots, lead, title_stems] = &mut streams;
        let mut count = 0;
        for (in_title, text) in [(true, title), (false, body)] {
            self.each_word(py, text, &mut |word, _, _| {
                self.with_forms(word, |forms| {
                    let Some((stem, root)) = forms else { return };
                    push_joined(exact, word);
                    push_joined(stems, stem);
                    push_joined(roots, root);
                    if count < lead_terms {
                        push_joined(lead, stem);
                    }
                    if in_title {
                        push_joined(title_stems, stem);
                    }
                    count += 1;
                })
            })?;
        }
        let [exact, stems, roots, lead, title_stems] = streams;
        Ok((count > 0).then_some((exact, stems, roots, lead, title_stems)))
    }

    /// The light stems of a chunk's content words with their offsets: the reference's `chunk_stems`.
    fn chunk_stems(&self, py: Python<'_>, chunk: &Bound<'_, PyString>) -> PyResult<ChunkStems> {
        let (mut stems, mut offsets) = (Vec::new(), Vec::new());
        self.each_word(py, text_of(chunk)?, &mut |word, start, end| {
            self.with_forms(word, |forms| {
                if let Some((stem, _)) = forms {
                    stems.push(stem.to_string());
                    offsets.push((start, end));
                }
            })
        })?;
        Ok((stems, offsets))
    }

    /// Offsets of the written words of `text` whose light stem is one of `stems`.
    fn match_spans(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        stems: Vec<String>,
    ) -> PyResult<Vec<(usize, usize)>> {
        let letters: Vec<char> = text_of(text)?.chars().collect();
        self.matches(py, &letters, &stems.into_iter().collect())
    }

    /// `highlight.highlight`: all of `text` as HTML, the words with one of
    /// `stems` in <mark>, everything else escaped.
    fn highlight(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        stems: Vec<String>,
    ) -> PyResult<String> {
        let letters: Vec<char> = text_of(text)?.chars().collect();
        let stems: FxHashSet<String> = stems.into_iter().collect();
        let spans = self.matches(py, &letters, &stems)?;
        Ok(mark(&letters, &spans))
    }

    /// `highlight.snippet`: the window of `width` characters with the most
    /// matches, as HTML, step for step as the reference finds it (the first
    /// block holding a match, `lead` characters of context before it).
    ///
    /// `text` may come as its UTF-8 bytes (a hit's stored body): read without
    /// a Python string made of it.
    fn snippet(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        stems: Vec<String>,
        width: usize,
        lead: usize,
        block: usize,
    ) -> PyResult<String> {
        let text = match text.cast::<PyBytes>() {
            Ok(utf8) => simdutf8::basic::from_utf8(utf8.as_bytes())
                .map_err(|_| PyValueError::new_err("the text is not valid UTF-8"))?,
            Err(_) => text_of(text.cast::<PyString>()?)?,
        };
        let mut text = Lazy::new(text);
        let stems: FxHashSet<String> = stems.into_iter().collect();
        if !text.has(width) {
            let html = mark(&text.chars, &self.matches(py, &text.chars, &stems)?);
            return Ok(self.strip(&html).to_owned());
        }
        let (matches, scanned) = self.first_matches(py, &mut text, &stems, block)?;
        let start = match matches.get(densest(&matches, width)) {
            Some(&(first, _)) => self.word_start(&text.chars, first.saturating_sub(lead)),
            None => 0,
        };
        let reached = text.reach(start + width);
        let end = self.word_end(&mut text, reached);
        let more = text.has(end);
        let window = &text.chars[start..end];
        let html = if end <= scanned {
            let inside: Vec<(usize, usize)> = matches
                .iter()
                .filter(|&&(s, e)| start <= s && e <= end)
                .map(|&(s, e)| (s - start, e - start))
                .collect();
            mark(window, &inside)
        } else {
            mark(window, &self.matches(py, window, &stems)?)
        };
        let mut out = String::with_capacity(html.len() + 8);
        if start > 0 {
            out.push_str("… ");
        }
        out.push_str(self.strip(&html));
        if more {
            out.push_str(" …");
        }
        Ok(out)
    }

    /// The display vocabulary of counted chunks: {(exact form, display form):
    /// occurrences} over `chunk_counts` ({chunk: occurrences}), and the chunks
    /// refused (lone surrogates), for the reference to count.
    fn forms_of<'py>(
        &self,
        py: Python<'py>,
        chunk_counts: &Bound<'py, PyDict>,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<Bound<'py, PyString>>)> {
        let mut forms = FormCounts::default();
        let mut refused = Vec::new();
        for (chunk, count) in chunk_counts.iter() {
            let chunk = chunk.cast_into::<PyString>()?;
            match chunk.to_str() {
                Ok(text) => self.count_forms(py, text, count.extract()?, &mut forms)?,
                Err(_) => refused.push(chunk),
            }
        }
        Ok((forms_dict(py, forms)?, refused))
    }

    /// The chunks of `text` and the offset of each: `str.split()` with offsets.
    fn chunks_of<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyList>> {
        let found: Vec<(&str, usize)> = self.chunks(text_of(text)?);
        PyList::new(py, found)
    }
}

/// What this core computes, as `indexer/analysis/native.py` CORE_VERSION expects it:
/// bumped with any change to its results.
const VERSION: u32 = 4;

#[pymodule]
fn bahth_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", VERSION)?;
    m.add_class::<Core>()?;
    m.add_class::<FormCounter>()?;
    m.add_function(wrap_pyfunction!(collapse::group, m)?)?;
    m.add_function(wrap_pyfunction!(signature::stream_signature, m)?)?;
    m.add_function(wrap_pyfunction!(vocabulary::vocabulary_file, m)?)?;
    Ok(())
}
