use super::*;

pub const TASKS: usize = 1_000;

/// (token requests, failed calls)
pub async fn token_requests(server: &ServerProcess) -> (u64, usize) {
    let client = sdk_client(&server.url);
    let before = server.token_requests().await;
    // All tasks wait at the barrier, then call at once: the worst case for single flight.
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (client, barrier) = (client.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                client.get_me().send().await.is_ok()
            })
        })
        .collect();
    let mut failed = 0;
    for task in tasks {
        if !task.await.expect("task completes") {
            failed += 1;
        }
    }
    let after = server.token_requests().await;
    (after - before, failed)
}
