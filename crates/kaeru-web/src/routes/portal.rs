//! The alumni portal (`/me`): a former employee keeps their contacts, career, skills, certifications and
//! outlook up to date, writes to the company, acknowledges their return offer, decides per purpose what
//! they hear about (or stops all contact), downloads everything stored about them and asks for deletion.

use super::skills::{level_choices, skill_choices};
use super::{choices, download, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::{Alumnus, PORTAL_COOKIE};
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::profile::{self, ContactsInput, Editor};

use kaeru_domain::outlook::OutlookInput;
use kaeru_domain::skill::PersonSkillInput;
use kaeru_domain::{
    CareerInput, FieldErrors, OfferAction, OfferStatus, PersonInput, QualificationInput,
    ReturnIntent, SkillOrigin, WorkStyle,
};
use kaeru_store::consent::ConsentState;
use kaeru_store::{careers, consent, offers, people, portal, privacy, skills};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(home))
        .route("/me/contacts", post(save_contacts))
        .route("/me/careers", post(add_career))
        .route("/me/careers/{id}/delete", post(remove_career))
        .route("/me/skills", post(add_skill))
        .route("/me/skills/{id}/delete", post(remove_skill))
        .route("/me/qualifications", post(add_qualification))
        .route("/me/qualifications/{id}/delete", post(remove_qualification))
        .route("/me/outlook", post(save_outlook))
        .route("/me/message", post(save_message))
        .route("/me/offers/{id}/acknowledge", post(acknowledge_offer))
        .route("/me/offers/{id}/letter.pdf", get(offer_letter))
        .route("/me/consent", get(consent_page).post(save_consent))
        .route("/me/stop", post(stop_all))
        .route("/me/data.json", get(data_json))
        .route("/me/data.csv", get(data_csv))
        .route("/me/deletion", post(request_deletion))
        .route("/me/logout", post(logout))
}

pub struct CareerRow {
    id: String,
    employer: String,
    role: String,
    industry: String,
    period: String,
}

pub struct SkillRow {
    id: String,
    name: String,
    level: i32,
    source: String,
}

pub struct QualRow {
    id: String,
    kind: String,
    name: String,
    issuer: String,
    obtained_on: String,
}

pub struct OfferRow {
    id: String,
    number: String,
    status: String,
    valid_until: String,
    can_acknowledge: bool,
    acknowledged_at: String,
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    s: Shell,
    csrf: String,
    name: String,
    kana: String,
    contacts: ContactsInput,
    contacts_errors: FormErrors,
    prefectures: Vec<(String, String)>,
    careers: Vec<CareerRow>,
    career: CareerInput,
    career_errors: FormErrors,
    skills: Vec<SkillRow>,
    skill: PersonSkillInput,
    skill_errors: FormErrors,
    skill_options: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    origins: Vec<(String, String)>,
    qualifications: Vec<QualRow>,
    qualification: QualificationInput,
    qualification_errors: FormErrors,
    qualification_kinds: Vec<(String, String)>,
    outlook: OutlookInput,
    outlook_errors: FormErrors,
    intents: Vec<(String, String)>,
    styles: Vec<(String, String)>,
    message: String,
    message_errors: FormErrors,
    offers: Vec<OfferRow>,
    consents: Vec<ConsentState>,
    contact_stopped: bool,
    deletion_due: Option<String>,
}

/// What a section shows again after a refused submission.
#[derive(Default)]
enum Retry {
    #[default]
    None,
    Contacts(ContactsInput, FieldErrors),
    Career(CareerInput, FieldErrors),
    Skill(PersonSkillInput, FieldErrors),
    Qualification(QualificationInput, FieldErrors),
    Outlook(OutlookInput, FieldErrors),
    Message(String, FieldErrors),
}

