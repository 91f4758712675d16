//! Imports and exports on SQLite and PostgreSQL: a Shift_JIS export of an HR system with the usual Japanese
//! columns and dates imported, imported again with nothing created, changed rows updated; a file with bad rows
//! writes nothing (or only the valid rows when asked); a binary file is refused; exports read back by
//! independent parsers (Python's csv with cp932, openpyxl, vobject) and by the importer itself.

use kaeru::exchange::{self, ImportOptions};
use kaeru_store::{Actor, db_test};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

async fn company(db: &kaeru_store::Db) -> kaeru_domain::Company {
    let settings = kaeru_domain::CompanySettings {
        name: "さくら精機株式会社".into(),
        time_zone: "Asia/Tokyo".into(),
        default_language: kaeru_domain::Language::Ja,
    };
    let owner = kaeru_store::companies::NewOwner {
        email: "o@sakura.example".into(),
        display_name: "桜井 健一".into(),
        password_hash: "x".into(),
    };
    kaeru_store::companies::create_with_owner(
        db,
        &kaeru_domain::Slug::parse("sakura").unwrap(),
        &settings,
        owner,
    )
    .await
    .unwrap();
    exchange::company(db, Some("sakura")).await.unwrap()
}

fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

const SMARTHR: &str = "社員番号,姓,名,姓（ヨミガナ）,名（ヨミガナ）,生年月日,入社年月日,退職年月日,退職事由,部署,役職,雇用形態,メールアドレス,電話番号\r\n\
ＳＨ－００１,髙橋,花子,タカハシ,ハナコ,平成2年4月1日,2015/04/01,令和5年3月31日,自己都合（転職）,製造部,班長,正社員,hanako@example.jp,０９０－１２３４－５６７８\r\n\
SH-002,山田,太郎,ヤマダ,タロウ,1988-07-07,45017,,,営業部,,契約社員,taro@example.jp,\r\n\
SH-003,佐藤,①子,サトウ,イチコ,,R2.10.1,2024年9月30日,結婚,総務部,,パート,,\r\n";

async fn run(
    db: &kaeru_store::Db,
    c: &kaeru_domain::Company,
    bytes: &[u8],
    opts: ImportOptions,
) -> exchange::ImportReport {
    // The CLI's path: the file read within the limits, then checked and written.
    let table = match exchange::read_file(bytes.to_vec()).await {
        Ok(t) => t,
        Err(e) => {
            return exchange::ImportReport {
                fatal: Some(exchange::file_problem(
                    kaeru_app::Catalog::get(c.default_language),
                    &e,
                )),
                ..Default::default()
            };
        }
    };
    exchange::import_people(
        db,
        c,
        &Actor::system("test"),
        &table,
        opts,
        today(),
        |_, _| {},
    )
    .await
    .unwrap()
}

/// An XLSX whose only cells are A1 and XFD1048576: calamine's `Range` would ask for 512 GiB.
fn corner_cell_xlsx() -> Vec<u8> {
    xlsx_with_sheet(
        r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#,
    )
}

/// A small XLSX whose sheet unpacks to more than 256 MB (a zip bomb).
fn zip_bomb_xlsx() -> Vec<u8> {
    xlsx_with(
        r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row>"#,
        300,
        "sheet1.xml",
    )
}

/// A small XLSX whose shared strings (which a reader holds whole) unpack to 70 MB.
fn shared_strings_bomb_xlsx() -> Vec<u8> {
    xlsx_with(
        r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row></sheetData>"#,
        70,
        "sharedStrings.xml",
    )
}

fn xlsx_with_sheet(sheet_data: &str) -> Vec<u8> {
    xlsx_with(sheet_data, 0, "")
}

/// A minimal workbook; `padding_mb` megabytes of spaces end the entry named `padded`, streamed into the zip.
fn xlsx_with(sheet_data: &str, padding_mb: usize, padded: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/sharedStrings.xml", r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0">"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/>{sheet_data}</worksheet>"#)),
    ];
    for (name, body) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
        if !padded.is_empty() && name.ends_with(padded) {
            let spaces = vec![b' '; 1024 * 1024];
            for _ in 0..padding_mb {
                zip.write_all(&spaces).unwrap();
            }
        }
        if name.ends_with("sharedStrings.xml") {
            zip.write_all(b"</sst>").unwrap();
        }
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// A CSV whose header row has `n` columns.
fn wide_csv(n: usize) -> Vec<u8> {
    let mut s = vec![b'a'; 2 * n];
    for i in (1..2 * n).step_by(2) {
        s[i] = b',';
    }
    s.extend_from_slice(b"\nx\n");
    s
}

