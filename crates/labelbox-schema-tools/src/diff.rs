//! Classifying the changes between two schemas, after graphql-inspector's rules.
//!
//! Both schemas are parsed and validated with apollo-compiler; the comparison walks its
//! [`Schema`] type maps. Every change carries a [`Criticality`], a [`ChangeKind`], a path
//! (`Type`, `Type.field`, `Type.field.argument`, `Input.field`, `Enum.VALUE`, `Union.Member`,
//! `@directive`, `@directive.argument`) and a message. The full table is in
//! `docs/schema-workflow.md`.

use std::fmt;

use apollo_compiler::ast::{DirectiveList, Value};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Node, Schema};
use serde::Serialize;

use crate::Error;

mod definitions;
mod fields;

/// How a change affects existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Criticality {
    /// Existing operations can stop validating or working.
    Breaking,
    /// Existing operations still validate, but may see values or behaviour they did not
    /// expect (a new enum value, a new union member, a changed default).
    Dangerous,
    /// Nothing existing clients do can break.
    Safe,
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Criticality::Breaking => "BREAKING",
            Criticality::Dangerous => "DANGEROUS",
            Criticality::Safe => "SAFE",
        })
    }
}

/// What changed. Serialised in `SCREAMING_SNAKE_CASE`, like graphql-inspector's change types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ChangeKind {
    /// The query, mutation or subscription root type changed, appeared or disappeared.
    SchemaRootTypeChanged,
    /// A type was removed.
    TypeRemoved,
    /// A type was added.
    TypeAdded,
    /// A type changed kind (for example object to interface).
    TypeKindChanged,
    /// A description was added, removed or changed (of a type, field, argument, value, ...).
    DescriptionChanged,
    /// `@deprecated` was added to a field, argument, input field or enum value.
    DeprecationAdded,
    /// `@deprecated` was removed.
    DeprecationRemoved,
    /// The deprecation reason changed.
    DeprecationReasonChanged,
    /// A field of an object or interface type was removed.
    FieldRemoved,
    /// A field was added to an object or interface type.
    FieldAdded,
    /// The type of an object or interface field changed.
    FieldTypeChanged,
    /// An argument of a field was removed.
    FieldArgumentRemoved,
    /// An argument was added to a field.
    FieldArgumentAdded,
    /// The type of a field argument changed.
    FieldArgumentTypeChanged,
    /// The default value of a field argument was added, removed or changed.
    FieldArgumentDefaultChanged,
    /// An input object field was removed.
    InputFieldRemoved,
    /// A field was added to an input object.
    InputFieldAdded,
    /// The type of an input object field changed.
    InputFieldTypeChanged,
    /// The default value of an input object field was added, removed or changed.
    InputFieldDefaultChanged,
    /// An enum value was removed.
    EnumValueRemoved,
    /// An enum value was added.
    EnumValueAdded,
    /// A member was removed from a union.
    UnionMemberRemoved,
    /// A member was added to a union.
    UnionMemberAdded,
    /// An object or interface type no longer implements an interface.
    InterfaceImplementationRemoved,
    /// An object or interface type now implements an interface.
    InterfaceImplementationAdded,
    /// A directive definition was removed.
    DirectiveRemoved,
    /// A directive definition was added.
    DirectiveAdded,
    /// An argument of a directive was removed.
    DirectiveArgumentRemoved,
    /// An argument was added to a directive.
    DirectiveArgumentAdded,
    /// The type of a directive argument changed.
    DirectiveArgumentTypeChanged,
    /// The default value of a directive argument changed.
    DirectiveArgumentDefaultChanged,
    /// A location was removed from a directive.
    DirectiveLocationRemoved,
    /// A location was added to a directive.
    DirectiveLocationAdded,
    /// A directive became (or stopped being) repeatable.
    DirectiveRepeatableChanged,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How the change affects existing clients.
    pub criticality: Criticality,
    /// What changed.
    pub kind: ChangeKind,
    /// The schema coordinate the change is about, for example `ApiKey.expiresAtEpoch`.
    pub path: String,
    /// A sentence saying what changed.
    pub message: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<9} {}: {}", self.criticality, self.path, self.message)
    }
}

/// Every change between two schemas, in a stable order (schema roots, directives, then
/// types by name; inside a type, members in the old schema's order, then additions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDiff {
    /// The changes.
    pub changes: Vec<Change>,
}

impl SchemaDiff {
    /// The changes of one criticality.
    pub fn of(&self, criticality: Criticality) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |c| c.criticality == criticality)
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.of(Criticality::Breaking).next().is_some()
    }

    /// Whether the two schemas are the same (descriptions included).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

