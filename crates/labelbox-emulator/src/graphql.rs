//! GraphQL: the checked-in SDL, parsing and validation (apollo-compiler), and the resolvers
//! of the Labelbox model executed by apollo-compiler's executor.

use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::sync::{Arc, RwLock};

use apollo_compiler::executable::OperationType;
use apollo_compiler::parser::Parser;
use apollo_compiler::resolvers::{Execution, FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{GraphQLError, JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use time::OffsetDateTime;

use crate::auth::{self, Caller, Claims};
use crate::cost::{self, Cost, CostLimits, ListSizes};
use crate::document_cache::DocumentCache;
use crate::fast_path;
use crate::graphql_errors;
use crate::roles::{self, RoleDef, MANAGE_API_KEYS, MANAGE_MEMBERS};
use crate::state::{self, KeyRecord, State, StateCounts, UserRecord};
use crate::visibility::{self, KeyList};

/// The SDL served, byte for byte the checked-in schema.
pub(crate) const SDL: &str = include_str!("../schema/labelbox.graphql");

/// Error codes used in `errors[].extensions.code`.
pub mod code {
    /// The API key was rejected.
    pub const AUTHENTICATION_ERROR: &str = "AUTHENTICATION_ERROR";
    /// The key may not do this.
    pub const AUTHORIZATION_ERROR: &str = "AUTHORIZATION_ERROR";
    /// The document does not parse.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not validate (or is too complex).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// Variables that do not match their declared types (Apollo Server's code).
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The thing asked for does not exist.
    pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
    /// An input was refused.
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    /// The server failed.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// A change the organization's rules forbid (demoting or removing the last Admin).
    pub const OPERATION_NOT_ALLOWED: &str = "OPERATION_NOT_ALLOWED";
}

/// Minimum key validity, seconds.
pub const MIN_VALIDITY: i64 = 60;
/// Maximum key validity (25 weeks), seconds.
pub const MAX_VALIDITY: i64 = 15_120_000;
/// Longest key name accepted by `createApiKey`, in characters (after trimming). The
/// contract names no limit; this one keeps every name a listing carries small.
pub const MAX_KEY_NAME_CHARS: usize = 1_000;

/// The most tokens a request's document may have, whitespace and commas included; parsing
/// stops there. Every known operation and the introspection query pass
/// (`tests/limits.rs::every_known_operation_passes_the_cost_limit`); a document of the
/// 2,000 fields the cost limit allows, one `id ` after another, has about 4,000.
pub(crate) const MAX_DOCUMENT_TOKENS: usize = 15_000;

/// The deepest nesting the parser follows (selection sets, lists, input objects); the cost
/// limit allows 24 levels of fields.
pub(crate) const MAX_DOCUMENT_NESTING: usize = 64;

/// A GraphQL error body: `{"errors": [{"message", "extensions": {"code"}}]}`.
pub(crate) fn error_body(code: &str, message: impl Display) -> String {
    serde_json::json!({
        "errors": [{ "message": message.to_string(), "extensions": { "code": code } }]
    })
    .to_string()
}

/// The parsed schema, the query cost limit and the prepared documents.
pub(crate) struct GraphqlApi {
    schema: Valid<Schema>,
    /// The schema's list sizes, for the cost estimate.
    sizes: ListSizes,
    limits: CostLimits,
    documents: DocumentCache,
    /// What the fast path did (for tests).
    pub stats: fast_path::FastPathStats,
    /// Whether `createApiKey` refuses control characters in names (the emulator's own rule;
    /// on unless a test turns it off).
    pub key_name_rule: std::sync::atomic::AtomicBool,
}

/// A request that parsed and validated, and passed the cost check against the current state.
pub(crate) struct Prepared {
    document: Arc<PreparedDocument>,
    /// Whether the selected operation is a mutation.
    pub is_mutation: bool,
    /// The operation's name, or `<anonymous>`.
    pub label: String,
    /// For a mutation, the mutations it runs (distinct root response keys); 1 for a query.
    pub requests: u64,
    /// The estimated JSON values of its response (see [`CostLimits`]).
    pub response_values: u64,
    /// The estimated bytes of its response (at most; see `cost::Cost::response_bytes`).
    pub response_bytes: u64,
}

/// Bytes of response that weigh as much as one value in [`Prepared::weight`]: the largest
/// allowed answer, 500,000 values, is about 15 MB of JSON.
pub(crate) const BYTES_PER_VALUE: u64 = 32;

impl Prepared {
    /// What executing it weighs, in values: its estimated values, or its estimated bytes
    /// over [`BYTES_PER_VALUE`] when they weigh more (a few keys with long names, long
    /// aliases): where it may run and what it takes of the execution budget.
    pub fn weight(&self) -> u64 {
        self.response_values
            .max(self.response_bytes.div_ceil(BYTES_PER_VALUE))
    }
}

/// What preparing a document found that does not depend on the state: kept in the
/// [`DocumentCache`], so a document is parsed and validated once.
pub(crate) struct PreparedDocument {
    doc: Valid<ExecutableDocument>,
    operation_name: Option<String>,
    is_mutation: bool,
    label: String,
    requests: u64,
    /// Its estimated memory (`document_cache::document_size`), for the cache's bound.
    pub size: usize,
    /// The last cost computed, with the state sizes it was computed for: the cost is checked
    /// against every request's state, and recomputed only when the sizes changed.
    last_cost: RwLock<(StateCounts, Cost)>,
}

/// The result of executing a request.
pub(crate) struct Executed {
    /// The JSON response body (field order as selected).
    pub body: Body,
    pub mutated: bool,
    /// Whether the fast path answered (not the executor).
    pub fast: bool,
}

/// A JSON response body.
pub(crate) enum Body {
    Text(String),
    /// UTF-8 written by the fast path.
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

impl GraphqlApi {
    pub fn new() -> Result<Self, String> {
        let schema = Schema::parse_and_validate(SDL, "schema/labelbox.graphql")
            .map_err(|e| e.errors.to_string())?;
        let sizes = ListSizes::for_schema(&schema);
        Ok(Self {
            key_name_rule: std::sync::atomic::AtomicBool::new(true),
            schema,
            sizes,
            limits: CostLimits::default(),
            documents: DocumentCache::default(),
            stats: fast_path::FastPathStats::default(),
        })
    }

    /// The prepared documents kept.
    pub fn documents(&self) -> &DocumentCache {
        &self.documents
    }

    /// Parses and validates `query` (or finds it prepared in the cache) and checks its cost,
    /// estimating lists of keys and users from `state`; on failure the error body to send.
    pub fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
        state: &State,
    ) -> Result<Prepared, String> {
        let counts = state.derived().counts;
        let document = match self.documents.get(query, operation_name) {
            Some(document) => document,
            None => {
                let document = Arc::new(self.prepare_document(query, operation_name, counts)?);
                // Only documents within the limits get here: the cost check below passes.
                self.documents
                    .insert(query, operation_name, Arc::clone(&document));
                document
            }
        };
        self.check_cost(document, counts)
    }

    /// Like [`prepare`](Self::prepare) for a document already prepared and kept in the
    /// cache; `None` for any other (whose preparation may take long).
    pub fn prepare_cached(
        &self,
        query: &str,
        operation_name: Option<&str>,
        state: &State,
    ) -> Option<Result<Prepared, String>> {
        let document = self.documents.get(query, operation_name)?;
        Some(self.check_cost(document, state.derived().counts))
    }

    /// The cost check of a prepared document against a state of `counts`.
    fn check_cost(
        &self,
        document: Arc<PreparedDocument>,
        counts: StateCounts,
    ) -> Result<Prepared, String> {
        let known = *document.last_cost.read().unwrap_or_else(|p| p.into_inner());
        let cost = if known.0 == counts {
            known.1
        } else {
            let mut last = document
                .last_cost
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if last.0 != counts {
                let op = document
                    .doc
                    .operations
                    .get(document.operation_name.as_deref())
                    .map_err(|e| error_body(code::GRAPHQL_VALIDATION_FAILED, e.message()))?;
                let cost = cost::measure(&document.doc, op, &self.sizes.with_counts(counts))
                    .map_err(|cost::TooNested| {
                        complexity_body("fragments or fields nested too deeply")
                    })?;
                *last = (counts, cost);
            }
            last.1
        };
        if let Some(reason) = cost.exceeds(&self.limits) {
            return Err(complexity_body(&reason));
        }
        Ok(Prepared {
            is_mutation: document.is_mutation,
            label: document.label.clone(),
            requests: document.requests,
            response_values: cost.response_values,
            response_bytes: cost.response_bytes,
            document,
        })
    }

    /// Parses, validates and measures `query` against a state of `counts`: a document within
    /// the limits, or the error body to send.
    fn prepare_document(
        &self,
        query: &str,
        operation_name: Option<&str>,
        counts: StateCounts,
    ) -> Result<PreparedDocument, String> {
        // The token and nesting limits bound the parser's work and memory (and with them the
        // validator's and its errors') before anything else looks at the document.
        let mut parser = Parser::new()
            .token_limit(MAX_DOCUMENT_TOKENS)
            .recursion_limit(MAX_DOCUMENT_NESTING);
        let ast = match parser.parse_ast(query, "request.graphql") {
            Ok(ast) => ast,
            Err(e) => {
                let message = if parser.tokens_reached() >= MAX_DOCUMENT_TOKENS {
                    format!(
                        "Syntax Error: Document contains more than {MAX_DOCUMENT_TOKENS} tokens. Parsing aborted."
                    )
                } else if parser.recursion_reached() >= MAX_DOCUMENT_NESTING {
                    format!(
                        "Syntax Error: Document is nested more than {MAX_DOCUMENT_NESTING} levels deep. Parsing aborted."
                    )
                } else {
                    return Err(errors_body(
                        vec![graphql_errors::syntax_error(&e.errors, query)],
                        code::GRAPHQL_PARSE_FAILED,
                    ));
                };
                return Err(error_body(code::GRAPHQL_PARSE_FAILED, message));
            }
        };
        // A document too large to be within the limits is refused before validation.
        let max = self.limits.max_document_fields;
        let written = cost::document_fields(&ast, max);
        if written > max {
            return Err(complexity_body(&format!(
                "more than {max} fields in the document"
            )));
        }
        let doc = ast.to_executable_validate(&self.schema).map_err(|e| {
            errors_body(
                graphql_errors::validation_errors(&e.errors, &self.schema, query),
                code::GRAPHQL_VALIDATION_FAILED,
            )
        })?;
        let op = match doc.operations.get(operation_name) {
            Ok(op) => op,
            Err(e) => {
                return Err(error_body(
                    code::GRAPHQL_VALIDATION_FAILED,
                    e.message().to_string(),
                ))
            }
        };
        let cost = cost::measure(&doc, op, &self.sizes.with_counts(counts))
            .map_err(|cost::TooNested| complexity_body("fragments or fields nested too deeply"))?;
        if let Some(reason) = cost.exceeds(&self.limits) {
            return Err(complexity_body(&reason));
        }
        let is_mutation = op.operation_type == OperationType::Mutation;
        let label = op
            .name
            .as_ref()
            .map_or_else(|| "<anonymous>".to_owned(), |n| n.to_string());
        let requests = if is_mutation {
            cost::root_fields(&doc, op).max(1)
        } else {
            1
        };
        Ok(PreparedDocument {
            size: crate::document_cache::document_size(query.len(), &doc),
            operation_name: operation_name.map(str::to_owned),
            is_mutation,
            label,
            requests,
            last_cost: RwLock::new((counts, cost)),
            doc,
        })
    }

    /// Executes a prepared request as `caller`: a query reads `state` (a shared view), a
    /// mutation changes it (an exclusive one).
    pub fn execute(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: StateView<'_>,
        caller: &Caller,
        now: OffsetDateTime,
    ) -> Executed {
        self.execute_with(prepared, variables, state, caller, now, false)
    }

    /// Executes a prepared query on the fast path (`fast_path.rs`) only: the response body,
    /// or `Fallback` when the executor must answer.
    pub fn execute_fast(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: &State,
        caller: &Caller,
    ) -> Result<Vec<u8>, fast_path::Fallback> {
        if prepared.is_mutation {
            return Err(fast_path::Fallback::Request);
        }
        let document = &prepared.document;
        fast_path::execute_query(
            &self.stats,
            &self.schema,
            &document.doc,
            document.operation_name.as_deref(),
            variables,
            state,
            caller,
        )
    }

    /// Like [`execute`](Self::execute); with `fast`, a query is first tried on the fast path
    /// (`fast_path.rs`), and executed by apollo-compiler's executor only when it falls back.
    pub fn execute_with(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        state: StateView<'_>,
        caller: &Caller,
        now: OffsetDateTime,
        fast: bool,
    ) -> Executed {
        if fast && !prepared.is_mutation {
            if let Ok(body) = self.execute_fast(prepared, variables, &state, caller) {
                return Executed {
                    body: Body::Bytes(body),
                    mutated: false,
                    fast: true,
                };
            }
        }
        let ctx = Ctx {
            state: RefCell::new(state),
            caller,
            now,
            mutated: Cell::new(false),
            key_name_rule: self
                .key_name_rule
                .load(std::sync::atomic::Ordering::Relaxed),
        };
        let document = &prepared.document;
        let execution = match Execution::new(&self.schema, &document.doc)
            .operation_name(document.operation_name.as_deref())
        {
            Ok(e) => e,
            Err(e) => {
                return Executed {
                    body: Body::Text(error_body(code::GRAPHQL_VALIDATION_FAILED, e.message())),
                    mutated: false,
                    fast: false,
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
            fast: false,
        }
    }
}

/// The refusal of a query over the cost limit, as Labelbox answers it; `reason` says which
/// limit (in `extensions.reason`).
fn complexity_body(reason: &str) -> String {
    serde_json::json!({
        "errors": [{
            "message": cost::COMPLEXITY_MESSAGE,
            "extensions": { "code": code::GRAPHQL_VALIDATION_FAILED, "reason": reason }
        }]
    })
    .to_string()
}

/// The longest error message answered, in characters: messages quote the document's names
/// and tokens, which may be as long as the body.
pub(crate) const MAX_ERROR_MESSAGE_CHARS: usize = 1_000;

/// Cuts `message` to [`MAX_ERROR_MESSAGE_CHARS`], marking the cut with `…`.
fn bound_message(message: &mut String) {
    if let Some((cut, _)) = message.char_indices().nth(MAX_ERROR_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
}

fn errors_body(mut errors: Vec<GraphQLError>, code: &str) -> String {
    for e in &mut errors {
        bound_message(&mut e.message);
        e.extensions.insert("code", JsonValue::from(code));
    }
    serde_json::json!({ "errors": errors }).to_string()
}

/// Field errors carry their code as a `\0CODE\0` prefix of the message (apollo-compiler's
/// `FieldError` has only a message, and the executor prefixes it with "resolver error: ");
/// this moves the code into `extensions.code` and restores the message. Errors raised by the
/// executor itself are `INTERNAL_SERVER_ERROR`.
fn tag_error(error: &mut GraphQLError) {
    let tagged = error
        .message
        .split_once('\0')
        .and_then(|(_, rest)| rest.split_once('\0'))
        .map(|(code, message)| (code.to_owned(), message.to_owned()));
    let code = match tagged {
        Some((code, message)) => {
            error.message = message;
            code
        }
        None => code::INTERNAL_SERVER_ERROR.to_owned(),
    };
    error.extensions.insert("code", JsonValue::from(code));
}

fn field_error(code: &str, message: impl Display) -> FieldError {
    FieldError {
        message: format!("\0{code}\0{message}"),
    }
}

/// RFC 3339 with milliseconds and `Z`, as Labelbox writes dates.
pub(crate) fn format_date(t: OffsetDateTime) -> String {
    let mut out = Vec::with_capacity(24);
    push_date(&mut out, t);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `t` as [`format_date`] writes it (ASCII digits and separators only).
pub(crate) fn push_date(out: &mut Vec<u8>, t: OffsetDateTime) {
    fn digits(out: &mut Vec<u8>, value: u32, width: u32) {
        for place in (0..width).rev() {
            let digit = (value / 10u32.pow(place)) % 10;
            out.push(b'0' + u8::try_from(digit).unwrap_or(0));
        }
    }
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        // Outside four digits (never for the emulator's clock): the general formatting.
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year,
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        );
        out.extend_from_slice(text.as_bytes());
        return;
    }
    digits(out, year.unsigned_abs(), 4);
    out.push(b'-');
    digits(out, u32::from(u8::from(t.month())), 2);
    out.push(b'-');
    digits(out, u32::from(t.day()), 2);
    out.push(b'T');
    digits(out, u32::from(t.hour()), 2);
    out.push(b':');
    digits(out, u32::from(t.minute()), 2);
    out.push(b':');
    digits(out, u32::from(t.second()), 2);
    out.push(b'.');
    digits(out, u32::from(t.millisecond()), 3);
    out.push(b'Z');
}

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

struct Ctx<'s> {
    state: RefCell<StateView<'s>>,
    caller: &'s Caller,
    now: OffsetDateTime,
    mutated: Cell<bool>,
    /// [`GraphqlApi::key_name_rule`] for this request.
    key_name_rule: bool,
}

impl Ctx<'_> {
    fn may_see_user(&self, id: &str) -> bool {
        visibility::may_see_user(self.caller, id)
    }
}

fn str_arg<'a>(map: &'a JsonMap, name: &str) -> Option<&'a str> {
    map.get(name).and_then(JsonValue::as_str)
}

