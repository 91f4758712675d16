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

/// What a file may hold, checked while it is read (never trusting what it says of itself), so a hostile
/// file is refused with a message naming the limit before it can take memory or time: the columns of a row,
/// the data rows, the cells in all, the characters of one cell, and for XLSX the unpacked size of the zip and
/// its number of entries.
pub mod limits {
    pub const MAX_COLUMNS: usize = 200;
    pub const MAX_ROWS: usize = 200_000;
    pub const MAX_CELLS: usize = 2_000_000;
    pub const MAX_CELL_CHARS: usize = 10_000;
    pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
    /// The shared strings calamine holds in memory whole (the sheet itself is read cell by cell).
    pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 * 1024 * 1024;
    pub const MAX_ZIP_ENTRIES: usize = 1_000;
}
