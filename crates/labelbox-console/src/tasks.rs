//! [`Tasks`]: creations and rotations, each on a task of its own, so that a closed request
//! does not cancel it halfway; the console's shutdown waits for them.

use std::future::Future;
use std::sync::Mutex;

use tokio::task::JoinSet;

/// The tasks still running, awaited by [`Tasks::finish`].
#[derive(Debug, Default)]
pub(crate) struct Tasks(Mutex<JoinSet<()>>);

impl Tasks {
    /// Runs `work` to its end on a task of its own, which [`Tasks::finish`] awaits.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    /// Waits for every task still running, and for any spawned meanwhile (a request that
    /// got past its checks just before the sessions ended).
    pub async fn finish(&self) {
        loop {
            let mut tasks = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
            if tasks.is_empty() {
                return;
            }
            while tasks.join_next().await.is_some() {}
        }
    }
}
