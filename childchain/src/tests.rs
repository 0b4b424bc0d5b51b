use crate::*;
use std::collections::BTreeMap;
use tributary_types::{Address, ChainId, Genesis, GenesisValidator, PublicKey};

fn address(seed: u8) -> Address {
    PublicKey([seed; 32]).address()
}

fn options() -> RenderOptions {
    RenderOptions::new(ChainId::new("acme-1").unwrap(), address(1), 1_700_000_000_000)
}

fn validator(seed: u8) -> GenesisValidator {
    GenesisValidator {
        name: format!("validator{seed}"),
        public_key: PublicKey([seed; 32]),
        vrf_public_key: [seed; 32],
        power: 10,
    }
}

/// A valid user template; tests break one line of it at a time.
fn user_template() -> String {
    format!(
        r#"name = "acme"
description = "Acme's chain"
modules = ["assets", "polls"]

[token]
name = "Acme Token"
symbol = "ACME"
decimals = 8
denom = "uacme"
supply = "1_000_000"

[[token.holders]]
address = "{}"
amount = "600_000"

[[token.holders]]
name = "owner"
amount = "300000"

[[token.holders]]
name = "treasury"
amount = 100000

[params]
min_fee = "5"
max_block_txs = 2000

[consensus]
committers = 4
timeout_propose_ms = 2000
"#,
        address(9)
    )
}

fn refused(text: &str) -> TemplateError {
    match Template::parse(text) {
        Ok(template) => panic!("template should be refused: {template:?}"),
        Err(error) => error,
    }
}

fn assert_mentions(error: &TemplateError, words: &[&str]) {
    let message = error.to_string();
    for word in words {
        assert!(message.contains(word), "{message:?} should mention {word:?}");
    }
}

#[test]
fn every_builtin_parses_validates_and_matches_its_name() {
    let templates = builtin_templates();
    assert_eq!(templates.len(), BUILTIN_SOURCES.len());
    for (template, (name, source)) in templates.iter().zip(BUILTIN_SOURCES) {
        assert_eq!(&template.name, name);
        template.validate().unwrap();
        assert_eq!(&Template::parse(source).unwrap(), template);
        assert!(!template.modules.iter().any(|m| m == "staking" || m == "bank"));
    }
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["token", "community", "contracts", "oracle", "consortium"]);
    assert_eq!(builtin_template("token").unwrap().modules, ["assets"]);
    assert_eq!(builtin_template("community").unwrap().modules, ["polls", "messages"]);
    assert!(builtin_template("nope").is_none());
}

#[test]
fn token_and_community_render_without_staking() {
    for name in ["token", "community"] {
        let template = builtin_template(name).unwrap();
        assert!(template.is_available());
        let mut options = options();
        options.validators = vec![validator(3), validator(4)];
        let genesis = render_genesis(&template, &options).unwrap();
        assert_eq!(genesis.chain_id.as_str(), "acme-1");
        assert_eq!(genesis.params.native_denom, template.token.denom);
        assert_eq!(genesis.token.symbol, template.token.symbol);
        assert_eq!(genesis.token.decimals, template.token.decimals);
        assert_eq!(genesis.modules[0], COMMITTEE_MODULE, "every child runs the hub-drawn committee");
        // Then the template's modules, then those every child runs (once each).
        let mut expected: Vec<String> = vec![COMMITTEE_MODULE.to_string()];
        expected.extend(template.modules.iter().cloned());
        for always in ALWAYS_AFTER {
            if !expected.iter().any(|m| m == always) {
                expected.push(always.to_string());
            }
        }
        assert_eq!(genesis.modules, expected);
        assert!(!genesis.modules.iter().any(|m| m == "staking"));
        assert_eq!(genesis.validators, options.validators);
        // No holders: the owner holds the whole supply.
        assert_eq!(genesis.accounts.len(), 1);
        assert_eq!(genesis.accounts[0].address, options.owner);
        assert_eq!(genesis.accounts[0].balances[0].denom, template.token.denom);
        assert_eq!(genesis.accounts[0].balances[0].amount, template.token.supply);
    }
    let community = render_genesis(&builtin_template("community").unwrap(), &options()).unwrap();
    assert_eq!(community.params.min_fee, 1);
}

