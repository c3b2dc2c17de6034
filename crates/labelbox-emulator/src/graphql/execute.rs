//! Execution by apollo-compiler's executor, over the resolvers of `resolvers.rs` and
//! `mutations.rs`: every mutation, and every query the JSON writer leaves to it.

use std::cell::{Cell, RefCell};

use apollo_compiler::resolvers::Execution;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use time::OffsetDateTime;

use crate::auth::Caller;

use super::errors::{bound_message, code, error_body, errors_body, tag_error};
use super::mutations::MutationRoot;
use super::prepare::Prepared;
use super::resolvers::{Ctx, QueryRoot};
use super::view::StateView;

/// The result of executing a request.
pub(crate) struct Executed {
    /// The JSON response body (field order as selected).
    pub body: Body,
    pub mutated: bool,
    /// Whether the JSON writer answered (not the executor).
    pub written: bool,
}

/// A JSON response body.
pub(crate) enum Body {
    Text(String),
    /// UTF-8 written by the JSON writer.
    Bytes(Vec<u8>),
}

impl From<Body> for Vec<u8> {
    fn from(body: Body) -> Self {
        match body {
            Body::Text(text) => text.into_bytes(),
            Body::Bytes(bytes) => bytes,
        }
    }
}

/// Executes `prepared` with apollo-compiler's executor as `caller`; `key_name_rule`: whether
/// `createApiKey` refuses control characters in names.
pub(crate) fn execute(
    schema: &Valid<Schema>,
    prepared: &Prepared,
    variables: &JsonMap,
    state: StateView<'_>,
    caller: &Caller,
    now: OffsetDateTime,
    key_name_rule: bool,
) -> Executed {
    let ctx = Ctx {
        state: RefCell::new(state),
        caller,
        now,
        mutated: Cell::new(false),
        key_name_rule,
    };
    let document = prepared.document();
    let execution = match Execution::new(schema, &document.doc)
        .operation_name(document.operation_name.as_deref())
    {
        Ok(e) => e,
        Err(e) => {
            return Executed {
                body: Body::Text(error_body(code::GRAPHQL_VALIDATION_FAILED, e.message())),
                mutated: false,
                written: false,
            }
        }
    };
    let execution = execution
        .raw_variable_values(variables)
        .enable_schema_introspection(true);
    let result = if prepared.is_mutation {
        execution.execute_sync(&MutationRoot { ctx: &ctx })
    } else {
        execution.execute_sync(&QueryRoot { ctx: &ctx })
    };
    let body = match result {
        Ok(mut response) => {
            for error in &mut response.errors {
                tag_error(error);
                bound_message(&mut error.message);
            }
            serde_json::to_string(&response).unwrap_or_else(|e| {
                error_body(code::INTERNAL_SERVER_ERROR, format!("serialisation: {e}"))
            })
        }
        Err(e) => errors_body(
            vec![e.to_graphql_error(&document.doc.sources)],
            code::BAD_USER_INPUT,
        ),
    };
    Executed {
        body: Body::Text(body),
        mutated: ctx.mutated.get(),
        written: false,
    }
}
