//! Problems found in a schema or in operation documents, in a form a person can act on.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem: where it is (file, line, column, the operation or fragment) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    file: Option<PathBuf>,
    definition: Option<String>,
    line_column: Option<(usize, usize)>,
    message: String,
    report: Option<String>,
}

impl Diagnostic {
    /// A problem with `message`, not yet tied to a file.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            file: None,
            definition: None,
            line_column: None,
            message: message.into(),
            report: None,
        }
    }

    /// Ties the problem to a file.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Names the definition the problem is in, for example ``operation `ListApiKeys` ``.
    #[must_use]
    pub fn in_definition(mut self, definition: impl Into<String>) -> Self {
        self.definition = Some(definition.into());
        self
    }

    /// Sets the 1-based line and column.
    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line_column = Some((line, column));
        self
    }

    /// Attaches a longer report (for example apollo-compiler's excerpt of the source).
    #[must_use]
    pub fn with_report(mut self, report: impl Into<String>) -> Self {
        let report = report.into();
        if !report.trim().is_empty() {
            self.report = Some(report);
        }
        self
    }

    /// The file the problem is in, if known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The definition the problem is in, for example ``operation `ListApiKeys` ``.
    pub fn definition(&self) -> Option<&str> {
        self.definition.as_deref()
    }

    /// The 1-based line and column, if known.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.line_column
    }

    /// The one-line description of the problem.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error")?;
        if let Some(file) = &self.file {
            write!(f, " in {}", file.display())?;
            if let Some((line, column)) = self.line_column {
                write!(f, ":{line}:{column}")?;
            }
        }
        if let Some(definition) = &self.definition {
            write!(f, " ({definition})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(report) = &self.report {
            for line in report.trim_end().lines() {
                write!(f, "\n    {line}")?;
            }
        }
        Ok(())
    }
}

/// A non-empty list of [`Diagnostic`]s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds every problem of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether there is no problem.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The problems, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// `Ok(())` when empty, `Err(self)` otherwise.
    pub fn into_result(self) -> Result<(), Diagnostics> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self {
            items: vec![diagnostic],
        }
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.items.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
