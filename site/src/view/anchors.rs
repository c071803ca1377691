//! In-page anchors shared by the Diagnosis cards and the action cards, so that each links to
//! the other's elements.

/// `snap-1-cause-<id>`: a cause's card in the Diagnosis.
pub(crate) fn cause_anchor(snap: &str, id: &str) -> String {
    format!("{snap}-cause-{id}")
}

/// `snap-1-action-002-<cause id>`: the group of a cause's findings in an action card.
pub(crate) fn group_anchor(snap: &str, action: &str, cause: &str) -> String {
    format!("{snap}-{}-{cause}", crate::markdown::slug(action))
}
