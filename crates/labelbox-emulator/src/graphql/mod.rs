//! GraphQL: the checked-in SDL, parsing and validation (apollo-compiler), and the two ways
//! a request is answered, reading every field from one layer (`fields.rs`):
//! apollo-compiler's executor over resolvers (`resolvers.rs`, `mutations.rs`), and a direct
//! JSON writer for the queries it can answer (`writer.rs`, over the fields collected once
//! per prepared document: `plan.rs`).
//!
//! | module | job |
//! |---|---|
//! | `prepare` | parsing, validation, the cost check, the plan, the document cache |
//! | `messages` | syntax and validation messages worded as graphql-js |
//! | `fields` | what each field of each type is |
//! | `resolvers`, `mutations` | the executor's objects, the mutations |
//! | `invites`, `member_rules` | the invite mutations; who may give which role to a member |
//! | `execute` | execution by apollo-compiler's executor |
//! | `plan`, `writer`, `rendered` | the JSON writer, and the keys it keeps rendered per snapshot |
//! | `errors` | error codes and bodies |
//! | `view` | the state a request executes against |

mod errors;
mod execute;
mod fields;
mod invites;
mod member_rules;
mod messages;
mod mutations;
mod plan;
mod prepare;
mod rendered;
mod resolvers;
mod view;
mod writer;

use std::sync::atomic::{AtomicBool, Ordering};

use apollo_compiler::response::JsonMap;
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::state::State;

pub use errors::code;
pub(crate) use errors::error_body;
use execute::Body;
pub(crate) use execute::Executed;
pub use mutations::{MAX_VALIDITY, MIN_VALIDITY};
pub(crate) use prepare::Prepared;
use prepare::Preparer;
pub(crate) use view::StateView;
pub(crate) use writer::{Fallback, WriterStats};

/// The schema, the prepared documents, and both ways of answering.
pub(crate) struct GraphqlApi {
    preparer: Preparer,
    /// What the JSON writer did (for tests).
    pub stats: WriterStats,
    /// Whether `createApiKey` refuses control characters in names (the emulator's own rule).
    pub key_name_rule: AtomicBool,
}