async fn home_page(state: &AppState, a: &Alumnus, retry: Retry) -> AppResult<Response> {
    let scope = a.scope();
    let me = a.person();
    let p = people::get(&state.db, scope, me).await?;
    let s = Shell::portal(a, &p.full_name(), "/me");
    let t = s.t;
    let facts = people::portal_facts(&state.db, scope, me).await?;
    let careers = careers::for_person(&state.db, scope, me)
        .await?
        .into_iter()
        .map(|c| CareerRow {
            id: c.id.to_string(),
            period: format!(
                "{} – {}",
                s.opt_date(&c.from_date),
                c.to_date
                    .map(|d| s.date(&d))
                    .unwrap_or_else(|| t.t("career.current").to_string())
            ),
            employer: c.employer,
            role: c.role.unwrap_or_default(),
            industry: c.industry.unwrap_or_default(),
        })
        .collect();
    let catalogue = skills::catalogue(&state.db, scope).await?;
    let skills = skills::for_person(&state.db, scope, me)
        .await?
        .into_iter()
        .map(|h| SkillRow {
            id: h.id.to_string(),
            name: catalogue
                .iter()
                .find(|k| k.id == h.skill_id)
                .map(|k| k.name.clone())
                .unwrap_or_default(),
            level: h.level,
            source: label(t, "source", h.source.code()),
        })
        .collect();
    let qualifications = portal::qualifications(&state.db, scope, me)
        .await?
        .into_iter()
        .map(|q| QualRow {
            id: q.id.to_string(),
            kind: label(t, "qualification", &q.kind),
            name: q.name,
            issuer: q.issuer.unwrap_or_default(),
            obtained_on: s.opt_date(&q.obtained_on),
        })
        .collect();
    let offers = offers::for_person(&state.db, scope, me)
        .await?
        .into_iter()
        .filter(|o| o.status != OfferStatus::Draft)
        .map(|o| OfferRow {
            id: o.id.to_string(),
            number: o.number.clone(),
            status: label(t, "offer_status", o.status.code()),
            valid_until: s.date(&o.valid_until),
            can_acknowledge: o.status == OfferStatus::Issued,
            acknowledged_at: o
                .acknowledged_at
                .map(|d| s.datetime(&d))
                .unwrap_or_default(),
        })
        .collect();
    let consents = consent::for_person(&state.db, scope, me).await?;
    let deletion_due = privacy::open_request(&state.db, scope, me)
        .await?
        .map(|r| s.date(&r.due_on));
    let outlook = people::outlook(&state.db, scope, me).await?;
    let person_input = PersonInput::from_person(&p);
    let mut page = HomePage {
        csrf: a.session.csrf_token.clone(),
        name: p.full_name(),
        kana: p.full_kana(),
        contacts: ContactsInput {
            emails: person_input.emails,
            phone: person_input.phone,
            line_id: person_input.line_id,
            facebook_url: person_input.facebook_url,
            linkedin_url: person_input.linkedin_url,
            prefecture: person_input.prefecture,
            city: person_input.city,
        },
        contacts_errors: FormErrors::none(),
        prefectures: kaeru_domain::person::PREFECTURES
            .iter()
            .map(|p| (p.to_string(), p.to_string()))
            .collect(),
        careers,
        career: CareerInput::default(),
        career_errors: FormErrors::none(),
        skills,
        skill: PersonSkillInput::default(),
        skill_errors: FormErrors::none(),
        skill_options: skill_choices(&catalogue),
        levels: level_choices(&s),
        origins: super::owned(choices(t, "origin", SkillOrigin::ALL, SkillOrigin::code)),
        qualifications,
        qualification: QualificationInput::default(),
        qualification_errors: FormErrors::none(),
        qualification_kinds: kaeru_domain::portal::QUALIFICATION_KINDS
            .iter()
            .map(|k| (k.to_string(), label(t, "qualification", k)))
            .collect(),
        outlook: OutlookInput::from_outlook(&outlook),
        outlook_errors: FormErrors::none(),
        intents: super::owned(choices(t, "intent", ReturnIntent::ALL, ReturnIntent::code)),
        styles: super::owned(choices(t, "work", WorkStyle::ALL, WorkStyle::code)),
        message: facts.message_to_company.unwrap_or_default(),
        message_errors: FormErrors::none(),
        offers,
        consents,
        contact_stopped: facts.contact_stopped_at.is_some(),
        deletion_due,
        s,
    };
    let refused = !matches!(retry, Retry::None);
    match retry {
        Retry::None => {}
        Retry::Contacts(f, e) => {
            page.contacts = f;
            page.contacts_errors = FormErrors::from(&e, t);
        }
        Retry::Career(f, e) => {
            page.career = f;
            page.career_errors = FormErrors::from(&e, t);
        }
        Retry::Skill(f, e) => {
            page.skill = f;
            page.skill_errors = FormErrors::from(&e, t);
        }
        Retry::Qualification(f, e) => {
            page.qualification = f;
            page.qualification_errors = FormErrors::from(&e, t);
        }
        Retry::Outlook(f, e) => {
            page.outlook = f;
            page.outlook_errors = FormErrors::from(&e, t);
        }
        Retry::Message(f, e) => {
            page.message = f;
            page.message_errors = FormErrors::from(&e, t);
        }
    }
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

async fn home(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    let pending = consent::for_person(&state.db, a.scope(), a.person())
        .await?
        .iter()
        .any(ConsentState::is_pending);
    if pending {
        return Ok(axum::response::Redirect::to("/me/consent").into_response());
    }
    home_page(&state, &a, Retry::None).await
}

async fn save_contacts(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<ContactsInput>,
) -> AppResult<Response> {
    let f = posted.fields;
    match profile::save_contacts(&state.db, a.scope(), a.person(), &f, a.today()).await {
        Ok(()) => {}
        Err(Failure::Invalid(e)) => return home_page(&state, &a, Retry::Contacts(f, e)).await,
        Err(other) => return Err(other.into()),
    }
    Ok(redirect_with_flash("/me#contacts", "flash.saved"))
}

async fn add_career(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<CareerInput>,
) -> AppResult<Response> {
    let f = posted.fields;
    let added = profile::add_career(
        &state.db,
        a.scope(),
        &Editor::Person,
        a.person(),
        &f,
        a.today(),
    )
    .await;
    match added {
        Ok(_) => Ok(redirect_with_flash("/me#career", "flash.saved")),
        Err(Failure::Invalid(e)) => home_page(&state, &a, Retry::Career(f, e)).await,
        Err(other) => Err(other.into()),
    }
}

/// After a change the person made through another repository: mark it as theirs and go back to the section.
async fn done(state: &AppState, a: &Alumnus, to: &str, flash: &'static str) -> AppResult<Response> {
    portal::touch(&state.db, a.scope(), a.person()).await?;
    Ok(redirect_with_flash(to, flash))
}

async fn remove_career(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<kaeru_domain::CareerId>,
    _: Posted<()>,
) -> AppResult<Response> {
    profile::remove_career(&state.db, a.scope(), &Editor::Person, a.person(), id).await?;
    Ok(redirect_with_flash("/me#career", "flash.removed"))
}

async fn add_skill(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<PersonSkillInput>,
) -> AppResult<Response> {
    let f = posted.fields;
    let held = profile::hold_skill(
        &state.db,
        a.scope(),
        &Editor::Person,
        a.person(),
        f.clone(),
        a.today(),
    )
    .await;
    match held {
        Ok(_) => Ok(redirect_with_flash("/me#skills", "flash.saved")),
        Err(Failure::Invalid(e)) => home_page(&state, &a, Retry::Skill(f, e)).await,
        Err(other) => Err(other.into()),
    }
}

async fn remove_skill(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<kaeru_domain::PersonSkillId>,
    _: Posted<()>,
) -> AppResult<Response> {
    profile::drop_skill(&state.db, a.scope(), &Editor::Person, a.person(), id).await?;
    Ok(redirect_with_flash("/me#skills", "flash.removed"))
}

async fn add_qualification(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<QualificationInput>,
) -> AppResult<Response> {
    let f = posted.fields;
    let d = match f.parse(a.today()) {
        Ok(d) => d,
        Err(e) => return home_page(&state, &a, Retry::Qualification(f, e)).await,
    };
    portal::add_qualification(
        &state.db,
        a.scope(),
        &portal::self_actor(),
        a.person(),
        &portal::Qualification {
            id: uuid::Uuid::nil(),
            kind: d.kind.into(),
            name: d.name,
            issuer: d.issuer,
            obtained_on: d.obtained_on,
        },
    )
    .await?;
    Ok(redirect_with_flash("/me#qualifications", "flash.saved"))
}

async fn remove_qualification(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    portal::remove_qualification(&state.db, a.scope(), &portal::self_actor(), a.person(), id)
        .await?;
    Ok(redirect_with_flash("/me#qualifications", "flash.removed"))
}

async fn save_outlook(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<OutlookInput>,
) -> AppResult<Response> {
    let mut f = posted.fields;
    // Telling the company about oneself is a contact.
    f.last_contact_on = a.today().format("%Y-%m-%d").to_string();
    let o = match f.parse(a.today()) {
        Ok(o) => o,
        Err(e) => return home_page(&state, &a, Retry::Outlook(f, e)).await,
    };
    people::set_outlook(&state.db, a.scope(), &portal::self_actor(), a.person(), &o).await?;
    done(&state, &a, "/me#outlook", "flash.saved").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    message: String,
}

async fn save_message(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<MessageForm>,
) -> AppResult<Response> {
    let text = posted.fields.message;
    let checked = match kaeru_domain::validation::optional_text(&text, 2000) {
        Ok(t) => t,
        Err(inv) => {
            let mut e = FieldErrors::new();
            e.add("message", inv);
            return home_page(&state, &a, Retry::Message(text, e)).await;
        }
    };
    portal::set_message(&state.db, a.scope(), a.person(), checked).await?;
    Ok(redirect_with_flash("/me#message", "flash.message_sent"))
}

async fn acknowledge_offer(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<kaeru_domain::OfferId>,
    _: Posted<()>,
) -> AppResult<Response> {
    let offer = offers::get(&state.db, a.scope(), id).await?;
    if offer.person_id != a.person() {
        return Err(AppError::NotFound);
    }
    match offers::transition(
        &state.db,
        a.scope(),
        &portal::self_actor(),
        id,
        OfferAction::Acknowledge,
        None,
        a.today(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            "/me#offers",
            "flash.offer_acknowledged",
        )),
        Err(offers::TransitionError::Refused(_)) => {
            Ok(redirect_with_flash("/me#offers", "flash.offer_not_open"))
        }
        Err(offers::TransitionError::Store(e)) => Err(AppError::from(e)),
    }
}

