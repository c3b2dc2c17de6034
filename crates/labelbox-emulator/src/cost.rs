//! The query cost limit: depth, aliases, selections after fragment expansion and an
//! estimated response size, computed on the validated document before it executes.
//!
//! Fragment expansion is counted with memoisation (one pass per fragment), so the analysis
//! stays linear in the document's size even when expanding it would be exponential.

use std::collections::HashMap;

use apollo_compiler::executable::{Fragment, Operation, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Name, Schema};

/// The limits a request must stay within. Every operation in `queries/`, every recorded
/// official request, `labelbox schema pull`'s introspection query and a 10,000-key listing
/// pass with a wide margin (tests: `tests/it/limits.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CostLimits {
    /// Deepest field nesting (the introspection query reaches 14).
    pub max_depth: u32,
    /// Aliased fields after fragment expansion (no known operation uses any).
    pub max_aliases: u64,
    /// Fields after fragment expansion (the introspection query has 199).
    pub max_selections: u64,
    /// Fields written in the whole document, checked on the syntax tree before validation
    /// (which takes seconds for a document of 200,000 fields): twice `max_selections`, for
    /// documents that hold several operations (the introspection query has 63).
    pub max_document_fields: u64,
    /// Estimated JSON values in the response: each field's value counts once per element of
    /// every list above it (a 10,000-key listing estimates 220,000; introspection 45,000).
    /// 500,000 values is about 15 MB of JSON, 150 MB of memory while it is built and 3 s
    /// of a debug build's time.
    pub max_response_values: u64,
    /// Estimated bytes of the JSON response (see `Cost::response_bytes`): values alone do
    /// not bound an answer's size, as key names may be long. A 10,000-key listing with
    /// 1,000-character names estimates about 26 MB, the introspection query 44 MB (its
    /// strings are estimated at the schema's longest description); 128 MiB bounds what one
    /// answer may take while it is built.
    pub max_response_bytes: u64,
}

impl Default for CostLimits {
    fn default() -> Self {
        Self {
            max_depth: 24,
            max_aliases: 64,
            max_selections: 1_000,
            max_document_fields: 2_000,
            max_response_values: 500_000,
            max_response_bytes: 128 * 1024 * 1024,
        }
    }
}

/// The message Labelbox answers with (the official SDK maps it to its own error class).
pub const COMPLEXITY_MESSAGE: &str = "Query complexity limit exceeded";

/// Fragment spreads and fields nested deeper than this stop the analysis (a long chain of
/// fragments would otherwise recurse once per fragment).
const MAX_NESTING: u32 = 128;

/// List sizes used by the estimate: the schema's own (for introspection) and the state's.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListSizes {
    /// (parent type, field) -> elements, for introspection lists (maxima over the schema).
    introspection: std::sync::Arc<HashMap<(&'static str, &'static str), u64>>,
    /// The state's sizes: stored keys (the upper bound of `apiKeys` and
    /// `apiKeysOtherUsers`), users, the longest allowlist, and the bytes of its strings.
    pub state: crate::state::StateCounts,
    /// The schema's longest name or description, in JSON bytes.
    schema_string_bytes: u64,
}

/// JSON bytes assumed for a string of the schema or state when none is longer.
const MIN_STRING_BYTES: u64 = 64;

/// Elements assumed for a list field the emulator does not know (none today).
const UNKNOWN_LIST: u64 = 100;
/// Most permissions of any role, and most allowlist entries.
const PERMISSIONS_LIST: u64 = 64;

