-- Edited after it was applied in production: the reward column was added here later.
CREATE TABLE quests (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    reward INTEGER NOT NULL DEFAULT 0
);
