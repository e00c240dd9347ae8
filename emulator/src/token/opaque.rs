//! Opaque access tokens, for the `opaque_access_tokens` fault: random strings that are not JWTs,
//! each standing for an access-token JWT the issuer signed and keeps in memory, so a client cannot
//! read what a token grants while the registry accepts it exactly as it would that JWT.

use super::jwt::{now, random_text};
use acr_types::Secret;
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

/// Random bytes of an opaque token: 32, written as 43 base64url characters.
const OPAQUE_BYTES: usize = 32;

/// The JWT an opaque token stands for, and that JWT's expiry (Unix seconds).
#[derive(Debug)]
struct Remembered {
    jwt: String,
    exp: u64,
}

/// Opaque access tokens handed out, each with the JWT it stands for. Entries are dropped once
/// their JWT has expired (checked whenever a new one is handed out).
#[derive(Default)]
pub(super) struct OpaqueTokens(Mutex<HashMap<String, Remembered>>);

impl OpaqueTokens {
    /// Locks the map; a poisoned lock still holds consistent data (every update is one insert
    /// or a retain), so it is used as is.
    fn map(&self) -> MutexGuard<'_, HashMap<String, Remembered>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hands out a new opaque token standing for `jwt`, which expires at `exp`.
    pub(super) fn remember(&self, jwt: Secret, exp: u64) -> Secret {
        let token = random_text(OPAQUE_BYTES);
        let mut map = self.map();
        let t = now();
        map.retain(|_, r| r.exp > t);
        map.insert(token.clone(), Remembered { jwt: jwt.expose().to_owned(), exp });
        Secret::new(token)
    }

    /// The JWT `token` stands for, if it is an opaque token handed out here and not yet dropped.
    /// JWTs (which contain `.`, opaque tokens never do) are not looked up.
    pub(super) fn resolve(&self, token: &str) -> Option<String> {
        if token.contains('.') {
            return None;
        }
        self.map().get(token).map(|r| r.jwt.clone())
    }

    /// How many opaque tokens are remembered.
    pub(super) fn len(&self) -> usize {
        self.map().len()
    }
}
