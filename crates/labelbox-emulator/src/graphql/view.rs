//! The state a request executes against.

use crate::state::State;

/// The state a request executes against: shared for queries (no lock held), exclusive for
/// mutations. A write through a shared view lands on a private copy, so it can never change
/// what other requests see (queries do not write).
pub(crate) enum StateView<'s> {
    Shared(&'s State),
    Exclusive(&'s mut State),
    Copied(Box<State>),
}

impl std::ops::Deref for StateView<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        match self {
            StateView::Shared(s) => s,
            StateView::Exclusive(s) => s,
            StateView::Copied(s) => s,
        }
    }
}

impl std::ops::DerefMut for StateView<'_> {
    fn deref_mut(&mut self) -> &mut State {
        if let StateView::Shared(s) = self {
            *self = StateView::Copied(Box::new((*s).clone()));
        }
        let state: &mut State = match self {
            StateView::Exclusive(s) => s,
            StateView::Copied(s) => s,
            StateView::Shared(_) => unreachable!("replaced by a copy above"),
        };
        // Whatever was derived from it may change now.
        state.invalidate_derived();
        state
    }
}
