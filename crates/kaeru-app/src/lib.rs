//! Kaeru's use cases, written once: the pages (`kaeru-web` routes), the JSON API (`kaeru-web` api) and the
//! command line (`kaeru`) call these and none calls another's code. Each takes the database, the company's
//! [`kaeru_store::Scope`] and parsed input, and returns domain results or a store error; the caller turns
//! those into HTML, JSON or a line on the terminal, in the reader's language.

pub mod analytics;
pub mod announcements;
pub mod behind;
pub mod contacts;
pub mod contracts;
pub mod events;
pub mod exchange;
pub mod failure;
pub mod job_board;
pub mod network;
pub mod offers;
pub mod openings;
pub mod passwords;
pub mod people;
pub mod privacy;
pub mod profile;
pub mod recent;
pub mod search;
pub mod side_jobs;
pub mod skills;
pub mod stints;
pub mod todo;
pub mod ventures;

pub use failure::{Failure, Outcome};

pub use kaeru_i18n::Catalog;
