//! Preparing a request: parsing and validation (apollo-compiler) within the token and
//! nesting limits, the cost check against the current state, the fields a query selects
//! (its [`Plan`]), and the cache of prepared documents.

use std::sync::{Arc, RwLock};

use apollo_compiler::executable::{Operation, OperationType};
use apollo_compiler::parser::Parser;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};

use crate::cost::{self, Cost, CostLimits, ListSizes};
use crate::document_cache::{document_size, DocumentCache};
use crate::state::{State, StateCounts};

use super::errors::{code, complexity_body, error_body, errors_body};
use super::messages;
use super::plan::{self, Plan};

/// The SDL served, byte for byte the checked-in schema.
pub(crate) const SDL: &str = include_str!("../../schema/labelbox.graphql");

/// The most tokens a request's document may have, whitespace and commas included; parsing
/// stops there. Every known operation and the introspection query pass
/// (`tests/it/limits.rs::every_known_operation_passes_the_cost_limit`); a document of the
/// 2,000 fields the cost limit allows, one `id ` after another, has about 4,000.
pub(crate) const MAX_DOCUMENT_TOKENS: usize = 15_000;

/// The deepest nesting the parser follows (selection sets, lists, input objects); the cost
/// limit allows 24 levels of fields.
pub(crate) const MAX_DOCUMENT_NESTING: usize = 64;

/// Estimated memory of one planned field (its names, arguments and nesting), on top of the
/// document's own (`document_cache::document_size`).
const PLANNED_FIELD_BYTES: usize = 160;

/// The schema, the query cost limit and the prepared documents.
pub(crate) struct Preparer {
    schema: Valid<Schema>,
    /// The schema's list sizes, for the cost estimate.
    sizes: ListSizes,
    limits: CostLimits,
    documents: DocumentCache<PreparedDocument>,
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
    pub doc: Valid<ExecutableDocument>,
    /// The query text, shared by the cache's key.
    pub text: Arc<str>,
    /// The text as the request journal records it: `text` itself, or a copy with its
    /// JWT-shaped runs redacted (`redact::scrub_jwts`, checked once here, not at every
    /// request).
    pub journal_text: Arc<str>,
    pub operation_name: Option<String>,
    /// The fields the query selects, for the JSON writer; `None` when the executor answers
    /// it (a mutation; a query that needs field merging, a directive or introspection).
    pub plan: Option<Plan>,
    is_mutation: bool,
    label: String,
    requests: u64,
    /// Its estimated memory (`document_cache::document_size`), for the cache's bound.
    pub size: usize,
    /// The last cost computed, with the state sizes it was computed for: the cost is checked
    /// against every request's state, and recomputed only when the sizes changed.
    last_cost: RwLock<(StateCounts, Cost)>,
}

impl PreparedDocument {
    /// The operation prepared.
    pub fn operation(&self) -> Option<&Node<Operation>> {
        self.doc.operations.get(self.operation_name.as_deref()).ok()
    }
}

impl Prepared {
    pub fn document(&self) -> &PreparedDocument {
        &self.document
    }
}

impl Preparer {
    pub fn new() -> Result<Self, String> {
        let schema = Schema::parse_and_validate(SDL, "schema/labelbox.graphql")
            .map_err(|e| e.errors.to_string())?;
        let sizes = ListSizes::for_schema(&schema);
        Ok(Self {
            schema,
            sizes,
            limits: CostLimits::default(),
            documents: DocumentCache::default(),
        })
    }

    pub fn schema(&self) -> &Valid<Schema> {
        &self.schema
    }

    /// The prepared documents kept.
    #[cfg(any(test, feature = "test-probes"))]
    pub fn documents(&self) -> &DocumentCache<PreparedDocument> {
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
                let size = document.size;
                let text = Arc::clone(&document.text);
                self.documents
                    .insert(&text, operation_name, Arc::clone(&document), size);
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
                        vec![messages::syntax_error(&e.errors, query)],
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
                messages::validation_errors(&e.errors, &self.schema, query),
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
        let plan = plan::plan(&self.schema, &doc, op);
        let text: Arc<str> = Arc::from(query);
        let planned = plan.as_ref().map_or(0, |p| p.count);
        Ok(PreparedDocument {
            size: document_size(query.len(), &doc)
                .saturating_add(planned.saturating_mul(PLANNED_FIELD_BYTES)),
            plan,
            journal_text: crate::redact::scrub_jwts(query)
                .map_or_else(|| Arc::clone(&text), Arc::from),
            text,
            operation_name: operation_name.map(str::to_owned),
            is_mutation,
            label,
            requests,
            last_cost: RwLock::new((counts, cost)),
            doc,
        })
    }
}
