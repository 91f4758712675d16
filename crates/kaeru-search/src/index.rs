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
}

/// The index of one company at one revision.
pub struct SearchIndex {
    entries: Vec<Entry>,
    postings: HashMap<u64, Vec<u32>>,
    /// Grams that occur in names: when a query has a gram no name has, no hit can be a name hit.
    name_grams: std::collections::HashSet<u64>,
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

impl SearchIndex {
    pub fn build(mut docs: Vec<SearchDoc>) -> Self {
        // Documents are numbered in 五十音 order, so ordering hits by number orders them by reading.
        docs.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        let mut entries = Vec::with_capacity(docs.len());
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut name_grams = std::collections::HashSet::new();
        for (n, d) in docs.into_iter().enumerate() {
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
            let mut keys: Vec<u64> = all
                .split('\n')
                .flat_map(|f| grams(f).collect::<Vec<_>>())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let doc = u32::try_from(n).unwrap_or(u32::MAX);
            for k in keys {
                postings.entry(k).or_default().push(doc);
            }
            for n in names.iter().chain(joined.iter()) {
                name_grams.extend(grams(n));
            }
            let mut names_all = names;
            names_all.extend(joined);
            entries.push(Entry {
                id: d.id,
                names: names_all,
                all,
            });
        }
        Self {
            entries,
            postings,
            name_grams,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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

    /// The people matching every word of `query` (after folding), best first, at most `limit`.
    /// Every hit, best first, for a caller that pages through them and needs the true total (the API). It
    /// walks all candidates of the rarest gram: at 100,000 people a few milliseconds for a common query.
    pub fn search_all(&self, query: &str) -> Vec<SearchHit> {
        self.search(query, usize::MAX)
    }

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
        let mut buckets: [Vec<SearchHit>; 3] = [Vec::new(), Vec::new(), Vec::new()];
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
        let first = terms[0];
        for &d in candidates {
            let Some(e) = self.entries.get(d as usize) else {
                continue;
            };
            if !terms.iter().all(|t| e.all.contains(t)) {
                continue;
            }
            // Best: a name, or a word of it (a family name in "taro tanaka"), starts with the first term.
            let rank = if e
                .names
                .iter()
                .any(|n| n.split(' ').any(|w| w.starts_with(first)) || n.starts_with(first))
            {
                0
            } else if terms.iter().all(|t| e.names.iter().any(|n| n.contains(t))) {
                1
            } else {
                2
            };
            let bucket = &mut buckets[rank as usize];
            if bucket.len() < limit {
                bucket.push(SearchHit { id: e.id, rank });
            }
            if buckets[0].len() >= limit || (!name_hits_possible && buckets[2].len() >= limit) {
                break;
            }
        }
        buckets.into_iter().flatten().take(limit).collect()
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
}