db_test!(
    async fn hostile_files_are_refused_naming_the_limit_through_the_cli_path(target) {
        let db = kaeru::open_database(&target).await.unwrap();
        let c = company(&db).await;
        for (bytes, says) in [
            (corner_cell_xlsx(), "取り込める列は200列までです"),
            (zip_bomb_xlsx(), "展開すると256MBを超えます"),
            (shared_strings_bomb_xlsx(), "展開すると64MBを超えます"),
            (wide_csv(1_000_000), "取り込める列は200列までです"),
            (format!("氏名,フリガナ\n{}", "山田 太郎,やまだ たろう\n".repeat(200_001)).into_bytes(), "200000行まで"),
            (format!("氏名,フリガナ\n山田 太郎,{}\n", "や".repeat(10_001)).into_bytes(), "10000文字まで"),
        ] {
            let r = run(&db, &c, &bytes, ImportOptions::default()).await;
            let fatal = r.fatal.unwrap_or_default();
            assert!(fatal.contains(says), "{fatal}");
            assert!(!r.written);
        }
        let scope = kaeru_store::Scope::for_company(c.id);
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 0);
    }
);

db_test!(
    async fn an_hr_export_imports_once_and_updates_on_the_next_file(target) {
        let db = kaeru::open_database(&target).await.unwrap();
        let c = company(&db).await;
        let scope = kaeru_store::Scope::for_company(c.id);

        // A dry run says what would happen and writes nothing.
        let r = run(&db, &c, &sjis(SMARTHR), ImportOptions { dry_run: true, ..Default::default() }).await;
        assert_eq!((r.encoding, r.rows, r.summary.created, r.written), ("Shift_JIS", 3, 3, false), "{:?}", r.problems);
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 0);

        let r = run(&db, &c, &sjis(SMARTHR), ImportOptions::default()).await;
        assert!(r.written && r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!((r.summary.created, r.summary.updated, r.summary.unchanged), (3, 0, 0));
        let (owner, name) = kaeru_store::people::employee_number_owner(&db, &scope, "SH-001", None).await.unwrap().unwrap();
        assert_eq!(name, "髙橋 花子");
        let p = kaeru_store::people::get(&db, &scope, owner).await.unwrap();
        assert_eq!(p.birth_date.unwrap().to_string(), "1990-04-01");
        assert_eq!(p.phone.as_deref(), Some("090-1234-5678"));
        assert_eq!(p.status, kaeru_domain::PersonStatus::Alumnus);
        let s = kaeru_store::stints::for_person(&db, &scope, owner).await.unwrap();
        assert_eq!(s[0].end_date.unwrap().to_string(), "2023-03-31");
        assert_eq!(s[0].leave_reason, Some(kaeru_domain::LeaveReason::CareerChange));
        let (yamada, _) = kaeru_store::people::employee_number_owner(&db, &scope, "SH-002", None).await.unwrap().unwrap();
        let s = kaeru_store::stints::for_person(&db, &scope, yamada).await.unwrap();
        assert_eq!(s[0].start_date.to_string(), "2023-04-01", "Excel serial 45017");
        assert_eq!(kaeru_store::people::get(&db, &scope, yamada).await.unwrap().status, kaeru_domain::PersonStatus::Employee);

        // The same file again: nothing created, nothing changed.
        let r = run(&db, &c, &sjis(SMARTHR), ImportOptions::default()).await;
        assert_eq!((r.summary.created, r.summary.updated, r.summary.unchanged), (0, 0, 3));
        // The next month's file: 山田 left; the UTF-8 version with a BOM.
        let next = SMARTHR.replace("SH-002,山田,太郎,ヤマダ,タロウ,1988-07-07,45017,,,", "SH-002,山田,太郎,ヤマダ,タロウ,1988-07-07,45017,2026/11/15,介護のため,");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(next.as_bytes());
        let r = run(&db, &c, &bom, ImportOptions::default()).await;
        assert_eq!((r.encoding, r.summary.created, r.summary.updated, r.summary.unchanged), ("UTF-8 (BOM)", 0, 1, 2));
        assert_eq!(kaeru_store::people::get(&db, &scope, yamada).await.unwrap().status, kaeru_domain::PersonStatus::Alumnus);
        let s = kaeru_store::stints::for_person(&db, &scope, yamada).await.unwrap();
        assert_eq!(s[0].leave_reason, Some(kaeru_domain::LeaveReason::Caregiving));

        // A new person with someone else's address (a shared family address): that row is a problem, found
        // against the database; nothing is written, or only the other rows when asked.
        let shared = format!("{next}SH-004,髙橋,次郎,タカハシ,ジロウ,,2025/04/01,,,製造部,,正社員,hanako@example.jp,\r\n");
        let r = run(&db, &c, &sjis(&shared), ImportOptions::default()).await;
        assert!(!r.written);
        assert_eq!(r.rejected, 1);
        assert!(r.problems.iter().any(|p| p.contains("5行目「メールアドレス」: メールアドレス hanako@example.jp はすでに別の人に使われています")), "{:?}", r.problems);
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 3);
        let r = run(&db, &c, &sjis(&shared), ImportOptions { only_valid: true, ..Default::default() }).await;
        assert!(r.written);
        assert_eq!((r.summary.created, r.summary.unchanged), (0, 3));

        // A second address for 花子 is added beside the first; a file with either of them changes nothing more
        // (the known addresses are read back one by one).
        let second = next.replace("hanako@example.jp", "hanako.t@example.jp");
        let r = run(&db, &c, &sjis(&second), ImportOptions::default()).await;
        assert_eq!((r.summary.created, r.summary.updated, r.summary.unchanged), (0, 1, 2), "{:?}", r.problems);
        let mut emails = kaeru_store::people::get(&db, &scope, owner).await.unwrap().emails;
        emails.sort();
        assert_eq!(emails, vec!["hanako.t@example.jp".to_string(), "hanako@example.jp".to_string()]);
        for file in [&second, &next] {
            let r = run(&db, &c, &sjis(file), ImportOptions { dry_run: true, ..Default::default() }).await;
            assert_eq!((r.summary.created, r.summary.updated, r.summary.unchanged), (0, 0, 3), "{:?}", r.problems);
        }
    }
);

