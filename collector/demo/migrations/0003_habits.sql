-- streak was stored as text in the first release; the model reads it as an integer.
CREATE TABLE habits (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    streak TEXT
);
