//! Syntax and validation errors worded as graphql-js (the reference implementation, whose
//! wording the Labelbox API answers with and the official SDK expects) words them.
//!
//! Validation messages come from apollo-compiler's graphql-js compatibility wording
//! (`unstable_to_json_compat`, pinned by `Cargo.lock`; `tests/it/graphql_errors.rs` holds one
//! test per wording, so an upgrade that changes one fails there). Syntax errors are
//! graphql-js's `Syntax Error: Unexpected <token>.`, naming the token where parsing failed.
//! The first error is the most relevant: an unknown name (field, argument, type, variable,
//! fragment) comes before the errors it causes, and a selection set left empty only because
//! its fields are unknown is not reported as missing.

use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::parser::LineColumn;
use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::DiagnosticList;
use apollo_compiler::Schema;

/// The most validation errors one answer reports (graphql-js's `maxErrors`).
pub(crate) const MAX_REPORTED_ERRORS: usize = 100;

/// The error that follows the first [`MAX_REPORTED_ERRORS`] when there were more (graphql-js's
/// wording).
pub(crate) const TOO_MANY_ERRORS: &str =
    "Too many validation errors, error limit reached. Validation aborted.";

/// The errors of the document `query` that did not validate against `schema`, most relevant
/// first: at most [`MAX_REPORTED_ERRORS`], then [`TOO_MANY_ERRORS`] if there were more.
pub(crate) fn validation_errors(
    list: &DiagnosticList,
    schema: &Schema,
    query: &str,
) -> Vec<GraphQLError> {
    let diagnostics: Vec<_> = list.iter().collect();
    let span = |d: &apollo_compiler::diagnostic::Diagnostic<'_, _>| {
        ToCliReport::location(d.error).map(|s| (s.offset(), s.end_offset()))
    };
    let unknown: Vec<(usize, usize)> = diagnostics
        .iter()
        .filter(|d| is_unknown_name(d.error.unstable_error_name()))
        .filter_map(&span)
        .collect();
    let mut ranked: Vec<(u8, &apollo_compiler::diagnostic::Diagnostic<'_, _>)> = diagnostics
        .iter()
        .filter(|d| {
            // A selection set that is empty because its fields are unknown is not missing.
            d.error.unstable_error_name() != Some("MissingSubselection")
                || !span(d).is_some_and(|(start, end)| {
                    unknown.iter().any(|&(s, e)| start <= s && e <= end)
                })
        })
        .map(|d| {
            let rank = match d.error.unstable_error_name() {
                name if is_unknown_name(name) => 0,
                Some("MissingSubselection") => 2,
                _ => 1,
            };
            (rank, d)
        })
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let dropped = ranked.len() > MAX_REPORTED_ERRORS;
    // Only the errors reported are worded (graphql-js stops validating at its 100th).
    let mut errors: Vec<GraphQLError> = ranked
        .into_iter()
        .take(MAX_REPORTED_ERRORS)
        .map(|(_, d)| {
            let mut error = d.unstable_to_json_compat();
            if let Some(message) = reworded(d, schema, query) {
                error.message = message;
            }
            error
        })
        .collect();
    if dropped {
        errors.push(GraphQLError::new(
            TOO_MANY_ERRORS,
            None,
            &Default::default(),
        ));
    }
    errors
}