db_test!(
    async fn a_file_with_bad_rows_writes_nothing_unless_only_the_valid_rows_are_asked_for(target) {
        let db = kaeru::open_database(&target).await.unwrap();
        let c = company(&db).await;
        let scope = kaeru_store::Scope::for_company(c.id);
        let bad = "従業員コード,氏名,フリガナ,入社日,退職日,雇用区分\n\
                   1,山田 花子,やまだ はなこ,2020/4/1,2024年2月30日,正社員\n\
                   2,鈴木 一郎,すずき いちろう,2019/4/1,,正社員\n\
                   2,佐藤 次郎,さとう じろう,2018/4/1,,正社員\n\
                   3,田中,たなか たろう,2018/4/1,,正社員\n\
                   4,=HYPERLINK(\"http://x\"),いこーる,2018/4/1,,社長見習い\n\
                   5,高橋 三郎,たかはし さぶろう,2017/4/1,,パート\n";
        let r = run(&db, &c, bad.as_bytes(), ImportOptions::default()).await;
        assert!(!r.written);
        assert_eq!(r.rejected, 4, "{:?}", r.problems);
        let all = r.problems.join("\n");
        assert!(all.contains("2行目「退職日」: 日付「2024年2月30日」を読み取れません"), "{all}");
        assert!(all.contains("4行目「従業員コード」: 社員番号 2 がファイルの3行目と重複しています"), "{all}");
        assert!(all.contains("5行目「氏名」: 「田中」を姓と名に分けられません"), "{all}");
        assert!(all.contains("6行目「雇用区分」: 雇用形態「社長見習い」がわかりません"), "{all}");
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 0);
        let r = run(&db, &c, bad.as_bytes(), ImportOptions { only_valid: true, ..Default::default() }).await;
        assert!(r.written);
        assert_eq!(r.summary.created, 2);
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 2);

        // Not a spreadsheet at all, or no name columns: a clear message, nothing else.
        let r = run(&db, &c, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", ImportOptions::default()).await;
        assert_eq!(r.fatal.as_deref(), Some("CSVまたはExcel（.xlsx）のファイルではありません。"));
        let r = run(&db, &c, "血液型,趣味\nA,釣り\n".as_bytes(), ImportOptions::default()).await;
        assert!(r.fatal.unwrap().contains("氏名の列"));
        // The user's choice for an unknown column is remembered for the next file.
        exchange::remember(&db, &scope, &[("お名前".into(), kaeru_exchange::Field::FullName), ("ふりがな（全角）".into(), kaeru_exchange::Field::FullKana)]).await.unwrap();
        let r = run(&db, &c, "お名前,ふりがな（全角）\n伊藤 光,いとう ひかる\n".as_bytes(), ImportOptions::default()).await;
        assert_eq!(r.summary.created, 1, "{:?} {:?}", r.fatal, r.problems);
    }
);

