//! Generated documents. The return offer letter (リターンオファー確認書): an A4 PDF with IPAex Gothic
//! embedded (subset by krilla), so it needs no system font and no network, and its text can be extracted.
//! A character IPAex Gothic lacks (𠮷 and other ideographs beyond JIS X 0213) is drawn, glyph by glyph,
//! with a subset of Noto Sans CJK JP, so a name never prints as a box.

use chrono::{Datelike, NaiveDate};
use kaeru_domain::offer::{LearningMission, wareki};
use kaeru_domain::{Language, OfferTerm, ReturnOffer};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use std::sync::OnceLock;

static IPAEX_GOTHIC: &[u8] = include_bytes!("../../../assets/fonts/ipaexg.ttf");
/// The fallback: Noto Sans CJK JP's supplementary-plane and compatibility ideographs that IPAex Gothic
/// lacks (tools/make_fallback_font.py).
static NOTO_SUPPLEMENT: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSansCJKjp-Supplement.otf");

/// A font with what is needed to choose it for a character and to place the text after it.
#[derive(Clone)]
struct Face {
    font: Font,
    data: &'static [u8],
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Self> {
        ttf_parser::Face::parse(data, 0).ok()?;
        Some(Self {
            font: Font::new(Data::from(data), 0)?,
            data,
        })
    }

    fn parsed(&self) -> Option<ttf_parser::Face<'static>> {
        ttf_parser::Face::parse(self.data, 0).ok()
    }
}

/// The primary face and the fallback.
#[derive(Clone)]
struct Faces {
    primary: Face,
    fallback: Option<Face>,
}

fn faces() -> Option<Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                primary: Face::load(IPAEX_GOTHIC)?,
                fallback: Face::load(NOTO_SUPPLEMENT),
            })
        })
        .clone()
}

/// Variation selectors (an IVS such as 葛󠄀 is a character and one of these) stay with the character before.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Splits text into runs of one face each: the primary where it has the glyph, else the fallback where it
/// has it (else the primary, which draws its empty box). Each run with its advance in ems.
fn runs<'a>(faces: &'a Faces, text: &str) -> Vec<(&'a Face, String, f32)> {
    let primary = faces.primary.parsed();
    let fallback = faces
        .fallback
        .as_ref()
        .and_then(|f| f.parsed().map(|p| (f, p)));
    let mut out: Vec<(&Face, String, f32)> = Vec::new();
    for c in text.chars() {
        if is_variation_selector(c)
            && let Some(last) = out.last_mut()
        {
            last.1.push(c);
            continue;
        }
        let has = |f: &ttf_parser::Face<'_>| f.glyph_index(c).is_some_and(|g| g.0 != 0);
        let (face, parsed) = match (&primary, &fallback) {
            (Some(p), Some((fb, fp))) if !has(p) && has(fp) => (*fb, Some(fp)),
            (p, _) => (&faces.primary, p.as_ref()),
        };
        let advance = parsed
            .and_then(|p| {
                let g = p.glyph_index(c)?;
                Some(f32::from(p.glyph_hor_advance(g)?) / f32::from(p.units_per_em()))
            })
            .unwrap_or_else(|| advance(c));
        match out.last_mut() {
            Some(last) if std::ptr::eq(last.0, face) => {
                last.1.push(c);
                last.2 += advance;
            }
            _ => out.push((face, c.to_string(), advance)),
        }
    }
    out
}

/// What the letter says, gathered by the caller.
pub struct OfferLetter<'a> {
    pub company_name: &'a str,
    pub person_name: &'a str,
    /// The end of the latest stint.
    pub leaving_date: Option<NaiveDate>,
    pub offer: &'a ReturnOffer,
    pub missions: &'a [LearningMission],
    pub show_wareki: bool,
    /// The issue date printed (the day it was issued, or today for a draft).
    pub dated: NaiveDate,
    pub language: Language,
}

#[derive(Debug)]
pub struct LetterError(pub String);

impl std::fmt::Display for LetterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the letter could not be made: {}", self.0)
    }
}

impl std::error::Error for LetterError {}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 62.0;

