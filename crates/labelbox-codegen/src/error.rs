//! The error of a generation run.

use std::fmt;
use std::path::PathBuf;

use crate::Diagnostics;

/// Why generating the operation modules failed.
///
/// Display gives the whole story (file, line, operation, the bad name); it is meant to be
/// printed as is by a build script.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodegenError {
    /// The schema or an operation document is invalid, cannot be read, or cannot be turned into
    /// Rust (each [`Diagnostic`](crate::Diagnostic) names the file and the operation).
    Invalid(Diagnostics),
    /// The generated code could not be written.
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl CodegenError {
    /// The diagnostics, when the inputs were at fault.
    pub fn diagnostics(&self) -> Option<&Diagnostics> {
        match self {
            CodegenError::Invalid(diagnostics) => Some(diagnostics),
            CodegenError::Write { .. } => None,
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Invalid(diagnostics) => {
                let count = diagnostics.len();
                writeln!(
                    f,
                    "GraphQL operations failed to check against the schema ({count} problem{}):",
                    if count == 1 { "" } else { "s" }
                )?;
                write!(f, "{diagnostics}")
            }
            CodegenError::Write { path, .. } => {
                write!(f, "cannot write generated code to {}", path.display())
            }
        }
    }
}

impl std::error::Error for CodegenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodegenError::Invalid(_) => None,
            CodegenError::Write { source, .. } => Some(source),
        }
    }
}

impl From<Diagnostics> for CodegenError {
    fn from(diagnostics: Diagnostics) -> Self {
        CodegenError::Invalid(diagnostics)
    }
}

impl From<crate::Diagnostic> for CodegenError {
    fn from(diagnostic: crate::Diagnostic) -> Self {
        CodegenError::Invalid(diagnostic.into())
    }
}