#[test]
fn contracts_and_oracle_render_with_their_modules() {
    let template = builtin_template("contracts").unwrap();
    assert!(template.is_available(), "{:?}", template.unavailable_modules());
    let genesis = render_genesis(&template, &options()).unwrap();
    assert!(genesis.modules.iter().any(|m| m == "contracts"), "{:?}", genesis.modules);
    assert_eq!(genesis.params.native_denom.as_str(), "ugas");

    let oracle = builtin_template("oracle").unwrap();
    assert!(oracle.is_available());
    let genesis = render_genesis(&oracle, &options()).unwrap();
    assert_eq!(genesis.modules.iter().filter(|m| *m == "oracle").count(), 1, "listed once: {:?}", genesis.modules);
}

/// A template can start its chain with contracts: its `[contracts]`
/// section is the genesis's, and it needs the contracts module.
#[test]
fn a_contracts_section_reaches_the_genesis_and_needs_its_module() {
    let owner = options().owner.to_string();
    let text = format!(
        r#"
name = "with-code"
description = "a chain that starts with a contract"
modules = ["contracts"]

[token]
name = "Gas"
symbol = "GAS"
decimals = 6
denom = "ugas"
supply = "1_000_000"

[contracts]
upload = {{ addresses = ["{owner}"] }}

[[contracts.codes]]
wasm = "0061736d01000000"
instantiate = "governance"
"#
    );
    let template = Template::parse(&text).unwrap();
    let genesis = render_genesis(&template, &options()).unwrap();
    assert_eq!(genesis.contracts.codes.len(), 1);
    assert_eq!(genesis.contracts.codes[0].wasm, vec![0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    assert_eq!(genesis.contracts.codes[0].instantiate, tributary_types::contracts::AccessRule::Governance);
    assert_eq!(genesis.contracts.upload, tributary_types::contracts::AccessRule::Addresses(vec![options().owner]));
    let without = text.replace(r#"modules = ["contracts"]"#, "modules = []");
    let error = Template::parse(&without).unwrap_err();
    assert_eq!(error.field(), Some("contracts"), "{error}");
}

#[test]
fn user_template_renders_holders_params_and_consensus() {
    let template = Template::parse(&user_template()).unwrap();
    let mut options = options();
    options.extra_accounts = BTreeMap::from([("treasury".to_string(), address(5))]);
    let genesis = render_genesis(&template, &options).unwrap();
    let held: Vec<(Address, u128)> = genesis.accounts.iter().map(|a| (a.address, a.balances[0].amount)).collect();
    assert_eq!(held, [(address(9), 600_000), (address(1), 300_000), (address(5), 100_000)]);
    assert_eq!(genesis.params.min_fee, 5);
    assert_eq!(genesis.params.max_block_txs, 2000);
    assert_eq!(genesis.params.max_tx_bytes, tributary_types::Params::default().max_tx_bytes);
    assert_eq!(genesis.consensus.committers, 4);
    assert_eq!(genesis.consensus.timeout_propose_ms, 2000);
    assert_eq!(genesis.consensus.endorsers, tributary_types::ConsensusGenesis::default().endorsers);
    assert_eq!(genesis.token.name, "Acme Token");
    assert_eq!(genesis.modules, ["committee", "assets", "polls", "ibc", "transfer", "oracle"]);
}

#[test]
fn named_holders_need_an_address_and_accounts_must_be_distinct() {
    let template = Template::parse(&user_template()).unwrap();
    let error = render_genesis(&template, &options()).unwrap_err();
    assert_eq!(error.field(), Some("token.holders[2]"));
    assert_mentions(&error, &["\"treasury\"", "--account treasury=trib1"]);

    let mut same = options();
    same.extra_accounts.insert("treasury".into(), address(9));
    assert_mentions(&render_genesis(&template, &same).unwrap_err(), &["token.holders[2]", "merge"]);

    let mut owner = options();
    owner.extra_accounts.insert("owner".into(), address(5));
    assert_eq!(render_genesis(&template, &owner).unwrap_err().field(), Some("extra_accounts"));
}

#[test]
fn unknown_fields_are_named_with_their_line() {
    let text = user_template().replace("decimals = 8", "decimals = 8\ncolour = \"red\"");
    assert_mentions(&refused(&text), &["unknown field `colour`", "line 9"]);
    let text = user_template().replace("[params]", "[params]\nmax_gas = 1");
    assert_mentions(&refused(&text), &["unknown field `max_gas`"]);
    let text = format!("{}\nextra = 1\n", user_template().replace("name = \"acme\"", "name = \"acme\"\nstray = 1"));
    assert_mentions(&refused(&text), &["unknown field `stray`", "line 2"]);
}

#[test]
fn bad_denoms_addresses_and_amounts_are_refused_when_parsing() {
    let error = refused(&user_template().replace("denom = \"uacme\"", "denom = \"UACME\""));
    assert_mentions(&error, &["invalid denom \"UACME\"", "line 9"]);
    let error = refused(&user_template().replace("denom = \"uacme\"", "denom = \"transfer/channel-0/uatom\""));
    assert_eq!(error.field(), Some("token.denom"));
    assert_mentions(&error, &["line 9", "from other chains"]);
    let error = refused(&user_template().replace("supply = \"1_000_000\"", "supply = \"1.5\""));
    assert_mentions(&error, &["invalid amount \"1.5\"", "line 10"]);
    let error = refused(&user_template().replace("amount = 100000", "amount = -1"));
    assert_mentions(&error, &["cannot be negative"]);
    let error = refused(&user_template().replace(&address(9).to_string(), "trib1notanaddress"));
    assert_mentions(&error, &["invalid address", "line 13"]);
}

#[test]
fn holders_must_add_up_to_the_supply() {
    let error = refused(&user_template().replace("amount = \"600_000\"", "amount = \"500_000\""));
    assert_eq!(error.field(), Some("token.holders"));
    assert_mentions(&error, &["add up to 900000", "token.supply is 1000000", "line 12"]);

    let both = user_template().replace("name = \"owner\"", &format!("name = \"owner\"\naddress = \"{}\"", address(2)));
    assert_mentions(&refused(&both), &["token.holders[1]", "exactly one of"]);
    let twice = user_template().replace("name = \"treasury\"", "name = \"owner\"");
    assert_mentions(&refused(&twice), &["token.holders[2]", "listed twice"]);
    let zero = user_template()
        .replace("amount = \"600_000\"", "amount = \"700_000\"")
        .replace("amount = 100000", "amount = \"0\"");
    assert_mentions(&refused(&zero), &["token.holders[2].amount", "greater than zero"]);
}

#[test]
fn modules_must_be_known_once_and_never_staking() {
    let error = refused(&user_template().replace("\"assets\", \"polls\"", "\"assets\", \"lottery\""));
    assert_eq!(error.field(), Some("modules[1]"));
    assert_mentions(
        &error,
        &["unknown module \"lottery\"", "assets, polls, messages, private, identity, contracts, oracle", "line 3"],
    );

    let error = refused(&user_template().replace("\"assets\", \"polls\"", "\"assets\",\n  \"polls\",\n  \"assets\""));
    assert_mentions(&error, &["modules[2]", "listed twice", "line 5"]);

    let error = refused(&user_template().replace("\"assets\", \"polls\"", "\"staking\""));
    assert_mentions(&error, &["modules[0]", "no staking module", "hub validators"]);
    let error = refused(&user_template().replace("\"assets\", \"polls\"", "\"bank\""));
    assert_mentions(&error, &["bank is always on"]);
}

#[test]
fn token_limits_are_enforced() {
    let error = refused(&user_template().replace("decimals = 8", "decimals = 19"));
    assert_eq!(error.field(), Some("token.decimals"));
    assert_mentions(&error, &["is 19; at most 18", "line 8"]);
    assert_mentions(&refused(&user_template().replace("decimals = 8", "decimals = 300")), &["u8", "line 8"]);

    let zero = r#"name = "z"
description = "zero"
[token]
name = "Z"
symbol = "Z"
decimals = 0
denom = "z"
supply = "0"
"#;
    let error = refused(zero);
    assert_eq!(error.field(), Some("token.supply"));
    assert_mentions(&error, &["greater than zero", "line 8"]);

    assert_mentions(&refused(&user_template().replace("\"ACME\"", "\"acme\"")), &["token.symbol", "A-Z"]);
    assert_mentions(&refused(&user_template().replace("\"acme\"\n", "\"Acme Chain\"\n")), &["`name`", "a-z"]);
}

#[test]
fn sizes_and_list_lengths_are_bounded() {
    let huge = format!("# {}\n{}", "x".repeat(TEMPLATE_BYTES_MAX), user_template());
    assert!(matches!(refused(&huge), TemplateError::TooLarge { .. }));

    let mut template = Template::parse(&user_template()).unwrap();
    template.token.holders =
        (0..=HOLDERS_MAX).map(|i| Holder { address: None, name: Some(format!("h{i}")), amount: 1 }).collect();
    template.token.supply = HOLDERS_MAX as u128 + 1;
    assert_mentions(&template.validate().unwrap_err(), &["token.holders", "at most 1000"]);
    template.token.holders.pop();
    template.token.supply -= 1;
    template.validate().unwrap();

    let mut template = Template::parse(&user_template()).unwrap();
    template.params.max_tx_bytes = Some(100);
    assert_eq!(template.validate().unwrap_err().field(), Some("params.max_tx_bytes"));
    let mut template = Template::parse(&user_template()).unwrap();
    template.consensus.committers = Some(0);
    assert_eq!(template.validate().unwrap_err().field(), Some("consensus.committers"));
}

#[test]
fn module_params_are_checked_per_module() {
    let with = |table: &str| format!("{}\n{table}\n", user_template());
    Template::parse(&with("[module_params.polls]\nmax_options = 8")).unwrap();
    assert_mentions(&refused(&with("[module_params.polls]\nmax_choices = 8")), &["unknown field `max_choices`"]);
    assert_mentions(&refused(&with("[module_params.staking]\nx = 1")), &["unknown field `staking`"]);
    assert_mentions(
        &refused(&with("[module_params.polls]\nmax_options = 1")),
        &["module_params.polls.max_options", "use 2 to 64"],
    );
    assert_mentions(
        &refused(&with("[module_params.messages]\nmax_body_bytes = 100")),
        &["module_params.messages", "not in `modules`"],
    );
    // Valid, but the genesis format cannot carry them yet: rendering says so.
    let template = Template::parse(&with("[module_params.polls]\nmax_options = 8")).unwrap();
    let mut options = options();
    options.extra_accounts.insert("treasury".into(), address(5));
    assert_mentions(&render_genesis(&template, &options).unwrap_err(), &["module_params", "no place"]);
}

#[test]
fn rendered_genesis_round_trips_and_its_hash_is_stable() {
    let template = Template::parse(&user_template()).unwrap();
    let mut options = options();
    options.extra_accounts.insert("treasury".into(), address(5));
    options.validators = vec![validator(3)];
    let genesis = render_genesis(&template, &options).unwrap();
    let json = serde_json::to_string(&genesis).unwrap();
    let back: Genesis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, genesis);
    assert_eq!(back.hash(), genesis.hash());
    // Same inputs, same hash: the hub can check a spawn's genesis hash.
    assert_eq!(render_genesis(&template, &options).unwrap().hash(), genesis.hash());
    // Any changed input changes it.
    let mut later = options.clone();
    later.genesis_time_ms += 1;
    assert_ne!(render_genesis(&template, &later).unwrap().hash(), genesis.hash());
    let mut other_chain = options.clone();
    other_chain.chain_id = ChainId::new("acme-2").unwrap();
    assert_ne!(render_genesis(&template, &other_chain).unwrap().hash(), genesis.hash());
    let mut fee = template.clone();
    fee.params.min_fee = Some(6);
    assert_ne!(render_genesis(&fee, &options).unwrap().hash(), genesis.hash());
}

#[test]
fn templates_round_trip_through_json() {
    for template in builtin_templates() {
        let json = serde_json::to_string(&template).unwrap();
        assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), template);
    }
    let template = Template::parse(&user_template()).unwrap();
    let json = serde_json::to_value(&template).unwrap();
    assert_eq!(json["token"]["supply"], "1000000", "amounts are strings in JSON");
    assert_eq!(serde_json::from_value::<Template>(json).unwrap(), template);
}

