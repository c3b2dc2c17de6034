//! The user ids of one listing, shared: [`SharedUserIds`].

use crate::UserId;

/// The user ids met so far in one listing, so that the keys of one user (and the keys one
/// user created) share one `UserId` (an `Arc<str>`) instead of each building its own. A
/// few users own most keys: the first [`SharedUserIds::KEPT`] distinct ids are shared
/// (later ones get their own copy), the last one met is checked first (a key's creator is
/// usually its user).
#[derive(Default)]
pub(crate) struct SharedUserIds {
    ids: Vec<UserId>,
    /// Where in `ids` the last id was found.
    last: usize,
}

impl SharedUserIds {
    const KEPT: usize = 8;

    /// The id `text`, shared when it was met before.
    pub(crate) fn get(&mut self, text: &str) -> UserId {
        match self.find(text) {
            Some(id) => id,
            None => self.keep(UserId::from(text)),
        }
    }

    /// [`get`](Self::get) for an owned `String`, which becomes the id when it is new.
    pub(crate) fn get_owned(&mut self, text: String) -> UserId {
        match self.find(&text) {
            Some(id) => id,
            None => self.keep(UserId::from(text)),
        }
    }

    fn find(&mut self, text: &str) -> Option<UserId> {
        if let Some(id) = self.ids.get(self.last).filter(|id| id.as_str() == text) {
            return Some(id.clone());
        }
        let index = self.ids.iter().position(|id| id.as_str() == text)?;
        self.last = index;
        Some(self.ids[index].clone())
    }

    fn keep(&mut self, id: UserId) -> UserId {
        if self.ids.len() < Self::KEPT {
            self.last = self.ids.len();
            self.ids.push(id.clone());
        }
        id
    }
}
