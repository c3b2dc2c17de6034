//! The execution budget: the estimated response values that expensive queries may build at
//! once; more wait for their turn.

use std::sync::{Condvar, Mutex, MutexGuard};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A counting semaphore of estimated response values, taken on a blocking thread.
pub(crate) struct ExecutionBudget {
    total: u64,
    available: Mutex<u64>,
    freed: Condvar,
}

impl ExecutionBudget {
    pub fn new(total: u64) -> Self {
        Self {
            total,
            available: Mutex::new(total),
            freed: Condvar::new(),
        }
    }

    /// Waits until `values` (at most `total`: larger requests take it all) are free.
    pub fn acquire(&self, values: u64) -> BudgetPermit<'_> {
        let values = values.min(self.total);
        let mut available = lock(&self.available);
        while *available < values {
            available = self
                .freed
                .wait(available)
                .unwrap_or_else(|p| p.into_inner());
        }
        *available -= values;
        BudgetPermit {
            budget: self,
            values,
        }
    }

    /// Takes `values` if they are free now, without waiting.
    pub fn try_acquire(&self, values: u64) -> Option<BudgetPermit<'_>> {
        let values = values.min(self.total);
        let mut available = lock(&self.available);
        if *available < values {
            return None;
        }
        *available -= values;
        Some(BudgetPermit {
            budget: self,
            values,
        })
    }
}

pub(crate) struct BudgetPermit<'b> {
    budget: &'b ExecutionBudget,
    values: u64,
}

impl Drop for BudgetPermit<'_> {
    fn drop(&mut self) {
        *lock(&self.budget.available) += self.values;
        self.budget.freed.notify_all();
    }
}
