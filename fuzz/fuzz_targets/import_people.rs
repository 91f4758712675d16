//! Any bytes as an uploaded people file: reading (encoding and format detection, CSV or XLSX), mapping the
//! headers and checking every row must never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = kaeru_exchange::table::read(data) else {
        return;
    };
    let mapping = kaeru_exchange::Mapping::auto(&table.headers, &HashMap::new());
    let _ = mapping.missing();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    let plan = kaeru_exchange::people::plan(&table, &mapping, today);
    assert!(plan.rows.len() + plan.rejected <= table.rows.len());
});
