//! First-start set-up of a site: its secret.

use rand::RngCore;

use crate::db::{Db, setting};
use crate::error::Result;

/// Make the site secret once. Nodes racing on one database agree: the first insert wins.
pub async fn ensure_secret(db: &Db) -> Result<()> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    setting::set_if_missing(db, "secret", &secret).await?;
    Ok(())
}
