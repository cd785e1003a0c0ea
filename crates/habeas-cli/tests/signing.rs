//! Signed exports and reports, and encrypted backups, through the `habeas`
//! binary run as a child process: what a recipient checks, what a tampered
//! file is called, and that no secret leaves its file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// A demo store at `store/`, and keys at `keys/` beside it (the default).
    fn with_demo_store() -> Self {
        let workspace = Workspace {
            dir: tempfile::tempdir().unwrap(),
        };
        workspace.ok(&["--db", "store", "demo"]);
        workspace
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run_with(&self, args: &[&str], passphrase: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_habeas"));
        command
            .current_dir(self.dir.path())
            .args(args)
            .env("HABEAS_USER", "test officer")
            .env_remove("HABEAS_DB")
            .env_remove("HABEAS_KEY_PASSPHRASE")
            .stdin(std::process::Stdio::null());
        if let Some(passphrase) = passphrase {
            command.env("HABEAS_KEY_PASSPHRASE", passphrase);
        }
        command.output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, None)
    }

    /// Runs a command that must succeed; returns its standard output and error.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        text(&output)
    }

    /// Runs a command that must fail with `code`; returns its standard error.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&output)
        );
        String::from_utf8(output.stderr).unwrap()
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path(name), bytes).unwrap()
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The value of the `prefix` line of a text file (a secret, in these tests).
fn line_value(path: &Path, prefix: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{} has no {prefix} line", path.display()))
        .to_owned()
}

#[test]
fn a_signed_export_passes_and_each_tampering_fails_naming_why() {
    let workspace = Workspace::with_demo_store();
    workspace.ok(&["--db", "store", "key", "create"]);
    workspace.ok(&["--db", "store", "key", "create", "--out", "other-keys"]);
    let created = workspace.ok(&["--db", "store", "export", "-o", "export.jsonl", "--sign"]);
    assert!(created.contains("signed in export.jsonl.sig"), "{created}");
    let export = workspace.read("export.jsonl");
    let signature = String::from_utf8(workspace.read("export.jsonl.sig")).unwrap();
    let n_lines = export.iter().filter(|&&b| b == b'\n').count();
    assert!(n_lines > 10);

    let changed_byte = |bytes: &[u8]| {
        let mut bytes = bytes.to_vec();
        let at = bytes.iter().position(|&b| b == b'C').unwrap();
        bytes[at] = b'K';
        bytes
    };
    let removed_line = |bytes: &[u8]| {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        lines.remove(3);
        lines.concat().into_bytes()
    };
    let same = |bytes: &[u8]| bytes.to_vec();
    let truncated = |sig: &str| sig[..sig.len() - 20].to_owned();
    let edited_statement = |sig: &str| sig.replacen("head: ", "head: 1", 1);
    let unchanged = |sig: &str| sig.to_owned();
    type FileChange = fn(&[u8]) -> Vec<u8>;
    type SignatureChange = fn(&str) -> String;
    // (case, the file, the signature (None: no .sig), the key, exit code, what the error says)
    type Case = (
        &'static str,
        FileChange,
        Option<SignatureChange>,
        &'static str,
        i32,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "untouched",
            same,
            Some(unchanged),
            "keys/signing.pub.pem",
            0,
            "is unaltered and signed by sha256:",
        ),
        (
            "a changed byte",
            changed_byte,
            Some(unchanged),
            "keys/signing.pub.pem",
            5,
            "a changed byte: the file's SHA-256 is",
        ),
        (
            "a removed line",
            removed_line,
            Some(unchanged),
            "keys/signing.pub.pem",
            5,
            "a line was removed",
        ),
        (
            "another key",
            same,
            Some(unchanged),
            "other-keys/signing.pub.pem",
            5,
            "different key: the file was signed by the key sha256:",
        ),
        (
            "a truncated signature",
            same,
            Some(truncated),
            "keys/signing.pub.pem",
            5,
            "is damaged or cut short",
        ),
        (
            "an edited statement",
            same,
            Some(edited_statement),
            "keys/signing.pub.pem",
            5,
            "does not verify with key",
        ),
        (
            "a missing signature",
            same,
            None,
            "keys/signing.pub.pem",
            5,
            "missing signature: ",
        ),
        (
            "a key that is not one",
            same,
            Some(unchanged),
            "not-a-key",
            2,
            "not an Ed25519 public key",
        ),
    ];
    for (case, change_file, change_signature, key, code, expected) in cases {
        workspace.write("copy.jsonl", &change_file(&export));
        let _ = std::fs::remove_file(workspace.path("copy.jsonl.sig"));
        if let Some(change) = change_signature {
            workspace.write("copy.jsonl.sig", change(&signature).as_bytes());
        }
        let output = workspace.run(&["verify-export", "copy.jsonl", "--key", key]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(code), "{case}: {said}");
        assert!(said.contains(expected), "{case}: {said}");
        assert!(!said.contains("panicked"), "{case}: {said}");
    }

    // The key as the base64 line of a website, and --signature elsewhere.
    let public = workspace.ok(&["--db", "store", "key", "show"]);
    let base64_line = public.lines().nth(1).unwrap();
    std::fs::rename(
        workspace.path("export.jsonl.sig"),
        workspace.path("elsewhere.sig"),
    )
    .unwrap();
    workspace.ok(&[
        "verify-export",
        "export.jsonl",
        "--key",
        base64_line,
        "--signature",
        "elsewhere.sig",
    ]);
    // A signed export can still be restored as any export.
    workspace.ok(&["--db", "restored", "import", "export.jsonl"]);
}

