"""Run every benchmark and print the README's table (markdown) after the raw JSON lines."""
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

NAMES = ["bench_counter", "bench_lag", "bench_launch", "bench_many_works", "bench_idle", "bench_state", "bench_failure", "bench_shutdown", "bench_payload", "bench_drive", "bench_server", "bench_passes"]  # bench_ray has a table of its own
# Run order: memory-heavy first, the disk-heavy drive benchmark last (its writeback slows what follows).
ORDER = ["bench_payload", "bench_state", "bench_counter", "bench_lag", "bench_launch", "bench_many_works", "bench_idle", "bench_passes", "bench_failure", "bench_shutdown", "bench_server", "bench_ray", "bench_drive"]


def table(rows: dict) -> str:
    c, lag, launch, many, idle, state, failure, down, payload, drive, server, passes = (rows.get(n.removeprefix("bench_")) for n in NAMES)
    lines = ["| what | reference (same run) | Lightning Apps (issue) | lightwork | goal |", "|---|---|---|---|---|"]
    if c:
        lines.append(f"| `self.counter += 1` in a running work | plain loop {c['plain_loop_per_s'] / 1e6:.1f}M/s | 0.00002x | {c['ratio']}x ({c['work_updates_per_s'] / 1e6:.1f}M/s); {c['ratio_with_1m_item_list_in_state']}x with a 1M-item list also in state | >= 0.9x |")
    if lag:
        lines.append(f"| 100 updates at 50 Hz: seen, lag p50, p99 | one-way pipe {lag['pipe_p50_us']} us | 19/100, 26 ms, 60 ms | {lag['seen_of_100']}/100, {lag['lag_p50_ms']} ms, {lag['lag_p99_ms']} ms | >= 95, <= 2 ms, <= 10 ms |")
        lines.append(f"| a write after 10 s of quiet: seen, lag p50, p99 | | | {lag['after_quiet_seen_of_100']}/100, {lag['after_quiet_p50_ms']} ms, {lag['after_quiet_p99_ms']} ms | <= 10 ms, <= 50 ms |")
    if launch:
        lines.append(f"| launch to first flow `run()` | bare `python -c` {launch['bare_python_s']} s | 2.4 s | {launch['first_run_s']} s | <= 0.5 s |")
    if many:
        rows_ = {r["works"]: r for r in many["rows"]}
        sizes = " / ".join(str(n) for n in rows_)
        lines.append(f"| N parallel works each finish one call, from launch: {sizes} | forking N bare processes {' / '.join(str(r['fork_bare_s']) for r in rows_.values())} s | 100: 9.5 s | {' / '.join(str(r['s']) for r in rows_.values())} s; per work at 1000 vs 100: {many['per_work_growth']}x | 1000 <= 5 s, <= 1.5x |")
        lines.append(f"| unique memory of all the app's processes: {sizes} works | | 100: 1651 MB | {' / '.join(str(r['memory_mb']) for r in rows_.values())} MB | 1000 <= 3000 MB |")
    if idle:
        lines.append(f"| idle CPU, whole app: 1 work sleeping in `run()` | sleeping python {idle['sleeping_python_percent']}% | 101% | {idle['one_sleeping_percent']}% of a core | < 0.5% |")
        lines.append(f"| ... 100 works sleeping in `run()` / 100 works done with their call | | 113% / 113% (before) | {idle['hundred_sleeping_percent']}% / {idle['hundred_done_percent']}% | < 5% / < 3% |")
    if state:
        lines.append(f"| a work grows a dict one key at a time to 20,000 / 300,000 keys: flow has it, after the loop | | 44 s / never (before) | {state['grow_20k_s']} s / {state['grow_300k_s']} s | <= 0.5 s / <= 5 s |")
        lines.append(f"| a work assigns a 1,000,000-key dict: flow has it | `json.dumps` + `json.loads` {state['json_round_trip_1m_s']} s | never (before) | {state['assign_1m_ratio']}x ({state['assign_1m_s']} s) | <= 3x |")
    if passes:
        lines.append(f"| a flow whose pass takes 10 ms / 300 ms and changes state: passes per second | a loop of the same sleeps: {passes['sleep_10ms_per_s']} / {passes['sleep_300ms_per_s']} per s | 0.27x at 300 ms (before) | {passes['pass_10ms_ratio']}x / {passes['pass_300ms_ratio']}x ({passes['pass_10ms_per_s']} / {passes['pass_300ms_per_s']} per s) | >= 0.9x |")
        lines.append(f"| passes per minute of an app whose work is busy and nothing changes | | 60 (before) | {passes['quiet_passes_per_minute']:g} | 0 |")
    if failure:
        lines.append(f"| a work dies while a child it started lives on: reported failed | the child lives {failure['child_life_s']} s | 60 s (before) | {failure['reported_worst_s']} s (worst of 5) | <= 1 s |")
    if down:
        lines.append(f"| Ctrl+C / SIGTERM to exit, all processes gone; SIGKILL of the app to works gone | stop grace {down['stop_grace_s']} s | | {down['sigint_s']} s / {down['sigterm_s']} s; {down['sigkill_s']} s | <= 2 s |")
    if payload:
        lines.append(f"| {payload['mb']} MB numpy Payload, work to work | pickle-file round trip {payload['pickle_file_round_trip_s']} s (a memory copy: {payload['memory_copy_ratio']}x) | 0.13x | {payload['ratio']}x ({payload['handoff_s']} s) | >= 1.0x |")
    if drive:
        lines.append(f"| Drive put and get of 256 MB, in memory (/dev/shm) | `shutil.copyfile` {drive['copyfile_in_memory_s']} s | 1.3x (page cache) | {drive['put_get_ratio_in_memory']}x (median of 6 rounds) | >= 0.8x |")
        lines.append(f"| ... on this VM's disk | `shutil.copyfile` {drive['copyfile_256mb_s']} s | | {drive['put_get_ratio']}x (median of 6 rounds; best put {drive['put_s']} s, get {drive['get_s']} s) | >= 0.8x |")
        lines.append(f"| 200 small Drive puts | | 1196/s | {drive['small_puts_per_s']}/s | >= 2500/s |")
        lines.append(f"| Drive list of 200 files | | 5.6 ms | {drive['list_200_ms']} ms | <= 20 ms |")
        lines.append(f"| first Drive list of 200 files in a new work | its second list {drive['second_list_in_new_work_ms']} ms | 45 ms (before) | {drive['first_list_in_new_work_ms']} ms | <= 20 ms |")
    if server:
        on, off = server["pairs"]["on"], server["pairs"]["off"]
        lines.append(f"| 50 websocket clients + 200 req/s for 10 s, a work writing at 50 Hz: errors, p50, p99; clients seeing every delta in order | bare FastAPI /healthz p99 {server['bare_fastapi_p99_ms']} ms | | {server['errors']} errors, {server['p50_ms']} ms, {server['p99_ms']} ms; {server['clients_in_order']}/50 (websocket lag p99 {server['ws_lag_p99_ms']} ms) | 0, p99 < 50 ms, 50/50 |")
        lines.append(f"| server on vs `--no-ui`: counter/s, lag p50/p99, idle CPU of 1 sleeping work | `--no-ui` {off['counter_per_s'] / 1e6:.1f}M/s, {off['lag_p50_ms']}/{off['lag_p99_ms']} ms, {off['idle_percent']}% | | {on['counter_per_s'] / 1e6:.1f}M/s ({server['counter_on_vs_off']}x), {on['lag_p50_ms']}/{on['lag_p99_ms']} ms, {on['idle_percent']}% | within 10% |")
    if many:
        lines += ["", "| works | seconds from launch | ms per work | unique memory | forking as many bare processes |", "|---|---|---|---|---|"]
        lines += [f"| {r['works']} | {r['s']} | {r['s_per_work_ms']} | {r['memory_mb']} MB | {r['fork_bare_s']} s |" for r in many["rows"]]
    if rows.get("ray"):
        lines += ["", ray_table(rows["ray"])]
    return "\n".join(lines)


