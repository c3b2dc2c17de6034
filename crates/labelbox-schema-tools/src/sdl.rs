//! Introspection answer -> deterministic SDL.
//!
//! The conversion builds an apollo-compiler AST [`Document`] from the `__schema` answer and
//! prints it with apollo-compiler's serializer, then parses and validates the printed text, so
//! what comes out is always a valid schema.
//!
//! Order (stable, so that a re-pull of an unchanged schema is a zero diff):
//! 1. a `schema { ... }` definition, only when the root types are not named
//!    `Query` / `Mutation` / `Subscription`;
//! 2. custom directive definitions, sorted by name;
//! 3. the root types: query, mutation, subscription;
//! 4. every other type, sorted by name (byte order).
//!
//! Inside a type, fields, arguments, enum values, union members and implemented interfaces
//! keep the server's order (servers define them in code; sorting them would hide a server's
//! own reordering but also make the SDL harder to read next to the API docs).
//! Built-in scalars (`String`, `Int`, `Float`, `Boolean`, `ID`), introspection types (`__*`)
//! and built-in directives are left out.

use apollo_compiler::ast::{
    Argument, Definition, Directive, DirectiveDefinition, DirectiveList, DirectiveLocation,
    Document, EnumTypeDefinition, EnumValueDefinition, FieldDefinition, InputObjectTypeDefinition,
    InputValueDefinition, InterfaceTypeDefinition, ObjectTypeDefinition, OperationType,
    ScalarTypeDefinition, SchemaDefinition, Type, UnionTypeDefinition, Value,
};
use apollo_compiler::{Name, Node, Schema};
use serde_json::Value as Json;

use crate::Error;

/// The standard introspection query, as sent by [`crate::pull`].
pub const INTROSPECTION_QUERY: &str = include_str!("../graphql/introspection.graphql");

/// The reason `@deprecated` gives when none is written; printed as a bare `@deprecated`.
const DEFAULT_DEPRECATION_REASON: &str = "No longer supported";

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
const BUILT_IN_DIRECTIVES: [&str; 6] = [
    "skip",
    "include",
    "deprecated",
    "specifiedBy",
    "oneOf",
    "defer",
];

/// Where and when a schema was pulled; printed as the SDL's header comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The GraphQL endpoint that answered the introspection query.
    pub endpoint: String,
    /// The day of the pull (UTC).
    pub date: time::Date,
}

