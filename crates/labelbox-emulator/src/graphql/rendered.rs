//! The rendered JSON of listed keys, kept per state snapshot and selection, so a listing
//! writes each key it shows once per snapshot: only each key's own data is kept; which keys
//! the caller sees is decided at each request, and a key is rendered only when a listing
//! shows it (so a listing costs what it answers, never what the organization holds).
//!
//! Kept in the snapshot's derived data (`State::derived().attached()`), so it never
//! outlives the data it was rendered from; the state knows nothing of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use crate::state::State;

/// Most selections of keys whose rendering a state snapshot keeps.
const MAX_RENDERED_SHAPES: usize = 8;
/// Most bytes of rendered keys a state snapshot keeps, all selections together (their
/// slots included).
const MAX_RENDERED_BYTES: usize = 32 * 1024 * 1024;

/// The rendered JSON object of listed keys of a state, per selection of key fields
/// (response key and field name of each, in order), each rendered the first time a listing
/// shows it: a listing renders at most the keys it shows, never the others. Lives in the
/// state snapshot, so it never outlives the data it was rendered from. Past its bounds,
/// keys are written directly at each listing that shows them.
#[derive(Default)]
pub(crate) struct RenderedKeys {
    shapes: RwLock<Vec<(KeyShape, Arc<Slots>)>>,
    /// Bytes kept: rendered keys and slots.
    bytes: AtomicUsize,
}

pub(crate) type KeyShape = Vec<(String, String)>;

/// One selection's slots: slot `i` holds the JSON of the state's listed key `i` once a
/// listing has shown it.
pub(crate) struct Slots {
    slots: Box<[OnceLock<Box<[u8]>>]>,
}

impl RenderedKeys {
    /// Reserves `bytes` within [`MAX_RENDERED_BYTES`]; `false`, and nothing reserved, past it.
    fn reserve(&self, bytes: usize) -> bool {
        self.bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |kept| {
                kept.checked_add(bytes)
                    .filter(|total| *total <= MAX_RENDERED_BYTES)
            })
            .is_ok()
    }

    /// The slots of `shape` for the `listed` keys of the state: kept, or new while within
    /// the bounds; `None` past them.
    pub fn slots(&self, shape: &KeyShape, listed: usize) -> Option<Arc<Slots>> {
        {
            let shapes = self.shapes.read().unwrap_or_else(|p| p.into_inner());
            if let Some((_, slots)) = shapes.iter().find(|(s, _)| s == shape) {
                return Some(Arc::clone(slots));
            }
            if shapes.len() >= MAX_RENDERED_SHAPES {
                return None;
            }
        }
        let mut shapes = self.shapes.write().unwrap_or_else(|p| p.into_inner());
        if let Some((_, slots)) = shapes.iter().find(|(s, _)| s == shape) {
            return Some(Arc::clone(slots));
        }
        let size = listed.saturating_mul(std::mem::size_of::<OnceLock<Box<[u8]>>>())
            + shape.iter().map(|(k, n)| k.len() + n.len()).sum::<usize>();
        if shapes.len() >= MAX_RENDERED_SHAPES || !self.reserve(size) {
            return None;
        }
        let slots = Arc::new(Slots {
            slots: (0..listed).map(|_| OnceLock::new()).collect(),
        });
        shapes.push((shape.clone(), Arc::clone(&slots)));
        Some(slots)
    }
}

impl RenderedKeys {
    /// The rendered keys of the snapshot `state`.
    pub fn of(state: &State) -> &Self {
        state.derived().attached::<Self>()
    }

    /// Keeps `json` in `slot` within [`MAX_RENDERED_BYTES`].
    pub fn keep(&self, slot: &OnceLock<Box<[u8]>>, json: &[u8]) {
        if self.reserve(json.len()) && slot.set(json.into()).is_err() {
            // Kept meanwhile by a concurrent listing.
            self.bytes.fetch_sub(json.len(), Ordering::Relaxed);
        }
    }
}

impl Slots {
    /// The slot of the listed key `i`.
    pub fn get(&self, i: usize) -> Option<&OnceLock<Box<[u8]>>> {
        self.slots.get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::KeyRecord;
    use time::OffsetDateTime;

    fn state_with_keys(count: usize, name: &str) -> State {
        let mut state =
            State::from_seed(&crate::config::Seed::default(), Some("rendered")).unwrap();
        let owner = state.users[0].id.clone();
        for i in 0..count {
            let id = format!("k{i:06}");
            let t = OffsetDateTime::from_unix_timestamp(1_704_067_200 + i64::try_from(i).unwrap())
                .unwrap();
            state.keys.insert(
                id.clone(),
                KeyRecord {
                    id,
                    name: name.to_owned(),
                    token_sha256: String::new(),
                    user_id: owner.clone(),
                    created_by_user_id: None,
                    role: "Labeler".into(),
                    allowed_ip_cidrs: None,
                    created_at: t,
                    updated_at: t,
                    expires_at: 2_000_000_000,
                    revoked: false,
                },
            );
        }
        state
    }

    fn shape(fields: &[(&str, &str)]) -> KeyShape {
        fields
            .iter()
            .map(|(k, n)| ((*k).to_owned(), (*n).to_owned()))
            .collect()
    }

    /// A snapshot keeps the slots of at most [`MAX_RENDERED_SHAPES`] selections.
    #[test]
    fn rendered_selections_are_bounded_in_number() {
        let state = state_with_keys(10, "k");
        let rendered = RenderedKeys::of(&state);
        for i in 0..MAX_RENDERED_SHAPES + 4 {
            let alias = format!("a{i}");
            let slots = rendered.slots(&shape(&[(alias.as_str(), "id")]), 10);
            assert_eq!(slots.is_some(), i < MAX_RENDERED_SHAPES, "{i}");
        }
        assert_eq!(rendered.shapes.read().unwrap().len(), MAX_RENDERED_SHAPES);
    }

    /// ... and at most [`MAX_RENDERED_BYTES`]: past them nothing more is kept.
    #[test]
    fn rendered_selections_are_bounded_in_bytes() {
        let state = state_with_keys(3, "k");
        let rendered = RenderedKeys::of(&state);
        assert!(rendered.reserve(MAX_RENDERED_BYTES - 10));
        assert!(!rendered.reserve(11));
        assert!(rendered.reserve(10));
        assert_eq!(rendered.bytes.load(Ordering::Relaxed), MAX_RENDERED_BYTES);
        assert!(rendered.slots(&shape(&[("a", "id")]), 3).is_none());
    }
}
