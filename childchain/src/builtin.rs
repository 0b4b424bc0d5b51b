//! The templates shipped in the `childchain` binary. Their TOML lives in
//! `childchain/templates/` and is compiled in, so `childchain template show`
//! prints exactly the text a user would copy and edit.

use crate::template::Template;

/// (name, TOML) of every built-in template, in listing order.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("token", include_str!("../templates/token.toml")),
    ("community", include_str!("../templates/community.toml")),
    ("contracts", include_str!("../templates/contracts.toml")),
    ("oracle", include_str!("../templates/oracle.toml")),
    ("consortium", include_str!("../templates/consortium.toml")),
];

/// The TOML text of the built-in template `name`.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN_SOURCES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The built-in template `name`, parsed.
pub fn builtin_template(name: &str) -> Option<Template> {
    builtin_source(name).map(|text| parse_builtin(name, text))
}

/// Every built-in template, parsed, in listing order.
pub fn builtin_templates() -> Vec<Template> {
    BUILTIN_SOURCES.iter().map(|(name, text)| parse_builtin(name, text)).collect()
}

/// The names of the built-in templates, for error messages.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN_SOURCES.iter().map(|(name, _)| *name).collect()
}

/// A built-in template that does not parse is a bug in this crate (its tests
/// parse every one), not bad input: crash with the reason.
fn parse_builtin(name: &str, text: &str) -> Template {
    match Template::parse(text) {
        Ok(template) => template,
        Err(error) => panic!("built-in template {name} is broken: {error}"),
    }
}
