use sqlx::FromRow;

#[derive(Debug, FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub created_at: String,
}

#[derive(Debug, FromRow)]
pub struct Habit {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// The column is TEXT in the database: decoding fails with "mismatched types".
    pub streak: i32,
}

#[derive(Debug, FromRow)]
pub struct FocusSession {
    pub id: String,
    pub user_id: String,
    pub started_at: String,
}

#[derive(Debug, FromRow)]
pub struct HabitCompletion {
    pub id: String,
    pub habit_id: String,
    pub completed_on: String,
}

#[derive(Debug, FromRow)]
pub struct Quest {
    pub id: String,
    pub title: String,
    pub reward: i64,
}