impl ListSizes {
    /// The introspection maxima of `schema`; `keys` and `users` are set per request.
    pub fn for_schema(schema: &Schema) -> Self {
        let mut fields = 0;
        let mut args = 0;
        let mut enum_values = 0;
        let mut input_fields = 0;
        let mut interfaces = 0;
        let mut possible = 0;
        for ty in schema.types.values() {
            match ty {
                ExtendedType::Object(o) => {
                    fields = fields.max(o.fields.len());
                    interfaces = interfaces.max(o.implements_interfaces.len());
                    for f in o.fields.values() {
                        args = args.max(f.arguments.len());
                    }
                }
                ExtendedType::Interface(i) => {
                    fields = fields.max(i.fields.len());
                    interfaces = interfaces.max(i.implements_interfaces.len());
                    // Implementers: bounded by the number of types.
                    possible = possible.max(schema.types.len());
                    for f in i.fields.values() {
                        args = args.max(f.arguments.len());
                    }
                }
                ExtendedType::Union(u) => possible = possible.max(u.members.len()),
                ExtendedType::Enum(e) => enum_values = enum_values.max(e.values.len()),
                ExtendedType::InputObject(i) => input_fields = input_fields.max(i.fields.len()),
                ExtendedType::Scalar(_) => {}
            }
        }
        let mut directive_args = 0;
        let mut locations = 0;
        for d in schema.directive_definitions.values() {
            directive_args = directive_args.max(d.arguments.len());
            locations = locations.max(d.locations.len());
        }
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX).max(1);
        let introspection = HashMap::from([
            (("__Schema", "types"), n(schema.types.len())),
            (
                ("__Schema", "directives"),
                n(schema.directive_definitions.len()),
            ),
            (("__Type", "fields"), n(fields)),
            (("__Type", "interfaces"), n(interfaces)),
            (("__Type", "possibleTypes"), n(possible)),
            (("__Type", "enumValues"), n(enum_values)),
            (("__Type", "inputFields"), n(input_fields)),
            (("__Field", "args"), n(args)),
            (("__Directive", "args"), n(directive_args)),
            (("__Directive", "locations"), n(locations)),
        ]);
        let mut schema_string = 0;
        let mut text = |s: &str| schema_string = schema_string.max(s.len());
        for (name, ty) in &schema.types {
            text(name.as_str());
            if let Some(d) = ty.description() {
                text(d.as_str());
            }
            if let ExtendedType::Object(o) = ty {
                for (name, f) in &o.fields {
                    text(name.as_str());
                    if let Some(d) = &f.description {
                        text(d.as_str());
                    }
                }
            }
        }
        // Escaping can at most double a description's common characters (quotes and
        // backslashes, line breaks), plus the quotes.
        let schema_string_bytes = n(schema_string).saturating_mul(2).saturating_add(2);
        Self {
            introspection: std::sync::Arc::new(introspection),
            state: crate::state::StateCounts::default(),
            schema_string_bytes,
        }
    }

    /// These sizes with the lists of keys and users of a state of `counts`.
    pub fn with_counts(&self, counts: crate::state::StateCounts) -> Self {
        Self {
            introspection: std::sync::Arc::clone(&self.introspection),
            state: counts,
            schema_string_bytes: self.schema_string_bytes,
        }
    }

    /// JSON bytes (at most) of one value of the leaf field `field` of `parent`, of type `ty`
    /// (an `ApiKey`'s name is counted apart: [`Cost::key_names`]).
    fn leaf_bytes(&self, parent: &str, field: &str, ty: &str) -> u64 {
        match (field, ty) {
            (_, "Boolean") => 5,
            (_, "Int") => 11,
            (_, "Float") => 24,
            // `"2024-01-01T00:00:00.000Z"`.
            ("createdAt" | "updatedAt" | "lastLoginAt", _) => 26,
            // A canonical address or network: at most 43 characters.
            ("allowedIpCidrs", _) if parent == "ApiKey" => 45,
            _ if parent.starts_with("__") => self.schema_string_bytes.max(MIN_STRING_BYTES),
            // The state's strings, and the built-in roles' (ids, names, permissions:
            // all shorter than the minimum).
            _ => self.state.longest_string_bytes.max(MIN_STRING_BYTES),
        }
    }

    /// Elements assumed for the list field `field` of `parent`.
    fn list_len(&self, parent: &str, field: &str) -> u64 {
        if let Some(n) = self.introspection.get(&(parent, field)) {
            return *n;
        }
        match (parent, field) {
            ("User", "apiKeys" | "apiKeysOtherUsers") => self.state.keys.max(1),
            ("Organization" | "Query", "users") => self.state.users.max(1),
            // A page of invites, and one invite request's results.
            ("InviteConnection", "nodes") => {
                u64::try_from(crate::invites::MAX_PAGE_SIZE).unwrap_or(u64::MAX)
            }
            ("InviteMembersResult", "results") | ("Mutation", "createInvites") => {
                u64::try_from(crate::invites::MAX_BULK_EMAILS).unwrap_or(u64::MAX)
            }
            // The emulator has no projects.
            ("Invite", "projectInvites") => 1,
            ("Query", "roles") => {
                u64::try_from(crate::roles::builtin_roles().len()).unwrap_or(u64::MAX)
            }
            ("Role" | "OrganizationRole", "permissions") => PERMISSIONS_LIST,
            ("ApiKey", "allowedIpCidrs") => self.state.allowlist.max(1),
            _ => UNKNOWN_LIST,
        }
    }
}

/// What the analysis measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    pub depth: u32,
    pub aliases: u64,
    pub selections: u64,
    pub response_values: u64,
    /// Estimated bytes of the response's JSON: the response keys written and each value's
    /// longest possible JSON (keys' names apart, see `key_names`).
    pub response_bytes: u64,
    /// `name` fields of `ApiKey` objects outside any list of keys, each counted at the
    /// longest stored name once the walk is done (within a list of keys, all the listed
    /// names together count once per `name` selected).
    key_names: u64,
}

