//! Benchmark (not a test): validate and render generated specs (see `spec.rs`), the work of
//! `chatlog validate`, `render` and `check` without the reading of the spec file.
//!
//! ```text
//! cargo bench --bench render                          500, 5,000 and 50,000 rooms, every case
//! cargo bench --bench render -- 50000 --case all      some sizes, some cases
//! cargo bench --bench render -- --runs 7 --deployments 5
//! cargo bench --bench render -- 5000 --warm           the runs in one process, not one each
//! cargo bench --bench render -- 5000 --spec-out spec.yaml  the spec alone, for `chatlog` itself
//! ```
//!
//! Cases: `validate`; `cloudformation`, `terraform`, `policies`, `graph` and `all` (validate and
//! render in memory, YAML templates); `write` (all targets rendered and written to an empty
//! temporary `--out`, as `render` does); `rewrite` (the same over the files `write` left, as a
//! re-render of an unchanged spec: every file is kept, see `files/unchanged.rs`); `check` (all
//! targets rendered and compared with the files `write` left, as `check` does). Each case runs in a child process of its own (this binary again), so
//! the peak memory printed (VmHWM, the resident high-water mark, spec text included) is that
//! case's alone; each run is a process of its own too, as `chatlog` is, unless `--warm`, and
//! the sizes take turns run by run (see `measure`). Times are medians of the runs, wall clock;
//! the peak is the highest run's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chatlog::render::{self, Target, TemplateFormat};
use chatlog::spec::load::Input;

// The allocator the binary uses, so the figures are the binary's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [500, 5_000, 50_000];
const CASES: [&str; 9] = [
    "validate",
    "cloudformation",
    "terraform",
    "policies",
    "graph",
    "all",
    "write",
    "rewrite",
    "check",
];
const ALL: [Target; 4] = [
    Target::CloudFormation,
    Target::Graph,
    Target::Policies,
    Target::Terraform,
];

fn targets(case: &str) -> &'static [Target] {
    match case {
        "validate" => &[],
        "cloudformation" => &[Target::CloudFormation],
        "terraform" => &[Target::Terraform],
        "policies" => &[Target::Policies],
        "graph" => &[Target::Graph],
        "all" | "write" | "rewrite" | "check" => &ALL,
        other => panic!("unknown case `{other}`; cases: {}", CASES.join(", ")),
    }
}

/// What one run produced, to show that every run did the same work.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Shape {
    files: usize,
    bytes: usize,
}

/// One run of a case: validate, render, then write or compare (each file as it is rendered, as
/// the binary does). The validated spec comes back unfreed, for the caller to free once the
/// clock has stopped: the binary never frees it (`commands::done_with`), and at 50,000 rooms
/// freeing the model one allocation at a time, out of the cache, was 4.7 ms of `graph`.
fn run(case: &str, spec: Vec<u8>, dir: &Path) -> (Shape, chatlog::Validation) {
    let validation = chatlog::validate::validate(vec![Input {
        name: "bench.yaml".into(),
        bytes: spec,
    }]);
    assert!(
        !validation.has_errors(),
        "{:?}",
        validation.diagnostics.first()
    );
    let shape = match case {
        "validate" => Shape::default(),
        "write" | "rewrite" => {
            let staging = chatlog::files::Staging::begin(dir, &ALL).unwrap();
            let shape = streamed(&validation, &staging);
            staging.commit().unwrap();
            shape
        }
        "check" => {
            let committed = chatlog::files::OwnedFolders::list(dir, &ALL).unwrap();
            let comparison = chatlog::drift::files::Comparison::new(&committed, "out");
            let shape = streamed(&validation, &comparison);
            let found = comparison.finish();
            assert!(found.is_empty(), "{:?}", found.first());
            shape
        }
        _ => {
            let rendered =
                render::render_validated(&validation, targets(case), TemplateFormat::Yaml).unwrap();
            assert!(!rendered.has_errors(), "{:?}", rendered.diagnostics.first());
            Shape {
                files: rendered.files.len(),
                bytes: rendered.files.iter().map(|f| f.contents.len()).sum(),
            }
        }
    };
    (shape, validation)
}

