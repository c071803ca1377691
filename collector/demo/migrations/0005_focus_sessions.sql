CREATE TABLE focus_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL
);
CREATE INDEX focus_sessions_user ON focus_sessions(user_id, started_at);