db_test!(
    async fn exports_read_back_with_independent_parsers_and_the_importer(target) {
        let db = kaeru::open_database(&target).await.unwrap();
        let c = company(&db).await;
        let scope = kaeru_store::Scope::for_company(c.id);
        run(&db, &c, &sjis(SMARTHR), ImportOptions::default()).await;
        // A formula typed as a department must not run in Excel.
        let (owner, _) = kaeru_store::people::employee_number_owner(&db, &scope, "SH-003", None).await.unwrap().unwrap();
        let s = kaeru_store::stints::for_person(&db, &scope, owner).await.unwrap();
        let mut input = kaeru_domain::StintInput { start_date: s[0].start_date.to_string(), end_date: s[0].end_date.unwrap().to_string(), department: "=1+1".into(), employment_type: "part_time".into(), ..Default::default() };
        input.leave_reason = "family".into();
        let d = input.parse(&[]).unwrap();
        kaeru_store::stints::update(&db, &scope, &Actor::system("test"), s[0].id, &d, today()).await.unwrap();

        let t = kaeru_app::Catalog::get(kaeru_domain::Language::Ja);
        let (sheet, cards) = exchange::people_sheet(&db, &scope, t, &Default::default()).await.unwrap();
        let dir = std::env::temp_dir().join(format!("kaeru-export-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let (csv, xlsx, vcf) = (dir.join("p.csv"), dir.join("p.xlsx"), dir.join("p.vcf"));
        std::fs::write(&csv, kaeru_exchange::export::csv_shift_jis(&sheet).unwrap()).unwrap();
        std::fs::write(&xlsx, kaeru_exchange::export::xlsx(&sheet, "people").unwrap()).unwrap();
        std::fs::write(&vcf, kaeru_exchange::export::vcards(&cards)).unwrap();
        let out = std::process::Command::new(test_python())
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/read_exports.py"))
            .args([&csv, &xlsx, &vcf])
            .output()
            .expect("run tools/read_exports.py");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let csv_rows = v["csv"].as_array().unwrap();
        assert_eq!(csv_rows.len(), 4);
        assert_eq!(csv_rows[0][0], "社員番号");
        let row_of = |rows: &Vec<serde_json::Value>, n: &str| rows.iter().find(|r| r[0] == n).cloned().unwrap();
        let sato = row_of(csv_rows, "SH-003");
        assert_eq!(sato[2], "①子");
        assert_eq!(sato[10], "'=1+1", "formula neutralised in CSV");
        let x = v["xlsx"].as_array().unwrap();
        assert_eq!(row_of(x, "SH-001")[1], "髙橋");
        assert_eq!(row_of(x, "SH-003")[10], "'=1+1", "formula neutralised in XLSX");
        let cards = v["vcards"].as_array().unwrap();
        let hanako = cards.iter().find(|c| c["family"] == "髙橋").unwrap();
        assert_eq!(hanako["fn"], "髙橋 花子");
        assert_eq!(hanako["kana"], "タカハシ ハナコ");
        assert_eq!(hanako["email"], "hanako@example.jp");
        assert!(hanako["tel"].as_str().unwrap().contains("090-1234-5678"));

        // Our own export imports back without creating or changing anyone.
        let r = run(&db, &c, &std::fs::read(&xlsx).unwrap(), ImportOptions::default()).await;
        assert_eq!((r.summary.created, r.summary.updated, r.summary.unchanged), (0, 0, 3), "{:?} {:?}", r.fatal, r.problems);
        std::fs::remove_dir_all(&dir).ok();
    }
);

mod common;
use common::*;
use reqwest::StatusCode;

db_test!(
    async fn the_import_page_checks_maps_and_imports_and_the_list_downloads(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let (_, html) = app.get(&c, "/people/import").await;
        let token = csrf_of(&html);
        let upload = |bytes: Vec<u8>, name: &'static str| {
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token.clone())
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
            c.post(format!("{}/people/import", app.base)).multipart(form).send()
        };
        // Without the CSRF token: refused.
        let r = c.post(format!("{}/people/import", app.base)).multipart(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(sjis(SMARTHR)).file_name("a.csv"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A binary file renamed .csv: refused at once with a clear message, and nothing is kept.
        let r = upload(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "photo.csv").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("CSVまたはExcel（.xlsx）のファイルではありません"));
        // Hostile files are refused naming the limit, and the server keeps answering.
        for (bytes, name, says) in [
            (corner_cell_xlsx(), "corner.xlsx", "列が多すぎます"),
            (zip_bomb_xlsx(), "bomb.xlsx", "展開すると256MBを超えます"),
            (wide_csv(1_000_000), "wide.csv", "200列までです"),
        ] {
            let r = upload(bytes, name).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let page = r.text().await.unwrap();
            assert!(page.contains(says), "{name}: {page}");
            assert!(page.len() < 100_000, "{name}: the page stays small");
        }
        assert_eq!(c.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), StatusCode::OK);

        let r = upload(sjis(SMARTHR), "smarthr.csv").await.unwrap();
        let check = location(&r).to_string();
        let (status, page) = app.get(&c, &check).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Shift_JIS") && page.contains("data-testid=\"import-created\">3<"), "{page}");
        let r = app.post(&c, &check, &format!("{check}/run"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("取り込みました") && page.contains("data-testid=\"import-created\">3<"), "{page}");
        // The upload is gone once imported.
        assert_eq!(app.get(&c, &check).await.0, StatusCode::NOT_FOUND);

        // Downloads honour the list's filter; Shift_JIS refuses what it cannot hold, with a clear message.
        let r = c.get(format!("{}/people/export?format=csv&status=employee", app.base)).send().await.unwrap();
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
        let body = r.bytes().await.unwrap();
        let t = kaeru_exchange::table::read(&body).unwrap();
        assert_eq!(t.rows.len(), 1, "only 山田 is employed");
        assert_eq!(t.rows[0].1[1], "山田");
        let r = c.get(format!("{}/people/export?format=csv_sjis", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = c.get(format!("{}/people/export?format=vcard", app.base)).send().await.unwrap();
        assert!(r.text().await.unwrap().matches("BEGIN:VCARD").count() == 3);

        // Another company sees neither the people nor the upload.
        let settings = kaeru_domain::CompanySettings { name: "B".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja };
        let owner = kaeru_store::companies::NewOwner { email: "b@b.example".into(), display_name: "B".into(), password_hash: kaeru_app::passwords::hash_password("b owner password".into()).await.unwrap() };
        kaeru_store::companies::create_with_owner(&app.db, &kaeru_domain::Slug::parse("company-b").unwrap(), &settings, owner).await.unwrap();
        let b = browser();
        app.post(&b, "/login", "/login", &[("email", "b@b.example"), ("password", "b owner password")]).await;
        let r = upload(sjis(SMARTHR), "again.csv").await.unwrap();
        let again = location(&r).to_string();
        assert_eq!(app.get(&b, &again).await.0, StatusCode::NOT_FOUND);
        let r = b.get(format!("{}/people/export?format=csv", app.base)).send().await.unwrap();
        let t = kaeru_exchange::table::read(&r.bytes().await.unwrap());
        assert!(matches!(t, Err(kaeru_exchange::FileError::NoRows)), "company B has nobody");
    }
);

db_test!(
    async fn an_employee_number_belongs_to_one_person_and_is_typed_in_any_width(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let fields = |family: &'static str, number: &'static str| {
            vec![("family_name", family), ("given_name", "太郎"), ("family_kana", "たかはし"), ("given_kana", "たろう"), ("employee_number", number)]
        };
        let r = app.post(&c, "/people/new", "/people", &fields("高橋", "A-1")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let person = location(&r).to_string();
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains("社員番号") && page.contains("A-1"));
        // The same number in full width is the same number.
        let r = app.post(&c, "/people/new", "/people", &fields("中村", "Ａ－１")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("社員番号 A-1 はすでに 高橋 太郎 さんに使われています") && html.contains("value=\"中村\""), "{html}");
        let r = app.post(&c, "/people/new", "/people", &fields("中村", "A 1!")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("社員番号は英数字と"));
        // Saving the first person again with its own number is fine.
        let r = app.post(&c, &format!("{person}/edit"), &person, &fields("高橋", "A-1")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
);

/// `kaeru import people FILE` against the test's database, its log on stderr.
fn import_command(
    target: &kaeru_store::DatabaseTarget,
    file: &std::path::Path,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kaeru"));
    cmd.arg("import")
        .arg("people")
        .arg(file)
        .env("KAERU_LOG", "info,sqlx=warn,sea_orm=warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    point_at(&mut cmd, target);
    cmd
}

db_test!(
    async fn an_import_killed_while_writing_leaves_nothing_and_a_dry_run_writes_nothing(target) {
        use std::io::BufRead;
        const PEOPLE: usize = 20_000;
        let db = kaeru::open_database(&target).await.unwrap();
        let c = company(&db).await;
        let scope = kaeru_store::Scope::for_company(c.id);
        let dir = std::env::temp_dir().join(format!("kaeru-import-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("people.csv");
        let mut csv = String::from("社員番号,姓,名,姓（ヨミガナ）,名（ヨミガナ）,入社年月日,退職年月日,部署,メールアドレス\r\n");
        for i in 0..PEOPLE {
            let leave = if i % 3 == 0 { "2024/03/31" } else { "" };
            csv.push_str(&format!("K{i:06},𠮷田,社員{i},よしだ,しゃいん,2015/04/01,{leave},製造部,k{i}@example.jp\r\n"));
        }
        std::fs::write(&file, &csv).unwrap();
        let revision = kaeru_store::companies::revision(&db, &scope).await.unwrap();

        // A dry run counts and writes nothing: no person, no audit entry, the same revision.
        let out = import_command(&target, &file).arg("--dry-run").output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(log.contains("import dry run planned"), "{log}");
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 0);
        assert_eq!(kaeru_store::companies::revision(&db, &scope).await.unwrap(), revision);

        // Killed (SIGKILL) once the rows are matched and the writing has begun: nothing of it stays.
        let mut child = import_command(&target, &file).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (seen, writing) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("import rows matched") {
                    let _ = seen.send(());
                }
            }
        });
        writing.recv_timeout(std::time::Duration::from_secs(120)).expect("the import reached its writing");
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
        child.kill().unwrap();
        child.wait().unwrap();
        let db = kaeru::open_database(&target).await.unwrap();
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), 0, "nothing partial");
        assert_eq!(kaeru_store::companies::revision(&db, &scope).await.unwrap(), revision);
        assert!(kaeru_store::people::employee_number_owner(&db, &scope, "K000000", None).await.unwrap().is_none());

        // Run again, it writes everyone once.
        let out = import_command(&target, &file).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(kaeru_store::people::count(&db, &scope).await.unwrap(), PEOPLE as u64);
        let (id, name) = kaeru_store::people::employee_number_owner(&db, &scope, "K019999", None).await.unwrap().unwrap();
        assert_eq!(name, "𠮷田 社員19999");
        assert_eq!(kaeru_store::people::get(&db, &scope, id).await.unwrap().emails, vec!["k19999@example.jp".to_string()]);
        assert!(kaeru_store::companies::revision(&db, &scope).await.unwrap() > revision);
        // And a dry run of the same file finds everyone unchanged.
        let out = import_command(&target, &file).arg("--dry-run").stdout(std::process::Stdio::piped()).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(&format!("変更なし {PEOPLE}人")), "{said}");
        let _ = std::fs::remove_dir_all(&dir);
    }
);
