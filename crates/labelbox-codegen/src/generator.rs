//! The generator: validated operation documents in, one Rust file of operation modules out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use graphql_client_codegen::deprecation::DeprecationStrategy;
use graphql_client_codegen::{CodegenMode, GraphQLClientCodegenOptions};
use heck::ToSnakeCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::panic_guard::catch_codegen_panic;
use crate::validate::{validate_document, validate_schema, ValidatedDocument};
use crate::{CodegenError, Diagnostic, Diagnostics, SchemaSource};

/// The derives every generated type gets by default (serde's are always added).
pub const DEFAULT_DERIVES: &[&str] = &["Debug", "Clone", "PartialEq"];

/// The module the generated code takes custom scalars (`DateTime`) from by default.
pub const DEFAULT_CUSTOM_SCALARS_MODULE: &str = "::labelbox_schema::scalars";

/// The crate the generated code takes `OperationKind` and the `Operation` trait from by
/// default.
pub const DEFAULT_SCHEMA_CRATE: &str = "::labelbox_schema";

/// Checks GraphQL operation documents against a schema and generates one Rust module per
/// operation, for use from a build script.
///
/// ```no_run
/// // build.rs
/// labelbox_codegen::Generator::bundled()
///     .queries_dir("graphql")
///     .run_build_script("operations.rs");
/// // src/main.rs: include!(concat!(env!("OUT_DIR"), "/operations.rs"));
/// ```
///
/// Each operation `query MyKeyNames { ... }` becomes `pub mod my_key_names` holding
/// `pub struct MyKeyNames` (which implements `graphql_client::GraphQLQuery`), `Variables`,
/// `ResponseData`, one struct per fragment and per nested selection, the `QUERY`,
/// `OPERATION_NAME` and `OPERATION_KIND` constants, and an impl of `labelbox_schema::Operation`
/// (the kind, known at compile time, that decides how the SDK may retry it). `QUERY` is the document as sent over the wire: its definitions
/// and selections as written, on one line, without `#` comments (they document the file for
/// developers and are not sent with every request). The generated code refers to the crates `graphql_client` and
/// `serde` (with the `derive` feature), to the custom scalars module for `DateTime`, and to
/// the schema crate ([`Generator::schema_crate`]) for `OperationKind` and `Operation`.
/// Fields declared with [`Generator::redact_in_debug`] print as `[REDACTED]` in `Debug`.
#[derive(Debug, Clone)]
pub struct Generator {
    schema: SchemaSource,
    query_dirs: Vec<PathBuf>,
    query_files: Vec<PathBuf>,
    derives: Vec<String>,
    /// Per-operation response derives replacing `derives` for that operation's response types.
    response_derives: BTreeMap<String, Vec<String>>,
    custom_scalars_module: String,
    serde_path: String,
    schema_crate: String,
    /// Per operation, the response paths whose values `Debug` must not show.
    sensitive: BTreeMap<String, Vec<Vec<String>>>,
}

/// One generated operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedOperation {
    /// The operation name as written in the document, for example `ListApiKeys`; also the
    /// name of the generated struct.
    pub name: String,
    /// The generated module, for example `list_api_keys`.
    pub module: String,
    /// The document it came from.
    pub file: PathBuf,
}

/// What a generation run produced.
#[derive(Debug, Clone)]
pub struct GeneratedOperations {
    operations: Vec<GeneratedOperation>,
    code: String,
    files: Vec<PathBuf>,
}

impl GeneratedOperations {
    /// The operations, in file then document order.
    pub fn operations(&self) -> &[GeneratedOperation] {
        &self.operations
    }

    /// The generated Rust source.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The operation documents that were read.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl Generator {
    /// A generator checking against the bundled Labelbox schema ([`crate::BUNDLED_SCHEMA`]).
    pub fn bundled() -> Self {
        Self::with_schema(SchemaSource::Bundled)
    }

    /// A generator checking against the SDL file at `schema_path`.
    pub fn new(schema_path: impl Into<PathBuf>) -> Self {
        Self::with_schema(SchemaSource::Path(schema_path.into()))
    }

    /// A generator checking against `schema`.
    pub fn with_schema(schema: SchemaSource) -> Self {
        Self {
            schema,
            query_dirs: Vec::new(),
            query_files: Vec::new(),
            derives: DEFAULT_DERIVES.iter().map(|d| (*d).to_owned()).collect(),
            response_derives: BTreeMap::new(),
            custom_scalars_module: DEFAULT_CUSTOM_SCALARS_MODULE.to_owned(),
            serde_path: "::serde".to_owned(),
            schema_crate: DEFAULT_SCHEMA_CRATE.to_owned(),
            sensitive: BTreeMap::new(),
        }
    }

