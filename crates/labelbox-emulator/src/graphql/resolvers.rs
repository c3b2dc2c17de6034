//! The objects apollo-compiler's executor resolves: each reads its fields from `fields.rs`
//! (the one place that says what a field is) and hands them to the executor.

use std::cell::{Cell, RefCell};

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::dates::format_date;
use crate::invites::{InviteRecord, MemberResult, Usage};
use crate::roles::RoleDef;
use crate::state::{KeyRecord, State, UserRecord};
use crate::visibility;

use super::errors::field_error;
use super::fields::{self, FieldValue, Reader, Refusal};
use super::view::StateView;

/// What one execution reads and records.
pub(crate) struct Ctx<'s> {
    pub state: RefCell<StateView<'s>>,
    pub caller: &'s Caller,
    pub now: OffsetDateTime,
    pub mutated: Cell<bool>,
    /// Whether `createApiKey` refuses control characters in names (see
    /// `GraphqlApi::key_name_rule`).
    pub key_name_rule: bool,
}

impl Ctx<'_> {
    pub fn may_see_user(&self, id: &str) -> bool {
        visibility::may_see_user(self.caller, id)
    }
}

/// The executor's answer for a field of `object`.
fn answer<'a, 'c: 'a, 's: 'c>(
    object: &(impl ObjectValue + ?Sized),
    info: &ResolveInfo<'_>,
    ctx: &'c Ctx<'s>,
    state: &State,
    field: Result<FieldValue<'_>, Refusal>,
) -> Result<ResolvedValue<'a>, FieldError> {
    match field {
        Ok(value) => Ok(resolved(ctx, state, value)),
        Err(Refusal::Refused(code, message)) => Err(field_error(code, message)),
        Err(Refusal::UnknownField) => Err(object.unknown_field_error(info)),
    }
}

