//! Search: text normalisation (NFKC, kana, width, case) and the per-company index in memory, derived from the
//! database and rebuilt when the company's revision number moves.

mod index;
pub mod matching;
mod normalise;
pub mod synthetic;

pub use index::{SearchDoc, SearchHit, SearchIndex};
pub use matching::{Holding, Match, MatchDoc, MatchIndex, MatchQuery, MatchResult};
pub use normalise::{fold, kana_sort_key};
