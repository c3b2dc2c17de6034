//! A serialising executor for queries: it walks the validated selection sets over the state
//! and writes the JSON response straight into a byte buffer, the same bytes apollo-compiler's
//! executor and `serde_json` produce (field collection and merging per the spec's
//! CollectFields, as apollo-compiler implements it).
//!
//! It answers only the happy path. Whatever would produce an error (a refused argument, a
//! value out of range), introspection (`__schema`, `__type`) and mutations return
//! [`Fallback`], and the apollo executor answers instead, so every error answer is the
//! executor's. What the caller may see comes from `visibility.rs`, as for the resolvers.
//!
//! A listing's keys are written from their rendered JSON, kept per selection in the state
//! snapshot ([`RenderedKeys`]): only each key's own data is kept; which keys the caller sees
//! is decided at each request, and a key is rendered only when a listing shows it (so a
//! listing costs what it answers, never what the organization holds).

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use apollo_compiler::ast::Value;
use apollo_compiler::executable::{Field, OperationType, Selection};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Node, Schema};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::roles::{self, RoleDef};
use crate::state::{KeyRecord, State, UserRecord};
use crate::visibility::{self, KeyList};

/// The fast path does not answer this request: the apollo executor does.
#[derive(Debug)]
pub(crate) enum Fallback {
    /// Not for the fast path, whatever the state: the same request falls back again.
    Request,
    /// Because of this state's data (a key's expiry beyond an `Int`): a later snapshot may
    /// not.
    State,
}

type Out<T = ()> = Result<T, Fallback>;

/// Most selections of keys whose rendering a state snapshot keeps.
const MAX_RENDERED_SHAPES: usize = 8;
/// Most bytes of rendered keys a state snapshot keeps, all selections together (their
/// slots included).
const MAX_RENDERED_BYTES: usize = 32 * 1024 * 1024;

/// The rendered JSON object of listed keys of a state, per selection of key fields
/// (response key and field name of each, in order), each rendered the first time a listing
/// shows it: a listing renders at most the keys it shows, never the others. Lives in the
/// state snapshot, so it never outlives the data it was rendered from. Past its bounds,
/// keys are written directly at each listing that shows them.
#[derive(Default)]
pub(crate) struct RenderedKeys {
    shapes: RwLock<Vec<(KeyShape, Arc<Slots>)>>,
    /// Bytes kept: rendered keys and slots.
    bytes: AtomicUsize,
}

type KeyShape = Vec<(String, String)>;

/// One selection's slots: slot `i` holds the JSON of the state's listed key `i` once a
/// listing has shown it.
struct Slots {
    slots: Box<[OnceLock<Box<[u8]>>]>,
}

impl RenderedKeys {
    /// Reserves `bytes` within [`MAX_RENDERED_BYTES`]; `false`, and nothing reserved, past it.
    fn reserve(&self, bytes: usize) -> bool {
        self.bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |kept| {
                kept.checked_add(bytes)
                    .filter(|total| *total <= MAX_RENDERED_BYTES)
            })
            .is_ok()
    }

    /// The slots of `shape` for the `listed` keys of the state: kept, or new while within
    /// the bounds; `None` past them.
    fn slots(&self, shape: &KeyShape, listed: usize) -> Option<Arc<Slots>> {
        {
            let shapes = self.shapes.read().unwrap_or_else(|p| p.into_inner());
            if let Some((_, slots)) = shapes.iter().find(|(s, _)| s == shape) {
                return Some(Arc::clone(slots));
            }
            if shapes.len() >= MAX_RENDERED_SHAPES {
                return None;
            }
        }
        let mut shapes = self.shapes.write().unwrap_or_else(|p| p.into_inner());
        if let Some((_, slots)) = shapes.iter().find(|(s, _)| s == shape) {
            return Some(Arc::clone(slots));
        }
        let size = listed.saturating_mul(std::mem::size_of::<OnceLock<Box<[u8]>>>())
            + shape.iter().map(|(k, n)| k.len() + n.len()).sum::<usize>();
        if shapes.len() >= MAX_RENDERED_SHAPES || !self.reserve(size) {
            return None;
        }
        let slots = Arc::new(Slots {
            slots: (0..listed).map(|_| OnceLock::new()).collect(),
        });
        shapes.push((shape.clone(), Arc::clone(&slots)));
        Some(slots)
    }
}

/// What the fast path did, for the tests of its work (never timed).
#[derive(Default)]
pub(crate) struct FastPathStats {
    /// Queries tried on the fast path.
    pub attempts: AtomicU64,
    /// Keys rendered to JSON (kept or written directly).
    pub rendered_keys: AtomicU64,
    /// Bytes of keys rendered to JSON.
    pub rendered_bytes: AtomicU64,
}

