//! A throwaway PostgreSQL cluster for tests: made with initdb in a temporary folder (as user
//! postgres via runuser when the tests run as root, since PostgreSQL refuses to run as root),
//! listening only on a Unix socket in that folder, stopped when dropped. Where PostgreSQL's
//! programs are missing, [`Server::start`] says why, for the test to fail with.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh server for a test; the test fails, never skips, when PostgreSQL cannot run here
/// (`.ci/run` installs it).
pub fn server() -> Server {
    Server::start().unwrap_or_else(|why| {
        panic!("PostgreSQL is needed for this test (.ci/run installs it): {why}")
    })
}

/// A PostgreSQL server of our own.
pub struct Server {
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

impl Server {
    /// Makes and starts a cluster, or says why it cannot.
    pub fn start() -> Result<Server, String> {
        let bin = pg_bin().ok_or("PostgreSQL's programs (initdb, pg_ctl) are not installed")?;
        if which("psql").is_none() {
            return Err("psql is not installed".into());
        }
        let as_postgres = is_root();
        if as_postgres && which("runuser").is_none() {
            return Err(
                "running as root, and runuser is missing to run PostgreSQL as postgres".into(),
            );
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let server = Server {
            bin,
            dir,
            as_postgres,
        };
        if as_postgres {
            let chown = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(server.dir.path())
                .output()
                .map_err(|e| e.to_string())?;
            if !chown.status.success() {
                return Err("no postgres user to run the server as".into());
            }
        }
        let data = server.path("data");
        server.run(
            &server.bin.join("initdb"),
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-locale",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off",
            server.dir.path().display()
        );
        server.run(
            &server.bin.join("pg_ctl"),
            &[
                "-D",
                &data,
                "-l",
                &server.path("log"),
                "-o",
                &options,
                "-w",
                "start",
            ],
        )?;
        Ok(server)
    }

    /// The URL ormscope's `--db` takes for this server's database `postgres`, as user postgres.
    pub fn url(&self) -> String {
        format!(
            "postgresql:///postgres?host={}&user=postgres",
            self.dir.path().display()
        )
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }

    fn run(&self, program: &Path, args: &[&str]) -> Result<Output, String> {
        let output = self
            .command(program, args)
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "{} failed: {}",
                program.display(),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Runs SQL through psql; its CSV output.
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        let socket = self.dir.path().display().to_string();
        let output = self.run(
            Path::new("psql"),
            &[
                "-h",
                &socket,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-X",
                "-q",
                "--csv",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
        )?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.path("data");
        let _ = self
            .command(
                &self.bin.join("pg_ctl"),
                &["-D", &data, "-m", "immediate", "-w", "stop"],
            )
            .output();
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// The folder of initdb and pg_ctl: Debian keeps them under /usr/lib/postgresql/N/bin.
fn pg_bin() -> Option<PathBuf> {
    if let Some(pg_ctl) = which("pg_ctl") {
        return pg_ctl.parent().map(Path::to_path_buf);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").is_file() && bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
