//! One announcement, three forms: an HTML e-mail, its plain-text part, and a short LINE text with a link.
//! Every bulk e-mail ends with the footer 特定電子メール法 asks for (sender, address, contact, how to stop).

use crate::markdown;
use kaeru_domain::Language;
use kaeru_i18n::Catalog;

/// The sender's particulars for the footer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    pub company: String,
    pub address: String,
    pub contact: String,
}

/// What one person is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub line: String,
}

/// The longest LINE text LINE accepts, in characters.
pub const LINE_MAX: usize = 5000;

/// Text for HTML or SVG: the five characters that could end a text or an attribute, as entities.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Everything a letter is made of.
pub struct Parts<'a> {
    pub lang: Language,
    pub subject: &'a str,
    pub body: &'a str,
    /// 「山田 太郎」 for the greeting.
    pub person: &'a str,
    pub purpose: &'a str,
    pub read_url: &'a str,
    pub unsubscribe_url: &'a str,
    /// The LINE text goes alike to everyone of a batch: it links the announcement's page and the portal's
    /// choices instead of one person's links.
    pub line_read_url: &'a str,
    pub choices_url: &'a str,
    pub footer: &'a Footer,
}

/// The body rendered once for every letter of an announcement.
#[derive(Clone, Debug)]
pub struct Rendered {
    html: String,
    text: String,
    summary: String,
}

impl Rendered {
    pub fn of(body: &str) -> Self {
        Self {
            html: markdown::to_html(body),
            text: markdown::to_text(body),
            summary: markdown::summary(body, 400),
        }
    }
}

/// The letter for one person.
pub fn compose(p: &Parts<'_>) -> Letter {
    compose_rendered(p, &Rendered::of(p.body))
}

/// The letter for one person, from a body already rendered.
pub fn compose_rendered(p: &Parts<'_>, r: &Rendered) -> Letter {
    let t = Catalog::get(p.lang);
    let greet = t.t("mail.bulk_greeting").replace("{name}", p.person);
    let why = t.t("mail.bulk_why").replace("{purpose}", p.purpose);
    let stop = t.t("mail.bulk_stop");
    let sender = t.t("mail.bulk_sender");
    let address = t.t("mail.bulk_address");
    let contact = t.t("mail.bulk_contact");
    let read = t.t("mail.bulk_read");
    let body_text = &r.text;
    let footer_text = format!(
        "――――――――\n{why}\n{stop}: {unsub}\n{sender}: {company}\n{address}: {addr}\n{contact}: {cont}\n",
        unsub = p.unsubscribe_url,
        company = p.footer.company,
        addr = p.footer.address,
        cont = p.footer.contact,
    );
    let text = format!(
        "{greet}\n\n{body_text}\n{read}: {}\n\n{footer_text}",
        p.read_url
    );
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{subject}</title></head>\
<body style=\"margin:0;padding:16px;background:#f6f6f4;color:#1f2328;font-family:sans-serif;line-height:1.7\">\
<div style=\"max-width:640px;margin:0 auto;background:#fff;padding:24px;border-radius:8px\">\
<p>{greet}</p>{body}\
<p><a href=\"{read_url}\">{read}</a></p>\
<hr style=\"border:none;border-top:1px solid #ddd;margin:24px 0\">\
<p style=\"font-size:13px;color:#555\">{why}<br><a href=\"{unsub}\">{stop}</a><br>{sender}: {company}<br>{address}: {addr}<br>{contact}: {cont}</p>\
</div></body></html>",
        lang = p.lang.code(),
        subject = escape(p.subject),
        greet = escape(&greet),
        body = r.html,
        read_url = escape(p.read_url),
        read = escape(read),
        why = escape(&why),
        unsub = escape(p.unsubscribe_url),
        stop = escape(stop),
        sender = escape(sender),
        company = escape(&p.footer.company),
        address = escape(address),
        addr = escape(&p.footer.address),
        contact = escape(contact),
        cont = escape(&p.footer.contact),
    );
    let head = format!("【{}】{}\n\n", p.footer.company, p.subject);
    let tail = format!(
        "\n\n{read}: {}\n{stop}: {}\n{}",
        p.line_read_url,
        p.choices_url,
        t.t("mail.line_stop_hint")
    );
    let room = LINE_MAX.saturating_sub(head.chars().count() + tail.chars().count());
    let summary = if r.summary.chars().count() <= room {
        r.summary.clone()
    } else {
        markdown::summary(p.body, room)
    };
    let line = format!("{head}{summary}{tail}");
    Letter {
        subject: p.subject.to_string(),
        html,
        text,
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_carries_the_way_to_stop_and_the_sender() {
        let footer = Footer {
            company: "さくら精機株式会社".into(),
            address: "静岡県浜松市中区1-2-3".into(),
            contact: "hr@sakura.example".into(),
        };
        let l = compose(&Parts {
            lang: Language::Ja,
            subject: "OB・OG会 <ご案内>",
            body: "今年も開きます。\n\n- 日時：12月20日",
            person: "𠮷田 花子",
            purpose: "イベントのご案内",
            read_url: "https://k.example/m/abc",
            unsubscribe_url: "https://k.example/u/xyz",
            line_read_url: "https://k.example/news/abc",
            choices_url: "https://k.example/portal/consent",
            footer: &footer,
        });
        for part in [&l.text, &l.html] {
            assert!(part.contains("https://k.example/u/xyz"));
            assert!(part.contains("さくら精機株式会社"));
            assert!(part.contains("静岡県浜松市中区1-2-3"));
            assert!(part.contains("hr@sakura.example"));
            assert!(part.contains("𠮷田 花子"));
        }
        assert!(l.html.contains("OB・OG会 &lt;ご案内&gt;"));
        assert!(
            l.line
                .starts_with("【さくら精機株式会社】OB・OG会 <ご案内>")
        );
        assert!(l.line.contains("https://k.example/news/abc"));
        assert!(l.line.contains("https://k.example/portal/consent"));
        assert!(l.line.contains("配信停止"));
        assert!(l.line.chars().count() <= LINE_MAX);
        let long = compose(&Parts {
            body: &"長い本文。".repeat(3000),
            ..Parts {
                lang: Language::En,
                subject: "s",
                body: "",
                person: "p",
                purpose: "x",
                read_url: "https://k/m",
                unsubscribe_url: "https://k/u",
                line_read_url: "https://k/n",
                choices_url: "https://k/c",
                footer: &footer,
            }
        });
        assert!(
            long.line.chars().count() <= 600,
            "{}",
            long.line.chars().count()
        );
        assert!(long.line.contains('…'));
    }
}