#[test]
fn the_readme_example_is_a_valid_template() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let template = Template::parse(&example.replace("trib1…", &address(9).to_string())).unwrap();
    assert_eq!(template.token.holders.len(), 2);
    assert_eq!(template.module_params.polls.as_ref().unwrap().max_options, Some(8));
}

/// Rendering for a hub: the hub's consensus parameters and trust root go in
/// as they are, and a template that would override the hub's consensus
/// parameters is refused (the hub decides them; it refuses such a genesis too).
#[test]
fn rendering_for_a_hub_takes_its_consensus_and_trust_root_and_refuses_overrides() {
    let hub_consensus = tributary_types::ConsensusGenesis { committers: 9, ..Default::default() };
    let trust = tributary_types::HubTrust {
        chain_id: ChainId::new("hub").unwrap(),
        consensus: hub_consensus.clone(),
        height: 7,
        time_ms: 1_700_000_000_000,
        validators: vec![validator(3)],
        trusting_period_ms: 1_000,
        max_clock_drift_ms: 10,
    };
    let mut options = options();
    options.validators = vec![validator(3)];
    options.consensus = Some(hub_consensus.clone());
    options.hub = Some(trust.clone());
    let genesis = render_genesis(&builtin_template("token").unwrap(), &options).unwrap();
    assert_eq!(genesis.consensus, hub_consensus);
    assert_eq!(genesis.hub, Some(trust));

    let template = Template::parse(&user_template()).unwrap();
    assert!(!template.consensus.is_empty(), "the user template overrides consensus");
    let err = render_genesis(&template, &options).unwrap_err();
    assert_eq!(err.field(), Some("consensus"), "{err}");
    assert!(err.to_string().contains("hub's consensus parameters"), "{err}");
}

