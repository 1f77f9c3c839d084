"""Cold-start benchmark: the first scan after a plain (not editable) install.

A wheel of this checkout is built and installed into a fresh virtual environment
(dependencies from the local pip cache or index), the compiled-kernel cache empty,
as on a fresh machine. Measured, whole process, medians of ``--repeat`` runs each
with an empty cache:

- ``first``: ``agentgraph scan`` of a 30-row fixture right after the install;
- ``second``: the same again (the cache as the first run left it);
- ``help``: ``agentgraph --help`` (interpreter start and imports);
- ``large first`` / ``large second``: a scan of a 60,000-row forest (above the
  interpreted-kernel size, so the kernels compile) with the install folder made
  read-only and no writable home: the first run compiles, the second must not
  (``NUMBA_DEBUG_CACHE`` says whether machine code was saved or loaded).

Targets: first tiny scan <= 3 s; no compile in the second large run.

    python bench/bench_coldstart.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "fixtures" / "boundary_30_3.csv"


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
    return took, done.stdout + done.stderr


def _install(work: Path, checkout: Path) -> Path:
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(checkout)],
        check=True,
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(wheels.glob("agentgraph-*.whl"))
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    return venv


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="Install this checkout instead (e.g. an older tree, for a paired figure).",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="agentgraph-cold-"))
    t = time.perf_counter()
    venv = _install(work, args.checkout)
    print(f"checkout: {args.checkout}")
    print(f"plain install into a fresh venv: {time.perf_counter() - t:.1f} s")
    exe = str(venv / "bin" / "agentgraph")
    site = next((venv / "lib").glob("python*/site-packages/agentgraph"))
    home = work / "home"
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"}

    def empty_cache() -> None:
        for p in site.rglob("__pycache__"):
            for f in list(p.glob("*.nbi")) + list(p.glob("*.nbc")):
                f.unlink()
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir()

    firsts, seconds, helps = [], [], []
    for _ in range(args.repeat):
        empty_cache()
        firsts.append(_run([exe, "scan", str(TINY)], base)[0])
        seconds.append(_run([exe, "scan", str(TINY)], base)[0])
        helps.append(_run([exe, "--help"], base)[0])
    med = statistics.median
    print(f"  first scan, 30 rows, empty cache  {med(firsts):6.2f} s  runs {firsts}")
    print(f"  second scan                       {med(seconds):6.2f} s  runs {seconds}")
    print(f"  agentgraph --help                 {med(helps):6.2f} s  runs {helps}")
    print(f"  first / --help: {med(firsts) / med(helps):.2f}x")

    data = work / "forest.parquet"
    _run([exe, "synth", "forest", "-n", "60000", "-o", str(data)], base)
    empty_cache()
    ro = dict(base, HOME="/proc/agentgraph-no-home", NUMBA_DEBUG_CACHE="1", TMPDIR=str(work))
    (work / f"agentgraph-numba-{os.getuid()}").mkdir(exist_ok=True)
    shutil.rmtree(work / f"agentgraph-numba-{os.getuid()}")
    script = f"mount --bind {venv} {venv} && mount -o remount,ro,bind {venv} && {exe} scan {data}"
    can_mount = os.geteuid() == 0 and shutil.which("unshare") is not None
    results = []
    if can_mount:
        big1, out1 = _run(["unshare", "-m", "sh", "-c", script], ro)
        big2, out2 = _run(["unshare", "-m", "sh", "-c", script], ro)
        print(
            f"  read-only install, no home: large first {big1:.2f} s (compiles: "
            f"{'data saved' in out1}), second {big2:.2f} s (compiles: {'data saved' in out2})"
        )
        results.append(
            (
                "no compile in the second large run (read-only install)",
                "data saved" not in out2 and "data loaded" in out2,
                f"{big2:.2f} s",
            )
        )
    else:
        print("  read-only install: skipped (needs root and unshare)")
    results.insert(
        0,
        (
            "first tiny scan after a plain install <= 3 s",
            med(firsts) <= 3.0,
            f"{med(firsts):.2f} s",
        ),
    )
    print("\ntargets:")
    ok = True
    for name, passed, value in results:
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}: {value}")
        ok &= passed
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