impl Cost {
    /// Adds a sibling's cost (same level).
    fn add(&mut self, other: Cost) {
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.selections = self.selections.saturating_add(other.selections);
        self.response_values = self.response_values.saturating_add(other.response_values);
        self.response_bytes = self.response_bytes.saturating_add(other.response_bytes);
        self.key_names = self.key_names.saturating_add(other.key_names);
    }

    /// The first limit this cost breaks, described for `extensions.reason`.
    pub fn exceeds(&self, limits: &CostLimits) -> Option<String> {
        if self.depth > limits.max_depth {
            return Some(format!("depth {} exceeds {}", self.depth, limits.max_depth));
        }
        if self.aliases > limits.max_aliases {
            return Some(format!(
                "{} aliases exceed {}",
                self.aliases, limits.max_aliases
            ));
        }
        if self.selections > limits.max_selections {
            return Some(format!(
                "{} selections (after fragment expansion) exceed {}",
                self.selections, limits.max_selections
            ));
        }
        if self.response_values > limits.max_response_values {
            return Some(format!(
                "an estimated {} response values exceed {}",
                self.response_values, limits.max_response_values
            ));
        }
        if self.response_bytes > limits.max_response_bytes {
            return Some(format!(
                "an estimated {} response bytes exceed {}",
                self.response_bytes, limits.max_response_bytes
            ));
        }
        None
    }
}

/// The analysis stopped: fragments or fields nested deeper than [`MAX_NESTING`].
#[derive(Debug)]
pub(crate) struct TooNested;

struct Walker<'a> {
    doc: &'a ExecutableDocument,
    sizes: &'a ListSizes,
    memo: HashMap<&'a Name, Cost>,
    nesting: u32,
}

impl<'a> Walker<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Cost, TooNested> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(TooNested);
        }
        let mut total = Cost::default();
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let child = self.selection_set(&field.selection_set)?;
                    let parent = set.ty.as_str();
                    let elements = if field.ty().is_list() {
                        self.sizes.list_len(parent, field.name.as_str())
                    } else {
                        1
                    };
                    // `"key":` and a comma.
                    let key_bytes = u64::try_from(field.response_key().as_str().len())
                        .unwrap_or(u64::MAX)
                        .saturating_add(4);
                    let leaf = field.selection_set.selections.is_empty();
                    let key_list = parent == "User"
                        && matches!(field.name.as_str(), "apiKeys" | "apiKeysOtherUsers");
                    let each = |bytes: u64| elements.saturating_mul(bytes.saturating_add(3));
                    let (value_bytes, key_names) =
                        if leaf && parent == "ApiKey" && field.name == "name" {
                            (0, elements)
                        } else if leaf {
                            let ty = field.ty().inner_named_type().as_str();
                            (
                                each(self.sizes.leaf_bytes(parent, field.name.as_str(), ty)),
                                0,
                            )
                        } else if key_list {
                            // Each listed key at most once: all listed names per `name`.
                            let names = child
                                .key_names
                                .saturating_mul(self.sizes.state.listed_name_bytes);
                            (each(child.response_bytes).saturating_add(names), 0)
                        } else {
                            (
                                each(child.response_bytes),
                                elements.saturating_mul(child.key_names),
                            )
                        };
                    total.add(Cost {
                        depth: child.depth.saturating_add(1),
                        aliases: child
                            .aliases
                            .saturating_add(u64::from(field.alias.is_some())),
                        selections: child.selections.saturating_add(1),
                        response_values: elements
                            .saturating_mul(child.response_values.saturating_add(1)),
                        response_bytes: key_bytes.saturating_add(value_bytes),
                        key_names,
                    });
                }
                Selection::FragmentSpread(spread) => {
                    let cost = self.fragment(&spread.fragment_name)?;
                    total.add(cost);
                }
                Selection::InlineFragment(inline) => {
                    let cost = self.selection_set(&inline.selection_set)?;
                    total.add(cost);
                }
            }
        }
        self.nesting -= 1;
        Ok(total)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<Cost, TooNested> {
        if let Some(cost) = self.memo.get(name) {
            return Ok(*cost);
        }
        // Validation guarantees the fragment exists and that fragments form no cycle.
        let Some(fragment): Option<&'a apollo_compiler::Node<Fragment>> =
            self.doc.fragments.get(name)
        else {
            return Ok(Cost::default());
        };
        let cost = self.selection_set(&fragment.selection_set)?;
        self.memo.insert(name, cost);
        Ok(cost)
    }
}

