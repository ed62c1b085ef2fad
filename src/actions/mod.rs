//! Writes and the rules around them, shared by every surface (site, admin, CLI, later the API).
//! Capabilities are checked here (`capability`), not only in the HTTP layer.

pub mod account;
pub mod app_password;
pub mod article;
pub mod capability;
pub mod comment;
pub mod demo;
pub mod demo_pictures;
pub mod export;
pub mod import;
pub mod media;
pub mod password_reset;
pub mod publish;
pub mod settings;
pub mod setup;
pub mod sign_in;
pub mod term;
pub mod two_factor;

/// Field name → what is wrong with it; the form goes back with the person's text and these.
pub type FieldErrors = std::collections::BTreeMap<&'static str, String>;

/// Field errors as one error, for callers with no form to show them beside (the script's calls).
pub fn unprocessable(errors: FieldErrors) -> crate::Error {
    crate::Error::Unprocessable(errors.into_values().collect::<Vec<_>>().join(" "))
}