#[test]
fn a_signed_report_is_checked_by_the_same_command() {
    let workspace = Workspace::with_demo_store();
    workspace.ok(&["--db", "store", "key", "create"]);
    for (format, name) in [
        ("csv", "roster.csv"),
        ("html", "roster.html"),
        ("json", "roster.json"),
    ] {
        workspace.ok(&[
            "--db", "store", "report", "--roster", "--public", "--format", format, "-o", name,
            "--sign",
        ]);
        let signature = String::from_utf8(workspace.read(&format!("{name}.sig"))).unwrap();
        assert!(signature.contains("head: "), "{signature}");
        workspace.ok(&["verify-signature", name, "--key", "keys/signing.pub.pem"]);
        let mut report = workspace.read(name);
        let last = report.len() - 2;
        report[last] ^= 0x01;
        workspace.write(name, &report);
        let said = workspace.fails(
            5,
            &["verify-signature", name, "--key", "keys/signing.pub.pem"],
        );
        assert!(said.contains("a changed byte"), "{said}");
    }
    let said = workspace.fails(2, &["--db", "store", "report", "--roster", "--sign"]);
    assert!(said.contains("--sign needs -o FILE"), "{said}");
}

/// Runs the standard-tools procedure of docs/signing.md, as written there.
#[test]
fn the_documented_openssl_procedure_verifies_a_signature() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl is not installed: the documented procedure was not run");
        return;
    }
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/signing.md"
    ))
    .unwrap();
    let section = docs
        .split("## Checking, with standard tools")
        .nth(1)
        .unwrap();
    let script = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert!(script.contains("openssl pkeyutl -verify"), "{script}");

    let workspace = Workspace::with_demo_store();
    workspace.ok(&["--db", "store", "key", "create"]);
    workspace.ok(&["--db", "store", "export", "-o", "export.jsonl", "--sign"]);
    std::fs::copy(
        workspace.path("keys/signing.pub.pem"),
        workspace.path("org.pem"),
    )
    .unwrap();
    let fingerprint = workspace.ok(&["--db", "store", "key", "show"]);
    let fingerprint = fingerprint
        .split("fingerprint: sha256:")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();

    let run_script = || {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(workspace.path(""))
            .output()
            .unwrap()
    };
    let output = run_script();
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("Signature Verified Successfully"), "{said}");
    assert!(
        said.contains(&format!("{fingerprint}  -")),
        "the fingerprint of step 1: {said}"
    );
    let digests: Vec<&str> = said
        .lines()
        .filter_map(|line| {
            line.strip_suffix("  export.jsonl")
                .or_else(|| line.strip_prefix("sha256: "))
        })
        .collect();
    assert_eq!(digests.len(), 2, "{said}");
    assert_eq!(digests[0], digests[1], "step 4 shows the same digest twice");

    // The same steps on a changed statement: openssl refuses the signature.
    let signature = String::from_utf8(workspace.read("export.jsonl.sig")).unwrap();
    workspace.write(
        "export.jsonl.sig",
        signature.replacen("lines: ", "lines: 9", 1).as_bytes(),
    );
    let output = run_script();
    let said = text(&output);
    assert!(!said.contains("Signature Verified Successfully"), "{said}");
    assert!(said.contains("Signature Verification Failure"), "{said}");
}

