"""The tables of ``docs/scaling.md``: step time and memory vs size (``benchmarks/results/scaling.json``) and
MirroredStrategy vs one device (``benchmarks/results/distribute_scaling.json``)."""

from __future__ import annotations

import math

from results_file import from_results  # benchmarks/, the module's own folder
from scaling import work
_WHAT = {"pinn_points": "PINN `burgers`, 4×32 MLP, Adam step", "pinn_width": "PINN `burgers`, 8,192 points, Adam step",
         "image_gray": "DIP skip net, denoising, gray, iteration", "image_rgb": "DIP skip net, denoising, RGB, iteration",
         "grid": "`poisson2d_grid`, multiscale grid, float64, Adam step"}


def _size(series: str, size: int) -> str:
    if series.startswith("image"):
        return f"{size}²"
    if series == "grid":
        return f"{size}² nodes"
    return f"{size:,}"


@from_results("scaling")
def scaling_table(r) -> str:
    rows = ["| series | varies | size | time per step | peak memory (process, GiB) | memory of the run (GiB) |",
            "|---|---|---|---|---|---|"]
    for name, results in r["results"].items():
        for x in results:
            if "error" in x:
                rows.append(f"| {_WHAT[name]} | {r['series'][name]} | {_size(name, x['size'])} | failed: "
                            f"{x['error'][:80]} | | |")
                continue
            rows.append(f"| {_WHAT[name]} | {r['series'][name]} | {_size(name, x['size'])} | "
                        f"{1e3 * x['step_s']:.1f} ms | {x['peak_gib']:.2f} | {x['memory_gib']:.2f} |")
    rows.append(f"\n{r['machine']}, {r['date']}; the median over epochs after the first (which compiles).")
    return "\n".join(rows)


def _last_slope(series: str, rows: list[dict], key: str) -> float:
    """The slope of log ``key`` against log size between the two largest sizes measured."""
    a, b = [r for r in rows if key in r][-2:]
    return math.log(b[key] / a[key]) / math.log(work(series, b["size"]) / work(series, a["size"]))


@from_results("scaling")
def slopes_table(r) -> str:
    rows = ["| series | size measured as | time: fit over all sizes | time: two largest | "
            "memory of the run: fit over all | memory: two largest |", "|---|---|---|---|---|---|"]
    for name, s in r["slopes"].items():
        unit = {"image_gray": "pixels", "image_rgb": "pixels", "grid": "nodes"}.get(name, r["series"][name])
        res = r["results"][name]
        rows.append(f"| {_WHAT[name]} | {unit} | {s['time']:.2f} | {_last_slope(name, res, 'step_s'):.2f} | "
                    f"{s['memory']:.2f} | {_last_slope(name, res, 'memory_gib'):.2f} |")
    return "\n".join(rows)


def projected_limit(series: str, rows: list[dict], total: float) -> float:
    """The size at which the memory of the run, extended as the power law through the two largest sizes
    measured, reaches the machine's ``total`` less the process's base (images and grids: the side)."""
    a, b = sorted((r for r in rows if "memory_gib" in r), key=lambda r: r["size"])[-2:]
    k = _last_slope(series, [a, b], "memory_gib")
    limit = work(series, b["size"]) * ((total - b["base_gib"]) / b["memory_gib"]) ** (1 / k)
    return math.sqrt(limit) if series.startswith(("image", "grid")) else limit


@from_results("scaling")
def largest_table(r) -> str:
    big = r.get("largest")
    if big is None:
        return "_(run `python benchmarks/scaling.py --largest` to fill this table)_"
    rows = ["| series | size tried | time per step | memory of the run (GiB) | trained | projected limit on this machine |",
            "|---|---|---|---|---|---|"]
    for name, tried in big["tried"].items():
        limit = projected_limit(name, r["results"][name] + tried, big["machine_gib"])
        for x in tried:
            ok = "error" not in x
            rows.append(f"| {_WHAT[name]} | {_size(name, x['size'])} | "
                        + (f"{x['step_s']:.2f} s | {x['memory_gib']:.1f} | yes" if ok else f" | | no: {x['error'][:60]}")
                        + f" | {_size(name, int(round(limit, -4 if name == 'pinn_points' else 0)))} |")
    rows.append(f"\nThe projection extends the memory of the run as a power law through the two largest sizes "
                f"measured to the machine's {big['machine_gib']:.1f} GiB (less the process's base).")
    return "\n".join(rows)