impl Provenance {
    /// Provenance for a pull from `endpoint` today (UTC).
    pub fn today(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            date: time::OffsetDateTime::now_utc().date(),
        }
    }

    /// The header comment: `# Pulled from <endpoint> on <YYYY-MM-DD>` and how to update.
    /// Ends with a blank line.
    pub fn header(&self) -> String {
        // A URL has no line breaks; strip control characters so the header stays a comment.
        let endpoint: String = self.endpoint.chars().filter(|c| !c.is_control()).collect();
        let d = self.date;
        format!(
            "# Pulled from {endpoint} on {:04}-{:02}-{:02} by `labelbox schema pull`.\n\
             # Do not edit by hand. To update: `labelbox schema pull -o <this file>`, then\n\
             # `labelbox schema diff <old> <new> --queries queries/` and `cargo build`.\n\n",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

/// The SDL without its leading header: every line up to the first line that is neither a
/// `#` comment nor blank is dropped.
///
/// Used to compare a pulled SDL with another one regardless of the pull's date.
pub fn sdl_body(sdl: &str) -> &str {
    let mut rest = sdl;
    while !rest.is_empty() {
        let (line, after) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            rest = after;
        } else {
            break;
        }
    }
    rest
}

/// Converts an introspection answer to SDL with a provenance header.
///
/// `json` may be the whole GraphQL response (`{"data": {"__schema": ...}}`), its `data`
/// (`{"__schema": ...}`), or the `__schema` object itself. The result is deterministic (see
/// the module documentation for the order) and is checked to be a valid schema.
pub fn introspection_to_sdl(json: &Json, provenance: &Provenance) -> Result<String, Error> {
    let body = introspection_to_sdl_body(json)?;
    Ok(format!("{}{body}", provenance.header()))
}

/// [`introspection_to_sdl`] without the header.
pub fn introspection_to_sdl_body(json: &Json) -> Result<String, Error> {
    let schema = find_schema(json)?;
    let root = |key: &str| -> Result<Option<String>, Error> {
        match schema.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => Ok(Some(str_field(v, "name", key)?.to_owned())),
        }
    };
    let query = root("queryType")?
        .ok_or_else(|| Error::Introspection("`__schema.queryType` is missing".into()))?;
    let mutation = root("mutationType")?;
    let subscription = root("subscriptionType")?;

    let types = array_field(schema, "types", "__schema")?;
    let mut named: Vec<(&str, &Json)> = Vec::with_capacity(types.len());
    for ty in types {
        let name = str_field(ty, "name", "__schema.types[]")?;
        if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name) {
            continue;
        }
        named.push((name, ty));
    }
    let roots: Vec<&str> = [
        Some(query.as_str()),
        mutation.as_deref(),
        subscription.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    named.sort_by(|(a, _), (b, _)| {
        let rank = |n: &str| roots.iter().position(|r| *r == n).unwrap_or(roots.len());
        rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
    });

    let mut definitions = Vec::new();
    let type_names: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
    let implicit = |op: &str, actual: Option<&str>| match actual {
        Some(name) => name == op,
        None => !type_names.contains(&op),
    };
    if !(implicit("Query", Some(&query))
        && implicit("Mutation", mutation.as_deref())
        && implicit("Subscription", subscription.as_deref()))
    {
        let mut root_operations = vec![Node::new((OperationType::Query, name(&query)?))];
        if let Some(m) = &mutation {
            root_operations.push(Node::new((OperationType::Mutation, name(m)?)));
        }
        if let Some(s) = &subscription {
            root_operations.push(Node::new((OperationType::Subscription, name(s)?)));
        }
        definitions.push(Definition::SchemaDefinition(Node::new(SchemaDefinition {
            description: None,
            directives: DirectiveList::default(),
            root_operations,
        })));
    }

    let mut directives: Vec<&Json> = match schema.get("directives") {
        Some(Json::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    directives.retain(|d| {
        d.get("name")
            .and_then(Json::as_str)
            .is_some_and(|n| !BUILT_IN_DIRECTIVES.contains(&n))
    });
    directives.sort_by_key(|d| d.get("name").and_then(Json::as_str).unwrap_or_default());
    for d in directives {
        definitions.push(directive_definition(d)?);
    }

    for (_, ty) in named {
        definitions.push(type_definition(ty)?);
    }

    let document = Document {
        sources: Default::default(),
        definitions,
    };
    let sdl = document.to_string();
    Schema::parse_and_validate(&sdl, "pulled.graphql").map_err(|e| Error::InvalidSchema {
        name: "the pulled schema".into(),
        diagnostics: e.errors.to_string(),
    })?;
    Ok(sdl)
}

fn find_schema(json: &Json) -> Result<&Json, Error> {
    if let Some(s) = json.get("data").and_then(|d| d.get("__schema")) {
        return Ok(s);
    }
    if let Some(s) = json.get("__schema") {
        return Ok(s);
    }
    if json.get("types").is_some() {
        return Ok(json);
    }
    Err(Error::Introspection(
        "no `__schema` object (expected `{\"data\": {\"__schema\": ...}}`)".into(),
    ))
}

fn name(s: &str) -> Result<Name, Error> {
    Name::new(s).map_err(|_| Error::Introspection(format!("`{s}` is not a valid GraphQL name")))
}

fn str_field<'a>(v: &'a Json, key: &str, ctx: &str) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| Error::Introspection(format!("`{ctx}.{key}` is missing or not a string")))
}

fn array_field<'a>(v: &'a Json, key: &str, ctx: &str) -> Result<&'a [Json], Error> {
    v.get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| Error::Introspection(format!("`{ctx}.{key}` is missing or not a list")))
}