#[test]
fn consortium_renders_a_permissioned_chain_whose_owner_is_admin_and_member() {
    use tributary_types::access::{RoleGrant, ADMIN_ROLE};
    let template = builtin_template("consortium").unwrap();
    let options = options();
    let genesis = render_genesis(&template, &options).unwrap();
    assert!(genesis.modules.iter().any(|m| m == "access"), "{:?}", genesis.modules);
    assert_eq!(genesis.access.policy.role_for("transfer"), Some("member"));
    assert_eq!(genesis.access.policy.role_for("ibc"), None);
    assert_eq!(
        genesis.access.grants,
        vec![
            RoleGrant { role: ADMIN_ROLE.into(), address: options.owner },
            RoleGrant { role: "member".into(), address: options.owner },
        ]
    );
}

#[test]
fn an_access_section_names_its_mistakes() {
    let base = builtin_source("consortium").unwrap();
    let typo = base.replace("kind = \"ibc\"", "kind = \"ibcc\"");
    let err = Template::parse(&typo).unwrap_err().to_string();
    assert!(err.contains("no transaction kind \"ibcc\""), "{err}");
    let no_default = base.replace("default_role = \"member\"\n", "");
    let err = Template::parse(&no_default).unwrap_err().to_string();
    assert!(err.contains("members hold default_role"), "{err}");
    let listed = base.replace(
        "modules = [\"assets\", \"messages\", \"private\", \"identity\"]",
        "modules = [\"assets\", \"access\"]",
    );
    let err = Template::parse(&listed).unwrap_err().to_string();
    assert!(err.contains("[access] section"), "{err}");
    let stranger = base.replace("members = [\"owner\"]", "members = [\"owner\", \"carol\"]");
    let err = render_genesis(&Template::parse(&stranger).unwrap(), &options()).unwrap_err().to_string();
    assert!(err.contains("--account carol=trib1"), "{err}");
}
