use super::*;

/// Calls before the measured ones: the token, the connection, the allocator's first
/// growth. The 200 vs 1,200 difference removes them anyway; warming keeps it linear.
const WARMUP: usize = 50;

pub fn run(kind: Kind) {
    let url = std::env::var(URL).expect("KAJABI_BENCH_URL");
    let calls: usize = std::env::var(CALLS)
        .expect("KAJABI_BENCH_CALLS")
        .parse()
        .expect("KAJABI_BENCH_CALLS is a number");
    Tracing::from_env().install();
    // A current-thread runtime: no worker threads parking and stealing, whose
    // instructions would vary from run to run without being the client's work.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(async {
        let side = Side::new(kind, &url).await;
        for _ in 0..WARMUP + calls {
            side.call().await;
        }
    });
}
