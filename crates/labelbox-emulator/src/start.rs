//! Starting an emulator: the state (loaded or seeded), the bootstrap admin key, the bound
//! listener and the server task.

use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};

use time::OffsetDateTime;
use tokio::sync::watch;

use crate::auth::{self, Claims};
use crate::config::EmulatorConfig;
use crate::error::EmulatorError;
use crate::faults::Faults;
use crate::handle::EmulatorHandle;
use crate::server::{self, App, Limits};
use crate::state::{self, State};
use crate::{budget, graphql, router};

/// Issue time of a seeded (deterministic) bootstrap key: 2025-01-01T00:00:00Z.
const SEEDED_KEY_IAT: i64 = 1_735_689_600;
/// Expiry of bootstrap keys: 2038-01-01T00:00:00Z (fits a GraphQL `Int`).
const BOOTSTRAP_KEY_EXP: i64 = 2_145_916_800;
/// Name of bootstrap keys.
const BOOTSTRAP_KEY_NAME: &str = "Emulator bootstrap admin key";

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Loads or seeds the state, mints the bootstrap admin key, binds `config.listen` and
    /// serves in the background until [`EmulatorHandle::shutdown`] (or the handle is dropped).
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        let api = graphql::GraphqlApi::new().map_err(EmulatorError::Seed)?;
        let seed_secret = config
            .admin_key_seed
            .as_deref()
            .map(|s| State::from_seed(&config.seed, Some(s)).map(|st| st.jwt_secret));
        // Held until shutdown: a second emulator on the same state file refuses to start.
        let state_lock = match &config.state_file {
            Some(path) => Some(state::lock_state_file(path)?),
            None => None,
        };
        let mut state = match &config.state_file {
            Some(path) => match State::load(path)? {
                Some(loaded) => {
                    if let Some(secret) = seed_secret {
                        if secret? != loaded.jwt_secret {
                            return Err(EmulatorError::State(format!(
                                "{} was created with a different admin key seed",
                                path.display()
                            )));
                        }
                    }
                    loaded
                }
                None => State::from_seed(&config.seed, config.admin_key_seed.as_deref())?,
            },
            None => State::from_seed(&config.seed, config.admin_key_seed.as_deref())?,
        };
        state.invite_limit = config.invite_limit;
        let now = OffsetDateTime::now_utc();
        let (admin_key_id, admin_key) =
            bootstrap_key(&mut state, config.admin_key_seed.as_deref(), now)?;
        let admin_email = state
            .any_user_by_id(&state.bootstrap_admin_id)
            .map(|u| u.email.clone())
            .ok_or_else(|| EmulatorError::State("the bootstrap admin user is missing".into()))?;
        if let Some(path) = &config.state_file {
            state.save(path)?;
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AddrInUse => EmulatorError::AddressInUse {
                    addr: config.listen,
                },
                _ => EmulatorError::Io {
                    context: format!("binding {}", config.listen),
                    source,
                },
            })?;
        let local_addr = listener.local_addr().map_err(|source| EmulatorError::Io {
            context: "reading the bound address".into(),
            source,
        })?;
        // The first snapshot's derived data, before any request can read it.
        state.derived();
        let app = Arc::new(App {
            api,
            admin_key_id: admin_key_id.clone(),
            state: RwLock::new(Arc::new(state)),
            writer: Mutex::new(()),
            state_file: config.state_file.clone(),
            state_lock: Mutex::new(state_lock),
            serve_limits: labelbox_serve::Limits::default()
                .max_connections(config.max_connections.clamp(1, 1 << 20))
                .header_read_timeout(config.header_read_timeout)
                .request_read_timeout(config.request_read_timeout)
                .max_body_bytes(server::MAX_BODY_BYTES),
            clock_offset_ms: AtomicI64::new(0),
            faults: Faults::default(),
            requests: AtomicU64::new(0),
            operations: Mutex::new(Default::default()),
            limits: Mutex::new(Limits {
                default: config.rate_limit,
                ..Limits::default()
            }),
            budget: budget::ExecutionBudget::new(server::EXECUTION_BUDGET),
            json_writer: std::sync::atomic::AtomicBool::new(true),
            writer_answers: AtomicU64::new(0),
            inline_answers: AtomicU64::new(0),
            journal: Default::default(),
        });
        let (shutdown, stop) = watch::channel(false);
        let task = tokio::spawn(router::serve(listener, Arc::clone(&app), stop));
        Ok(EmulatorHandle {
            app,
            local_addr,
            admin_key,
            admin_key_id,
            admin_email,
            shutdown,
            task,
        })
    }
}

/// Mints (or, when seeded and already stored, re-derives) the bootstrap admin key, and
/// revokes every earlier bootstrap key of a persisted state: only their hashes are stored,
/// so nobody could be shown them again, and each start would otherwise leave one more
/// Admin key valid until 2038.
fn bootstrap_key(
    state: &mut State,
    seed: Option<&str>,
    now: OffsetDateTime,
) -> Result<(String, String), EmulatorError> {
    // A removed bootstrap admin still gets its key minted (so a state file stays usable),
    // but the key does not authenticate.
    let admin = state
        .any_user_by_id(&state.bootstrap_admin_id)
        .cloned()
        .ok_or_else(|| EmulatorError::State("the bootstrap admin user is missing".into()))?;
    let (id, iat, nonce) = match seed {
        Some(s) => (
            state::derived_id(&format!("admin-key:{s}")),
            SEEDED_KEY_IAT,
            None,
        ),
        None => (
            state::random_id()?,
            now.unix_timestamp(),
            Some(state::random_id()?),
        ),
    };
    let claims = Claims {
        jti: id.clone(),
        sub: admin.id.clone(),
        org: state.organization.id.clone(),
        iat,
        exp: BOOTSTRAP_KEY_EXP,
        nonce,
    };
    let jwt = auth::mint(state, &claims).map_err(EmulatorError::State)?;
    if !state.keys.contains_key(&id) {
        let created = OffsetDateTime::from_unix_timestamp(iat)
            .map_err(|e| EmulatorError::State(e.to_string()))?;
        let record = auth::record(
            &claims,
            &jwt,
            BOOTSTRAP_KEY_NAME,
            &admin.role,
            None,
            None,
            created,
        );
        state.keys.insert(id.clone(), record);
    }
    for key in state.keys.values_mut() {
        if key.id != id && is_bootstrap_key(key) && !key.revoked {
            key.revoked = true;
            key.updated_at = now;
        }
    }
    Ok((id, jwt))
}

/// Bootstrap keys are the only keys without a creator and with their name: `createApiKey`
/// and [`EmulatorHandle::issue_key`] always record one.
fn is_bootstrap_key(key: &state::KeyRecord) -> bool {
    key.created_by_user_id.is_none() && key.name == BOOTSTRAP_KEY_NAME
}
