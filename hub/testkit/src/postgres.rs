//! A real PostgreSQL server for a test: Debian's `postgresql` package
//! (installed by `scripts/setup.sh`, which the test command runs), a new
//! cluster in a temporary directory, listening on 127.0.0.1 at a free
//! port, stopped and removed on drop. `stop` and `start` let a test take
//! the database away under load and bring it back.
//!
//! PostgreSQL refuses to run as root; under root the cluster belongs to
//! the package's `postgres` user and each command runs as it (`runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug)]
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    running: bool,
}

/// The newest installed server's programs (`/usr/lib/postgresql/N/bin`).
pub fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Postgres {
    /// A new cluster, started. Panics, naming the fix, when PostgreSQL is
    /// not installed.
    pub fn start() -> Postgres {
        let bin = server_bin().unwrap_or_else(|| {
            panic!(
                "PostgreSQL's server is not installed (no /usr/lib/postgresql/N/bin/pg_ctl): \
                 run scripts/setup.sh, which installs Debian's postgresql package"
            )
        });
        let dir = tempfile::Builder::new().prefix("tributary-pg-").tempdir().unwrap();
        if is_root() {
            let status = Command::new("chown").arg("-R").arg("postgres:postgres").arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown of the cluster directory to postgres failed");
        }
        let mut pg = Postgres { dir, bin, port: free_port(), running: false };
        let data = pg.data();
        pg.run("initdb", &["-D", data.to_str().unwrap(), "-U", "tributary", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        pg.start_again();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command.args(args).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}\n(server log: {})",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.log()).unwrap_or_default()
        );
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Start the server again on the same port and data (after [`stop`]).
    pub fn start_again(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            self.port,
            self.dir.path().display()
        );
        let (data, log) = (self.data(), self.log());
        self.run("pg_ctl", &["-D", path(&data), "-l", path(&log), "-w", "-t", "60", "-o", &options, "start"]);
        self.running = true;
    }

    /// Stop the server (fast shutdown: open connections are cut, as an
    /// operator's restart or a failover cuts them).
    pub fn stop(&mut self) {
        let data = self.data();
        self.run("pg_ctl", &["-D", path(&data), "-m", "fast", "-w", "-t", "60", "stop"]);
        self.running = false;
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgresql://tributary@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgresql://tributary@127.0.0.1:{}/postgres", self.port)
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let data = self.data();
            let path = self.bin.join("pg_ctl");
            let args = ["-D", data.to_str().unwrap_or_default(), "-m", "immediate", "-w", "stop"];
            let _ = if is_root() {
                Command::new("runuser").args(["-u", "postgres", "--"]).arg(&path).args(args).output()
            } else {
                Command::new(&path).args(args).output()
            };
        }
    }
}
