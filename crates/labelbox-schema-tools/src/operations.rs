//! Checking operation documents against a schema, and naming the operations a schema change
//! breaks.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use apollo_compiler::ast::{self, Type, Value};
use apollo_compiler::executable::{ExecutableDocument, Selection, SelectionSet};
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{Node, Schema};
use serde::Serialize;

use crate::diff::{diff_schemas, parse_schema, Change, ChangeKind, Criticality, SchemaDiff};
use crate::Error;

/// The name given to an operation without one.
const ANONYMOUS: &str = "(anonymous)";

/// Reads operation documents: every `*.graphql` and `*.gql` file in `path` (not recursive,
/// sorted by name; the files the build's `labelbox-codegen` reads) when it is a folder, or the
/// one file when it is a file.
pub fn load_queries(path: &Path) -> Result<Vec<(PathBuf, String)>, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let file = entry.map_err(io)?.path();
            if file
                .extension()
                .is_some_and(|e| e == "graphql" || e == "gql")
                && file.is_file()
            {
                files.push(file);
            }
        }
        files.sort();
    } else {
        files.push(path.to_owned());
    }
    files
        .into_iter()
        .map(|file| match std::fs::read_to_string(&file) {
            Ok(text) => Ok((file, text)),
            Err(source) => Err(Error::Io { path: file, source }),
        })
        .collect()
}

/// One validation error, with where it is and which operations it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file the error is in.
    pub file: PathBuf,
    /// The operations the error is in (an error in a fragment is in every operation that
    /// spreads it); empty for a schema error or a file without operations.
    pub operations: Vec<String>,
    /// 1-based line, when the error has a location.
    pub line: Option<usize>,
    /// 1-based column, when the error has a location.
    pub column: Option<usize>,
    /// apollo-compiler's message, naming the bad field, argument or type.
    pub message: String,
    /// The message with the source lines it points at (no colours), for terminals.
    #[serde(skip)]
    pub report: String,
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: in operation `Op`: message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        match self.operations.as_slice() {
            [] => {}
            [one] => write!(f, ": in operation `{one}`")?,
            many => write!(f, ": in operations `{}`", many.join("`, `"))?,
        }
        write!(f, ": {}", self.message)
    }
}

/// Validates every operation document against the schema.
///
/// `schema_path` only names the schema in diagnostics. Returns every diagnostic (schema
/// errors first, then per file in the given order) when anything is invalid.
pub fn check(
    schema_path: &Path,
    schema_sdl: &str,
    queries: &[(PathBuf, String)],
) -> Result<(), Vec<Diagnostic>> {
    let schema = match Schema::parse_and_validate(schema_sdl, schema_path) {
        Ok(schema) => schema,
        Err(e) => return Err(diagnostics(schema_path, &e.errors, &Spans::default())),
    };
    let mut all = Vec::new();
    for (path, text) in queries {
        all.extend(validate_file(&schema, path, text));
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(all)
    }
}

/// An operation that the new schema breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenOperation {
    /// The file the operation is in.
    pub file: PathBuf,
    /// The operation's name (`(anonymous)` when it has none).
    pub operation: String,
    /// Paths of the breaking changes that touch what the operation uses (its fields,
    /// arguments, input fields, enum values and types, fragments included).
    pub changes: Vec<String>,
    /// Why the operation no longer validates against the new schema; empty when it still
    /// validates but a breaking change alters what it receives (for example a field that
    /// became nullable, which changes the generated Rust type).
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for BrokenOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: operation `{}`", self.file.display(), self.operation)?;
        if !self.changes.is_empty() {
            writeln!(f, "    broken by: {}", self.changes.join(", "))?;
        }
        for d in &self.diagnostics {
            writeln!(f, "    {d}")?;
        }
        Ok(())
    }
}

/// The operations that a change from `old_sdl` to `new_sdl` breaks.
///
/// An operation is broken when it no longer validates against NEW, or when a breaking change
/// is about something it uses. Operations are listed in file order, then document order.
pub fn affected_operations(
    old_sdl: &str,
    new_sdl: &str,
    queries: &[(PathBuf, String)],
) -> Result<Vec<BrokenOperation>, Error> {
    Ok(diff_report(old_sdl, new_sdl, queries)?.broken_operations)
}

