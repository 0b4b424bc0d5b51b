//! The `childchain` binary: list, show and check templates, render a child
//! chain's genesis, and spawn a child chain on a running hub. Every command
//! takes `--json`; errors say how to fix. (It lives in its own crate because
//! `spawn` talks to a hub; the template library stays pure.)

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use tributary_childchain::{
    builtin_names, builtin_source, builtin_template, builtin_templates, render_genesis, RenderOptions, Template,
    TEMPLATE_BYTES_MAX,
};
use tributary_types::{Address, ChainId, Genesis};

/// Largest hub genesis read by `--validators-from`: a genesis lists every
/// funded account, so it is far larger than a template, but still bounded.
const GENESIS_BYTES_MAX: u64 = 64 * 1024 * 1024;

#[derive(Parser, Debug)]
#[command(
    name = "childchain",
    version,
    about = "Tributary child chains: list and check templates, render a genesis, spawn a child chain on a hub",
    after_help = "Spawn a chain on a running devnet:\n  childchain spawn --template token --name acme-1 \\\n    --hub http://127.0.0.1:26700/graphql --from devnet/hub/keys/user0.json"
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the built-in templates with their modules and descriptions.
    Templates,
    /// Show a built-in template, or check a template file.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Render a child chain's genesis from a template and print it as JSON
    /// (the genesis hash and notes go to stderr, or into the --json object).
    Genesis {
        /// A built-in template name (see `childchain templates`) or a template file.
        #[arg(long)]
        template: String,
        /// The child chain's id (a-z, 0-9, '-').
        #[arg(long)]
        chain_id: String,
        /// The owner's address (trib1…): holds the whole supply unless the template lists holders.
        #[arg(long)]
        owner: String,
        /// Copy the first committee from this hub genesis.json (else none, to be filled in).
        #[arg(long, value_name = "GENESIS.json")]
        validators_from: Option<PathBuf>,
        /// Genesis time in ms since the Unix epoch (default: now). Fix it to make the output reproducible.
        #[arg(long)]
        genesis_time_ms: Option<u64>,
        /// Address of a holder the template names, e.g. --account treasury=trib1… (repeatable).
        #[arg(long = "account", value_name = "NAME=ADDRESS")]
        accounts: Vec<String>,
    },
    /// Register a child chain on a running hub and wait, with progress, until
    /// the hub validators drawn for it produce its first block; prints its
    /// chain id and endpoints.
    Spawn(SpawnArgs),
}

#[derive(clap::Args, Debug)]
struct SpawnArgs {
    /// A built-in template name (see `childchain templates`) or a template file.
    #[arg(long)]
    template: String,
    /// The new chain's id (a-z, 0-9, '-'); it must not be registered yet.
    #[arg(long)]
    name: String,
    /// GraphQL URL of a hub node, e.g. http://127.0.0.1:26700/graphql.
    #[arg(long)]
    hub: String,
    /// Key file of the owner, who pays the deposit and the fee (e.g. a devnet's hub/keys/user0.json).
    #[arg(long, value_name = "KEY.json")]
    from: PathBuf,
    /// Hub tokens to lock as the deposit (default: the hub's minimum).
    #[arg(long)]
    deposit: Option<String>,
    /// Address of a holder the template names, e.g. --account treasury=trib1… (repeatable).
    #[arg(long = "account", value_name = "NAME=ADDRESS")]
    accounts: Vec<String>,
    /// Seconds to wait for the registration, and then for the first block.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
    /// Once the chain runs, send this relayer account some of its native
    /// token (from --from), so a relayer can pay fees there at once.
    #[arg(long, value_name = "ADDRESS")]
    fund_relayer: Option<String>,
    /// How much --fund-relayer sends, in the child's smallest unit.
    #[arg(long, default_value_t = 1_000_000_000, requires = "fund_relayer")]
    fund_relayer_amount: u128,
}

