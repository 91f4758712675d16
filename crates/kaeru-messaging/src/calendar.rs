//! Calendar files (RFC 5545) and add-to-calendar links. Written by hand rather than with the `icalendar`
//! crate, which writes `TZID=` without its `VTIMEZONE` and invents a random `UID`: here the UID is the
//! event's own, `SEQUENCE` is the event's change count, times carry `TZID=Asia/Tokyo` with the zone's block
//! (other zones are written in UTC), lines end in CRLF and are folded at 75 octets without splitting a
//! UTF-8 character.

use chrono::{DateTime, Utc};

/// One event as a calendar sees it.
#[derive(Clone, Debug)]
pub struct CalendarEvent<'a> {
    /// Stable for the event's life, e.g. `0190…@kaeru`.
    pub uid: &'a str,
    /// Raised on every change.
    pub sequence: i32,
    /// When this version was made.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub url: &'a str,
    pub organiser: &'a str,
    pub cancelled: bool,
    /// The company's time zone (IANA name).
    pub time_zone: &'a str,
}

const TOKYO: &str = "Asia/Tokyo";

/// Japan keeps +09:00 all year and has had no summer time since 1951.
const VTIMEZONE_TOKYO: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Tokyo",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// TEXT values: backslash, semicolon, comma and line breaks escaped (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character; each
/// continuation starts with a space, which counts towards its 75.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn tokyo(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

/// The whole file (`METHOD:PUBLISH`), CRLF line ends.
pub fn ics(e: &CalendarEvent<'_>) -> String {
    let in_tokyo = e.time_zone == TOKYO;
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Kaeru//Events//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    if in_tokyo {
        lines.extend(VTIMEZONE_TOKYO.iter().map(ToString::to_string));
    }
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", text(e.uid)));
    lines.push(format!("DTSTAMP:{}", utc(&e.stamp)));
    lines.push(format!("SEQUENCE:{}", e.sequence.max(0)));
    if in_tokyo {
        lines.push(format!("DTSTART;TZID={TOKYO}:{}", tokyo(&e.start)));
        lines.push(format!("DTEND;TZID={TOKYO}:{}", tokyo(&e.end)));
    } else {
        lines.push(format!("DTSTART:{}", utc(&e.start)));
        lines.push(format!("DTEND:{}", utc(&e.end)));
    }
    lines.push(format!("SUMMARY:{}", text(e.summary)));
    if !e.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", text(e.description)));
    }
    if !e.location.is_empty() {
        lines.push(format!("LOCATION:{}", text(e.location)));
    }
    if !e.url.is_empty() {
        lines.push(format!("URL:{}", e.url));
    }
    if !e.organiser.is_empty() {
        lines.push(format!(
            "ORGANIZER;CN=\"{}\":mailto:noreply@invalid",
            e.organiser.replace(['"', '\r', '\n'], "")
        ));
    }
    lines.push(format!(
        "STATUS:{}",
        if e.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    ));
    if !e.cancelled {
        lines.extend(
            [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:-P1D",
                &format!("DESCRIPTION:{}", text(e.summary)),
                "END:VALARM",
            ]
            .map(String::from),
        );
    }
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in &lines {
        fold(l, &mut out);
    }
    out
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Google Calendar's "add event" page with the event filled in.
pub fn google_link(e: &CalendarEvent<'_>) -> String {
    format!(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text={}&dates={}/{}&details={}&location={}&ctz={}",
        enc(e.summary),
        utc(&e.start),
        utc(&e.end),
        enc(&description_with_url(e)),
        enc(e.location),
        enc(e.time_zone),
    )
}

/// Outlook on the web's "new event" page with the event filled in.
pub fn outlook_link(e: &CalendarEvent<'_>) -> String {
    format!(
        "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&subject={}&startdt={}&enddt={}&body={}&location={}",
        enc(e.summary),
        enc(&e.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        enc(&e.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        enc(&description_with_url(e)),
        enc(e.location),
    )
}

fn description_with_url(e: &CalendarEvent<'_>) -> String {
    let d: String = e.description.chars().take(1000).collect();
    if e.url.is_empty() {
        d
    } else {
        format!("{d}\n\n{}", e.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event<'a>(summary: &'a str, tz: &'a str) -> CalendarEvent<'a> {
        CalendarEvent {
            uid: "0190abcd@kaeru",
            sequence: 2,
            stamp: Utc.with_ymd_and_hms(2026, 12, 6, 1, 0, 0).unwrap(),
            start: Utc.with_ymd_and_hms(2027, 1, 15, 9, 30, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap(),
            summary,
            description: "会費 5,000円; 二次会あり\n駐車場なし",
            location: "割烹 かえる, 燕市",
            url: "https://k.example/r/abc",
            organiser: "総務部 山田",
            cancelled: false,
            time_zone: tz,
        }
    }

    #[test]
    fn a_tokyo_event_has_its_zone_block_alarm_and_crlf() {
        let s = ics(&event("OB・OG会", "Asia/Tokyo"));
        assert!(s.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n"));
        assert!(s.contains("DTSTART;TZID=Asia/Tokyo:20270115T183000\r\n"));
        assert!(s.contains("SEQUENCE:2\r\n"));
        assert!(s.contains("TRIGGER:-P1D"));
        assert!(s.contains("DESCRIPTION:会費 5\\,000円\\; 二次会あり\\n駐車場なし"));
        assert!(!s.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let title = "𠮷野家でOB・OG会を開きます".repeat(8);
        let s = ics(&event(&title, "Asia/Tokyo"));
        for line in s.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{title}\r\n")));
    }

    #[test]
    fn other_zones_are_written_in_utc_and_a_cancellation_has_no_alarm() {
        let mut e = event("Alumni evening", "Europe/London");
        e.cancelled = true;
        let s = ics(&e);
        assert!(!s.contains("VTIMEZONE"));
        assert!(s.contains("DTSTART:20270115T093000Z"));
        assert!(s.contains("STATUS:CANCELLED"));
        assert!(!s.contains("VALARM"));
    }

    #[test]
    fn links_carry_the_event() {
        let e = event("OB・OG会", "Asia/Tokyo");
        let g = google_link(&e);
        assert!(g.contains("dates=20270115T093000Z/20270115T120000Z"));
        assert!(g.contains("text=OB%E3%83%BBOG%E4%BC%9A"));
        assert!(outlook_link(&e).contains("startdt=2027-01-15T09%3A30%3A00Z"));
    }
}
