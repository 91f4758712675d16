//! An n-gram index over a company's people: every field folded, bigram postings (unigrams for one-character
//! queries), candidates verified by substring so results are exact. Built in memory from the database.

use crate::normalise::fold;
use std::collections::HashMap;

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

struct Entry {
    id: uuid::Uuid,
    names: Vec<String>,
    all: String,
    sort_key: String,
    /// False once the person was patched away (erased, or re-added under a new number).
    live: bool,
}

/// The index of one company at one revision. Built whole from the database, then patched by the people a
/// write touched: a person keeps their number when their reading did not change, and otherwise (or when new)
/// is appended and searched apart, merged into the results by reading, so the order stays exact.
pub struct SearchIndex {
    entries: Vec<Entry>,
    postings: HashMap<u64, Vec<u32>>,
    /// Grams that occur in names: when a query has a gram no name has, no hit can be a name hit. Patches only
    /// add to it (a gram left over costs an early stop, never a result).
    name_grams: std::collections::HashSet<u64>,
    by_id: HashMap<uuid::Uuid, u32>,
    /// Live documents numbered out of reading order (added or re-read by a patch), ascending.
    appended: std::collections::BTreeSet<u32>,
    live: usize,
}

fn gram_key(a: char, b: Option<char>) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(b.map_or(0x11_0000, u32::from))
}

/// The keys a folded text contributes: each character and each pair of neighbours.
fn grams(text: &str) -> impl Iterator<Item = u64> + '_ {
    let chars: Vec<char> = text.chars().collect();
    let unigrams: Vec<u64> = chars.iter().map(|c| gram_key(*c, None)).collect();
    let bigrams: Vec<u64> = chars
        .windows(2)
        .map(|w| gram_key(w[0], Some(w[1])))
        .collect();
    unigrams.into_iter().chain(bigrams)
}

