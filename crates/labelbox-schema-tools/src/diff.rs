//! Classifying the changes between two schemas, after graphql-inspector's rules.
//!
//! Both schemas are parsed and validated with apollo-compiler; the comparison walks its
//! [`Schema`] type maps. Every change carries a [`Criticality`], a [`ChangeKind`], a path
//! (`Type`, `Type.field`, `Type.field.argument`, `Input.field`, `Enum.VALUE`, `Union.Member`,
//! `@directive`, `@directive.argument`) and a message. The full table is in
//! `docs/schema-workflow.md`.

use std::fmt;

use apollo_compiler::ast::{DirectiveList, Type, Value};
use apollo_compiler::collections::IndexMap;
use apollo_compiler::schema::{
    Component, ComponentName, DirectiveDefinition, ExtendedType, FieldDefinition,
    InputValueDefinition,
};
use apollo_compiler::{Name, Node, Schema};
use serde::Serialize;

use crate::Error;

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

/// Whether an output (field) type change keeps every existing selection valid and every
/// value clients receive of a shape they expect: the same named type, possibly made non-null
/// at any level.
fn safe_output_change(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Named(o), Type::Named(n) | Type::NonNullNamed(n)) => o == n,
        (Type::NonNullNamed(o), Type::NonNullNamed(n)) => o == n,
        (Type::List(o), Type::List(n) | Type::NonNullList(n)) => safe_output_change(o, n),
        (Type::NonNullList(o), Type::NonNullList(n)) => safe_output_change(o, n),
        _ => false,
    }
}

