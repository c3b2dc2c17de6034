//! Runs graphql_client_codegen so that its panics become errors, without printing them.
//!
//! A process-wide panic hook is installed once; it stays silent only on a thread that is
//! inside [`catch_codegen_panic`] and hands every other panic to the hook that was there
//! before, so panics elsewhere (for example a failing test) still print as usual.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static SILENCED: Cell<bool> = const { Cell::new(false) };
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if SILENCED.with(Cell::get) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                LOCATION.with(|slot| *slot.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic becomes `Err` with the panic message (and where in the codegen it
/// happened).
pub(crate) fn catch_codegen_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    SILENCED.with(|s| s.set(true));
    LOCATION.with(|slot| slot.borrow_mut().take());
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    SILENCED.with(|s| s.set(false));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        match LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(location) => format!("{message} (at {location})"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::catch_codegen_panic;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let result: Result<(), String> = catch_codegen_panic(|| panic!("bad input {}", 42));
        let message = result.unwrap_err();
        assert!(message.starts_with("bad input 42"), "{message}");
        assert!(message.contains("panic_guard.rs"), "{message}");
    }

    #[test]
    fn a_value_passes_through() {
        assert_eq!(catch_codegen_panic(|| 7), Ok(7));
    }
}
