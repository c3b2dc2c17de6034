//! The schema is the contract: every request the official Python SDK sends validates against
//! `schema/labelbox.graphql` (and its variables coerce), every document in `queries/`
//! validates, and every root field of every official request appears, with the same
//! arguments, input fields and selections, in one of our documents.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use apollo_compiler::ast::{OperationType, Value};
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};
use apollo_compiler::request::coerce_variable_values;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema() -> Valid<Schema> {
    let path = workspace().join("schema/labelbox.graphql");
    let sdl = std::fs::read_to_string(&path).unwrap();
    Schema::parse_and_validate(sdl, &path).unwrap_or_else(|e| panic!("schema invalid:\n{e}"))
}

/// One recorded request of the official SDK.
struct Recorded {
    sdk_call: String,
    /// The operation's name; `None` in the invite recordings, which name only the call
    /// (their documents hold one operation each).
    operation: Option<String>,
    query: String,
    variables: serde_json::Value,
}

/// The recordings of the official SDK: its key workflows, its member operations
/// (`user.org_role()`, `user.organization()`, `organization.users()`,
/// `user.update_org_role(role)`, `organization.remove_user(user)`), and its invite and user
/// look-up operations (`client.get_users(...)`, `org.invite_user`, `org.invite_users`,
/// `org.invite_limit`, `org.get_invites`, `invite.cancel`), recorded as `{"call", "query",
/// "variables"}`.
const RECORDINGS: [&str; 3] = [
    "official-python-sdk-requests.jsonl",
    "official-python-sdk-members.jsonl",
    "official-python-sdk-invites.jsonl",
];

fn recorded_requests() -> Vec<Recorded> {
    let text: String = RECORDINGS
        .iter()
        .map(|file| {
            std::fs::read_to_string(workspace().join("tests/fixtures").join(file)).unwrap() + "\n"
        })
        .collect();
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| value[name].as_str().map(str::to_owned);
            Recorded {
                sdk_call: field("sdk_call")
                    .or_else(|| field("call"))
                    .unwrap_or_else(|| panic!("a recording without its call: {line}")),
                operation: field("operation"),
                query: field("query").unwrap(),
                variables: value["variables"].clone(),
            }
        })
        .collect()
}

fn our_documents(schema: &Valid<Schema>) -> Vec<(PathBuf, Valid<ExecutableDocument>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join("queries"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "graphql"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the operation documents, found {files:?}"
    );
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let document = ExecutableDocument::parse_and_validate(schema, text, &file)
                .unwrap_or_else(|e| panic!("{} is invalid:\n{e}", file.display()));
            (file, document)
        })
        .collect()
}

#[test]
fn the_fixture_is_the_shared_reference() {
    // The committed copy must not drift from the reference it was copied from, when the
    // reference is there to compare with.
    for file in RECORDINGS {
        let shared = workspace().join("../shared/reference").join(file);
        if let Ok(reference) = std::fs::read_to_string(shared) {
            let copy =
                std::fs::read_to_string(workspace().join("tests/fixtures").join(file)).unwrap();
            assert_eq!(
                copy, reference,
                "tests/fixtures/{file} differs from shared/reference"
            );
        }
    }
}