/// Estimated advance of a character in ems: full width for CJK and full-width forms, narrower for Latin.
fn advance(c: char) -> f32 {
    match c {
        '\u{FF61}'..='\u{FF9F}' => 0.5,
        c if (c as u32) >= 0x2E80 => 1.0,
        'A'..='Z' | 'm' | 'w' => 0.7,
        _ => 0.55,
    }
}

/// Breaks text into lines no wider than `width` at `size`. Japanese may break between any two characters,
/// except before closing punctuation (禁則); a Latin word or a number is kept whole.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    const NO_LINE_START: &str = "、。，．）」』】〕：；！？ー・";
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        let mut w = 0.0;
        for c in paragraph.chars() {
            let a = advance(c) * size;
            if w + a > width && !line.is_empty() && !NO_LINE_START.contains(c) {
                let keep_from = if c.is_ascii_alphanumeric() {
                    line.char_indices()
                        .rev()
                        .take_while(|(_, ch)| ch.is_ascii_alphanumeric())
                        .last()
                        .map(|(i, _)| i)
                } else {
                    None
                };
                match keep_from.filter(|&i| i > 0) {
                    Some(i) => {
                        let rest = line.split_off(i);
                        lines.push(line.trim_end().to_string());
                        line = rest;
                    }
                    None => lines.push(std::mem::take(&mut line).trim_end().to_string()),
                }
                w = line.chars().map(|c| advance(c) * size).sum();
                if c == ' ' && line.is_empty() {
                    continue;
                }
            }
            line.push(c);
            w += a;
        }
        lines.push(line);
    }
    lines
}

struct Writer {
    y: f32,
    ops: Vec<Op>,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        x2: f32,
        y: f32,
    },
}

impl Writer {
    fn text_at(&mut self, x: f32, size: f32, text: &str) {
        self.ops.push(Op::Text {
            x,
            y: self.y,
            size,
            text: text.to_string(),
        });
    }

    fn right(&mut self, size: f32, text: &str) {
        let w: f32 = text.chars().map(|c| advance(c) * size).sum();
        self.text_at(PAGE_W - MARGIN - w, size, text);
        self.y += size * 1.6;
    }

    fn centre(&mut self, size: f32, text: &str) {
        let w: f32 = text.chars().map(|c| advance(c) * size).sum();
        self.text_at((PAGE_W - w) / 2.0, size, text);
        self.y += size * 1.8;
    }

    fn para(&mut self, indent: f32, size: f32, text: &str) {
        for line in wrap(text, size, PAGE_W - 2.0 * MARGIN - indent) {
            self.text_at(MARGIN + indent, size, &line);
            self.y += size * 1.6;
        }
    }

