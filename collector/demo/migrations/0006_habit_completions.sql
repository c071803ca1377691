CREATE TABLE habit_completions (
    id TEXT PRIMARY KEY NOT NULL,
    habit_id TEXT NOT NULL REFERENCES habits(id),
    completed_on TEXT NOT NULL
);

-- Keep habits.streak current as completions arrive.
CREATE TRIGGER habit_completions_streak AFTER INSERT ON habit_completions
BEGIN
    UPDATE habits SET streak = CAST(streak AS INTEGER) + 1 WHERE id = NEW.habit_id;
END;
