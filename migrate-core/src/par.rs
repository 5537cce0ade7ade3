//! A parallel map for the per-file work (parsing dominates the macro's time and
//! files are independent), in the order of the input.

use std::num::NonZeroUsize;

/// Below this many items a thread costs more than it saves.
const MIN_PER_THREAD: usize = 16;

/// `items.into_iter().map(f).collect()`, spread over the machine's cores.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| s.spawn(move || c.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A panic in `f` is a bug; let it surface as it would have
                // without the threads.
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_input_order() {
        let v: Vec<usize> = (0..1000).collect();
        assert_eq!(
            super::map(v.clone(), |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(vec![3], |x: i32| x + 1), [4]);
        assert!(super::map(Vec::<u8>::new(), |x| x).is_empty());
    }
}