impl GraphqlApi {
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            preparer: Preparer::new()?,
            stats: WriterStats::default(),
            key_name_rule: AtomicBool::new(true),
        })
    }

    /// Prepared documents kept and their estimated memory.
    #[cfg(any(test, feature = "test-probes"))]
    pub fn cached_documents(&self) -> (usize, usize) {
        self.preparer.documents().size()
    }

    /// Parses and validates `query` (or finds it prepared in the cache) and checks its cost
    /// against `state`; on failure the error body to send.
    pub fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
        state: &State,
    ) -> Result<Prepared, String> {
        self.preparer.prepare(query, operation_name, state)
    }

    /// Like [`prepare`](Self::prepare) for a document already prepared and kept; `None` for
    /// any other (whose preparation may take long).
    pub fn prepare_cached(
        &self,
        query: &str,
        operation_name: Option<&str>,
        state: &State,
    ) -> Option<Result<Prepared, String>> {
        self.preparer.prepare_cached(query, operation_name, state)
    }

    /// Executes a prepared request with apollo-compiler's executor as `caller`: a query
    /// reads `state` (a shared view), a mutation changes it (an exclusive one).
    pub fn execute(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: StateView<'_>,
        caller: &Caller,
        now: OffsetDateTime,
    ) -> Executed {
        execute::execute(
            self.preparer.schema(),
            prepared,
            variables,
            state,
            caller,
            now,
            self.key_name_rule.load(Ordering::Relaxed),
        )
    }

    /// Answers a prepared query with the JSON writer only: the response body, or
    /// `Fallback` when the executor must answer.
    pub fn write(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: &State,
        caller: &Caller,
    ) -> Result<Vec<u8>, Fallback> {
        let document = prepared.document();
        let (Some(plan), Some(op)) = (&document.plan, document.operation()) else {
            return Err(Fallback::Request);
        };
        writer::write_query(
            &self.stats,
            self.preparer.schema(),
            op,
            &plan.fields,
            variables,
            state,
            caller,
        )
    }

    /// Like [`execute`](Self::execute); with `write`, a query is first tried on the JSON
    /// writer, and executed by the executor only when it falls back.
    pub fn answer(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: StateView<'_>,
        caller: &Caller,
        now: OffsetDateTime,
        write: bool,
    ) -> Executed {
        if write && !prepared.is_mutation {
            if let Ok(body) = self.write(prepared, variables, &state, caller) {
                return Executed {
                    body: Body::Bytes(body),
                    mutated: false,
                    written: true,
                };
            }
        }
        self.execute(prepared, variables, state, caller, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{self, Claims};

    #[test]
    fn the_schema_is_valid() {
        GraphqlApi::new().unwrap();
    }

    /// The estimated response bytes of a query bound its answer's real length, for keys
    /// with names that escape to 6 bytes a character, long aliases, allowlists, nested
    /// users and every operation of `queries/` that needs no variables.
    #[test]
    fn estimated_bytes_bound_every_answer() {
        let api = GraphqlApi::new().unwrap();
        let mut state = State::from_seed(&crate::config::Seed::default(), Some("bytes")).unwrap();
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let admin = state.bootstrap_admin_id.clone();
        let users: Vec<String> = state.users.iter().map(|u| u.id.clone()).collect();
        let names = [
            "k".to_owned(),
            "\u{1}".repeat(1_000),
            "\"\\".repeat(500),
            "é".repeat(1_000),
            "😀".repeat(1_000),
        ];
        let mut jwt = String::new();
        for (i, user) in users.iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                let claims = Claims {
                    jti: format!("k{i}x{j}"),
                    sub: user.clone(),
                    org: state.organization.id.clone(),
                    iat: now.unix_timestamp(),
                    exp: now.unix_timestamp() + 3_600,
                    nonce: None,
                };
                let token = auth::mint(&state, &claims).unwrap();
                let allowed = (j % 2 == 1).then(|| {
                    vec![
                        "10.0.0.0/8".to_owned(),
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".to_owned(),
                    ]
                });
                let record = auth::record(
                    &claims,
                    &token,
                    name,
                    "Admin",
                    Some(user.clone()),
                    allowed,
                    now,
                );
                state.keys.insert(claims.jti.clone(), record);
                if *user == admin && j == 0 {
                    jwt = token;
                }
            }
        }
        let caller = auth::authenticate(
            &state,
            Some(&format!("Bearer {jwt}")),
            "127.0.0.1".parse().unwrap(),
            now,
        )
        .unwrap();
        let mut queries: Vec<String> = vec![
            "{ user { id apiKeys { id name createdAt updatedAt revoked expiresAtEpoch userId userEmail createdByUserId allowedIpCidrs } apiKeysOtherUsers { id name allowedIpCidrs userEmail } } }".into(),
            "{ organization { id name users { id email name nickname picture isViewer isExternalUser createdAt lastLoginAt deleted orgRole { id name permissions organizationId } apiKeys { name } apiKeysOtherUsers { a: name b: name } } } }".into(),
            "{ roles { id name permissions organizationId } organizationRole { permissions } }".into(),
            "{ __typename user { __typename organization { __typename users { __typename } } } }".into(),
            format!("{{ user {{ apiKeys {{ {}: name }} }} }}", "a".repeat(5_000)),
            "{ user { apiKeysOtherUsers { ... on ApiKey { name userEmail } } } }".into(),
        ];
        let dir = format!("{}/../../queries", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            if !text.contains("mutation") && !text.contains('$') {
                queries.push(text);
            }
        }
        for query in &queries {
            let prepared = api.prepare(query, None, &state).unwrap();
            let executed = api.answer(
                &prepared,
                &JsonMap::new(),
                StateView::Shared(&state),
                &caller,
                now,
                true,
            );
            assert!(executed.written, "{query}");
            let body: Vec<u8> = executed.body.into();
            let len = u64::try_from(body.len()).unwrap();
            assert!(
                len <= prepared.response_bytes,
                "{len} > {} for {query}",
                prepared.response_bytes
            );
        }
    }
}
