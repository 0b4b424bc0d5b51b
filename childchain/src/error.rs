//! Why a template or a rendering was refused. Every message names the field
//! (and, for parsed text, the line) and says how to fix it.

pub type Result<T, E = TemplateError> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("template is {len} bytes, over the limit of {max}; a template is a short recipe, not a data file")]
    TooLarge { len: usize, max: usize },
    /// The text is not a template: toml's message, which names the line,
    /// column and field (e.g. an unknown field, a denom that is not valid).
    #[error("{message}")]
    Syntax { message: String },
    /// A value parsed but breaks a rule.
    #[error("{}", invalid_message(field, *line, reason))]
    Invalid { field: String, line: Option<usize>, reason: String },
    /// The template declares a module that this release cannot run.
    #[error(
        "module {module} is not available yet (template {template}): {note}; \
         a chain spawned from it could not run, so no genesis is rendered"
    )]
    ModuleNotAvailable { template: String, module: String, note: String },
}

fn invalid_message(field: &str, line: Option<usize>, reason: &str) -> String {
    match line {
        Some(line) => format!("invalid `{field}` at line {line}: {reason}"),
        None => format!("invalid `{field}`: {reason}"),
    }
}

impl TemplateError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        TemplateError::Invalid { field: field.into(), line: None, reason: reason.into() }
    }

    /// The field this error is about, if it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            TemplateError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