/// graphql-js's wording where apollo-compiler's compatibility wording differs from it:
/// a missing selection set names the field's type (not its parent's), and a variable of the
/// wrong type inside an input object is a variable in the wrong position (not a value).
fn reworded(
    d: &apollo_compiler::diagnostic::Diagnostic<'_, apollo_compiler::validation::DiagnosticData>,
    schema: &Schema,
    query: &str,
) -> Option<String> {
    let compat = d.error.unstable_compat_message()?;
    match d.error.unstable_error_name()? {
        "MissingSubselection" => {
            // `Field "user" of type "Query" must have ...`: the parent type and the field.
            let mut quoted = compat.split('"').skip(1).step_by(2);
            let (field, parent) = (quoted.next()?, quoted.next()?);
            let ty = &schema.type_field(parent, field).ok()?.ty;
            Some(format!(
                r#"Field "{field}" of type "{ty}" must have a selection of subfields. Did you mean "{field} {{ ... }}"?"#
            ))
        }
        "UnsupportedValueType" => {
            // `ID cannot represent value: $id`, natively `expected value of type ID!, found a
            // variable`.
            let variable = compat.rsplit_once("cannot represent value: $")?.1;
            let native = d.error.to_string();
            let expected = native
                .strip_prefix("expected value of type ")?
                .strip_suffix(", found a variable")?;
            let declared = variable_type(query, variable)?;
            Some(format!(
                r#"Variable "${variable}" of type "{declared}" used in position expecting type "{expected}"."#
            ))
        }
        _ => None,
    }
}

/// The declared type of the variable `name` in `query` (its first operation declaring it).
fn variable_type(query: &str, name: &str) -> Option<String> {
    let document = apollo_compiler::ast::Document::parse(query, "request.graphql").ok()?;
    document
        .definitions
        .iter()
        .find_map(|definition| match definition {
            apollo_compiler::ast::Definition::OperationDefinition(operation) => operation
                .variables
                .iter()
                .find(|v| v.name == name)
                .map(|v| v.ty.to_string()),
            _ => None,
        })
}

fn is_unknown_name(name: Option<&str>) -> bool {
    matches!(
        name,
        Some(
            "UndefinedField"
                | "UndefinedDefinition"
                | "UndefinedArgument"
                | "UndefinedVariable"
                | "UndefinedFragment"
                | "UndefinedDirective"
                | "UndefinedInputValue"
                | "UndefinedTypeInNamedFragmentTypeCondition"
                | "UndefinedTypeInInlineFragmentTypeCondition"
        )
    )
}

/// The syntax error of a document that did not parse, as graphql-js reports its first one:
/// `Syntax Error: Unexpected Name "asda".`, with the token's line and column.
pub(crate) fn syntax_error(list: &DiagnosticList, query: &str) -> GraphQLError {
    let first = list.iter().next();
    let offset = first
        .as_ref()
        .and_then(|d| ToCliReport::location(d.error))
        .map_or(query.len(), |s| s.offset())
        .min(query.len());
    let (token, at) = token_at(query, offset);
    let (line, column) = line_column(query, at);
    GraphQLError {
        message: format!("Syntax Error: Unexpected {token}."),
        locations: vec![LineColumn { line, column }],
        path: Vec::new(),
        extensions: Default::default(),
    }
}

/// The token starting at (or first after) `offset`, described as graphql-js describes it,
/// and where it starts.
fn token_at(query: &str, offset: usize) -> (String, usize) {
    let rest = &query[offset..];
    let skipped = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}')
            .len();
    let at = offset + skipped;
    let rest = &query[at..];
    let Some(first) = rest.chars().next() else {
        return ("<EOF>".to_owned(), at);
    };
    let word = |pred: fn(char) -> bool| -> &str {
        let end = rest.find(|c: char| !pred(c)).unwrap_or(rest.len());
        &rest[..end]
    };
    let token = if first == '_' || first.is_ascii_alphabetic() {
        format!(
            "Name \"{}\"",
            word(|c| c == '_' || c.is_ascii_alphanumeric())
        )
    } else if first == '-' || first.is_ascii_digit() {
        let number = word(|c| c == '-' || c == '+' || c == '.' || c.is_ascii_alphanumeric());
        let kind = if number.contains(['.', 'e', 'E']) {
            "Float"
        } else {
            "Int"
        };
        format!("{kind} \"{number}\"")
    } else if first == '"' {
        "String".to_owned()
    } else if rest.starts_with("...") {
        "\"...\"".to_owned()
    } else {
        format!("\"{first}\"")
    };
    (token, at)
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
