//! Near-duplicate grouping, as `indexer.read.collapse.group` does it (its reference).
//!
//! A signature is hex hashes, ascending, space-separated (`indexer.signature`):
//! the bottom-k MinHash sketch of a document's shingles.  Sketches are kept
//! sorted, so intersections and unions are merges.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn sketch(text: &str) -> PyResult<Vec<u32>> {
    let mut hashes = Vec::with_capacity(text.len() / 9 + 1);
    for hex in text.split(' ').filter(|h| !h.is_empty()) {
        let h = u32::from_str_radix(hex, 16)
            .ok()
            .filter(|_| hex.len() == 8)
            .ok_or_else(|| PyValueError::new_err(format!("not a signature hash: {hex:?}")))?;
        hashes.push(h);
    }
    hashes.sort_unstable();
    hashes.dedup();
    Ok(hashes)
}

fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The estimated Jaccard similarity (`indexer.signature.similarity`).
fn similarity(a: &[u32], b: &[u32], size: usize) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let both = shared(a, b);
    let union = a.len() + b.len() - both;
    if union <= size {
        return both as f64 / union as f64;
    }
    // The `size` smallest of the union: how many of them both hold.
    let (mut i, mut j, mut taken, mut in_both) = (0, 0, 0, 0);
    while taken < size {
        let (x, y) = (a.get(i), b.get(j));
        match (x, y) {
            (Some(x), Some(y)) if x == y => {
                in_both += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        taken += 1;
    }
    in_both as f64 / size as f64
}

fn near(a: &[u32], b: &[u32], threshold: f64, size: usize) -> bool {
    shared(a, b) as f64 >= threshold * a.len().max(b.len()) as f64
        && similarity(a, b, size) >= threshold
}

fn any_shared(a: &[u32], few: &[u32]) -> bool {
    few.iter().any(|h| a.binary_search(h).is_ok())
}

/// Positions of the hits grouped, each group its leader (the best-ranked) first.
#[pyfunction]
pub fn group(
    signatures: Vec<String>,
    threshold: f64,
    sketch_size: usize,
) -> PyResult<Vec<Vec<usize>>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // Each leader's sketch and its smallest few hashes, as the reference keeps them.
    let mut leaders: Vec<(Vec<u32>, usize)> = Vec::new();
    for (position, text) in signatures.iter().enumerate() {
        let mine = sketch(text)?;
        let found = leaders.iter().position(|(theirs, few)| {
            any_shared(&mine, &theirs[..*few]) && near(&mine, theirs, threshold, sketch_size)
        });
        match found {
            Some(g) => groups[g].push(position),
            None => {
                let few = ((mine.len() as f64 * (1.0 - threshold)) as usize + 2).min(mine.len());
                groups.push(vec![position]);
                leaders.push((mine, few));
            }
        }
    }
    Ok(groups)
}
