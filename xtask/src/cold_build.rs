//! `cargo xtask cold-build`: what a new user waits for on `cargo run --example quickstart`,
//! measured against a reference crate with what a hand-written client needs.
//!
//! Both builds run one after the other in fresh target directories, with the registry cache
//! warm (`cargo fetch --locked` first: downloads are not measured) and their lock files
//! honoured. CPU time is user + sys of the whole cargo process tree (cargo, rustc, build
//! scripts, the C compiler under aws-lc-sys), from `getrusage(RUSAGE_CHILDREN)` around each
//! build: on a machine shared with other builds it is the figure that means something, wall
//! time is printed beside it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The reference crate, relative to the workspace root; its Cargo.lock pins its versions.
const REFERENCE: &str = ".ci/reference";

/// How many of each build's slowest units to print.
const TOP: usize = 10;

/// What `cargo xtask cold-build` was asked to do.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Exit 1 when the SDK's CPU time exceeds the reference's by more than this factor.
    #[arg(long, value_name = "RATIO", default_value_t = 2.0)]
    max_cpu_ratio: f64,
    /// Where to create the fresh target directories (removed afterwards) [default: the
    /// system's temporary directory].
    #[arg(long, value_name = "DIR")]
    scratch: Option<PathBuf>,
}

/// One measured build.
struct Measured {
    cpu: Duration,
    wall: Duration,
    /// The slowest units, from cargo's `--timings` report: (unit, seconds).
    slowest: Vec<(String, f64)>,
    /// The units cargo compiled twice (for a build script and for the code, with different
    /// features): each a second compilation a first build would not need.
    twice: Vec<String>,
}

impl fmt::Display for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cpu {:.2} s, wall {:.2} s",
            self.cpu.as_secs_f64(),
            self.wall.as_secs_f64()
        )
    }
}

/// Runs both builds and prints the comparison.
pub fn run(options: &Options) -> ExitCode {
    match measure_both(options) {
        Ok((sdk, reference)) => {
            let cpu = sdk.cpu.as_secs_f64() / reference.cpu.as_secs_f64();
            let wall = sdk.wall.as_secs_f64() / reference.wall.as_secs_f64();
            for (name, measured) in [("sdk", &sdk), ("reference", &reference)] {
                println!("\n{name}: the {TOP} slowest units (--timings)");
                for (unit, seconds) in &measured.slowest {
                    println!("  {seconds:7.1} s  {unit}");
                }
            }
            println!(
                "\nsdk: built twice (for the build script and for the code): {}",
                if sdk.twice.is_empty() {
                    "none".to_string()
                } else {
                    sdk.twice.join(", ")
                }
            );
            println!("\nsdk (cargo build --example quickstart): {sdk}");
            println!("reference ({REFERENCE}): {reference}");
            println!("cold build sdk/reference: cpu {cpu:.2}, wall {wall:.2}");
            if !sdk.twice.is_empty() {
                eprintln!(
                    "error: the SDK's first build compiles crates twice; unify their features \
                     (see the root Cargo.toml's build- and dev-dependencies)"
                );
                return ExitCode::from(1);
            }
            if cpu > options.max_cpu_ratio {
                eprintln!(
                    "error: the SDK's cold build takes {cpu:.2}x the reference's CPU time, above the goal of {}x",
                    options.max_cpu_ratio
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn measure_both(options: &Options) -> Result<(Measured, Measured), String> {
    let root = crate::workspace_root()?;
    let reference = root.join(REFERENCE);
    if !reference.join("Cargo.lock").is_file() {
        return Err(format!(
            "the reference crate's lock file {} is missing",
            reference.join("Cargo.lock").display()
        ));
    }
    let scratch = match &options.scratch {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .map_err(|e| format!("cannot create a scratch directory: {e}"))?;
    for dir in [&root, &reference] {
        run_cargo(dir, &["fetch", "--locked"])?;
    }
    let sdk = measure(
        &root,
        &["build", "--locked", "--example", "quickstart"],
        &scratch.path().join("sdk"),
    )?;
    let reference = measure(
        &reference,
        &["build", "--locked"],
        &scratch.path().join("ref"),
    )?;
    Ok((sdk, reference))
}

/// Builds in `dir` with a fresh `target_dir`, then removes it (a debug build of the SDK takes
/// a few GB).
fn measure(dir: &Path, args: &[&str], target_dir: &Path) -> Result<Measured, String> {
    let target = target_dir
        .to_str()
        .ok_or_else(|| format!("{} is not UTF-8", target_dir.display()))?;
    let mut args = args.to_vec();
    args.extend(["--timings", "--target-dir", target]);
    eprintln!(
        "cold-build: cargo {} (in {})",
        args.join(" "),
        dir.display()
    );
    let cpu_before = children_cpu()?;
    let started = Instant::now();
    run_cargo(dir, &args)?;
    let wall = started.elapsed();
    let cpu = children_cpu()?.saturating_sub(cpu_before);
    let report = target_dir.join("cargo-timings").join("cargo-timing.html");
    let html = std::fs::read_to_string(&report).map_err(|e| {
        format!(
            "cannot read cargo's timings report {}: {e}",
            report.display()
        )
    })?;
    let units = units(&html).ok_or_else(|| {
        format!(
            "no UNIT_DATA in cargo's timings report {}",
            report.display()
        )
    })?;
    std::fs::remove_dir_all(target_dir)
        .map_err(|e| format!("cannot remove {}: {e}", target_dir.display()))?;
    Ok(Measured {
        cpu,
        wall,
        twice: built_twice(&units),
        slowest: slowest(units, TOP),
    })
}

fn run_cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(dir)
        // A target directory or incremental setting from the environment would make the
        // build neither cold nor what a new user runs.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_INCREMENTAL")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo {} failed in {} ({status})",
            args.join(" "),
            dir.display()
        ))
    }
}

/// The units of cargo's `--timings` HTML report (its `UNIT_DATA` table): (unit, seconds).
fn units(html: &str) -> Option<Vec<(String, f64)>> {
    let start = html.find("const UNIT_DATA = ")? + "const UNIT_DATA = ".len();
    let units: Value = serde_json::Deserializer::from_str(&html[start..])
        .into_iter()
        .next()?
        .ok()?;
    let units = units
        .as_array()?
        .iter()
        .filter_map(|unit| {
            let name = unit.get("name")?.as_str()?;
            let version = unit.get("version")?.as_str()?;
            let target = unit.get("target").and_then(Value::as_str).unwrap_or("");
            let duration = unit.get("duration")?.as_f64()?;
            Some((format!("{name} v{version}{target}"), duration))
        })
        .collect();
    Some(units)
}

/// The `count` slowest of `units`, slowest first.
fn slowest(mut units: Vec<(String, f64)>, count: usize) -> Vec<(String, f64)> {
    units.sort_by(|a, b| b.1.total_cmp(&a.1));
    units.truncate(count);
    units
}

/// The units that appear more than once (the same crate, version and target), sorted.
fn built_twice(units: &[(String, f64)]) -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for (unit, _) in units {
        *seen.entry(unit).or_default() += 1;
    }
    seen.into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(unit, _)| unit.to_string())
        .collect()
}

