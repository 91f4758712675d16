//! The people list (五十音順, filtered, paginated), the person page with its timeline, and the person forms.

mod profile;
mod stints;

use super::{label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaeru_app::Failure;
use kaeru_domain::person::{PREFECTURES, PersonInput};
use kaeru_domain::{
    EmploymentStint, FieldErrors, Invalid, Permission, Person, PersonId, PersonStatus,
};
use kaeru_store::audit;
use kaeru_store::people::{self, PeopleFilter};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(profile::router())
        .merge(stints::router())
        .route("/people", get(list).post(create))
        .route("/people/new", get(new_form))
        .route("/people/{id}", get(show).post(update))
        .route("/people/{id}/edit", get(edit_form))
}

const PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    department: String,
    left: String,
    page: String,
    /// The last person of the page before (the next-page link), so the page is read through the index.
    after: String,
}

/// A line of the list, borrowing from the page read (the list is rendered 10,000 times a second at 100,000
/// people: nothing per row is formatted or looked up that can be done once a page).
pub struct Row<'a> {
    id: PersonId,
    name: String,
    kana: String,
    status_code: &'static str,
    status_label: &'static str,
    department: &'a str,
    job_title: &'a str,
    left_on: String,
}

#[derive(Template)]
#[template(path = "people_list.html")]
struct ListPage<'a> {
    s: Shell,
    rows: Vec<Row<'a>>,
    total: u64,
    page: u64,
    pages: u64,
    prev_link: String,
    next_link: String,
    statuses: Vec<(&'static str, &'static str)>,
    departments: Vec<String>,
    /// Each year with its label and whether it is the one chosen.
    years: Vec<(i32, String, bool)>,
    filter_status: String,
    filter_department: String,
    filtered: bool,
    /// The list's filters as a query string, for the downloads.
    export_query: String,
}

fn link(q: &ListQuery, page: u64) -> String {
    let enc = |s: &str| url_encode(s);
    format!(
        "/people?status={}&department={}&left={}&page={page}",
        enc(&q.status),
        enc(&q.department),
        enc(&q.left)
    )
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let filter = PeopleFilter {
        status: PersonStatus::parse(&q.status),
        department: Some(q.department.trim().to_string()).filter(|d| !d.is_empty()),
        left_in_year: q.left.trim().parse().ok(),
    };
    let page_no = q.page.trim().parse::<u64>().unwrap_or(1).clamp(1, 100_000);
    let after = q.after.trim().parse::<uuid::Uuid>().ok().map(PersonId);
    let view = kaeru_app::people::list(
        &state.db,
        &state.search.lists,
        signed.scope(),
        Some(signed.info.revision),
        &filter,
        page_no,
        PER_PAGE,
        after,
    )
    .await?;
    let page = view.page;
    let s = Shell::signed(&signed, Section::People, "/people");
    let status_labels: Vec<(PersonStatus, &'static str)> = PersonStatus::ALL
        .iter()
        .map(|st| (*st, s.t(&format!("status.{}", st.code()))))
        .collect();
    let rows = page
        .items
        .iter()
        .map(|item| Row {
            id: item.id,
            name: [item.family_name.as_str(), " ", &item.given_name].concat(),
            kana: [item.family_kana.as_str(), " ", &item.given_kana].concat(),
            status_code: item.status.code(),
            status_label: status_labels
                .iter()
                .find(|(st, _)| *st == item.status)
                .map_or("", |(_, l)| *l),
            department: item.latest_department.as_deref().unwrap_or_default(),
            job_title: item.latest_job_title.as_deref().unwrap_or_default(),
            left_on: s.opt_date(&item.last_left_on),
        })
        .collect();
    let statuses = status_labels
        .iter()
        .map(|(st, l)| (st.code(), *l))
        .collect();
    let years = view
        .years
        .iter()
        .map(|y| {
            (
                *y,
                s.tf("people.year", "year", y),
                filter.left_in_year == Some(*y),
            )
        })
        .collect();
    let tpl = ListPage {
        rows,
        total: page.total,
        page: page.page,
        pages: page.pages(),
        prev_link: link(&q, page.page.saturating_sub(1)),
        next_link: match page.items.last() {
            Some(last) => format!("{}&after={}", link(&q, page.page + 1), last.id),
            None => link(&q, page.page + 1),
        },
        statuses,
        departments: view.departments,
        years,
        filter_status: filter
            .status
            .map(|s| s.code().to_string())
            .unwrap_or_default(),
        filter_department: filter.department.clone().unwrap_or_default(),
        filtered: filter.status.is_some()
            || filter.department.is_some()
            || filter.left_in_year.is_some(),
        export_query: format!(
            "status={}&department={}&left={}",
            url_encode(&q.status),
            url_encode(&q.department),
            url_encode(&q.left)
        ),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    s: Shell,
    title: String,
    action: String,
    submit: String,
    cancel: String,
    form: PersonInput,
    errors: FormErrors,
    prefectures: &'static [&'static str],
    /// Records that may be the same person as the one being added: (link, name, reading, status).
    duplicates: Vec<(String, String, String, String)>,
    /// Whether the user may go on and add a new record anyway (no address clashes).
    can_confirm_new: bool,
}

fn form_page(
    signed: &Signed,
    existing: Option<PersonId>,
    form: PersonInput,
    errors: FormErrors,
) -> FormPage {
    let s = Shell::signed(signed, Section::People, "/people");
    let (title, action, submit, cancel) = match existing {
        None => (
            s.t("person.new_title"),
            "/people".to_string(),
            s.t("person.create"),
            "/people".to_string(),
        ),
        Some(id) => (
            s.t("person.edit_title"),
            format!("/people/{id}"),
            s.t("common.save"),
            format!("/people/{id}"),
        ),
    };
    FormPage {
        title: title.into(),
        action,
        submit: submit.into(),
        cancel,
        form,
        errors,
        prefectures: &PREFECTURES,
        duplicates: Vec::new(),
        can_confirm_new: false,
        s,
    }
}

async fn new_form(signed: Signed) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    Ok(render(&form_page(
        &signed,
        None,
        PersonInput::default(),
        FormErrors::none(),
    ))?
    .into_response())
}

