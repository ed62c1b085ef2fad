//! Outgoing mail (password reset links): through SMTP when the operator configured it, otherwise
//! written to the server log so the operator can pass the link on by hand.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::error::{Error, Result};

/// Where the site's mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mailer::Smtp { .. } => "Mailer::Smtp",
            Mailer::Log => "Mailer::Log",
        })
    }
}

impl Mailer {
    /// The mailer a configuration asks for; a bad SMTP URL or sender is an error at start-up.
    pub fn from_config(config: &Config) -> Result<Mailer> {
        let Some(url) = &config.smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::BadRequest(format!("SMTP URL: {e}")))?
            .build();
        let from = config
            .mail_from
            .parse()
            .map_err(|e| Error::BadRequest(format!("sender {:?}: {e}", config.mail_from)))?;
        Ok(Mailer::Smtp { transport, from })
    }

    /// Send a plain-text message, or log it when no SMTP server is configured.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<()> {
        match self {
            Mailer::Log => {
                tracing::warn!(
                    "no SMTP server is configured (NEWSROOM_SMTP_URL); mail to {to}: {subject}\n{body}"
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to: Mailbox = to
                    .parse()
                    .map_err(|e| Error::BadRequest(format!("recipient {to:?}: {e}")))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.to_string())
                    .map_err(|e| Error::Internal(format!("building mail: {e}")))?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| Error::Internal(format!("sending mail: {e}")))?;
                Ok(())
            }
        }
    }
}
