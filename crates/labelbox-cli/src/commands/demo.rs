//! `labelbox demo`: the whole key lifecycle through the SDK, against an embedded emulator.
//!
//! Never prints a full secret: keys are shown as a redacted prefix.

use std::io;

use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::KeyOrder;
use labelbox_sdk::ServiceError;
use labelbox_sdk::{
    Client, CreateApiKeyRequest, ExposeSecret, IpAllowlist, RotateOptions, RotateOutcome,
    SecretString, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use time::OffsetDateTime;

use crate::commands::keys::keys_table;
use crate::commands::roles::{fetch, roles_table};
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError};
use crate::output::{self, Paint};

const STEPS: usize = 9;
const TARGET_USER: &str = "labeler@example.com";
const TARGET_ROLE: &str = "Labeler";

struct Demo<'a> {
    ctx: &'a Ctx,
    step: usize,
}

impl Demo<'_> {
    fn step(&mut self, title: &str) -> io::Result<()> {
        self.step += 1;
        outln!()?;
        outln!(
            "{} {}",
            self.ctx
                .out
                .paint(Paint::Bold, &format!("[{}/{STEPS}]", self.step)),
            self.ctx.out.paint(Paint::Bold, title)
        )
    }

    fn say(&self, text: impl AsRef<str>) -> io::Result<()> {
        for line in text.as_ref().lines() {
            outln!("      {line}")?;
        }
        Ok(())
    }

    fn ok(&self, text: impl AsRef<str>) -> io::Result<()> {
        self.say(format!(
            "{} {}",
            self.ctx.out.paint(Paint::Green, "✓"),
            text.as_ref()
        ))
    }
}

fn client(endpoint: &str, key: SecretString) -> Result<Client, CliError> {
    Ok(Client::builder().api_key(key).endpoint(endpoint).build()?)
}

fn demo_failed(step: &str, e: impl std::fmt::Display) -> CliError {
    CliError::api(format!("demo step '{step}' failed: {e}"))
}

/// Runs `labelbox demo`.
pub async fn run(ctx: &Ctx) -> Result<(), CliError> {
    outln!(
        "{}",
        ctx.out.paint(
            Paint::Bold,
            "labelbox demo: the whole API-key lifecycle, through the Rust SDK, against an embedded emulator"
        )
    )?;
    let config = EmulatorConfig::default().listen(([127, 0, 0, 1], 0).into());
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| CliError::api(format!("cannot start the embedded emulator: {e}")))?;
    let endpoint = emulator.endpoint();
    let admin_key = SecretString::from(emulator.admin_key().to_owned());
    outln!(
        "Emulator listening at {endpoint}; admin key {}",
        output::redact(admin_key.expose_secret())
    )?;

    let result = walk(ctx, &endpoint, admin_key).await;
    emulator.shutdown().await;
    result?;
    outln!()?;
    outln!(
        "{} Every step worked. Run your own emulator with `labelbox emulator`, or point \
         LABELBOX_API_KEY at your organization and try `labelbox keys list`.",
        ctx.out.paint(Paint::Green, "Done.")
    )?;
    Ok(())
}

