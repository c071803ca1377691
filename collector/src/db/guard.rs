//! The limits every round trip to the database runs under: a client-side timeout (the server's
//! own `statement_timeout` and `lock_timeout` should fire first; this guards against a server
//! that stops answering at all), the collection's overall deadline, and the rule that a
//! connection found dead or stalled is never used again, so gaps does not wait once per
//! remaining statement.

use std::future::Future;
use std::time::{Duration, Instant};

use gaps_core::schema::IncompleteCause;
use gaps_core::session::{EndCause, SessionEnd};

use super::DbError;

/// How long the client waits for one round trip beyond the server's statement timeout.
const MARGIN: Duration = Duration::from_secs(2);

/// Round-trip and deadline bookkeeping for one session.
#[derive(Debug)]
pub(crate) struct Guard {
    round_trip: Duration,
    deadline: Option<Instant>,
    ended: Option<SessionEnd>,
}

impl Guard {
    /// A guard whose round trips may last `statement_timeout` plus a margin, none past
    /// `deadline`.
    pub(crate) fn new(statement_timeout: Duration, deadline: Option<Instant>) -> Guard {
        Guard {
            round_trip: statement_timeout + MARGIN,
            deadline,
            ended: None,
        }
    }

    /// Why the session is no longer used, once it is not.
    pub(crate) fn ended(&self) -> Option<&SessionEnd> {
        self.ended.as_ref()
    }

    /// Time left before the deadline (`None`: no deadline).
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    fn end(&mut self, cause: EndCause, during: &str, message: String) -> DbError {
        let end = self.ended.get_or_insert(SessionEnd {
            cause,
            during: during.to_string(),
            message,
        });
        DbError::Ended {
            during: during.to_string(),
            message: end.message.clone(),
            cause: end.cause,
        }
    }

    /// The error for a round trip that is not even tried because the session has ended.
    pub(crate) fn refuse(&self, during: &str) -> Option<DbError> {
        self.ended.as_ref().map(|e| DbError::Ended {
            during: during.to_string(),
            message: format!("not read: {}", e.message),
            cause: e.cause,
        })
    }

