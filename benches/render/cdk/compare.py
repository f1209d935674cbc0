#!/usr/bin/env python3
"""Issue 17's comparison: `cdk synth` of a rendered spec's templates against chatlog's render.

    python3 benches/render/cdk/compare.py --cdk-dir /tmp/cdk --spec /tmp/spec5k.yaml \
        --runs 21 target/release/chatlog [other chatlog builds ...]

Each chatlog run comes right after a `cdk synth` of its own, and the builds take turns in an
order that alternates from round to round: the first process after `cdk synth` runs about a
millisecond slower than the next (README, Render performance), so a fixed order would favour
every build but the first. Times are wall clock around each process; CPU time is the process's
own (user and system, from wait4). Prints medians and the ratios.

Each chatlog run renders into an empty folder, as `cdk synth` writes every file; with
`--rerender`, over its own last run's templates, which an unchanged spec leaves as they are
(README: render keeps a file whose bytes did not change). Every `cdk synth` and every chatlog
run writes into a new folder of its own, and the folders are removed only at the end: on ext4
without a journal, as this machine's, an inode freed in the last 60 seconds is skipped when a
file is created (fs/ext4/ialloc.c, `recently_deleted`), so removing the folders between runs
made each later file creation search past every file removed before it. `--remove-between`
removes them before each run instead, as this script did until the eleventh session.
The removal at the end still counts for the next comparison in the same place for up to six
minutes: wait between comparisons, or give TMPDIR a folder on tmpfs (`TMPDIR=/dev/shm`), where
both tools then write. Kept to the end, the folders take about 15 MB a run at 5,000 rooms (9.4
MB of cdk.out, 5.4 of chatlog's templates): 21 rounds of two builds, some 630 MB, in memory on
tmpfs.

Needs `--cdk-dir` prepared as the README says (app.js and aws-cdk-lib installed); nothing is
written there. A run that fails stops the comparison: a median of failures would compare
nothing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(argv, cwd=None, env=None):
    """Wall and CPU seconds of one process; exits if it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        code = os.waitstatus_to_exitcode(status)
        sys.exit(f"{' '.join(argv)} failed (exit {code}):\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def render_argv(chatlog, spec, out):
    return [chatlog, "render", spec, "--target", "cloudformation", "--format", "json", "--out", out]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chatlog", nargs="+", help="chatlog binaries to compare")
    parser.add_argument("--spec", required=True, help="the spec (bench: --spec-out)")
    parser.add_argument("--cdk-dir", required=True, help="folder with app.js and aws-cdk-lib")
    parser.add_argument("--runs", type=int, default=21, help="rounds (default 21)")
    parser.add_argument(
        "--remove-between",
        action="store_true",
        help="remove cdk.out and chatlog's folder before each run instead of writing new ones",
    )
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="render over the last run's templates (as a pull request's CI job does), "
        "not into an empty folder",
    )
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="chatlog-vs-cdk-")
    try:
        templates = os.path.join(work, "templates")
        timed(render_argv(args.chatlog[0], args.spec, templates))
        # In the temporary folder, not in --cdk-dir: a cdk.out there is the user's.
        synth = ["node", "app.js", os.path.join(templates, "cloudformation")]
        env = dict(os.environ, CDK_VALIDATION="false")
        # A folder of each build's own: with --rerender, each renders over its own last run.
        outs = {binary: os.path.join(work, f"out-{i}") for i, binary in enumerate(args.chatlog)}
        if args.rerender:
            for binary, out in outs.items():
                timed(render_argv(binary, args.spec, out))
        cdk, runs = [], {binary: [] for binary in args.chatlog}
        for round_ in range(args.runs):
            order = args.chatlog if round_ % 2 == 0 else list(reversed(args.chatlog))
            for binary in order:
                n = len(cdk)
                if args.remove_between:
                    synth_out = os.path.join(work, "cdk.out")
                    shutil.rmtree(synth_out, ignore_errors=True)
                else:
                    synth_out = os.path.join(work, f"cdk.out-{n}")
                cdk.append(timed(synth + [synth_out], cwd=args.cdk_dir, env=env))
                if args.rerender:
                    out = outs[binary]
                elif args.remove_between:
                    out = outs[binary]
                    shutil.rmtree(out, ignore_errors=True)
                else:
                    out = os.path.join(work, f"out-{n}")
                runs[binary].append(timed(render_argv(binary, args.spec, out)))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def medians(samples):
        return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)

    cdk_wall, cdk_cpu = medians(cdk)
    # --rerender keeps chatlog's folder whatever --remove-between says; say each tool's own.
    synth_into = "cdk.out removed before each run" if args.remove_between else "a new cdk.out each run"
    if args.rerender:
        render_into = "over its last run"
    elif args.remove_between:
        render_into = "into its folder, removed before each run"
    else:
        render_into = "into a new folder each run"
    print(f"cdk synth: {cdk_wall * 1000:.0f} ms wall, {cdk_cpu * 1000:.0f} ms CPU "
          f"(median of {len(cdk)}), {synth_into}; chatlog {render_into}")
    for binary, samples in runs.items():
        wall, cpu = medians(samples)
        print(f"{binary}: {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU "
              f"(median of {len(samples)}): {cdk_wall / wall:.1f}x by wall time, "
              f"{cdk_cpu / cpu:.1f}x by CPU time")


if __name__ == "__main__":
    main()
