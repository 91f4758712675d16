//! An n-gram index over a company's people: every field folded, bigram postings (unigrams for one-character
//! queries), candidates verified by substring so results are exact. Built in memory from the database.
//!
//! Laid out to stay small at 100,000 people: every document's folded text lies in one string, found by its
//! slot; the postings of all grams lie in one byte array as gaps between document numbers (a byte each for a
//! common gram), found by binary search over the sorted grams. A patch appends the new text and keeps the
//! grams it adds in a small overlay beside them; what it leaves behind is only ever a candidate that fails the
//! substring check, and once enough is left behind the index reports itself worn and is built afresh.

use crate::normalise::fold;
use std::collections::{BTreeSet, HashMap, HashSet};

/// One searchable record (a person), as the store hands it over.
#[derive(Clone, Debug, Default)]
pub struct SearchDoc {
    pub id: uuid::Uuid,
    /// Name in kanji (or as registered), kana reading, romaji: matched first.
    pub names: Vec<String>,
    /// Other fields: e-mail addresses, departments, job titles, notes, place.
    pub other: Vec<String>,
    /// Orders equally good hits (五十音).
    pub sort_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub id: uuid::Uuid,
    /// 0: a name or a word of it starts with the query; 1: a name contains it; 2: another field does.
    pub rank: u8,
}

/// Where a document's text lies in [`SearchIndex::text`]: its sort key, then its folded fields one a line,
/// names first (`names` bytes of them).
#[derive(Clone, Copy, Default)]
struct Slot {
    at: usize,
    sort: u32,
    names: u32,
    len: u32,
    /// False once the person was patched away (erased, or re-added under a new number).
    live: bool,
}

/// The postings of every gram: `keys` sorted, list `i` is `bytes[ends[i - 1]..ends[i]]`, `counts[i]` documents
/// long, as gaps (each number minus the one before it plus one, LEB128).
#[derive(Default)]
struct Postings {
    keys: Vec<u64>,
    ends: Vec<usize>,
    counts: Vec<u32>,
    /// Whether the gram occurs in some name.
    in_names: Vec<bool>,
    bytes: Vec<u8>,
}

impl Postings {
    fn find(&self, key: u64) -> Option<usize> {
        self.keys.binary_search(&key).ok()
    }

    fn list(&self, i: usize) -> Gaps<'_> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Gaps {
            bytes: &self.bytes[start..self.ends[i]],
            next: 0,
        }
    }
}

fn push_gap(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn gap_len(v: u32) -> usize {
    match v {
        0..0x80 => 1,
        0x80..0x4000 => 2,
        0x4000..0x20_0000 => 3,
        0x20_0000..0x1000_0000 => 4,
        _ => 5,
    }
}

/// The document numbers of one postings list, ascending.
struct Gaps<'a> {
    bytes: &'a [u8],
    /// The smallest number the next one can be.
    next: u32,
}

impl Iterator for Gaps<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let mut v: u32 = 0;
        let mut shift = 0;
        loop {
            let (&b, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            v |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let doc = self.next.saturating_add(v);
        self.next = doc.saturating_add(1);
        Some(doc)
    }
}

/// The candidates of one gram: its built list and what patches added, merged, each number once.
struct Candidates<'a> {
    built: std::iter::Peekable<Gaps<'a>>,
    added: &'a [u32],
}

impl Iterator for Candidates<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        match (self.built.peek().copied(), self.added.first().copied()) {
            (None, None) => None,
            (Some(b), Some(a)) if a < b => {
                self.added = &self.added[1..];
                Some(a)
            }
            (Some(b), Some(a)) => {
                if a == b {
                    self.added = &self.added[1..];
                }
                self.built.next();
                Some(b)
            }
            (Some(b), None) => {
                self.built.next();
                Some(b)
            }
            (None, Some(a)) => {
                self.added = &self.added[1..];
                Some(a)
            }
        }
    }
}