    /// A label in the left column and wrapped text beside it.
    fn row(&mut self, label: &str, size: f32, text: &str) {
        self.text_at(MARGIN + 12.0, size, label);
        let indent = 130.0;
        let lines = wrap(text, size, PAGE_W - 2.0 * MARGIN - indent);
        for line in lines {
            self.text_at(MARGIN + indent, size, &line);
            self.y += size * 1.6;
        }
        self.y += size * 0.4;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn rule(&mut self, x1: f32, x2: f32) {
        self.ops.push(Op::Line { x1, x2, y: self.y });
    }
}

struct Words {
    title: &'static str,
    number: &'static str,
    issued: &'static str,
    honorific_before: &'static str,
    honorific_after: &'static str,
    intro: String,
    heading: &'static str,
    leaving: &'static str,
    window: &'static str,
    terms: &'static str,
    no_terms: &'static str,
    note: &'static str,
    missions: &'static str,
    mission_line: fn(&LearningMission) -> String,
    closing: &'static str,
    company_sign: &'static str,
    person_sign: &'static str,
    confirmed_on: &'static str,
    seal: &'static str,
    draft: &'static str,
}

fn term_label(t: OfferTerm, lang: Language, salary: Option<i64>) -> String {
    let yen = salary
        .map(kaeru_domain::validation::yen)
        .unwrap_or_default();
    match (lang, t) {
        (Language::Ja, OfferTerm::PriorityInterview) => {
            "優先面接：再入社を希望されたときは、優先して面接を行います。".into()
        }
        (Language::Ja, OfferTerm::EqualOrHigherPosition) => {
            "職位：退職時と同等以上の職位を用意します。".into()
        }
        (Language::Ja, OfferTerm::SalaryFloor) => {
            format!("給与の下限：年額 {yen} を下回らない条件を提示します。")
        }
        (Language::Ja, OfferTerm::ContinuousService) => {
            "勤続年数の通算：前回の勤続年数を通算します。".into()
        }
        (Language::Ja, OfferTerm::PaidLeaveCarryover) => {
            "有給休暇の引継ぎ：退職時の残日数を引き継ぎます。".into()
        }
        (Language::Ja, OfferTerm::ProbationWaived) => "試用期間：免除または短縮します。".into(),
        (Language::En, OfferTerm::PriorityInterview) => {
            "Priority interview: if you wish to return, you will be interviewed first.".into()
        }
        (Language::En, OfferTerm::EqualOrHigherPosition) => {
            "Position: the same or a higher position than when you left.".into()
        }
        (Language::En, OfferTerm::SalaryFloor) => {
            format!("Salary floor: an offer of no less than {yen} a year.")
        }
        (Language::En, OfferTerm::ContinuousService) => {
            "Years of service: your earlier years of service are carried over.".into()
        }
        (Language::En, OfferTerm::PaidLeaveCarryover) => {
            "Paid leave: the days you had left are carried over.".into()
        }
        (Language::En, OfferTerm::ProbationWaived) => "Probation: waived or shortened.".into(),
    }
}

fn words(lang: Language, company: &str) -> Words {
    match lang {
        Language::Ja => Words {
            title: "リターンオファー確認書",
            number: "オファー番号",
            issued: "発行日",
            honorific_before: "",
            honorific_after: " 様",
            intro: format!(
                "{company}は、あなたがこれまで当社で果たしてくださった貢献に感謝し、下記の有効期間内にあなたが当社への再入社を希望されたときは、下記の条件で優先的にお迎えすることをお約束します。"
            ),
            heading: "記",
            leaving: "退職日",
            window: "有効期間",
            terms: "優先条件",
            no_terms: "特になし",
            note: "補足",
            missions: "学習ミッション",
            mission_line: |m| {
                let mut s = format!(
                    "{}（目標レベル{}、{}日ごとに近況を共有）",
                    m.skill, m.target_level, m.check_in_every_days
                );
                if let Some(r) = &m.reason {
                    s.push_str(&format!("：{r}"));
                }
                s
            },
            closing: "本書は雇用契約ではありません。有効期間内に再入社を希望されたときに、上記の条件で優先的に検討することをお約束するものです。",
            company_sign: "会社",
            person_sign: "本人",
            confirmed_on: "確認日",
            seal: "印",
            draft: "（下書き）",
        },
        Language::En => Words {
            title: "Return Offer",
            number: "Offer number",
            issued: "Date",
            honorific_before: "Dear ",
            honorific_after: "",
            intro: format!(
                "{company} thanks you for all you contributed while you were with us. If you wish to return within the window below, we promise to welcome you back first, on the terms below."
            ),
            heading: "Terms",
            leaving: "Left on",
            window: "Window",
            terms: "Priority terms",
            no_terms: "None",
            note: "Note",
            missions: "Learning missions",
            mission_line: |m| {
                let mut s = format!(
                    "{} (target level {}, share progress every {} days)",
                    m.skill, m.target_level, m.check_in_every_days
                );
                if let Some(r) = &m.reason {
                    s.push_str(&format!(": {r}"));
                }
                s
            },
            closing: "This letter is not an employment contract. It is a promise to consider you first, on the terms above, if you wish to return within the window.",
            company_sign: "Company",
            person_sign: "Recipient",
            confirmed_on: "Date",
            seal: "",
            draft: "(draft)",
        },
    }
}

/// A date spelled out: 2026年4月1日 (with 令和8年4月1日 when asked), or 1 April 2026 in English.
fn long_date(d: NaiveDate, lang: Language, show_wareki: bool) -> String {
    match lang {
        Language::Ja => {
            let western = format!("{}年{}月{}日", d.year(), d.month(), d.day());
            if show_wareki {
                format!("{western}（{}{}月{}日）", wareki(d), d.month(), d.day())
            } else {
                western
            }
        }
        Language::En => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
        }
    }
}