#[test]
fn a_protected_key_signs_only_with_its_passphrase_and_no_secret_is_shown() {
    let workspace = Workspace::with_demo_store();
    let passphrase = "a long passphrase 7f3e";
    let created = workspace.run_with(
        &["--db", "store", "key", "create", "--passphrase"],
        Some(passphrase),
    );
    assert!(created.status.success(), "{}", text(&created));
    let key_file = std::fs::read_to_string(workspace.path("keys/signing.key")).unwrap();
    assert!(key_file.contains("protection: argon2id"), "{key_file}");
    assert!(!key_file.contains(passphrase));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(workspace.path("keys/signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let export = ["--db", "store", "export", "-o", "export.jsonl", "--sign"];
    let without = workspace.fails(2, &export);
    assert!(without.contains("passphrase"), "{without}");
    assert!(
        !workspace.path("export.jsonl").exists(),
        "nothing written before the key opened"
    );
    let wrong = workspace.run_with(&export, Some("not it"));
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("the passphrase does not open"),
        "{}",
        text(&wrong)
    );
    let signed = workspace.run_with(&export, Some(passphrase));
    assert!(signed.status.success(), "{}", text(&signed));
    let shown = workspace.ok(&["--db", "store", "key", "show"]);
    workspace.ok(&[
        "verify-export",
        "export.jsonl",
        "--key",
        "keys/signing.pub.pem",
    ]);

    let sealed_secret = line_value(&workspace.path("keys/signing.key"), "secret: ");
    let everything = [
        text(&created),
        text(&wrong),
        text(&signed),
        shown,
        String::from_utf8(workspace.read("export.jsonl")).unwrap(),
        String::from_utf8(workspace.read("export.jsonl.sig")).unwrap(),
    ]
    .concat();
    assert!(!everything.contains(passphrase));
    assert!(!everything.contains(&sealed_secret));
}

#[test]
fn key_files_are_never_overwritten_or_shown_and_are_refused_when_others_can_read_them() {
    let workspace = Workspace::with_demo_store();
    let shown = workspace.ok(&["--db", "store", "key", "create"]);
    let secret = line_value(&workspace.path("keys/signing.key"), "secret: ");
    let said = workspace.fails(2, &["--db", "store", "key", "create"]);
    assert!(said.contains("already exists"), "{said}");
    assert_eq!(
        line_value(&workspace.path("keys/signing.key"), "secret: "),
        secret
    );
    let show = workspace.ok(&["--db", "store", "key", "show"]);
    assert!(
        show.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"),
        "{show}"
    );
    assert!(show.contains("fingerprint: sha256:"), "{show}");
    workspace.ok(&["--db", "store", "export", "-o", "export.jsonl", "--sign"]);
    let export = String::from_utf8(workspace.read("export.jsonl")).unwrap();
    for output in [&shown, &show, &export] {
        assert!(!output.contains(&secret), "the private key was shown");
    }
    let said = workspace.fails(2, &["--db", "elsewhere/store", "key", "show"]);
    assert!(
        said.contains(
            "no signing key at elsewhere/keys/signing.key: make one with `habeas key create`"
        ),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = workspace.path("keys/signing.key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let said = workspace.fails(
            2,
            &["--db", "store", "export", "-o", "again.jsonl", "--sign"],
        );
        assert!(said.contains("can be read by others (mode 644)"), "{said}");
    }
}

#[test]
fn an_encrypted_export_restores_an_identical_store() {
    let workspace = Workspace::with_demo_store();
    let recipient = workspace.ok(&["key", "identity", "--out", "backup.identity"]);
    let recipient = recipient.lines().next().unwrap().to_owned();
    assert!(
        recipient.starts_with("habeas-backup-recipient:"),
        "{recipient}"
    );
    workspace.ok(&[
        "--db",
        "store",
        "export",
        "-o",
        "backup.sealed",
        "--encrypt-to",
        &recipient,
    ]);
    let original = workspace.ok(&["--db", "store", "export"]);
    let sealed = workspace.read("backup.sealed");
    let identity_secret = line_value(
        &workspace.path("backup.identity"),
        "habeas-backup-identity:",
    );
    for needle in ["Rong Chhun", "position", &identity_secret] {
        assert!(
            !sealed.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} in the backup"
        );
    }
    let dry = workspace.ok(&[
        "--db",
        "dry",
        "import",
        "backup.sealed",
        "--identity",
        "backup.identity",
        "--dry-run",
    ]);
    assert!(dry.contains("export verified"), "{dry}");
    assert!(!workspace.path("dry").exists());
    let restored = workspace.ok(&[
        "--db",
        "restored",
        "import",
        "backup.sealed",
        "--identity",
        "backup.identity",
    ]);
    assert!(restored.contains("restored"), "{restored}");
    assert!(!restored.contains(&identity_secret));
    assert_eq!(workspace.ok(&["--db", "restored", "export"]), original);
    workspace.ok(&["--db", "restored", "verify"]);

    // Signed and encrypted: the signature covers the encrypted bytes, checked unopened.
    workspace.ok(&["--db", "store", "key", "create"]);
    workspace.ok(&[
        "--db",
        "store",
        "export",
        "-o",
        "signed.sealed",
        "--encrypt-to",
        &recipient,
        "--sign",
    ]);
    workspace.ok(&[
        "verify-export",
        "signed.sealed",
        "--key",
        "keys/signing.pub.pem",
    ]);
    let mut sealed = workspace.read("signed.sealed");
    sealed[300] ^= 0x01;
    workspace.write("signed.sealed", &sealed);
    let said = workspace.fails(
        5,
        &[
            "verify-export",
            "signed.sealed",
            "--key",
            "keys/signing.pub.pem",
        ],
    );
    assert!(said.contains("a changed byte"), "{said}");
}