/// Every target rendered as `chatlog render --out` and `chatlog check` do: the target rules
/// first, then each file handed to `sink` as it is rendered (on the thread that rendered it),
/// and dropped.
fn streamed<S: render::Sink>(validation: &chatlog::Validation, sink: &S) -> Shape
where
    S::Error: std::fmt::Debug,
{
    let diagnostics = render::checked(validation, &ALL);
    assert!(
        !diagnostics.iter().any(chatlog::Diagnostic::is_error),
        "{:?}",
        diagnostics.first()
    );
    let counted = Counted {
        sink,
        sizes: Mutex::new(BTreeMap::new()),
    };
    render::render_files(
        validation.model.as_ref().unwrap(),
        &ALL,
        TemplateFormat::Yaml,
        &counted,
    )
    .unwrap();
    let sizes = counted.sizes.into_inner().unwrap();
    Shape {
        files: sizes.len(),
        bytes: sizes.values().sum(),
    }
}

/// A sink that passes every file on and keeps the size of each file it holds.
struct Counted<'a, S> {
    sink: &'a S,
    sizes: Mutex<BTreeMap<String, usize>>,
}

impl<S: render::Sink> render::Sink for Counted<'_, S> {
    type Error = S::Error;

    fn put(&self, file: render::File) -> Result<Option<String>, S::Error> {
        let size = file.contents.len();
        let path = file.path.clone();
        let text = self.sink.put(file)?;
        self.sizes.lock().unwrap().insert(path, size);
        Ok(text)
    }

    fn retract(&self, path: &str) -> Result<(), S::Error> {
        self.sink.retract(path)?;
        self.sizes.lock().unwrap().remove(path);
        Ok(())
    }
}

/// Resident high-water mark of this process, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time of this process so far (user and system, every thread), in seconds: on a machine
/// shared with other work it says what a run cost when the wall clock says how long it waited.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// The child: runs one case and prints one `RESULT` line for the parent.
fn child(case: &str, spec_file: &Path, runs: usize, dir: &Path) {
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut shape = None;
    for _ in 0..runs {
        // Read before the clock starts, as `chatlog` reads it: the peak then holds the one copy
        // of the spec's bytes the binary holds.
        let spec = std::fs::read(spec_file).unwrap();
        if case == "write" {
            // Into an empty `--out`: a folder of the run before would have its files kept.
            for target in ALL {
                match std::fs::remove_dir_all(dir.join(target.folder())) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
                    _ => {}
                }
            }
        }
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let (s, validation) = run(case, spec, dir);
        times.push(start.elapsed());
        cpu.push(Duration::from_secs_f64(cpu_seconds() - cpu_start));
        drop(validation);
        assert!(shape.is_none_or(|first| first == s), "runs differ");
        shape = Some(s);
    }
    let shape = shape.unwrap_or_default();
    let all: Vec<String> = times
        .iter()
        .map(|t| format!("{:.3}", t.as_secs_f64()))
        .collect();
    println!(
        "RESULT {} {} {} {} {} {}",
        median(&times).as_secs_f64(),
        median(&cpu).as_secs_f64(),
        peak_kib(),
        shape.files,
        shape.bytes,
        all.join(",")
    );
}

#[derive(Clone, Copy)]
struct Measured {
    seconds: f64,
    cpu: f64,
    peak_mib: f64,
}

/// The runs of one case at one size so far: each child's median time and CPU time, the highest
/// peak, and each run's time as its child printed it.
#[derive(Default)]
struct Runs {
    seconds: Vec<Duration>,
    cpu: Vec<Duration>,
    peak_kib: f64,
    each: Vec<String>,
    shape: String,
    failed: bool,
}

