//! Schema stitching: `chain(id:)` offers every field of the node's own
//! query type, typed exactly as the node types it, and answers each by
//! forwarding the client's own selection to that chain's node.
//!
//! Why forward rather than re-declare: the gateway's types for one chain
//! are the node's types (registered from the node's Rust types at schema
//! build), so the two can never drift apart, and anything added to the node
//! API appears under `chain(id:)` with no gateway change. The selection is
//! rendered back to GraphQL text with the client's variables filled in and
//! its aliases kept, so the node's `data` has exactly the shape the gateway
//! promised. Fragments are inlined (the node schema has no interfaces or
//! unions, so a fragment's type condition adds nothing).

use crate::directory::{Caller, ChainEntry, ChainError};
use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, OutputType, Positioned, SelectionField, ServerError, ServerResult,
    Value,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// Append `field` as GraphQL text: `alias: name(args) @directives { … }`.
pub fn render_field(field: &SelectionField<'_>, out: &mut String) -> ServerResult<()> {
    if let Some(alias) = field.alias() {
        let _ = write!(out, "{alias}: ");
    }
    out.push_str(field.name());
    let arguments = field.arguments()?;
    if !arguments.is_empty() {
        out.push('(');
        for (i, (name, value)) in arguments.iter().enumerate() {
            let _ = write!(out, "{}{name}: {value}", if i > 0 { ", " } else { "" });
        }
        out.push(')');
    }
    for directive in field.directives()? {
        let _ = write!(out, " @{}", directive.name.node);
        if !directive.arguments.is_empty() {
            out.push('(');
            for (i, (name, value)) in directive.arguments.iter().enumerate() {
                let _ = write!(out, "{}{}: {}", if i > 0 { ", " } else { "" }, name.node, value.node);
            }
            out.push(')');
        }
    }
    render_selection(field, out)
}

/// Append `field`'s selection set (` { … }`), if it has one.
pub fn render_selection(field: &SelectionField<'_>, out: &mut String) -> ServerResult<()> {
    let mut children = field.selection_set().peekable();
    if children.peek().is_some() {
        out.push_str(" {");
        for child in children {
            out.push(' ');
            render_field(&child, out)?;
        }
        out.push_str(" }");
    }
    Ok(())
}

/// Whether a field's non-null answer can never change: a committed block
/// or transaction, a light-client update, state at an explicit height (all
/// fixed once the height is final: VBFT blocks are final when committed).
fn immutable_field(field: &SelectionField<'_>) -> ServerResult<bool> {
    let has_height = field.arguments()?.iter().any(|(name, v)| name.as_str() == "height" && *v != Value::Null);
    Ok(match field.name() {
        "block" | "tx" | "lightClientUpdate" => true,
        "state" => has_height,
        _ => false,
    })
}

/// What one chain object's forwarded fields came back as, by response key.
type Fetched = HashMap<String, Result<serde_json::Value, ChainError>>;

/// Ask `chain` for every forwarded field of `selection` in one query (a
/// field the cache holds is not asked again). A field's error stays that
/// field's: the others keep their answers.
async fn fetch_all(ctx: &Context<'_>, chain: &ChainEntry) -> ServerResult<Fetched> {
    let caller = ctx.data_unchecked::<Caller>();
    let mut fetched = Fetched::new();
    let mut asked: Vec<(String, String, bool)> = Vec::new();
    for child in ctx.field().selection_set() {
        if OWN_FIELDS.contains(&child.name()) || child.name().starts_with("__") {
            continue;
        }
        let key = child.alias().unwrap_or(child.name()).to_string();
        let mut text = String::new();
        render_field(&child, &mut text)?;
        match caller.cached(&chain.id, &text) {
            Some(hit) => {
                fetched.insert(key, Ok(hit));
            }
            None => asked.push((key, text, immutable_field(&child)?)),
        }
    }
    if asked.is_empty() {
        return Ok(fetched);
    }
    let query = format!("{{ {} }}", asked.iter().map(|(_, text, _)| text.as_str()).collect::<Vec<_>>().join(" "));
    match caller.ask_partial(chain, &query, serde_json::json!({})).await {
        Ok((data, errors)) => {
            for (key, text, immutable) in asked {
                let error = errors
                    .iter()
                    .find(|(path, _)| path.as_deref() == Some(key.as_str()))
                    .or_else(|| errors.iter().find(|(path, _)| path.is_none()));
                let answer = match error {
                    Some((_, e)) => Err(e.clone()),
                    None => {
                        let value = data.get(&key).cloned().unwrap_or(serde_json::Value::Null);
                        if immutable && !value.is_null() {
                            caller.remember(&chain.id, text, value.clone());
                        }
                        Ok(value)
                    }
                };
                fetched.insert(key, answer);
            }
        }
        Err(e) => {
            for (key, _, _) in asked {
                fetched.insert(key, Err(e.clone()));
            }
        }
    }
    Ok(fetched)
}

