//! The one error type of Newsroom and its mapping to HTTP responses.
//!
//! Handlers return `Result<_, Error>`. `IntoResponse` marks the response with an [`ErrorPage`]
//! extension; `http::render_error_pages` turns that marker into a themed HTML page, so the
//! mapping from error to status lives here and the look lives in the theme.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Result with Newsroom's error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("page not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the site is busy, please try again in a moment")]
    Unavailable,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::PoolTimedOut => Error::Unavailable,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                Error::Conflict("that already exists".into())
            }
            other => Error::Database(other),
        }
    }
}

impl Error {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(_) | Error::Migration(_) | Error::Template(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// What a visitor may read: internals of 5xx errors stay in the log.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() && !matches!(self, Error::Unavailable) {
            "Something went wrong on our side. Please try again later.".into()
        } else {
            self.to_string()
        }
    }
}

/// Marker left on an error response for the theme to render as a page.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let mut response = (status, message.clone()).into_response();
        response
            .extensions_mut()
            .insert(ErrorPage { status, message });
        response
    }
}