/// Everything `labelbox schema diff` prints: the classified changes and the broken
/// operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Every change, classified.
    pub changes: Vec<Change>,
    /// The operations the new schema breaks.
    pub broken_operations: Vec<BrokenOperation>,
}

impl DiffReport {
    /// The process exit code the CLI uses: 1 when an operation breaks, 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.broken_operations.is_empty())
    }
}

impl fmt::Display for DiffReport {
    /// Human text: the changes by criticality, then the broken operations.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let diff = SchemaDiff {
            changes: self.changes.clone(),
        };
        write!(f, "{diff}")?;
        if self.broken_operations.is_empty() {
            writeln!(f, "\nNo operation is broken.")
        } else {
            writeln!(f, "\nBroken operations ({}):", self.broken_operations.len())?;
            for op in &self.broken_operations {
                write!(f, "  {op}")?;
            }
            Ok(())
        }
    }
}

/// Diffs the schemas and names the operations the change breaks.
pub fn diff_report(
    old_sdl: &str,
    new_sdl: &str,
    queries: &[(PathBuf, String)],
) -> Result<DiffReport, Error> {
    let old = parse_schema(old_sdl, "old schema")?;
    let new = parse_schema(new_sdl, "new schema")?;
    let diff = diff_schemas(&old, &new);
    let mut broken_operations = Vec::new();
    for (path, text) in queries {
        let diagnostics = validate_file(&new, path, text);
        let doc = match ExecutableDocument::parse_and_validate(&old, text, path) {
            Ok(doc) => doc.into_inner(),
            Err(e) => e.partial,
        };
        let spans = Spans::of(text, path);
        for op_name in &spans.operation_order {
            let usage = doc
                .operations
                .iter()
                .find(|o| o.name.as_ref().map_or(ANONYMOUS, |n| n.as_str()) == op_name)
                .map(|op| Usage::of_operation(&old, &doc, op))
                .unwrap_or_default();
            let changes: Vec<String> = diff
                .changes
                .iter()
                .filter(|c| c.criticality == Criticality::Breaking && usage.touches(c))
                .map(|c| c.path.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let op_diagnostics: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| d.operations.contains(op_name))
                .cloned()
                .collect();
            if !changes.is_empty() || !op_diagnostics.is_empty() {
                broken_operations.push(BrokenOperation {
                    file: path.clone(),
                    operation: op_name.clone(),
                    changes,
                    diagnostics: op_diagnostics,
                });
            }
        }
        // Errors outside every operation (a syntax error in a file without operations).
        if spans.operation_order.is_empty() && !diagnostics.is_empty() {
            broken_operations.push(BrokenOperation {
                file: path.clone(),
                operation: ANONYMOUS.to_owned(),
                changes: Vec::new(),
                diagnostics,
            });
        }
    }
    Ok(DiffReport {
        changes: diff.changes,
        broken_operations,
    })
}

/// Where each operation and fragment of a file is, and which fragments each operation
/// spreads (transitively), read from the AST so it works on invalid documents too.
#[derive(Default)]
struct Spans {
    operation_order: Vec<String>,
    operations: Vec<(String, usize, usize)>,
    fragments: Vec<(String, usize, usize)>,
    /// Operation name -> every fragment it spreads, directly or not.
    uses: HashMap<String, HashSet<String>>,
}

