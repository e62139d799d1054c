//! Random tokens, their stored hashes, and password hashing off the async threads.

use crate::kernel::error::AppError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use blake2::{Blake2b512, Digest};
use rand::RngCore;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// What is stored for a token: a hash, so a copy of the database does not sign anyone in.
pub fn token_hash(token: &str) -> String {
    let mut h = Blake2b512::new();
    h.update(token.as_bytes());
    hex(&h.finalize()[..32])
}

/// A readable generated password (no look-alike characters).
pub fn generate_password() -> String {
    const A: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let chars: String = b.iter().map(|x| A[*x as usize % A.len()] as char).collect();
    format!(
        "{}-{}-{}-{}",
        &chars[0..4],
        &chars[4..8],
        &chars[8..12],
        &chars[12..16]
    )
}

/// Hashes and checks passwords with argon2id on blocking threads, at most one per core at once,
/// so a burst of sign-ins cannot starve the rest of the panel.
#[derive(Clone)]
pub struct PasswordHasherPool {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasherPool {
    fn default() -> Self {
        let n = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        PasswordHasherPool {
            permits: Arc::new(Semaphore::new(n)),
        }
    }
}

impl PasswordHasherPool {
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _p = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let pw = password.to_string();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(pw.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hash: {e}")))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// True when `password` matches `hash`. With no hash (unknown login) it still does the work,
    /// so an unknown email takes as long as a wrong password.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let _p = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let pw = password.to_string();
        let hash = hash.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let dummy;
            let h = match &hash {
                Some(h) => h.as_str(),
                None => {
                    dummy = DUMMY_HASH.get_or_init(|| {
                        let salt = SaltString::generate(&mut OsRng);
                        Argon2::default()
                            .hash_password(b"not a password", &salt)
                            .map(|h| h.to_string())
                            .unwrap_or_default()
                    });
                    dummy.as_str()
                }
            };
            let ok = match PasswordHash::new(h) {
                Ok(parsed) => Argon2::default()
                    .verify_password(pw.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            };
            ok && hash.is_some()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify() {
        let p = PasswordHasherPool::default();
        let h = p.hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("correct horse battery", Some(&h)).await.unwrap());
        assert!(!p.verify("wrong horse battery", Some(&h)).await.unwrap());
        assert!(!p.verify("correct horse battery", None).await.unwrap());
        assert_ne!(token_hash("a"), token_hash("b"));
        assert_eq!(generate_password().len(), 19);
    }
}
