//! A person: anyone the company has employed or knows through its alumni, one record for life.

use crate::ids::{CompanyId, PersonId};
use crate::stint::{EmploymentStint, EmploymentType};
use crate::validation::{self as v, EmailAddress, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Derived from the stints, never set by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonStatus {
    /// 在籍
    Employee,
    /// アルムナイ
    Alumnus,
    /// 出戻り: employed again after an earlier stint ended.
    Returner,
    /// 業務委託
    Contractor,
    /// 未登録: no employment stint recorded yet (known through the network, or added before their stint).
    /// Never called 在籍 or アルムナイ until a stint says which.
    Unregistered,
}

impl PersonStatus {
    pub const ALL: [PersonStatus; 5] = [
        Self::Employee,
        Self::Alumnus,
        Self::Returner,
        Self::Contractor,
        Self::Unregistered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Alumnus => "alumnus",
            Self::Returner => "returner",
            Self::Contractor => "contractor",
            Self::Unregistered => "unregistered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The status on `today` given the person's stints. A stint whose end date is still ahead is current
    /// (the person has a planned leaving date). Someone with no stint at all is 未登録: nothing yet says
    /// whether they work here or left. A former employee (or someone with no stint) with a 業務委託 contract
    /// active today (`contracted`) counts as 業務委託.
    pub fn derive(stints: &[EmploymentStint], contracted: bool, today: NaiveDate) -> Self {
        let by_stints = Self::from_stints(stints, today);
        if contracted && matches!(by_stints, Self::Alumnus | Self::Unregistered) {
            Self::Contractor
        } else {
            by_stints
        }
    }

    fn from_stints(stints: &[EmploymentStint], today: NaiveDate) -> Self {
        if stints.is_empty() {
            return Self::Unregistered;
        }
        let current: Vec<&EmploymentStint> =
            stints.iter().filter(|s| s.is_current(today)).collect();
        if current.is_empty() {
            return Self::Alumnus;
        }
        if current
            .iter()
            .all(|s| s.employment_type == EmploymentType::Contractor)
        {
            return Self::Contractor;
        }
        let first_current_start = current.iter().map(|s| s.start_date).min().unwrap_or(today);
        let came_back = stints.iter().any(|s| {
            s.employment_type != EmploymentType::Contractor
                && s.end_date.is_some_and(|end| end < first_current_start)
        });
        if came_back {
            Self::Returner
        } else {
            Self::Employee
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub company_id: CompanyId,
    /// 社員番号 from the HR system, unique in the company; imports are keyed by it.
    pub employee_number: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub romaji_name: Option<String>,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub status: PersonStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.family_name, self.given_name)
    }

    pub fn full_kana(&self) -> String {
        format!("{} {}", self.family_kana, self.given_kana)
    }
}

/// What a create or edit form gives, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonDraft {
    pub employee_number: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: Kana,
    pub given_kana: Kana,
    pub romaji_name: Option<String>,
    pub emails: Vec<EmailAddress>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// The raw text of a person form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    pub employee_number: String,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub romaji_name: String,
    /// One address per line.
    pub emails: String,
    pub phone: String,
    pub line_id: String,
    pub facebook_url: String,
    pub linkedin_url: String,
    pub prefecture: String,
    pub city: String,
    pub birth_date: String,
    pub notes: String,
}

/// The 47 prefectures, in the conventional north-to-south order.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

v::checked_text!(
    /// A checked kana reading (see [`kana`]); the sort key of 五十音順 is derived from it.
    Kana
);

impl Kana {
    pub fn parse(input: &str, max_chars: usize) -> Result<Self, Invalid> {
        kana(input, max_chars).map(Self)
    }
}

/// A kana reading: hiragana, katakana (full or half width), the long-vowel mark and spaces.
pub fn kana(input: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = v::required_line(input, max_chars)?;
    let ok = s.chars().all(|c| {
        matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}'
            | '\u{FF66}'..='\u{FF9F}' | ' ' | '\u{3000}' | '・')
    });
    if ok {
        Ok(s)
    } else {
        Err(Invalid::new("error.kana"))
    }
}

