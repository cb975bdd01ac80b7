//! The display vocabulary's file, as `indexer/vocabulary.py` writes it (its
//! reference): form tables merged, each exact form with its most common
//! display form and its total.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::FxHashMap;

use crate::FormCounts;

/// Lines of `exact\tdisplay\tcount`, in no order.
pub fn table(forms: &FormCounts) -> Vec<u8> {
    let mut out = Vec::with_capacity(forms.len() * 32);
    for ((exact, display), count) in forms {
        out.extend_from_slice(exact.as_bytes());
        out.push(b'\t');
        out.extend_from_slice(display.as_bytes());
        out.push(b'\t');
        out.extend_from_slice(count.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// `vocabulary.vocabulary_file`: the counts of every table summed by
/// (exact, display); per exact form its total and the display form counted
/// most (of equals the smallest), sorted by exact form.  A line without three
/// columns is skipped; a count that is not a number is refused.
#[pyfunction]
pub fn vocabulary_file<'py>(
    py: Python<'py>,
    tables: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut pairs: FxHashMap<(&[u8], &[u8]), u64> = FxHashMap::default();
    for table in &tables {
        for line in table.split(|b| *b == b'\n') {
            let mut columns = line.split(|b| *b == b'\t');
            let (Some(exact), Some(display), Some(count), None) = (
                columns.next(),
                columns.next(),
                columns.next(),
                columns.next(),
            ) else {
                continue;
            };
            let count: u64 = std::str::from_utf8(count)
                .ok()
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| PyValueError::new_err("a vocabulary count is not a number"))?;
            *pairs.entry((exact, display)).or_default() += count;
        }
    }
    // exact → (total, best count, best display)
    let mut best: FxHashMap<&[u8], (u64, u64, &[u8])> = FxHashMap::default();
    for ((exact, display), count) in pairs {
        let held = best.entry(exact).or_insert((0, 0, display));
        held.0 += count;
        if count > held.1 || (count == held.1 && display < held.2) {
            (held.1, held.2) = (count, display);
        }
    }
    let mut exacts: Vec<&[u8]> = best.keys().copied().collect();
    // Byte order of UTF-8 is code point order: Python's sort of the strings.
    exacts.sort_unstable();
    let mut out = Vec::with_capacity(exacts.len() * 32);
    for exact in exacts {
        let (total, _, display) = best[exact];
        out.extend_from_slice(exact);
        out.push(b'\t');
        out.extend_from_slice(display);
        out.push(b'\t');
        out.extend_from_slice(total.to_string().as_bytes());
        out.push(b'\n');
    }
    Ok(PyBytes::new(py, &out))
}
