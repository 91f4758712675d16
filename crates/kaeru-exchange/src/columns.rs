//! Which column holds what: the usual Japanese column names of HR exports (SmartHR, freee人事労務, 弥生給与,
//! ジョブカン, Excel lists) and their variants, recognised whatever the width, script or brackets; the rest are
//! mapped by the user and remembered per company.

use std::collections::HashMap;

kaeru_domain::coded_enum!(
    /// A field of Kaeru a column can fill.
    Field {
        EmployeeNumber = "employee_number",
        FamilyName = "family_name",
        GivenName = "given_name",
        FullName = "full_name",
        FamilyKana = "family_kana",
        GivenKana = "given_kana",
        FullKana = "full_kana",
        BirthDate = "birth_date",
        HireDate = "hire_date",
        LeaveDate = "leave_date",
        LeaveReason = "leave_reason",
        Department = "department",
        JobTitle = "job_title",
        EmploymentType = "employment_type",
        Email = "email",
        Phone = "phone",
        Prefecture = "prefecture",
        /// Read but not stored.
        Ignore = "ignore",
    }
);

/// Header names, folded (see [`fold_header`]), per field.
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::EmployeeNumber,
        &[
            "社員番号",
            "従業員番号",
            "従業員コード",
            "社員コード",
            "社員no",
            "社員id",
            "従業員id",
            "従業員no",
            "個人コード",
            "社員ナンバー",
            "職員番号",
            "employeeid",
            "employeenumber",
            "employeeno",
            "employeecode",
        ],
    ),
    (
        Field::FamilyName,
        &[
            "姓",
            "氏",
            "苗字",
            "名字",
            "姓漢字",
            "氏名姓",
            "lastname",
            "familyname",
            "surname",
        ],
    ),
    (
        Field::GivenName,
        &["名", "名漢字", "氏名名", "firstname", "givenname"],
    ),
    (
        Field::FullName,
        &[
            "氏名",
            "名前",
            "社員名",
            "従業員名",
            "氏名漢字",
            "name",
            "fullname",
        ],
    ),
    (
        Field::FamilyKana,
        &[
            "姓ヨミガナ",
            "姓カナ",
            "姓フリガナ",
            "フリガナ姓",
            "ヨミガナ姓",
            "姓よみ",
            "セイ",
            "姓ふりがな",
            "カナ姓",
            "lastnamekana",
            "familynamekana",
        ],
    ),
    (
        Field::GivenKana,
        &[
            "名ヨミガナ",
            "名カナ",
            "名フリガナ",
            "フリガナ名",
            "ヨミガナ名",
            "名よみ",
            "メイ",
            "名ふりがな",
            "カナ名",
            "firstnamekana",
            "givennamekana",
        ],
    ),
    (
        Field::FullKana,
        &[
            "フリガナ",
            "ヨミガナ",
            "氏名カナ",
            "氏名フリガナ",
            "カナ氏名",
            "氏名ヨミガナ",
            "よみ",
            "カナ",
            "namekana",
        ],
    ),
    (
        Field::BirthDate,
        &["生年月日", "誕生日", "birthdate", "dateofbirth", "birthday"],
    ),
    (
        Field::HireDate,
        &[
            "入社年月日",
            "入社日",
            "入社年月",
            "雇用開始日",
            "採用日",
            "入職日",
            "hiredate",
            "joineddate",
            "startdate",
        ],
    ),
    (
        Field::LeaveDate,
        &[
            "退職年月日",
            "退職日",
            "離職日",
            "退社日",
            "退職予定日",
            "leavedate",
            "terminationdate",
            "enddate",
        ],
    ),
    (
        Field::LeaveReason,
        &[
            "退職事由",
            "退職理由",
            "離職理由",
            "退職区分",
            "leavereason",
            "terminationreason",
        ],
    ),
    (
        Field::Department,
        &[
            "部署",
            "所属",
            "部門",
            "所属部署",
            "部署名",
            "所属部門",
            "department",
        ],
    ),
    (
        Field::JobTitle,
        &[
            "役職",
            "職位",
            "役職名",
            "肩書",
            "jobtitle",
            "title",
            "position",
        ],
    ),
    (
        Field::EmploymentType,
        &[
            "雇用形態",
            "雇用区分",
            "社員区分",
            "従業員区分",
            "雇用種別",
            "employmenttype",
        ],
    ),
    (
        Field::Email,
        &[
            "メールアドレス",
            "メール",
            "eメール",
            "eメールアドレス",
            "個人メールアドレス",
            "私用メールアドレス",
            "連絡先メールアドレス",
            "email",
            "e-mail",
            "mail",
            "emailaddress",
        ],
    ),
    (
        Field::Phone,
        &[
            "電話番号",
            "携帯電話番号",
            "携帯番号",
            "電話",
            "携帯電話",
            "携帯",
            "連絡先電話番号",
            "phone",
            "mobile",
            "phonenumber",
            "tel",
        ],
    ),
    (
        Field::Prefecture,
        &["都道府県", "住所都道府県", "現住所都道府県", "prefecture"],
    ),
    // Columns of Kaeru's own export that an import reads past.
    (
        Field::Ignore,
        &[
            "状態",
            "status",
            "現在の勤務先",
            "currentemployer",
            "退職理由の詳細",
            "leavereasondetail",
        ],
    ),
];