/// An employee number as HR systems write it: letters, digits and - _ . /, full-width accepted, at most 40.
pub fn employee_number(input: &str) -> Result<Option<String>, Invalid> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            'ー' | '‐' | '−' => '-',
            _ => c,
        })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 40 {
        return Err(Invalid::new("error.too_long").with("max", 40));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./#".contains(c))
    {
        return Err(Invalid::new("error.employee_number"));
    }
    Ok(Some(s))
}

impl PersonInput {
    pub fn parse(&self, today: NaiveDate) -> Result<PersonDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let employee_number = e
            .check("employee_number", employee_number(&self.employee_number))
            .flatten();
        let family_name = e.check("family_name", v::required_line(&self.family_name, 50));
        let given_name = e.check("given_name", v::required_line(&self.given_name, 50));
        let family_kana = e.check("family_kana", Kana::parse(&self.family_kana, 50));
        let given_kana = e.check("given_kana", Kana::parse(&self.given_kana, 50));
        let romaji_name = e.check("romaji_name", v::optional_line(&self.romaji_name, 100));
        if romaji_name
            .as_ref()
            .is_some_and(|r| r.as_ref().is_some_and(|r| !r.is_ascii()))
        {
            e.add("romaji_name", Invalid::new("error.romaji"));
        }
        let mut emails = Vec::new();
        for line in self.emails.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match EmailAddress::parse(line) {
                Ok(addr) if emails.contains(&addr) => e.add(
                    "emails",
                    Invalid::new("error.email_repeated").with("email", addr),
                ),
                Ok(addr) => emails.push(addr),
                Err(err) => e.add("emails", Invalid::new(err.key).with("email", line)),
            }
        }
        if emails.len() > 5 {
            e.add("emails", Invalid::new("error.too_many").with("max", 5));
        }
        let phone = e.check("phone", v::optional_phone(&self.phone));
        let line_id = e.check("line_id", v::optional_line(&self.line_id, 50));
        let facebook_url = e.check(
            "facebook_url",
            v::optional_url(&self.facebook_url, &["facebook.com", "fb.com"]),
        );
        let linkedin_url = e.check(
            "linkedin_url",
            v::optional_url(&self.linkedin_url, &["linkedin.com"]),
        );
        let prefecture = e.check("prefecture", v::optional_line(&self.prefecture, 10));
        if let Some(Some(p)) = &prefecture
            && !PREFECTURES.contains(&p.as_str())
        {
            e.add("prefecture", Invalid::new("error.choice"));
        }
        let city = e.check("city", v::optional_line(&self.city, 100));
        let birth_date = e.check("birth_date", v::optional_date(&self.birth_date));
        if let Some(Some(b)) = birth_date
            && b > today
        {
            e.add("birth_date", Invalid::new("error.date_future"));
        }
        let notes = e.check("notes", v::optional_text(&self.notes, 5000));
        if !e.is_empty() {
            return Err(e);
        }
        // Every value is Some here because no error was recorded.
        let (Some(family_name), Some(given_name), Some(family_kana), Some(given_kana)) =
            (family_name, given_name, family_kana, given_kana)
        else {
            return Err(e);
        };
        Ok(PersonDraft {
            employee_number,
            family_name,
            given_name,
            family_kana,
            given_kana,
            romaji_name: romaji_name.flatten(),
            emails,
            phone: phone.flatten(),
            line_id: line_id.flatten(),
            facebook_url: facebook_url.flatten(),
            linkedin_url: linkedin_url.flatten(),
            prefecture: prefecture.flatten(),
            city: city.flatten(),
            birth_date: birth_date.flatten(),
            notes: notes.flatten(),
        })
    }

    pub fn from_person(p: &Person) -> Self {
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        Self {
            employee_number: o(&p.employee_number),
            family_name: p.family_name.clone(),
            given_name: p.given_name.clone(),
            family_kana: p.family_kana.clone(),
            given_kana: p.given_kana.clone(),
            romaji_name: o(&p.romaji_name),
            emails: p.emails.join("\n"),
            phone: o(&p.phone),
            line_id: o(&p.line_id),
            facebook_url: o(&p.facebook_url),
            linkedin_url: o(&p.linkedin_url),
            prefecture: o(&p.prefecture),
            city: o(&p.city),
            birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            notes: o(&p.notes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PersonId, StintId};
    use crate::stint::EmploymentStint;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stint(start: &str, end: Option<&str>, ty: EmploymentType) -> EmploymentStint {
        EmploymentStint {
            id: StintId::new(),
            person_id: PersonId::new(),
            start_date: d(start),
            end_date: end.map(d),
            department: None,
            job_title: None,
            employment_type: ty,
            leave_reason: None,
            leave_reason_detail: None,
            exit_interview_notes: None,
            rehire_eligibility: None,
            rehire_reason: None,
        }
    }

    #[test]
    fn status_follows_the_stints() {
        let today = d("2026-11-29");
        let ft = EmploymentType::FullTime;
        assert_eq!(
            PersonStatus::derive(&[], false, today),
            PersonStatus::Unregistered
        );
        assert_eq!(
            PersonStatus::derive(&[], true, today),
            PersonStatus::Contractor
        );
        assert_eq!(
            PersonStatus::derive(&[stint("2010-04-01", Some("2020-03-31"), ft)], true, today),
            PersonStatus::Contractor,
            "an alumnus with an active contract"
        );
        assert_eq!(
            PersonStatus::derive(&[stint("2010-04-01", None, ft)], true, today),
            PersonStatus::Employee,
            "an employee with a contract stays an employee"
        );
        assert_eq!(
            PersonStatus::derive(&[stint("2010-04-01", None, ft)], false, today),
            PersonStatus::Employee
        );
        assert_eq!(
            PersonStatus::derive(&[stint("2010-04-01", Some("2020-03-31"), ft)], false, today),
            PersonStatus::Alumnus
        );
        let back = [
            stint("2010-04-01", Some("2020-03-31"), ft),
            stint("2024-04-01", None, ft),
        ];
        assert_eq!(
            PersonStatus::derive(&back, false, today),
            PersonStatus::Returner
        );
        let planned_leave = [stint("2010-04-01", Some("2027-03-31"), ft)];
        assert_eq!(
            PersonStatus::derive(&planned_leave, false, today),
            PersonStatus::Employee
        );
        let contractor = [
            stint("2010-04-01", Some("2020-03-31"), ft),
            stint("2024-04-01", None, EmploymentType::Contractor),
        ];
        assert_eq!(
            PersonStatus::derive(&contractor, false, today),
            PersonStatus::Contractor
        );
    }

    #[test]
    fn person_form_is_checked_field_by_field() {
        let input = PersonInput {
            family_name: "山田".into(),
            given_name: "".into(),
            family_kana: "やまだ".into(),
            given_kana: "Taro".into(),
            emails: "taro@example.jp\nnot-an-address".into(),
            facebook_url: "https://example.com/taro".into(),
            birth_date: "2099-01-01".into(),
            ..Default::default()
        };
        let e = input.parse(d("2026-11-29")).unwrap_err();
        assert_eq!(e.get("given_name").unwrap().key, "error.required");
        assert_eq!(e.get("given_kana").unwrap().key, "error.kana");
        assert_eq!(e.get("emails").unwrap().key, "error.email");
        assert_eq!(e.get("facebook_url").unwrap().key, "error.url_host");
        assert_eq!(e.get("birth_date").unwrap().key, "error.date_future");
        assert!(e.get("family_name").is_none());
    }

    #[test]
    fn katakana_and_half_width_readings_are_kana() {
        assert!(kana("ヤマダ", 50).is_ok());
        assert!(kana("ﾔﾏﾀﾞ", 50).is_ok());
        assert!(kana("やまだ たろう", 50).is_ok());
        assert!(kana("山田", 50).is_err());
    }
}
