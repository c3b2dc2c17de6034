//! Ids, hashes and random values.

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::EmulatorError;

/// Lower-case hex of SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn random_bytes(n: usize) -> Result<Vec<u8>, EmulatorError> {
    let mut buf = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| EmulatorError::State("the system random generator failed".to_owned()))?;
    Ok(buf)
}

pub(crate) fn random_hex(n: usize) -> Result<String, EmulatorError> {
    Ok(hex(&random_bytes(n)?))
}

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A cuid-like id ("c" + 24 base-36 characters) from bytes.
fn id_from_bytes(bytes: &[u8]) -> String {
    let mut id = String::with_capacity(25);
    id.push('c');
    for b in bytes.iter().take(24) {
        id.push(BASE36[usize::from(*b) % 36] as char);
    }
    id
}

/// A deterministic id for seeded entities.
pub(crate) fn derived_id(input: &str) -> String {
    id_from_bytes(digest::digest(&digest::SHA256, input.as_bytes()).as_ref())
}

/// A random id for new keys.
pub(crate) fn random_id() -> Result<String, EmulatorError> {
    Ok(id_from_bytes(&random_bytes(24)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_cuids() {
        let id = random_id().unwrap();
        assert_eq!(id.len(), 25);
        assert!(id.starts_with('c'));
        assert_eq!(derived_id("x"), derived_id("x"));
    }
}
