//! Validation with apollo-compiler: the schema, then each operation document against it.

use std::path::{Path, PathBuf};

use apollo_compiler::ast::{self, Definition};
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};

use crate::{Diagnostic, Diagnostics, SchemaSource};

/// A schema that passed validation, with its text.
pub(crate) struct ValidatedSchema {
    pub(crate) schema: Valid<Schema>,
    pub(crate) text: String,
}

/// An operation document that passed validation.
#[derive(Debug)]
pub(crate) struct ValidatedDocument {
    pub(crate) file: PathBuf,
    /// The text sent over the wire: the parsed document serialised back, definitions and
    /// selections as written, without comments or insignificant whitespace.
    pub(crate) wire_text: String,
    /// The names of its operations, in document order.
    pub(crate) operations: Vec<String>,
    /// The kind of each named operation.
    pub(crate) kinds: std::collections::BTreeMap<String, ast::OperationType>,
}

impl ValidatedDocument {
    /// The kind (query, mutation, subscription) of the operation named `operation`.
    pub(crate) fn kind_of(&self, operation: &str) -> ast::OperationType {
        self.kinds
            .get(operation)
            .copied()
            .unwrap_or(ast::OperationType::Query)
    }
}

pub(crate) fn validate_schema(source: &SchemaSource) -> Result<ValidatedSchema, Diagnostics> {
    let text = source.text()?;
    let name = source.display_name();
    match Schema::parse_and_validate(text.as_str(), &name) {
        Ok(schema) => Ok(ValidatedSchema { schema, text }),
        Err(with_errors) => {
            let mut diagnostics = Diagnostics::new();
            let context = DocumentContext {
                spans: &[],
                variables: &[],
            };
            for diagnostic in convert(&with_errors.errors, &name, &context) {
                diagnostics.push(diagnostic);
            }
            Err(diagnostics)
        }
    }
}

/// Where each definition of a document starts and ends, to name the one an error is in.
struct DefinitionSpan {
    start: usize,
    end: usize,
    label: String,
}

pub(crate) fn validate_document(
    schema: &Valid<Schema>,
    file: &Path,
) -> Result<ValidatedDocument, Diagnostics> {
    let text = std::fs::read_to_string(file).map_err(|error| {
        Diagnostic::new(format!("cannot read the operation document: {error}")).in_file(file)
    })?;

    // The AST parse is lenient: it gives the definitions (for naming them in errors) even when
    // the document has syntax errors, which `parse_and_validate` reports below.
    let document = match ast::Document::parse(text.as_str(), file) {
        Ok(document) => document,
        Err(with_errors) => with_errors.partial,
    };
    let mut spans = Vec::new();
    let mut variables = Vec::new();
    let mut operations = Vec::new();
    let mut kinds = std::collections::BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    for definition in &document.definitions {
        let (label, location) = match definition {
            Definition::OperationDefinition(operation) => {
                let label = match &operation.name {
                    Some(name) => {
                        operations.push(name.to_string());
                        kinds.insert(name.to_string(), operation.operation_type);
                        format!("operation `{name}`")
                    }
                    None => {
                        let mut diagnostic = Diagnostic::new(
                            "anonymous operation: give it a name (`query MyName { ... }`); \
                             the generated module and struct are named after it",
                        )
                        .in_file(file)
                        .in_definition("anonymous operation");
                        if let Some(range) = operation.line_column_range(&document.sources) {
                            diagnostic = diagnostic.at(range.start.line, range.start.column);
                        }
                        diagnostics.push(diagnostic);
                        "anonymous operation".to_owned()
                    }
                };
                for variable in &operation.variables {
                    variables.push((variable.name.to_string(), variable.ty.to_string()));
                }
                (label, operation.location())
            }
            Definition::FragmentDefinition(fragment) => {
                (format!("fragment `{}`", fragment.name), fragment.location())
            }
            _ => continue,
        };
        if let Some(location) = location {
            spans.push(DefinitionSpan {
                start: location.offset(),
                end: location.end_offset(),
                label,
            });
        }
    }

    if let Err(with_errors) = ExecutableDocument::parse_and_validate(schema, text.as_str(), file) {
        let context = DocumentContext {
            spans: &spans,
            variables: &variables,
        };
        for diagnostic in convert(&with_errors.errors, file, &context) {
            diagnostics.push(diagnostic);
        }
    }
    if diagnostics.is_empty() && operations.is_empty() {
        diagnostics.push(
            Diagnostic::new("the document holds no operation (`query`, `mutation`)").in_file(file),
        );
    }
    diagnostics.into_result()?;
    Ok(ValidatedDocument {
        file: file.to_path_buf(),
        wire_text: wire_text(&document),
        operations,
        kinds,
    })
}

/// The document as it goes over the wire: apollo-compiler's serialisation of the parsed
/// (and validated) AST, on one line. Definitions keep their order and selections, arguments,
/// variables and directives stay exactly as written; `#` comments (documentation for
/// developers) and layout are dropped, so they are not sent with every request.
pub(crate) fn wire_text(document: &ast::Document) -> String {
    document.serialize().no_indent().to_string()
}

/// What is known of a document to make its diagnostics precise.
struct DocumentContext<'a> {
    spans: &'a [DefinitionSpan],
    /// Every declared variable with its type (`id`, `Int!`).
    variables: &'a [(String, String)],
}

fn convert(list: &DiagnosticList, file: &Path, context: &DocumentContext<'_>) -> Vec<Diagnostic> {
    list.iter()
        .map(|diagnostic| {
            let mut message = diagnostic.error.to_string();
            let mut definition = None;
            // Only a location in this file says where in it the problem is.
            let location = diagnostic.error.location().filter(|location| {
                diagnostic
                    .sources
                    .get(&location.file_id())
                    .is_some_and(|source| source.path() == file)
            });
            if let Some(location) = location {
                let offset = location.offset();
                definition = context
                    .spans
                    .iter()
                    .find(|span| span.start <= offset && offset < span.end)
                    .map(|span| span.label.clone());
                // apollo-compiler says "found a variable" without naming it: name it and its
                // declared type.
                let snippet = diagnostic
                    .sources
                    .get(&location.file_id())
                    .and_then(|source| source.source_text().get(offset..location.end_offset()))
                    .unwrap_or("");
                if let Some(name) = snippet.strip_prefix('$') {
                    if !message.contains(snippet) {
                        match context.variables.iter().find(|(n, _)| n == name) {
                            Some((_, ty)) => {
                                message.push_str(&format!(": `{snippet}`, declared `{ty}`"))
                            }
                            None => message.push_str(&format!(": `{snippet}`")),
                        }
                    }
                }
            }
            let mut converted = Diagnostic::new(message)
                .in_file(file)
                .with_report(diagnostic.to_string());
            if let Some(range) = diagnostic.line_column_range() {
                converted = converted.at(range.start.line, range.start.column);
            }
            if let Some(definition) = definition {
                converted = converted.in_definition(definition);
            }
            converted
        })
        .collect()
}
