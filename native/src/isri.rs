//! The ISRI root stemmer: `indexer/analysis/isri.py`, step for step, quirks included.

use rustc_hash::FxHashSet;

type Word = Vec<char>;

const P3: [&str; 4] = ["كال", "بال", "ولل", "وال"];
const P2: [&str; 2] = ["ال", "لل"];
const P1: &str = "لبفسويتنا";
const S3: [&str; 5] = ["تمل", "همل", "تان", "تين", "كمل"];
const S2: [&str; 16] = [
    "ون", "ات", "ان", "ين", "تن", "كم", "هن", "نا", "يا", "ها", "تم", "كن", "ني", "وا", "ما", "هم",
];
const S1: &str = "ةهيكتان";

fn starts(s: &[char], affix: &str) -> bool {
    let mut letters = s.iter();
    affix.chars().all(|a| letters.next() == Some(&a))
}

fn ends(s: &[char], affix: &str) -> bool {
    let mut letters = s.iter().rev();
    affix.chars().rev().all(|a| letters.next() == Some(&a))
}

fn is_mark(c: char) -> bool {
    ('\u{064B}'..='\u{0652}').contains(&c)
}

fn cat(parts: &[&[char]]) -> Word {
    parts.concat()
}

pub fn isri_root(word: &[char], stop_words: &FxHashSet<String>) -> Word {
    let mut s: Word = word.iter().copied().filter(|c| !is_mark(*c)).collect();
    if stop_words.contains(&s.iter().collect::<String>()) {
        return s;
    }
    if s.len() >= 6 {
        if starts(&s, P3[0]) {
            s.drain(..3);
        } else if P2.iter().any(|p| starts(&s, p)) {
            s.drain(..2);
        } else if P3[1..].iter().any(|p| starts(&s, p)) {
            s.drain(..3);
        }
    }
    if s.len() >= 6 {
        let n = s.len();
        if ends(&s, S3[0]) {
            s.truncate(n - 3);
        } else if S2.iter().any(|x| ends(&s, x)) {
            s.truncate(n - 2);
        } else if S3[1..].iter().any(|x| ends(&s, x)) {
            s.truncate(n - 3);
        }
    }
    if s.len() >= 4 && s[0] == 'و' && s[1] == 'و' {
        s.remove(0);
    }
    if !s.is_empty() && "آأإ".contains(s[0]) {
        s[0] = 'ا';
    }
    match s.len() {
        0..=3 => s,
        4 => four(&s),
        5 => end_five(five(&s)),
        6 => end_six(six(&s)),
        7 => {
            let mut s = short_suffix(&s);
            if s.len() == 7 {
                s = short_prefix(&s);
            }
            if s.len() == 6 {
                end_six(six(&s))
            } else {
                s
            }
        }
        _ => s,
    }
}

fn short_suffix(s: &[char]) -> Word {
    match s.last() {
        Some(c) if S1.contains(*c) => s[..s.len() - 1].to_vec(),
        _ => s.to_vec(),
    }
}

fn short_prefix(s: &[char]) -> Word {
    match s.first() {
        Some(c) if P1.contains(*c) => s[1..].to_vec(),
        _ => s.to_vec(),
    }
}

fn four(s: &[char]) -> Word {
    if s[0] == 'م' {
        return s[1..].to_vec();
    }
    if s[1] == 'ا' {
        return cat(&[&s[..1], &s[2..]]);
    }
    if "اوي".contains(s[2]) {
        return cat(&[&s[..2], &s[3..4]]);
    }
    if s[3] == 'ة' {
        return s[..3].to_vec();
    }
    let s = short_suffix(s);
    if s.len() == 4 {
        short_prefix(&s)
    } else {
        s
    }
}

fn five(s: &[char]) -> Word {
    let has = |i: usize, set: &str| set.contains(s[i]);
    if has(2, "ات") && s[0] == 'ا' {
        return cat(&[&s[1..2], &s[3..]]);
    }
    if has(3, "ايو") && s[0] == 'م' {
        return cat(&[&s[1..3], &s[4..5]]);
    }
    if has(0, "اتم") && s[4] == 'ة' {
        return s[1..4].to_vec();
    }
    if has(0, "ميت") && s[2] == 'ت' {
        return cat(&[&s[1..2], &s[3..]]);
    }
    if has(0, "مت") && s[2] == 'ا' {
        return cat(&[&s[1..2], &s[3..]]);
    }
    if has(2, "او") && s[4] == 'ة' {
        return cat(&[&s[..2], &s[3..4]]);
    }
    if has(0, "ام") && s[1] == 'ن' {
        return s[2..].to_vec();
    }
    if s[3] == 'ا' && s[0] == 'ا' {
        return cat(&[&s[1..3], &s[4..5]]);
    }
    if s[4] == 'ن' && s[3] == 'ا' {
        return s[..3].to_vec();
    }
    if s[3] == 'ي' && s[0] == 'ت' {
        return cat(&[&s[1..3], &s[4..5]]);
    }
    if s[3] == 'و' && s[1] == 'ا' {
        return cat(&[&s[0..1], &s[2..3], &s[4..5]]);
    }
    if s[2] == 'ا' && s[1] == 'و' {
        return cat(&[&s[0..1], &s[3..]]);
    }
    if s[3] == 'ئ' && s[2] == 'ا' {
        return cat(&[&s[..2], &s[4..5]]);
    }
    if s[4] == 'ة' && s[1] == 'ا' {
        return cat(&[&s[0..1], &s[2..4]]);
    }
    if s[4] == 'ي' && s[2] == 'ا' {
        return cat(&[&s[..2], &s[3..4]]);
    }
    let s = short_suffix(s);
    if s.len() == 5 {
        short_prefix(&s)
    } else {
        s
    }
}

fn five_to_four(s: &[char]) -> Word {
    if "اتم".contains(s[0]) {
        return s[1..].to_vec();
    }
    if s[4] == 'ة' {
        return s[..4].to_vec();
    }
    if s[2] == 'ا' {
        return cat(&[&s[..2], &s[3..]]);
    }
    s.to_vec()
}

fn end_five(s: Word) -> Word {
    match s.len() {
        4 => four(&s),
        5 => five_to_four(&s),
        _ => s,
    }
}

fn six(s: &[char]) -> Word {
    if starts(s, "است") || starts(s, "مست") {
        return s[3..].to_vec();
    }
    if s[0] == 'م' && s[3] == 'ا' && s[5] == 'ة' {
        return cat(&[&s[1..3], &s[4..5]]);
    }
    if s[0] == 'ا' && s[2] == 'ت' && s[4] == 'ا' {
        return cat(&[&s[1..2], &s[3..4], &s[5..6]]);
    }
    if s[0] == 'ا' && s[3] == 'و' && s[2] == s[4] {
        return cat(&[&s[1..2], &s[4..]]);
    }
    if s[0] == 'ت' && s[2] == 'ا' && s[4] == 'ي' {
        return cat(&[&s[1..2], &s[3..4], &s[5..6]]);
    }
    let s = short_suffix(s);
    if s.len() == 6 {
        short_prefix(&s)
    } else {
        s
    }
}

fn six_to_four(s: &[char]) -> Word {
    // As the reference: only the fifth letter is tested here.
    if s[4] == 'ا' {
        return cat(&[&s[1..4], &s[5..6]]);
    }
    if starts(s, "مت") {
        return s[2..].to_vec();
    }
    s.to_vec()
}

fn end_six(s: Word) -> Word {
    match s.len() {
        5 => end_five(five(&s)),
        6 => six_to_four(&s),
        _ => s,
    }
}