/// Executes the query `operation_name` of `doc` as `caller` over `state`: the response body,
/// or [`Fallback`] when the apollo executor must answer.
pub(crate) fn execute_query(
    stats: &FastPathStats,
    schema: &Valid<Schema>,
    doc: &Valid<ExecutableDocument>,
    operation_name: Option<&str>,
    variables: &JsonMap,
    state: &State,
    caller: &Caller,
) -> Out<Vec<u8>> {
    let op = doc
        .operations
        .get(operation_name)
        .map_err(|_| Fallback::Request)?;
    if op.operation_type != OperationType::Query {
        return Err(Fallback::Request);
    }
    let vars = apollo_compiler::request::coerce_variable_values(schema, op, variables)
        .map_err(|_| Fallback::Request)?;
    stats.attempts.fetch_add(1, Ordering::Relaxed);
    let mut exec = Exec {
        stats,
        schema,
        doc,
        vars: &vars,
        state,
        caller,
        out: Vec::with_capacity(1024),
    };
    exec.out.extend_from_slice(b"{\"data\":");
    let grouped = exec.collect("Query", op.selection_set.selections.iter())?;
    exec.object(&grouped, |exec, name, fields| {
        exec.query_field(name, fields)
    })?;
    exec.out.push(b'}');
    Ok(exec.out)
}

/// Fields grouped by response key, in order (CollectFields).
type Grouped<'a> = Vec<(&'a Name, Vec<&'a Node<Field>>)>;

struct Exec<'a> {
    stats: &'a FastPathStats,
    schema: &'a Valid<Schema>,
    doc: &'a Valid<ExecutableDocument>,
    vars: &'a JsonMap,
    state: &'a State,
    caller: &'a Caller,
    out: Vec<u8>,
}

/// An argument's value with variables substituted; `None` when absent.
type ArgValue = Option<JsonValue>;