impl Spans {
    fn of(text: &str, path: &Path) -> Self {
        let doc = match ast::Document::parse(text, path) {
            Ok(doc) => doc,
            Err(e) => e.partial,
        };
        let mut spans = Spans::default();
        let mut direct: HashMap<String, HashSet<String>> = HashMap::new();
        for def in &doc.definitions {
            match def {
                ast::Definition::OperationDefinition(op) => {
                    let name = op
                        .name
                        .as_ref()
                        .map_or(ANONYMOUS, |n| n.as_str())
                        .to_owned();
                    if let Some(loc) = op.location() {
                        spans
                            .operations
                            .push((name.clone(), loc.offset(), loc.end_offset()));
                    }
                    let mut spreads = HashSet::new();
                    ast_spreads(&op.selection_set, &mut spreads);
                    direct.insert(name.clone(), spreads);
                    spans.operation_order.push(name);
                }
                ast::Definition::FragmentDefinition(frag) => {
                    let name = format!("fragment {}", frag.name);
                    if let Some(loc) = frag.location() {
                        spans.fragments.push((
                            frag.name.to_string(),
                            loc.offset(),
                            loc.end_offset(),
                        ));
                    }
                    let mut spreads = HashSet::new();
                    ast_spreads(&frag.selection_set, &mut spreads);
                    direct.insert(name, spreads);
                }
                _ => {}
            }
        }
        for op in &spans.operation_order {
            let mut seen = HashSet::new();
            let mut stack: Vec<String> = direct.get(op).into_iter().flatten().cloned().collect();
            while let Some(f) = stack.pop() {
                if seen.insert(f.clone()) {
                    if let Some(more) = direct.get(&format!("fragment {f}")) {
                        stack.extend(more.iter().cloned());
                    }
                }
            }
            spans.uses.insert(op.clone(), seen);
        }
        spans
    }

    /// The operations an error at `offset` is in.
    fn operations_at(&self, offset: Option<usize>) -> Vec<String> {
        let Some(offset) = offset else {
            return self.operation_order.clone();
        };
        if let Some((name, _, _)) = self
            .operations
            .iter()
            .find(|(_, start, end)| (*start..*end).contains(&offset))
        {
            return vec![name.clone()];
        }
        if let Some((frag, _, _)) = self
            .fragments
            .iter()
            .find(|(_, start, end)| (*start..*end).contains(&offset))
        {
            return self
                .operation_order
                .iter()
                .filter(|op| self.uses.get(*op).is_some_and(|u| u.contains(frag)))
                .cloned()
                .collect();
        }
        self.operation_order.clone()
    }
}

fn ast_spreads(selections: &[ast::Selection], out: &mut HashSet<String>) {
    for s in selections {
        match s {
            ast::Selection::Field(f) => ast_spreads(&f.selection_set, out),
            ast::Selection::FragmentSpread(s) => {
                out.insert(s.fragment_name.to_string());
            }
            ast::Selection::InlineFragment(i) => ast_spreads(&i.selection_set, out),
        }
    }
}

fn diagnostics(path: &Path, list: &DiagnosticList, spans: &Spans) -> Vec<Diagnostic> {
    list.iter()
        .map(|d| {
            let location = apollo_compiler::diagnostic::ToCliReport::location(d.error);
            let start = d.line_column_range().map(|r| r.start);
            Diagnostic {
                file: path.to_owned(),
                operations: spans.operations_at(location.map(|l| l.offset())),
                line: start.map(|s| s.line),
                column: start.map(|s| s.column),
                message: d.error.to_string(),
                report: d.to_string(),
            }
        })
        .collect()
}

fn validate_file(schema: &Valid<Schema>, path: &Path, text: &str) -> Vec<Diagnostic> {
    match ExecutableDocument::parse_and_validate(schema, text, path) {
        Ok(_) => Vec::new(),
        Err(e) => diagnostics(path, &e.errors, &Spans::of(text, path)),
    }
}

/// The schema coordinates an operation uses, resolved against the schema it was written for.
#[derive(Default, Debug)]
struct Usage {
    /// `Type.field`, `Type.field.argument`, `Input.field`, `Enum.VALUE`, `Union.Member`.
    coordinates: HashSet<String>,
    /// Every named type the operation touches.
    types: HashSet<String>,
    /// Input types reachable from the operation's variables (any of their fields may be sent).
    variable_types: HashSet<String>,
    /// `query`, `mutation` or `subscription`.
    operation_type: String,
}