/// The index of one company at one revision. Built whole from the database, then patched by the people a
/// write touched: a person keeps their number when their reading did not change, and otherwise (or when new)
/// is appended and searched apart, merged into the results by reading, so the order stays exact.
pub struct SearchIndex {
    ids: Vec<uuid::Uuid>,
    slots: Vec<Slot>,
    text: String,
    postings: Postings,
    /// Grams patches added, by gram: document numbers ascending.
    added: HashMap<u64, Vec<u32>>,
    added_count: usize,
    /// Grams that occur in names since the build. Patches only add to it (a gram left over costs an early
    /// stop, never a result).
    added_name_grams: HashSet<u64>,
    by_id: HashMap<uuid::Uuid, u32>,
    /// Live documents numbered out of reading order (added or re-read by a patch), ascending.
    appended: BTreeSet<u32>,
    live: usize,
    /// Bytes of `text` no live document points at any more.
    garbage: usize,
}

fn gram_key(a: char, b: Option<char>) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(b.map_or(0x11_0000, u32::from))
}

/// The keys a folded text contributes: each character and each pair of neighbours.
fn grams(text: &str) -> impl Iterator<Item = u64> + '_ {
    let mut chars = text.chars();
    let mut prev: Option<char> = None;
    let mut pending: Option<u64> = None;
    std::iter::from_fn(move || {
        if let Some(k) = pending.take() {
            return Some(k);
        }
        let c = chars.next()?;
        if let Some(p) = prev {
            pending = Some(gram_key(p, Some(c)));
        }
        prev = Some(c);
        Some(gram_key(c, None))
    })
}

/// The distinct keys of a document's text, its name lines apart: (key, in a name).
fn keys_of(all: &str, names: usize) -> Vec<(u64, bool)> {
    let mut keys: Vec<(u64, bool)> = Vec::new();
    let mut at = 0;
    for line in all.split('\n') {
        let in_name = at < names;
        keys.extend(grams(line).map(|k| (k, in_name)));
        at += line.len() + 1;
    }
    // Sorted by key with a name occurrence first, so dedup keeps it.
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    keys.dedup_by_key(|k| k.0);
    keys
}