impl<'a> Exec<'a> {
    /// CollectFields of `selections` on the object type `type_name`.
    fn collect(
        &self,
        type_name: &str,
        selections: impl Iterator<Item = &'a Selection>,
    ) -> Out<Grouped<'a>> {
        let mut grouped = Grouped::new();
        let mut visited = Vec::new();
        self.collect_into(type_name, selections, &mut visited, &mut grouped)?;
        Ok(grouped)
    }

    fn collect_into(
        &self,
        type_name: &str,
        selections: impl Iterator<Item = &'a Selection>,
        visited: &mut Vec<&'a Name>,
        grouped: &mut Grouped<'a>,
    ) -> Out {
        for selection in selections {
            if self.if_arg(selection, "skip").unwrap_or(false)
                || !self.if_arg(selection, "include").unwrap_or(true)
            {
                continue;
            }
            match selection {
                Selection::Field(field) => {
                    let key = field.response_key();
                    match grouped.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, fields)) => fields.push(field),
                        None => grouped.push((key, vec![field])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if visited.contains(&&spread.fragment_name) {
                        continue;
                    }
                    visited.push(&spread.fragment_name);
                    let Some(fragment) = self.doc.fragments.get(&spread.fragment_name) else {
                        continue;
                    };
                    if !self.type_applies(type_name, fragment.type_condition())? {
                        continue;
                    }
                    self.collect_into(
                        type_name,
                        fragment.selection_set.selections.iter(),
                        visited,
                        grouped,
                    )?;
                }
                Selection::InlineFragment(inline) => {
                    if let Some(condition) = &inline.type_condition {
                        if !self.type_applies(type_name, condition)? {
                            continue;
                        }
                    }
                    self.collect_into(
                        type_name,
                        inline.selection_set.selections.iter(),
                        visited,
                        grouped,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// DoesFragmentTypeApply, for the object types this schema has (an abstract type
    /// condition is left to the executor).
    fn type_applies(&self, type_name: &str, condition: &Name) -> Out<bool> {
        match self.schema.types.get(condition) {
            Some(ExtendedType::Object(_)) => Ok(condition.as_str() == type_name),
            _ => Err(Fallback::Request),
        }
    }

    /// The `if` argument of the directive `name` on `selection`.
    fn if_arg(&self, selection: &Selection, name: &str) -> Option<bool> {
        match selection
            .directives()
            .get(name)?
            .specified_argument_by_name("if")?
            .as_ref()
        {
            Value::Boolean(value) => Some(*value),
            Value::Variable(var) => self.vars.get(var.as_str())?.as_bool(),
            _ => None,
        }
    }

    /// Writes an object: each grouped field's response key and the value `field` writes.
    fn object(
        &mut self,
        grouped: &Grouped<'a>,
        mut field: impl FnMut(&mut Self, &str, &[&'a Node<Field>]) -> Out,
    ) -> Out {
        self.out.push(b'{');
        for (i, (key, fields)) in grouped.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_str(&mut self.out, key.as_str());
            self.out.push(b':');
            let name = fields.first().ok_or(Fallback::Request)?.name.as_str();
            field(self, name, fields)?;
        }
        self.out.push(b'}');
        Ok(())
    }

    /// CollectFields over the merged selection sets of `fields`, on `type_name`.
    fn sub_fields(&self, type_name: &str, fields: &[&'a Node<Field>]) -> Out<Grouped<'a>> {
        self.collect(
            type_name,
            fields
                .iter()
                .flat_map(|field| field.selection_set.selections.iter()),
        )
    }

    /// The value of the argument `name` of the first of `fields` (as the executor reads it).
    fn arg(&self, fields: &[&'a Node<Field>], name: &str) -> Out<ArgValue> {
        let field = fields.first().ok_or(Fallback::Request)?;
        match field.arguments.iter().find(|a| a.name == name) {
            None => Ok(None),
            Some(arg) => self.value(&arg.value),
        }
    }

    fn value(&self, value: &Value) -> Out<ArgValue> {
        Ok(Some(match value {
            Value::Null => JsonValue::Null,
            Value::Variable(var) => return Ok(self.vars.get(var.as_str()).cloned()),
            Value::String(s) => JsonValue::from(s.as_str()),
            Value::Int(i) => JsonValue::from(i.try_to_i32().map_err(|_| Fallback::Request)?),
            Value::Boolean(b) => JsonValue::Bool(*b),
            Value::Object(fields) => {
                let mut map = JsonMap::new();
                for (name, value) in fields {
                    if let Some(v) = self.value(value)? {
                        map.insert(name.as_str(), v);
                    }
                }
                JsonValue::Object(map)
            }
            // Not used by any argument of the fields answered here.
            Value::Enum(_) | Value::Float(_) | Value::List(_) => return Err(Fallback::Request),
        }))
    }

    fn null(&mut self) -> Out {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn query_field(&mut self, name: &str, fields: &[&'a Node<Field>]) -> Out {
        match name {
            "__typename" => write_str(&mut self.out, "Query"),
            "user" => {
                let id = match self.arg(fields, "where")? {
                    None | Some(JsonValue::Null) => None,
                    Some(JsonValue::Object(w)) => match w.get("id") {
                        Some(JsonValue::String(id)) => Some(id.as_str().to_owned()),
                        // A missing or null `id!`: the executor's error.
                        _ => return Err(Fallback::Request),
                    },
                    Some(_) => return Err(Fallback::Request),
                };
                match visibility::queried_user(self.state, self.caller, id.as_deref()) {
                    Some(user) => self.user(user, fields)?,
                    None => self.null()?,
                }
            }
            "organization" => self.organization(fields)?,
            "organizationRole" => {
                let user_id = match self.arg(fields, "userId")? {
                    None | Some(JsonValue::Null) => None,
                    Some(JsonValue::String(id)) => Some(id.as_str().to_owned()),
                    Some(_) => return Err(Fallback::Request),
                };
                let caller = self.caller;
                match visibility::organization_role_permissions(
                    self.state,
                    caller,
                    user_id.as_deref(),
                ) {
                    Some(permissions) => {
                        let grouped = self.sub_fields("OrganizationRole", fields)?;
                        self.object(&grouped, |exec, name, _| match name {
                            "__typename" => {
                                write_str(&mut exec.out, "OrganizationRole");
                                Ok(())
                            }
                            "permissions" => {
                                write_str_list(&mut exec.out, permissions);
                                Ok(())
                            }
                            _ => Err(Fallback::Request),
                        })?;
                    }
                    None => self.null()?,
                }
            }
            "roles" => {
                let grouped = self.sub_fields("Role", fields)?;
                self.out.push(b'[');
                for (i, role) in roles::builtin_roles().iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.role(role, &grouped)?;
                }
                self.out.push(b']');
            }
            _ => return Err(Fallback::Request),
        }
        Ok(())
    }

    fn role(&mut self, role: &RoleDef, grouped: &Grouped<'a>) -> Out {
        self.object(grouped, |exec, name, _| {
            let out = &mut exec.out;
            match name {
                "__typename" => write_str(out, "Role"),
                "id" => write_str(out, role.id),
                "name" => write_str(out, role.name),
                "permissions" => write_str_list(out, &role.permissions),
                // Built-in roles belong to no organization.
                "organizationId" => out.extend_from_slice(b"null"),
                _ => return Err(Fallback::Request),
            }
            Ok(())
        })
    }

    fn organization(&mut self, fields: &[&'a Node<Field>]) -> Out {
        let grouped = self.sub_fields("Organization", fields)?;
        self.object(&grouped, |exec, name, fields| {
            let org = &exec.state.organization;
            match name {
                "__typename" => write_str(&mut exec.out, "Organization"),
                "id" => write_str(&mut exec.out, &org.id),
                "name" => write_str(&mut exec.out, &org.name),
                "createdAt" | "updatedAt" => write_date(&mut exec.out, org.created_at),
                "users" => {
                    let email = match exec.arg(fields, "where")? {
                        None | Some(JsonValue::Null) => None,
                        Some(JsonValue::Object(w)) => match w.get("email") {
                            None | Some(JsonValue::Null) => None,
                            Some(JsonValue::String(e)) => Some(e.as_str().to_owned()),
                            Some(_) => return Err(Fallback::Request),
                        },
                        Some(_) => return Err(Fallback::Request),
                    };
                    let skip = exec.int_arg(fields, "skip")?;
                    let first = exec.int_arg(fields, "first")?;
                    let (state, caller) = (exec.state, exec.caller);
                    // Negative paging is refused: the executor's error.
                    let users = visibility::organization_users(
                        state,
                        caller,
                        email.as_deref(),
                        skip,
                        first,
                    )
                    .map_err(|visibility::NegativePage| Fallback::Request)?;
                    exec.out.push(b'[');
                    for (i, user) in users.into_iter().enumerate() {
                        if i > 0 {
                            exec.out.push(b',');
                        }
                        exec.user(user, fields)?;
                    }
                    exec.out.push(b']');
                }
                _ => return Err(Fallback::Request),
            }
            Ok(())
        })
    }

    /// An `Int` argument: absent or null is `None`.
    fn int_arg(&self, fields: &[&'a Node<Field>], name: &str) -> Out<Option<i64>> {
        match self.arg(fields, name)? {
            None | Some(JsonValue::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or(Fallback::Request),
        }
    }

    fn user(&mut self, user: &'a UserRecord, fields: &[&'a Node<Field>]) -> Out {
        let grouped = self.sub_fields("User", fields)?;
        self.object(&grouped, |exec, name, fields| {
            match name {
                "__typename" => write_str(&mut exec.out, "User"),
                "id" => write_str(&mut exec.out, &user.id),
                "email" => write_str(&mut exec.out, &user.email),
                "name" => write_str(&mut exec.out, &user.name),
                "nickname" => write_opt_str(&mut exec.out, user.nickname.as_deref()),
                "picture" => write_opt_str(&mut exec.out, user.picture.as_deref()),
                "isExternalUser" => write_bool(&mut exec.out, user.is_external_user),
                "isViewer" => write_bool(&mut exec.out, user.id == exec.caller.user_id),
                "createdAt" | "updatedAt" => write_date(&mut exec.out, user.created_at),
                "lastLoginAt" => exec.out.extend_from_slice(b"null"),
                "deleted" => write_bool(&mut exec.out, user.deleted),
                "apiKeys" => exec.keys(user, KeyList::Own, fields)?,
                "apiKeysOtherUsers" => exec.keys(user, KeyList::OtherUsers, fields)?,
                // The user's organization role as the state holds it now (not a key's role).
                "orgRole" => match roles::role_by_name(&user.role) {
                    Some(role) => {
                        let grouped = exec.sub_fields("Role", fields)?;
                        exec.role(role, &grouped)?;
                    }
                    None => exec.null()?,
                },
                "organization" => exec.organization(fields)?,
                _ => return Err(Fallback::Request),
            }
            Ok(())
        })
    }

    /// The list `list` of `user` as the caller sees it: each key shown from its rendered
    /// JSON, rendered now (and kept, within the bounds) if it is not yet. Keys not shown are
    /// never rendered.
    fn keys(&mut self, user: &UserRecord, list: KeyList, fields: &[&'a Node<Field>]) -> Out {
        let grouped = self.sub_fields("ApiKey", fields)?;
        let shape: KeyShape = grouped
            .iter()
            .map(|(key, fields)| {
                let name = fields.first().map_or("", |f| f.name.as_str());
                (key.as_str().to_owned(), name.to_owned())
            })
            .collect();
        let (state, caller) = (self.state, self.caller);
        let mut shown = visibility::listed_keys(state, caller, user, list).peekable();
        // The slots only for a list that shows keys.
        let slots = match shown.peek() {
            Some(_) => {
                let derived = state.derived();
                derived.rendered.slots(&shape, derived.listed.len())
            }
            None => None,
        };
        self.out.push(b'[');
        for (n, (i, listed)) in shown.enumerate() {
            if n > 0 {
                self.out.push(b',');
            }
            let slot = slots.as_ref().and_then(|s| s.slots.get(i));
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
                let rendered = &state.derived().rendered;
                if rendered.reserve(json.len()) && slot.set(json.into()).is_err() {
                    // Kept meanwhile by a concurrent listing.
                    rendered.bytes.fetch_sub(json.len(), Ordering::Relaxed);
                }
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
        match name.as_str() {
            "__typename" => write_str(out, "ApiKey"),
            "id" => write_str(out, &key.id),
            "name" => write_str(out, &key.name),
            "createdAt" => write_date(out, key.created_at),
            "updatedAt" => write_date(out, key.updated_at),
            "revoked" => write_bool(out, key.revoked),
            // An `Int` beyond 32 bits is the executor's error.
            "expiresAtEpoch" => {
                let epoch = i32::try_from(key.expires_at).map_err(|_| Fallback::State)?;
                write!(out, "{epoch}").map_err(|_| Fallback::State)?;
            }
            "userId" => write_str(out, &key.user_id),
            "userEmail" => write_str(
                out,
                state
                    .user_by_id(&key.user_id)
                    .map_or("", |u| u.email.as_str()),
            ),
            "createdByUserId" => write_opt_str(out, key.created_by_user_id.as_deref()),
            "allowedIpCidrs" => match &key.allowed_ip_cidrs {
                Some(list) => write_str_list(out, list),
                None => out.extend_from_slice(b"null"),
            },
            _ => return Err(Fallback::Request),
        }
    }
    out.push(b'}');
    Ok(())
}

/// A JSON string, escaped exactly as `serde_json` escapes it (it does the escaping).
fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
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

/// A date as a JSON string, as [`crate::graphql::format_date`] writes it.
fn write_date(out: &mut Vec<u8>, t: OffsetDateTime) {
    out.push(b'"');
    crate::graphql::push_date(out, t);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with_keys(count: usize, name: &str) -> State {
        let mut state =
            State::from_seed(&crate::config::Seed::default(), Some("rendered")).unwrap();
        let owner = state.users[0].id.clone();
        for i in 0..count {
            let id = format!("k{i:06}");
            let t = OffsetDateTime::from_unix_timestamp(1_704_067_200 + i64::try_from(i).unwrap())
                .unwrap();
            state.keys.insert(
                id.clone(),
                KeyRecord {
                    id,
                    name: name.to_owned(),
                    token_sha256: String::new(),
                    user_id: owner.clone(),
                    created_by_user_id: None,
                    role: "Labeler".into(),
                    allowed_ip_cidrs: None,
                    created_at: t,
                    updated_at: t,
                    expires_at: 2_000_000_000,
                    revoked: false,
                },
            );
        }
        state
    }

    fn shape(fields: &[(&str, &str)]) -> KeyShape {
        fields
            .iter()
            .map(|(k, n)| ((*k).to_owned(), (*n).to_owned()))
            .collect()
    }

    /// A snapshot keeps the slots of at most [`MAX_RENDERED_SHAPES`] selections.
    #[test]
    fn rendered_selections_are_bounded_in_number() {
        let state = state_with_keys(10, "k");
        let rendered = &state.derived().rendered;
        for i in 0..MAX_RENDERED_SHAPES + 4 {
            let alias = format!("a{i}");
            let slots = rendered.slots(&shape(&[(alias.as_str(), "id")]), 10);
            assert_eq!(slots.is_some(), i < MAX_RENDERED_SHAPES, "{i}");
        }
        assert_eq!(rendered.shapes.read().unwrap().len(), MAX_RENDERED_SHAPES);
    }

    /// ... and at most [`MAX_RENDERED_BYTES`]: past them nothing more is kept.
    #[test]
    fn rendered_selections_are_bounded_in_bytes() {
        let state = state_with_keys(3, "k");
        let rendered = &state.derived().rendered;
        assert!(rendered.reserve(MAX_RENDERED_BYTES - 10));
        assert!(!rendered.reserve(11));
        assert!(rendered.reserve(10));
        assert_eq!(rendered.bytes.load(Ordering::Relaxed), MAX_RENDERED_BYTES);
        assert!(rendered.slots(&shape(&[("a", "id")]), 3).is_none());
    }
}
