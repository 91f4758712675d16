//! Search: text normalisation (NFKC, kana, width, case) and the per-company index in memory, derived from the
//! database and rebuilt when the company's revision number moves.

mod index;
mod normalise;

pub use index::{SearchDoc, SearchHit, SearchIndex};
pub use normalise::{fold, kana_sort_key};
