//! How every large job (a history, a push, a directory tree, an image's layers, HEAD's files
//! for the inventory) is shared among threads: each thread takes the next item from a shared
//! queue (to which a history walk adds each commit's parents as it reads the commit), works
//! with a state of its own (a repository handle: libgit2's are not shared between threads),
//! and adds what it finds to an accumulator of its own. The first error stops every thread
//! and is returned; a thread that panics is an error, never a pass.

use std::panic::AssertUnwindSafe;
use std::sync::{Condvar, Mutex};

use anyhow::{anyhow, Result};

/// Runs `work` once for each of `items` on up to `jobs` threads: this thread with `own`, each
/// other with a state that `open` makes on that thread. `work` gets the thread's state, the
/// item's position and the item, and the thread's accumulator; the accumulators come back,
/// this thread's first. Items are handed out in order, but finish in no set order.
pub fn each_item<T, S, A>(
    items: &[T],
    jobs: usize,
    own: &S,
    open: &(dyn Fn() -> Result<S> + Sync),
    work: &(dyn Fn(&S, usize, &T, &mut A) -> Result<()> + Sync),
) -> Result<Vec<A>>
where
    T: Sync,
    A: Default + Send,
{
    let in_order = items.iter().enumerate().rev().collect();
    let jobs = jobs.clamp(1, items.len().max(1));
    each_queued(in_order, jobs, own, open, &|state, (at, item), _, found| work(state, at, item, found))
}

/// Work that grows as it is done: a history walk finds a commit's parents by reading it.
/// Items are handed out last pushed first, so a walk goes depth first and the workers stay
/// on neighbouring commits, whose trees the object cache still holds.
pub struct Queue<T> {
    waiting: Mutex<Waiting<T>>,
    changed: Condvar,
}

struct Waiting<T> {
    items: Vec<T>,
    /// Items handed out and not yet done: each may still push more.
    working: usize,
    /// An item failed (or a thread could not start): every thread stops.
    stopped: bool,
}

impl<T> Queue<T> {
    /// Adds `item`, for the next thread that asks.
    pub fn push(&self, item: T) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.items.push(item);
            self.changed.notify_one();
        }
    }

    /// The next item; `None` once the work is done (nothing waits and nothing being worked
    /// can push more) or stopped.
    fn next(&self) -> Option<T> {
        let mut waiting = self.waiting.lock().ok()?;
        loop {
            if waiting.stopped {
                return None;
            }
            if let Some(item) = waiting.items.pop() {
                waiting.working += 1;
                return Some(item);
            }
            if waiting.working == 0 {
                self.changed.notify_all();
                return None;
            }
            waiting = self.changed.wait(waiting).ok()?;
        }
    }

    /// Marks an item done; a failed one stops every thread.
    fn done(&self, failed: bool) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.working -= 1;
            waiting.stopped |= failed;
            if failed || waiting.working == 0 {
                self.changed.notify_all();
            }
        }
    }
}

/// What [`each_queued`] does with one item: the thread's state, the item, the queue to push
/// what it finds to, and the thread's accumulator.
pub type QueuedWork<'a, T, S, A> = dyn Fn(&S, T, &Queue<T>, &mut A) -> Result<()> + Sync + 'a;

