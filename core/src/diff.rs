//! Schema diffs: expected vs live, and snapshot vs snapshot. Pure, shared by `gaps diff` and the
//! report's interactive viewer.
