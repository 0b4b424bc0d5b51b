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

use crate::directory::{Caller, ChainEntry, RequestLoader};
use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, OutputType, Positioned, SelectionField, ServerError, ServerResult,
    Value,
};
use std::borrow::Cow;
use std::fmt::Write;
use std::marker::PhantomData;

/// The node's types the gateway re-exposes.
pub trait NodeTypes: Send + Sync + 'static {
    /// The node's query root: every field of `chain(id:)`.
    type Query: OutputType + 'static;
    /// The block a node's `newBlocks` subscription streams.
    type LiveBlock: OutputType + 'static;
}

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

/// Fields whose non-null answers never change: a committed block or
/// transaction, and a light-client update (all fixed once the height is
/// final: VBFT blocks are final when committed).
fn immutable_field(name: &str, has_height: bool) -> fn(&serde_json::Value) -> bool {
    fn all_present(v: &serde_json::Value) -> bool {
        v.as_object().is_some_and(|o| !o.is_empty() && o.values().all(|x| !x.is_null()))
    }
    fn never(_: &serde_json::Value) -> bool {
        false
    }
    match name {
        "block" | "tx" | "lightClientUpdate" => all_present,
        "state" | "oracleHistory" if has_height => all_present,
        _ => never,
    }
}

/// Answer the current field by asking `chain` for it.
pub async fn forward_field(ctx: &Context<'_>, chain: &ChainEntry) -> ServerResult<Value> {
    let field = ctx.field();
    let response_key = field.alias().unwrap_or(field.name()).to_string();
    let mut query = String::from("{ ");
    render_field(&field, &mut query)?;
    query.push_str(" }");
    let has_height = field.arguments()?.iter().any(|(name, v)| name.as_str() == "height" && *v != Value::Null);
    let caller = ctx.data_unchecked::<Caller>();
    let answer = caller
        .load(ctx.data_opt::<RequestLoader>(), chain, query, immutable_field(field.name(), has_height))
        .await
        .map_err(|e| e.to_graphql().into_server_error(ctx.item.pos))?;
    let value = answer.get(&response_key).cloned().unwrap_or(serde_json::Value::Null);
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
    async fn status(&self, ctx: &Context<'_>) -> crate::query::ChainStatusView {
        crate::query::status(ctx.data_unchecked::<Caller>(), self.entry.clone()).await
    }
}

const OWN_FIELDS: [&str; 5] = ["id", "kind", "template", "graphql", "status"];

/// One chain through the gateway: its own fields plus all of the node's.
pub struct GatewayChain<N> {
    own: ChainOwn,
    _node: PhantomData<fn() -> N>,
}

impl<N> GatewayChain<N> {
    pub fn new(entry: ChainEntry) -> Self {
        GatewayChain { own: ChainOwn { entry }, _node: PhantomData }
    }
}

impl<N: NodeTypes> OutputType for GatewayChain<N> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("Chain")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Object, |registry| {
            let own = <ChainOwn as OutputType>::create_type_info(registry);
            N::Query::create_type_info(registry);
            let mut fields = async_graphql::indexmap::IndexMap::new();
            for name in [own.trim_end_matches('!').to_string(), N::Query::type_name().to_string()] {
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
        _field: &Positioned<async_graphql::parser::types::Field>,
    ) -> ServerResult<Value> {
        async_graphql::resolver_utils::resolve_container(ctx, self).await
    }
}

impl<N: NodeTypes> ContainerType for GatewayChain<N> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        if OWN_FIELDS.contains(&ctx.item.node.name.node.as_str()) {
            return self.own.resolve_field(ctx).await;
        }
        forward_field(ctx, &self.own.entry).await.map(Some)
    }
}

/// A value of the node's type `T` that was already fetched with the
/// client's selection (a subscription's item).
pub struct Prefetched<T> {
    value: Value,
    _type: PhantomData<fn() -> T>,
}

impl<T> Prefetched<T> {
    pub fn new(value: Value) -> Self {
        Prefetched { value, _type: PhantomData }
    }
}

impl<T: OutputType> OutputType for Prefetched<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<async_graphql::parser::types::Field>,
    ) -> ServerResult<Value> {
        Ok(self.value.clone())
    }
}