impl fmt::Display for SchemaDiff {
    /// Human text: the changes grouped by criticality, breaking first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "No changes.");
        }
        for (criticality, title) in [
            (Criticality::Breaking, "Breaking changes"),
            (Criticality::Dangerous, "Dangerous changes"),
            (Criticality::Safe, "Safe changes"),
        ] {
            let changes: Vec<&Change> = self.of(criticality).collect();
            if changes.is_empty() {
                continue;
            }
            writeln!(f, "{title} ({}):", changes.len())?;
            for c in changes {
                writeln!(f, "  {}: {}", c.path, c.message)?;
            }
        }
        Ok(())
    }
}

/// Parses and validates an SDL document, naming it `name` in errors.
pub(crate) fn parse_schema(
    sdl: &str,
    name: &str,
) -> Result<apollo_compiler::validation::Valid<Schema>, Error> {
    Schema::parse_and_validate(sdl, name).map_err(|e| Error::InvalidSchema {
        name: name.to_owned(),
        diagnostics: e.errors.to_string(),
    })
}

/// Classifies every change from `old_sdl` to `new_sdl`.
///
/// Both must be valid schemas ([`Error::InvalidSchema`] otherwise). Leading `#` comments,
/// formatting and definition order do not count as changes.
pub fn diff(old_sdl: &str, new_sdl: &str) -> Result<SchemaDiff, Error> {
    let old = parse_schema(old_sdl, "old schema")?;
    let new = parse_schema(new_sdl, "new schema")?;
    Ok(diff_schemas(&old, &new))
}

/// [`diff`] on schemas already parsed.
pub fn diff_schemas(old: &Schema, new: &Schema) -> SchemaDiff {
    let mut d = Differ::default();
    d.roots(old, new);
    d.directives(old, new);
    d.types(old, new);
    SchemaDiff { changes: d.changes }
}

#[derive(Default)]
struct Differ {
    changes: Vec<Change>,
}

fn kind_name(ty: &ExtendedType) -> &'static str {
    match ty {
        ExtendedType::Scalar(_) => "scalar",
        ExtendedType::Object(_) => "object type",
        ExtendedType::Interface(_) => "interface",
        ExtendedType::Union(_) => "union",
        ExtendedType::Enum(_) => "enum",
        ExtendedType::InputObject(_) => "input object",
    }
}

fn text(v: &Option<Node<Value>>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

fn description(d: Option<&Node<str>>) -> Option<&str> {
    d.map(|d| d.as_str())
}

/// `Some(reason)` when deprecated (`None` inside when no reason is written).
fn deprecation(directives: &DirectiveList) -> Option<Option<String>> {
    directives.get("deprecated").map(|d| {
        d.specified_argument_by_name("reason")
            .and_then(|v| v.as_str().map(str::to_owned))
    })
}

/// Which member of the schema an input value belongs to, for paths and messages.
#[derive(Clone, Copy, PartialEq)]
enum InputOwner {
    FieldArgument,
    InputField,
    DirectiveArgument,
}

impl Differ {
    fn push(&mut self, criticality: Criticality, kind: ChangeKind, path: String, message: String) {
        self.changes.push(Change {
            criticality,
            kind,
            path,
            message,
        });
    }

    fn description(&mut self, path: &str, what: &str, old: Option<&str>, new: Option<&str>) {
        if old == new {
            return;
        }
        let message = match (old, new) {
            (None, Some(n)) => format!("Description `{n}` was added to {what}"),
            (Some(_), None) => format!("Description was removed from {what}"),
            (_, n) => format!(
                "Description of {what} changed to `{}`",
                n.unwrap_or_default()
            ),
        };
        self.push(
            Criticality::Safe,
            ChangeKind::DescriptionChanged,
            path.to_owned(),
            message,
        );
    }

    fn deprecation(
        &mut self,
        path: &str,
        what: &str,
        old: Option<Option<String>>,
        new: Option<Option<String>>,
    ) {
        match (old, new) {
            (None, Some(reason)) => self.push(
                Criticality::Safe,
                ChangeKind::DeprecationAdded,
                path.to_owned(),
                match reason {
                    Some(r) => format!("{what} was deprecated: {r}"),
                    None => format!("{what} was deprecated"),
                },
            ),
            (Some(_), None) => self.push(
                Criticality::Safe,
                ChangeKind::DeprecationRemoved,
                path.to_owned(),
                format!("{what} is no longer deprecated"),
            ),
            (Some(o), Some(n)) if o != n => self.push(
                Criticality::Safe,
                ChangeKind::DeprecationReasonChanged,
                path.to_owned(),
                format!(
                    "Deprecation reason of {what} changed to `{}`",
                    n.unwrap_or_default()
                ),
            ),
            _ => {}
        }
    }
}
