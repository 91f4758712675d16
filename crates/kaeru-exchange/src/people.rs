//! Rows of a people file checked with the same rules as the forms: each row becomes an [`ImportRow`] (a
//! person, their employee number, their stint) or [`Problem`]s naming the row and the column.

use crate::columns::{Field, Mapping};
use crate::table::Table;
use kaeru_domain::stint::{EmploymentType, LeaveReason};
use kaeru_domain::{FieldErrors, Invalid, PersonDraft, PersonInput, StintDraft, StintInput};
use std::collections::HashMap;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// One row that can be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub employee_number: Option<String>,
    pub person: PersonDraft,
    pub stint: Option<StintDraft>,
}

/// A problem with one cell (or a whole row when `column` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub problem: Invalid,
}

/// What a file would import.
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<Problem>,
    /// Lines with at least one problem.
    pub rejected: usize,
}

fn cell<'a>(cells: &'a [String], m: &Mapping, f: Field) -> &'a str {
    let s = m
        .column_of(f)
        .and_then(|i| cells.get(i))
        .map(|s| s.trim())
        .unwrap_or("");
    // The apostrophe an export puts before = + - @ so spreadsheets do not run it is not part of the value.
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// Full-width letters and digits to half-width, ideographic spaces to spaces (NFKC), for identifiers and
/// addresses; names keep their characters.
fn narrow(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

/// "山田 太郎", "山田　太郎" → ("山田", "太郎"); no space → None.
fn split_name(s: &str) -> Option<(String, String)> {
    let s = s.replace('\u{3000}', " ");
    let mut parts = s.trim().splitn(2, ' ');
    let a = parts.next()?.trim();
    let b = parts.next()?.trim();
    (!a.is_empty() && !b.is_empty()).then(|| (a.to_string(), b.to_string()))
}

/// 正社員, 契約社員, パート… to Kaeru's employment types.
pub fn employment_type(s: &str) -> Option<EmploymentType> {
    /// The words HR systems use for each type, in the order they are tried, folded once.
    static WORDS: LazyLock<Vec<(EmploymentType, Vec<String>)>> = LazyLock::new(|| {
        folded(&[
            (EmploymentType::Executive, &["役員", "取締役"]),
            (EmploymentType::Reemployed, &["嘱託", "再雇用"]),
            (EmploymentType::Dispatched, &["派遣"]),
            (EmploymentType::Contractor, &["業務委託", "委託"]),
            (
                EmploymentType::PartTime,
                &["パート", "アルバイト", "短時間"],
            ),
            (EmploymentType::FixedTerm, &["契約", "有期", "期間"]),
            (EmploymentType::FullTime, &["正社員", "正規", "full"]),
        ])
    });
    let s = kaeru_search::fold(s);
    if s.is_empty() {
        return None;
    }
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| s.contains(w.as_str())))
        .map(|(t, _)| *t)
        .or_else(|| (s == "社員").then_some(EmploymentType::FullTime))
        .or_else(|| EmploymentType::parse(&s))
}

/// Each value with its words folded (as [`kaeru_search::fold`] folds a cell).
fn folded<T: Copy>(table: &[(T, &[&str])]) -> Vec<(T, Vec<String>)> {
    table
        .iter()
        .map(|(t, words)| (*t, words.iter().map(|w| kaeru_search::fold(w)).collect()))
        .collect()
}

