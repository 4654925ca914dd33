use super::*;

// About 10,000 sequential and 32,000 concurrent calls per side: a few seconds in all.
const BLOCKS: usize = 20;
const BLOCK_CALLS: u32 = 500;
const ROUNDS: usize = 10;
pub const TASKS: usize = 64;
const TASK_CALLS: u32 = 50;

/// Per-call nanoseconds of sequential calls, sdk and raw: the median over blocks.
/// Blocks alternate sdk/raw (ABBA) so that drift of the machine hits both alike.
pub async fn sequential(sdk: &Side, raw: &Side) -> (f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for block in 0..BLOCKS {
        let order = [[0, 1], [1, 0]][block % 2];
        for which in order {
            let side = [sdk, raw][which];
            let started = Instant::now();
            for _ in 0..BLOCK_CALLS {
                side.call().await;
            }
            let per_call = started.elapsed().as_nanos() as f64 / f64::from(BLOCK_CALLS);
            [&mut a, &mut b][which].push(per_call);
        }
    }
    (median(a), median(b))
}

/// Per-call nanoseconds with `TASKS` calls in flight: elapsed time over all calls of a
/// round, the median over alternating rounds.
pub async fn concurrent(sdk: &Side, raw: &Side) -> (f64, f64) {
    // Open the connections first, so that no round pays for connecting.
    round(sdk, 1).await;
    round(raw, 1).await;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        let order = [[0, 1], [1, 0]][r % 2];
        for which in order {
            let side = [sdk, raw][which];
            let started = Instant::now();
            round(side, TASK_CALLS).await;
            let calls = TASKS as f64 * f64::from(TASK_CALLS);
            [&mut a, &mut b][which].push(started.elapsed().as_nanos() as f64 / calls);
        }
    }
    (median(a), median(b))
}

async fn round(side: &Side, calls: u32) {
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let side = side.clone();
            tokio::spawn(async move {
                for _ in 0..calls {
                    side.call().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task completes");
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}