impl Usage {
    fn of_operation(
        schema: &Schema,
        doc: &ExecutableDocument,
        op: &Node<apollo_compiler::executable::Operation>,
    ) -> Self {
        let mut usage = Usage {
            operation_type: op.operation_type.to_string(),
            ..Default::default()
        };
        let mut visited = HashSet::new();
        for var in &op.variables {
            usage.input_type(schema, var.ty.inner_named_type().as_str());
            if let Some(default) = &var.default_value {
                usage.value(schema, default, &var.ty);
            }
        }
        usage.variable_types = usage.types.clone();
        usage.selection_set(schema, doc, &op.selection_set, &mut visited);
        usage
    }

    fn input_type(&mut self, schema: &Schema, name: &str) {
        if !self.types.insert(name.to_owned()) {
            return;
        }
        if let Some(input) = schema.get_input_object(name) {
            for field in input.fields.values() {
                self.input_type(schema, field.ty.inner_named_type().as_str());
            }
        }
    }

    fn selection_set(
        &mut self,
        schema: &Schema,
        doc: &ExecutableDocument,
        set: &SelectionSet,
        visited: &mut HashSet<String>,
    ) {
        self.types.insert(set.ty.to_string());
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    if field.name.starts_with("__") {
                        continue;
                    }
                    let coordinate = format!("{}.{}", set.ty, field.name);
                    self.types
                        .insert(field.definition.ty.inner_named_type().to_string());
                    for arg in &field.arguments {
                        self.coordinates
                            .insert(format!("{coordinate}.{}", arg.name));
                        if let Some(def) = field.definition.argument_by_name(&arg.name) {
                            self.value(schema, &arg.value, &def.ty);
                        }
                    }
                    self.coordinates.insert(coordinate);
                    self.selection_set(schema, doc, &field.selection_set, visited);
                }
                Selection::InlineFragment(inline) => {
                    if let Some(condition) = &inline.type_condition {
                        self.types.insert(condition.to_string());
                        self.coordinates.insert(format!("{}.{condition}", set.ty));
                    }
                    self.selection_set(schema, doc, &inline.selection_set, visited);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.fragment_name) {
                        let condition = fragment.type_condition();
                        self.types.insert(condition.to_string());
                        self.coordinates.insert(format!("{}.{condition}", set.ty));
                        if visited.insert(spread.fragment_name.to_string()) {
                            self.selection_set(schema, doc, &fragment.selection_set, visited);
                        }
                    }
                }
            }
        }
    }

    fn value(&mut self, schema: &Schema, value: &Value, ty: &Type) {
        let named = ty.inner_named_type();
        self.types.insert(named.to_string());
        match value {
            Value::Object(fields) => {
                for (name, v) in fields {
                    self.coordinates.insert(format!("{named}.{name}"));
                    if let Some(def) = schema
                        .get_input_object(named)
                        .and_then(|i| i.fields.get(name))
                    {
                        self.value(schema, v, &def.ty);
                    }
                }
            }
            Value::List(items) => {
                let item_ty = if ty.is_list() { ty.item_type() } else { ty };
                for item in items {
                    self.value(schema, item, item_ty);
                }
            }
            Value::Enum(v) => {
                self.coordinates.insert(format!("{named}.{v}"));
            }
            _ => {}
        }
    }

    /// Whether a change is about something this operation uses.
    fn touches(&self, change: &Change) -> bool {
        if change.kind == ChangeKind::SchemaRootTypeChanged {
            return change.path == self.operation_type;
        }
        if self.coordinates.contains(&change.path) || self.types.contains(&change.path) {
            return true;
        }
        let parent = change
            .path
            .rsplit_once('.')
            .map_or("", |(parent, _)| parent);
        match change.kind {
            // A new required argument on a field the operation selects.
            ChangeKind::FieldArgumentAdded => self.coordinates.contains(parent),
            // Something new or gone in a type the operation sends or receives.
            ChangeKind::InputFieldAdded
            | ChangeKind::EnumValueRemoved
            | ChangeKind::EnumValueAdded
            | ChangeKind::UnionMemberAdded
            | ChangeKind::UnionMemberRemoved => self.types.contains(parent),
            // An input field the operation may send through a variable.
            ChangeKind::InputFieldRemoved
            | ChangeKind::InputFieldTypeChanged
            | ChangeKind::InputFieldDefaultChanged => self.variable_types.contains(parent),
            _ => false,
        }
    }
}