def ray_table(r: dict) -> str:
    """The Ray runtime's column (issue 9), each figure against a reference measured in the same run."""
    return "\n".join([
        "| measure, `--runtime ray` (one node) | reference (same run) | Ray | goal |",
        "|---|---|---|---|",
        f"| `self.counter += 1` in a running work | plain loop {r['plain_loop_per_s'] / 1e6:.1f}M/s | {r['counter_ratio']}x | >= 0.9x |",
        f"| a work writing at 50 Hz: seen, lag p50, p99 | one-way pipe {r['pipe_p50_us']} us | {r['lag_seen_of_100']}/100, {r['lag_p50_ms']} ms, {r['lag_p99_ms']} ms | >= 95, <= 3 ms, <= 15 ms |",
        f"| 256 MB numpy Payload work to work | pickle-file round trip {r['pickle_file_round_trip_s']} s | {r['payload_ratio']}x ({r['payload_handoff_s']} s); the first app on a fresh Ray: {r['payload_ratio_cold']}x | >= 2x |",
        f"| 20 parallel works each finish one call, Ray already running | | {r['parallel_20_s']} s | <= 2 s |",
        f"| a work's process killed: reported failed | | {r['death_reported_worst_s']} s (worst of 3) | <= 2 s |",
        f"| Ray started by lightwork: launch to first flow pass | bare `python -c` {r['bare_python_s']} s | {r['launch_to_first_pass_s']} s | < 10 s |",
    ])


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
