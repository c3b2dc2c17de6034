//! The state file holds the signing secret: it is private (0600), written through a fresh
//! exclusive temporary file, and used by one emulator at a time.

#[cfg(not(unix))]
#[test]
fn state_file_tests_need_unix() {
    panic!("the state-file tests check Unix file modes and symlinks: run them on Linux or macOS");
}

#[cfg(unix)]
use crate::common;
#[cfg(unix)]
mod unix {
    use super::common::*;

    use std::os::unix::fs::PermissionsExt as _;
    use std::path::Path;
    use std::process::Command;

    use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorError};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn lock_file(state: &Path) -> std::path::PathBuf {
        let mut name = state.as_os_str().to_owned();
        name.push(".lock");
        name.into()
    }

    /// The names in the state file's directory, sorted.
    fn dir_entries(state: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(state.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn the_state_file_is_created_and_rewritten_with_mode_0600() {
        let path = temp_path("mode-0600");
        let emu = Emulator::start(
            EmulatorConfig::default()
                .admin_key_seed("modes")
                .state_file(&path),
        )
        .await
        .unwrap();
        assert_eq!(mode(&path), 0o600, "after start");
        assert_eq!(mode(&lock_file(&path)), 0o600, "the lock file");
        let (id, _) = create_ok(
            &emu.endpoint(),
            emu.admin_key(),
            "k",
            "labeler@example.com",
            "Labeler",
            None,
        )
        .await;
        assert_eq!(mode(&path), 0o600, "after a create");
        data(&revoke(&emu.endpoint(), emu.admin_key(), &id).await);
        assert_eq!(mode(&path), 0o600, "after a revoke");
        emu.issue_key("reviewer@example.com", "Reviewer", 3600, None)
            .unwrap();
        assert_eq!(mode(&path), 0o600, "after issue_key");
        // No temporary file is left behind.
        assert_eq!(dir_entries(&path), ["state.json", "state.json.lock"]);
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn an_existing_world_readable_state_file_is_tightened_to_0600() {
        let path = temp_path("tighten");
        let config = EmulatorConfig::default()
            .admin_key_seed("tighten")
            .state_file(&path);
        Emulator::start(config.clone())
            .await
            .unwrap()
            .shutdown()
            .await;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let emu = Emulator::start(config).await.unwrap();
        assert_eq!(mode(&path), 0o600);
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn a_symlink_planted_beside_the_state_file_is_never_followed() {
        let path = temp_path("symlink");
        let dir = path.parent().unwrap().to_path_buf();
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        // The temporary name an older emulator used, pointing at a file of the user's.
        std::os::unix::fs::symlink(&victim, dir.join("state.json.tmp")).unwrap();
        let emu = Emulator::start(
            EmulatorConfig::default()
                .admin_key_seed("symlink")
                .state_file(&path),
        )
        .await
        .unwrap();
        for name in ["a", "b"] {
            create_ok(
                &emu.endpoint(),
                emu.admin_key(),
                name,
                "labeler@example.com",
                "Labeler",
                None,
            )
            .await;
        }
        emu.shutdown().await;
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(mode(&victim), 0o644);
        assert!(std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_file());
        // The temporary files have random names: none is left, the planted link is untouched.
        assert_eq!(
            dir_entries(&path),
            [
                "state.json",
                "state.json.lock",
                "state.json.tmp",
                "victim.txt"
            ]
        );
        assert_eq!(
            std::fs::read_link(dir.join("state.json.tmp")).unwrap(),
            victim
        );
    }

    #[tokio::test]
    async fn a_second_emulator_on_the_same_state_file_refuses_to_start() {
        let path = temp_path("second");
        let config = EmulatorConfig::default()
            .admin_key_seed("second")
            .state_file(&path);
        let first = Emulator::start(config.clone()).await.unwrap();
        let ep = first.endpoint();
        let admin = first.admin_key().to_owned();
        let (id, key) = create_ok(&ep, &admin, "k", "labeler@example.com", "Labeler", None).await;
        data(&revoke(&ep, &admin, &id).await);

        // In-process.
        let err = Emulator::start(config.clone()).await.unwrap_err();
        assert!(matches!(err, EmulatorError::StateInUse { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("in use by another emulator"), "{text}");

        // The real binary.
        let out = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
            .args(["--listen", "127.0.0.1:0", "--admin-key-seed", "second"])
            .arg("--state")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        assert!(stderr.contains("in use by another emulator"), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "the refused binary printed a key or endpoint"
        );

        // The first emulator's revocation stands, in memory and on disk.
        assert!(!authenticates(&ep, &key).await);
        first.shutdown().await;
        let again = Emulator::start(config).await.unwrap();
        assert!(!authenticates(&again.endpoint(), &key).await);
        assert!(again.keys().iter().any(|k| k.id == id && k.revoked));
        again.shutdown().await;
    }

    #[tokio::test]
    async fn a_persisted_revocation_survives_a_killed_binary_and_a_restart() {
        let path = temp_path("revocation");
        let start_binary = || {
            let mut child = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
                .args(["--listen", "127.0.0.1:0", "--admin-key-seed", "revocation"])
                .arg("--state")
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
            // The first line is the ready object.
            let line = lines.next().expect("emulator output").unwrap();
            let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
            let endpoint = ready["endpoint"].as_str().unwrap().to_owned();
            std::thread::spawn(move || for _ in lines {});
            (child, endpoint)
        };
        let seeded = Emulator::start(
            EmulatorConfig::default()
                .admin_key_seed("revocation")
                .state_file(&path),
        )
        .await
        .unwrap();
        let admin = seeded.admin_key().to_owned();
        seeded.shutdown().await;

        let (mut child, ep) = start_binary();
        let (id, key) = create_ok(&ep, &admin, "k", "labeler@example.com", "Labeler", None).await;
        data(&revoke(&ep, &admin, &id).await);
        child.kill().unwrap(); // SIGKILL: the lock goes with the process
        child.wait().unwrap();

        let (mut child, ep) = start_binary();
        assert!(!authenticates(&ep, &key).await, "the revoked key came back");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
