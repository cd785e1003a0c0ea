//! Test support: a fresh, empty database per test, on a real PostgreSQL server.
//!
//! Where the server comes from, in order:
//!
//! 1. `HABEAS_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`):
//!    that server; each test gets a new database created on it (`CREATE DATABASE`
//!    needs the right to create databases) and never touches the one in the URL.
//! 2. Otherwise a throwaway cluster in a temporary directory, one per test process,
//!    started from the PostgreSQL binaries found in `HABEAS_POSTGRES_BIN`, under
//!    `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu) or on `PATH`: `initdb`
//!    (as the `postgres` user through `runuser` when running as root, since initdb
//!    refuses root), then `pg_ctl start` on a free loopback port with its socket in
//!    the same temporary directory. A watchdog process stops the cluster
//!    (`pg_ctl stop -m immediate`) and deletes the directory once the test process is
//!    gone, however it ended, so no server outlives `cargo test`.
//! 3. Neither: [`fresh_database`] prints a skip line and returns `None` so that
//!    `cargo test` passes on a machine with only Rust, except when `CI` is set (as
//!    in `.ci/run`): then it panics, because CI must run these tests, never skip them.
//!
//! [`Cluster`] is also public for tests that stop and start the server themselves
//! (the crash tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::describe;

/// A database of its own for one test. Its server stays up while any is alive (the
/// process's shared cluster stays up until the process ends). On a server named by
/// `HABEAS_TEST_POSTGRES_URL` the database is dropped with the value.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    name: String,
    _server: Arc<Server>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Server::External { admin_url } = &*self._server {
            let _ = execute(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            );
        }
    }
}

impl TestDatabase {
    /// The database's connection URL, as `--db` takes it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A superuser URL of the same server's `postgres` database (or the URL of
    /// `HABEAS_TEST_POSTGRES_URL`), for tests that tamper with a store behind its back.
    pub fn admin_url(&self) -> String {
        self._server.admin_url()
    }
}

/// Where test databases are created.
#[derive(Debug)]
enum Server {
    External { admin_url: String },
    Cluster(Cluster),
}

impl Server {
    fn admin_url(&self) -> String {
        match self {
            Server::External { admin_url } => admin_url.clone(),
            Server::Cluster(cluster) => cluster.url("postgres"),
        }
    }
}

/// A fresh, empty database, or `None` (after printing why) when no PostgreSQL
/// server can be had and `CI` is not set.
///
/// # Panics
///
/// When no server can be had and `CI` is set, or when the server refuses to create a
/// database.
pub fn fresh_database() -> Option<TestDatabase> {
    let server = match shared_server() {
        Ok(server) => Arc::clone(server),
        Err(reason) => {
            skip_or_fail(reason);
            return None;
        }
    };
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "habeas_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let admin_url = server.admin_url();
    execute(
        &admin_url,
        &format!("CREATE DATABASE {name} TEMPLATE template0"),
    )
    .unwrap_or_else(|error| panic!("cannot create the test database {name}: {error}"));
    Some(TestDatabase {
        url: with_database(&admin_url, &name),
        name,
        _server: server,
    })
}

/// Whether PostgreSQL tests can run here; prints the skip line (or panics under CI)
/// when not. For `habeas_store::conformance_tests!(open, skip_unless = …)`.
pub fn available() -> bool {
    match shared_server() {
        Ok(_) => true,
        Err(reason) => {
            skip_or_fail(reason);
            false
        }
    }
}

/// Whether the PostgreSQL binaries are here (for tests that need a cluster of their
/// own); prints the skip line (or panics under CI) when not.
pub fn binaries_available() -> bool {
    match find_binaries() {
        Ok(_) => true,
        Err(reason) => {
            skip_or_fail(&reason);
            false
        }
    }
}

fn skip_or_fail(reason: &str) {
    let ci = std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false");
    if ci {
        panic!("PostgreSQL is required under CI: {reason}");
    }
    println!(
        "skipped: PostgreSQL not found: install the postgresql package (Debian/Ubuntu: \
         apt-get install postgresql) or set HABEAS_TEST_POSTGRES_URL to a server where \
         this user may create databases ({reason})"
    );
}

fn shared_server() -> Result<&'static Arc<Server>, &'static str> {
    static SERVER: OnceLock<Result<Arc<Server>, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            if let Ok(url) = std::env::var("HABEAS_TEST_POSTGRES_URL")
                && !url.trim().is_empty()
            {
                return Ok(Arc::new(Server::External {
                    admin_url: url.trim().to_owned(),
                }));
            }
            Cluster::start().map(|cluster| Arc::new(Server::Cluster(cluster)))
        })
        .as_ref()
        .map_err(String::as_str)
}

/// A throwaway PostgreSQL cluster in a temporary directory, on a loopback port.
/// Stopped (immediately) when dropped, and by a watchdog when the process ends.
#[derive(Debug)]
pub struct Cluster {
    directory: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    extra_options: String,
}

