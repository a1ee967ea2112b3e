//! A private PostgreSQL cluster in a data folder of the project, for when `DATABASE_URL` is
//! unset: a newcomer needs nothing but the distribution's `postgresql` package.
//!
//! The cluster listens on 127.0.0.1 only, on a port chosen at start, with a generated password
//! (scram-sha-256) kept beside it. PostgreSQL refuses to run as root, so when we are root the
//! cluster belongs to, and runs as, the `postgres` system user.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const SUPERUSER: &str = "postgres";

#[derive(Debug)]
pub struct LocalCluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    password: String,
    owner: Option<(u32, u32)>,
    /// Whether this process started the server (and so stops it).
    started_here: bool,
}

/// Settings for the cluster's server process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// The defaults: what a development server wants.
    Safe,
    /// No fsync: for throw-away test databases, several times faster to create.
    Fast,
}

impl LocalCluster {
    /// Creates the cluster in `dir` on first use, then starts it unless it runs already.
    pub fn start(dir: &Path, durability: Durability) -> Result<Self, String> {
        let bin = find_binaries()?;
        let owner = cluster_owner()?;
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("cannot resolve {}: {e}", dir.display()))?;
        let data = dir.join("pg");
        let password_file = dir.join("pg-password");
        if !data.join("PG_VERSION").exists() {
            init(&bin, &data, &password_file, owner)?;
        }
        let password = fs::read_to_string(&password_file)
            .map_err(|e| format!("cannot read {}: {e}", password_file.display()))?
            .trim()
            .to_string();
        let mut cluster = LocalCluster {
            bin,
            data,
            port: 0,
            password,
            owner,
            started_here: false,
        };
        match cluster.running_port() {
            Some(port) => cluster.port = port,
            None => cluster.launch(durability)?,
        }
        Ok(cluster)
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{name}",
            self.password, self.port
        )
    }

    /// Stops the server if this process started it.
    pub fn stop(&self) {
        if !self.started_here {
            return;
        }
        let result = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output();
        match result {
            Ok(out) if out.status.success() => log::info!("stopped the private PostgreSQL cluster"),
            Ok(out) => log::warn!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => log::warn!("cannot run pg_ctl stop: {e}"),
        }
    }

    /// Starts the server again after [`Self::stop`], on the same port: the fault tests take
    /// the database away under load and bring it back.
    pub fn start_again(&mut self, durability: Durability) -> Result<(), String> {
        self.launch(durability)
    }

    /// The port of a server already running on this data folder, if any.
    fn running_port(&self) -> Option<u16> {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("status")
            .output()
            .ok()?;
        if !status.status.success() {
            return None;
        }
        // postmaster.pid: pid, data directory, start time, port, …
        let pid_file = fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        pid_file.lines().nth(3)?.trim().parse().ok()
    }

    fn launch(&mut self, durability: Durability) -> Result<(), String> {
        let port = match self.port {
            0 => free_port()?,
            known => known,
        };
        let mut options = format!("-p {port}");
        if durability == Durability::Fast {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.data.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the private PostgreSQL cluster did not start ({}); see {}",
                String::from_utf8_lossy(&out.stderr).trim(),
                self.data.join("server.log").display()
            ));
        }
        log::info!(
            "started the private PostgreSQL cluster in {} on port {port}",
            self.data.display()
        );
        self.port = port;
        self.started_here = true;
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        command(&self.bin, program, self.owner)
    }
}

fn command(bin: &Path, program: &str, owner: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(bin.join(program));
    command.current_dir("/");
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}

fn init(
    bin: &Path,
    data: &Path,
    password_file: &Path,
    owner: Option<(u32, u32)>,
) -> Result<(), String> {
    fs::create_dir_all(data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let password = random_password();
    write_private(password_file, &password)?;
    // initdb reads the password from a file the cluster's owner can read; it is removed after.
    let initial = data.with_file_name("pg-initial-password");
    write_private(&initial, &password)?;
    if let Some((uid, gid)) = owner {
        for path in [data, initial.as_path()] {
            chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("cannot give {} to {SUPERUSER}: {e}", path.display()))?;
        }
    }
    let out = command(bin, "initdb", owner)
        .arg("-D")
        .arg(data)
        .args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C.UTF-8"])
        .args(["--auth-local=scram-sha-256", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", initial.display()))
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"));
    let _ = fs::remove_file(&initial);
    let out = out?;
    if !out.status.success() {
        let _ = fs::remove_dir_all(data);
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // Loopback only, and no socket in a system folder we may not own. PostgreSQL's default
    // 128 MB of shared buffers is sized for the smallest machines: with it, a search that
    // matches thousands of rows copies most of its pages in from the OS cache.
    let mut conf = fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .map_err(|e| format!("cannot open postgresql.conf: {e}"))?;
    writeln!(
        conf,
        "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nshared_buffers = {}MB",
        shared_buffers_mb(fs::read_to_string("/proc/meminfo").ok().as_deref())
    )
    .map_err(|e| format!("cannot write postgresql.conf: {e}"))?;
    log::info!("created a private PostgreSQL cluster in {}", data.display());
    Ok(())
}

/// A quarter of the machine's memory, PostgreSQL's own advice, kept between its default
/// (128 MB) and 1 GB, which a private cluster does not outgrow.
fn shared_buffers_mb(meminfo: Option<&str>) -> u64 {
    let total_kb = meminfo
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("MemTotal:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    (total_kb / 4 / 1024).clamp(128, 1024)
}

fn write_private(path: &Path, content: &str) -> Result<(), String> {
    fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot protect {}: {e}", path.display()))
}

fn random_password() -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// `initdb` and `pg_ctl` from `PATH`, else from the newest `/usr/lib/postgresql/*/bin`.
fn find_binaries() -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|d| has_tools(d)) {
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_tools(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "no PostgreSQL server found (initdb/pg_ctl): install it with \
         `apt-get install postgresql`, or set DATABASE_URL"
            .to_string()
    })
}

/// `Some((uid, gid))` of the `postgres` user when we run as root, since PostgreSQL refuses root.
fn cluster_owner() -> Result<Option<(u32, u32)>, String> {
    // `/proc/self` belongs to the effective user of this process.
    let euid = fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .map_err(|e| format!("cannot tell which user runs relais: {e}"))?;
    if euid != 0 {
        return Ok(None);
    }
    let passwd =
        fs::read_to_string("/etc/passwd").map_err(|e| format!("cannot read /etc/passwd: {e}"))?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&SUPERUSER))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .map(Some)
        .ok_or_else(|| {
            "running as root, but there is no `postgres` system user to run the private \
             cluster: install the `postgresql` package, or set DATABASE_URL"
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::shared_buffers_mb;

    #[test]
    fn shared_buffers_are_a_quarter_of_memory_within_bounds() {
        let meminfo = |kb: u64| format!("MemTotal:       {kb} kB\nMemFree:        1 kB\n");
        assert_eq!(shared_buffers_mb(Some(&meminfo(2 * 1024 * 1024))), 512);
        assert_eq!(shared_buffers_mb(Some(&meminfo(24 * 1024 * 1024))), 1024);
        assert_eq!(shared_buffers_mb(Some(&meminfo(256 * 1024))), 128);
        assert_eq!(shared_buffers_mb(Some("no such line")), 128);
        assert_eq!(shared_buffers_mb(None), 128);
    }
}
