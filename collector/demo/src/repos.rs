use sqlx::SqlitePool;

use crate::models::{FocusSession, Habit, HabitCompletion, Quest, User};

pub async fn user(pool: &SqlitePool, id: &str) -> sqlx::Result<User> {
    sqlx::query_as::<_, User>("SELECT id, email, created_at FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
}

pub async fn habits(pool: &SqlitePool, user_id: &str) -> sqlx::Result<Vec<Habit>> {
    sqlx::query_as::<_, Habit>("SELECT id, user_id, name, streak FROM habits WHERE user_id = ?")
        .bind(user_id)
        .fetch_all(pool)
        .await
}

pub async fn complete(pool: &SqlitePool, id: &str, habit_id: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO habit_completions (id, habit_id, completed_on) VALUES (?, ?, date('now'))")
        .bind(id)
        .bind(habit_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn completions(pool: &SqlitePool, habit_id: &str) -> sqlx::Result<Vec<HabitCompletion>> {
    sqlx::query_as::<_, HabitCompletion>(
        "SELECT id, habit_id, completed_on FROM habit_completions WHERE habit_id = ?",
    )
    .bind(habit_id)
    .fetch_all(pool)
    .await
}

pub async fn focus(pool: &SqlitePool, user_id: &str) -> sqlx::Result<Vec<FocusSession>> {
    sqlx::query_as::<_, FocusSession>(
        "SELECT id, user_id, started_at FROM focus_sessions WHERE user_id = ?",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

pub async fn quests(pool: &SqlitePool) -> sqlx::Result<Vec<Quest>> {
    sqlx::query_as::<_, Quest>("SELECT id, title, reward FROM quests").fetch_all(pool).await
}