/// A list that servers may send as `null` or leave out (for example `interfaces` on an
/// interface type before the 2021 spec).
fn optional_array<'a>(v: &'a Json, key: &str) -> &'a [Json] {
    v.get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn description(v: &Json) -> Option<Node<str>> {
    v.get("description")
        .and_then(Json::as_str)
        .map(Node::new_str)
}

fn deprecation(v: &Json) -> DirectiveList {
    if v.get("isDeprecated").and_then(Json::as_bool) != Some(true) {
        return DirectiveList::default();
    }
    let arguments = match v.get("deprecationReason").and_then(Json::as_str) {
        Some(reason) if reason != DEFAULT_DEPRECATION_REASON => vec![Node::new(Argument {
            name: Name::new_static_unchecked("reason"),
            value: Node::new(Value::String(reason.to_owned())),
        })],
        _ => Vec::new(),
    };
    DirectiveList(vec![Node::new(Directive {
        name: Name::new_static_unchecked("deprecated"),
        arguments,
    })])
}

fn type_ref(v: &Json) -> Result<Type, Error> {
    let kind = str_field(v, "kind", "type reference")?;
    let of_type = || {
        v.get("ofType").filter(|t| !t.is_null()).ok_or_else(|| {
            Error::Introspection(format!(
                "a {kind} type reference has no `ofType` (the query's TypeRef depth is too small?)"
            ))
        })
    };
    match kind {
        "NON_NULL" => {
            let inner = type_ref(of_type()?)?;
            if inner.is_non_null() {
                return Err(Error::Introspection("a NON_NULL of a NON_NULL type".into()));
            }
            Ok(inner.non_null())
        }
        "LIST" => Ok(type_ref(of_type()?)?.list()),
        _ => Ok(Type::Named(name(str_field(v, "name", "type reference")?)?)),
    }
}