fn obj_arg<'a>(map: &'a JsonMap, name: &str) -> Option<&'a JsonMap> {
    map.get(name).and_then(JsonValue::as_object)
}

fn leaf_opt<'a>(v: Option<&str>) -> ResolvedValue<'a> {
    match v {
        Some(s) => ResolvedValue::leaf(s),
        None => ResolvedValue::null(),
    }
}

fn string_list<'a, I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> ResolvedValue<'a> {
    ResolvedValue::list(
        items
            .into_iter()
            .map(|s| ResolvedValue::leaf(s.as_ref()))
            .collect::<Vec<_>>(),
    )
}

struct QueryRoot<'c, 's> {
    ctx: &'c Ctx<'s>,
}

impl ObjectValue for QueryRoot<'_, '_> {
    fn type_name(&self) -> &str {
        "Query"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let ctx = self.ctx;
        let args = info.arguments();
        match info.field_name() {
            "user" => {
                let state = ctx.state.borrow();
                let id = obj_arg(args, "where").map(|w| str_arg(w, "id").unwrap_or_default());
                Ok(ResolvedValue::nullable_object(
                    visibility::queried_user(&state, ctx.caller, id)
                        .cloned()
                        .map(|user| UserObj { ctx, user }),
                ))
            }
            "organization" => Ok(ResolvedValue::object(OrganizationObj { ctx })),
            "organizationRole" => {
                let permissions = visibility::organization_role_permissions(
                    &ctx.state.borrow(),
                    ctx.caller,
                    str_arg(args, "userId"),
                )
                .map(<[&'static str]>::to_vec);
                Ok(ResolvedValue::nullable_object(
                    permissions.map(|permissions| OrganizationRoleObj { permissions }),
                ))
            }
            "roles" => Ok(ResolvedValue::list(
                roles::builtin_roles()
                    .iter()
                    .map(|role| ResolvedValue::object(RoleObj { role }))
                    .collect::<Vec<_>>(),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct UserObj<'c, 's> {
    ctx: &'c Ctx<'s>,
    user: UserRecord,
}

impl UserObj<'_, '_> {
    fn is_caller(&self) -> bool {
        self.user.id == self.ctx.caller.user_id
    }

    /// The keys `list` shows the caller, oldest first.
    fn keys(&self, list: KeyList) -> Vec<ApiKeyObj> {
        let state = self.ctx.state.borrow();
        visibility::listed_keys(&state, self.ctx.caller, &self.user, list)
            .filter_map(|(_, listed)| state.keys.get(&listed.id))
            .map(|k| ApiKeyObj::new(&state, k))
            .collect()
    }
}

impl ObjectValue for UserObj<'_, '_> {
    fn type_name(&self) -> &str {
        "User"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let u = &self.user;
        Ok(match info.field_name() {
            "id" => ResolvedValue::leaf(u.id.as_str()),
            "email" => ResolvedValue::leaf(u.email.as_str()),
            "name" => ResolvedValue::leaf(u.name.as_str()),
            "nickname" => leaf_opt(u.nickname.as_deref()),
            "picture" => leaf_opt(u.picture.as_deref()),
            "isExternalUser" => ResolvedValue::leaf(u.is_external_user),
            "isViewer" => ResolvedValue::leaf(self.is_caller()),
            "createdAt" | "updatedAt" => ResolvedValue::leaf(format_date(u.created_at)),
            "lastLoginAt" => ResolvedValue::null(),
            "apiKeys" => ResolvedValue::list(
                self.keys(KeyList::Own)
                    .into_iter()
                    .map(ResolvedValue::object),
            ),
            "apiKeysOtherUsers" => ResolvedValue::list(
                self.keys(KeyList::OtherUsers)
                    .into_iter()
                    .map(ResolvedValue::object),
            ),
            // The user's organization role as the state holds it now (not a key's role).
            "orgRole" => ResolvedValue::nullable_object(
                roles::role_by_name(&u.role).map(|role| RoleObj { role }),
            ),
            "organization" => ResolvedValue::object(OrganizationObj { ctx: self.ctx }),
            "deleted" => ResolvedValue::leaf(u.deleted),
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

struct ApiKeyObj {
    key: KeyRecord,
    user_email: String,
}

impl ApiKeyObj {
    fn new(state: &State, key: &KeyRecord) -> Self {
        Self {
            key: key.clone(),
            user_email: state
                .user_by_id(&key.user_id)
                .map(|u| u.email.clone())
                .unwrap_or_default(),
        }
    }
}

impl ObjectValue for ApiKeyObj {
    fn type_name(&self) -> &str {
        "ApiKey"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let k = &self.key;
        Ok(match info.field_name() {
            "id" => ResolvedValue::leaf(k.id.as_str()),
            "name" => ResolvedValue::leaf(k.name.as_str()),
            "createdAt" => ResolvedValue::leaf(format_date(k.created_at)),
            "updatedAt" => ResolvedValue::leaf(format_date(k.updated_at)),
            "revoked" => ResolvedValue::leaf(k.revoked),
            "expiresAtEpoch" => ResolvedValue::leaf(k.expires_at),
            "userId" => ResolvedValue::leaf(k.user_id.as_str()),
            "userEmail" => ResolvedValue::leaf(self.user_email.as_str()),
            "createdByUserId" => leaf_opt(k.created_by_user_id.as_deref()),
            "allowedIpCidrs" => match &k.allowed_ip_cidrs {
                Some(list) => string_list(list),
                None => ResolvedValue::null(),
            },
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

struct OrganizationObj<'c, 's> {
    ctx: &'c Ctx<'s>,
}

impl ObjectValue for OrganizationObj<'_, '_> {
    fn type_name(&self) -> &str {
        "Organization"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let ctx = self.ctx;
        let state = ctx.state.borrow();
        let org = &state.organization;
        Ok(match info.field_name() {
            "id" => ResolvedValue::leaf(org.id.clone()),
            "name" => ResolvedValue::leaf(org.name.clone()),
            "createdAt" | "updatedAt" => ResolvedValue::leaf(format_date(org.created_at)),
            "users" => {
                let args = info.arguments();
                let email = obj_arg(args, "where").and_then(|w| str_arg(w, "email"));
                let skip = args.get("skip").and_then(JsonValue::as_i64);
                let first = args.get("first").and_then(JsonValue::as_i64);
                let users: Vec<UserRecord> =
                    visibility::organization_users(&state, ctx.caller, email, skip, first)
                        .map_err(|visibility::NegativePage| {
                            field_error(
                                code::MALFORMED_REQUEST,
                                "skip and first must not be negative",
                            )
                        })?
                        .into_iter()
                        .cloned()
                        .collect();
                ResolvedValue::list(
                    users
                        .into_iter()
                        .map(|user| ResolvedValue::object(UserObj { ctx, user })),
                )
            }
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

struct OrganizationRoleObj {
    permissions: Vec<&'static str>,
}

impl ObjectValue for OrganizationRoleObj {
    fn type_name(&self) -> &str {
        "OrganizationRole"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "permissions" => Ok(string_list(&self.permissions)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct RoleObj {
    role: &'static RoleDef,
}

impl ObjectValue for RoleObj {
    fn type_name(&self) -> &str {
        "Role"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        Ok(match info.field_name() {
            "id" => ResolvedValue::leaf(self.role.id),
            "name" => ResolvedValue::leaf(self.role.name),
            "permissions" => string_list(&self.role.permissions),
            // Built-in roles belong to no organization.
            "organizationId" => ResolvedValue::null(),
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

struct ApiKeyWithJwtObj {
    id: String,
    jwt: String,
}

impl ObjectValue for ApiKeyWithJwtObj {
    fn type_name(&self) -> &str {
        "ApiKeyWithJwt"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        Ok(match info.field_name() {
            "id" => ResolvedValue::leaf(self.id.as_str()),
            "jwt" => ResolvedValue::leaf(self.jwt.as_str()),
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

struct MutationRoot<'c, 's> {
    ctx: &'c Ctx<'s>,
}

impl ObjectValue for MutationRoot<'_, '_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let args = info.arguments();
        match info.field_name() {
            "createApiKey" => {
                let data = obj_arg(args, "data").ok_or_else(|| {
                    field_error(code::MALFORMED_REQUEST, "createApiKey needs `data`")
                })?;
                let created = self.create_api_key(data)?;
                Ok(ResolvedValue::object(created))
            }
            "updateApiKey" => {
                let id = obj_arg(args, "where")
                    .and_then(|w| str_arg(w, "id"))
                    .unwrap_or_default();
                let revoked = obj_arg(args, "data")
                    .and_then(|d| d.get("revoked"))
                    .and_then(JsonValue::as_bool);
                let key = self.update_api_key(id, revoked)?;
                Ok(ResolvedValue::object(key))
            }
            "setOrganizationRole" => {
                let data = obj_arg(args, "data");
                let user_id = data.and_then(|d| str_arg(d, "userId")).unwrap_or_default();
                let role_id = data.and_then(|d| str_arg(d, "roleId")).unwrap_or_default();
                let role = self.set_organization_role(user_id, role_id)?;
                Ok(ResolvedValue::object(RoleObj { role }))
            }
            "updateUser" => {
                let id = obj_arg(args, "where")
                    .and_then(|w| str_arg(w, "id"))
                    .unwrap_or_default();
                let deleted = obj_arg(args, "data")
                    .and_then(|d| d.get("deleted"))
                    .and_then(JsonValue::as_bool);
                let user = self.update_user(id, deleted)?;
                Ok(ResolvedValue::object(UserObj {
                    ctx: self.ctx,
                    user,
                }))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `createApiKey`'s answer to a name with a control character (U+0000-U+001F,
/// U+007F-U+009F): a rule of the emulator's own (the real API's is not known), so that keys
/// it creates carry names that terminals and environment variables can hold.
pub(crate) const KEY_NAME_CONTROL_CHARACTERS_MESSAGE: &str =
    "name must not contain control characters (U+0000-U+001F, U+007F-U+009F; the emulator's \
     own rule)";

/// The message listing the roles a caller may grant, formatted like the reference client's.
fn invalid_role_message(grantable: &[&str]) -> String {
    let list: Vec<String> = grantable.iter().map(|n| format!("'{n}'")).collect();
    format!(
        "Invalid role specified. Allowed roles are: [{}]",
        list.join(", ")
    )
}

impl MutationRoot<'_, '_> {
    fn create_api_key(&self, data: &JsonMap) -> Result<ApiKeyWithJwtObj, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        if !caller.can(MANAGE_API_KEYS) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to create API keys (this key's effective permissions lack {MANAGE_API_KEYS}: {})",
                    caller.roles_text()
                ),
            ));
        }
        let name = str_arg(data, "name").unwrap_or_default();
        if name.trim().is_empty() {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                "name must be a non-empty string",
            ));
        }
        if name.trim().chars().count() > MAX_KEY_NAME_CHARS {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                format!("name must be at most {MAX_KEY_NAME_CHARS} characters"),
            ));
        }
        if ctx.key_name_rule && name.chars().any(char::is_control) {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                KEY_NAME_CONTROL_CHARACTERS_MESSAGE,
            ));
        }
        let allowed = match data.get("allowedIpCidrs") {
            None | Some(JsonValue::Null) => None,
            Some(JsonValue::Array(items)) => {
                let entries: Vec<String> = items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect();
                Some(
                    state::normalise_allowlist(&entries)
                        .map_err(|m| field_error(code::MALFORMED_REQUEST, m))?,
                )
            }
            Some(_) => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "allowedIpCidrs must be a list of IP addresses or CIDR ranges",
                ))
            }
        };
        let validity = match data.get("validitySeconds").and_then(JsonValue::as_i64) {
            None => MAX_VALIDITY,
            Some(v) if v < 0 => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "validity must be a positive integer",
                ))
            }
            Some(v) if v < MIN_VALIDITY => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "Minimum validity period is 1 minute",
                ))
            }
            Some(v) if v > MAX_VALIDITY => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "Maximum validity period is 6 months (or 25 weeks)",
                ))
            }
            Some(v) => v,
        };
        let email = str_arg(data, "targetUserEmailId").unwrap_or_default();
        let mut state = ctx.state.borrow_mut();
        let target = state.user_by_email(email).cloned().ok_or_else(|| {
            field_error(
                code::MALFORMED_REQUEST,
                format!("User with email '{email}' does not exist in the organization"),
            )
        })?;
        let grantable = roles::grantable_names(caller.permissions());
        let role_name = str_arg(data, "role").unwrap_or(&target.role);
        let role = roles::role_by_name(role_name).ok_or_else(|| {
            field_error(code::MALFORMED_REQUEST, invalid_role_message(&grantable))
        })?;
        if !roles::grantable(role, caller.permissions()) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                invalid_role_message(&grantable),
            ));
        }
        let id = loop {
            let id = state::random_id().map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?;
            if !state.keys.contains_key(&id) {
                break id;
            }
        };
        let iat = ctx.now.unix_timestamp();
        let claims = Claims {
            jti: id.clone(),
            sub: target.id.clone(),
            org: state.organization.id.clone(),
            iat,
            exp: iat + validity,
            nonce: Some(
                state::random_id().map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?,
            ),
        };
        let jwt =
            auth::mint(&state, &claims).map_err(|m| field_error(code::INTERNAL_SERVER_ERROR, m))?;
        let record = auth::record(
            &claims,
            &jwt,
            name.trim(),
            role.name,
            Some(caller.user_id.clone()),
            allowed,
            ctx.now,
        );
        state.keys.insert(id.clone(), record);
        ctx.mutated.set(true);
        Ok(ApiKeyWithJwtObj { id, jwt })
    }

    /// The member `user_id` for a change by the caller: the caller needs
    /// [`MANAGE_MEMBERS`], the member must be visible to the caller (else not found, as an
    /// unknown id), and the member's current role must be within the caller's effective
    /// permissions (nobody changes or removes a member above them).
    fn member_to_manage(&self, state: &State, user_id: &str) -> Result<UserRecord, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        if !caller.can(MANAGE_MEMBERS) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to manage members (this key's effective permissions lack {MANAGE_MEMBERS}: {})",
                    caller.roles_text()
                ),
            ));
        }
        let target = state
            .user_by_id(user_id)
            .filter(|_| ctx.may_see_user(user_id))
            .cloned()
            .ok_or_else(|| {
                field_error(
                    code::RESOURCE_NOT_FOUND,
                    format!("User with id '{user_id}' was not found"),
                )
            })?;
        let current = roles::role_by_name(&target.role).ok_or_else(|| {
            field_error(code::INTERNAL_SERVER_ERROR, "the member's role is unknown")
        })?;
        if !roles::covered_by(current, caller.permissions()) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to manage a member whose role is {} ({})",
                    current.name,
                    caller.roles_text()
                ),
            ));
        }
        Ok(target)
    }

    /// Refuses a change that would leave the organization without an Admin: `target` is
    /// its only remaining member with the role `Admin`, and loses it.
    fn keep_an_admin(state: &State, target: &UserRecord) -> Result<(), FieldError> {
        let admins = state.members().filter(|u| u.role == "Admin").count();
        if target.role == "Admin" && admins <= 1 {
            return Err(field_error(
                code::OPERATION_NOT_ALLOWED,
                "The last Admin of the organization can be neither demoted nor removed",
            ));
        }
        Ok(())
    }

    fn set_organization_role(
        &self,
        user_id: &str,
        role_id: &str,
    ) -> Result<&'static RoleDef, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        let mut state = ctx.state.borrow_mut();
        let target = self.member_to_manage(&state, user_id)?;
        let grantable = roles::grantable_names(caller.permissions());
        let role = roles::role_by_id(role_id).ok_or_else(|| {
            field_error(
                code::MALFORMED_REQUEST,
                format!("Role with id '{role_id}' does not exist"),
            )
        })?;
        if !roles::grantable(role, caller.permissions()) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                invalid_role_message(&grantable),
            ));
        }
        if role.name != target.role {
            Self::keep_an_admin(&state, &target)?;
            if let Some(user) = state.users.iter_mut().find(|u| u.id == target.id) {
                user.role = role.name.to_owned();
            }
            ctx.mutated.set(true);
        }
        Ok(role)
    }

    fn update_user(&self, user_id: &str, deleted: Option<bool>) -> Result<UserRecord, FieldError> {
        let ctx = self.ctx;
        let mut state = ctx.state.borrow_mut();
        let mut target = self.member_to_manage(&state, user_id)?;
        // Nothing else of a user can be updated here; `deleted: false` on a member is no
        // change (a removed user is not found above, so never comes back).
        if deleted == Some(true) {
            Self::keep_an_admin(&state, &target)?;
            if let Some(user) = state.users.iter_mut().find(|u| u.id == target.id) {
                user.deleted = true;
            }
            target.deleted = true;
            ctx.mutated.set(true);
        }
        Ok(target)
    }

    fn update_api_key(&self, id: &str, revoked: Option<bool>) -> Result<ApiKeyObj, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        let mut state = ctx.state.borrow_mut();
        let Some(key) = state.keys.get(id) else {
            return Err(field_error(
                code::RESOURCE_NOT_FOUND,
                format!("API key with id '{id}' was not found"),
            ));
        };
        // The calling key itself; any key with the permission; a key of the caller's own
        // user only when its role is within the caller's effective permissions (a
        // down-scoped key never revokes a stronger key of its user).
        let may_manage = key.id == caller.key_id
            || caller.can(MANAGE_API_KEYS)
            || (key.user_id == caller.user_id
                && roles::role_by_name(&key.role)
                    .is_some_and(|role| roles::covered_by(role, caller.permissions())));
        if !may_manage {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to update this API key ({})",
                    caller.roles_text()
                ),
            ));
        }
        match (revoked, key.revoked) {
            (Some(true), false) => {
                let now = ctx.now;
                if let Some(key) = state.keys.get_mut(id) {
                    key.revoked = true;
                    key.updated_at = now;
                }
                ctx.mutated.set(true);
            }
            (Some(false), true) => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "A revoked API key cannot be restored",
                ))
            }
            // Revoking a revoked key, or no change requested: idempotent.
            _ => {}
        }
        let key = state.keys.get(id).ok_or_else(|| {
            field_error(
                code::INTERNAL_SERVER_ERROR,
                "the key vanished during update",
            )
        })?;
        Ok(ApiKeyObj::new(&state, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_milliseconds_and_z() {
        let t = OffsetDateTime::from_unix_timestamp(1_704_067_200).unwrap()
            + time::Duration::milliseconds(5);
        assert_eq!(format_date(t), "2024-01-01T00:00:00.005Z");
    }

    /// The digit-by-digit writer agrees with `format!` over years, days and milliseconds.
    #[test]
    fn dates_match_the_general_formatting() {
        let general = |t: OffsetDateTime| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        };
        let mut seconds: i64 = -62_000_000_000;
        while seconds < 250_000_000_000 {
            let t = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + time::Duration::milliseconds(seconds.rem_euclid(1000));
            assert_eq!(format_date(t), general(t));
            seconds += 7_777_777_777 + seconds.rem_euclid(86_399);
        }
        let offset = OffsetDateTime::from_unix_timestamp(1_704_067_200)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(5, 30, 0).unwrap());
        assert_eq!(format_date(offset), "2024-01-01T00:00:00.000Z");
        let last = OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap()
            + time::Duration::milliseconds(999);
        assert_eq!(format_date(last), "9999-12-31T23:59:59.999Z");
    }

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
            "{ user { apiKeysOtherUsers { name ... on ApiKey { name userEmail } } } }".into(),
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
            let executed = api.execute_with(
                &prepared,
                &JsonMap::new(),
                StateView::Shared(&state),
                &caller,
                now,
                true,
            );
            assert!(executed.fast, "{query}");
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
