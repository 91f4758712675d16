//! HR's side of the portal and personal data: the outbox, writing to a person for a purpose of use,
//! inviting them to the portal, registrations from the public page, deletion requests and erasure, the
//! retention rule, the public page's declaration with its badge, and the purposes of use.

mod erasure;
mod messages;
mod outbox;
mod portal_panel;
mod registrations;

pub(crate) use portal_panel::{PortalPanel, portal_panel};

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(outbox::outbox_list))
        .route("/outbox/{id}", get(outbox::outbox_show))
        .route("/outbox/{id}/retry", post(outbox::outbox_retry))
        .route(
            "/people/{id}/message",
            get(messages::message_form).post(messages::message_send),
        )
        .route("/people/{id}/invite", post(messages::invite))
        .route("/people/{id}/erase", post(erasure::erase))
        .route("/privacy", get(erasure::privacy_page))
        .route("/registrations", get(registrations::registrations_page))
        .route(
            "/registrations/{id}/link",
            post(registrations::registration_link),
        )
        .route(
            "/registrations/{id}/create",
            post(registrations::registration_create),
        )
        .route(
            "/registrations/{id}/reject",
            post(registrations::registration_reject),
        )
}