/// A field's value as the executor takes it.
fn resolved<'a, 'c: 'a, 's: 'c>(
    ctx: &'c Ctx<'s>,
    state: &State,
    value: FieldValue<'_>,
) -> ResolvedValue<'a> {
    match value {
        FieldValue::Null => ResolvedValue::null(),
        FieldValue::Str(s) => ResolvedValue::leaf(s),
        FieldValue::Text(s) => ResolvedValue::leaf(s),
        FieldValue::Bool(b) => ResolvedValue::leaf(b),
        FieldValue::Int(i) => ResolvedValue::leaf(i),
        FieldValue::Date(t) => ResolvedValue::leaf(format_date(t)),
        FieldValue::Strings(items) => ResolvedValue::list(
            items
                .iter()
                .map(|s| ResolvedValue::leaf(s.as_str()))
                .collect::<Vec<_>>(),
        ),
        FieldValue::Permissions(items) => permissions(items),
        FieldValue::User(user) => ResolvedValue::object(UserObj {
            ctx,
            user: user.clone(),
        }),
        FieldValue::Users(users) => ResolvedValue::list(
            users
                .into_iter()
                .map(|user| {
                    ResolvedValue::object(UserObj {
                        ctx,
                        user: user.clone(),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        FieldValue::Organization => ResolvedValue::object(OrganizationObj { ctx }),
        FieldValue::Role(role) => ResolvedValue::object(RoleObj { role }),
        FieldValue::Roles(roles) => ResolvedValue::list(
            roles
                .iter()
                .map(|role| ResolvedValue::object(RoleObj { role })),
        ),
        FieldValue::OrganizationRole(permissions) => ResolvedValue::object(OrganizationRoleObj {
            permissions: permissions.to_vec(),
        }),
        FieldValue::Invite(invite) => ResolvedValue::object(InviteObj {
            ctx,
            invite: invite.clone(),
        }),
        FieldValue::Invites(invites) => ResolvedValue::list(
            invites
                .into_iter()
                .map(|invite| {
                    ResolvedValue::object(InviteObj {
                        ctx,
                        invite: invite.clone(),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        FieldValue::InvitePage(nodes, next) => ResolvedValue::object(InvitePageObj {
            ctx,
            nodes: nodes.into_iter().cloned().collect(),
            next,
        }),
        FieldValue::NoProjectInvites => ResolvedValue::list(Vec::<ResolvedValue<'a>>::new()),
        FieldValue::InvitesLimit(usage) => ResolvedValue::object(InvitesLimitObj { usage }),
        FieldValue::Keys(user, list) => ResolvedValue::list(
            visibility::listed_keys(state, ctx.caller, user, list)
                .filter_map(|(_, listed)| state.keys.get(&listed.id))
                .map(|key| ResolvedValue::object(ApiKeyObj::new(ctx, key.clone())))
                .collect::<Vec<_>>(),
        ),
    }
}

fn permissions<'a>(items: &[&'static str]) -> ResolvedValue<'a> {
    ResolvedValue::list(
        items
            .iter()
            .map(|s| ResolvedValue::leaf(*s))
            .collect::<Vec<_>>(),
    )
}

/// Reads the field `field` gives for the state as `ctx` holds it, and answers it.
macro_rules! read {
    ($object:expr, $info:expr, |$r:ident| $field:expr) => {{
        let ctx = $object.ctx;
        let state = ctx.state.borrow();
        let $r = Reader {
            state: &state,
            caller: ctx.caller,
        };
        let field = $field;
        answer($object, $info, ctx, &state, field)
    }};
}

pub(crate) struct QueryRoot<'c, 's> {
    pub ctx: &'c Ctx<'s>,
}

impl ObjectValue for QueryRoot<'_, '_> {
    fn type_name(&self) -> &str {
        "Query"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |r| fields::query(
            r,
            info.field_name(),
            info.arguments()
        ))
    }
}

pub(crate) struct UserObj<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    pub user: UserRecord,
}

impl ObjectValue for UserObj<'_, '_> {
    fn type_name(&self) -> &str {
        "User"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |r| fields::user(
            r,
            &self.user,
            info.field_name()
        ))
    }
}

pub(crate) struct ApiKeyObj<'c, 's> {
    ctx: &'c Ctx<'s>,
    key: KeyRecord,
}

impl<'c, 's> ApiKeyObj<'c, 's> {
    pub fn new(ctx: &'c Ctx<'s>, key: KeyRecord) -> Self {
        Self { ctx, key }
    }
}

impl ObjectValue for ApiKeyObj<'_, '_> {
    fn type_name(&self) -> &str {
        "ApiKey"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |r| fields::api_key(
            r.state,
            &self.key,
            info.field_name()
        ))
    }
}

struct OrganizationObj<'c, 's> {
    ctx: &'c Ctx<'s>,
}

impl ObjectValue for OrganizationObj<'_, '_> {
    fn type_name(&self) -> &str {
        "Organization"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |r| fields::organization(
            r,
            info.field_name(),
            info.arguments()
        ))
    }
}

struct OrganizationRoleObj {
    permissions: Vec<&'static str>,
}

impl ObjectValue for OrganizationRoleObj {
    fn type_name(&self) -> &str {
        "OrganizationRole"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match fields::organization_role(&self.permissions, info.field_name()) {
            Ok(FieldValue::Permissions(items)) => Ok(permissions(items)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

pub(crate) struct RoleObj {
    pub role: &'static RoleDef,
}

impl ObjectValue for RoleObj {
    fn type_name(&self) -> &str {
        "Role"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match fields::role(self.role, info.field_name()) {
            Ok(FieldValue::Str(s)) => Ok(ResolvedValue::leaf(s)),
            Ok(FieldValue::Permissions(items)) => Ok(permissions(items)),
            Ok(FieldValue::Null) => Ok(ResolvedValue::null()),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

pub(crate) struct ApiKeyWithJwtObj {
    pub id: String,
    pub jwt: String,
}

impl ObjectValue for ApiKeyWithJwtObj {
    fn type_name(&self) -> &str {
        "ApiKeyWithJwt"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match fields::api_key_with_jwt(&self.id, &self.jwt, info.field_name()) {
            Ok(FieldValue::Str(s)) => Ok(ResolvedValue::leaf(s)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

pub(crate) struct InviteObj<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    pub invite: InviteRecord,
}

impl ObjectValue for InviteObj<'_, '_> {
    fn type_name(&self) -> &str {
        "Invite"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |r| fields::invite(
            r,
            &self.invite,
            info.field_name()
        ))
    }
}

struct InvitePageObj<'c, 's> {
    ctx: &'c Ctx<'s>,
    nodes: Vec<InviteRecord>,
    next: Option<String>,
}

impl ObjectValue for InvitePageObj<'_, '_> {
    fn type_name(&self) -> &str {
        "InviteConnection"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let nodes: Vec<&InviteRecord> = self.nodes.iter().collect();
        read!(self, info, |_r| fields::invite_page(
            &nodes,
            self.next.as_deref(),
            info.field_name()
        ))
    }
}

struct InvitesLimitObj {
    usage: Usage,
}

impl ObjectValue for InvitesLimitObj {
    fn type_name(&self) -> &str {
        "InvitesLimit"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match fields::invites_limit(self.usage, info.field_name()) {
            Ok(FieldValue::Int(n)) => Ok(ResolvedValue::leaf(n)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// One answer of `createInvites`: the invite, or none for a member's email.
pub(crate) struct CreateInviteResultObj<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    pub invite: Option<InviteRecord>,
}

impl ObjectValue for CreateInviteResultObj<'_, '_> {
    fn type_name(&self) -> &str {
        "CreateInviteResult"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        read!(self, info, |_r| fields::create_invite_result(
            self.invite.as_ref(),
            info.field_name()
        ))
    }
}

/// The answer of `inviteMembers`: one result per email.
pub(crate) struct InviteMembersResultObj {
    pub results: Vec<MemberResult>,
}

impl ObjectValue for InviteMembersResultObj {
    fn type_name(&self) -> &str {
        "InviteMembersResult"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "results" => Ok(ResolvedValue::list(
                self.results
                    .iter()
                    .map(|result| ResolvedValue::object(InviteMemberResultObj { result }))
                    .collect::<Vec<_>>(),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct InviteMemberResultObj<'r> {
    result: &'r MemberResult,
}

impl ObjectValue for InviteMemberResultObj<'_> {
    fn type_name(&self) -> &str {
        "InviteMemberResult"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match fields::invite_member_result(self.result, info.field_name()) {
            Ok(FieldValue::Str(s)) => Ok(ResolvedValue::leaf(s)),
            Ok(FieldValue::Null) => Ok(ResolvedValue::null()),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