/// The person's own return offer letter (never a draft, never someone else's).
async fn offer_letter(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<kaeru_domain::OfferId>,
) -> AppResult<Response> {
    let offer = offers::get(&state.db, a.scope(), id).await?;
    if offer.person_id != a.person() || offer.status == OfferStatus::Draft {
        return Err(AppError::NotFound);
    }
    super::offers::letter_response(
        &state,
        a.scope(),
        &a.session.company.name,
        a.today(),
        offer,
        a.lang,
    )
    .await
}

#[derive(Template)]
#[template(path = "portal_consent.html")]
struct ConsentPage {
    s: Shell,
    csrf: String,
    company: String,
    consents: Vec<ConsentState>,
    first_time: bool,
    contact_stopped: bool,
}

async fn consent_page(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    let p = people::get(&state.db, a.scope(), a.person()).await?;
    let consents = consent::for_person(&state.db, a.scope(), a.person()).await?;
    let facts = people::portal_facts(&state.db, a.scope(), a.person()).await?;
    let page = ConsentPage {
        s: Shell::portal(&a, &p.full_name(), "/me/consent"),
        csrf: a.session.csrf_token.clone(),
        company: a.session.company.name.clone(),
        first_time: consents.iter().all(|c| c.decided.is_none()),
        contact_stopped: facts.contact_stopped_at.is_some(),
        consents,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    /// The ids of the purposes consented to; every other active purpose is declined.
    #[serde(deserialize_with = "kaeru_domain::validation::one_or_many")]
    purpose: Vec<String>,
}

async fn save_consent(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<ConsentForm>,
) -> AppResult<Response> {
    let current = consent::for_person(&state.db, a.scope(), a.person()).await?;
    let chosen: Vec<uuid::Uuid> = posted
        .fields
        .purpose
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if chosen
        .iter()
        .any(|c| !current.iter().any(|s| s.purpose.id == *c))
    {
        return Err(AppError::NotFound);
    }
    let decisions: Vec<(uuid::Uuid, bool)> = current
        .iter()
        .map(|s| (s.purpose.id, chosen.contains(&s.purpose.id)))
        .collect();
    consent::decide(
        &state.db,
        a.scope(),
        &portal::self_actor(),
        a.person(),
        &decisions,
    )
    .await?;
    Ok(redirect_with_flash("/me", "flash.consent_saved"))
}

async fn stop_all(State(state): State<AppState>, a: Alumnus, _: Posted<()>) -> AppResult<Response> {
    consent::stop_all(&state.db, a.scope(), &portal::self_actor(), a.person()).await?;
    Ok(redirect_with_flash("/me/consent", "flash.contact_stopped"))
}

async fn data_json(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    let data = privacy::export(&state.db, a.scope(), a.person()).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(AppError::internal)?;
    tracing::info!(person = %a.person(), "personal data downloaded (json)");
    Ok(download(
        "application/json; charset=utf-8",
        "kaeru-my-data.json".into(),
        body,
    ))
}

/// Flattens the JSON export into `section,field,value` rows.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String, String)>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Object(_) | Value::Array(_) => flatten(
                        &format!("{prefix}{}{k}", if prefix.is_empty() { "" } else { "." }),
                        x,
                        out,
                    ),
                    other => out.push((prefix.to_string(), k.clone(), scalar(other))),
                }
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                match x {
                    Value::Object(_) | Value::Array(_) => {
                        flatten(&format!("{prefix}[{}]", i + 1), x, out);
                    }
                    other => out.push((prefix.to_string(), (i + 1).to_string(), scalar(other))),
                }
            }
        }
        other => out.push((prefix.to_string(), String::new(), scalar(other))),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