#[derive(Subcommand, Debug)]
enum TemplateCommand {
    /// Print a built-in template's TOML (with --json: the parsed template).
    Show {
        /// Template name, e.g. token.
        name: String,
    },
    /// Parse and validate a template file; exits non-zero with the error.
    Validate {
        /// The template's TOML file.
        file: PathBuf,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            if json {
                println!("{}", json!({ "error": format!("{error:#}") }));
            } else {
                eprintln!("error: {error:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Templates => list(cli.json),
        Command::Spawn(args) => spawn(args, cli.json),
        Command::Template(TemplateCommand::Show { name }) => show(&name, cli.json),
        Command::Template(TemplateCommand::Validate { file }) => validate(&file, cli.json),
        Command::Genesis { template, chain_id, owner, validators_from, genesis_time_ms, accounts } => {
            let template = load_template(&template)?;
            let chain_id = ChainId::new(chain_id)?;
            let owner: Address = owner.parse().context("--owner")?;
            let genesis_time_ms = match genesis_time_ms {
                Some(ms) => ms,
                None => now_ms()?,
            };
            let mut options = RenderOptions::new(chain_id, owner, genesis_time_ms);
            options.extra_accounts = parse_accounts(&accounts)?;
            let mut notes = Vec::new();
            match &validators_from {
                Some(path) => options.validators = read_genesis(path)?.validators,
                None => notes.push(
                    "no validators: the genesis lists none; give --validators-from HUB_GENESIS.json to copy the \
                     hub's validators as the first committee"
                        .to_string(),
                ),
            }
            let genesis = render_genesis(&template, &options)?;
            print_genesis(&genesis, &notes, cli.json)
        }
    }
}

fn spawn(args: SpawnArgs, json: bool) -> anyhow::Result<()> {
    let template = load_template(&args.template)?;
    let chain_id = ChainId::new(&args.name).context("--name")?;
    let owner = tributary_crypto::keyfile::load_signing_key(&args.from, None)
        .with_context(|| format!("--from {}: cannot load the owner's key", args.from.display()))?;
    let deposit = args
        .deposit
        .as_deref()
        .map(|d| d.parse::<u128>().with_context(|| format!("--deposit {d:?} is not a whole number of base units")))
        .transpose()?;
    let options = tributary_childchain_cli::spawn::SpawnOptions {
        template_name: template.name.clone(),
        template,
        chain_id,
        deposit,
        extra_accounts: parse_accounts(&args.accounts)?,
        timeout: std::time::Duration::from_secs(args.timeout_secs),
        genesis_time_ms: now_ms()?,
        fund_relayer: match &args.fund_relayer {
            Some(address) => Some((
                address.parse().with_context(|| format!("--fund-relayer {address:?} is not an address (trib1…)"))?,
                args.fund_relayer_amount,
            )),
            None => None,
        },
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let hub = tributary_client::Client::new(args.hub.clone());
    let mut progress = |line: &str| {
        if json {
            println!("{}", json!({ "event": "progress", "message": line }));
        } else {
            eprintln!("{line}");
        }
    };
    let spawned = runtime.block_on(tributary_childchain_cli::spawn::spawn(&hub, &owner, &options, &mut progress))?;
    if json {
        println!("{}", json!({ "event": "spawned", "chain": spawned }));
        return Ok(());
    }
    println!(
        "child chain {} is live (template {}, genesis {})",
        spawned.chain_id, spawned.template, spawned.genesis_hash
    );
    println!(
        "  registered after {} ms, block 1 after {} ms, anchored on hub {} after {} ms",
        spawned.registered_ms, spawned.first_block_ms, spawned.hub_chain_id, spawned.anchored_ms
    );
    println!("  committee: {}", spawned.committee.join(", "));
    for endpoint in &spawned.endpoints {
        println!(
            "  {}  graphql {}  p2p {}",
            endpoint["validator"].as_str().unwrap_or(""),
            endpoint["graphql"].as_str().unwrap_or(""),
            endpoint["p2p"].as_str().unwrap_or("")
        );
    }
    if let Some(sent) = &spawned.relayer_funded {
        println!("  relayer funded: {sent}");
    }
    Ok(())
}

fn list(json: bool) -> anyhow::Result<()> {
    let rows: Vec<Value> = builtin_templates().iter().map(describe).collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!("{:<11} {:<24} {:<38} DESCRIPTION", "NAME", "MODULES", "STATUS");
    for template in builtin_templates() {
        let modules = std::iter::once("bank").chain(template.modules.iter().map(String::as_str)).collect::<Vec<_>>();
        println!("{:<11} {:<24} {:<38} {}", template.name, modules.join(", "), status(&template), template.description);
    }
    Ok(())
}

fn show(name: &str, json: bool) -> anyhow::Result<()> {
    let (Some(source), Some(template)) = (builtin_source(name), builtin_template(name)) else {
        bail!(
            "no built-in template named {name:?}; the built-in templates are {} (`childchain templates` lists them)",
            builtin_names().join(", ")
        );
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&template)?);
    } else {
        print!("{source}");
    }
    Ok(())
}

fn validate(file: &Path, json: bool) -> anyhow::Result<()> {
    let template = read_template(file)?;
    if json {
        let mut out = describe(&template);
        out["valid"] = Value::Bool(true);
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let token = &template.token;
    println!(
        "template {} is valid: modules bank{}{}; token {} ({}), supply {}, {} holder(s)",
        template.name,
        if template.modules.is_empty() { "" } else { ", " },
        template.modules.join(", "),
        token.symbol,
        token.denom,
        token.supply,
        token.holders.len().max(1),
    );
    if !template.is_available() {
        println!("note: {}; `childchain genesis` refuses it until then", status(&template));
    }
    Ok(())
}

/// One template as a listing row.
fn describe(template: &Template) -> Value {
    let later: Vec<&str> = template.unavailable_modules().iter().map(|m| m.name).collect();
    json!({
        "name": template.name,
        "modules": template.modules,
        "description": template.description,
        "available": later.is_empty(),
        "requires_later_release": later,
        "token": { "symbol": template.token.symbol, "denom": template.token.denom, "decimals": template.token.decimals },
    })
}

fn status(template: &Template) -> String {
    let later: Vec<&str> = template.unavailable_modules().iter().map(|m| m.name).collect();
    if later.is_empty() {
        "ready".into()
    } else {
        format!("requires a later release ({})", later.join(", "))
    }
}

fn print_genesis(genesis: &Genesis, notes: &[String], json: bool) -> anyhow::Result<()> {
    let hash = genesis.hash().to_hex();
    if json {
        let out = json!({ "genesis_hash": hash, "notes": notes, "genesis": genesis });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("{}", serde_json::to_string_pretty(genesis)?);
        eprintln!("genesis hash: {hash}");
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    Ok(())
}

/// A built-in template by name, else a template file.
fn load_template(name_or_file: &str) -> anyhow::Result<Template> {
    if let Some(template) = builtin_template(name_or_file) {
        return Ok(template);
    }
    let path = Path::new(name_or_file);
    if path.exists() {
        return read_template(path);
    }
    bail!(
        "unknown template {name_or_file:?}: it is not a built-in template ({}) and no file has that path",
        builtin_names().join(", ")
    )
}

fn read_template(path: &Path) -> anyhow::Result<Template> {
    let text = read_bounded(path, TEMPLATE_BYTES_MAX as u64)?;
    Template::parse(&text).with_context(|| format!("{} is not a valid template", path.display()))
}

fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = read_bounded(path, GENESIS_BYTES_MAX)?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a genesis file (give the hub's genesis.json)", path.display()))
}

/// Read a UTF-8 file of at most `max` bytes without reading more than that.
fn read_bounded(path: &Path, max: u64) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > max {
        bail!("{} is over {max} bytes; is it the right file?", path.display());
    }
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// `NAME=ADDRESS` pairs from `--account`.
fn parse_accounts(pairs: &[String]) -> anyhow::Result<BTreeMap<String, Address>> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let Some((name, address)) = pair.split_once('=') else {
            bail!("--account {pair:?}: write NAME=ADDRESS, e.g. --account treasury=trib1…");
        };
        let address: Address = address.parse().with_context(|| format!("--account {name}"))?;
        if out.insert(name.to_string(), address).is_some() {
            bail!("--account {name} is given twice; give each name once");
        }
    }
    Ok(out)
}

fn now_ms() -> anyhow::Result<u64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970; set it, or give --genesis-time-ms")?;
    Ok(u64::try_from(since.as_millis())?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
