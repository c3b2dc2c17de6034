//! The schema the emulator serves, read back by introspection, equals the checked-in SDL.

use crate::common;

use std::collections::BTreeMap;

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;
use common::*;
use serde_json::{json, Value};

/// The standard introspection query (what `labelbox schema pull` and GraphQL tools send).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}
"#;

fn type_ref(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_ref(&t["ofType"])),
        "LIST" => format!("[{}]", type_ref(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

fn description(v: &Value, indent: &str) -> String {
    match v["description"].as_str() {
        Some(d) => format!("{indent}{}\n", serde_json::to_string(d).unwrap()),
        None => String::new(),
    }
}

fn input_value(v: &Value) -> String {
    let default = match v["defaultValue"].as_str() {
        Some(d) => format!(" = {d}"),
        None => String::new(),
    };
    format!(
        "{}: {}{default}",
        v["name"].as_str().unwrap(),
        type_ref(&v["type"])
    )
}

/// Rebuilds SDL from an introspection result.
fn to_sdl(schema: &Value) -> String {
    let mut sdl = format!(
        "schema {{ query: {}",
        schema["queryType"]["name"].as_str().unwrap()
    );
    if let Some(m) = schema["mutationType"]["name"].as_str() {
        sdl += &format!(" mutation: {m}");
    }
    sdl += " }\n";
    for t in schema["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        sdl += &description(t, "");
        match t["kind"].as_str().unwrap() {
            "SCALAR" => sdl += &format!("scalar {name}\n"),
            kind @ ("OBJECT" | "INTERFACE" | "INPUT_OBJECT") => {
                let (keyword, list) = match kind {
                    "OBJECT" => ("type", &t["fields"]),
                    "INTERFACE" => ("interface", &t["fields"]),
                    _ => ("input", &t["inputFields"]),
                };
                sdl += &format!("{keyword} {name} {{\n");
                for f in list.as_array().unwrap() {
                    sdl += &description(f, "  ");
                    if kind == "INPUT_OBJECT" {
                        sdl += &format!("  {}\n", input_value(f));
                        continue;
                    }
                    let args: Vec<String> = f["args"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(input_value)
                        .collect();
                    let args = if args.is_empty() {
                        String::new()
                    } else {
                        format!("({})", args.join(", "))
                    };
                    sdl += &format!(
                        "  {}{args}: {}\n",
                        f["name"].as_str().unwrap(),
                        type_ref(&f["type"])
                    );
                }
                sdl += "}\n";
            }
            "ENUM" => {
                let values: Vec<&str> = t["enumValues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["name"].as_str().unwrap())
                    .collect();
                sdl += &format!("enum {name} {{ {} }}\n", values.join(" "));
            }
            "UNION" => {
                let members: Vec<String> = t["possibleTypes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(type_ref)
                    .collect();
                sdl += &format!("union {name} = {}\n", members.join(" | "));
            }
            other => panic!("unexpected kind {other}"),
        }
    }
    sdl
}

/// Each non-built-in type serialised, keyed by name, plus the root operations.
fn normalised(schema: &Schema) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert(
        "schema".to_owned(),
        format!(
            "query: {:?} mutation: {:?} subscription: {:?}",
            schema
                .schema_definition
                .query
                .as_ref()
                .map(|n| n.to_string()),
            schema
                .schema_definition
                .mutation
                .as_ref()
                .map(|n| n.to_string()),
            schema
                .schema_definition
                .subscription
                .as_ref()
                .map(|n| n.to_string()),
        ),
    );
    for (name, ty) in &schema.types {
        if ty.is_built_in() {
            continue;
        }
        let text = match ty {
            ExtendedType::Scalar(t) => t.serialize().to_string(),
            ExtendedType::Object(t) => t.serialize().to_string(),
            ExtendedType::Interface(t) => t.serialize().to_string(),
            ExtendedType::Union(t) => t.serialize().to_string(),
            ExtendedType::Enum(t) => t.serialize().to_string(),
            ExtendedType::InputObject(t) => t.serialize().to_string(),
        };
        out.insert(name.to_string(), text);
    }
    out
}

#[tokio::test]
async fn introspection_reproduces_the_checked_in_sdl() {
    let emu = start().await;
    let body = gql(
        &emu.endpoint(),
        Some(emu.admin_key()),
        INTROSPECTION,
        json!(null),
    )
    .await;
    let served_sdl = to_sdl(&data(&body)["__schema"]);
    let served = Schema::parse_and_validate(&served_sdl, "introspected.graphql")
        .unwrap_or_else(|e| panic!("{}\n{served_sdl}", e.errors));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/labelbox.graphql");
    let checked_in =
        Schema::parse_and_validate(std::fs::read_to_string(path).unwrap(), path).unwrap();
    let (served, checked_in) = (normalised(&served), normalised(&checked_in));
    assert!(served.len() > 10, "{served:?}");
    // Descriptions take part in the comparison.
    assert!(
        checked_in["Query"].contains("The caller"),
        "{}",
        checked_in["Query"]
    );
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        checked_in.keys().collect::<Vec<_>>()
    );
    for (name, text) in &checked_in {
        assert_eq!(&served[name], text, "type {name} differs");
    }
}

#[tokio::test]
async fn typename_works_without_introspection_of_types() {
    let emu = start().await;
    let body = gql(
        &emu.endpoint(),
        Some(emu.admin_key()),
        "{ __typename user { __typename id } }",
        json!(null),
    )
    .await;
    assert_eq!(data(&body)["__typename"], "Query");
    assert_eq!(data(&body)["user"]["__typename"], "User");
}