/// A document's fields folded and laid one a line, names first: (text, bytes of the name lines).
fn fold_doc(d: &SearchDoc) -> (String, usize) {
    let names: Vec<String> = d
        .names
        .iter()
        .map(|s| fold(s))
        .filter(|s| !s.is_empty())
        .collect();
    // Japanese names are also indexed without their inner space, so "山田太郎" finds "山田 太郎"; Latin
    // names are not, or "tanaka" would find "kenta nakagawa".
    let joined: Vec<String> = names
        .iter()
        .filter(|s| !s.is_ascii() && s.contains(' '))
        .map(|s| s.replace(' ', ""))
        .collect();
    let mut all = names
        .iter()
        .chain(joined.iter())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    let names_len = all.len();
    for o in d.other.iter().map(|s| fold(s)).filter(|s| !s.is_empty()) {
        if !all.is_empty() {
            all.push('\n');
        }
        all.push_str(&o);
    }
    (all, names_len)
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SearchIndex {
    pub fn build(mut docs: Vec<SearchDoc>) -> Self {
        // Documents are numbered in 五十音 order, so ordering hits by number orders them by reading.
        docs.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        let mut index = Self {
            ids: Vec::with_capacity(docs.len()),
            slots: Vec::with_capacity(docs.len()),
            text: String::new(),
            postings: Postings::default(),
            added: HashMap::new(),
            added_count: 0,
            added_name_grams: HashSet::new(),
            by_id: HashMap::with_capacity(docs.len()),
            appended: BTreeSet::new(),
            live: 0,
            garbage: 0,
        };
        for d in docs {
            index.append(&d);
        }
        index.text.shrink_to_fit();
        // Each gram's documents, counted and sized (first pass), then written in place (second).
        struct Tally {
            count: u32,
            bytes: usize,
            next: u32,
            in_names: bool,
        }
        let mut tally: HashMap<u64, Tally> = HashMap::new();
        for doc in 0..index.slots.len() {
            let d = len32(doc);
            let (all, names) = index.all_of(d);
            for (k, in_name) in keys_of(all, names.len()) {
                let t = tally.entry(k).or_insert(Tally {
                    count: 0,
                    bytes: 0,
                    next: 0,
                    in_names: false,
                });
                t.count += 1;
                t.bytes += gap_len(d - t.next);
                t.next = d + 1;
                t.in_names |= in_name;
            }
        }
        let mut keys: Vec<u64> = tally.keys().copied().collect();
        keys.sort_unstable();
        let mut at: HashMap<u64, (usize, u32)> = HashMap::with_capacity(keys.len());
        let mut p = Postings {
            ends: Vec::with_capacity(keys.len()),
            counts: Vec::with_capacity(keys.len()),
            in_names: Vec::with_capacity(keys.len()),
            ..Default::default()
        };
        let mut end = 0;
        for k in &keys {
            let t = &tally[k];
            at.insert(*k, (end, 0));
            end += t.bytes;
            p.ends.push(end);
            p.counts.push(t.count);
            p.in_names.push(t.in_names);
        }
        drop(tally);
        p.bytes = vec![0; end];
        let mut gap = Vec::with_capacity(5);
        for doc in 0..index.slots.len() {
            let d = len32(doc);
            let (all, names) = index.all_of(d);
            for (k, _) in keys_of(all, names.len()) {
                if let Some((pos, next)) = at.get_mut(&k) {
                    gap.clear();
                    push_gap(&mut gap, d - *next);
                    p.bytes[*pos..*pos + gap.len()].copy_from_slice(&gap);
                    *pos += gap.len();
                    *next = d + 1;
                }
            }
        }
        p.keys = keys;
        index.postings = p;
        index
    }

    /// A document's folded text and its name lines.
    fn all_of(&self, doc: u32) -> (&str, &str) {
        let Some(s) = self.slots.get(doc as usize) else {
            return ("", "");
        };
        let start = s.at + s.sort as usize;
        let all = self
            .text
            .get(start..s.at + s.len as usize)
            .unwrap_or_default();
        (all, all.get(..s.names as usize).unwrap_or_default())
    }

    fn sort_key_of(&self, doc: u32) -> &str {
        self.slots
            .get(doc as usize)
            .and_then(|s| self.text.get(s.at..s.at + s.sort as usize))
            .unwrap_or_default()
    }

    /// Lays a document's text at the end of `text`: its slot.
    fn lay(&mut self, d: &SearchDoc) -> Slot {
        let (all, names) = fold_doc(d);
        let at = self.text.len();
        self.text.push_str(&d.sort_key);
        self.text.push_str(&all);
        Slot {
            at,
            sort: len32(d.sort_key.len()),
            names: len32(names),
            len: len32(d.sort_key.len() + all.len()),
            live: true,
        }
    }

    /// Numbers a document after the others (its postings are the caller's).
    fn append(&mut self, d: &SearchDoc) -> u32 {
        let doc = len32(self.slots.len());
        let slot = self.lay(d);
        self.slots.push(slot);
        self.ids.push(d.id);
        self.by_id.insert(d.id, doc);
        self.live += 1;
        doc
    }

    /// Adds a patched document's grams to the overlay.
    fn add_postings(&mut self, doc: u32) {
        let (all, names) = self.all_of(doc);
        let keys = keys_of(all, names.len());
        for (k, in_name) in keys {
            let list = self.added.entry(k).or_default();
            if let Err(at) = list.binary_search(&doc) {
                list.insert(at, doc);
                self.added_count += 1;
            }
            if in_name
                && !self
                    .postings
                    .find(k)
                    .is_some_and(|i| self.postings.in_names[i])
            {
                self.added_name_grams.insert(k);
            }
        }
    }

    /// Marks a document dead and takes it out of the overlay (its built postings stay: a dead document is
    /// never a hit).
    fn remove(&mut self, doc: u32) {
        let Some(s) = self.slots.get(doc as usize).copied() else {
            return;
        };
        if !s.live {
            return;
        }
        let (all, names) = self.all_of(doc);
        let keys = keys_of(all, names.len());
        for (k, _) in keys {
            if let Some(list) = self.added.get_mut(&k)
                && let Ok(at) = list.binary_search(&doc)
            {
                list.remove(at);
                self.added_count -= 1;
                if list.is_empty() {
                    self.added.remove(&k);
                }
            }
        }
        self.slots[doc as usize].live = false;
        self.garbage += s.len as usize;
        self.appended.remove(&doc);
        self.live -= 1;
    }

    /// Brings the index in step with a write: `changed` are the people the write touched, `docs` what the
    /// database now holds of them (someone erased, or gone, has no document and leaves the index).
    pub fn patch(&mut self, changed: &[uuid::Uuid], docs: Vec<SearchDoc>) {
        let mut fresh: HashMap<uuid::Uuid, SearchDoc> =
            docs.into_iter().map(|d| (d.id, d)).collect();
        let mut changed = changed.to_vec();
        changed.sort_unstable();
        changed.dedup();
        for id in &changed {
            let old = self.by_id.get(id).copied();
            let new = fresh.remove(id);
            match (old, new) {
                (None, None) => {}
                (Some(doc), None) => {
                    self.remove(doc);
                    self.by_id.remove(id);
                }
                (Some(doc), Some(d)) if self.sort_key_of(doc) == d.sort_key => {
                    // Same reading: the same number, so the order stays as built.
                    let was_appended = self.appended.contains(&doc);
                    self.remove(doc);
                    let slot = self.lay(&d);
                    self.slots[doc as usize] = slot;
                    self.add_postings(doc);
                    if was_appended {
                        self.appended.insert(doc);
                    }
                    self.live += 1;
                }
                (old, Some(d)) => {
                    if let Some(doc) = old {
                        self.remove(doc);
                    }
                    let doc = self.append(&d);
                    self.add_postings(doc);
                    self.appended.insert(doc);
                }
            }
        }
    }

    /// True when patches have left enough behind that a rebuild is due (numbers out of reading order, dead
    /// entries over a tenth of the index, a thousand people searched apart, or a quarter of the text or of the
    /// postings left over by patches).
    pub fn worn(&self) -> bool {
        let dead = self.slots.len() - self.live;
        let built = self.postings.bytes.len();
        self.appended.len() > 1_000
            || dead * 10 > self.live.max(1_000)
            || self.garbage > (self.text.len() / 4).max(1 << 20)
            || self.added_count > (built / 4).max(100_000)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    /// About how many bytes the index holds on the heap (text, slots, postings, the maps beside them), for the
    /// memory budget of a node and `/metrics`.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let p = &self.postings;
        // A hash map slot holds the key and the value, plus a control byte.
        let added: usize = self
            .added
            .values()
            .map(|v| 9 + size_of::<Vec<u32>>() + v.capacity() * size_of::<u32>())
            .sum();
        self.text.capacity()
            + self.slots.capacity() * size_of::<Slot>()
            + self.ids.capacity() * size_of::<uuid::Uuid>()
            + p.keys.capacity() * size_of::<u64>()
            + p.ends.capacity() * size_of::<usize>()
            + p.counts.capacity() * size_of::<u32>()
            + p.in_names.capacity()
            + p.bytes.capacity()
            + added
            + self.added_name_grams.capacity() * 9
            + self.by_id.capacity() * (1 + size_of::<(uuid::Uuid, u32)>())
            + self.appended.len() * 16
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The grams of a query term: its one character, or each pair of neighbours.
    fn term_keys(t: &str) -> Vec<u64> {
        let chars: Vec<char> = t.chars().collect();
        if chars.len() == 1 {
            vec![gram_key(chars[0], None)]
        } else {
            chars
                .windows(2)
                .map(|w| gram_key(w[0], Some(w[1])))
                .collect()
        }
    }

    /// The candidates of the rarest gram among all terms (every hit is among them), or `None` when some gram
    /// occurs nowhere, so nothing can match.
    fn rarest(&self, terms: &[&str]) -> Option<Candidates<'_>> {
        let mut best: Option<(usize, Option<usize>, &[u32])> = None;
        for t in terms {
            for k in Self::term_keys(t) {
                let built = self.postings.find(k);
                let added = self.added.get(&k).map_or(&[][..], Vec::as_slice);
                let n = built.map_or(0, |i| self.postings.counts[i] as usize) + added.len();
                if n == 0 {
                    return None;
                }
                if best.is_none_or(|(m, _, _)| n < m) {
                    best = Some((n, built, added));
                }
            }
        }
        let (_, built, added) = best?;
        let built = match built {
            Some(i) => self.postings.list(i),
            None => Gaps {
                bytes: &[],
                next: 0,
            },
        };
        Some(Candidates {
            built: built.peekable(),
            added,
        })
    }

    fn in_names(&self, k: u64) -> bool {
        self.postings
            .find(k)
            .is_some_and(|i| self.postings.in_names[i])
            || self.added_name_grams.contains(&k)
    }

    /// Every hit, best first, for a caller that pages through them and needs the true total (the API). It
    /// walks all candidates of the rarest gram: at 100,000 people a few milliseconds for a common query.
    pub fn search_all(&self, query: &str) -> Vec<SearchHit> {
        self.search(query, usize::MAX)
    }

    /// How a document matches the terms: `None`, or its rank.
    fn rank_of(&self, doc: u32, terms: &[&str]) -> Option<u8> {
        if !self.slots.get(doc as usize).is_some_and(|s| s.live) {
            return None;
        }
        let (all, names) = self.all_of(doc);
        if !terms.iter().all(|t| all.contains(t)) {
            return None;
        }
        let first = terms[0];
        // Best: a name, or a word of it (a family name in "taro tanaka"), starts with the first term.
        Some(
            if names
                .split('\n')
                .any(|n| n.split(' ').any(|w| w.starts_with(first)) || n.starts_with(first))
            {
                0
            } else if terms
                .iter()
                .all(|t| names.split('\n').any(|n| n.contains(t)))
            {
                1
            } else {
                2
            },
        )
    }

    /// The people matching every word of `query` (after folding), best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let folded = fold(query);
        let terms: Vec<&str> = folded
            .split(' ')
            .filter(|t| t.chars().any(char::is_alphanumeric))
            .collect();
        if terms.is_empty() {
            return Vec::new();
        }
        // Walk the rarest gram's documents and check each for every term: cheaper than intersecting lists, and it
        // lets the scan stop early.
        let Some(candidates) = self.rarest(&terms) else {
            return Vec::new();
        };
        // Candidates come in 五十音 order; keep them in three buckets by rank. Once the best bucket holds `limit`
        // hits nothing later can beat them, so the scan stops early.
        let mut buckets: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let name_hits_possible = terms
            .iter()
            .all(|t| Self::term_keys(t).into_iter().all(|k| self.in_names(k)));
        for d in candidates {
            if self.appended.contains(&d) {
                continue;
            }
            let Some(rank) = self.rank_of(d, &terms) else {
                continue;
            };
            let bucket = &mut buckets[rank as usize];
            if bucket.len() < limit {
                bucket.push(d);
            }
            if buckets[0].len() >= limit || (!name_hits_possible && buckets[2].len() >= limit) {
                break;
            }
        }
        // People a patch added out of order: checked one by one and merged by reading.
        for &d in &self.appended {
            let Some(rank) = self.rank_of(d, &terms) else {
                continue;
            };
            let key = self.sort_key_of(d);
            let bucket = &mut buckets[rank as usize];
            let at = bucket.partition_point(|o| self.sort_key_of(*o) <= key);
            bucket.insert(at, d);
            bucket.truncate(limit);
        }
        buckets
            .into_iter()
            .enumerate()
            .flat_map(|(rank, docs)| docs.into_iter().map(move |d| (rank, d)))
            .take(limit)
            .map(|(rank, d)| SearchHit {
                id: self.ids[d as usize],
                rank: rank as u8,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kana_sort_key;

    fn doc(n: u128, name: &str, kana: &str, romaji: &str, other: &[&str]) -> SearchDoc {
        let (f, g) = kana.split_once(' ').unwrap_or((kana, ""));
        SearchDoc {
            id: uuid::Uuid::from_u128(n),
            names: vec![name.into(), kana.into(), romaji.into()],
            other: other.iter().map(std::string::ToString::to_string).collect(),
            sort_key: kana_sort_key(f, g),
        }
    }

    fn index() -> SearchIndex {
        SearchIndex::build(vec![
            doc(
                1,
                "田中 太郎",
                "たなか たろう",
                "Taro Tanaka",
                &["営業", "taro@example.jp"],
            ),
            doc(2, "田中 花子", "タナカ ハナコ", "Hanako Tanaka", &["製造"]),
            doc(
                3,
                "中田 一郎",
                "なかた いちろう",
                "Ichiro Nakata",
                &["田中さんの紹介でデジタルマーケティングを学んだ"],
            ),
            doc(4, "山田 優子", "やまだ ゆうこ", "", &["品質管理"]),
        ])
    }

    fn ids(hits: &[SearchHit]) -> Vec<u128> {
        hits.iter().map(|h| h.id.as_u128()).collect()
    }

    #[test]
    fn kanji_hiragana_katakana_and_half_width_find_the_same_people() {
        let i = index();
        let kanji = ids(&i.search("田中", 20));
        assert_eq!(
            kanji,
            [1, 2, 3],
            "names first, then the note that mentions 田中"
        );
        let expected = vec![1, 2];
        assert_eq!(ids(&i.search("たなか", 20)), expected);
        assert_eq!(ids(&i.search("タナカ", 20)), expected);
        assert_eq!(ids(&i.search("ﾀﾅｶ", 20)), expected);
        assert_eq!(ids(&i.search("TANAKA", 20)), expected);
        assert_eq!(ids(&i.search("ｔａｎａｋａ", 20)), expected);
    }

    #[test]
    fn several_words_must_all_match_and_spaces_inside_names_do_not_matter() {
        let i = index();
        assert_eq!(ids(&i.search("田中 営業", 20)), [1]);
        assert_eq!(ids(&i.search("田中太郎", 20)), [1]);
        assert_eq!(ids(&i.search("デジタル", 20)), [3]);
        assert_eq!(ids(&i.search("田", 20)), [1, 2, 3, 4]);
        let latin = SearchIndex::build(vec![doc(
            9,
            "中川 健太",
            "なかがわ けんた",
            "Kenta Nakagawa",
            &[],
        )]);
        assert!(
            latin.search("tanaka", 20).is_empty(),
            "words of a Latin name are not run together"
        );
    }

    #[test]
    fn empty_symbol_and_emoji_queries_find_nothing() {
        let i = index();
        for q in ["", "   ", "!!!", "😀", "＠＠"] {
            assert!(i.search(q, 20).is_empty(), "{q}");
        }
        assert!(i.search(&"田中".repeat(500), 20).is_empty());
    }

    /// A person among a few names and notes, so queries hit often and readings tie rarely.
    fn person(id: u128, name: u8, reading: u8, note: u8) -> SearchDoc {
        let names = ["田中 花子", "山田 太郎", "𠮷田 歩", "中田 一郎", "佐藤 優"];
        let notes = [
            "",
            "営業",
            "デジタルマーケティング",
            "田中さんの紹介",
            "山田工場",
        ];
        let readings = ["あいざわ", "たなか", "やまだ", "よしだ", "なかた", "さとう"];
        SearchDoc {
            id: uuid::Uuid::from_u128(id),
            names: vec![names[name as usize % 5].into()],
            other: vec![notes[note as usize % 5].into()],
            // Unique by id, so the order among equals is the same however the index came to be.
            sort_key: format!("{}{id:04}", readings[reading as usize % 6]),
        }
    }

    proptest::proptest! {
        /// However people were added, changed and removed, a patched index answers every query exactly as one
        /// built afresh from what is left.
        #[test]
        fn a_patched_index_answers_as_one_built_afresh(
            start in proptest::collection::vec((0u8..5, 0u8..6, 0u8..5), 0..40),
            writes in proptest::collection::vec(
                proptest::collection::vec((0u128..60, proptest::option::of((0u8..5, 0u8..6, 0u8..5))), 1..4),
                1..12,
            ),
            limit in 1usize..8,
        ) {
            let mut current: std::collections::BTreeMap<u128, SearchDoc> = start
                .iter()
                .enumerate()
                .map(|(n, (a, b, c))| (n as u128, person(n as u128, *a, *b, *c)))
                .collect();
            let mut patched = SearchIndex::build(current.values().cloned().collect());
            for write in writes {
                let mut changed = Vec::new();
                for (id, new) in write {
                    changed.push(uuid::Uuid::from_u128(id));
                    match new {
                        Some((a, b, c)) => {
                            current.insert(id, person(id, a, b, c));
                        }
                        None => {
                            current.remove(&id);
                        }
                    }
                }
                // What the database holds of the people written, after the writes.
                let docs: Vec<SearchDoc> = changed
                    .iter()
                    .filter_map(|id| current.get(&id.as_u128()).cloned())
                    .collect();
                patched.patch(&changed, docs);
                let fresh = SearchIndex::build(current.values().cloned().collect());
                proptest::prop_assert_eq!(patched.len(), fresh.len());
                for q in ["田", "田中", "やまだ", "営業", "𠮷", "紹介", "花子", "tanaka", "中"] {
                    proptest::prop_assert_eq!(patched.search(q, limit), fresh.search(q, limit), "{}", q);
                    proptest::prop_assert_eq!(patched.search_all(q), fresh.search_all(q), "{}", q);
                }
            }
        }
    }
}
