//! nginx in front of two or more replicas, built from the `deploy/nginx/` snippets as shipped (only
//! the ports and the location path substituted), in a minimal main config whose paths (pid,
//! logs, temp files) are all inside a directory of the caller's. Master and workers run in a
//! process group of their own and are stopped on drop. `NGINX` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::http::{client, get};
use super::process::{binary, tail, Process};

/// nginx (master and workers) serving the upstream and location snippets on a loopback port.
pub struct Nginx {
    process: Process,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
}

/// The nginx binary: `$NGINX`, else the usual places, else `nginx` in PATH.
pub fn nginx_binary() -> PathBuf {
    binary(
        "NGINX",
        &[
            "/usr/sbin/nginx",
            "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx",
        ],
    )
}

/// The snippets as shipped, with the replicas' ports (the files say 127.0.0.1:8443 and
/// 127.0.0.1:8444; a third replica and more get a line like the second, as the file says to
/// add) and the location path substituted, in a minimal main config whose paths (pid, logs,
/// temp files) are all inside `dir`.
fn nginx_config(dir: &Path, port: u16, replica_ports: &[u16], location: &str) -> String {
    assert!(
        replica_ports.len() >= 2,
        "the upstream names two replicas at least"
    );
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx");
    let read = |name: &str| {
        std::fs::read_to_string(deploy.join(name))
            .unwrap_or_else(|e| panic!("deploy/nginx/{name}: {e}"))
    };
    let upstream = read("backleg-upstream.conf");
    assert!(
        upstream.contains("server 127.0.0.1:8443 ") && upstream.contains("server 127.0.0.1:8444 "),
        "the upstream names 8443 and 8444:\n{upstream}"
    );
    let second = upstream
        .lines()
        .find(|line| line.contains("server 127.0.0.1:8444 "))
        .expect("the second replica's line");
    let others: Vec<String> = replica_ports[1..]
        .iter()
        .map(|port| second.replace(":8444 ", &format!(":{port} ")))
        .collect();
    let upstream = upstream
        .replace(
            "server 127.0.0.1:8443 ",
            &format!("server 127.0.0.1:{} ", replica_ports[0]),
        )
        .replace(second, &others.join("\n"));
    let location_conf = read("backleg-location.conf");
    assert!(
        location_conf.contains("location /backleg/ {"),
        "the location is /backleg/:\n{location_conf}"
    );
    let location_conf =
        location_conf.replace("location /backleg/ {", &format!("location {location} {{"));
    let d = dir.display();
    format!(
        "worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;

{upstream}
    server {{
        listen 127.0.0.1:{port};

{location_conf}
        location / {{
            return 404;
        }}
    }}
}}
"
    )
}

impl Nginx {
    /// Starts nginx on `port` in `<dir>/nginx`, proxying `location` (the public webhook path's
    /// directory, ending with `/`) to the replicas on `replica_ports` (two or more); waits
    /// until it answers.
    pub async fn start(dir: &Path, port: u16, replica_ports: &[u16], location: &str) -> Self {
        let dir = dir.join("nginx");
        std::fs::create_dir_all(&dir).expect("nginx dir");
        // Run as root, nginx's workers run as `nobody`: they must reach the temp dirs.
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [dir.parent().expect("parent"), &dir] {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
            }
        }
        let config = nginx_config(&dir, port, replica_ports, location);
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, &config).expect("write nginx.conf");
        let binary = nginx_binary();
        let mut command = Command::new(&binary);
        command
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config_path)
            .arg("-e")
            .arg(dir.join("error.log"))
            .args(["-g", "daemon off;"]);
        // Master and workers in a group of their own, so that drop stops them all.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let process = Process::spawn(&mut command, &dir, "nginx")
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
            .signal_the_group();
        let mut nginx = Self { process, port, dir };
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if get(&client, &format!("http://127.0.0.1:{port}/probe"))
                .await
                .is_ok()
            {
                break;
            }
            if let Some(status) = nginx.process.try_exit() {
                panic!(
                    "nginx exited ({status}):\n{}\nconfig:\n{config}",
                    nginx.logs(20)
                );
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not answer on port {port}:\n{}",
                nginx.logs(20)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        nginx
    }

    /// The last `n` lines of its stderr and of its error log.
    pub fn logs(&self, n: usize) -> String {
        format!(
            "nginx stderr:\n{}\nnginx error.log:\n{}",
            tail(&self.process.stderr_path, n),
            tail(&self.dir.join("error.log"), n)
        )
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}