/// As [`each_item`], for work that finds more work: `work` gets each item with the queue,
/// to push what it finds there, and the run ends when no item waits and none is being
/// worked. `seeds` go first, the last of them first. Always `jobs` threads (at least one).
pub fn each_queued<T, S, A>(
    seeds: Vec<T>,
    jobs: usize,
    own: &S,
    open: &(dyn Fn() -> Result<S> + Sync),
    work: &QueuedWork<'_, T, S, A>,
) -> Result<Vec<A>>
where
    T: Send,
    A: Default + Send,
{
    let queue = Queue {
        waiting: Mutex::new(Waiting { items: seeds, working: 0, stopped: false }),
        changed: Condvar::new(),
    };
    let stop = || {
        if let Ok(mut waiting) = queue.waiting.lock() {
            waiting.stopped = true;
            queue.changed.notify_all();
        }
    };
    let run = |state: &S| -> Result<A> {
        let mut found = A::default();
        while let Some(item) = queue.next() {
            // A panic is an error too, and ends the item: the others would wait for it forever.
            let worked = std::panic::catch_unwind(AssertUnwindSafe(|| work(state, item, &queue, &mut found)))
                .unwrap_or_else(|_| Err(anyhow!("a worker thread crashed")));
            queue.done(worked.is_err());
            worked?;
        }
        Ok(found)
    };
    let results: Vec<Result<A>> = std::thread::scope(|threads| {
        let handles: Vec<_> = (1..jobs.max(1))
            .map(|_| {
                threads.spawn(|| {
                    let state = open().inspect_err(|_| stop())?;
                    run(&state)
                })
            })
            .collect();
        let mut results = vec![run(own)];
        results.extend(
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap_or_else(|_| Err(anyhow!("a worker thread crashed")))),
        );
        results
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_once_on_every_thread_count() {
        let items: Vec<u64> = (1..=1000).collect();
        for jobs in [0, 1, 2, 7] {
            let sums = each_item(&items, jobs, &(), &|| Ok(()), &|_, _, item, sum: &mut u64| {
                *sum += item;
                Ok(())
            })
            .expect("no item fails");
            assert_eq!(sums.iter().sum::<u64>(), 500_500, "{jobs} jobs");
            assert!(!sums.is_empty() && sums.len() <= jobs.max(1), "{jobs} jobs");
        }
    }

    #[test]
    fn the_first_error_stops_the_work_and_is_returned() {
        let items: Vec<usize> = (0..10_000).collect();
        let result = each_item(&items, 2, &(), &|| Ok(()), &|_, at, _, count: &mut usize| {
            *count += 1;
            if at == 50 {
                anyhow::bail!("item 50 failed");
            }
            Ok(())
        });
        assert_eq!(result.map(|_| ()).unwrap_err().to_string(), "item 50 failed");
    }

    #[test]
    fn work_that_finds_more_work_is_all_done_once() {
        // Each number n finds n / 2 and n / 2 - 1, so many numbers reach the same ones; each
        // is pushed once, and every number the seeds lead to is worked once.
        for jobs in [1, 2, 7] {
            let reached = Mutex::new(std::collections::HashSet::from([1000u64, 999]));
            let worked = each_queued(
                vec![1000u64, 999],
                jobs,
                &(),
                &|| Ok(()),
                &|_, n, queue, done: &mut Vec<u64>| {
                    done.push(n);
                    for next in [n / 2, (n / 2).saturating_sub(1)] {
                        if reached.lock().expect("unlocked").insert(next) {
                            queue.push(next);
                        }
                    }
                    Ok(())
                },
            )
            .expect("no item fails");
            let mut worked: Vec<u64> = worked.into_iter().flatten().collect();
            worked.sort_unstable();
            let mut reached: Vec<u64> = reached.into_inner().expect("unlocked").into_iter().collect();
            reached.sort_unstable();
            assert_eq!(worked, reached, "each once, {jobs} jobs");
            assert!(reached.starts_with(&[0, 1, 2, 3]) && reached.contains(&499), "{jobs} jobs: {reached:?}");
        }
    }

    #[test]
    fn a_panic_in_queued_work_is_an_error_and_stops_the_others() {
        let result = each_queued(vec![0u32], 2, &(), &|| Ok(()), &|_, n, queue, _: &mut ()| {
            assert!(n < 100, "item 100 panics");
            queue.push(n + 1);
            Ok(())
        });
        assert!(result.is_err(), "a crash is never a pass");
    }

    #[test]
    fn a_state_that_cannot_be_opened_is_an_error() {
        let items = [1, 2, 3, 4];
        let result = each_item(&items, 4, &(), &|| anyhow::bail!("no handle"), &|_, _, _, _: &mut ()| Ok(()));
        assert_eq!(result.map(|_| ()).unwrap_err().to_string(), "no handle");
    }
}
