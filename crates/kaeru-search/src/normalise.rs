//! Text normalisation for search and sorting: NFKC, katakana folded to hiragana, case folded.

use unicode_normalization::UnicodeNormalization;

/// Folds text for comparison: NFKC (full-width letters and half-width katakana become standard forms),
/// katakana to hiragana by code point (ー stays as it is), lower case, runs of spaces squeezed.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfkc() {
        let c = match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            '\u{30FD}' | '\u{30FE}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Removes the voicing marks from a folded hiragana character: が → か, ぱ → は, ぁ → あ.
fn base_kana(c: char) -> char {
    const VOICED: &str = "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゔ";
    const PLAIN: &str = "かきくけこさしすせそたちつてとはひふへほはひふへほう";
    const SMALL: &str = "ぁぃぅぇぉっゃゅょゎゕゖ";
    const LARGE: &str = "あいうえおつやゆよわかけ";
    if let Some(i) = VOICED.chars().position(|v| v == c) {
        return PLAIN.chars().nth(i).unwrap_or(c);
    }
    if let Some(i) = SMALL.chars().position(|v| v == c) {
        return LARGE.chars().nth(i).unwrap_or(c);
    }
    c
}

/// A key that sorts readings in 五十音順 by byte order, whatever the database's collation:
/// first by the plain kana (so か and が sort together), then by the exact folded reading.
pub fn kana_sort_key(family_kana: &str, given_kana: &str) -> String {
    let folded = fold(&format!("{family_kana} {given_kana}"));
    let plain: String = folded.chars().map(base_kana).collect();
    format!("{plain}\u{1}{folded}")
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Hiragana ぁ..ゖ and their katakana twins.
    fn kana_word() -> impl Strategy<Value = String> {
        proptest::collection::vec(0x3041u32..=0x3096, 1..12)
            .prop_map(|v| v.into_iter().filter_map(char::from_u32).collect())
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn katakana_folds_to_its_hiragana(word in kana_word()) {
            let katakana: String = word.chars().filter_map(|c| char::from_u32(c as u32 + 0x60)).collect();
            prop_assert_eq!(fold(&katakana), fold(&word));
        }

        #[test]
        fn folded_text_has_no_katakana_or_upper_case(s in "\\PC{0,40}") {
            let f = fold(&s);
            let has_katakana = f.chars().any(|c| ('\u{30A1}'..='\u{30F6}').contains(&c));
            prop_assert!(!has_katakana);
            let has_upper = f.chars().any(|c| c.is_ascii_uppercase());
            prop_assert!(!has_upper);
        }

        #[test]
        fn full_width_ascii_folds_like_ascii(s in "[a-zA-Z0-9]{1,20}") {
            let wide: String = s.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect();
            prop_assert_eq!(fold(&wide), s.to_lowercase());
        }

        #[test]
        fn sort_keys_order_like_their_readings_ignoring_script(a in kana_word(), b in kana_word()) {
            let ka: String = a.chars().filter_map(|c| char::from_u32(c as u32 + 0x60)).collect();
            prop_assert_eq!(kana_sort_key(&a, &b), kana_sort_key(&ka, &b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn katakana_half_width_and_hiragana_fold_to_the_same_text() {
        assert_eq!(fold("タナカ"), "たなか");
        assert_eq!(fold("ﾀﾅｶ"), "たなか");
        assert_eq!(fold("たなか"), "たなか");
        assert_eq!(fold("リターンオファー"), "りたーんおふぁー");
    }

    #[test]
    fn full_width_letters_and_digits_fold_to_ascii_lower_case() {
        assert_eq!(fold("ＴＡＮＡＫＡ　１２３"), "tanaka 123");
        assert_eq!(fold("  Tanaka   Taro "), "tanaka taro");
    }

    #[test]
    fn sort_key_orders_in_gojuon_order() {
        let mut names = [
            ("わたなべ", "はな"),
            ("いとう", "ゆき"),
            ("ガトウ", "ケン"),
            ("かとう", "あい"),
            ("さとう", "たろう"),
        ];
        names.sort_by_key(|(f, g)| kana_sort_key(f, g));
        let order: Vec<&str> = names.iter().map(|(f, _)| *f).collect();
        assert_eq!(order, ["いとう", "かとう", "ガトウ", "さとう", "わたなべ"]);
    }
}
