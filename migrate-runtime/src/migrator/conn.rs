//! The few things the migrator asks of a connection, for both clients.
//!
//! The rules (what to refuse, what to run, in which messages, what to record)
//! are written once, as `async fn`s over [`Conn`]. The blocking client's
//! [`Blocking`] answers each call before returning, so [`block_on`] drives a
//! whole command in one poll, with no runtime; with feature `tokio-postgres`,
//! [`Tokio`] awaits `tokio_postgres` and the same code runs on the app's
//! runtime. Everything else (transactions, the lock, the session reset) is SQL
//! sent through these primitives, so both clients send the same messages.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Duration;

use postgres::{Row, SimpleQueryMessage};

/// A PostgreSQL session the migrator can drive.
///
/// Only this crate implements it (the trait is not public), so the futures
/// need no `Send` bound here: the tokio adapter's are `Send`, and that shows
/// through the generic code where it is instantiated.
pub(crate) trait Conn {
    /// One simple-protocol message (several statements are one implicit
    /// transaction unless they say BEGIN/COMMIT); the rows are dropped.
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error>;

    /// Whether [`Conn::script`] tells how many statements of a failed message
    /// had completed. A migration's statements then go in one message: the
    /// count names the one that failed.
    const COUNTS_STATEMENTS: bool;

    /// [`Conn::batch`]; a failure also says how many of the message's
    /// statements had completed, when the client tells
    /// ([`Conn::COUNTS_STATEMENTS`]).
    async fn script(&mut self, sql: &str) -> Result<(), (postgres::Error, Option<usize>)>;

    /// One simple-protocol message; every row, as text.
    async fn simple(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>, postgres::Error>;

    /// One statement without parameters over the extended protocol: typed rows.
    async fn query(&mut self, sql: &str) -> Result<Vec<Row>, postgres::Error>;

    /// Waits between two tries of the migration lock.
    async fn sleep(&mut self, duration: Duration);
}

/// The blocking client: every call is finished when its future is first polled.
pub(crate) struct Blocking<'c>(pub &'c mut postgres::Client);

impl Conn for Blocking<'_> {
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.0.batch_execute(sql)
    }

    // The blocking client drops the CommandComplete of each finished
    // statement when the error arrives.
    const COUNTS_STATEMENTS: bool = false;

    async fn script(&mut self, sql: &str) -> Result<(), (postgres::Error, Option<usize>)> {
        self.0.batch_execute(sql).map_err(|e| (e, None))
    }

    async fn simple(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>, postgres::Error> {
        self.0.simple_query(sql)
    }

    async fn query(&mut self, sql: &str) -> Result<Vec<Row>, postgres::Error> {
        self.0.query(sql, &[])
    }

    async fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// `tokio_postgres`: awaits the client on the caller's runtime.
#[cfg(feature = "tokio-postgres")]
pub(crate) struct Tokio<'c>(pub &'c mut tokio_postgres::Client);

#[cfg(feature = "tokio-postgres")]
impl Conn for Tokio<'_> {
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.0.batch_execute(sql).await
    }

    const COUNTS_STATEMENTS: bool = true;

    async fn script(&mut self, sql: &str) -> Result<(), (postgres::Error, Option<usize>)> {
        use futures_core::Stream;
        let stream = self
            .0
            .simple_query_raw(sql)
            .await
            .map_err(|e| (e, Some(0)))?;
        let mut stream = pin!(stream);
        let mut completed = 0;
        while let Some(message) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            match message {
                Ok(postgres::SimpleQueryMessage::CommandComplete(_)) => completed += 1,
                Ok(_) => {}
                Err(e) => return Err((e, Some(completed))),
            }
        }
        Ok(())
    }

    async fn simple(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>, postgres::Error> {
        self.0.simple_query(sql).await
    }

    async fn query(&mut self, sql: &str) -> Result<Vec<Row>, postgres::Error> {
        self.0.query(sql, &[]).await
    }

    async fn sleep(&mut self, duration: Duration) {
        // A poll, not a blocked thread: the runtime keeps serving other tasks.
        tokio::time::sleep(duration).await;
    }
}

/// Runs a future on this thread to its end.
///
/// Over [`Blocking`] the future is ready on its first poll (nothing in it
/// waits on a waker); parking until woken keeps this correct for any future
/// all the same, rather than assuming it.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_runs_nested_async_code_to_its_end() {
        async fn add(a: u32, b: u32) -> u32 {
            a + b
        }
        assert_eq!(block_on(async { add(add(1, 2).await, 3).await }), 6);
    }
}