#[test]
fn a_wrong_identity_or_an_altered_backup_is_refused_with_nothing_written() {
    let workspace = Workspace::with_demo_store();
    let recipient = workspace.ok(&["key", "identity", "--out", "backup.identity"]);
    let recipient = recipient.lines().next().unwrap().to_owned();
    workspace.ok(&["key", "identity", "--out", "stranger.identity"]);
    workspace.ok(&[
        "--db",
        "store",
        "export",
        "-o",
        "backup.sealed",
        "--encrypt-to",
        &recipient,
    ]);
    workspace.ok(&["--db", "store", "export", "-o", "plain.jsonl"]);
    let sealed = workspace.read("backup.sealed");
    let mut flipped = sealed.clone();
    flipped[200] ^= 0x10;
    workspace.write("flipped.sealed", &flipped);
    workspace.write("truncated.sealed", &sealed[..sealed.len() - 1]);
    workspace.ok(&["--db", "empty", "init"]);
    let empty_before = workspace.ok(&["--db", "empty", "export"]);

    // (case, file, identity, exit code, what the error says)
    let cases = [
        (
            "a wrong identity",
            "backup.sealed",
            Some("stranger.identity"),
            2,
            "wrong identity: the backup was not encrypted to this identity",
        ),
        (
            "a flipped bit",
            "flipped.sealed",
            Some("backup.identity"),
            3,
            "the backup was altered or damaged: encrypted chunk 0",
        ),
        (
            "a truncated backup",
            "truncated.sealed",
            Some("backup.identity"),
            3,
            "the file may be cut short",
        ),
        (
            "no identity",
            "backup.sealed",
            None,
            2,
            "is an encrypted backup: give the identity",
        ),
        (
            "a plain export with an identity",
            "plain.jsonl",
            Some("backup.identity"),
            2,
            "is not an encrypted backup",
        ),
        (
            "an identity that is not one",
            "backup.sealed",
            Some("plain.jsonl"),
            2,
            "is not a habeas backup identity",
        ),
    ];
    for (case, file, identity, code, expected) in cases {
        for db in ["new", "empty"] {
            let mut args = vec!["--db", db, "import", file];
            if let Some(identity) = identity {
                args.extend(["--identity", identity]);
            }
            let said = workspace.fails(code, &args);
            assert!(said.contains(expected), "{case} into {db}: {said}");
            assert!(!said.contains("panicked"), "{case}: {said}");
            assert!(!workspace.path("new").exists(), "{case}: a store was made");
            assert_eq!(
                workspace.ok(&["--db", "empty", "export"]),
                empty_before,
                "{case}: the store changed"
            );
        }
    }
}
