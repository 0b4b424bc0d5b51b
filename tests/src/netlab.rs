//! Separate hosts on one machine: each host is a network namespace with its
//! own address (10.77.0.{k+1}/24 on `eth0`), all cabled to a switch, itself
//! a namespace holding two bridges. Nothing touches the machine's own
//! network: the switch and the hosts exist only while the lab does.
//!
//! Faults are made on the switch: a host unplugged (`isolate`), the hosts
//! split between the two bridges (`partition`), everything cabled back to
//! the first (`heal`). Programs run inside a host with [`Lab::command`]
//! (`ip netns exec`), so a test talks to a node the way another host would,
//! at its own address.
//!
//! Namespaces need root (or CAP_NET_ADMIN) and iproute2. Where the machine
//! does not permit them, [`Lab::create`] fails with the reason; a test is
//! skipped only when `TRIBUTARY_NETNS=skip` says so, and then it prints that
//! it did not run.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Hosts one lab may have.
pub const LAB_HOSTS_MAX: usize = 16;

static LABS: AtomicU32 = AtomicU32::new(0);

/// The lab's namespaces, removed on drop.
pub struct Lab {
    prefix: String,
    hosts: usize,
    /// A shaped lab's switch: the delaying relay (`tests/netlab_relay.py`),
    /// its rules written on its stdin, each acknowledged on its stdout.
    relay: Option<std::sync::Mutex<Relay>>,
}

struct Relay {
    child: std::process::Child,
    rules: std::process::ChildStdin,
    acks: std::io::BufReader<std::process::ChildStdout>,
}

impl Relay {
    fn send(&mut self, rules: &serde_json::Value) {
        use std::io::{BufRead, Write};
        writeln!(self.rules, "{rules}").expect("write to the lab's relay");
        self.rules.flush().expect("write to the lab's relay");
        let mut line = String::new();
        self.acks.read_line(&mut line).expect("read the lab's relay");
        assert_eq!(line.trim(), "ok", "the lab's relay refused {rules}: {line}");
    }
}

/// Why a lab cannot be made here.
#[derive(Debug)]
pub struct Unavailable(pub String);

fn run(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip").args(args).output().map_err(|e| format!("cannot run ip (iproute2): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()))
    }
}

impl Lab {
    /// Whether a test that needs a lab should skip, having said why.
    pub fn skip(reason: &Unavailable) -> bool {
        if std::env::var("TRIBUTARY_NETNS").as_deref() == Ok("skip") {
            eprintln!("SKIPPED (TRIBUTARY_NETNS=skip): this test did not run: {}", reason.0);
            return true;
        }
        false
    }

    /// A lab for a test: [`Lab::create`], or `None` when the machine does
    /// not permit one and `TRIBUTARY_NETNS=skip` says to skip (saying so);
    /// without that, a machine that cannot make one fails the test.
    pub fn for_test(hosts: usize) -> Option<Lab> {
        Self::or_skip(Lab::create(hosts))
    }

    /// [`Lab::for_test`] with shaped links ([`Lab::create_shaped`]).
    pub fn shaped_for_test(hosts: usize) -> Option<Lab> {
        Self::or_skip(Lab::create_shaped(hosts))
    }

    fn or_skip(made: Result<Lab, Unavailable>) -> Option<Lab> {
        match made {
            Ok(lab) => Some(lab),
            Err(reason) if Lab::skip(&reason) => None,
            Err(reason) => panic!("{}", reason.0),
        }
    }

    /// `hosts` hosts, all cabled to the switch's first bridge.
    pub fn create(hosts: usize) -> Result<Lab, Unavailable> {
        assert!((1..=LAB_HOSTS_MAX).contains(&hosts), "1 to {LAB_HOSTS_MAX} hosts");
        let prefix = format!("trib{}l{}", std::process::id(), LABS.fetch_add(1, Ordering::Relaxed));
        let lab = Lab { prefix, hosts: 0, relay: None };
        let unavailable = |e: String| {
            Unavailable(format!(
                "network namespaces are not permitted here ({e}); run as root with iproute2, or set \
                 TRIBUTARY_NETNS=skip to skip the multi-host tests knowingly"
            ))
        };
        let switch = lab.switch();
        run(&["netns", "add", &switch]).map_err(unavailable)?;
        let mut lab = lab;
        for bridge in ["br0", "br1"] {
            run(&["-n", &switch, "link", "add", bridge, "type", "bridge"]).map_err(unavailable)?;
            run(&["-n", &switch, "link", "set", bridge, "up"]).map_err(unavailable)?;
        }
        for k in 0..hosts {
            let ns = lab.host(k);
            run(&["netns", "add", &ns]).map_err(unavailable)?;
            lab.hosts = k + 1;
            let port = format!("h{k}");
            run(&["link", "add", "eth0", "netns", &ns, "type", "veth", "peer", "name", &port, "netns", &switch])
                .map_err(unavailable)?;
            run(&["-n", &ns, "addr", "add", &format!("{}/24", lab.ip(k)), "dev", "eth0"]).map_err(unavailable)?;
            run(&["-n", &ns, "link", "set", "eth0", "up"]).map_err(unavailable)?;
            run(&["-n", &ns, "link", "set", "lo", "up"]).map_err(unavailable)?;
            run(&["-n", &switch, "link", "set", &port, "master", "br0"]).map_err(unavailable)?;
            run(&["-n", &switch, "link", "set", &port, "up"]).map_err(unavailable)?;
        }
        Ok(lab)
    }

