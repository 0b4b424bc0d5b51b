//! The web explorer: `GET /explorer` (one HTML page) and the JavaScript
//! modules it imports, `GET /explorer/NAME.js`, compiled into the binary
//! from `gateway/explorer/`. The page reads this gateway's own GraphQL
//! (`/graphql`, `/graphql/ws`) and loads nothing from anywhere else: no
//! build step, no CDN, and a Content-Security-Policy that lets the browser
//! refuse anything that tried.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The page at `/explorer`.
pub const INDEX: &str = include_str!("../explorer/index.html");

/// The modules at `/explorer/NAME`, by name.
pub const MODULES: [(&str, &str); 5] = [
    ("app.js", include_str!("../explorer/app.js")),
    ("dom.js", include_str!("../explorer/dom.js")),
    ("graphql.js", include_str!("../explorer/graphql.js")),
    ("map.js", include_str!("../explorer/map.js")),
    ("charts.js", include_str!("../explorer/charts.js")),
];

/// Scripts and everything else from this origin only; styles inline (the
/// page's own stylesheet and the colours it sets on elements); images only
/// as data (the favicon).
const POLICY: &str = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; \
                      img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX,
    )
        .into_response()
}

pub async fn module(Path(name): Path<String>) -> Response {
    match MODULES.iter().find(|(n, _)| *n == name) {
        Some((_, source)) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, POLICY),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *source,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("the explorer has no file {name:?}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `/explorer/…` path the page and its modules name (`src="…"`, `from '…'`).
    fn imports(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for quote in ['\'', '"'] {
            let needle = format!("{quote}/explorer/");
            let mut rest = source;
            while let Some(at) = rest.find(&needle) {
                let tail = &rest[at + 1..];
                let end = tail.find(quote).unwrap_or(tail.len());
                out.push(tail[..end].to_string());
                rest = &tail[end..];
            }
        }
        out
    }

    #[test]
    fn every_module_the_page_imports_is_served_and_none_is_unused() {
        let served: Vec<&str> = MODULES.iter().map(|(n, _)| *n).collect();
        let mut named = std::collections::BTreeSet::new();
        for source in std::iter::once(INDEX).chain(MODULES.iter().map(|(_, s)| *s)) {
            for path in imports(source) {
                let name = path.trim_start_matches("/explorer/");
                if name.ends_with(".js") {
                    assert!(served.contains(&name), "{path} is imported but not served");
                    named.insert(name.to_string());
                }
            }
        }
        for name in served {
            assert!(named.contains(name), "{name} is served but nothing imports it");
        }
    }

    #[test]
    fn the_page_loads_nothing_from_another_origin() {
        for (name, source) in std::iter::once(("index.html", INDEX)).chain(MODULES) {
            for (i, line) in source.lines().enumerate() {
                // The SVG namespace is a name, not a fetch.
                let line = line.replace("http://www.w3.org/2000/svg", "");
                for scheme in ["http://", "https://", "src=\"//", "from '//", "@import"] {
                    assert!(!line.contains(scheme), "{name}:{} names {scheme}: {line}", i + 1);
                }
            }
        }
    }
}
