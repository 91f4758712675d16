//! Files in and out. Reading: bytes of an HR system's export (CSV in UTF-8, UTF-8 with BOM or Shift_JIS, or
//! XLSX) become a [`table::Table`]; its headers are mapped to Kaeru's fields ([`columns`]), and each row is
//! checked with the same rules as the forms into an [`people::ImportRow`] or row-level problems. Writing:
//! people as CSV (UTF-8 with BOM or Shift_JIS, formula-neutralised), XLSX and vCard 4.0 ([`export`]).

pub mod columns;
pub mod dates;
pub mod export;
pub mod people;
pub mod table;

pub use columns::{Field, Mapping};
pub use people::{ImportPlan, ImportRow, Problem};
pub use table::{FileError, Table};

/// The largest file Kaeru reads (50 MB).
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