fn rerender(
    signed: &Signed,
    existing: Option<PersonId>,
    input: PersonInput,
    e: &FieldErrors,
) -> AppResult<Response> {
    let errors = FormErrors::from(e, crate::i18n::Catalog::get(signed.lang));
    tracing::info!(fields = ?e.0.keys().collect::<Vec<_>>(), "person form refused");
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        render(&form_page(signed, existing, input, errors))?,
    )
        .into_response())
}

/// Shared by create and update: check, save, or show the form again with what was typed.
async fn save(
    state: &AppState,
    signed: &Signed,
    existing: Option<PersonId>,
    input: PersonInput,
) -> AppResult<Response> {
    let saved = kaeru_app::people::save(
        &state.db,
        signed.scope(),
        &signed.actor(),
        signed.today(),
        &input,
        existing,
    )
    .await;
    match saved {
        Ok(p) => Ok(redirect_with_flash(
            &format!("/people/{}", p.id),
            if existing.is_some() {
                "flash.saved"
            } else {
                "flash.person_created"
            },
        )),
        Err(Failure::Invalid(e)) => rerender(signed, existing, input, &e),
        Err(other) => Err(other.into()),
    }
}

/// The new-person form: the person, and whether the user confirmed it is someone new after seeing
/// possible duplicates.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewPersonForm {
    #[serde(flatten)]
    person: PersonInput,
    /// 「別の人として登録する」
    confirm_new: String,
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<NewPersonForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let NewPersonForm {
        person: input,
        confirm_new,
    } = posted.fields;
    // Someone with the same name and reading, or one of the addresses, may already be here (an alumna
    // registered years ago): show them and let the user open that record, or say this is someone new.
    if let Ok(draft) = input.parse(signed.today()) {
        let dups = people::possible_duplicates(&state.db, signed.scope(), &draft).await?;
        let address_clash = !people::emails_taken(&state.db, signed.scope(), &draft.emails, None)
            .await?
            .is_empty();
        if !dups.is_empty() && (confirm_new.is_empty() || address_clash) {
            let t = crate::i18n::Catalog::get(signed.lang);
            let mut errors = FieldErrors::new();
            if address_clash {
                errors.add(
                    "emails",
                    Invalid::new("error.email_taken").with(
                        "email",
                        draft
                            .emails
                            .iter()
                            .map(kaeru_domain::validation::EmailAddress::as_str)
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                );
            }
            let mut page = form_page(&signed, None, input, FormErrors::from(&errors, t));
            page.can_confirm_new = !address_clash;
            page.duplicates = dups
                .into_iter()
                .map(|d| {
                    (
                        format!("/people/{}", d.id),
                        d.name,
                        d.kana,
                        label(t, "status", d.status.code()),
                    )
                })
                .collect();
            tracing::info!(
                found = page.duplicates.len(),
                "possible duplicate shown before adding a person"
            );
            return Ok((axum::http::StatusCode::CONFLICT, render(&page)?).into_response());
        }
    }
    save(&state, &signed, None, input).await
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let person = people::get(&state.db, signed.scope(), id).await?;
    Ok(render(&form_page(
        &signed,
        Some(id),
        PersonInput::from_person(&person),
        FormErrors::none(),
    ))?
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<PersonInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    // Not found (or another company's) before anything else.
    people::get(&state.db, signed.scope(), id).await?;
    save(&state, &signed, Some(id), posted.fields).await
}

pub struct Contact {
    label: String,
    value: String,
    href: String,
    external: bool,
}

pub struct TimelineItem {
    is_gap: bool,
    id: String,
    period: String,
    length: String,
    headline: String,
    employment_type: String,
    facts: Vec<(String, String)>,
}

pub struct AuditRow {
    when: String,
    who: String,
    what: String,
    fields: String,
}

#[derive(Template)]
#[template(path = "person_show.html")]
struct ShowPage {
    s: Shell,
    id: PersonId,
    name: String,
    kana: String,
    romaji: String,
    status_code: &'static str,
    status_label: String,
    contacts: Vec<Contact>,
    timeline: Vec<TimelineItem>,
    other_facts: Vec<(String, String)>,
    audit: Vec<AuditRow>,
    offers: Vec<OfferRow>,
    can_offer: bool,
    comebacks: Vec<(kaeru_domain::ComebackId, String, String)>,
    /// Interests and applications for openings (owner and HR only): (opening id, title, kind, when).
    responses: Vec<(kaeru_domain::OpeningId, String, String, String)>,
    can_open_comeback: bool,
    panel: profile::PersonPanel,
    portal: super::privacy::PortalPanel,
    contact: super::touchpoints::TouchpointPanel,
    contributions: Vec<super::network::ContributionRow>,
    engagements: Vec<super::engagements::EngagementRow>,
    ventures: Vec<super::ventures::VentureRow>,
    side_jobs: Vec<super::side_jobs::SideJobRow>,
    /// Employed now, so side jobs can be applied for.
    can_apply_side_job: bool,
    /// The user may edit people and this record was not erased: the page offers changes.
    editable: bool,
}

pub struct OfferRow {
    id: kaeru_domain::OfferId,
    number: String,
    status_code: &'static str,
    status_label: String,
    window: String,
}

fn duration(s: &Shell, months: u32) -> String {
    let (y, m) = (months / 12, months % 12);
    match (y, m) {
        (0, m) => s.tf("common.months", "m", m),
        (y, 0) => s.tf("common.years", "y", y),
        (y, m) => s.t.format(
            "common.years_months",
            &[("y", y.to_string()), ("m", m.to_string())],
        ),
    }
}

fn contacts(s: &Shell, p: &Person) -> Vec<Contact> {
    let mut out = Vec::new();
    for e in &p.emails {
        out.push(Contact {
            label: s.t("person.email").into(),
            value: e.clone(),
            href: format!("mailto:{e}"),
            external: false,
        });
    }
    if let Some(phone) = &p.phone {
        let tel: String = phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        out.push(Contact {
            label: s.t("person.phone").into(),
            value: phone.clone(),
            href: format!("tel:{tel}"),
            external: false,
        });
    }
    if let Some(line) = &p.line_id {
        let id: String = line
            .trim_start_matches('@')
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
            .collect();
        let href = if id.is_empty() {
            String::new()
        } else {
            format!("https://line.me/R/ti/p/~{id}")
        };
        out.push(Contact {
            label: s.t("person.line_id").into(),
            value: line.clone(),
            href,
            external: true,
        });
    }
    if let Some(u) = &p.facebook_url {
        out.push(Contact {
            label: "Facebook".into(),
            value: u.clone(),
            href: u.clone(),
            external: true,
        });
    }
    if let Some(u) = &p.linkedin_url {
        out.push(Contact {
            label: "LinkedIn".into(),
            value: u.clone(),
            href: u.clone(),
            external: true,
        });
    }
    let place: String = [p.prefecture.clone(), p.city.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        out.push(Contact {
            label: s.t("person.place").into(),
            value: place,
            href: String::new(),
            external: false,
        });
    }
    out
}

fn timeline(
    s: &Shell,
    stints: &[EmploymentStint],
    today: chrono::NaiveDate,
    see_reason: bool,
) -> Vec<TimelineItem> {
    let mut out = Vec::new();
    let mut previous_end: Option<chrono::NaiveDate> = None;
    for st in stints {
        if let Some(end) = previous_end
            && st.start_date > end
        {
            let gap = EmploymentStint {
                start_date: end,
                end_date: Some(st.start_date),
                ..st.clone()
            };
            out.push(TimelineItem {
                is_gap: true,
                id: String::new(),
                period: s.tf("person.time_away", "d", duration(s, gap.months(today))),
                length: String::new(),
                headline: String::new(),
                employment_type: String::new(),
                facts: Vec::new(),
            });
        }
        previous_end = st.end_date;
        let end = match st.end_date {
            Some(e) if e > today => format!("{} ({})", s.date(&e), s.t("stint.planned")),
            Some(e) => s.date(&e),
            None => s.t("stint.present").to_string(),
        };
        let headline = [st.department.clone(), st.job_title.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        let mut facts = Vec::new();
        if let Some(r) = st.leave_reason {
            let mut v = label(s.t, "leave", r.code());
            if let Some(d) = &st.leave_reason_detail {
                v = format!("{v}: {d}");
            }
            facts.push((s.t("stint.leave_reason").to_string(), v));
        } else if let Some(d) = &st.leave_reason_detail {
            facts.push((s.t("stint.leave_reason_detail").to_string(), d.clone()));
        }
        if let Some(n) = &st.exit_interview_notes {
            facts.push((s.t("stint.exit_interview_notes").to_string(), n.clone()));
        }
        if let Some(r) = st.rehire_eligibility {
            facts.push((
                s.t("stint.rehire_eligibility").to_string(),
                label(s.t, "rehire", r.code()),
            ));
        }
        if see_reason && let Some(reason) = &st.rehire_reason {
            facts.push((s.t("stint.rehire_reason").to_string(), reason.clone()));
        }
        out.push(TimelineItem {
            is_gap: false,
            id: st.id.to_string(),
            period: format!("{} – {}", s.date(&st.start_date), end),
            length: duration(s, st.months(today)),
            headline: if headline.is_empty() {
                s.t("stint.no_department").into()
            } else {
                headline
            },
            employment_type: label(s.t, "employment", st.employment_type.code()),
            facts,
        });
    }
    out
}

fn audit_rows(s: &Shell, entries: &[kaeru_store::AuditEntry]) -> Vec<AuditRow> {
    entries
        .iter()
        .map(|a| {
            let fields = a
                .changes
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| {
                            !v.is_null()
                                && v.as_str() != Some("")
                                && v.as_array().is_none_or(|x| !x.is_empty())
                        })
                        .map(|(k, _)| {
                            let key = format!("audit.field.{k}");
                            let l = s.t.t(&key);
                            if l == key { k.clone() } else { l.to_string() }
                        })
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default();
            AuditRow {
                when: s.datetime(&a.at),
                who: a.actor_name.clone(),
                what: label(s.t, "audit.action", &a.action.replace('.', "_")),
                fields,
            }
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let person = people::get(&state.db, signed.scope(), id).await?;
    let stints = kaeru_store::stints::for_person(&state.db, signed.scope(), id).await?;
    let mut entries = audit::for_person(&state.db, signed.scope(), id, 50).await?;
    // A quiet interest is for the owner and HR only.
    if !signed.can(Permission::SeeInterest) {
        entries.retain(|a| !a.action.starts_with("interest."));
    }
    let person_comebacks =
        kaeru_store::comebacks::for_person(&state.db, signed.scope(), id).await?;
    let responses = if signed.can(Permission::SeeInterest) {
        let titles: std::collections::HashMap<kaeru_domain::OpeningId, String> =
            kaeru_store::openings::list(&state.db, signed.scope(), None)
                .await?
                .into_iter()
                .map(|o| (o.id, o.title))
                .collect();
        kaeru_store::job_board::for_person(&state.db, signed.scope(), id)
            .await?
            .into_iter()
            .filter(|r| !r.withdrawn)
            .map(|r| {
                let title = titles.get(&r.opening_id).cloned().unwrap_or_default();
                (r.opening_id, title, r.kind, r.updated_at)
            })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let person_offers = kaeru_store::offers::for_person(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(&signed, Section::People, &format!("/people/{id}"));
    let mut other_facts = Vec::new();
    if let Some(n) = &person.employee_number {
        other_facts.push((s.t("person.employee_number").to_string(), n.clone()));
    }
    if let Some(b) = person.birth_date {
        other_facts.push((s.t("person.birth_date").to_string(), s.date(&b)));
    }
    if let Some(n) = &person.notes {
        other_facts.push((s.t("person.notes").to_string(), n.clone()));
    }
    other_facts.push((
        s.t("person.updated_at").to_string(),
        s.datetime(&person.updated_at),
    ));
    let panel = profile::person_panel(&state, &signed, &s, id).await?;
    let portal = super::privacy::portal_panel(&state, &signed, &s, id).await?;
    let contact = super::touchpoints::panel(&state, &signed, &s, id).await?;
    let contributions = super::network::panel(&state, &signed, &s, id).await?;
    let engagements = super::engagements::panel(&state, &signed, &s, id).await?;
    let ventures = super::ventures::panel(&state, &signed, &s, id).await?;
    let side_jobs = super::side_jobs::panel(&state, &signed, &s, id).await?;
    // An erased record is kept only for statistics: nothing about it can be changed, so nothing is offered.
    let live = !portal.erased;
    let tpl = ShowPage {
        editable: live && signed.can(Permission::EditPeople),
        engagements,
        ventures,
        side_jobs,
        can_apply_side_job: live
            && signed.can(Permission::ApplySideJob)
            && matches!(
                person.status,
                kaeru_domain::PersonStatus::Employee | kaeru_domain::PersonStatus::Returner
            ),
        contributions,
        panel,
        portal,
        contact,
        id,
        name: person.full_name(),
        kana: person.full_kana(),
        romaji: person.romaji_name.clone().unwrap_or_default(),
        status_code: person.status.code(),
        status_label: label(s.t, "status", person.status.code()),
        contacts: contacts(&s, &person),
        timeline: timeline(
            &s,
            &stints,
            signed.today(),
            signed.can(Permission::SeeRehireReason),
        ),
        other_facts,
        audit: audit_rows(&s, &entries),
        can_open_comeback: live
            && signed.can(Permission::ManageOffers)
            && person.status != kaeru_domain::PersonStatus::Employee
            && person.status != kaeru_domain::PersonStatus::Returner
            && !person_comebacks.iter().any(|c| c.stage.is_open()),
        responses: responses
            .into_iter()
            .map(|(o, title, k, at)| {
                (
                    o,
                    title,
                    label(s.t, "response_kind", k.code()),
                    s.datetime(&at),
                )
            })
            .collect(),
        comebacks: person_comebacks
            .iter()
            .map(|c| {
                (
                    c.id,
                    label(s.t, "stage", c.stage.code()),
                    s.date(&c.opened_on),
                )
            })
            .collect(),
        can_offer: live
            && signed.can(Permission::ManageOffers)
            && !person_offers.iter().any(|o| o.status.is_active()),
        offers: person_offers
            .iter()
            .map(|o| OfferRow {
                id: o.id,
                number: o.number.clone(),
                status_code: o.status.code(),
                status_label: label(s.t, "offer_status", o.status.code()),
                window: format!("{} – {}", s.date(&o.valid_from), s.date(&o.valid_until)),
            })
            .collect(),
        s,
    };
    Ok(render(&tpl)?.into_response())
}
