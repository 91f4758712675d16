//! The one way a use case says no: input to correct (each problem beside its field), a record whose state
//! does not allow the request, or the store's answer (not found, erased, a clash, a database failure).

use kaeru_domain::{FieldErrors, Invalid};
use kaeru_store::StoreError;

#[derive(Debug)]
pub enum Failure {
    /// Values refused; nothing written.
    Invalid(FieldErrors),
    /// The record's state does not allow it now (an offer already withdrawn, a side job already decided).
    Refused(Invalid),
    Store(StoreError),
}

impl Failure {
    /// One refused field.
    pub fn field(field: &'static str, inv: Invalid) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, inv);
        Self::Invalid(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<FieldErrors> for Failure {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

pub type Outcome<T> = Result<T, Failure>;
