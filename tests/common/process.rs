//! Child processes of the tests and benches (the bot, `redis-server`, nginx, the echo bot):
//! spawned with their output going to files, stopped with SIGTERM (SIGKILL after a grace
//! period), killed on drop so a failing test never leaks one; their logs' last lines and their
//! memory figures from `/proc`. Linux only (`kill(1)`, `/proc`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long drop waits after SIGTERM before SIGKILL.
const DROP_GRACE: Duration = Duration::from_secs(5);
/// How long `stop` waits after SIGTERM before SIGKILL (the bot drains its work first).
const STOP_GRACE: Duration = Duration::from_secs(20);

/// A child process whose stdout and stderr go to `<log dir>/<name>.stdout|stderr`.
pub struct Process {
    child: Option<Child>,
    /// Its stdout.
    pub stdout_path: PathBuf,
    /// Its stderr.
    pub stderr_path: PathBuf,
    exit: Option<ExitStatus>,
    /// Signals go to its whole process group (it was spawned with `process_group(0)`).
    group: bool,
}

impl Process {
    /// Spawns `command` (stdin closed, output to files in `log_dir`).
    ///
    /// # Errors
    /// The program could not be started.
    pub fn spawn(command: &mut Command, log_dir: &Path, name: &str) -> std::io::Result<Self> {
        let stdout_path = log_dir.join(format!("{name}.stdout"));
        let stderr_path = log_dir.join(format!("{name}.stderr"));
        let child = command
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path)?)
            .stderr(File::create(&stderr_path)?)
            .spawn()?;
        Ok(Self {
            child: Some(child),
            stdout_path,
            stderr_path,
            exit: None,
            group: false,
        })
    }

    /// Sends signals to the whole process group from now on; `command` must have been given
    /// `process_group(0)` (nginx: master and workers).
    pub fn signal_the_group(mut self) -> Self {
        self.group = true;
        self
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends a signal (`TERM`, `INT`, `KILL`, `STOP`, `CONT`) with kill(1); nothing if it
    /// already exited.
    pub fn signal(&mut self, signal: &str) {
        if self.try_exit().is_some() {
            return;
        }
        self.send(signal);
    }

    fn send(&self, signal: &str) {
        let target = if self.group {
            format!("-{}", self.pid())
        } else {
            self.pid().to_string()
        };
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(target)
            .stderr(Stdio::null())
            .status();
    }

    /// Its exit status, if it has exited.
    pub fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            if let Some(child) = &mut self.child {
                self.exit = child.try_wait().ok().flatten();
            }
        }
        self.exit
    }

    /// Waits up to `timeout` for it to exit.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_exit() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGTERM, then waits up to 20 s; SIGKILL after that. Returns the exit status, or `None`
    /// when it had to be killed.
    pub async fn stop(&mut self) -> Option<ExitStatus> {
        self.stop_within(STOP_GRACE).await
    }

    /// SIGTERM, then waits up to `grace`; SIGKILL after that. Returns the exit status, or
    /// `None` when it had to be killed.
    pub async fn stop_within(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.signal("TERM");
        let status = self.wait_exit(grace).await;
        if status.is_none() {
            self.kill_now();
        }
        status
    }

    /// SIGKILL (to the group too, when it has one), and reaps it.
    pub fn kill_now(&mut self) {
        if self.group {
            self.send("KILL");
        }
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            self.exit = child.wait().ok();
        }
    }

    /// What it printed on stdout so far (ANSI colour codes removed).
    pub fn stdout(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.stdout_path).unwrap_or_default())
    }

    /// What it printed on stderr so far (ANSI colour codes removed).
    pub fn stderr(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.stderr_path).unwrap_or_default())
    }

    /// The last `n` lines of stderr, for failure messages.
    pub fn stderr_tail(&self, n: usize) -> String {
        last_lines(&self.stderr(), n)
    }

    /// Its peak resident set size so far (`VmHWM`), in KiB; `None` once it has exited.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(self.pid())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.try_exit().is_some() {
            if self.group {
                // The master is gone; make sure no worker outlives it.
                self.send("KILL");
            }
            return;
        }
        // A test that failed half-way: stop gently, then for good.
        self.signal("TERM");
        let deadline = Instant::now() + DROP_GRACE;
        while Instant::now() < deadline {
            if self.try_exit().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.try_exit().is_none() || self.group {
            self.kill_now();
        }
    }
}

/// A program from `$var`, else the first of `candidates` that exists, else the bare name of
/// the first (looked up in PATH).
pub fn binary(var: &str, candidates: &[&str]) -> PathBuf {
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            PathBuf::from(Path::new(candidates[0]).file_name().expect("a file name"))
        })
}

/// The last `n` lines of a file, or why it cannot be read.
pub fn tail(path: &Path, n: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => last_lines(&text, n),
        Err(e) => format!("({}: {e})", path.display()),
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A memory figure of a running process from `/proc/<pid>/status` (`VmRSS`, `VmHWM`, ...), in
/// KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    proc_status_number(pid, field)
}

/// The threads of a running process (`Threads` in `/proc/<pid>/status`).
pub fn threads(pid: u32) -> Option<u64> {
    proc_status_number(pid, "Threads")
}

/// The file descriptors a running process has open (sockets included): the entries of
/// `/proc/<pid>/fd`.
pub fn open_fds(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The number after `<field>:` in `/proc/<pid>/status`.
fn proc_status_number(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| {
        l.strip_prefix(field)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident set size (`VmHWM`) of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    proc_status_kib(pid, "VmHWM")
}

/// Removes ANSI escape sequences (`ESC [ ... letter`), so log checks see plain text.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