/// The cost of `operation` of `doc` (a validated document).
pub(crate) fn measure(
    doc: &ExecutableDocument,
    operation: &Operation,
    sizes: &ListSizes,
) -> Result<Cost, TooNested> {
    let mut walker = Walker {
        doc,
        sizes,
        memo: HashMap::new(),
        nesting: 0,
    };
    let mut cost = walker.selection_set(&operation.selection_set)?;
    // `{"data":...}`, and the names of keys outside lists at the longest stored name.
    cost.response_bytes = cost.response_bytes.saturating_add(10).saturating_add(
        cost.key_names
            .saturating_mul(sizes.state.longest_name_bytes),
    );
    cost.key_names = 0;
    Ok(cost)
}

/// The fields written in `doc` (operations and fragments, not expanded), counted up to
/// `stop_after` (the count stops growing past it).
pub(crate) fn document_fields(doc: &apollo_compiler::ast::Document, stop_after: u64) -> u64 {
    use apollo_compiler::ast::{Definition, Selection as AstSelection};
    let mut stack: Vec<&[AstSelection]> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::OperationDefinition(op) => Some(op.selection_set.as_slice()),
            Definition::FragmentDefinition(f) => Some(f.selection_set.as_slice()),
            _ => None,
        })
        .collect();
    let mut fields = 0u64;
    while let Some(set) = stack.pop() {
        for selection in set {
            match selection {
                AstSelection::Field(f) => {
                    fields += 1;
                    if fields > stop_after {
                        return fields;
                    }
                    stack.push(&f.selection_set);
                }
                AstSelection::InlineFragment(i) => stack.push(&i.selection_set),
                AstSelection::FragmentSpread(_) => {}
            }
        }
    }
    fields
}

/// The distinct response keys at the root of `operation` (fragments expanded): for a
/// mutation, how many mutations it runs. Call it only on an operation within the limits
/// (the expansion is not memoised).
pub(crate) fn root_fields(doc: &ExecutableDocument, operation: &Operation) -> u64 {
    fn collect<'d>(
        doc: &'d ExecutableDocument,
        set: &'d SelectionSet,
        keys: &mut std::collections::HashSet<&'d Name>,
    ) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    keys.insert(field.response_key());
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.fragment_name) {
                        collect(doc, &fragment.selection_set, keys);
                    }
                }
                Selection::InlineFragment(inline) => collect(doc, &inline.selection_set, keys),
            }
        }
    }
    let mut keys = std::collections::HashSet::new();
    collect(doc, &operation.selection_set, &mut keys);
    u64::try_from(keys.len()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_file(path: &str) -> String {
        let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
    }

    fn cost_of(query: &str, keys: u64) -> Cost {
        let schema = Schema::parse_and_validate(
            include_str!("../schema/labelbox.graphql"),
            "schema.graphql",
        )
        .expect("schema");
        let mut sizes = ListSizes::for_schema(&schema);
        sizes.state.keys = keys;
        sizes.state.users = 8;
        sizes.state.allowlist = 1;
        // The largest strings the emulator stores: every key named with 1,000 characters
        // (1,002 JSON bytes with the quotes), emails and ids well under 256.
        sizes.state.listed_name_bytes = keys * 1_002;
        sizes.state.longest_name_bytes = 1_002;
        sizes.state.longest_string_bytes = 256;
        let doc = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql")
            .unwrap_or_else(|e| panic!("{e}"));
        let op = doc.operations.iter().next().expect("an operation");
        measure(&doc, op, &sizes).expect("not too nested")
    }

    /// The known operations use at most half of each limit (the margin the limits keep).
    #[test]
    fn known_operations_stay_within_half_of_each_limit() {
        let limits = CostLimits::default();
        let mut documents: Vec<(String, String, u64)> = vec![(
            "introspection".into(),
            repo_file("crates/labelbox-schema-tools/graphql/introspection.graphql"),
            10,
        )];
        let dir = format!("{}/../../queries", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            // The listing with 10,000 keys stored.
            documents.push((path.display().to_string(), text, 10_001));
        }
        for (name, text, keys) in documents {
            let ast = apollo_compiler::ast::Document::parse(&text, "q.graphql").unwrap();
            let written = document_fields(&ast, u64::MAX);
            println!("{name}: {written} fields written");
            assert!(written * 2 <= limits.max_document_fields, "{name}");
            let cost = cost_of(&text, keys);
            println!("{name}: {cost:?}");
            assert!(cost.depth + 8 <= limits.max_depth, "{name}: {cost:?}");
            assert!(cost.aliases * 2 <= limits.max_aliases, "{name}: {cost:?}");
            assert!(
                cost.selections * 2 <= limits.max_selections,
                "{name}: {cost:?}"
            );
            assert!(
                cost.response_values * 2 <= limits.max_response_values,
                "{name}: {cost:?}"
            );
            assert!(
                cost.response_bytes * 2 <= limits.max_response_bytes,
                "{name}: {cost:?}"
            );
        }
    }
}