/// A header folded for comparison: width and kana folded, lower case, without spaces, brackets or ・:
/// 「姓（ヨミガナ）」, 「姓(ﾖﾐｶﾞﾅ)」 and 「姓 ヨミガナ」 all become the same.
pub fn fold_header(h: &str) -> String {
    kaeru_search::fold(h)
        .chars()
        .filter(|c| !c.is_whitespace() && !"()[]{}（）［］「」【】・:：_*※".contains(*c))
        .collect()
}

/// The field a header names, if it is one of the known names.
pub fn recognise(header: &str) -> Option<Field> {
    let h = fold_header(header);
    if h.is_empty() {
        return None;
    }
    NAMES
        .iter()
        .find(|(_, names)| names.iter().any(|n| fold_header(n) == h))
        .map(|(f, _)| *f)
}

/// The field of each column, in column order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping(pub Vec<Option<Field>>);

impl Mapping {
    /// Maps each header: the company's saved choices first (keyed by folded header), then the known names.
    /// A field already taken by an earlier column is not given twice.
    pub fn auto(headers: &[String], saved: &HashMap<String, Field>) -> Self {
        let mut used = Vec::new();
        let mut out = Vec::new();
        for h in headers {
            let f = saved
                .get(&fold_header(h))
                .copied()
                .or_else(|| recognise(h))
                .filter(|f| *f == Field::Ignore || !used.contains(f));
            if let Some(f) = f {
                used.push(f);
            }
            out.push(f);
        }
        Self(out)
    }

    pub fn column_of(&self, f: Field) -> Option<usize> {
        self.0.iter().position(|x| *x == Some(f))
    }

    /// Columns neither recognised nor chosen by the user.
    pub fn unmapped(&self) -> Vec<usize> {
        (0..self.0.len()).filter(|i| self.0[*i].is_none()).collect()
    }

    /// What is missing for a row to name a person: a name (split or in one column) and a reading.
    pub fn missing(&self) -> Vec<&'static str> {
        let has = |f| self.column_of(f).is_some();
        let mut out = Vec::new();
        if !(has(Field::FullName) || (has(Field::FamilyName) && has(Field::GivenName))) {
            out.push("error.import_needs_name");
        }
        if !(has(Field::FullKana) || (has(Field::FamilyKana) && has(Field::GivenKana))) {
            out.push("error.import_needs_kana");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_column_names_and_their_variants_are_recognised() {
        for (h, f) in [
            ("社員番号", Field::EmployeeNumber),
            ("従業員コード", Field::EmployeeNumber),
            ("姓", Field::FamilyName),
            ("姓（ヨミガナ）", Field::FamilyKana),
            ("姓(ﾖﾐｶﾞﾅ)", Field::FamilyKana),
            ("フリガナ(姓)", Field::FamilyKana),
            ("名カナ", Field::GivenKana),
            ("氏名", Field::FullName),
            ("入社年月日", Field::HireDate),
            ("退職日", Field::LeaveDate),
            ("退職事由", Field::LeaveReason),
            ("所属", Field::Department),
            ("携帯電話番号", Field::Phone),
            ("Ｅメール", Field::Email),
            ("E-mail", Field::Email),
        ] {
            assert_eq!(recognise(h), Some(f), "{h}");
        }
        assert_eq!(recognise("血液型"), None);
    }

    #[test]
    fn saved_choices_come_first_and_a_field_is_not_given_twice() {
        let headers: Vec<String> = ["氏名", "名前", "個人番号", "カナ氏名"]
            .map(String::from)
            .to_vec();
        let mut saved = HashMap::new();
        saved.insert(fold_header("個人番号"), Field::EmployeeNumber);
        let m = Mapping::auto(&headers, &saved);
        assert_eq!(
            m.0,
            vec![
                Some(Field::FullName),
                None,
                Some(Field::EmployeeNumber),
                Some(Field::FullKana)
            ]
        );
        assert_eq!(m.unmapped(), vec![1]);
        assert!(m.missing().is_empty());
        assert_eq!(
            Mapping(vec![Some(Field::FullName)]).missing(),
            vec!["error.import_needs_kana"]
        );
    }
}
