//! `labelbox console`, the built binary: loopback only, the printed one-time link, secrets
//! kept out of its output, and `--open` through `child::command`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

#[test]
fn a_non_loopback_listen_address_is_refused() {
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080"] {
        let out = Command::new(BIN)
            .args(["console", "--emulator", "--listen", addr])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{addr}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("loopback addresses only"), "{err}");
        assert!(out.stdout.is_empty(), "nothing served: {out:?}");
    }
}

struct Running {
    child: Child,
    login_url: String,
    stdout: BufReader<std::process::ChildStdout>,
}

fn start(extra_env: &[(&str, &str)], args: &[&str]) -> Running {
    let mut command = Command::new(BIN);
    command
        .args(["console", "--emulator"])
        .args(args)
        .env_remove("LABELBOX_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    match read_login_url(&mut stdout, &mut seen) {
        Some(login_url) => Running {
            child,
            login_url,
            stdout,
        },
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no link printed: {seen}");
        }
    }
}

fn read_login_url(stdout: &mut impl BufRead, seen: &mut String) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let mut line = String::new();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        seen.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("http://") {
            if url.contains("/login#token=") {
                return Some(format!("http://{url}"));
            }
        }
    }
    None
}

impl Running {
    /// Stops the console with SIGINT and returns everything it printed after the link.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        // Polled: std has no wait with a deadline (after it, the console is killed).
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut out = String::new();
        self.stdout.read_to_string(&mut out).unwrap();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out
    }
}

/// Signs in with the printed link as the page's script does; returns the base URL and the
/// session secret.
async fn sign_in(http: &reqwest::Client, login_url: &str) -> (String, String) {
    let (base, token) = login_url.split_once("/login#token=").unwrap();
    let login: serde_json::Value = http
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        base.to_owned(),
        login["session"].as_str().unwrap().to_owned(),
    )
}

/// Opens a Create dialog and submits it for a one-day Labeler key of admin@example.com.
async fn create(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    name: &str,
) -> reqwest::Response {
    let dialog: serde_json::Value = http
        .post(format!("{base}/api/create-dialog"))
        .header("x-console-session", session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(format!("{base}/api/keys"))
        .header("x-console-session", session)
        .json(&serde_json::json!({
            "name": name, "amount": "1", "unit": "days", "role": "Labeler",
            "user": "admin@example.com", "dialog": dialog["token"],
        }))
        .send()
        .await
        .unwrap()
}

#[test]
fn console_emulator_serves_the_page_and_never_prints_a_secret() {
    let running = start(&[], &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = rt.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let (base, session) = sign_in(&http, &running.login_url).await;
        let page = http
            .get(format!("{base}/api/page"))
            .header("x-console-session", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Example Org"), "{page}");
        assert!(
            page.contains("this console's key"),
            "the emulator's admin key is marked"
        );
        let created = create(&http, &base, &session, "cli")
            .await
            .text()
            .await
            .unwrap();
        let created: serde_json::Value = serde_json::from_str(&created).unwrap();
        created["secret"].as_str().unwrap().to_owned()
    });
    assert_eq!(secret.split('.').count(), 3);
    let out = running.stop();
    assert!(
        !out.contains(&secret),
        "the new key's secret was printed: {out}"
    );
    assert!(!out.contains("eyJ"), "a JWT was printed: {out}");
}

#[test]
fn open_launches_the_browser_without_the_api_key_or_the_login_url_in_its_arguments() {
    let dir = std::env::temp_dir().join(format!("labelbox-console-open-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("opened");
    let fake = dir.join(if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    });
    // Records its arguments, its environment, and the file it was given (mode and content).
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\n{{ echo \"$@\"; stat -c %a \"$1\"; stat -c %a \"$(dirname \"$1\")\"; cat \"$1\"; echo ENV; env; }} > {}.tmp && mv {0}.tmp {0}\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let data_home = dir.join("data");
    let running = start(
        &[
            ("PATH", &path),
            ("LABELBOX_API_KEY", "sentinel-api-key-for-open"),
            ("XDG_DATA_HOME", data_home.to_str().unwrap()),
        ],
        &["--open"],
    );
    labelbox_test_support::eventually_blocking("the browser launched", || record.exists());
    let opened = std::fs::read_to_string(&record).unwrap();
    let url = running.login_url.clone();
    let mut lines = opened.lines();
    let argument = lines.next().unwrap().to_owned();
    let runtime = data_home.join("labelbox/runtime");
    // The browser gets a file in the private runtime directory, not the one-time URL.
    assert!(
        argument.starts_with(runtime.to_str().unwrap()) && argument.ends_with(".html"),
        "{opened}"
    );
    let token = url.rsplit('=').next().unwrap();
    assert!(!argument.contains(token), "{opened}");
    assert_eq!(lines.next(), Some("600"), "the login file's mode: {opened}");
    assert_eq!(lines.next(), Some("700"), "its directory's mode: {opened}");
    let (page, env) = opened.split_once("\nENV\n").unwrap();
    assert!(
        page.contains(&format!(
            "http-equiv=\"refresh\" content=\"0;url={}\"",
            url.replace('&', "&amp;")
        )),
        "{page}"
    );
    assert!(!env.contains("LABELBOX_API_KEY"), "{opened}");
    assert!(!env.contains("sentinel-api-key-for-open"), "{opened}");
    assert!(std::path::Path::new(&argument).exists());
    running.stop();
    // Gone once the console stops.
    assert!(
        !std::path::Path::new(&argument).exists(),
        "{argument} was left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `labelbox console` against `env`'s emulator, its printed link and its stdout.
fn start_against(env: &labelbox_test_support::cli::CliEnv) -> Running {
    let mut child = Command::new(BIN)
        .args(["console"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let Some(login_url) = read_login_url(&mut stdout, &mut seen) else {
        let _ = child.kill();
        panic!("no link printed: {seen}");
    };
    Running {
        child,
        login_url,
        stdout,
    }
}

#[test]
fn sigterm_and_sighup_stop_the_console_in_order_revoking_an_unacknowledged_key() {
    for signal in ["-TERM", "-HUP"] {
        let env = labelbox_test_support::cli::CliEnv::start(BIN);
        let mut running = start_against(&env);
        let name = format!("never shown {signal}");
        env.rt.block_on(async {
            let http = reqwest::Client::new();
            let (base, session) = sign_in(&http, &running.login_url).await;
            // Created and answered, but the page never acknowledged the secret.
            let created = create(&http, &base, &session, &name).await;
            assert_eq!(created.status(), 200);
        });
        let live = |env: &labelbox_test_support::cli::CliEnv| {
            env.emulator()
                .keys()
                .into_iter()
                .filter(|k| k.name == name && !k.revoked)
                .count()
        };
        assert_eq!(live(&env), 1, "{signal}: the new key exists");
        Command::new("kill")
            .args([signal, &running.child.id().to_string()])
            .status()
            .unwrap();
        let status = running.child.wait().unwrap();
        assert!(status.success(), "{signal}: an orderly stop: {status:?}");
        assert_eq!(
            live(&env),
            0,
            "{signal}: a key whose secret the page never showed is revoked before the console exits"
        );
    }
}
