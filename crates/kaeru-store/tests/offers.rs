//! Return offers on both backends: one standing offer per person, the lifecycle, expiry, missions, reminders.

mod common;
use chrono::{Duration, NaiveDate};
use common::{company, open};
use kaeru_domain::offer::{CheckInDraft, MissionDraft};
use kaeru_domain::{
    EmploymentType, OfferAction, OfferDraft, OfferPolicy, OfferStatus, OfferTerm, PersonDraft,
    StintDraft,
};
use kaeru_store::offers::{self, Reminder, TransitionError};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError, db_test, people, stints};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn leaver(db: &Db, scope: &Scope) -> kaeru_domain::PersonId {
    let actor = Actor::system("test");
    let draft = PersonDraft {
        employee_number: None,
        family_name: "佐藤".into(),
        given_name: "美咲".into(),
        family_kana: kaeru_domain::person::Kana::parse("さとう", 50).unwrap(),
        given_kana: kaeru_domain::person::Kana::parse("みさき", 50).unwrap(),
        romaji_name: None,
        emails: vec![],
        phone: None,
        line_id: None,
        facebook_url: None,
        linkedin_url: None,
        prefecture: None,
        city: None,
        birth_date: None,
        notes: None,
    };
    let p = people::create(db, scope, &actor, &draft).await.unwrap();
    let stint = StintDraft {
        start_date: d("2018-04-01"),
        end_date: Some(d("2026-03-31")),
        department: Some("営業".into()),
        job_title: None,
        employment_type: EmploymentType::FullTime,
        leave_reason: None,
        leave_reason_detail: None,
        exit_interview_notes: None,
        rehire_eligibility: None,
        rehire_reason: None,
    };
    stints::create(db, scope, &actor, p.id, &stint, d("2026-11-29"))
        .await
        .unwrap();
    p.id
}

fn offer(from: &str, until: &str) -> OfferDraft {
    OfferDraft {
        valid_from: d(from),
        valid_until: d(until),
        terms: vec![OfferTerm::PriorityInterview, OfferTerm::SalaryFloor],
        salary_floor_yen: Some(3_600_000),
        terms_note: None,
        signer_name: "桜井 健一".into(),
        signer_title: Some("代表取締役".into()),
        override_reason: None,
    }
}

db_test!(
    async fn one_standing_offer_per_person_and_the_lifecycle(target) {
        let db = open(target).await;
        let c = company(&db, "offers").await;
        let other = company(&db, "other").await;
        let actor = Actor::system("test");
        let today = d("2026-11-29");
        let p = leaver(&db, &c).await;
        let o = offers::create(&db, &c, &actor, p, &offer("2026-03-31", "2029-03-31"), today).await.unwrap();
        assert_eq!(o.number, "RO-2026-0001");
        assert_eq!(o.status, OfferStatus::Draft);
        assert!(matches!(offers::create(&db, &c, &actor, p, &offer("2026-03-31", "2029-03-31"), today).await, Err(StoreError::Conflict(Clash::ActiveOffer))));
        assert!(matches!(offers::get(&db, &other, o.id).await, Err(StoreError::NotFound)));
        assert!(matches!(offers::transition(&db, &other, &actor, o.id, OfferAction::Issue, None, today).await, Err(TransitionError::Store(StoreError::NotFound))));
        let issued = offers::transition(&db, &c, &actor, o.id, OfferAction::Issue, None, today).await.unwrap();
        assert_eq!((issued.status, issued.issued_on), (OfferStatus::Issued, Some(today)));
        assert!(matches!(offers::update_draft(&db, &c, &actor, o.id, &offer("2026-03-31", "2030-03-31")).await, Err(StoreError::Conflict(Clash::StatusChanged))));
        assert!(matches!(offers::transition(&db, &c, &actor, o.id, OfferAction::Issue, None, today).await, Err(TransitionError::Refused(_))));
        let acked = offers::transition(&db, &c, &actor, o.id, OfferAction::Acknowledge, None, today).await.unwrap();
        assert!(acked.acknowledged_at.is_some());
        let declined = offers::transition(&db, &c, &actor, o.id, OfferAction::Decline, Some("地元の会社に就職が決まったため".into()), today).await.unwrap();
        assert_eq!(declined.status, OfferStatus::Declined);
        assert_eq!(declined.status_reason.as_deref(), Some("地元の会社に就職が決まったため"));
        // Once it no longer stands, a new offer may be made; numbers keep counting.
        let second = offers::create(&db, &c, &actor, p, &offer("2026-03-31", "2029-03-31"), today).await.unwrap();
        assert_eq!(second.number, "RO-2026-0002");
        assert_eq!(offers::for_person(&db, &c, p).await.unwrap().len(), 2);
        let log = kaeru_store::audit::for_person(&db, &c, p, 50).await.unwrap();
        assert!(log.iter().any(|a| a.action == "offer.decline"));
        // The policy: defaults first, then what the owner saved.
        assert_eq!(offers::policy(&db, &c).await.unwrap(), OfferPolicy::default());
        let policy = OfferPolicy { window_years: 5, default_terms: vec![OfferTerm::ProbationWaived], show_wareki: false, welcome_declaration: "おかえりなさい".into(), ..OfferPolicy::default() };
        offers::set_policy(&db, &c, &actor, &policy).await.unwrap();
        assert_eq!(offers::policy(&db, &c).await.unwrap(), policy);
        assert_eq!(offers::policy(&db, &other).await.unwrap(), OfferPolicy::default());
    }
);