fn default_value(raw: &str) -> Result<Node<Value>, Error> {
    // The introspection answer holds the default as GraphQL literal text; let
    // apollo-compiler's parser read it inside a one-field input type.
    let doc = format!("input DefaultValue {{ value: Int = {raw} }}");
    let bad = || Error::Introspection(format!("`{raw}` is not a GraphQL default value"));
    let parsed = apollo_compiler::ast::Document::parse(doc, "defaultValue").map_err(|_| bad())?;
    match parsed.definitions.as_slice() {
        [Definition::InputObjectTypeDefinition(def)] => match def.fields.as_slice() {
            [field] => field.default_value.clone().ok_or_else(bad),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn input_value(v: &Json) -> Result<Node<InputValueDefinition>, Error> {
    let default_value = match v.get("defaultValue").and_then(Json::as_str) {
        Some(raw) => Some(default_value(raw)?),
        None => None,
    };
    Ok(Node::new(InputValueDefinition {
        description: description(v),
        name: name(str_field(v, "name", "input value")?)?,
        ty: Node::new(type_ref(v.get("type").ok_or_else(|| {
            Error::Introspection("an input value has no `type`".into())
        })?)?),
        default_value,
        directives: deprecation(v),
    }))
}

fn field(v: &Json) -> Result<Node<FieldDefinition>, Error> {
    Ok(Node::new(FieldDefinition {
        description: description(v),
        name: name(str_field(v, "name", "field")?)?,
        arguments: optional_array(v, "args")
            .iter()
            .map(input_value)
            .collect::<Result<_, _>>()?,
        ty: type_ref(
            v.get("type")
                .ok_or_else(|| Error::Introspection("a field has no `type`".into()))?,
        )?,
        directives: deprecation(v),
    }))
}

fn names(v: &Json, key: &str) -> Result<Vec<Name>, Error> {
    optional_array(v, key)
        .iter()
        .map(|t| name(str_field(t, "name", key)?))
        .collect()
}

fn type_definition(ty: &Json) -> Result<Definition, Error> {
    let type_name = name(str_field(ty, "name", "__schema.types[]")?)?;
    let kind = str_field(ty, "kind", &type_name)?;
    let fields =
        || -> Result<Vec<_>, Error> { optional_array(ty, "fields").iter().map(field).collect() };
    Ok(match kind {
        "SCALAR" => Definition::ScalarTypeDefinition(Node::new(ScalarTypeDefinition {
            description: description(ty),
            name: type_name,
            directives: DirectiveList::default(),
        })),
        "OBJECT" => Definition::ObjectTypeDefinition(Node::new(ObjectTypeDefinition {
            description: description(ty),
            name: type_name,
            implements_interfaces: names(ty, "interfaces")?,
            directives: DirectiveList::default(),
            fields: fields()?,
        })),
        "INTERFACE" => Definition::InterfaceTypeDefinition(Node::new(InterfaceTypeDefinition {
            description: description(ty),
            name: type_name,
            implements_interfaces: names(ty, "interfaces")?,
            directives: DirectiveList::default(),
            fields: fields()?,
        })),
        "UNION" => Definition::UnionTypeDefinition(Node::new(UnionTypeDefinition {
            description: description(ty),
            name: type_name,
            directives: DirectiveList::default(),
            members: names(ty, "possibleTypes")?,
        })),
        "ENUM" => Definition::EnumTypeDefinition(Node::new(EnumTypeDefinition {
            description: description(ty),
            name: type_name,
            directives: DirectiveList::default(),
            values: optional_array(ty, "enumValues")
                .iter()
                .map(|v| {
                    Ok(Node::new(EnumValueDefinition {
                        description: description(v),
                        value: name(str_field(v, "name", "enum value")?)?,
                        directives: deprecation(v),
                    }))
                })
                .collect::<Result<_, Error>>()?,
        })),
        "INPUT_OBJECT" => {
            Definition::InputObjectTypeDefinition(Node::new(InputObjectTypeDefinition {
                description: description(ty),
                name: type_name,
                directives: DirectiveList::default(),
                fields: optional_array(ty, "inputFields")
                    .iter()
                    .map(input_value)
                    .collect::<Result<_, _>>()?,
            }))
        }
        other => {
            return Err(Error::Introspection(format!(
                "type `{type_name}` has the unknown kind `{other}`"
            )))
        }
    })
}

fn directive_location(s: &str) -> Result<DirectiveLocation, Error> {
    use DirectiveLocation as L;
    Ok(match s {
        "QUERY" => L::Query,
        "MUTATION" => L::Mutation,
        "SUBSCRIPTION" => L::Subscription,
        "FIELD" => L::Field,
        "FRAGMENT_DEFINITION" => L::FragmentDefinition,
        "FRAGMENT_SPREAD" => L::FragmentSpread,
        "INLINE_FRAGMENT" => L::InlineFragment,
        "VARIABLE_DEFINITION" => L::VariableDefinition,
        "SCHEMA" => L::Schema,
        "SCALAR" => L::Scalar,
        "OBJECT" => L::Object,
        "FIELD_DEFINITION" => L::FieldDefinition,
        "ARGUMENT_DEFINITION" => L::ArgumentDefinition,
        "INTERFACE" => L::Interface,
        "UNION" => L::Union,
        "ENUM" => L::Enum,
        "ENUM_VALUE" => L::EnumValue,
        "INPUT_OBJECT" => L::InputObject,
        "INPUT_FIELD_DEFINITION" => L::InputFieldDefinition,
        other => {
            return Err(Error::Introspection(format!(
                "unknown directive location `{other}`"
            )))
        }
    })
}

fn directive_definition(d: &Json) -> Result<Definition, Error> {
    Ok(Definition::DirectiveDefinition(Node::new(
        DirectiveDefinition {
            description: description(d),
            name: name(str_field(d, "name", "directive")?)?,
            arguments: optional_array(d, "args")
                .iter()
                .map(input_value)
                .collect::<Result<_, _>>()?,
            repeatable: d.get("isRepeatable").and_then(Json::as_bool) == Some(true),
            locations: optional_array(d, "locations")
                .iter()
                .map(|l| {
                    directive_location(l.as_str().ok_or_else(|| {
                        Error::Introspection("a directive location is not a string".into())
                    })?)
                })
                .collect::<Result<_, _>>()?,
        },
    )))
}
