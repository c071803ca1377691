//! Types as the scan records them: compact text for a type (`Option<chrono::DateTime<Utc>>`),
//! and the row type a function's return type or a `let`'s annotation names.

use quote::ToTokens;

/// A type as compact text: `Option<chrono::DateTime<Utc>>`.
pub(super) fn type_text<T: ToTokens>(ty: &T) -> String {
    let s = ty.to_token_stream().to_string();
    s.replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace(" [", "[")
        .replace("[ ", "[")
        .replace(" ]", "]")
        .replace(" ;", ";")
}

/// The rows' type inside `Result<Vec<T>, E>`, `Option<T>`, `Vec<T>`, `impl Stream<Item = ..>`.
pub(super) fn core_type(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(tp) => {
            let last = tp.path.segments.last()?;
            let name = last.ident.to_string();
            let first_arg = || match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                }),
                _ => None,
            };
            match name.as_str() {
                "Result" | "Option" | "Vec" | "Box" | "Json" => core_type(first_arg()?),
                "Self" => None,
                _ => Some(type_text(ty)),
            }
        }
        syn::Type::Tuple(t) if !t.elems.is_empty() => Some(type_text(ty)),
        syn::Type::Reference(r) => core_type(&r.elem),
        syn::Type::Paren(p) => core_type(&p.elem),
        _ => None,
    }
}