    /// `hosts` hosts whose links a relay shapes (delay, jitter, loss,
    /// partitions; see [`Lab::shape`]) where a bridge would pass frames at
    /// once: for kernels without `tc netem`.
    pub fn create_shaped(hosts: usize) -> Result<Lab, Unavailable> {
        let mut lab = Lab::create(hosts)?;
        let switch = lab.switch();
        let unavailable = |e: String| Unavailable(format!("cannot shape the lab's links: {e}"));
        let ports: Vec<String> = (0..hosts).map(|k| format!("h{k}")).collect();
        for (k, port) in ports.iter().enumerate() {
            run(&["-n", &switch, "link", "set", port, "nomaster"]).map_err(unavailable)?;
            // The relay moves frames one by one: no segmentation offload, so
            // no frame is larger than the link's MTU.
            let ns = lab.host(k);
            run(&["-n", &ns, "link", "set", "dev", "eth0", "gso_max_segs", "1"]).map_err(unavailable)?;
            run(&["-n", &ns, "link", "set", "dev", "eth0", "gso_max_size", "1500"]).map_err(unavailable)?;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/netlab_relay.py");
        let mut child = Command::new("ip")
            .args(["netns", "exec", &switch, "python3", script])
            .args(&ports)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| unavailable(format!("python3 {script}: {e}")))?;
        let rules = child.stdin.take().expect("piped");
        let mut acks = std::io::BufReader::new(child.stdout.take().expect("piped"));
        let mut ready = String::new();
        std::io::BufRead::read_line(&mut acks, &mut ready).map_err(|e| unavailable(e.to_string()))?;
        if ready.trim() != "ready" {
            let _ = child.kill();
            return Err(unavailable(format!("the relay did not start: {ready:?}")));
        }
        lab.relay = Some(std::sync::Mutex::new(Relay { child, rules, acks }));
        Ok(lab)
    }

    /// Set a shaped lab's rules (tests/netlab_relay.py says which), e.g.
    /// `{"delay_ms": 100, "jitter_ms": 20}`; they are in force on return.
    pub fn shape(&self, rules: serde_json::Value) {
        let relay = self.relay.as_ref().expect("Lab::shape needs Lab::create_shaped");
        relay.lock().unwrap_or_else(|e| e.into_inner()).send(&rules);
    }

    fn switch(&self) -> String {
        format!("{}sw", self.prefix)
    }

    /// Host `k`'s namespace.
    pub fn host(&self, k: usize) -> String {
        format!("{}h{k}", self.prefix)
    }

    /// Host `k`'s address.
    pub fn ip(&self, k: usize) -> String {
        format!("10.77.0.{}", k + 1)
    }

    pub fn hosts(&self) -> usize {
        self.hosts
    }

    /// `program` to be run inside host `k`.
    pub fn command(&self, k: usize, program: &std::path::Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.host(k)]).arg(program);
        command
    }

    /// Run `f` on a thread inside host `k`'s network (every socket it
    /// opens is host `k`'s): how a test talks to the lab as that host would.
    pub fn within<T: Send + 'static>(&self, k: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.host(k));
        std::thread::spawn(move || {
            let ns = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)
                .unwrap_or_else(|e| panic!("setns {path}: {e}"));
            f()
        })
        .join()
        .expect("a thread inside a lab host panicked")
    }

    /// A GraphQL query to `url`, sent from host `k`; `None` if it cannot be
    /// answered (unreachable, an error).
    pub fn query(&self, k: usize, url: &str, query: &str, variables: serde_json::Value) -> Option<serde_json::Value> {
        let (url, query) = (url.to_string(), query.to_string());
        self.within(k, move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async move {
                let client = tributary_client::Client::new(url).with_timeout(std::time::Duration::from_secs(3));
                client.query(&query, variables).await.ok()
            })
        })
    }

    fn cable(&self, k: usize, bridge: Option<&str>) {
        let port = format!("h{k}");
        let result = match bridge {
            Some(bridge) => run(&["-n", &self.switch(), "link", "set", &port, "master", bridge]),
            None => run(&["-n", &self.switch(), "link", "set", &port, "nomaster"]),
        };
        result.unwrap_or_else(|e| panic!("rewiring host {k}: {e}"));
    }

    /// Unplug host `k`: it reaches no one, and no one reaches it.
    pub fn isolate(&self, k: usize) {
        if self.relay.is_some() {
            let others: Vec<usize> = (0..self.hosts).filter(|&j| j != k).collect();
            return self.shape(serde_json::json!({ "cut": [others] }));
        }
        self.cable(k, None);
    }

    /// Split the hosts: `side` on one bridge, the rest on the other.
    pub fn partition(&self, side: &[usize]) {
        if self.relay.is_some() {
            let rest: Vec<usize> = (0..self.hosts).filter(|j| !side.contains(j)).collect();
            return self.shape(serde_json::json!({ "cut": [side, rest] }));
        }
        for k in 0..self.hosts {
            self.cable(k, Some(if side.contains(&k) { "br1" } else { "br0" }));
        }
    }

    /// Every host back on one bridge (in a shaped lab: no cut; delays and
    /// loss stay as set).
    pub fn heal(&self) {
        if self.relay.is_some() {
            return self.shape(serde_json::json!({ "cut": null }));
        }
        for k in 0..self.hosts {
            self.cable(k, Some("br0"));
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(relay) = self.relay.take() {
            let mut relay = relay.into_inner().unwrap_or_else(|e| e.into_inner());
            let _ = relay.child.kill();
            let _ = relay.child.wait();
        }
        // Deleting a namespace removes its end of each cable, and so the other.
        for k in 0..self.hosts {
            let _ = run(&["netns", "del", &self.host(k)]);
        }
        let _ = run(&["netns", "del", &self.switch()]);
    }
}
