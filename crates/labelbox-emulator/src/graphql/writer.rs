//! The direct JSON writer for queries: it walks the fields a prepared document selects
//! ([`Plan`], collected once per document) over the state and writes the response straight
//! into a byte buffer, the same bytes apollo-compiler's executor and `serde_json` produce.
//! What each field is comes from `fields.rs`, as for the executor's resolvers.
//!
//! It answers only documents that have a plan (no field merging, no directives, no
//! introspection) and only the happy path: whatever would produce an error (a refused
//! argument, a value out of range) returns [`Fallback`], and the executor answers instead,
//! so every error answer is the executor's.
//!
//! A listing's keys are written from their rendered JSON, kept per selection with the state
//! snapshot (`rendered.rs`).

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::Operation;
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use time::OffsetDateTime;

use crate::dates::push_date;
use crate::invites::InviteRecord;
use crate::state::{KeyRecord, State, UserRecord};
use crate::visibility::{self, KeyList};

use super::fields::{self, FieldValue, Reader, Refusal};
use super::plan::{PlannedArg, PlannedField};
use super::rendered::{KeyShape, RenderedKeys};

/// The writer does not answer this request: the executor does.
#[derive(Debug)]
pub(crate) enum Fallback {
    /// Not for the writer, whatever the state: the same request falls back again.
    Request,
    /// Because of this state's data (a key's expiry beyond an `Int`): a later snapshot may
    /// not.
    State,
}

type Out<T = ()> = Result<T, Fallback>;

/// What the writer did, for the tests of its work (never timed).
#[derive(Default)]
pub(crate) struct WriterStats {
    /// Queries tried on the writer.
    pub attempts: AtomicU64,
    /// Keys rendered to JSON (kept or written directly).
    pub rendered_keys: AtomicU64,
    /// Bytes of keys rendered to JSON.
    pub rendered_bytes: AtomicU64,
}

/// Writes the answer of the query `op` (planned as `plan`) as `caller` over `state`: the
/// response body, or [`Fallback`] when the executor must answer.
pub(crate) fn write_query(
    stats: &WriterStats,
    schema: &Valid<Schema>,
    op: &Operation,
    plan: &[PlannedField],
    variables: &JsonMap,
    state: &State,
    caller: &crate::auth::Caller,
) -> Out<Vec<u8>> {
    let vars = apollo_compiler::request::coerce_variable_values(schema, op, variables)
        .map_err(|_| Fallback::Request)?;
    stats.attempts.fetch_add(1, Ordering::Relaxed);
    let mut writer = Writer {
        stats,
        schema,
        vars: &vars,
        reader: Reader { state, caller },
        out: Vec::with_capacity(1024),
    };
    writer.out.extend_from_slice(b"{\"data\":");
    writer.object("Query", plan, |r, field, args| {
        fields::query(r, field.name.as_str(), args)
    })?;
    writer.out.push(b'}');
    Ok(writer.out)
}

struct Writer<'a, 's> {
    stats: &'a WriterStats,
    schema: &'a Valid<Schema>,
    vars: &'a JsonMap,
    reader: Reader<'s>,
    out: Vec<u8>,
}

impl<'a, 's> Writer<'a, 's> {
    /// An object of the type `type_name`: each planned field's response key and value.
    fn object(
        &mut self,
        type_name: &str,
        planned: &[PlannedField],
        mut field: impl FnMut(Reader<'s>, &PlannedField, &JsonMap) -> Result<FieldValue<'s>, Refusal>,
    ) -> Out {
        self.out.push(b'{');
        for (i, p) in planned.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_str(&mut self.out, p.key.as_str());
            self.out.push(b':');
            if p.name == "__typename" {
                write_str(&mut self.out, type_name);
                continue;
            }
            let args = self.args(&p.args)?;
            let value = field(self.reader, p, &args).map_err(|_| Fallback::Request)?;
            self.value(value, &p.sub)?;
        }
        self.out.push(b'}');
        Ok(())
    }

