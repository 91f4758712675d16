//! The importer never panics, whatever it is given: arbitrary bytes, and arbitrary text shaped like a CSV with
//! Japanese headers (the cargo-fuzz target in `fuzz/` does the same with coverage guidance, on nightly).

use proptest::prelude::*;
use std::collections::HashMap;

fn check(bytes: &[u8]) {
    if let Ok(table) = kaeru_exchange::table::read(bytes) {
        let m = kaeru_exchange::Mapping::auto(&table.headers, &HashMap::new());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let plan = kaeru_exchange::people::plan(&table, &m, today);
        assert!(plan.rows.len() + plan.rejected <= table.rows.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        check(&bytes);
    }

    #[test]
    fn csv_shaped_text(cells in proptest::collection::vec(
        proptest::collection::vec("[\\PC&&[^\\r\\n]]{0,12}|令和[0-9元]{1,2}年[0-9]{1,2}月[0-9]{1,2}日|[0-9]{1,6}|=[A-Z]+\\(\\)", 1..8), 1..12)) {
        let headers = "社員番号,氏名,フリガナ,生年月日,入社日,退職日,雇用形態,メールアドレス";
        let mut text = String::from(headers);
        for row in &cells {
            text.push('\n');
            text.push_str(&row.iter().map(|c| c.replace(',', "、")).collect::<Vec<_>>().join(","));
        }
        check(text.as_bytes());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        check(&sjis);
    }
}
