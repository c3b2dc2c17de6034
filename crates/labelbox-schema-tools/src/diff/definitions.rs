//! The schema's definitions compared: root operation types, directives, and each named
//! type with its kind, description, interfaces and members.

use apollo_compiler::schema::{ComponentName, DirectiveDefinition, ExtendedType};
use apollo_compiler::{Name, Schema};

use super::{deprecation, description, kind_name, ChangeKind, Criticality, Differ, InputOwner};

impl Differ {
    pub(super) fn roots(&mut self, old: &Schema, new: &Schema) {
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

    pub(super) fn directives(&mut self, old: &Schema, new: &Schema) {
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

    pub(super) fn types(&mut self, old: &Schema, new: &Schema) {
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
}

fn is_built_in_directive(d: &DirectiveDefinition) -> bool {
    matches!(
        d.name.as_str(),
        "skip" | "include" | "deprecated" | "specifiedBy" | "oneOf" | "defer"
    )
}