    fn value(&mut self, value: FieldValue<'s>, sub: &[PlannedField]) -> Out {
        match value {
            FieldValue::User(user) => self.user(user, sub),
            FieldValue::Users(users) => {
                self.out.push(b'[');
                for (i, user) in users.into_iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.user(user, sub)?;
                }
                self.out.push(b']');
                Ok(())
            }
            FieldValue::Organization => self.object("Organization", sub, |r, p, args| {
                fields::organization(r, p.name.as_str(), args)
            }),
            FieldValue::Role(role) => {
                self.object("Role", sub, |_, p, _| fields::role(role, p.name.as_str()))
            }
            FieldValue::Roles(roles) => {
                self.out.push(b'[');
                for (i, role) in roles.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.object("Role", sub, |_, p, _| fields::role(role, p.name.as_str()))?;
                }
                self.out.push(b']');
                Ok(())
            }
            FieldValue::OrganizationRole(permissions) => {
                self.object("OrganizationRole", sub, |_, p, _| {
                    fields::organization_role(permissions, p.name.as_str())
                })
            }
            FieldValue::Keys(user, list) => self.keys(user, list, sub),
            FieldValue::Invite(invite) => self.invite(invite, sub),
            FieldValue::Invites(invites) => {
                self.out.push(b'[');
                for (i, invite) in invites.into_iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.invite(invite, sub)?;
                }
                self.out.push(b']');
                Ok(())
            }
            FieldValue::InvitePage(nodes, next) => {
                self.object("InviteConnection", sub, |_, p, _| {
                    fields::invite_page(&nodes, next.as_deref(), p.name.as_str())
                })
            }
            FieldValue::NoProjectInvites => {
                self.out.extend_from_slice(b"[]");
                Ok(())
            }
            FieldValue::InvitesLimit(usage) => self.object("InvitesLimit", sub, |_, p, _| {
                fields::invites_limit(usage, p.name.as_str())
            }),
            scalar => write_scalar(&mut self.out, &scalar),
        }
    }

    fn invite(&mut self, invite: &'s InviteRecord, sub: &[PlannedField]) -> Out {
        self.object("Invite", sub, |r, p, _| {
            fields::invite(r, invite, p.name.as_str())
        })
    }

    fn user(&mut self, user: &'s UserRecord, sub: &[PlannedField]) -> Out {
        self.object("User", sub, |r, p, _| {
            fields::user(r, user, p.name.as_str())
        })
    }

    /// The field's arguments as the executor coerces them: the value written (variables
    /// substituted) or else the declared default. Anything the executor would refuse, or
    /// coerce otherwise, is left to it.
    fn args(&self, planned: &[PlannedArg]) -> Out<JsonMap> {
        let mut map = JsonMap::new();
        for arg in planned {
            let value = match arg.value.as_deref() {
                Some(Value::Variable(var)) if !self.vars.contains_key(var.as_str()) => arg
                    .default
                    .as_deref()
                    .map(|d| self.input(d, &arg.ty))
                    .transpose()?,
                Some(value) => Some(self.input(value, &arg.ty)?),
                None => arg
                    .default
                    .as_deref()
                    .map(|d| self.input(d, &arg.ty))
                    .transpose()?,
            };
            match value {
                Some(value) => {
                    map.insert(arg.name.as_str(), value);
                }
                None if arg.ty.is_non_null() => return Err(Fallback::Request),
                None => {}
            }
        }
        Ok(map)
    }

    /// An input value of the type `ty`, for the types this schema's arguments have.
    fn input(&self, value: &Value, ty: &Type) -> Out<JsonValue> {
        let named = ty.inner_named_type().as_str();
        let scalar = !ty.is_list();
        Ok(match value {
            Value::Null if !ty.is_non_null() => JsonValue::Null,
            Value::Variable(var) => match self.vars.get(var.as_str()) {
                Some(JsonValue::Null) if ty.is_non_null() => return Err(Fallback::Request),
                Some(v) => v.clone(),
                None => return Err(Fallback::Request),
            },
            Value::String(s) if scalar && matches!(named, "String" | "ID") => {
                JsonValue::from(s.as_str())
            }
            Value::Int(i) if scalar && named == "Int" => {
                JsonValue::from(i.try_to_i32().map_err(|_| Fallback::Request)?)
            }
            Value::Boolean(b) if scalar && named == "Boolean" => JsonValue::Bool(*b),
            Value::Object(given) if scalar => {
                let Some(ExtendedType::InputObject(def)) = self.schema.types.get(named) else {
                    return Err(Fallback::Request);
                };
                if given.iter().any(|(n, _)| !def.fields.contains_key(n)) {
                    return Err(Fallback::Request);
                }
                let mut map = JsonMap::new();
                for (name, field) in &def.fields {
                    let written = given.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                    let value = match written.map(|v| v.as_ref()) {
                        Some(Value::Variable(var)) if !self.vars.contains_key(var.as_str()) => None,
                        Some(v) => Some(self.input(v, &field.ty)?),
                        None => None,
                    };
                    let value = match value {
                        Some(v) => Some(v),
                        None => field
                            .default_value
                            .as_deref()
                            .map(|d| self.input(d, &field.ty))
                            .transpose()?,
                    };
                    match value {
                        Some(v) => {
                            map.insert(name.as_str(), v);
                        }
                        None if field.ty.is_non_null() => return Err(Fallback::Request),
                        None => {}
                    }
                }
                JsonValue::Object(map)
            }
            _ => return Err(Fallback::Request),
        })
    }

    /// The list `list` of `user` as the caller sees it: each key shown from its rendered
    /// JSON, rendered now (and kept, within the bounds) if it is not yet. Keys not shown are
    /// never rendered.
    fn keys(&mut self, user: &UserRecord, list: KeyList, sub: &[PlannedField]) -> Out {
        let shape: KeyShape = sub
            .iter()
            .map(|p| (p.key.as_str().to_owned(), p.name.as_str().to_owned()))
            .collect();
        let Reader { state, caller } = self.reader;
        let mut shown = visibility::listed_keys(state, caller, user, list).peekable();
        let rendered = RenderedKeys::of(state);
        // The slots only for a list that shows keys.
        let slots = match shown.peek() {
            Some(_) => rendered.slots(&shape, state.derived().listed.len()),
            None => None,
        };
        self.out.push(b'[');
        for (n, (i, listed)) in shown.enumerate() {
            if n > 0 {
                self.out.push(b',');
            }
            let slot = slots.as_ref().and_then(|s| s.get(i));
            if let Some(json) = slot.and_then(OnceLock::get) {
                self.out.extend_from_slice(json);
                continue;
            }
            let key = state.keys.get(&listed.id).ok_or(Fallback::State)?;
            let start = self.out.len();
            write_key(&mut self.out, state, key, &shape)?;
            let json = self.out.get(start..).unwrap_or_default();
            self.stats.rendered_keys.fetch_add(1, Ordering::Relaxed);
            self.stats.rendered_bytes.fetch_add(
                u64::try_from(json.len()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            if let Some(slot) = slot {
                rendered.keep(slot, json);
            }
        }
        self.out.push(b']');
        Ok(())
    }
}

/// One key's JSON object with the fields of `shape`.
fn write_key(out: &mut Vec<u8>, state: &State, key: &KeyRecord, shape: &KeyShape) -> Out {
    out.push(b'{');
    for (i, (response_key, name)) in shape.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, response_key);
        out.push(b':');
        if name == "__typename" {
            write_str(out, "ApiKey");
            continue;
        }
        let value = fields::api_key(state, key, name).map_err(|_| Fallback::Request)?;
        write_scalar(out, &value)?;
    }
    out.push(b'}');
    Ok(())
}