impl Cluster {
    /// Creates and starts a cluster; the error says what was missing or failed.
    pub fn start() -> Result<Cluster, String> {
        let bin = find_binaries()?;
        let as_postgres = running_as_root();
        let directory = tempfile::Builder::new()
            .prefix("habeas-pg-")
            .tempdir()
            .map_err(|error| format!("cannot create a temporary directory: {error}"))?;
        if as_postgres {
            let (uid, gid) = postgres_ids()?;
            std::os::unix::fs::chown(directory.path(), Some(uid), Some(gid)).map_err(|error| {
                format!("cannot give the cluster directory to postgres: {error}")
            })?;
        }
        let cluster = Cluster {
            port: 0,
            directory,
            bin,
            as_postgres,
            extra_options: String::new(),
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )?;
        let mut cluster = cluster;
        let mut last_error = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.start_server() {
                Ok(()) => {
                    cluster.spawn_watchdog();
                    return Ok(cluster);
                }
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    fn data_dir(&self) -> PathBuf {
        self.directory.path().join("data")
    }

    /// The cluster's directory (its data directory is `data/` inside), for files
    /// the server must read (hand them over with [`Cluster::give_to_server`]).
    pub fn directory(&self) -> &Path {
        self.directory.path()
    }

    /// Makes `path` the server's own (when we are root and the server runs as
    /// `postgres`), mode 0600: how PostgreSQL wants its TLS key.
    pub fn give_to_server(&self, path: &Path) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|error| format!("cannot chmod {}: {error}", path.display()))?;
        if self.as_postgres {
            let (uid, gid) = postgres_ids()?;
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|error| format!("cannot chown {}: {error}", path.display()))?;
        }
        Ok(())
    }

    /// Restarts the server (fast shutdown) with extra `postgres` options, e.g.
    /// `-c ssl=on`.
    pub fn restart_with(&mut self, options: &str) -> Result<(), String> {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &["-D", path_str(&data)?, "-m", "fast", "-w", "stop"],
        )?;
        self.extra_options = options.to_owned();
        self.start_server()
    }

    /// A superuser URL of database `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        execute(
            &self.url("postgres"),
            &format!("CREATE DATABASE {name} TEMPLATE template0"),
        )?;
        Ok(self.url(name))
    }

    /// `pg_ctl stop -m immediate`: the server stops at once, without a checkpoint,
    /// as after a power cut of the server process (the OS keeps what was written).
    pub fn stop_immediately(&self) -> Result<(), String> {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &["-D", path_str(&data)?, "-m", "immediate", "-w", "stop"],
        )
    }

    /// Starts the server again (after [`Cluster::stop_immediately`]): it recovers
    /// from its WAL.
    pub fn start_server(&self) -> Result<(), String> {
        let data = self.data_dir();
        let socket = self.directory.path();
        let log = self.directory.path().join("server.log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 \
             -c shared_buffers=32MB -c fsync=on {}",
            self.port,
            socket.display(),
            self.extra_options
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&data)?,
                "-l",
                path_str(&log)?,
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
    }

    /// Runs one of the PostgreSQL binaries (as `postgres` when we are root).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let mut command = self.command(program);
        command.args(args).stdin(Stdio::null());
        let output = command
            .output()
            .map_err(|error| format!("cannot run {program}: {error}"))?;
        if output.status.success() {
            return Ok(());
        }
        Err(format!(
            "{program} {} failed ({}): {}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }

    fn command(&self, program: &str) -> Command {
        let binary = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(binary);
            command
        } else {
            Command::new(binary)
        }
    }

    /// A detached shell that waits for this process to end, then stops the cluster
    /// and deletes its directory.
    fn spawn_watchdog(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {}", pg_ctl.display())
        } else {
            pg_ctl.display().to_string()
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \
             {stop} -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            data = self.data_dir().display(),
            dir = self.directory.path().display(),
        );
        let mut command = if Path::new("/usr/bin/setsid").exists() {
            let mut command = Command::new("/usr/bin/setsid");
            command.arg("sh");
            command
        } else {
            Command::new("sh")
        };
        let _ = command
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop_immediately();
    }
}

/// The directory holding `initdb` and `pg_ctl`.
fn find_binaries() -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(dir) = std::env::var("HABEAS_POSTGRES_BIN") {
        let dir = PathBuf::from(dir);
        return if has_tools(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "HABEAS_POSTGRES_BIN={} holds no initdb and pg_ctl",
                dir.display()
            ))
        };
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| has_tools(dir))
        .ok_or_else(|| {
            "no initdb and pg_ctl under /usr/lib/postgresql/*/bin or on PATH, and \
             HABEAS_TEST_POSTGRES_URL is not set"
                .to_owned()
        })
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

fn postgres_ids() -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|error| format!("cannot run id: {error}"))?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root, and there is no postgres user to run initdb as (initdb \
                 refuses root)"
                    .to_owned()
            })
    };
    Ok((id("-u")?, id("-g")?))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("cannot find a free loopback port: {error}"))
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not valid UTF-8", path.display()))
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    let mut out = format!("{scheme}://{authority}/{database}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Runs one statement on `url` from a thread of its own (callable from async tests).
pub fn execute(url: &str, statement: &str) -> Result<(), String> {
    let url = url.to_owned();
    let statement = statement.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| error.to_string())?;
        runtime.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .map_err(|error| format!("cannot connect to {url}: {}", describe(&error)))?;
            let driver = tokio::spawn(connection);
            let result =
                tokio::time::timeout(Duration::from_secs(120), client.batch_execute(&statement))
                    .await
                    .map_err(|_| format!("{statement} took over two minutes"))?
                    .map_err(|error| format!("{statement}: {}", describe(&error)));
            drop(client);
            let _ = driver.await;
            result
        })
    })
    .join()
    .map_err(|_| "the statement's thread panicked".to_owned())?
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        let cases = [
            ("postgres://u@h:5/postgres", "postgres://u@h:5/t1"),
            (
                "postgres://u:p@h/postgres?sslmode=disable",
                "postgres://u:p@h/t1?sslmode=disable",
            ),
            ("postgresql://h", "postgresql://h/t1"),
        ];
        for (url, expected) in cases {
            assert_eq!(with_database(url, "t1"), expected);
        }
    }
}