/// A leave reason as written in an HR system, to Kaeru's category; the text itself is kept as the detail.
pub fn leave_reason(s: &str) -> Option<LeaveReason> {
    /// The words of each category, in the order they are tried, folded once.
    static WORDS: LazyLock<Vec<(LeaveReason, Vec<String>)>> = LazyLock::new(|| {
        folded(&[
            (LeaveReason::Retirement, &["定年"]),
            (LeaveReason::StartedBusiness, &["起業", "独立", "開業"]),
            (LeaveReason::Caregiving, &["介護"]),
            (LeaveReason::SpouseTransfer, &["配偶者", "転勤"]),
            (
                LeaveReason::Family,
                &["結婚", "出産", "育児", "家庭", "家族"],
            ),
            (LeaveReason::Study, &["留学", "進学", "学業", "勉強"]),
            (LeaveReason::Health, &["病気", "体調", "健康", "療養"]),
            (LeaveReason::CareerChange, &["転職", "キャリア"]),
            (
                LeaveReason::CompanyReasons,
                &["会社都合", "解雇", "倒産", "整理", "契約満了", "雇止め"],
            ),
        ])
    });
    let s = kaeru_search::fold(s);
    if s.is_empty() {
        return None;
    }
    Some(
        WORDS
            .iter()
            .find(|(_, words)| words.iter().any(|w| s.contains(w.as_str())))
            .map(|(r, _)| *r)
            .unwrap_or_else(|| LeaveReason::parse(&s).unwrap_or(LeaveReason::Other)),
    )
}

/// The header of the column a form field came from, for the problem list.
fn header_of(table: &Table, m: &Mapping, f: Field) -> String {
    m.column_of(f)
        .and_then(|i| table.headers.get(i))
        .cloned()
        .unwrap_or_default()
}