/// A leaf value; an object value is not one (the executor answers).
fn write_scalar(out: &mut Vec<u8>, value: &FieldValue<'_>) -> Out {
    match value {
        FieldValue::Null => out.extend_from_slice(b"null"),
        FieldValue::Str(s) => write_str(out, s),
        FieldValue::Text(s) => write_str(out, s),
        FieldValue::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        // An `Int` beyond 32 bits is the executor's error.
        FieldValue::Int(i) => {
            let int = i32::try_from(*i).map_err(|_| Fallback::State)?;
            write!(out, "{int}").map_err(|_| Fallback::State)?;
        }
        FieldValue::Date(t) => write_date(out, *t),
        FieldValue::Strings(items) => write_str_list(out, items),
        FieldValue::Permissions(items) => write_str_list(out, items),
        _ => return Err(Fallback::Request),
    }
    Ok(())
}

/// A JSON string, escaped exactly as `serde_json` escapes it (it does the escaping).
fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_str_list<S: AsRef<str>>(out: &mut Vec<u8>, items: &[S]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, item.as_ref());
    }
    out.push(b']');
}

/// A date as a JSON string, as [`crate::dates::format_date`] writes it.
fn write_date(out: &mut Vec<u8>, t: OffsetDateTime) {
    out.push(b'"');
    push_date(out, t);
    out.push(b'"');
}