/// Whether an input (argument, input field) type change keeps every value clients already
/// send valid: the same named type, possibly made nullable at any level.
fn safe_input_change(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Named(o), Type::Named(n)) => o == n,
        (Type::NonNullNamed(o), Type::NonNullNamed(n) | Type::Named(n)) => o == n,
        (Type::List(o), Type::List(n)) => safe_input_change(o, n),
        (Type::NonNullList(o), Type::NonNullList(n) | Type::List(n)) => safe_input_change(o, n),
        _ => false,
    }
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

    fn roots(&mut self, old: &Schema, new: &Schema) {
        for (op, o, n) in [
            (
                "query",
                &old.schema_definition.query,
                &new.schema_definition.query,
            ),
            (
                "mutation",
                &old.schema_definition.mutation,
                &new.schema_definition.mutation,
            ),
            (
                "subscription",
                &old.schema_definition.subscription,
                &new.schema_definition.subscription,
            ),
        ] {
            let o = o.as_ref().map(|n| n.name.as_str());
            let n = n.as_ref().map(|n| n.name.as_str());
            let (criticality, message) = match (o, n) {
                (Some(o), Some(n)) if o != n => (
                    Criticality::Breaking,
                    format!("The {op} root type changed from `{o}` to `{n}`"),
                ),
                (Some(o), None) => (
                    Criticality::Breaking,
                    format!("The {op} root type `{o}` was removed"),
                ),
                (None, Some(n)) => (
                    Criticality::Safe,
                    format!("The {op} root type `{n}` was added"),
                ),
                _ => continue,
            };
            self.push(
                criticality,
                ChangeKind::SchemaRootTypeChanged,
                op.to_owned(),
                message,
            );
        }
    }

    fn directives(&mut self, old: &Schema, new: &Schema) {
        let custom = |s: &Schema| -> Vec<Name> {
            s.directive_definitions
                .iter()
                .filter(|(_, d)| !is_built_in_directive(d))
                .map(|(n, _)| n.clone())
                .collect()
        };
        let mut names = custom(old);
        for n in custom(new) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.sort();
        for name in names {
            let path = format!("@{name}");
            match (
                old.directive_definitions.get(&name),
                new.directive_definitions.get(&name),
            ) {
                (Some(_), None) => self.push(
                    Criticality::Breaking,
                    ChangeKind::DirectiveRemoved,
                    path,
                    format!("Directive `@{name}` was removed"),
                ),
                (None, Some(_)) => self.push(
                    Criticality::Safe,
                    ChangeKind::DirectiveAdded,
                    path,
                    format!("Directive `@{name}` was added"),
                ),
                (Some(o), Some(n)) => self.directive(&path, o, n),
                (None, None) => {}
            }
        }
    }

    fn directive(&mut self, path: &str, old: &DirectiveDefinition, new: &DirectiveDefinition) {
        let what = format!("directive `{path}`");
        self.description(
            path,
            &what,
            description(old.description.as_ref()),
            description(new.description.as_ref()),
        );
        self.input_values(
            path,
            InputOwner::DirectiveArgument,
            old.arguments.iter(),
            new.arguments.iter(),
        );
        for loc in &old.locations {
            if !new.locations.contains(loc) {
                self.push(
                    Criticality::Breaking,
                    ChangeKind::DirectiveLocationRemoved,
                    path.to_owned(),
                    format!("Location `{loc}` was removed from {what}"),
                );
            }
        }
        for loc in &new.locations {
            if !old.locations.contains(loc) {
                self.push(
                    Criticality::Safe,
                    ChangeKind::DirectiveLocationAdded,
                    path.to_owned(),
                    format!("Location `{loc}` was added to {what}"),
                );
            }
        }
        if old.repeatable != new.repeatable {
            let (criticality, message) = if old.repeatable {
                (
                    Criticality::Breaking,
                    format!("{what} is no longer repeatable"),
                )
            } else {
                (Criticality::Safe, format!("{what} became repeatable"))
            };
            self.push(
                criticality,
                ChangeKind::DirectiveRepeatableChanged,
                path.to_owned(),
                message,
            );
        }
    }

    fn types(&mut self, old: &Schema, new: &Schema) {
        let mut names: Vec<&Name> = old
            .types
            .iter()
            .chain(new.types.iter())
            .filter(|(_, t)| !t.is_built_in())
            .map(|(n, _)| n)
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            match (old.types.get(name), new.types.get(name)) {
                (Some(o), None) => self.push(
                    Criticality::Breaking,
                    ChangeKind::TypeRemoved,
                    name.to_string(),
                    format!("Type `{name}` ({}) was removed", kind_name(o)),
                ),
                (None, Some(n)) => self.push(
                    Criticality::Safe,
                    ChangeKind::TypeAdded,
                    name.to_string(),
                    format!("Type `{name}` ({}) was added", kind_name(n)),
                ),
                (Some(o), Some(n)) => self.ty(name, o, n),
                (None, None) => {}
            }
        }
    }

    fn ty(&mut self, name: &Name, old: &ExtendedType, new: &ExtendedType) {
        let path = name.as_str();
        if std::mem::discriminant(old) != std::mem::discriminant(new) {
            self.push(
                Criticality::Breaking,
                ChangeKind::TypeKindChanged,
                path.to_owned(),
                format!(
                    "Type `{name}` changed from {} to {}",
                    kind_name(old),
                    kind_name(new)
                ),
            );
            return;
        }
        let what = format!("type `{name}`");
        self.description(
            path,
            &what,
            description(old.description()),
            description(new.description()),
        );
        match (old, new) {
            (ExtendedType::Object(o), ExtendedType::Object(n)) => {
                self.interfaces(name, &o.implements_interfaces, &n.implements_interfaces);
                self.fields(name, &o.fields, &n.fields);
            }
            (ExtendedType::Interface(o), ExtendedType::Interface(n)) => {
                self.interfaces(name, &o.implements_interfaces, &n.implements_interfaces);
                self.fields(name, &o.fields, &n.fields);
            }
            (ExtendedType::Union(o), ExtendedType::Union(n)) => {
                for m in &o.members {
                    if !n.members.contains(m) {
                        self.push(
                            Criticality::Breaking,
                            ChangeKind::UnionMemberRemoved,
                            format!("{name}.{}", m.name),
                            format!("Member `{}` was removed from union `{name}`", m.name),
                        );
                    }
                }
                for m in &n.members {
                    if !o.members.contains(m) {
                        self.push(
                            Criticality::Dangerous,
                            ChangeKind::UnionMemberAdded,
                            format!("{name}.{}", m.name),
                            format!("Member `{}` was added to union `{name}`", m.name),
                        );
                    }
                }
            }
            (ExtendedType::Enum(o), ExtendedType::Enum(n)) => {
                for (value, ov) in &o.values {
                    let vpath = format!("{name}.{value}");
                    match n.values.get(value) {
                        None => self.push(
                            Criticality::Breaking,
                            ChangeKind::EnumValueRemoved,
                            vpath,
                            format!("Value `{value}` was removed from enum `{name}`"),
                        ),
                        Some(nv) => {
                            let what = format!("enum value `{vpath}`");
                            self.description(
                                &vpath,
                                &what,
                                description(ov.description.as_ref()),
                                description(nv.description.as_ref()),
                            );
                            self.deprecation(
                                &vpath,
                                &what,
                                deprecation(&ov.directives),
                                deprecation(&nv.directives),
                            );
                        }
                    }
                }
                for value in n.values.keys() {
                    if !o.values.contains_key(value) {
                        self.push(
                            Criticality::Dangerous,
                            ChangeKind::EnumValueAdded,
                            format!("{name}.{value}"),
                            format!("Value `{value}` was added to enum `{name}`"),
                        );
                    }
                }
            }
            (ExtendedType::InputObject(o), ExtendedType::InputObject(n)) => {
                self.input_values(
                    path,
                    InputOwner::InputField,
                    o.fields.values().map(|c| &c.node),
                    n.fields.values().map(|c| &c.node),
                );
            }
            _ => {}
        }
    }

    fn interfaces(
        &mut self,
        name: &Name,
        old: &apollo_compiler::collections::IndexSet<ComponentName>,
        new: &apollo_compiler::collections::IndexSet<ComponentName>,
    ) {
        for i in old {
            if !new.contains(i) {
                self.push(
                    Criticality::Breaking,
                    ChangeKind::InterfaceImplementationRemoved,
                    name.to_string(),
                    format!("`{name}` no longer implements interface `{}`", i.name),
                );
            }
        }
        for i in new {
            if !old.contains(i) {
                self.push(
                    Criticality::Dangerous,
                    ChangeKind::InterfaceImplementationAdded,
                    name.to_string(),
                    format!("`{name}` now implements interface `{}`", i.name),
                );
            }
        }
    }

    fn fields(
        &mut self,
        type_name: &Name,
        old: &IndexMap<Name, Component<FieldDefinition>>,
        new: &IndexMap<Name, Component<FieldDefinition>>,
    ) {
        for (fname, of) in old {
            let path = format!("{type_name}.{fname}");
            let Some(nf) = new.get(fname) else {
                let deprecated = if deprecation(&of.directives).is_some() {
                    " (deprecated)"
                } else {
                    ""
                };
                self.push(
                    Criticality::Breaking,
                    ChangeKind::FieldRemoved,
                    path,
                    format!("Field `{fname}`{deprecated} was removed from `{type_name}`"),
                );
                continue;
            };
            let what = format!("field `{path}`");
            self.description(
                &path,
                &what,
                description(of.description.as_ref()),
                description(nf.description.as_ref()),
            );
            self.deprecation(
                &path,
                &what,
                deprecation(&of.directives),
                deprecation(&nf.directives),
            );
            if of.ty != nf.ty {
                let criticality = if safe_output_change(&of.ty, &nf.ty) {
                    Criticality::Safe
                } else {
                    Criticality::Breaking
                };
                self.push(
                    criticality,
                    ChangeKind::FieldTypeChanged,
                    path.clone(),
                    format!(
                        "Field `{path}` changed type from `{}` to `{}`",
                        of.ty, nf.ty
                    ),
                );
            }
            self.input_values(
                &path,
                InputOwner::FieldArgument,
                of.arguments.iter(),
                nf.arguments.iter(),
            );
        }
        for fname in new.keys() {
            if !old.contains_key(fname) {
                self.push(
                    Criticality::Safe,
                    ChangeKind::FieldAdded,
                    format!("{type_name}.{fname}"),
                    format!("Field `{fname}` was added to `{type_name}`"),
                );
            }
        }
    }

    fn input_values<'a>(
        &mut self,
        owner_path: &str,
        owner: InputOwner,
        old: impl Iterator<Item = &'a Node<InputValueDefinition>>,
        new: impl Iterator<Item = &'a Node<InputValueDefinition>>,
    ) {
        let old: Vec<&Node<InputValueDefinition>> = old.collect();
        let new: Vec<&Node<InputValueDefinition>> = new.collect();
        let (removed, added, type_changed, default_changed, noun) = match owner {
            InputOwner::FieldArgument => (
                ChangeKind::FieldArgumentRemoved,
                ChangeKind::FieldArgumentAdded,
                ChangeKind::FieldArgumentTypeChanged,
                ChangeKind::FieldArgumentDefaultChanged,
                "Argument",
            ),
            InputOwner::InputField => (
                ChangeKind::InputFieldRemoved,
                ChangeKind::InputFieldAdded,
                ChangeKind::InputFieldTypeChanged,
                ChangeKind::InputFieldDefaultChanged,
                "Input field",
            ),
            InputOwner::DirectiveArgument => (
                ChangeKind::DirectiveArgumentRemoved,
                ChangeKind::DirectiveArgumentAdded,
                ChangeKind::DirectiveArgumentTypeChanged,
                ChangeKind::DirectiveArgumentDefaultChanged,
                "Argument",
            ),
        };
        for o in &old {
            let path = format!("{owner_path}.{}", o.name);
            let Some(n) = new.iter().find(|n| n.name == o.name) else {
                self.push(
                    Criticality::Breaking,
                    removed,
                    path,
                    format!("{noun} `{}` was removed from `{owner_path}`", o.name),
                );
                continue;
            };
            let what = format!("{} `{path}`", noun.to_lowercase());
            self.description(
                &path,
                &what,
                description(o.description.as_ref()),
                description(n.description.as_ref()),
            );
            self.deprecation(
                &path,
                &what,
                deprecation(&o.directives),
                deprecation(&n.directives),
            );
            if o.ty != n.ty {
                let criticality = if safe_input_change(&o.ty, &n.ty) {
                    Criticality::Safe
                } else {
                    Criticality::Breaking
                };
                self.push(
                    criticality,
                    type_changed,
                    path.clone(),
                    format!("{noun} `{path}` changed type from `{}` to `{}`", o.ty, n.ty),
                );
            }
            let (od, nd) = (text(&o.default_value), text(&n.default_value));
            if od != nd {
                // Dropping the default of a non-null input makes it required.
                let criticality = if nd.is_none() && n.ty.is_non_null() {
                    Criticality::Breaking
                } else {
                    Criticality::Dangerous
                };
                let message = match (&od, &nd) {
                    (None, Some(v)) => format!("Default value `{v}` was added to {what}"),
                    (Some(v), None) => format!("Default value `{v}` was removed from {what}"),
                    (Some(a), Some(b)) => {
                        format!("Default value of {what} changed from `{a}` to `{b}`")
                    }
                    (None, None) => String::new(),
                };
                self.push(criticality, default_changed, path.clone(), message);
            }
        }
        for n in &new {
            if old.iter().any(|o| o.name == n.name) {
                continue;
            }
            let path = format!("{owner_path}.{}", n.name);
            let required = n.ty.is_non_null() && n.default_value.is_none();
            let criticality = match (required, owner) {
                (true, _) => Criticality::Breaking,
                (false, InputOwner::DirectiveArgument) => Criticality::Safe,
                (false, _) => Criticality::Dangerous,
            };
            let adjective = if required { "Required" } else { "Optional" };
            self.push(
                criticality,
                added,
                path,
                format!(
                    "{adjective} {} `{}: {}` was added to `{owner_path}`",
                    noun.to_lowercase(),
                    n.name,
                    n.ty
                ),
            );
        }
    }
}

fn is_built_in_directive(d: &DirectiveDefinition) -> bool {
    matches!(
        d.name.as_str(),
        "skip" | "include" | "deprecated" | "specifiedBy" | "oneOf" | "defer"
    )
}