/// Checks every row. Rows repeating an employee number already seen in the file are problems.
pub fn plan(table: &Table, m: &Mapping, today: chrono::NaiveDate) -> ImportPlan {
    // An employee number given twice: the later line names the first. Decided first, in file order, so the
    // rows can then be checked in parallel.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let firsts: Vec<Option<usize>> = table
        .rows
        .iter()
        .map(|(line, cells)| {
            let number = narrow(cell(cells, m, Field::EmployeeNumber));
            if number.is_empty() || number.chars().count() > 40 {
                return None;
            }
            let first = seen.insert(number.clone(), *line)?;
            seen.insert(number, first);
            Some(first)
        })
        .collect();
    // The rows in as many slices as there are cores (up to four), each checked on a thread of its own, the
    // results joined in file order.
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZero::get)
        .unwrap_or(1)
        .clamp(1, 4);
    let per = table.rows.len().div_ceil(threads).max(2_000);
    let parts: Vec<ImportPlan> = std::thread::scope(|s| {
        let handles: Vec<_> = table
            .rows
            .chunks(per)
            .zip(firsts.chunks(per))
            .map(|(rows, firsts)| s.spawn(move || check_rows(table, m, today, rows, firsts)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = ImportPlan::default();
    for p in parts {
        out.rows.extend(p.rows);
        out.problems.extend(p.problems);
        out.rejected += p.rejected;
    }
    out
}

/// Checks a slice of the rows; `firsts` tells, for each, the line that gave its employee number first.
fn check_rows(
    table: &Table,
    m: &Mapping,
    today: chrono::NaiveDate,
    rows: &[(usize, Vec<String>)],
    firsts: &[Option<usize>],
) -> ImportPlan {
    let mut out = ImportPlan::default();
    let problem = |out: &mut ImportPlan, line, f: Option<Field>, p: Invalid| {
        out.problems.push(Problem {
            line,
            column: f.map(|f| header_of(table, m, f)).unwrap_or_default(),
            problem: p,
        });
    };
    for ((line, cells), first) in rows.iter().zip(firsts) {
        let line = *line;
        let before = out.problems.len();
        let mut family = cell(cells, m, Field::FamilyName).to_string();
        let mut given = cell(cells, m, Field::GivenName).to_string();
        if (family.is_empty() || given.is_empty()) && m.column_of(Field::FullName).is_some() {
            let full = cell(cells, m, Field::FullName);
            match split_name(full) {
                Some((a, b)) => (family, given) = (a, b),
                None if full.is_empty() => {}
                None => problem(
                    &mut out,
                    line,
                    Some(Field::FullName),
                    Invalid::new("error.import_name_split").with("value", full),
                ),
            }
        }
        let mut fkana = cell(cells, m, Field::FamilyKana).to_string();
        let mut gkana = cell(cells, m, Field::GivenKana).to_string();
        if (fkana.is_empty() || gkana.is_empty()) && m.column_of(Field::FullKana).is_some() {
            let full = cell(cells, m, Field::FullKana);
            match split_name(full) {
                Some((a, b)) => (fkana, gkana) = (a, b),
                None if full.is_empty() => {}
                None => problem(
                    &mut out,
                    line,
                    Some(Field::FullKana),
                    Invalid::new("error.import_name_split").with("value", full),
                ),
            }
        }
        let mut dates = HashMap::new();
        for f in [Field::BirthDate, Field::HireDate, Field::LeaveDate] {
            match crate::dates::parse(cell(cells, m, f)) {
                Ok(d) => {
                    dates.insert(f, d);
                }
                Err(p) => problem(&mut out, line, Some(f), p),
            }
        }
        let date = |f| {
            dates
                .get(&f)
                .copied()
                .flatten()
                .map(|d: chrono::NaiveDate| d.to_string())
                .unwrap_or_default()
        };
        let number = narrow(cell(cells, m, Field::EmployeeNumber));
        if number.chars().count() > 40 {
            problem(
                &mut out,
                line,
                Some(Field::EmployeeNumber),
                Invalid::new("error.too_long").with("max", 40),
            );
        } else if let Some(first) = *first {
            problem(
                &mut out,
                line,
                Some(Field::EmployeeNumber),
                Invalid::new("error.import_duplicate_number")
                    .with("number", &number)
                    .with("line", first),
            );
        }
        let person_input = PersonInput {
            employee_number: number.clone(),
            family_name: family,
            given_name: given,
            family_kana: fkana,
            given_kana: gkana,
            emails: narrow(cell(cells, m, Field::Email)),
            phone: cell(cells, m, Field::Phone).to_string(),
            prefecture: cell(cells, m, Field::Prefecture).to_string(),
            birth_date: date(Field::BirthDate),
            ..Default::default()
        };
        let person = person_input.parse(today).map_err(|e| {
            report(
                &mut out,
                table,
                m,
                line,
                &e,
                &[
                    ("family_name", Field::FamilyName, Field::FullName),
                    ("given_name", Field::GivenName, Field::FullName),
                    ("family_kana", Field::FamilyKana, Field::FullKana),
                    ("given_kana", Field::GivenKana, Field::FullKana),
                    ("emails", Field::Email, Field::Email),
                    ("phone", Field::Phone, Field::Phone),
                    ("prefecture", Field::Prefecture, Field::Prefecture),
                    ("birth_date", Field::BirthDate, Field::BirthDate),
                    (
                        "employee_number",
                        Field::EmployeeNumber,
                        Field::EmployeeNumber,
                    ),
                ],
            );
        });
        let hire = date(Field::HireDate);
        let leave = date(Field::LeaveDate);
        let stint = if hire.is_empty() && leave.is_empty() {
            None
        } else {
            let raw_type = cell(cells, m, Field::EmploymentType);
            let etype = employment_type(raw_type);
            if !raw_type.is_empty() && etype.is_none() {
                problem(
                    &mut out,
                    line,
                    Some(Field::EmploymentType),
                    Invalid::new("error.import_employment_type").with("value", raw_type),
                );
            }
            let raw_reason = cell(cells, m, Field::LeaveReason);
            let reason = if leave.is_empty() {
                None
            } else {
                leave_reason(raw_reason)
            };
            let input = StintInput {
                start_date: hire,
                end_date: leave,
                department: cell(cells, m, Field::Department).to_string(),
                job_title: cell(cells, m, Field::JobTitle).to_string(),
                employment_type: etype.unwrap_or(EmploymentType::FullTime).code().into(),
                leave_reason: reason.map(|r| r.code().to_string()).unwrap_or_default(),
                leave_reason_detail: if reason.is_some() {
                    raw_reason.to_string()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            input
                .parse(&[])
                .map_err(|e| {
                    report(
                        &mut out,
                        table,
                        m,
                        line,
                        &e,
                        &[
                            ("start_date", Field::HireDate, Field::HireDate),
                            ("end_date", Field::LeaveDate, Field::LeaveDate),
                            ("department", Field::Department, Field::Department),
                            ("job_title", Field::JobTitle, Field::JobTitle),
                            (
                                "leave_reason_detail",
                                Field::LeaveReason,
                                Field::LeaveReason,
                            ),
                        ],
                    );
                })
                .ok()
        };
        if out.problems.len() > before {
            out.rejected += 1;
            continue;
        }
        if let Ok(person) = person {
            out.rows.push(ImportRow {
                line,
                employee_number: person.employee_number.clone(),
                person,
                stint,
            });
        }
    }
    out
}

/// Turns a form's field errors into problems on the columns they came from.
fn report(
    out: &mut ImportPlan,
    table: &Table,
    m: &Mapping,
    line: usize,
    e: &FieldErrors,
    fields: &[(&str, Field, Field)],
) {
    let mut told = false;
    for (name, split, whole) in fields {
        if let Some(p) = e.get(name) {
            let f = if m.column_of(*split).is_some() {
                *split
            } else {
                *whole
            };
            let column = header_of(table, m, f);
            told = true;
            // One problem per cell: a name that could not be split is not also "required".
            // (Problems are in line order: only this line's, at the end, are looked at.)
            if out
                .problems
                .iter()
                .rev()
                .take_while(|x| x.line == line)
                .any(|x| x.column == column)
            {
                continue;
            }
            out.problems.push(Problem {
                line,
                column,
                problem: p.clone(),
            });
        }
    }
    if !told {
        // A rule that is not about one column.
        out.problems.push(Problem {
            line,
            column: String::new(),
            problem: Invalid::new("error.import_row"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Mapping;

    fn table(csv: &str) -> Table {
        crate::table::read(csv.as_bytes()).unwrap()
    }

    #[test]
    fn a_smarthr_like_export_becomes_people_with_their_stints() {
        let t = table(
            "社員番号,姓,名,姓（ヨミガナ）,名（ヨミガナ）,生年月日,入社年月日,退職年月日,退職事由,部署,雇用形態,メールアドレス\n\
             ００１,山田,花子,ヤマダ,ハナコ,1990/4/1,2015/04/01,令和5年3月31日,自己都合（転職）,製造部,正社員,hanako@example.jp\n\
             002,鈴木,一郎,スズキ,イチロウ,,2020-04-01,,,総務部,契約社員,\n",
        );
        let m = Mapping::auto(&t.headers, &HashMap::new());
        let p = plan(
            &t,
            &m,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.rows.len(), 2);
        let a = &p.rows[0];
        assert_eq!(a.employee_number.as_deref(), Some("001"));
        assert_eq!(a.person.family_name, "山田");
        let s = a.stint.as_ref().unwrap();
        assert_eq!(s.end_date.unwrap().to_string(), "2023-03-31");
        assert_eq!(s.leave_reason, Some(LeaveReason::CareerChange));
        assert_eq!(
            p.rows[1].stint.as_ref().unwrap().employment_type,
            EmploymentType::FixedTerm
        );
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let t = table(
            "従業員番号,氏名,フリガナ,退職日\n\
             1,山田 花子,やまだ はなこ,2024年2月30日\n\
             1,佐藤 次郎,さとう じろう,\n\
             2,田中,たなか たろう,\n\
             3,高橋 三郎,Takahashi Saburo,\n",
        );
        let m = Mapping::auto(&t.headers, &HashMap::new());
        let p = plan(
            &t,
            &m,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        let at = |line: usize| -> Vec<(String, &'static str)> {
            p.problems
                .iter()
                .filter(|x| x.line == line)
                .map(|x| (x.column.clone(), x.problem.key))
                .collect()
        };
        assert_eq!(at(2), vec![("退職日".to_string(), "error.import_date")]);
        assert_eq!(
            at(3),
            vec![("従業員番号".to_string(), "error.import_duplicate_number")]
        );
        assert_eq!(at(4), vec![("氏名".to_string(), "error.import_name_split")]);
        assert_eq!(at(5)[0].0, "フリガナ");
        assert_eq!((p.rows.len(), p.rejected), (0, 4));
    }
}