/// User + sys time of every child process waited for so far, grandchildren included (each
/// process adds its own waited-for children's time to its total when it is reaped).
#[cfg(unix)]
fn children_cpu() -> Result<Duration, String> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is valid for writes of one `rusage`, which getrusage fills on success.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    if rc != 0 {
        return Err(format!(
            "getrusage failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: getrusage returned 0, so it initialized `usage`.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Ok(time(usage.ru_utime) + time(usage.ru_stime))
}

#[cfg(not(unix))]
fn children_cpu() -> Result<Duration, String> {
    Err("cold-build measures CPU time with getrusage, which only Unix has".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_slowest_units_from_a_timings_report() {
        let html = r#"<script>
const UNIT_DATA = [
  {"i": 0, "name": "serde", "version": "1.0.0", "mode": "todo", "target": "", "start": 0.1, "duration": 2.5},
  {"i": 1, "name": "aws-lc-sys", "version": "0.47.0", "mode": "run-custom-build", "target": " build script (run)", "start": 0.2, "duration": 40.25},
  {"i": 2, "name": "kajabi-api", "version": "0.1.0", "mode": "todo", "target": "", "start": 9.0, "duration": 30.0}
];
const CONCURRENCY_DATA = [];
</script>"#;
        let table = units(html).expect("the table is found");
        assert_eq!(
            slowest(table.clone(), 2),
            [
                ("aws-lc-sys v0.47.0 build script (run)".to_string(), 40.25),
                ("kajabi-api v0.1.0".to_string(), 30.0),
            ]
        );
        assert!(built_twice(&table).is_empty());
        assert_eq!(units("<html></html>"), None);
    }

    #[test]
    fn finds_the_crates_built_twice() {
        let html = r#"const UNIT_DATA = [
  {"name": "regress", "version": "0.12.0", "target": "", "duration": 3.1},
  {"name": "serde", "version": "1.0.0", "target": " build script", "duration": 0.2},
  {"name": "serde", "version": "1.0.0", "target": "", "duration": 1.0},
  {"name": "regress", "version": "0.12.0", "target": "", "duration": 3.0}
];"#;
        let table = units(html).expect("the table is found");
        assert_eq!(built_twice(&table), ["regress v0.12.0"]);
    }

    #[cfg(unix)]
    #[test]
    fn counts_the_cpu_time_of_waited_for_children() {
        let before = children_cpu().expect("getrusage works");
        // A child that burns CPU for a moment; its time is added when it is reaped.
        let status = Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .status()
            .expect("sh runs");
        assert!(status.success());
        let after = children_cpu().expect("getrusage works");
        assert!(after > before, "{before:?} -> {after:?}");
    }
}
