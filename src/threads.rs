//! How every large job (a history, a push, a directory tree, an image's layers, HEAD's files
//! for the inventory) is shared among threads: each thread takes the next item from a shared
//! counter, works with a state of its own (a repository handle: libgit2's are not shared
//! between threads), and adds what it finds to an accumulator of its own. The first error
//! stops every thread and is returned; a thread that panics is an error, never a pass.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let run = |state: &S| -> Result<A> {
        let mut found = A::default();
        while !failed.load(Ordering::Relaxed) {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(at) else { break };
            work(state, at, item, &mut found).inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
        }
        Ok(found)
    };
    let helpers = jobs.clamp(1, items.len().max(1)) - 1;
    let results: Vec<Result<A>> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..helpers)
            .map(|_| {
                threads.spawn(|| {
                    let state = open().inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
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
    fn a_state_that_cannot_be_opened_is_an_error() {
        let items = [1, 2, 3, 4];
        let result = each_item(&items, 4, &(), &|| anyhow::bail!("no handle"), &|_, _, _, _: &mut ()| Ok(()));
        assert_eq!(result.map(|_| ()).unwrap_err().to_string(), "no handle");
    }
}
