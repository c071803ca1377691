//! What the type checks of the rules know about user-defined types, gathered from the evidence:
//! the code's `sqlx::Type` definitions, the expected schema's domains and enums, and the live
//! enums. It lives with the rules, which read the evidence, so that the type table itself
//! depends on no evidence.

use crate::backend::Backend;
use crate::code::expected::ExpectedSchema;
use crate::code::model::CodeEvidence;
use crate::schema::Schema;
use crate::typemap::{RustSqlType, TypeContext, normalize_sql_type};

// An inherent impl outside `typemap`: the constructor belongs to the evidence-reading side, and
// the model check and the query checks both call it as `TypeContext::from_evidence`.
impl TypeContext {
    /// The context the model check and the query checks share: the `sqlx::Type` definitions
    /// found in the code (transparent newtypes and `repr` enums stored as their inner type,
    /// enums with a text `type_name` stored as `String`, other enums as the named SQL type),
    /// the expected schema's domains and enums, and the live enums.
    pub(crate) fn from_evidence(
        code: Option<&CodeEvidence>,
        expected: Option<&ExpectedSchema>,
        live: Option<&Schema>,
        backend: Backend,
    ) -> TypeContext {
        let mut ctx = TypeContext::default();
        if let Some(code) = code {
            for t in &code.sql_types {
                let stored = if let Some(inner) = &t.transparent {
                    RustSqlType::As(inner.clone())
                } else if let Some(r) = &t.repr {
                    RustSqlType::As(r.clone())
                } else {
                    let name = t.type_name.clone().unwrap_or_else(|| t.name.to_lowercase());
                    match normalize_sql_type(&name, backend).as_str() {
                        "text" | "character varying" | "varchar" => {
                            RustSqlType::As("String".into())
                        }
                        _ => RustSqlType::Named(name),
                    }
                };
                ctx.rust_types.push((t.name.clone(), stored));
            }
        }
        if let Some(e) = expected {
            ctx.domains = e
                .domains
                .iter()
                .map(|d| (d.name.clone(), d.base_type.clone()))
                .collect();
            ctx.enums
                .extend(e.schema.enums.iter().map(|x| x.name.clone()));
        }
        if let Some(l) = live {
            ctx.enums.extend(l.enums.iter().map(|x| x.name.clone()));
        }
        ctx
    }
}