    /// Runs one round trip under the client-side timeout (at most `cap` when given) and the
    /// deadline. A timeout or a connection failure ends the session: the protocol state of
    /// the connection is unknown, so nothing more is sent on it. Any other driver error is
    /// returned as it is, inside `Ok`, for the caller to read.
    pub(crate) async fn run_raw<T>(
        &mut self,
        during: &str,
        cap: Option<Duration>,
        work: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<Result<T, sqlx::Error>, DbError> {
        if let Some(e) = self.refuse(during) {
            return Err(e);
        }
        let round_trip = cap.map_or(self.round_trip, |c| c.min(self.round_trip));
        let (limit, by_deadline) = match self.remaining() {
            Some(left) if left.is_zero() => {
                return Err(self.end(
                    EndCause::Deadline,
                    during,
                    "the collection deadline was reached".into(),
                ));
            }
            Some(left) if left < round_trip => (left, true),
            _ => (round_trip, false),
        };
        match tokio::time::timeout(limit, work).await {
            Err(_) if by_deadline => Err(self.end(
                EndCause::Deadline,
                during,
                "the collection deadline was reached while waiting for the server; the \
                 connection was abandoned"
                    .into(),
            )),
            Err(_) => Err(self.end(
                EndCause::Stalled,
                during,
                format!(
                    "the server did not answer within {:.1}s; the connection was abandoned",
                    limit.as_secs_f64()
                ),
            )),
            Ok(Err(e)) if cause_of(&e) == IncompleteCause::ConnectionLost => Err(self.end(
                EndCause::ConnectionLost,
                during,
                format!("the connection failed: {e}"),
            )),
            Ok(other) => Ok(other),
        }
    }

    /// [`Guard::run_raw`] with driver errors turned into [`DbError::Statement`].
    #[cfg(test)]
    pub(crate) async fn run<T>(
        &mut self,
        during: &str,
        work: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, DbError> {
        self.run_raw(during, None, work)
            .await?
            .map_err(|e| DbError::Statement {
                during: during.to_string(),
                message: e.to_string(),
                cause: cause_of(&e),
            })
    }
}

/// What kind of failure a driver error is: a lock timeout, a statement timeout, a permission
/// error, a lost connection, or any other error.
pub fn cause_of(e: &sqlx::Error) -> IncompleteCause {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => IncompleteCause::ConnectionLost,
        sqlx::Error::Database(db) => {
            if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                return match my.number() {
                    // ER_LOCK_WAIT_TIMEOUT: a metadata lock (lock_wait_timeout) or a row lock.
                    1205 => IncompleteCause::LockTimeout,
                    // MySQL's max_execution_time, MariaDB's max_statement_time.
                    3024 | 1969 => IncompleteCause::Timeout,
                    1044 | 1142 | 1143 | 1227 => IncompleteCause::Permission,
                    _ => IncompleteCause::Error,
                };
            }
            match db.code().as_deref() {
                Some("55P03") => IncompleteCause::LockTimeout,
                Some("57014") => IncompleteCause::Timeout,
                Some("42501") => IncompleteCause::Permission,
                // SQLITE_BUSY: another connection holds the database lock.
                Some("5") => IncompleteCause::LockTimeout,
                _ => IncompleteCause::Error,
            }
        }
        _ => IncompleteCause::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_round_trip_that_never_answers_ends_the_session_and_nothing_more_is_sent() {
        rt().block_on(async {
            let mut g = Guard::new(Duration::from_millis(10), None);
            g.round_trip = Duration::from_millis(50);
            let started = Instant::now();
            let r: Result<(), _> = g
                .run(
                    "reading columns",
                    std::future::pending::<Result<(), sqlx::Error>>(),
                )
                .await;
            assert!(matches!(
                r,
                Err(DbError::Ended {
                    cause: EndCause::Stalled,
                    ..
                })
            ));
            assert!(started.elapsed() < Duration::from_secs(2));
            // The next round trip is refused at once, without polling its future.
            let mut polled = false;
            let r: Result<(), _> = g
                .run("reading indexes", async {
                    polled = true;
                    Ok(())
                })
                .await;
            assert!(!polled);
            let Err(DbError::Ended {
                during, message, ..
            }) = r
            else {
                panic!("{r:?}")
            };
            assert_eq!(during, "reading indexes");
            assert!(message.contains("did not answer"), "{message}");
        });
    }

    #[test]
    fn the_deadline_bounds_a_round_trip_and_is_named_as_the_cause() {
        rt().block_on(async {
            let mut g = Guard::new(
                Duration::from_secs(30),
                Some(Instant::now() + Duration::from_millis(50)),
            );
            let started = Instant::now();
            let r: Result<(), _> = g
                .run(
                    "describing",
                    std::future::pending::<Result<(), sqlx::Error>>(),
                )
                .await;
            assert!(started.elapsed() < Duration::from_secs(2));
            assert!(matches!(
                r,
                Err(DbError::Ended {
                    cause: EndCause::Deadline,
                    ..
                })
            ));
            assert_eq!(g.ended().map(|e| e.cause), Some(EndCause::Deadline));
        });
    }

    #[test]
    fn a_lost_connection_ends_the_session_but_a_server_error_does_not() {
        rt().block_on(async {
            let mut g = Guard::new(Duration::from_secs(1), None);
            let r: Result<(), _> = g.run("x", async { Err(sqlx::Error::RowNotFound) }).await;
            assert!(matches!(r, Err(DbError::Statement { .. })));
            assert!(g.ended().is_none());
            let r: Result<(), _> = g
                .run("y", async {
                    Err(sqlx::Error::Io(std::io::Error::other("reset by peer")))
                })
                .await;
            assert!(matches!(
                r,
                Err(DbError::Ended {
                    cause: EndCause::ConnectionLost,
                    ..
                })
            ));
        });
    }
}