impl Runs {
    /// `n` runs in one child process; a failed child is reported and ends the case at this size.
    fn add(&mut self, case: &str, rooms: usize, spec_file: &Path, n: usize, dir: &Path) {
        if self.failed {
            return;
        }
        let output = Command::new(std::env::current_exe().unwrap())
            .args(["--child", case])
            .arg(spec_file)
            .arg(n.to_string())
            .arg(dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
            eprintln!(
                "{case} at {rooms} rooms failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            self.failed = true;
            return;
        };
        let fields: Vec<&str> = line.split(' ').collect();
        self.seconds
            .push(Duration::from_secs_f64(fields[0].parse().unwrap()));
        self.cpu
            .push(Duration::from_secs_f64(fields[1].parse().unwrap()));
        // The highest of the processes' peaks.
        self.peak_kib = self.peak_kib.max(fields[2].parse().unwrap());
        self.shape = format!(
            "{:>5} files {:>7} KiB",
            fields[3],
            fields[4].parse::<usize>().unwrap() / 1024
        );
        self.each.push(fields[5].to_owned());
    }

    fn report(&self, case: &str, rooms: usize) -> Option<Measured> {
        if self.failed || self.seconds.is_empty() {
            return None;
        }
        let (seconds, cpu) = (
            median(&self.seconds).as_secs_f64(),
            median(&self.cpu).as_secs_f64(),
        );
        println!(
            "{rooms:>6} rooms  {case:<14} median {seconds:>7.3} s (cpu {cpu:.2} s)  peak {:>6.1} MiB  {}  runs [{}]",
            self.peak_kib / 1024.0,
            self.shape,
            self.each.join(",")
        );
        Some(Measured {
            seconds,
            cpu,
            peak_mib: self.peak_kib / 1024.0,
        })
    }
}

/// The runs of a case at every size: each in a fresh process of its own, as `chatlog` always
/// runs (cold: its heap is new, every page it touches is faulted in), the sizes taking turns
/// run by run, so that a machine that gets busier or quieter over the minutes a case takes
/// weighs on every size alike, and the growth from one size to the next is read from runs made
/// side by side (a size's runs all made before the next size's put a busy spell's swing into
/// the growth: 6.0x-11.1x for one case between two spells, issue 17). With `warm`, each size's
/// runs in one process, where every run after the first reuses the pages the one before freed.
/// Warm runs flatter small specs, whose freed pages the allocator still holds, more than large
/// ones, whose it has returned: at 5,000 rooms they took half the time of cold ones, at 50,000
/// nearly the same.
fn measure(case: &str, sizes: &[Size], warm: bool) -> Vec<Option<Measured>> {
    let mut runs: Vec<Runs> = sizes.iter().map(|_| Runs::default()).collect();
    let turns = sizes.iter().map(|s| s.runs).max().unwrap_or(0);
    for turn in 0..turns {
        for (size, so_far) in sizes.iter().zip(&mut runs) {
            match (warm, turn) {
                (true, 0) => so_far.add(case, size.rooms, &size.spec_file, size.runs, &size.dir),
                (false, _) if turn < size.runs => {
                    so_far.add(case, size.rooms, &size.spec_file, 1, &size.dir);
                }
                _ => {}
            }
        }
    }
    sizes
        .iter()
        .zip(&runs)
        .map(|(size, so_far)| so_far.report(case, size.rooms))
        .collect()
}

/// One size of spec: its rooms, the spec generated for it, its folder for `--out`, and how many
/// runs each case makes of it.
struct Size {
    rooms: usize,
    spec_file: PathBuf,
    dir: PathBuf,
    runs: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, case, spec_file, runs, dir] = args.as_slice()
        && flag == "--child"
    {
        child(
            case,
            Path::new(spec_file),
            runs.parse().unwrap(),
            Path::new(dir),
        );
        return;
    }