/// The current field's answer from what was fetched, in the client's field order.
fn answer_field(ctx: &Context<'_>, chain: &ChainEntry, fetched: &Fetched) -> ServerResult<Value> {
    let field = ctx.field();
    let key = field.alias().unwrap_or(field.name());
    let value = match fetched.get(key) {
        Some(Ok(value)) => value.clone(),
        Some(Err(e)) => return Err(ctx.set_error_path(e.to_graphql().into_server_error(ctx.item.pos))),
        None => serde_json::Value::Null,
    };
    let value =
        Value::from_json(value).map_err(|e| ServerError::new(format!("{}: unreadable answer: {e}", chain.id), None))?;
    Ok(SelectionOrder::of(&field).apply(value))
}

/// The response keys a selection asks for, in order, with theirs: to put
/// a node's answer back in the client's order (the node's JSON arrives
/// through a map that sorts its keys; GraphQL answers in selection order).
#[derive(Clone, Debug, Default)]
pub struct SelectionOrder(Vec<(String, SelectionOrder)>);

impl SelectionOrder {
    /// The order of `field`'s selection set.
    pub fn of(field: &SelectionField<'_>) -> Self {
        SelectionOrder(
            field
                .selection_set()
                .map(|child| (child.alias().unwrap_or(child.name()).to_string(), SelectionOrder::of(&child)))
                .collect(),
        )
    }

    pub fn apply(&self, value: Value) -> Value {
        match value {
            Value::List(items) => Value::List(items.into_iter().map(|item| self.apply(item)).collect()),
            Value::Object(mut object) if !self.0.is_empty() => {
                let mut ordered = async_graphql::indexmap::IndexMap::with_capacity(object.len());
                for (key, inner) in &self.0 {
                    if let Some((name, child)) = object.shift_remove_entry(key.as_str()) {
                        ordered.insert(name, inner.apply(child));
                    }
                }
                // Anything the selection did not name (none expected) keeps its place at the end.
                ordered.extend(object);
                Value::Object(ordered)
            }
            other => other,
        }
    }
}

/// The fields of `chain(id:)` the gateway answers itself.
pub struct ChainOwn {
    pub entry: ChainEntry,
}

#[async_graphql::Object(name = "GatewayChainOwnFields")]
impl ChainOwn {
    /// The chain id.
    async fn id(&self) -> &str {
        &self.entry.id
    }
    /// `hub` or `child`.
    async fn kind(&self) -> &str {
        &self.entry.kind
    }
    /// The template a child chain was spawned from.
    async fn template(&self) -> Option<&str> {
        self.entry.template.as_deref()
    }
    /// The node endpoint the gateway uses for this chain.
    async fn graphql(&self) -> &str {
        &self.entry.graphql
    }
    /// Whether it answers now, and its height.
    async fn status(&self, ctx: &Context<'_>) -> crate::chains::ChainStatusView {
        crate::chains::status(ctx.data_unchecked::<Caller>(), self.entry.clone()).await
    }
}

const OWN_FIELDS: [&str; 5] = ["id", "kind", "template", "graphql", "status"];

/// One chain through the gateway: its own fields plus all of the node's.
/// The node's fields of one `chain(id:)` go to the node as one query.
pub struct GatewayChain {
    own: ChainOwn,
    fetched: OnceLock<Fetched>,
}

impl GatewayChain {
    pub fn new(entry: ChainEntry) -> Self {
        GatewayChain { own: ChainOwn { entry }, fetched: OnceLock::new() }
    }
}

impl OutputType for GatewayChain {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("Chain")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Object, |registry| {
            let own = <ChainOwn as OutputType>::create_type_info(registry);
            tributary_api::QueryRoot::create_type_info(registry);
            let mut fields = async_graphql::indexmap::IndexMap::new();
            for name in [own.trim_end_matches('!').to_string(), tributary_api::QueryRoot::type_name().to_string()] {
                if let Some(MetaType::Object { fields: theirs, .. }) = registry.types.get(&name) {
                    for (key, field) in theirs {
                        fields.entry(key.clone()).or_insert_with(|| field.clone());
                    }
                }
            }
            MetaType::Object {
                name: "Chain".into(),
                description: Some(
                    "One chain through the gateway: `id kind template graphql status`, plus every field of the \
                     chain's own node API, answered by that chain's node."
                        .into(),
                ),
                fields,
                cache_control: Default::default(),
                extends: false,
                shareable: false,
                resolvable: true,
                inaccessible: false,
                interface_object: false,
                tags: vec![],
                keys: None,
                visible: None,
                is_subscription: false,
                rust_typename: Some(std::any::type_name::<Self>()),
                directive_invocations: vec![],
                requires_scopes: vec![],
            }
        })
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<async_graphql::parser::types::Field>,
    ) -> ServerResult<Value> {
        let fetched = fetch_all(&ctx.with_field(field), &self.own.entry).await?;
        let _ = self.fetched.set(fetched);
        async_graphql::resolver_utils::resolve_container(ctx, self).await
    }
}

impl ContainerType for GatewayChain {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        if OWN_FIELDS.contains(&ctx.item.node.name.node.as_str()) {
            return self.own.resolve_field(ctx).await;
        }
        let empty = Fetched::new();
        answer_field(ctx, &self.own.entry, self.fetched.get().unwrap_or(&empty)).map(Some)
    }
}
