"""Run every benchmark and print the README's table (markdown) after the raw JSON lines."""
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

NAMES = ["bench_counter", "bench_lag", "bench_launch", "bench_many_works", "bench_idle", "bench_shutdown", "bench_payload", "bench_drive"]
# Run order: memory-heavy first, the disk-heavy drive benchmark last (its writeback slows what follows).
ORDER = ["bench_payload", "bench_counter", "bench_lag", "bench_launch", "bench_many_works", "bench_idle", "bench_shutdown", "bench_drive"]


def table(rows: dict) -> str:
    c, lag, launch, many, idle, down, payload, drive = (rows.get(n.removeprefix("bench_")) for n in NAMES)
    lines = ["| what | reference (same run) | peer (issue) | lightwork | goal |", "|---|---|---|---|---|"]
    if c:
        lines.append(f"| `self.counter += 1` in a running work | plain loop {c['plain_loop_per_s'] / 1e6:.1f}M/s | 0.00002x | {c['ratio']}x ({c['work_updates_per_s'] / 1e6:.1f}M/s); {c['ratio_with_1m_item_list_in_state']}x with a 1M-item list also in state | >= 0.33x |")
    if lag:
        lines.append(f"| 100 updates at 50 Hz: seen, lag p50, p99 | one-way pipe {lag['pipe_p50_us']} us | 19/100, 26 ms, 60 ms | {lag['seen_of_100']}/100, {lag['lag_p50_ms']} ms, {lag['lag_p99_ms']} ms | >= 95, <= 2 ms, <= 10 ms |")
    if launch:
        lines.append(f"| launch to first flow `run()` | bare `python -c` {launch['bare_python_s']} s | 2.4 s | {launch['first_run_s']} s | <= 0.5 s |")
    if many:
        lines.append(f"| 100 parallel works set one value: done, unique memory | fork of 100 processes {many['fork_100_bare_s']} s | 9.5 s, 1651 MB | {many['done_from_first_run_s']} s ({many['done_from_launch_s']} s from launch), {many['unique_memory_mb']} MB | <= 2 s, <= 800 MB |")
    if idle:
        lines.append(f"| idle app, CPU of all its processes | sleeping python {idle['sleeping_python_percent']}% | 101% | {idle['cpu_percent_of_a_core']}% of a core | < 2% |")
    if down:
        lines.append(f"| Ctrl+C / SIGTERM to exit, all processes gone; SIGKILL of the app to works gone | stop grace {down['stop_grace_s']} s | | {down['sigint_s']} s / {down['sigterm_s']} s; {down['sigkill_s']} s | <= 2 s |")
    if payload:
        lines.append(f"| {payload['mb']} MB numpy Payload, work to work | pickle-file round trip {payload['pickle_file_round_trip_s']} s (a memory copy: {payload['memory_copy_ratio']}x) | 0.13x | {payload['ratio']}x ({payload['handoff_s']} s) | >= 1.0x |")
    if drive:
        lines.append(f"| Drive put and get of 256 MB, in memory (/dev/shm) | `shutil.copyfile` {drive['copyfile_in_memory_s']} s | 1.3x (page cache) | {drive['put_get_ratio_in_memory']}x (median of 6 rounds) | >= 0.8x |")
        lines.append(f"| ... on this VM's disk | `shutil.copyfile` {drive['copyfile_256mb_s']} s | | {drive['put_get_ratio']}x (median of 6 rounds; best put {drive['put_s']} s, get {drive['get_s']} s) | >= 0.8x |")
        lines.append(f"| 200 small Drive puts | | 1196/s | {drive['small_puts_per_s']}/s | >= 2500/s |")
        lines.append(f"| Drive list of 200 files | | 5.6 ms | {drive['list_200_ms']} ms | <= 20 ms |")
    return "\n".join(lines)


def main() -> None:
    selected = sys.argv[1:] or ORDER
    rows = {}
    for name in selected:
        module = importlib.import_module(name if name.startswith("bench_") else f"bench_{name}")
        row = module.main()
        rows[row["benchmark"]] = row
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