/// Lays the letter out and returns the PDF bytes.
pub fn offer_letter(l: &OfferLetter<'_>) -> Result<Vec<u8>, LetterError> {
    let faces = faces().ok_or_else(|| LetterError("the embedded font could not be read".into()))?;
    let w = words(l.language, l.company_name);
    let lang = l.language;
    let o = l.offer;
    let mut wr = Writer {
        y: MARGIN + 10.0,
        ops: Vec::new(),
    };
    let draft = if o.status == kaeru_domain::OfferStatus::Draft {
        w.draft
    } else {
        ""
    };
    wr.centre(20.0, &format!("{}{draft}", w.title));
    wr.right(10.0, &format!("{}　{}", w.number, o.number));
    wr.right(
        10.0,
        &format!("{}　{}", w.issued, long_date(l.dated, lang, l.show_wareki)),
    );
    wr.gap(8.0);
    wr.para(
        0.0,
        14.0,
        &format!(
            "{}{}{}",
            w.honorific_before, l.person_name, w.honorific_after
        ),
    );
    wr.gap(6.0);
    wr.para(0.0, 10.5, &w.intro);
    wr.gap(10.0);
    wr.centre(12.0, w.heading);
    if let Some(left) = l.leaving_date {
        wr.row(w.leaving, 10.5, &long_date(left, lang, l.show_wareki));
    }
    let window = match lang {
        Language::Ja => format!(
            "{}から{}まで",
            long_date(o.valid_from, lang, l.show_wareki),
            long_date(o.valid_until, lang, l.show_wareki)
        ),
        Language::En => format!(
            "{} to {}",
            long_date(o.valid_from, lang, false),
            long_date(o.valid_until, lang, false)
        ),
    };
    wr.row(w.window, 10.5, &window);
    let terms: Vec<String> = o
        .terms
        .iter()
        .map(|t| format!("・{}", term_label(*t, lang, o.salary_floor_yen)))
        .collect();
    wr.row(
        w.terms,
        10.5,
        &if terms.is_empty() {
            w.no_terms.to_string()
        } else {
            terms.join("\n")
        },
    );
    if let Some(n) = &o.terms_note {
        wr.row(w.note, 10.5, n);
    }
    if !l.missions.is_empty() {
        let lines: Vec<String> = l
            .missions
            .iter()
            .map(|m| format!("・{}", (w.mission_line)(m)))
            .collect();
        wr.row(w.missions, 10.5, &lines.join("\n"));
    }
    wr.gap(6.0);
    wr.para(0.0, 9.5, w.closing);
    // Signature lines at the foot of the page (or below the text if it runs long).
    wr.y = wr.y.max(PAGE_H - MARGIN - 120.0);
    wr.text_at(MARGIN, 10.5, w.company_sign);
    wr.text_at(MARGIN + 70.0, 10.5, l.company_name);
    wr.gap(26.0);
    let signer = match &o.signer_title {
        Some(t) => format!("{t}　{}", o.signer_name),
        None => o.signer_name.clone(),
    };
    wr.text_at(MARGIN + 70.0, 10.5, &signer);
    wr.gap(4.0);
    wr.rule(MARGIN + 240.0, PAGE_W - MARGIN - 20.0);
    wr.gap(-4.0);
    wr.text_at(PAGE_W - MARGIN - 12.0, 10.5, w.seal);
    wr.gap(40.0);
    wr.text_at(MARGIN, 10.5, w.person_sign);
    wr.text_at(MARGIN + 70.0, 10.5, l.person_name);
    wr.gap(4.0);
    wr.rule(MARGIN + 240.0, PAGE_W - MARGIN - 20.0);
    wr.gap(22.0);
    wr.text_at(MARGIN + 70.0, 10.5, w.confirmed_on);
    wr.gap(4.0);
    wr.rule(MARGIN + 240.0, PAGE_W - MARGIN - 20.0);

    render(
        &format!("{} {}", w.title, o.number),
        lang,
        &faces,
        std::slice::from_ref(&wr),
    )
}