    let mut sizes = Vec::new();
    let mut cases = Vec::new();
    let mut runs = None;
    let mut deployments = 5;
    let mut spec_out = None;
    let mut warm = false;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            "--warm" => warm = true,
            "--case" => cases.push(rest.next().expect("--case NAME").clone()),
            "--runs" => runs = Some(rest.next().expect("--runs N").parse().unwrap()),
            "--deployments" => deployments = rest.next().expect("--deployments N").parse().unwrap(),
            "--spec-out" => spec_out = Some(PathBuf::from(rest.next().expect("--spec-out PATH"))),
            n => sizes.push(n.parse::<usize>().expect("a number of rooms")),
        }
    }
    // The spec of the first size, to time `chatlog` itself or `cdk synth` on (README).
    if let Some(path) = spec_out {
        let rooms = sizes.first().copied().unwrap_or(SIZES[1]);
        std::fs::write(&path, spec::spec(rooms, deployments)).unwrap();
        println!(
            "wrote {} ({rooms} rooms, {deployments} deployments)",
            path.display()
        );
        return;
    }
    // Under `cargo test` (no --bench) only a smoke run of the smallest size: the bench's code
    // is exercised, the suite does not spend minutes timing a debug build.
    if !args.iter().any(|a| a == "--bench") && sizes.is_empty() {
        sizes = vec![SIZES[0]];
        runs = runs.or(Some(1));
    }
    if sizes.is_empty() {
        sizes = SIZES.to_vec();
    }
    if cases.is_empty() {
        cases = CASES.iter().map(|c| (*c).to_owned()).collect();
    }
    for c in &cases {
        targets(c);
    }

    let scratch: PathBuf =
        std::env::temp_dir().join(format!("chatlog-bench-{}", std::process::id()));
    let sizes: Vec<Size> = sizes
        .iter()
        .map(|&rooms| {
            let dir = scratch.join(rooms.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            // Generated once per size; every case's child reads it.
            let spec_file = scratch.join(format!("{rooms}.spec.yaml"));
            std::fs::write(&spec_file, spec::spec(rooms, deployments)).unwrap();
            // Fifteen by default at every size: on a 2-core VM the medians of 3 and 5 runs
            // read one binary's `graph` growth anywhere from 9.8x to 11.8x, those of 15 from
            // 9.9x to 10.6x; every run is a process of its own and a 50,000-room run under a
            // tenth of a second, so the whole bench still takes well under a minute.
            let runs = runs.unwrap_or(15);
            Size {
                rooms,
                spec_file,
                dir,
                runs,
            }
        })
        .collect();
    // `rewrite` and `check` start from what `write` leaves; without `write` in the list,
    // write first.
    if cases.iter().any(|c| c == "rewrite" || c == "check") && !cases.iter().any(|c| c == "write") {
        for size in &sizes {
            Runs::default().add("write", size.rooms, &size.spec_file, 1, &size.dir);
        }
    }
    // Case by case, each case's rows by size.
    let by_case: Vec<Vec<Option<Measured>>> =
        cases.iter().map(|c| measure(c, &sizes, warm)).collect();
    let table: Vec<(usize, Vec<Option<Measured>>)> = sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            let row = by_case
                .iter()
                .map(|of_case| of_case.get(i).copied().flatten())
                .collect();
            (size.rooms, row)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);

    println!(
        "\nmedian wall time, median CPU time and peak memory ({deployments} deployments, YAML templates, {})",
        if warm {
            "runs in one process"
        } else {
            "each run in a process of its own"
        }
    );
    print!("{:>7}", "rooms");
    for c in &cases {
        print!(" | {c:>26}");
    }
    println!();
    for (rooms, row) in &table {
        print!("{rooms:>7}");
        for m in row {
            match m {
                Some(m) => print!(
                    " | {:>6.3} s {:>5.2} cpu {:>4.0} MiB",
                    m.seconds, m.cpu, m.peak_mib
                ),
                None => print!(" | {:>26}", "failed"),
            }
        }
        println!();
    }
    let at = |n: usize| table.iter().find(|(r, _)| *r == n).map(|(_, row)| row);
    if let (Some(small), Some(large)) = (at(5_000), at(50_000)) {
        print!("{:>7}", "growth");
        for (s, l) in small.iter().zip(large) {
            match (s, l) {
                (Some(s), Some(l)) => print!(
                    " | {:>6.1}x {:>8.1}x cpu    ",
                    l.seconds / s.seconds,
                    l.cpu / s.cpu.max(0.01)
                ),
                _ => print!(" | {:>26}", "-"),
            }
        }
        println!("   (time, 5,000 -> 50,000 rooms)");
    }
}