#[test]
fn every_recorded_official_request_validates_and_its_variables_coerce() {
    let schema = schema();
    let requests = recorded_requests();
    assert!(
        requests.len() >= 20,
        "only {} recorded requests",
        requests.len()
    );
    let mut failures = String::new();
    for (index, request) in requests.iter().enumerate() {
        let name = format!(
            "request {} ({} / {})",
            index + 1,
            request.sdk_call,
            request.operation.as_deref().unwrap_or("-")
        );
        let document = match ExecutableDocument::parse_and_validate(
            &schema,
            request.query.as_str(),
            format!("{name}.graphql"),
        ) {
            Ok(document) => document,
            Err(errors) => {
                let _ = writeln!(failures, "{name} does not validate:\n{errors}");
                continue;
            }
        };
        let operation = match document.operations.get(request.operation.as_deref()) {
            Ok(operation) => operation,
            Err(_) => {
                let _ = writeln!(failures, "{name}: no such operation");
                continue;
            }
        };
        let variables: JsonMap = match &request.variables {
            serde_json::Value::Null => JsonMap::new(),
            other => serde_json::from_value(other.clone()).unwrap(),
        };
        if let Err(error) = coerce_variable_values(&schema, operation, &variables) {
            let _ = writeln!(
                failures,
                "{name}: variables do not coerce: {}",
                error.message()
            );
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn every_document_in_queries_validates() {
    let schema = schema();
    let documents = our_documents(&schema);
    for (file, document) in &documents {
        assert!(
            document.operations.named.len() + usize::from(document.operations.anonymous.is_some())
                >= 1,
            "{} holds no operation",
            file.display()
        );
        assert!(
            document.operations.anonymous.is_none(),
            "{} has an anonymous operation",
            file.display()
        );
    }
}

/// The shape of one root field: its name and alias, its arguments (variables reduced to
/// their declared type, literals kept), and its selections with fragments inlined, sorted.
fn field_shape(field: &Field, operation: &Operation, document: &ExecutableDocument) -> String {
    let mut shape = String::new();
    if let Some(alias) = &field.alias {
        let _ = write!(shape, "{alias}: ");
    }
    shape.push_str(field.name.as_str());
    if !field.arguments.is_empty() {
        let mut arguments: Vec<String> = field
            .arguments
            .iter()
            .map(|argument| {
                format!(
                    "{}: {}",
                    argument.name,
                    value_shape(&argument.value, operation)
                )
            })
            .collect();
        arguments.sort();
        let _ = write!(shape, "({})", arguments.join(", "));
    }
    let selections = selection_set_shape(&field.selection_set, operation, document);
    if !selections.is_empty() {
        let _ = write!(
            shape,
            " {{ {} }}",
            selections.into_iter().collect::<Vec<_>>().join(" ")
        );
    }
    shape
}

fn selection_set_shape(
    set: &SelectionSet,
    operation: &Operation,
    document: &ExecutableDocument,
) -> BTreeSet<String> {
    let mut shapes = BTreeSet::new();
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                shapes.insert(field_shape(field, operation, document));
            }
            Selection::FragmentSpread(spread) => {
                let fragment = &document.fragments[&spread.fragment_name];
                shapes.extend(selection_set_shape(
                    &fragment.selection_set,
                    operation,
                    document,
                ));
            }
            Selection::InlineFragment(inline) => {
                shapes.extend(selection_set_shape(
                    &inline.selection_set,
                    operation,
                    document,
                ));
            }
        }
    }
    shapes
}