/// Draws pages of laid-out text and rules into a PDF.
fn render(
    title: &str,
    lang: Language,
    faces: &Faces,
    pages: &[Writer],
) -> Result<Vec<u8>, LetterError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("Kaeru".into())
            .language(lang.code().into()),
    );
    for wr in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| LetterError("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in &wr.ops {
            match op {
                Op::Text { x, y, size, text } => {
                    let mut x = *x;
                    for (face, run, ems) in runs(faces, text) {
                        surface.draw_text(
                            Point::from_xy(x, *y),
                            face.font.clone(),
                            *size,
                            &run,
                            false,
                            TextDirection::Auto,
                        );
                        x += ems * size;
                    }
                }
                Op::Line { x1, x2, y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y);
                    pb.line_to(*x2, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(0, 0, 0).into(),
                            width: 0.7,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Default::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| LetterError(format!("{e:?}")))
}

/// One attendee's news (近況) in the しおり.
pub struct NewsEntry<'a> {
    pub name: &'a str,
    pub reading: &'a str,
    /// Where they are now (their current employer), if they shared it.
    pub now_at: &'a str,
    pub news: &'a str,
}

/// The しおり handed out at a gathering: a cover block (title, when and where), then each attendee's news
/// in the order given (五十音順, sorted by the caller), as many A4 pages as it takes.
pub struct Booklet<'a> {
    pub company_name: &'a str,
    pub title: &'a str,
    pub when: &'a str,
    pub place: &'a str,
    pub intro: &'a str,
    pub entries: &'a [NewsEntry<'a>],
    /// Printed when nobody shared news.
    pub empty: &'a str,
    pub language: Language,
}

pub fn booklet(b: &Booklet<'_>) -> Result<Vec<u8>, LetterError> {
    let faces = faces().ok_or_else(|| LetterError("the embedded font could not be read".into()))?;
    render(b.title, b.language, &faces, &booklet_pages(b))
}

/// The しおり laid out, page by page.
fn booklet_pages(b: &Booklet<'_>) -> Vec<Writer> {
    let fresh = || Writer {
        y: MARGIN + 10.0,
        ops: Vec::new(),
    };
    let bottom = PAGE_H - MARGIN;
    let mut pages = vec![fresh()];
    let mut wr = fresh();
    wr.centre(18.0, b.title);
    wr.centre(10.5, b.company_name);
    wr.centre(10.5, b.when);
    if !b.place.is_empty() {
        wr.centre(10.5, b.place);
    }
    wr.gap(6.0);
    wr.para(0.0, 10.0, b.intro);
    wr.gap(8.0);
    wr.rule(MARGIN, PAGE_W - MARGIN);
    wr.gap(18.0);
    if b.entries.is_empty() {
        wr.para(0.0, 10.5, b.empty);
    }
    let width = PAGE_W - 2.0 * MARGIN - 12.0;
    for e in b.entries {
        let lines = wrap(e.news, 10.0, width).len() as f32;
        let height = 12.0 * 1.6 + 10.0 * 1.6 * lines + 16.0;
        if wr.y + height > bottom && !wr.ops.is_empty() {
            pages.push(std::mem::replace(&mut wr, fresh()));
        }
        let head = if e.reading.is_empty() {
            e.name.to_string()
        } else {
            format!("{}（{}）", e.name, e.reading)
        };
        let head = if e.now_at.is_empty() {
            head
        } else {
            format!("{head}　{}", e.now_at)
        };
        wr.para(0.0, 12.0, &head);
        wr.para(12.0, 10.0, e.news);
        wr.gap(10.0);
    }
    pages.push(wr);
    pages.remove(0);
    pages
}

/// One section of the monthly report: a heading, label–value lines, and a note to read them by.
pub struct ReportSection {
    pub title: String,
    pub lines: Vec<(String, String)>,
    pub note: Option<String>,
}

/// The monthly report (月次レポート) for the 社長: a title block, then each section, as many A4 pages as it
/// takes, and a closing note.
pub struct Report<'a> {
    pub title: &'a str,
    pub company_name: &'a str,
    pub period: &'a str,
    pub sections: &'a [ReportSection],
    pub closing: &'a str,
    pub language: Language,
}

pub fn report(r: &Report<'_>) -> Result<Vec<u8>, LetterError> {
    let faces = faces().ok_or_else(|| LetterError("the embedded font could not be read".into()))?;
    render(r.title, r.language, &faces, &report_pages(r))
}

