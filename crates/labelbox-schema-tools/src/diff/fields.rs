//! Fields, arguments and input fields compared, with the rules for which type changes are
//! safe for the clients that select or send them.

use apollo_compiler::ast::Type;
use apollo_compiler::collections::IndexMap;
use apollo_compiler::schema::{Component, FieldDefinition, InputValueDefinition};
use apollo_compiler::{Name, Node};

use super::{deprecation, description, text, ChangeKind, Criticality, Differ, InputOwner};

impl Differ {
    pub(super) fn fields(
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

    pub(super) fn input_values<'a>(
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
