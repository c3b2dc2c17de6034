//! Where the schema SDL comes from.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Diagnostic, BUNDLED_SCHEMA, BUNDLED_SCHEMA_PATH};

/// The GraphQL schema operations are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaSource {
    /// The Labelbox schema bundled in this crate ([`BUNDLED_SCHEMA`]).
    Bundled,
    /// An SDL file (`.graphql`, `.graphqls` or `.gql`).
    Path(PathBuf),
    /// SDL text held in memory; `name` is used in diagnostics.
    Sdl {
        /// A name for diagnostics, for example `schema.graphql`.
        name: String,
        /// The SDL text.
        sdl: String,
    },
}

impl SchemaSource {
    /// The SDL text.
    pub(crate) fn text(&self) -> Result<String, Diagnostic> {
        match self {
            SchemaSource::Bundled => Ok(BUNDLED_SCHEMA.to_owned()),
            SchemaSource::Path(path) => std::fs::read_to_string(path).map_err(|error| {
                Diagnostic::new(format!("cannot read the schema: {error}")).in_file(path)
            }),
            SchemaSource::Sdl { sdl, .. } => Ok(sdl.clone()),
        }
    }

    /// The name diagnostics use for the schema.
    pub(crate) fn display_name(&self) -> PathBuf {
        match self {
            SchemaSource::Bundled => {
                let path = PathBuf::from(BUNDLED_SCHEMA_PATH);
                path.canonicalize().unwrap_or(path)
            }
            SchemaSource::Path(path) => path.clone(),
            SchemaSource::Sdl { name, .. } => PathBuf::from(name),
        }
    }

    /// The file to watch for changes, if the schema lives in one.
    pub(crate) fn watched_file(&self) -> Option<PathBuf> {
        match self {
            SchemaSource::Bundled => PathBuf::from(BUNDLED_SCHEMA_PATH).canonicalize().ok(),
            SchemaSource::Path(path) => Some(path.clone()),
            SchemaSource::Sdl { .. } => None,
        }
    }

    /// A file holding exactly `text`, for graphql_client_codegen (which reads schemas from
    /// files and caches them by path for the life of the process, so in-memory SDL is written
    /// to a file named after a hash of its content).
    pub(crate) fn codegen_file(&self, text: &str) -> Result<PathBuf, Diagnostic> {
        if let SchemaSource::Path(path) = self {
            return Ok(path.clone());
        }
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        let dir = std::env::var_os("OUT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
            .join("labelbox-codegen");
        let file = dir.join(format!("schema-{:016x}.graphql", hasher.finish()));
        if std::fs::read_to_string(&file).is_ok_and(|existing| existing == text) {
            return Ok(file);
        }
        write_atomically(&dir, &file, text).map_err(|error| {
            Diagnostic::new(format!("cannot write a copy of the schema: {error}")).in_file(&file)
        })?;
        Ok(file)
    }
}

fn write_atomically(dir: &Path, file: &Path, text: &str) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".{}.{}.{}.tmp",
        file.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("schema"),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, file)
}

impl From<PathBuf> for SchemaSource {
    fn from(path: PathBuf) -> Self {
        SchemaSource::Path(path)
    }
}

impl From<&Path> for SchemaSource {
    fn from(path: &Path) -> Self {
        SchemaSource::Path(path.to_path_buf())
    }
}
