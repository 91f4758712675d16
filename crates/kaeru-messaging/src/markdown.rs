//! Markdown as HR writes it, rendered safely: raw HTML in the text is shown as text, links only to http(s)
//! and mailto, images become links (mail clients block them and LINE cannot show them).

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES
}

fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://") || u.starts_with("mailto:")
}

/// HTML for the e-mail and the web view.
pub fn to_html(md: &str) -> String {
    let events = Parser::new_ext(md, options()).map(|ev| match ev {
        // Raw HTML is shown as the characters typed, never interpreted.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("")
            },
            title,
            id: CowStr::Borrowed(""),
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// Plain text for the e-mail's text part and for LINE: headings on their own line, list items with "・",
/// links as "text (url)".
pub fn to_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut links: Vec<String> = Vec::new();
    let mut list_depth: usize = 0;
    for ev in Parser::new_ext(md, options()) {
        match ev {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("\n――――――――\n"),
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                out.push('・');
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::Heading { .. }) => out.push('■'),
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::BlockQuote(_)) => {
                out.push_str("\n\n");
            }
            Event::End(TagEnd::TableCell) => out.push('\t'),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.push('\n'),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string());
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(url) = links.pop()
                    && safe_url(&url)
                    && !out.ends_with(url.as_str())
                {
                    out.push_str(" (");
                    out.push_str(&url);
                    out.push(')');
                }
            }
            _ => {}
        }
    }
    let trimmed = out.trim_end();
    let mut s = String::with_capacity(trimmed.len());
    let mut blank = 0;
    for line in trimmed.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// The first `max` characters of the plain text, cut at a line end where possible, with "…" when cut.
pub fn summary(md: &str, max: usize) -> String {
    let text = to_text(md);
    if text.chars().count() <= max {
        return text.trim_end().to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut
        .rfind('\n')
        .filter(|i| *i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_never_reach_the_reader() {
        let html = to_html(
            "# OB会\n\n<script>alert(1)</script>\n\n[罠](javascript:alert(1)) と [案内](https://example.jp/a?b=1&c=2)\n\n![画像](https://example.jp/x.png)",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("href=\"https://example.jp/a?b=1&amp;c=2\""),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<h1>OB会</h1>"), "{html}");
    }

    #[test]
    fn plain_text_keeps_structure_and_urls() {
        let text = to_text(
            "## 日時\n\n- 12月20日 18時\n- 浜松駅前\n\n詳しくは[こちら](https://example.jp/ob)。𠮷田さんも来ます。",
        );
        assert!(text.contains("■日時\n"), "{text}");
        assert!(text.contains("・12月20日 18時\n・浜松駅前\n"), "{text}");
        assert!(text.contains("こちら (https://example.jp/ob)"), "{text}");
        assert!(text.contains("𠮷田"), "{text}");
        assert_eq!(
            summary("あ".repeat(50).as_str(), 10),
            format!("{}…", "あ".repeat(10))
        );
    }
}