async fn data_csv(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    let data = privacy::export(&state.db, a.scope(), a.person()).await?;
    let mut rows = Vec::new();
    flatten("", &data, &mut rows);
    // The one CSV writer (UTF-8 with a BOM, formulas neutralised), as the people export.
    let sheet = kaeru_exchange::export::Sheet {
        headers: vec!["section".into(), "field".into(), "value".into()],
        rows: rows.into_iter().map(|(s, f, v)| vec![s, f, v]).collect(),
    };
    let out = kaeru_exchange::export::csv_utf8(&sheet);
    tracing::info!(person = %a.person(), "personal data downloaded (csv)");
    Ok(download(
        "text/csv; charset=utf-8",
        "kaeru-my-data.csv".into(),
        out,
    ))
}

async fn request_deletion(
    State(state): State<AppState>,
    a: Alumnus,
    _: Posted<()>,
) -> AppResult<Response> {
    privacy::request_deletion(
        &state.db,
        a.scope(),
        &portal::self_actor(),
        a.person(),
        a.today(),
    )
    .await?;
    Ok(redirect_with_flash(
        "/me#privacy",
        "flash.deletion_requested",
    ))
}

async fn logout(State(state): State<AppState>, a: Alumnus, _: Posted<()>) -> AppResult<Response> {
    let v = &a.visitor;
    if let Some(token) = v.jar.get(PORTAL_COOKIE).map(|c| c.value().to_string()) {
        portal::end_session(&state.db, &token).await?;
    }
    let back = format!("/c/{}/login", a.session.company.slug);
    let jar = v
        .jar
        .clone()
        .remove(axum_extra::extract::cookie::Cookie::build(PORTAL_COOKIE).path("/"));
    Ok((jar, redirect_with_flash(&back, "flash.signed_out")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_flattens_into_rows() {
        let mut rows = Vec::new();
        flatten(
            "",
            &serde_json::json!({"person": {"family_name": "山田"}, "careers": [{"employer": "A社"}]}),
            &mut rows,
        );
        assert!(rows.contains(&("person".into(), "family_name".into(), "山田".into())));
        assert!(rows.contains(&("careers[1]".into(), "employer".into(), "A社".into())));
    }
}
