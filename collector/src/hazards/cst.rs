//! Small readers over squawk's concrete syntax tree: children and descendants by kind,
//! identifiers folded the way Postgres folds them, qualified names, string literals and lines.

use gaps_core::schema::RelationName;
use squawk_syntax::{SyntaxKind as K, SyntaxNode};

/// The first direct child node of `kind`.
pub fn child(node: &SyntaxNode, kind: K) -> Option<SyntaxNode> {
    node.children().find(|c| c.kind() == kind)
}

/// The direct child nodes of `kind`.
pub fn children(node: &SyntaxNode, kind: K) -> Vec<SyntaxNode> {
    node.children().filter(|c| c.kind() == kind).collect()
}

/// Whether `node` has a direct child token of `kind` (a keyword such as CONCURRENTLY).
pub fn has_token(node: &SyntaxNode, kind: K) -> bool {
    node.children_with_tokens()
        .any(|c| c.as_token().is_some_and(|t| t.kind() == kind))
}

/// The first descendant node (or `node` itself) of `kind`.
pub fn descendant(node: &SyntaxNode, kind: K) -> Option<SyntaxNode> {
    node.descendants().find(|c| c.kind() == kind)
}

/// Every descendant node (and `node` itself) of `kind`, in source order.
pub fn descendants(node: &SyntaxNode, kind: K) -> Vec<SyntaxNode> {
    node.descendants().filter(|c| c.kind() == kind).collect()
}

/// An identifier as Postgres sees it: a quoted one unquoted (`""` is one quote), any other
/// folded to lowercase.
pub fn fold(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => text.to_lowercase(),
    }
}

/// The name a node spells (a column name, a constraint name, one path segment): its tokens
/// without whitespace or comments, folded.
pub fn name(node: &SyntaxNode) -> String {
    let text: String = node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| t.text().to_string())
        .collect();
    fold(&text)
}

/// The segments of a (possibly qualified) name node: `app.users` -> `["app", "users"]`.
pub fn segments(node: &SyntaxNode) -> Vec<String> {
    node.descendants()
        .filter(|c| matches!(c.kind(), K::PATH_SEGMENT_REF | K::PATH_SEGMENT))
        .map(|c| name(&c))
        .collect()
}

/// A table name node as a relation: schema empty when unqualified.
pub fn relation(node: &SyntaxNode) -> RelationName {
    let mut parts = segments(node);
    let name = parts.pop().unwrap_or_default();
    RelationName {
        schema: parts.pop().unwrap_or_default(),
        name,
    }
}

/// The value of a string literal token's text (`'it''s'` -> `it's`, `E'..'` kept as
/// written inside): None for anything else.
pub fn string_value(text: &str) -> Option<String> {
    let body = text
        .strip_prefix(['E', 'e'])
        .unwrap_or(text)
        .strip_prefix('\'')?
        .strip_suffix('\'')?;
    Some(body.replace("''", "'"))
}

/// Every string literal's value inside `node`.
pub fn strings(node: &SyntaxNode) -> Vec<String> {
    node.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == K::STRING)
        .filter_map(|t| string_value(t.text()))
        .collect()
}

/// The text of `node` with runs of whitespace and comments replaced by one space.
pub fn compact(node: &SyntaxNode) -> String {
    let mut out = String::new();
    for t in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if t.kind().is_trivia() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push_str(t.text());
        }
    }
    out.trim().to_string()
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> u32 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}

/// Where a node's first token that is not whitespace or a comment starts.
pub fn start(node: &SyntaxNode) -> usize {
    node.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .find(|t| !t.kind().is_trivia())
        .map_or(u32::from(node.text_range().start()), |t| {
            u32::from(t.text_range().start())
        }) as usize
}
