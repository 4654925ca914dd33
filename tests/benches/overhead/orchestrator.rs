use super::*;

pub fn run() {
    let started = Instant::now();
    let server = ServerProcess::start();
    println!(
        "overhead: GET /v1/me, kajabi-api vs the same request by hand with reqwest; server pid {} at {}",
        server.child.id(),
        server.url
    );

    // Instructions first, while this process is idle: the client roles run alone.
    let available = instructions::valgrind_available();
    let instructions = Tracing::ALL.map(|tracing| {
        [Kind::Sdk, Kind::Raw].map(|kind| {
            if available {
                instructions::per_call(kind, tracing, &server.url)
            } else {
                Err("valgrind is not installed".to_string())
            }
        })
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sequential, concurrent, (tokens, failed)) = runtime.block_on(async {
        let sdk = Side::new(Kind::Sdk, &server.url).await;
        let raw = Side::new(Kind::Raw, &server.url).await;
        // Warm both: token, connection, allocator.
        for _ in 0..200 {
            sdk.call().await;
            raw.call().await;
        }
        let sequential = wall::sequential(&sdk, &raw).await;
        let concurrent = wall::concurrent(&sdk, &raw).await;
        let cold = cold::token_requests(&server).await;
        let heads = server.heads().await;
        // Every call of either side, callgrind's included, sent the same request.
        assert!(
            heads.len() == 1,
            "the SDK and the hand-written request differ on the wire:\n\n{}",
            heads.join("\n\n")
        );
        (sequential, concurrent, cold)
    });
    drop(runtime);
    drop(server);

    report(&instructions, sequential, concurrent, tokens, failed);
    eprintln!("(took {:.1} s)", started.elapsed().as_secs_f64());
    let instruction_ratio = match &instructions[0] {
        [Ok(sdk), Ok(raw)] => fmt2(sdk / raw),
        _ => "nan".to_string(),
    };
    println!(
        "overhead sdk/raw: instructions {instruction_ratio}, wall sequential {:.2}, wall concurrent {:.2}, token requests for 1000 cold calls: {tokens}",
        sequential.0 / sequential.1,
        concurrent.0 / concurrent.1,
    );
}

/// Two decimals; `nan` rather than Rust's `NaN`.
fn fmt2(value: f64) -> String {
    if value.is_nan() {
        "nan".into()
    } else {
        format!("{value:.2}")
    }
}

fn report(
    instructions: &[[Result<f64, String>; 2]; 3],
    sequential: (f64, f64),
    concurrent: (f64, f64),
    tokens: u64,
    failed: usize,
) {
    println!();
    println!(
        "SDK feature `middleware`: {}; middleware set: {}",
        if cfg!(feature = "middleware") {
            "on"
        } else {
            "off"
        },
        match std::env::var(MIDDLEWARE).as_deref() {
            Ok("noop") if cfg!(feature = "middleware") => "one no-op",
            _ => "none",
        }
    );
    println!("{:<34} {:>12} {:>12} {:>9}", "", "sdk", "raw", "sdk/raw");
    println!("instructions per call (callgrind):");
    for (tracing, figures) in Tracing::ALL.iter().zip(instructions) {
        let label = format!("  {}", tracing.label());
        match figures {
            [Ok(sdk), Ok(raw)] => {
                println!("{label:<34} {sdk:>12.0} {raw:>12.0} {:>9.3}", sdk / raw)
            }
            _ => {
                println!("{label:<34} {:>12} {:>12} {:>9}", "n/a", "n/a", "nan");
                for error in figures.iter().filter_map(|r| r.as_ref().err()) {
                    println!("  instructions n/a: {error}");
                }
            }
        }
    }
    for (label, (sdk, raw)) in [
        ("wall sequential (us/call)", sequential),
        (
            &*format!("wall {} in flight (us/call)", wall::TASKS),
            concurrent,
        ),
    ] {
        println!(
            "{label:<34} {:>12.2} {:>12.2} {:>9.3}",
            sdk / 1e3,
            raw / 1e3,
            sdk / raw
        );
    }
    println!(
        "token requests, {} tasks on a cold client: {tokens} ({failed} calls failed)",
        cold::TASKS
    );
    if instructions.iter().flatten().all(Result::is_ok) {
        println!(
            "callgrind files: {}",
            instructions::out_file(Kind::Sdk, Tracing::None, 1_200)
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    println!();
}
