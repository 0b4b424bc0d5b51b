//! The `childchain` binary, run as a user would: list, show, validate, render.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use tributary_types::{Genesis, GenesisValidator, PublicKey};

fn childchain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_childchain")).args(args).output().unwrap()
}

fn stdout_json(output: &Output) -> Value {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A scratch directory for this test process, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("childchain-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cli_lists_validates_and_renders_templates() {
    let scratch = Scratch::new();
    let owner = PublicKey([1; 32]).address().to_string();

    let list = stdout_json(&childchain(&["templates", "--json"]));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["token", "community", "contracts", "oracle", "consortium"]);
    assert!(list.as_array().unwrap().iter().all(|t| t["available"] == true), "{list}");

    // `template show` prints TOML that validates as a file.
    let shown = childchain(&["template", "show", "token"]);
    assert!(shown.status.success());
    let file = scratch.write("token.toml", &String::from_utf8(shown.stdout).unwrap());
    assert_eq!(stdout_json(&childchain(&["--json", "template", "validate", &file]))["valid"], true);

    let token = "[token]\nname = \"X\"\nsymbol = \"X\"\ndecimals = 0\ndenom = \"x\"\nsupply = \"1\"\n";
    let bad =
        scratch.write("bad.toml", &format!("name = \"x\"\ndescription = \"d\"\nmodules = [\"staking\"]\n{token}"));
    let refused = childchain(&["template", "validate", &bad]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("bad.toml is not a valid template")
            && stderr.contains("line 3")
            && stderr.contains("no staking module"),
        "{stderr}"
    );

    // Validators come from a hub genesis; the same inputs give the same genesis hash.
    let mut hub = tributary_childchain::render_genesis(
        &tributary_childchain::builtin_template("token").unwrap(),
        &tributary_childchain::RenderOptions::new("hub".parse().unwrap(), PublicKey([2; 32]).address(), 0),
    )
    .unwrap();
    hub.validators = vec![GenesisValidator {
        name: "validator0".into(),
        public_key: PublicKey([3; 32]),
        vrf_public_key: [3; 32],
        power: 10,
    }];
    let hub_file = scratch.write("hub.json", &serde_json::to_string(&hub).unwrap());
    let render = || {
        let args = ["--json", "genesis", "--template", "community", "--chain-id", "town-1", "--owner", &owner];
        let mut args = args.to_vec();
        args.extend(["--validators-from", &hub_file, "--genesis-time-ms", "1700000000000"]);
        stdout_json(&childchain(&args))
    };
    let first = render();
    let genesis: Genesis = serde_json::from_value(first["genesis"].clone()).unwrap();
    assert_eq!(genesis.validators, hub.validators);
    assert_eq!(genesis.params.native_denom.as_str(), "ucom");
    assert_eq!(first["genesis_hash"], genesis.hash().to_hex());
    assert_eq!(render()["genesis_hash"], first["genesis_hash"]);

    let contracts =
        childchain(&["--json", "genesis", "--template", "contracts", "--chain-id", "c-1", "--owner", &owner]);
    assert!(contracts.status.success(), "{}", String::from_utf8_lossy(&contracts.stdout));
    let rendered: Value = serde_json::from_slice(&contracts.stdout).unwrap();
    assert!(rendered.to_string().contains("\"contracts\""), "{rendered}");
}