/// The distinct keys of an entry's text.
fn keys_of(all: &str) -> Vec<u64> {
    let mut keys: Vec<u64> = all
        .split('\n')
        .flat_map(|f| grams(f).collect::<Vec<_>>())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A document folded into an entry.
fn entry_of(d: SearchDoc) -> Entry {
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
    let other: Vec<String> = d
        .other
        .iter()
        .map(|s| fold(s))
        .filter(|s| !s.is_empty())
        .collect();
    let all = names
        .iter()
        .chain(joined.iter())
        .chain(other.iter())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let mut names_all = names;
    names_all.extend(joined);
    Entry {
        id: d.id,
        names: names_all,
        all,
        sort_key: d.sort_key,
        live: true,
    }
}

impl SearchIndex {
    pub fn build(mut docs: Vec<SearchDoc>) -> Self {
        // Documents are numbered in 五十音 order, so ordering hits by number orders them by reading.
        docs.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        let mut index = Self {
            entries: Vec::with_capacity(docs.len()),
            postings: HashMap::new(),
            name_grams: std::collections::HashSet::new(),
            by_id: HashMap::with_capacity(docs.len()),
            appended: std::collections::BTreeSet::new(),
            live: 0,
        };
        for d in docs {
            index.push(entry_of(d));
        }
        // Postings grew by doubling: give the slack back (a third of their memory at 100,000 people).
        for list in index.postings.values_mut() {
            list.shrink_to_fit();
        }
        index.postings.shrink_to_fit();
        index
    }

    /// Adds an entry under the next number (postings stay sorted: it is the largest).
    fn push(&mut self, e: Entry) -> u32 {
        let doc = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        for k in keys_of(&e.all) {
            self.postings.entry(k).or_default().push(doc);
        }
        for n in &e.names {
            self.name_grams.extend(grams(n));
        }
        self.by_id.insert(e.id, doc);
        self.entries.push(e);
        self.live += 1;
        doc
    }

    /// Takes a document out of the postings and marks it dead.
    fn remove(&mut self, doc: u32) {
        let Some(e) = self.entries.get_mut(doc as usize) else {
            return;
        };
        if !e.live {
            return;
        }
        e.live = false;
        let all = std::mem::take(&mut e.all);
        e.names.clear();
        for k in keys_of(&all) {
            if let Some(list) = self.postings.get_mut(&k)
                && let Ok(at) = list.binary_search(&doc)
            {
                list.remove(at);
                if list.is_empty() {
                    self.postings.remove(&k);
                }
            }
        }
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
                (Some(doc), Some(d))
                    if self
                        .entries
                        .get(doc as usize)
                        .is_some_and(|e| e.sort_key == d.sort_key) =>
                {
                    // Same reading: the same number, so the order stays as built.
                    let was_appended = self.appended.contains(&doc);
                    self.remove(doc);
                    let e = entry_of(d);
                    for k in keys_of(&e.all) {
                        let list = self.postings.entry(k).or_default();
                        if let Err(at) = list.binary_search(&doc) {
                            list.insert(at, doc);
                        }
                    }
                    for n in &e.names {
                        self.name_grams.extend(grams(n));
                    }
                    if let Some(slot) = self.entries.get_mut(doc as usize) {
                        *slot = e;
                    }
                    if was_appended {
                        self.appended.insert(doc);
                    }
                    self.live += 1;
                }
                (old, Some(d)) => {
                    if let Some(doc) = old {
                        self.remove(doc);
                    }
                    let doc = self.push(entry_of(d));
                    self.appended.insert(doc);
                }
            }
        }
    }

    /// True when patches have left enough behind that a rebuild is due (numbers out of reading order, or
    /// dead entries over a tenth of the index, or a thousand people searched apart).
    pub fn worn(&self) -> bool {
        let dead = self.entries.len() - self.live;
        self.appended.len() > 1_000 || dead * 10 > self.live.max(1_000)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    /// About how many bytes the index holds on the heap (entries, postings, the sets beside them), for the
    /// memory budget of a node and `/metrics`.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                size_of::<Entry>()
                    + e.all.capacity()
                    + e.sort_key.capacity()
                    + e.names
                        .iter()
                        .map(|n| size_of::<String>() + n.capacity())
                        .sum::<usize>()
            })
            .sum();
        // A hash map slot holds the key and the value, plus a control byte.
        let postings: usize = self
            .postings
            .values()
            .map(|v| 9 + size_of::<Vec<u32>>() + v.capacity() * size_of::<u32>())
            .sum();
        entries
            + postings
            + self.name_grams.capacity() * 9
            + self.by_id.capacity() * (1 + size_of::<(uuid::Uuid, u32)>())
            + self.appended.len() * 16
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The shortest postings list among the grams of all terms (every hit is in it), or `None` when some gram
    /// occurs nowhere, so nothing can match.
    fn shortest_postings(&self, terms: &[&str]) -> Option<&[u32]> {
        let mut shortest: Option<&[u32]> = None;
        for t in terms {
            let chars: Vec<char> = t.chars().collect();
            let keys: Vec<u64> = if chars.len() == 1 {
                vec![gram_key(chars[0], None)]
            } else {
                chars
                    .windows(2)
                    .map(|w| gram_key(w[0], Some(w[1])))
                    .collect()
            };
            for k in keys {
                let list = self.postings.get(&k)?;
                if shortest.is_none_or(|s| list.len() < s.len()) {
                    shortest = Some(list);
                }
            }
        }
        shortest
    }

    /// Every hit, best first, for a caller that pages through them and needs the true total (the API). It
    /// walks all candidates of the rarest gram: at 100,000 people a few milliseconds for a common query.
    pub fn search_all(&self, query: &str) -> Vec<SearchHit> {
        self.search(query, usize::MAX)
    }

    /// How an entry matches the terms: `None`, or its rank.
    fn rank_of(e: &Entry, terms: &[&str]) -> Option<u8> {
        if !e.live || !terms.iter().all(|t| e.all.contains(t)) {
            return None;
        }
        let first = terms[0];
        // Best: a name, or a word of it (a family name in "taro tanaka"), starts with the first term.
        Some(
            if e.names
                .iter()
                .any(|n| n.split(' ').any(|w| w.starts_with(first)) || n.starts_with(first))
            {
                0
            } else if terms.iter().all(|t| e.names.iter().any(|n| n.contains(t))) {
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
        let Some(candidates) = self.shortest_postings(&terms) else {
            return Vec::new();
        };
        // Candidates come in 五十音 order; keep them in three buckets by rank. Once the best bucket holds `limit`
        // hits nothing later can beat them, so the scan stops early.
        let mut buckets: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let name_hits_possible = terms.iter().all(|t| {
            let chars: Vec<char> = t.chars().collect();
            if chars.len() == 1 {
                self.name_grams.contains(&gram_key(chars[0], None))
            } else {
                chars
                    .windows(2)
                    .all(|w| self.name_grams.contains(&gram_key(w[0], Some(w[1]))))
            }
        });
        for &d in candidates {
            if self.appended.contains(&d) {
                continue;
            }
            let Some(rank) = self
                .entries
                .get(d as usize)
                .and_then(|e| Self::rank_of(e, &terms))
            else {
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
            let Some(rank) = self
                .entries
                .get(d as usize)
                .and_then(|e| Self::rank_of(e, &terms))
            else {
                continue;
            };
            let key = &self.entries[d as usize].sort_key;
            let bucket = &mut buckets[rank as usize];
            let at = bucket.partition_point(|o| self.entries[*o as usize].sort_key <= *key);
            bucket.insert(at, d);
            bucket.truncate(limit);
        }
        buckets
            .into_iter()
            .enumerate()
            .flat_map(|(rank, docs)| docs.into_iter().map(move |d| (rank, d)))
            .take(limit)
            .map(|(rank, d)| SearchHit {
                id: self.entries[d as usize].id,
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
