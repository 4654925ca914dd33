use super::*;

const FEW: u64 = 200;
const MANY: u64 = 1_200;

/// Per-call instructions of one side under `tracing`, or why there are none.
pub fn per_call(kind: Kind, tracing: Tracing, url: &str) -> Result<f64, String> {
    let few = total(kind, tracing, FEW, url)?;
    let many = total(kind, tracing, MANY, url)?;
    Ok((many as f64 - few as f64) / (MANY - FEW) as f64)
}

pub fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn out_file(kind: Kind, tracing: Tracing, calls: u64) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "overhead-{}-{}-{calls}.callgrind",
        kind.role(),
        tracing.name()
    ))
}

/// Instructions of one whole client run of `calls` calls.
fn total(kind: Kind, tracing: Tracing, calls: u64, url: &str) -> Result<u64, String> {
    let out = out_file(kind, tracing, calls);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .env(ROLE, kind.role())
        .env(CALLS, calls.to_string())
        .env(TRACING, tracing.name())
        .env(URL, url)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("valgrind does not start: {e}"))?;
    if !run.status.success() {
        let stderr = String::from_utf8_lossy(&run.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        return Err(format!(
            "{} with {calls} calls failed ({}):\n{}",
            kind.role(),
            run.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    // `summary:` is the whole run's total; `totals:` the same when `summary:` is absent.
    ["summary:", "totals:"]
        .iter()
        .find_map(|key| {
            text.lines()
                .find_map(|line| line.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .ok_or_else(|| format!("no summary line in {}", out.display()))
}