@from_results("distribute_scaling")
def mirrored_table(r) -> str:
    rows = ["| points per step | weights | 1 device | 2 logical devices (mirrored) | throughput ratio | "
            "all-reduce of the gradient | projected speed-up on 2 / 4 / 8 devices |", "|---|---|---|---|---|---|---|"]
    for x in r["rows"]:
        p = x["projected_speedup"]
        rows.append(f"| {x['points']:,} | {x['weights']:,} | {1e3 * x['median_one_s']:.1f} ms | "
                    f"{1e3 * x['median_mirrored_s']:.1f} ms | ×{x['throughput_ratio']:.2f} | "
                    f"{1e6 * x['allreduce_s']:.0f} µs | ×{p['2']:.1f} / ×{p['4']:.1f} / ×{p['8']:.1f} |")
    if all("lbfgs_eval_s" in x for x in r["rows"]):
        gathered = all("mirrored, gathered" in x["lbfgs_eval_s"] for x in r["rows"])
        rows += ["", "| points | L-BFGS evaluation, one device | under MirroredStrategy (on one device, XLA off) | "
                 + ("one shard per replica, gradients summed |" if gathered else "ratio |"),
                 "|---|---|---|---|"]
        for x in r["rows"]:
            t = x["lbfgs_eval_s"]
            one, two = t["default"], t["mirrored"]
            mirrored = f"{1e3 * two:.1f} ms" + (f" (×{two / one:.2f})" if gathered else "")
            last = (f"{1e3 * t['mirrored, gathered']:.1f} ms (×{t['mirrored, gathered'] / one:.2f})" if gathered
                    else f"×{two / one:.2f}")
            rows.append(f"| {x['points']:,} | {1e3 * one:.1f} ms | {mirrored} | {last} |")
    rows.append(f"\n`{r['preset']}` Adam steps, medians of {len(r['rows'][0]['one_device_s'])} runs each, "
                f"alternating; {r['machine']}, {r['date']}.")
    return "\n".join(rows)


@from_results("instance_scaling")
def instances_table(r) -> str:
    img, grid = r["image"]["median_ms"], r["grid"]["median_s"]
    one = img["one fit"]
    rows = ["| image fits (`dip_denoise`, 256², DIP skip net) | ms per step | fits × steps per second | "
            "throughput against one fit |", "|---|---|---|---|"]
    for label, fits in (("one fit", 1), ("2 fits, one device", 2), ("2 fits, mirrored", 2)):
        name = {"one fit": "one fit alone", "2 fits, one device": "2 fits, one instance batch on one device",
                "2 fits, mirrored": "2 fits, one member per logical device (MirroredStrategy)"}[label]
        rows.append(f"| {name} | {img[label]:.0f} | {1e3 * fits / img[label]:.2f} | "
                    f"×{fits * one / img[label]:.2f} |")
    turn, threads = grid["2 fits in turn"], grid["2 fits, thread per device"]
    rows += ["", f"| grid fits (`darcy_grid`, {r['grid']['lbfgs_iterations']} L-BFGS iterations each) | "
                 "seconds for both | speed-up |", "|---|---|---|",
             f"| one after the other (default strategy) | {turn:.1f} | ×1.00 |",
             f"| one thread per logical device (MirroredStrategy) | {threads:.1f} | ×{turn / threads:.2f} |",
             f"\nMedians over {len(r['image']['rounds'])} interleaved rounds ({r['image']['steps']} timed steps per "
             f"image configuration); {r['machine']}, {r['date']}."]
    return "\n".join(rows)


SCALING_TABLES = {"scaling": scaling_table, "slopes": slopes_table, "largest": largest_table,
                  "mirrored": mirrored_table, "instances": instances_table}