fn value_shape(value: &Value, operation: &Operation) -> String {
    match value {
        Value::Variable(name) => {
            let declared = operation
                .variables
                .iter()
                .find(|variable| variable.name == *name)
                .map(|variable| variable.ty.to_string())
                .unwrap_or_else(|| "undeclared".to_owned());
            format!("${declared}")
        }
        Value::Object(fields) => {
            let mut fields: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{name}: {}", value_shape(value, operation)))
                .collect();
            fields.sort();
            format!("{{{}}}", fields.join(", "))
        }
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|item| value_shape(item, operation))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn root_shapes(operation: &Operation, document: &ExecutableDocument) -> Vec<String> {
    let kind = match operation.operation_type {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    let mut shapes = Vec::new();
    for selection in &operation.selection_set.selections {
        match selection {
            Selection::Field(field) => {
                shapes.push(format!(
                    "{kind} {}",
                    field_shape(field, operation, document)
                ));
            }
            other => panic!("root selections are fields in these documents, found {other:?}"),
        }
    }
    shapes
}

#[test]
fn every_official_root_field_has_the_same_shape_in_one_of_our_documents() {
    let schema = schema();
    let mut ours = BTreeSet::new();
    for (_, document) in our_documents(&schema) {
        for operation in document.operations.iter() {
            ours.extend(root_shapes(operation, &document));
        }
    }
    let mut missing = BTreeSet::new();
    let mut checked = BTreeSet::new();
    for request in recorded_requests() {
        let document = ExecutableDocument::parse_and_validate(
            &schema,
            request.query.as_str(),
            "official.graphql",
        )
        .unwrap();
        for operation in document.operations.iter() {
            for shape in root_shapes(operation, &document) {
                checked.insert(shape.clone());
                if !ours.contains(&shape) {
                    missing.insert(format!(
                        "{} ({}): {shape}",
                        request.operation.as_deref().unwrap_or("-"),
                        request.sdk_call
                    ));
                }
            }
        }
    }
    // get_api_keys, get_user (with and without id), revoke, organization, organization users,
    // permissions, roles, create; a user's role and organization, the member listing,
    // setting a role, removing a member.
    for member_operation in [
        "orgRole { id name }",
        "organization { createdAt id name updatedAt }",
        "users(first: 100, skip: 0)",
        "setOrganizationRole(data: {roleId: $ID!, userId: $ID!}) { id name }",
        "updateUser(data: {deleted: true}, where: {id: $ID!}) { deleted id }",
        // The invite recordings: users by email (root), invite one, invite many, the
        // limit, the listing's page, cancelling.
        "query users(first: 100, skip: 0, where: {email: $String!})",
        "createInvites(data: $[CreateInviteInput!]) { invite {",
        "inviteMembers(data: $InviteMembersInput!) { results { email inviteId reason status } }",
        "invitesLimit(where: {id: $ID!}) { limit remaining used }",
        "invites(first: $PageSize, from: $ID) { nextCursor nodes {",
        "cancelInvite(where: $WhereUniqueIdInput!) { id }",
    ] {
        assert!(
            checked.iter().any(|shape| shape.contains(member_operation)),
            "no recorded official request has {member_operation}: {checked:#?}"
        );
    }
    assert!(
        checked.len() >= 20,
        "only {} official root fields: {checked:#?}",
        checked.len()
    );
    assert!(
        missing.is_empty(),
        "official root fields with no same-shaped root field in queries/:\n{}\n\nours:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n"),
        ours.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_shape_comparison_notices_a_difference() {
    // Guards the test above against comparing nothing: changing an argument, a literal, a
    // variable's type or a selection changes the shape; renaming a variable does not.
    let schema = schema();
    let shape = |query: &str| {
        let document = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql").unwrap();
        let operation = document.operations.iter().next().unwrap();
        root_shapes(operation, &document)
    };
    let base = shape("query A($e: String!) { organization { users(where: {email: $e}, skip: 0, first: 100) { id } } }");
    assert_eq!(
        base,
        shape("query B($other: String!) { organization { users(first: 100, where: {email: $other}, skip: 0) { ...F } } } fragment F on User { id }")
    );
    for different in [
        "query A($e: String!) { organization { users(where: {email: $e}, skip: 0, first: 50) { id } } }",
        "query A($e: String) { organization { users(where: {email: $e}, skip: 0, first: 100) { id } } }",
        "query A($e: String!) { organization { users(where: {email: $e}, skip: 0) { id } } }",
        "query A($e: String!) { organization { users(where: {email: $e}, skip: 0, first: 100) { id name } } }",
    ] {
        assert_ne!(base, shape(different), "{different}");
    }
}

#[test]
fn variable_coercion_rejects_wrong_values() {
    // Guards the coercion check above against being a no-op.
    let schema = schema();
    let document = ExecutableDocument::parse_and_validate(
        &schema,
        "mutation M($n: String!, $s: Int) { createApiKey(data: {name: $n, targetUserEmailId: $n, validitySeconds: $s}) { id } }",
        "m.graphql",
    )
    .unwrap();
    let operation = document.operations.iter().next().unwrap();
    let coerce = |json: &str| {
        let values: JsonMap = serde_json::from_str(json).unwrap();
        coerce_variable_values(&schema, operation, &values).map(|_| ())
    };
    assert!(coerce(r#"{"n": "ci", "s": 60}"#).is_ok());
    assert!(coerce(r#"{"n": "ci", "s": "sixty"}"#).is_err());
    assert!(coerce(r#"{"s": 60}"#).is_err());
}