fn report_pages(r: &Report<'_>) -> Vec<Writer> {
    let fresh = || Writer {
        y: MARGIN + 10.0,
        ops: Vec::new(),
    };
    let bottom = PAGE_H - MARGIN;
    let mut pages = Vec::new();
    let mut wr = fresh();
    wr.centre(18.0, r.title);
    wr.centre(11.0, r.company_name);
    wr.centre(10.5, r.period);
    wr.gap(4.0);
    wr.rule(MARGIN, PAGE_W - MARGIN);
    wr.gap(16.0);
    let width = PAGE_W - 2.0 * MARGIN;
    for section in r.sections {
        let note_lines = section
            .note
            .as_deref()
            .map_or(0, |n| wrap(n, 9.0, width).len()) as f32;
        let height =
            13.0 * 1.8 + section.lines.len() as f32 * 10.5 * 1.6 + note_lines * 9.0 * 1.6 + 12.0;
        if wr.y + height > bottom && !wr.ops.is_empty() {
            pages.push(std::mem::replace(&mut wr, fresh()));
        }
        wr.para(0.0, 13.0, &section.title);
        wr.gap(2.0);
        for (label, value) in &section.lines {
            wr.para(12.0, 10.5, &format!("{label}：{value}"));
        }
        if let Some(n) = &section.note {
            wr.para(12.0, 9.0, n);
        }
        wr.gap(12.0);
    }
    if wr.y + 40.0 > bottom {
        pages.push(std::mem::replace(&mut wr, fresh()));
    }
    wr.rule(MARGIN, PAGE_W - MARGIN);
    wr.gap(12.0);
    wr.para(0.0, 9.0, r.closing);
    pages.push(wr);
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booklet_runs_over_as_many_pages_as_it_takes() {
        let news = "独立して三年になります。燕の工場とも仕事をしています。".repeat(6);
        let entries: Vec<NewsEntry<'_>> = (0..40)
            .map(|_| NewsEntry {
                name: "𠮷田 花子",
                reading: "よしだ はなこ",
                now_at: "株式会社つばめ",
                news: &news,
            })
            .collect();
        let b = Booklet {
            company_name: "かえる製作所",
            title: "OB・OG会 2027 しおり",
            when: "2027年1月15日 18:30",
            place: "割烹 かえる",
            intro: "近況をお寄せいただいた方々です。",
            entries: &entries,
            empty: "",
            language: Language::Ja,
        };
        // Forty entries of several lines each do not fit one A4 page; none runs past the bottom margin.
        let pages = booklet_pages(&b);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for p in &pages {
            for op in &p.ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= PAGE_H - MARGIN + 1.0, "text at {y}");
                }
            }
        }
        assert!(booklet(&b).unwrap().starts_with(b"%PDF"));
    }

    #[test]
    fn japanese_wraps_anywhere_and_latin_at_spaces() {
        let lines = wrap("あいうえおかきくけこ", 10.0, 45.0);
        assert_eq!(lines, ["あいうえ", "おかきく", "けこ"]);
        assert_eq!(wrap("あいうえ。かき", 10.0, 45.0), ["あいうえ。", "かき"]);
        assert_eq!(wrap("あいう2029年", 10.0, 45.0), ["あいう", "2029年"]);
        let lines = wrap("return offer letter", 10.0, 60.0);
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with(' ') && !l.ends_with(' ')),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), "returnofferletter");
    }

    #[test]
    fn characters_beyond_ipaex_fall_back_glyph_by_glyph() {
        let faces = faces().unwrap();
        let r = runs(&faces, "𠮷田 髙橋 﨑");
        assert_eq!(
            r.len(),
            2,
            "𠮷 from the fallback, the rest from IPAex Gothic"
        );
        assert!(std::ptr::eq(r[0].0, faces.fallback.as_ref().unwrap()));
        assert_eq!(r[0].1, "𠮷");
        assert_eq!(r[1].1, "田 髙橋 﨑");
        assert!(
            (r[0].2 - 1.0).abs() < 0.01,
            "a full-width advance: {}",
            r[0].2
        );
        // A variation selector stays with its character.
        let r = runs(&faces, "葛\u{E0100}城");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1.chars().count(), 3);
    }

    #[test]
    fn dates_are_spelled_out() {
        let d = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(long_date(d, Language::Ja, false), "2026年4月1日");
        assert_eq!(
            long_date(d, Language::Ja, true),
            "2026年4月1日（令和8年4月1日）"
        );
        assert_eq!(long_date(d, Language::En, true), "1 April 2026");
    }
}