async fn walk(ctx: &Ctx, endpoint: &str, admin_key: SecretString) -> Result<(), CliError> {
    let mut demo = Demo { ctx, step: 0 };
    let admin = client(endpoint, admin_key)?;

    demo.step("Who am I? (the bootstrap admin key)")?;
    let me = admin.get_user().await?;
    let org = admin.get_organization().await?;
    demo.say(format!(
        "{} ({}) in organization {}",
        me.email, me.name, org.name
    ))?;

    demo.step("The organization's roles")?;
    let roles = fetch(&admin).await?;
    demo.say(roles_table(ctx, &roles))?;

    demo.step(&format!(
        "Create a key for {TARGET_USER}: role {TARGET_ROLE}, valid 2 weeks, allowed only from loopback"
    ))?;
    let allowlist =
        IpAllowlist::new(["127.0.0.1/32", "::1"]).map_err(|e| demo_failed("allowlist", e))?;
    let validity: Validity = "2w".parse().map_err(|e| demo_failed("validity", e))?;
    let request = CreateApiKeyRequest::new(
        "demo-key",
        UserRef::by_email(TARGET_USER),
        RoleRef::by_name(TARGET_ROLE),
        validity,
    )
    .allowed_ips(allowlist);
    let first = admin.create_api_key(request).await?;
    let (first_id, first_secret) = first.into_parts();
    demo.ok(format!(
        "created {first_id}; secret {} (shown once; the demo never prints it whole)",
        output::redact(first_secret.expose_secret())
    ))?;
    demo.say("A role the caller may not grant is refused before anything is created:")?;
    let refused = admin
        .create_api_key(CreateApiKeyRequest::new(
            "too-powerful",
            UserRef::by_email(TARGET_USER),
            RoleRef::by_name("Tenant Admin"),
            validity,
        ))
        .await;
    match refused {
        Err(e) => demo.ok(format!("refused: {}", cli_error_from_sdk(&e).message))?,
        Ok(_) => {
            return Err(demo_failed(
                "ungrantable role",
                "a Tenant Admin key was created",
            ))
        }
    }

    demo.step("Authenticate with the new key")?;
    let as_labeler = client(endpoint, first_secret.clone())?;
    let labeler = as_labeler.get_user().await?;
    demo.ok(format!(
        "the new key acts as {} ({})",
        labeler.email, labeler.name
    ))?;

    demo.step("List the keys (as the admin)")?;
    let keys = admin.list_api_keys().sort(KeyOrder::Server).send().await?;
    demo.say(keys_table(ctx, &keys, OffsetDateTime::now_utc()))?;

    demo.step(&format!(
        "Rotate {first_id} through the SDK: the replacement is handed over before the old key is revoked"
    ))?;
    // The hand-over must hold the secret durably before returning Ok; here it proves the
    // replacement authenticates and keeps it for the next steps.
    let mut handed_over: Option<SecretString> = None;
    let outcome = admin
        .rotate_api_key(
            &first_id,
            RotateOptions::new()
                .role(RoleRef::by_name(TARGET_ROLE))
                .validity(validity),
            |new| {
                let secret = new.created.secret().clone();
                let slot = &mut handed_over;
                async move {
                    client(endpoint, secret.clone())?.get_user().await?;
                    *slot = Some(secret);
                    Ok::<(), CliError>(())
                }
            },
        )
        .await?;
    let second_id = match outcome {
        RotateOutcome::Rotated { new, .. } => new,
        other => return Err(demo_failed("rotate", format!("{other:?}"))),
    };
    let second_secret = handed_over
        .ok_or_else(|| demo_failed("rotate", "the hand-over did not receive the secret"))?;
    demo.ok(format!(
        "created {second_id} (user, name and allowlist kept; role {TARGET_ROLE}); secret {}",
        output::redact(second_secret.expose_secret())
    ))?;
    demo.ok("the replacement authenticated inside the hand-over")?;
    demo.ok(format!("then the old key {first_id} was revoked"))?;
    let as_second = client(endpoint, second_secret)?;

    demo.step("The revoked key is now refused")?;
    expect_refused(&demo, &as_labeler, &first_id).await?;

    demo.step(&format!("Revoke the replacement {second_id}"))?;
    admin.revoke_api_key(&second_id).await?;
    demo.ok(format!("revoked {second_id}"))?;
    expect_refused(&demo, &as_second, &second_id).await?;

    demo.step("List the keys again")?;
    let keys = admin.list_api_keys().sort(KeyOrder::Server).send().await?;
    if keys.iter().any(|k| k.id == first_id || k.id == second_id) {
        return Err(demo_failed("list again", "a revoked key is still listed"));
    }
    if keys.is_empty() {
        demo.say("No API keys: both demo keys are gone.")?;
    } else {
        demo.say(keys_table(ctx, &keys, OffsetDateTime::now_utc()))?;
        demo.ok("both demo keys are gone")?;
    }
    Ok(())
}

async fn expect_refused(
    demo: &Demo<'_>,
    client: &Client,
    id: &labelbox_sdk::ApiKeyId,
) -> Result<(), CliError> {
    match client.get_user().await {
        Err(e @ labelbox_sdk::Error::Service(ServiceError::Authentication(_))) => {
            demo.ok(format!("{id} is refused: {e}"))?;
            Ok(())
        }
        Err(e) => Err(demo_failed(
            "revoked key refused",
            format!("expected an authentication error, got: {e}"),
        )),
        Ok(_) => Err(demo_failed(
            "revoked key refused",
            format!("the revoked key {id} still authenticates"),
        )),
    }
}
