//! Translation catalogues (Japanese first, English), compiled into the binary. Every message a person reads —
//! pages, e-mails, API errors, the command line — comes from `locales/{ja,en}.toml`.

use kaeru_domain::Language;
// Keys are looked up tens of times a page: a fast hash (the keys are our own, not an attacker's).
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

pub struct Catalog {
    messages: HashMap<String, String>,
}

fn load(src: &str) -> Catalog {
    let table: toml::Table = src
        .parse()
        .unwrap_or_else(|e| panic!("translation catalogue is not valid TOML: {e}"));
    let mut messages = HashMap::default();
    flatten("", &table, &mut messages);
    Catalog { messages }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

impl Catalog {
    pub fn get(language: Language) -> &'static Catalog {
        static JA: OnceLock<Catalog> = OnceLock::new();
        static EN: OnceLock<Catalog> = OnceLock::new();
        match language {
            Language::Ja => JA.get_or_init(|| load(include_str!("../locales/ja.toml"))),
            Language::En => EN.get_or_init(|| load(include_str!("../locales/en.toml"))),
        }
    }

    /// The message for `key`; a missing key shows the key itself (and a test makes sure none is missing).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        match self.messages.get(key) {
            Some(m) => m,
            None => {
                tracing::warn!(key, "missing translation");
                key
            }
        }
    }

    /// The message for `key`, if the catalogue has one.
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.messages.get(key).map(String::as_str)
    }

    /// The message with `{name}` placeholders filled in, in one pass: a value that itself holds `{…}` is
    /// written as it is, and a placeholder with no argument stays in the text.
    pub fn format(&self, key: &str, args: &[(&str, String)]) -> String {
        let message = self.t(key);
        let mut out =
            String::with_capacity(message.len() + args.iter().map(|(_, v)| v.len()).sum::<usize>());
        let mut rest = message;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let filled = after.find('}').and_then(|close| {
                args.iter()
                    .find(|(name, _)| *name == &after[..close])
                    .map(|(_, value)| (close, value))
            });
            match filled {
                Some((close, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The label of a coded value: `label("status", "alumnus")` is the message `status.alumnus`.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        self.t(&format!("{prefix}.{code}")).to_string()
    }

    /// Items of a short list the way the language writes them: 「溶接・旋盤」, "welding, turning".
    pub fn list<S: AsRef<str>>(&self, items: impl IntoIterator<Item = S>) -> String {
        let sep = self.t("punct.list_sep");
        items
            .into_iter()
            .map(|i| i.as_ref().to_string())
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// A note beside a text the way the language writes it: 「週2日（火・木）」, "2 days a week (Tue, Thu)".
    pub fn aside(&self, main: &str, note: &str) -> String {
        self.format(
            "punct.aside",
            &[("main", main.to_string()), ("note", note.to_string())],
        )
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.messages.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        let ja = Catalog::get(Language::Ja);
        assert_eq!(ja.aside("週2日", "火・木"), "週2日（火・木）");
        // A value holding a placeholder is written as it is, not filled again.
        assert_eq!(ja.aside("{note}", "𠮷"), "{note}（𠮷）");
        // A placeholder without its argument stays; a brace alone is kept.
        assert_eq!(
            ja.format("punct.aside", &[("main", "a{".into())]),
            "a{（{note}）"
        );
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let ja: BTreeSet<_> = Catalog::get(Language::Ja).keys().collect();
        let en: BTreeSet<_> = Catalog::get(Language::En).keys().collect();
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "only in ja: {only_ja:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut missing = BTreeSet::new();
        let ja = Catalog::get(Language::Ja);
        let sections: BTreeSet<String> = ja
            .keys()
            .filter_map(|k| k.split_once('.').map(|(section, _)| format!("{section}.")))
            .collect();
        let mut files = Vec::new();
        for dir in [
            "templates",
            "crates/kaeru-web/src",
            "crates/kaeru-app/src",
            "crates/kaeru/src",
            "crates/kaeru-web/src/routes",
            "crates/kaeru-web/src/api",
            "crates/kaeru-domain/src",
            "crates/kaeru-exchange/src",
            "crates/kaeru-letters/src",
            "crates/kaeru-worker/src",
        ] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let p = entry.unwrap().path();
                if p.is_file() {
                    files.push(p);
                }
            }
        }
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            for quote in ['"'] {
                for piece in text.split(quote).skip(1).step_by(2) {
                    let looks_like_key = piece.contains('.')
                        && piece.split('.').count() >= 2
                        && piece.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                        })
                        // Every section of the catalogue is a prefix to check (import., export., mail., …).
                        && sections.iter().any(|p| piece.starts_with(p.as_str()));
                    if looks_like_key
                        && !piece.ends_with(".html")
                        && !piece.ends_with('.')
                        // A host name in an example, not a key.
                        && !piece.ends_with(".jp")
                        // A stem completed at run time (`mail.link` + `_subject`) or a prefix of keys.
                        && !ja.messages.keys().any(|k| {
                            k.starts_with(&format!("{piece}.")) || k.starts_with(&format!("{piece}_"))
                        })
                        && !ja.messages.contains_key(piece)
                    {
                        missing.insert(format!(
                            "{piece} ({})",
                            p.file_name().unwrap().to_string_lossy()
                        ));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys without a translation: {missing:#?}"
        );
    }
}
