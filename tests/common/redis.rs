//! `redis-server` on a loopback port, for the Redis storage tests and the cluster: no
//! persistence, its log in a directory of the caller's (or a temp dir of its own), killed on
//! drop. `REDIS_SERVER` names another binary.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::http::free_port;
use super::process::{binary, tail, Process};

/// A `redis-server` child process.
pub struct Redis {
    process: Option<Process>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    extra: Vec<String>,
    dir: PathBuf,
    /// The temp dir `dir` is in, when the server has its own.
    _own_dir: Option<TempDir>,
}

impl Redis {
    /// Starts a server on a free loopback port.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` and waits until it answers.
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, &[])
    }

    /// Starts a server on `port` with `extra` arguments and waits until it answers.
    pub fn start_with(port: u16, extra: &[&str]) -> Self {
        let own = tempfile::tempdir().expect("temp dir");
        let dir = own.path().to_owned();
        Self::start_inner(port, extra, dir, Some(own))
    }

    /// Starts a server on `port`, its files and log in `dir`, and waits until it answers.
    pub fn start_in(port: u16, dir: &Path) -> Self {
        Self::start_inner(port, &[], dir.to_owned(), None)
    }

    fn start_inner(port: u16, extra: &[&str], dir: PathBuf, own: Option<TempDir>) -> Self {
        let mut redis = Self {
            process: None,
            port,
            extra: extra.iter().map(|&s| s.to_owned()).collect(),
            dir,
            _own_dir: own,
        };
        redis.start_again();
        redis
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        url(self.port)
    }

    /// Its process id (0 when it is not running).
    pub fn pid(&self) -> u32 {
        self.process.as_ref().map_or(0, Process::pid)
    }

    /// The last `n` lines of its log.
    pub fn log_tail(&self, n: usize) -> String {
        tail(&self.log(), n)
    }

    fn log(&self) -> PathBuf {
        self.dir.join("redis.log")
    }

    /// Starts the server (again) on the same port and waits until it answers PING.
    pub fn start_again(&mut self) {
        assert!(self.process.is_none(), "redis-server is already running");
        let binary = binary(
            "REDIS_SERVER",
            &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
        );
        let mut command = Command::new(&binary);
        command
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(self.log())
            .args(&self.extra);
        let process = Process::spawn(&mut command, &self.dir, "redis")
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let process = self.process.insert(process);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !accepts_commands(self.port) {
            if let Some(status) = process.try_exit() {
                panic!(
                    "redis-server exited ({status}):\n{}",
                    tail(&self.dir.join("redis.log"), 20)
                );
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {}:\n{}",
                self.port,
                tail(&self.dir.join("redis.log"), 20)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, like a crash.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill_now();
        }
        assert!(
            !accepts_commands(self.port),
            "redis-server still answers after SIGKILL"
        );
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(process) = &mut self.process {
            process.kill_now();
        }
    }
}

/// `redis://127.0.0.1:<port>/0`.
pub fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/0")
}

/// Whether a server on `port` answers a raw RESP PING (with "+PONG", or "-NOAUTH" when it
/// wants a password: either way it is up).
pub fn accepts_commands(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 5];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && (&reply == b"+PONG" || &reply == b"-NOAU")
}