db_test!(
    async fn expiry_missions_and_reminders(target) {
        let db = open(target).await;
        let c = company(&db, "reminders").await;
        let actor = Actor::system("test");
        let today = d("2026-11-29");
        let p = leaver(&db, &c).await;
        let o = offers::create(&db, &c, &actor, p, &offer("2026-03-31", "2027-01-31"), today).await.unwrap();
        offers::transition(&db, &c, &actor, o.id, OfferAction::Issue, None, d("2026-11-01")).await.unwrap();
        let m = offers::add_mission(&db, &c, &actor, o.id, &MissionDraft { skill: "デジタルマーケティング".into(), target_level: 3, reason: Some("自社に経験者がいない".into()), check_in_every_days: 30 }).await.unwrap();
        offers::backdate_mission(&db, &c, m.id, chrono::Utc::now() - Duration::days(100)).await.unwrap();
        let kinds = |rs: &[Reminder]| rs.iter().map(|r| match r { Reminder::ExpiringSoon { .. } => "expiring", Reminder::CheckInOverdue { .. } => "checkin", Reminder::NotAcknowledged { .. } => "unacknowledged" }).collect::<Vec<_>>();
        let now_today = chrono::Utc::now().date_naive();
        let rs = offers::reminders(&db, &c, now_today.max(today)).await.unwrap();
        assert!(kinds(&rs).contains(&"checkin"), "{rs:?}");
        let rs = offers::reminders(&db, &c, today).await.unwrap();
        assert!(kinds(&rs).contains(&"expiring") && kinds(&rs).contains(&"unacknowledged"), "{rs:?}");
        // A check-in clears the overdue reminder; acknowledging clears the other.
        offers::add_check_in(&db, &c, &actor, m.id, &CheckInDraft { on_date: now_today, activity: "Web広告の運用を担当".into(), assessed_level: Some(2) }).await.unwrap();
        offers::transition(&db, &c, &actor, o.id, OfferAction::Acknowledge, None, today).await.unwrap();
        let rs = offers::reminders(&db, &c, today).await.unwrap();
        assert_eq!(kinds(&rs), ["expiring"]);
        let ms = offers::missions(&db, &c, o.id).await.unwrap();
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].check_ins[0].assessed_level, Some(2));
        // The window passes: the daily job expires the offer and its reminders go.
        assert_eq!(offers::expire_passed(&db, &c, d("2027-02-01")).await.unwrap(), 1);
        assert_eq!(offers::get(&db, &c, o.id).await.unwrap().status, OfferStatus::Expired);
        assert!(offers::reminders(&db, &c, d("2027-02-01")).await.unwrap().is_empty());
        assert!(matches!(offers::add_mission(&db, &c, &actor, o.id, &MissionDraft { skill: "x".into(), target_level: 1, reason: None, check_in_every_days: 30 }).await, Err(StoreError::Conflict(Clash::StatusChanged))));
    }
);

db_test!(
    async fn a_comeback_ends_in_a_new_stint_and_an_exercised_offer(target) {
        use kaeru_domain::{ComebackMove, ComebackStage, PersonStatus};
        use kaeru_store::comebacks;
        let db = open(target).await;
        let c = company(&db, "comeback").await;
        let other = company(&db, "elsewhere").await;
        let actor = Actor::system("test");
        let today = d("2026-11-29");
        let p = leaver(&db, &c).await;
        let o = offers::create(&db, &c, &actor, p, &offer("2026-03-31", "2029-03-31"), today).await.unwrap();
        offers::transition(&db, &c, &actor, o.id, OfferAction::Issue, None, today).await.unwrap();
        let cb = comebacks::open(&db, &c, &actor, p, Some("居酒屋で再会".into()), today).await.unwrap();
        assert_eq!(cb.offer_id, Some(o.id));
        assert!(matches!(comebacks::open(&db, &c, &actor, p, None, today).await, Err(StoreError::Conflict(Clash::OpenComeback))));
        assert!(matches!(comebacks::get(&db, &other, cb.id).await, Err(StoreError::NotFound)));
        comebacks::move_to(&db, &c, &actor, cb.id, &ComebackMove::To(ComebackStage::Interview), today).await.unwrap();
        let back = ComebackMove::Returned {
            start_date: d("2027-01-04"),
            department: Some("営業".into()),
            job_title: Some("マーケティング担当".into()),
            employment_type: EmploymentType::FullTime,
            skills_gained: Some("デジタルマーケティング、提案営業".into()),
        };
        let done = comebacks::move_to(&db, &c, &actor, cb.id, &back, d("2027-01-04")).await.unwrap();
        assert_eq!(done.stage, ComebackStage::Returned);
        assert_eq!(done.days_away, Some(279));
        assert_eq!(people::get(&db, &c, p).await.unwrap().status, PersonStatus::Returner);
        assert_eq!(stints::for_person(&db, &c, p).await.unwrap().len(), 2);
        assert_eq!(offers::get(&db, &c, o.id).await.unwrap().status, OfferStatus::Exercised);
        // A finished comeback does not move again.
        assert!(matches!(comebacks::move_to(&db, &c, &actor, cb.id, &ComebackMove::To(ComebackStage::Interview), today).await, Err(TransitionError::Refused(_))));
        let list = comebacks::list(&db, &c).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].offer_number.as_deref(), Some("RO-2026-0001"));
        assert!(comebacks::list(&db, &other).await.unwrap().is_empty());
    }
);