    /// Adds every `.graphql` / `.gql` file directly in `dir` (sorted by name).
    #[must_use]
    pub fn queries_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.query_dirs.push(dir.into());
        self
    }

    /// Adds one operation document.
    #[must_use]
    pub fn query_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.query_files.push(file.into());
        self
    }

    /// The derives of generated types (default [`DEFAULT_DERIVES`]); `Serialize` on
    /// `Variables` and `Deserialize` on response types are always added.
    #[must_use]
    pub fn derives(mut self, derives: &[&str]) -> Self {
        self.derives = clean_derives(derives);
        self
    }

    /// The derives of one operation's response types, replacing [`Generator::derives`] for
    /// them (its `Variables` keep the common derives). For a response that carries a secret,
    /// [`Generator::redact_in_debug`] is the better tool: it keeps `Debug` and hides the field.
    #[must_use]
    pub fn response_derives_for(mut self, operation: &str, derives: &[&str]) -> Self {
        self.response_derives
            .insert(operation.to_owned(), clean_derives(derives));
        self
    }

    /// The module custom scalars are taken from (default
    /// [`DEFAULT_CUSTOM_SCALARS_MODULE`]); it must define a type per custom scalar used.
    #[must_use]
    pub fn custom_scalars_module(mut self, module: &str) -> Self {
        self.custom_scalars_module = module.to_owned();
        self
    }

    /// Declares a response field sensitive: `Operation.responseKey.nestedKey` (response keys,
    /// as in the document, from the operation name down, through fragments), for example
    /// `CreateApiKey.createApiKey.jwt`. The struct holding it gets a `Debug` that prints
    /// `[REDACTED]` in its place (its other fields and the types around it print as usual).
    /// A path that names no operation or no field fails the generation, so a typo cannot
    /// leave a secret printable. This lives in the generator's configuration because SDL
    /// directives do not survive `labelbox schema pull`.
    #[must_use]
    pub fn redact_in_debug(mut self, path: &str) -> Self {
        let mut segments = path.split('.').map(str::to_owned);
        let operation = segments.next().unwrap_or_default();
        self.sensitive
            .entry(operation)
            .or_default()
            .push(segments.collect());
        self
    }

    /// The path of the crate defining `OperationKind` and the `Operation` trait in generated
    /// code (default [`DEFAULT_SCHEMA_CRATE`]; `labelbox-schema` itself uses `crate`).
    #[must_use]
    pub fn schema_crate(mut self, path: &str) -> Self {
        self.schema_crate = path.to_owned();
        self
    }

    /// The path of the serde crate in generated code (default `::serde`).
    #[must_use]
    pub fn serde_path(mut self, path: &str) -> Self {
        self.serde_path = path.to_owned();
        self
    }

    /// Prints `cargo:rerun-if-changed` for the schema file, every operation document and every
    /// queries folder (so that a new file is picked up).
    pub fn emit_rerun_if_changed(&self) {
        for path in self.watched_paths() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    /// The paths [`Generator::emit_rerun_if_changed`] prints.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.schema.watched_file().into_iter().collect();
        paths.extend(self.query_dirs.iter().cloned());
        if let Ok(files) = self.document_files() {
            paths.extend(files);
        }
        paths
    }

    /// Checks every document and generates the Rust source, without writing it.
    pub fn generate(&self) -> Result<GeneratedOperations, CodegenError> {
        let schema = validate_schema(&self.schema)?;
        let files = self.document_files()?;
        let documents = validate_documents(&schema.schema, &files)?;
        let schema_file = self.schema.codegen_file(&schema.text)?;

        let mut diagnostics = Diagnostics::new();
        let mut operations = Vec::new();
        let mut modules = Vec::new();
        for document in &documents {
            for name in &document.operations {
                match self.generate_operation(document, name, &schema_file) {
                    Ok(tokens) => {
                        modules.push(tokens);
                        operations.push(GeneratedOperation {
                            name: name.clone(),
                            module: name.to_snake_case(),
                            file: document.file.clone(),
                        });
                    }
                    Err(diagnostic) => diagnostics.push(diagnostic),
                }
            }
        }
        for (operation, paths) in &self.sensitive {
            let known = operations
                .iter()
                .any(|generated| generated.name == *operation);
            if !known || paths.iter().any(Vec::is_empty) {
                diagnostics.push(Diagnostic::new(format!(
                    "redact_in_debug names `{operation}`{}, which is not a generated \
                     operation's response field (write `Operation.responseKey...`)",
                    if known { " without a field" } else { "" }
                )));
            }
        }
        diagnostics.into_result()?;

        let tokens = quote!(#(#modules)*);
        let code = match syn::parse2::<syn::File>(tokens) {
            Ok(file) => prettyplease::unparse(&file),
            Err(error) => {
                return Err(Diagnostic::new(format!(
                    "graphql_client_codegen produced code that does not parse: {error}"
                ))
                .into())
            }
        };
        let header = format!(
            "// @generated by labelbox-codegen from {}. Do not edit.\n\n",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(GeneratedOperations {
            operations,
            code: header + &code,
            files,
        })
    }

    /// [`Generator::generate`], then writes the source to `out_file` (only when it changed, so
    /// that an unchanged build does not recompile the including crate).
    pub fn generate_to(
        &self,
        out_file: impl AsRef<Path>,
    ) -> Result<GeneratedOperations, CodegenError> {
        let out_file = out_file.as_ref();
        let generated = self.generate()?;
        let unchanged =
            std::fs::read_to_string(out_file).is_ok_and(|existing| existing == generated.code);
        if !unchanged {
            if let Some(parent) = out_file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| CodegenError::Write {
                    path: out_file.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(out_file, &generated.code).map_err(|source| CodegenError::Write {
                path: out_file.to_path_buf(),
                source,
            })?;
        }
        Ok(generated)
    }

    /// For build scripts: emits `rerun-if-changed` lines and writes `$OUT_DIR/<file_name>`.
    /// On failure it prints the readable error to stderr and ends the build script with
    /// status 1, so that `cargo build` fails with the message and no backtrace.
    pub fn run_build_script(&self, file_name: &str) -> GeneratedOperations {
        self.emit_rerun_if_changed();
        let Some(out_dir) = std::env::var_os("OUT_DIR") else {
            eprintln!("labelbox-codegen: OUT_DIR is not set; run_build_script is for build.rs");
            std::process::exit(1);
        };
        match self.generate_to(PathBuf::from(out_dir).join(file_name)) {
            Ok(generated) => generated,
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        }
    }

    /// Every operation document: the explicit files, then each folder's files sorted by name.
    fn document_files(&self) -> Result<Vec<PathBuf>, Diagnostics> {
        let mut files = self.query_files.clone();
        let mut diagnostics = Diagnostics::new();
        for dir in &self.query_dirs {
            match list_documents(dir) {
                Ok(found) => {
                    if found.is_empty() {
                        diagnostics.push(
                            Diagnostic::new("the folder holds no .graphql operation document")
                                .in_file(dir),
                        );
                    }
                    files.extend(found);
                }
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        if files.is_empty() && diagnostics.is_empty() {
            diagnostics.push(Diagnostic::new(
                "no operation document given (use queries_dir or query_file)",
            ));
        }
        diagnostics.into_result()?;
        Ok(files)
    }

    fn generate_operation(
        &self,
        document: &ValidatedDocument,
        operation: &str,
        schema_file: &Path,
    ) -> Result<TokenStream, Diagnostic> {
        let located = |message: String| {
            Diagnostic::new(message)
                .in_file(&document.file)
                .in_definition(format!("operation `{operation}`"))
        };
        let scalars: syn::Path = syn::parse_str(&self.custom_scalars_module).map_err(|error| {
            located(format!(
                "the custom scalars module `{}` is not a Rust path: {error}",
                self.custom_scalars_module
            ))
        })?;
        let serde: syn::Path = syn::parse_str(&self.serde_path).map_err(|error| {
            located(format!(
                "the serde path `{}` is not a Rust path: {error}",
                self.serde_path
            ))
        })?;
        let schema_crate: syn::Path = syn::parse_str(&self.schema_crate).map_err(|error| {
            located(format!(
                "the schema crate path `{}` is not a Rust path: {error}",
                self.schema_crate
            ))
        })?;
        let derives = self.derives.join(", ");
        let response_derives = self
            .response_derives
            .get(operation)
            .map_or_else(|| derives.clone(), |own| own.join(", "));

        let result = catch_codegen_panic(|| {
            let mut options = GraphQLClientCodegenOptions::new(CodegenMode::Derive);
            options.set_operation_name(operation.to_owned());
            options.set_struct_name(operation.to_owned());
            options.set_struct_ident(Ident::new(operation, Span::call_site()));
            options.set_module_visibility(syn::Visibility::Inherited);
            options.set_response_derives(response_derives.clone());
            options.set_variables_derives(derives.clone());
            options.set_custom_scalars_module(scalars.clone());
            options.set_serde_path(serde.clone());
            options.set_deprecation_strategy(DeprecationStrategy::Warn);
            graphql_client_codegen::generate_module_token_stream_from_string(
                &document.wire_text,
                schema_file,
                options,
            )
            .map_err(|error| error.to_string())
        });
        let generated = match result {
            Ok(Ok(tokens)) => tokens,
            Ok(Err(message)) => {
                return Err(located(format!("graphql_client_codegen failed: {message}")))
            }
            Err(panic) => return Err(located(format!("graphql_client_codegen panicked: {panic}"))),
        };
        let generated = match self.sensitive.get(operation) {
            // An empty path is reported once, by `generate`.
            Some(paths) if paths.iter().all(|path| !path.is_empty()) => {
                crate::redact::redact_debug(generated, operation, paths)
                    .map_err(|message| located(format!("redact_in_debug: {message}")))?
            }
            _ => generated,
        };
        let kind = match document.kind_of(operation) {
            apollo_compiler::ast::OperationType::Query => quote!(Query),
            apollo_compiler::ast::OperationType::Mutation => quote!(Mutation),
            apollo_compiler::ast::OperationType::Subscription => quote!(Subscription),
        };

        let module = Ident::new(&operation.to_snake_case(), Span::call_site());
        let operation_ident = Ident::new(operation, Span::call_site());
        let file_name = document
            .file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let module_doc = format!(
            " The `{operation}` operation of `{file_name}` (generated by labelbox-codegen)."
        );
        let struct_doc = format!(
            " The `{operation}` operation; implements `graphql_client::GraphQLQuery` with this \
             module's `Variables` and `ResponseData`."
        );
        Ok(quote! {
            #[doc = #module_doc]
            #[allow(
                unused,
                non_camel_case_types,
                non_snake_case,
                missing_docs,
                missing_debug_implementations,
                clippy::all,
                clippy::pedantic,
                clippy::nursery
            )]
            pub mod #module {
                #[doc = #struct_doc]
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #operation_ident;

                /// Whether this operation is a query or a mutation (from its document).
                pub const OPERATION_KIND: #schema_crate::OperationKind =
                    #schema_crate::OperationKind::#kind;

                impl #schema_crate::Operation for #operation_ident {
                    const KIND: #schema_crate::OperationKind = OPERATION_KIND;
                }

                #generated

                pub use self::#module::*;
            }
        })
    }
}

