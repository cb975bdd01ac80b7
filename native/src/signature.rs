//! Near-duplicate signatures, as `indexer/signature.py` makes them (its reference):
//! the bottom-k MinHash sketch of a term stream's shingles.

use pyo3::prelude::*;

/// `indexer.signature._hash`: CRC-32 through MurmurHash3's finaliser.
fn hash(shingle: &[u8]) -> u32 {
    let mut h = crc32fast::hash(shingle);
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// The signature of a stream's terms (space-separated) past the first `skip`,
/// or of all of them when fewer than `shingle_words` remain: hex hashes,
/// ascending, space-separated; "" for fewer than `shingle_words` terms.
#[pyfunction]
pub fn stream_signature(
    stream: &str,
    skip: usize,
    shingle_words: usize,
    sketch_size: usize,
) -> String {
    let words: Vec<&str> = stream.split(' ').filter(|w| !w.is_empty()).collect();
    let body = &words[skip.min(words.len())..];
    let terms = if body.len() >= shingle_words {
        body
    } else {
        &words[..]
    };
    let mut hashes: Vec<u32> = terms
        .windows(shingle_words.max(1))
        .map(|shingle| hash(shingle.join(" ").as_bytes()))
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes.truncate(sketch_size);
    let hex: Vec<String> = hashes.iter().map(|h| format!("{h:08x}")).collect();
    hex.join(" ")
}
