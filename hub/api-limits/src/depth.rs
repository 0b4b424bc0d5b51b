//! Query depth, with room for introspection.
//!
//! The standard introspection query that GraphiQL's docs, codegen tools and
//! IDE plugins send (graphql-js's `getIntrospectionQuery()`) nests
//! `ofType { ofType { … } }` deeper than any data query needs, so one depth
//! limit for everything either refuses the tools or lets data queries nest
//! as deep as introspection. Both the nodes and the gateway therefore check
//! depth here, before execution: fields under `__schema` or `__type` may nest
//! to `max_introspection_depth`, every other field to `max_depth`. The
//! schema itself keeps `limit_depth(max_introspection_depth)` as the bound
//! for paths that do not pass through this check (WebSocket subscriptions).
//! Introspection answers come from the schema alone, so depth there costs
//! only the bytes of the answer, which complexity and the body limit bound.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Most nested fragment spreads followed (fragment cycles are invalid
/// GraphQL; the schema's validation reports them, this only stops the walk).
const FRAGMENT_NESTING_MAX: usize = 64;

/// Why `query` is too deep, if it is. A query that does not parse passes:
/// the schema reports the syntax error with its position.
pub fn depth_error(query: &str, max_depth: usize, max_introspection_depth: usize) -> Option<String> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    document_depth_error(&document, max_depth, max_introspection_depth)
}

/// Why `request` is too deep, if it is. Parses the query once, into the
/// request, so execution does not parse it again.
pub fn request_depth_error(
    request: &mut async_graphql::Request,
    max_depth: usize,
    max_introspection_depth: usize,
) -> Option<String> {
    let document = request.parsed_query().ok()?;
    document_depth_error(document, max_depth, max_introspection_depth)
}

/// [`depth_error`] of a parsed document.
pub fn document_depth_error(
    document: &ExecutableDocument,
    max_depth: usize,
    max_introspection_depth: usize,
) -> Option<String> {
    let limits = Limits { max_depth, max_introspection_depth };
    for (_, operation) in document.operations.iter() {
        let mut fragments = Vec::new();
        if let Err(e) = walk(document, &operation.node.selection_set.node, 1, false, &limits, &mut fragments) {
            return Some(e);
        }
    }
    None
}

struct Limits {
    max_depth: usize,
    max_introspection_depth: usize,
}

fn walk<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    depth: usize,
    introspection: bool,
    limits: &Limits,
    fragments: &mut Vec<&'d str>,
) -> Result<(), String> {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                let introspection = introspection || name == "__schema" || name == "__type";
                let limit = if introspection { limits.max_introspection_depth } else { limits.max_depth };
                if depth > limit {
                    return Err(format!(
                        "the query nests {name} {depth} fields deep; at most {limit} are allowed{}",
                        if introspection { " under __schema and __type" } else { "" }
                    ));
                }
                walk(document, &field.node.selection_set.node, depth + 1, introspection, limits, fragments)?;
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if fragments.contains(&name) || fragments.len() >= FRAGMENT_NESTING_MAX {
                    continue;
                }
                if let Some((_, fragment)) = document.fragments.iter().find(|(n, _)| n.as_str() == name) {
                    fragments.push(name);
                    walk(document, &fragment.node.selection_set.node, depth, introspection, limits, fragments)?;
                    fragments.pop();
                }
            }
            Selection::InlineFragment(inline) => {
                walk(document, &inline.node.selection_set.node, depth, introspection, limits, fragments)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(field: &str, levels: usize) -> String {
        let mut q = String::from("{ ");
        for _ in 0..levels - 1 {
            q.push_str(field);
            q.push_str(" { ");
        }
        q.push_str("leaf");
        for _ in 0..levels {
            q.push_str(" }");
        }
        q
    }

    #[test]
    fn data_queries_are_held_to_max_depth_and_introspection_to_its_own() {
        assert_eq!(depth_error(&nested("a", 12), 12, 32), None);
        let deep = depth_error(&nested("a", 13), 12, 32).unwrap();
        assert!(deep.contains("13 fields deep; at most 12"), "{deep}");
        let under_schema = |n: usize| format!("{{ __schema {{ {}leaf{} }} }}", "ofType { ".repeat(n), " }".repeat(n));
        // graphql-js's introspection query nests about 14; allowed under __schema.
        assert_eq!(depth_error(&under_schema(20), 12, 32), None);
        assert!(depth_error(&under_schema(40), 12, 32).unwrap().contains("under __schema"));
        // A data field beside introspection keeps the data limit.
        let mixed = format!("{{ __typename {}leaf{} }}", "a { ".repeat(13), " }".repeat(13));
        assert!(depth_error(&mixed, 12, 32).is_some());
    }

    #[test]
    fn fragments_count_where_they_are_spread_and_cycles_do_not_hang() {
        let q = "query { a { ...F } } fragment F on T { b { c { d } } }";
        assert_eq!(depth_error(q, 4, 32), None);
        assert!(depth_error(q, 3, 32).is_some());
        let inline = "{ a { ... on T { b { c } } } }";
        assert!(depth_error(inline, 2, 32).is_some());
        let cycle = "query { a { ...F } } fragment F on T { b { ...F } }";
        assert_eq!(depth_error(cycle, 12, 32), None, "the schema's validation reports the cycle");
        assert_eq!(depth_error("{ not graphql", 1, 1), None, "the schema reports syntax errors");
    }
}
