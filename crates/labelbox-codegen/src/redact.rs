//! A redacting `Debug` for response fields declared sensitive ([`crate::Generator::redact_in_debug`]).
//!
//! graphql_client derives the same traits for every response type of an operation. For each
//! struct holding a sensitive field, this pass takes `Debug` out of its derive and writes a
//! `Debug` that prints `"[REDACTED]"` in that field's place; the types around it keep their
//! derived `Debug`, which calls this one.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Fields, Item, ItemStruct, Type};

/// Rewrites `tokens` (graphql_client's module for `operation`) so that each field named by
/// `paths` (response keys from `ResponseData`'s fields down, the operation name left off)
/// shows as `[REDACTED]` in `Debug`. Errs, naming the path, when a path matches no field.
pub(crate) fn redact_debug(
    tokens: TokenStream,
    operation: &str,
    paths: &[Vec<String>],
) -> Result<TokenStream, String> {
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|error| format!("graphql_client_codegen's output does not parse: {error}"))?;
    let Some(items) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(module) => module.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return Err("graphql_client_codegen's output has no operation module".to_owned());
    };

    let mut sensitive: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    {
        let types = TypeIndex::new(items);
        for path in paths {
            let mut found = Vec::new();
            types.find("ResponseData", path, &mut found, &mut BTreeSet::new());
            if found.is_empty() {
                return Err(format!(
                    "the sensitive field `{operation}.{}` is not in the operation's response",
                    path.join(".")
                ));
            }
            for (owner, field) in found {
                sensitive.entry(owner).or_default().insert(field);
            }
        }
    }

    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(item) = item else { continue };
        let Some(fields) = sensitive.get(&item.ident.to_string()) else {
            continue;
        };
        remove_debug_derive(item);
        impls.push(redacting_debug(item, fields));
    }
    items.extend(impls);
    Ok(quote!(#file))
}

/// The response types of one generated module, by name.
struct TypeIndex<'a> {
    structs: BTreeMap<String, &'a ItemStruct>,
    enums: BTreeMap<String, &'a syn::ItemEnum>,
    /// `pub type ListApiKeysUserApiKeys = ApiKeyFields;` (a selection that is one fragment).
    aliases: BTreeMap<String, String>,
}

impl<'a> TypeIndex<'a> {
    fn new(items: &'a [Item]) -> Self {
        let mut structs = BTreeMap::new();
        let mut enums = BTreeMap::new();
        let mut aliases = BTreeMap::new();
        for item in items {
            match item {
                Item::Type(alias) => {
                    if let Some(target) = inner_type_name(&alias.ty) {
                        aliases.insert(alias.ident.to_string(), target);
                    }
                }
                Item::Struct(s) => {
                    structs.insert(s.ident.to_string(), s);
                }
                Item::Enum(e) => {
                    enums.insert(e.ident.to_string(), e);
                }
                _ => {}
            }
        }
        TypeIndex {
            structs,
            enums,
            aliases,
        }
    }

    /// Collects `(struct, field)` for every field reached from `type_name` by `path`, through
    /// nested selections, flattened fragments and union/interface variants.
    fn find(
        &self,
        type_name: &str,
        path: &[String],
        found: &mut Vec<(String, String)>,
        seen: &mut BTreeSet<(String, usize)>,
    ) {
        let Some((segment, rest)) = path.split_first() else {
            return;
        };
        if !seen.insert((type_name.to_owned(), path.len())) {
            return;
        }
        if let Some(target) = self.aliases.get(type_name) {
            self.find(target, path, found, seen);
        } else if let Some(item) = self.structs.get(type_name) {
            let Fields::Named(fields) = &item.fields else {
                return;
            };
            for field in &fields.named {
                let Some(ident) = &field.ident else { continue };
                let inner = inner_type_name(&field.ty);
                if has_serde_flag(&field.attrs, "flatten") {
                    if let Some(inner) = &inner {
                        self.find(inner, path, found, seen);
                    }
                } else if response_key(field) == *segment {
                    if rest.is_empty() {
                        found.push((type_name.to_owned(), ident.to_string()));
                    } else if let Some(inner) = &inner {
                        self.find(inner, rest, found, seen);
                    }
                }
            }
        } else if let Some(item) = self.enums.get(type_name) {
            for variant in &item.variants {
                for field in &variant.fields {
                    if let Some(inner) = inner_type_name(&field.ty) {
                        self.find(&inner, path, found, seen);
                    }
                }
            }
        }
    }
}

/// The field's name in the response: its `#[serde(rename = "...")]`, else its Rust name.
fn response_key(field: &syn::Field) -> String {
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if let Some(name) = renamed {
            return name;
        }
    }
    field
        .ident
        .as_ref()
        .map(|ident| ident.to_string().trim_start_matches("r#").to_owned())
        .unwrap_or_default()
}

fn has_serde_flag(attrs: &[syn::Attribute], flag: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|attr| {
            let mut present = false;
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident(flag) {
                    present = true;
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            present
        })
}

/// The named type inside `Option<..>`, `Vec<..>` and `Box<..>`: `Option<Vec<ApiKey>>` gives
/// `ApiKey`.
fn inner_type_name(ty: &Type) -> Option<String> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
        if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
            return inner_type_name(inner);
        }
    }
    Some(last.ident.to_string())
}

fn remove_debug_derive(item: &mut ItemStruct) {
    for attr in item
        .attrs
        .iter_mut()
        .filter(|a| a.path().is_ident("derive"))
    {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !p.is_ident("Debug")).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn redacting_debug(item: &ItemStruct, sensitive: &BTreeSet<String>) -> Item {
    let ident = &item.ident;
    let name = syn::LitStr::new(&ident.to_string(), Span::call_site());
    let fields = match &item.fields {
        Fields::Named(fields) => fields
            .named
            .iter()
            .filter_map(|field| field.ident.as_ref())
            .map(|field| {
                let label = syn::LitStr::new(
                    field.to_string().trim_start_matches("r#"),
                    Span::call_site(),
                );
                if sensitive.contains(&field.to_string()) {
                    quote!(.field(#label, &"[REDACTED]"))
                } else {
                    quote!(.field(#label, &self.#field))
                }
            })
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    syn::parse_quote! {
        impl ::std::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name)#(#fields)*.finish()
            }
        }
    }
}