/// Checks operation documents (files, or folders of `.graphql` files) against a schema,
/// without generating code: the schema validates, each document parses and validates, every
/// operation is named and gives a usable, unique Rust module name.
pub fn check(schema: &SchemaSource, queries: &[PathBuf]) -> Result<(), Diagnostics> {
    let schema = validate_schema(schema)?;
    let mut files = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for path in queries {
        if path.is_dir() {
            match list_documents(path) {
                Ok(found) => files.extend(found),
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        } else {
            files.push(path.clone());
        }
    }
    diagnostics.into_result()?;
    validate_documents(&schema.schema, &files).map(|_| ())
}

fn validate_documents(
    schema: &apollo_compiler::validation::Valid<apollo_compiler::Schema>,
    files: &[PathBuf],
) -> Result<Vec<ValidatedDocument>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut documents = Vec::new();
    for file in files {
        match validate_document(schema, file) {
            Ok(document) => documents.push(document),
            Err(found) => diagnostics.extend(found),
        }
    }
    // Every operation becomes a module named after it: names must be unique and usable.
    let mut modules: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    for document in &documents {
        for name in &document.operations {
            let module = name.to_snake_case();
            if is_rust_keyword(name) || is_rust_keyword(&module) || module.is_empty() {
                diagnostics.push(
                    Diagnostic::new(format!(
                        "the operation name `{name}` gives the Rust module `{module}`, which is \
                         not a usable Rust name; rename the operation"
                    ))
                    .in_file(&document.file)
                    .in_definition(format!("operation `{name}`")),
                );
                continue;
            }
            if let Some((other, other_file)) = modules.get(&module) {
                diagnostics.push(
                    Diagnostic::new(format!(
                        "the operation `{name}` gives the module `{module}`, like the operation \
                         `{other}` in {}; operation names must be unique",
                        other_file.display()
                    ))
                    .in_file(&document.file)
                    .in_definition(format!("operation `{name}`")),
                );
                continue;
            }
            modules.insert(module, (name.clone(), document.file.clone()));
        }
    }
    diagnostics.into_result()?;
    Ok(documents)
}

fn list_documents(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        Diagnostic::new(format!("cannot read the queries folder: {error}")).in_file(dir)
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| {
                Diagnostic::new(format!("cannot read the queries folder: {error}")).in_file(dir)
            })?
            .path();
        let is_document = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| ext == "graphql" || ext == "gql");
        if is_document && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn is_rust_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
        "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box",
        "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    ];
    KEYWORDS.contains(&name)
}

/// Derive names as written by a caller, trimmed, without serde's (which are always added).
fn clean_derives(derives: &[&str]) -> Vec<String> {
    derives
        .iter()
        .map(|d| d.trim().to_owned())
        .filter(|d| !matches!(d.as_str(), "Serialize" | "Deserialize"))
        .collect()
}
