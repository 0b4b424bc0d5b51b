//! `interop-spec/schema/` holds the SDL of the node's and the gateway's
//! GraphQL schemas, for codegen and for readers. This fails when the code's
//! schemas drift from the files; regenerate on purpose with
//! `TRIBUTARY_WRITE_SCHEMA=1 cargo test -p tributary-gateway --test exported_schemas`,
//! then `npm run gen:types` in sdk-ts (its types are generated from these
//! files, and its own test fails until they are).

use std::sync::Arc;
use tributary_api::{MutationRoot, QueryRoot, SubscriptionRoot};

#[test]
fn the_exported_schemas_are_the_served_ones() {
    let node = async_graphql::Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot).finish().sdl();
    let gateway = tributary_gateway::schema(
        Arc::new(tributary_gateway::directory::Directory::default()),
        tributary_gateway::Config::default(),
    )
    .sdl();
    // At run time, not build time: clones may share one target directory.
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let dir = std::path::Path::new(&crate_dir).join("../interop-spec/schema");
    for (name, sdl) in [("node.graphql", node), ("gateway.graphql", gateway)] {
        let path = dir.join(name);
        if std::env::var_os("TRIBUTARY_WRITE_SCHEMA").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &sdl).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == sdl,
            "{} differs from the schema the code serves; if the change is deliberate, run \
             TRIBUTARY_WRITE_SCHEMA=1 cargo test -p tributary-gateway --test exported_schemas, \
             then (cd sdk-ts && npm run gen:types)",
            path.display()
        );
    }
}
