"""Regenerate the tables of README.md and docs/*.md from the preset registry, shipped metadata and benchmark outputs.

    python benchmarks/make_readme_tables.py          # rewrite README.md and docs/ in place
    python benchmarks/make_readme_tables.py --check  # exit 1 if any of them is stale

Tables live between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers (:data:`PAGES` says which page
holds which): ``presets`` from the registry, ``headline`` and ``zoo`` from ``saved_models/*/pinnzoo.json``
(scores as recorded at export, which ``pinnzoo evaluate`` and the test-suite recompute; each row by the
preset family that wrote the export), the others from ``benchmarks/results/NAME.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from classical_race_tables import CLASSICAL_RACE_TABLES  # benchmarks/, the script's own folder
from darcy_replicated_tables import DARCY_REPLICATED_TABLES
from factorial_tables import FACTORIAL_TABLES
from field_inverse_tables import FIELD_INVERSE_TABLES
from held_out_tables import HELD_OUT_TABLES
from pinnacle_tables import PINNACLE_TABLES
from lessons_tables import LESSON_TABLES
from optimizer_tables import OPTIMIZER_TABLES
from results_file import from_results
from scaling_tables import SCALING_TABLES
from seed_tables import SEED_TABLES
from spectra_tables import SPECTRA_TABLES
from transfer_tables import TRANSFER_TABLES
from underparameterised_tables import UNDERPARAMETERISED_TABLES
from pinnzoo.presets import PINNPreset, family_of, preset_names
from pinnzoo.recipe import recipe_status

ROOT = Path(__file__).resolve().parents[1]


def shipped_metadata() -> list[dict]:
    """``pinnzoo.json`` of every shipped model, by preset name."""
    metas = [json.loads(p.read_text()) for p in (ROOT / "saved_models").glob("*/pinnzoo.json")]
    return sorted(metas, key=lambda m: m["preset"])


def presets_table() -> str:
    from pinnzoo.presets import PRESETS

    rows = ["| preset | family | what it solves, with what | target |", "|---|---|---|---|"]
    for name, p in PRESETS.items():
        rows.append(f"| `{name}` | {p.family} | {p.description} | {p.target_text()} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    """Text for a table cell: a pipe would end the cell."""
    return text.replace("|", "\\|")


def registries_table() -> str:
    """Priors, imaging tasks with their operators, and PSF families, from the registries."""
    from pinnzoo.operators import PSFS
    from pinnzoo.priors import PRIORS, ForwardJets, ImageGenerator
    from pinnzoo.tasks import TASKS

    rows = ["| prior | class | contract | what it is |", "|---|---|---|---|"]
    for name, cls in PRIORS.items():
        contract = "ImageGenerator" if issubclass(cls, ImageGenerator) else "CoordinateNetwork" + (
            " + ForwardJets" if issubclass(cls, ForwardJets) else "")
        rows.append(f"| `{name}` | `{cls.__name__}` | {contract} | {_cell(cls.__doc__.strip().splitlines()[0])} |")
    rows += ["", "| task | operator | needs | forward model |", "|---|---|---|---|"]
    values = {"psf": "box:3", "mask": [[1.0]], "scale": 2, "kappa_t": 1.0}
    for name, task in TASKS.items():
        needs = "; ".join(f"`{p.flag}`: {p.help}" for p in task.parameters) or "nothing"
        rows.append(f"| `{name}` | `{type(task.make(**values)).__name__}` | {needs} | {_cell(task.summary)} |")
    rows.append("\nPSFs: " + ", ".join(f"`{f.spec}`" for f in PSFS.values()) + ", or a `.npy` kernel.")
    return "\n".join(rows)


def recipe_cell(meta: dict) -> str:
    """``today's`` if today's preset and training code give the export (:mod:`pinnzoo.recipe`), else a visible
    mark that the row is stale."""
    return "today's" if recipe_status(meta)["recipe_current"] else "**stale**: not retrained by today's code"


def met_cell(h: dict) -> str:
    """``yes``, or ``no`` with the measured gap to the target where the family gives one: a miss is stated."""
    return "yes" if h["met"] else "**no**" + (f" ({h['gap']})" if h.get("gap") else "")


def headline_table() -> str:
    rows = ["| preset | problem | result | target | met | train time | recipe |", "|---|---|---|---|---|---|---|"]
    machines = set()
    for m in shipped_metadata():
        h = family_of(m).headline(m)
        machines.add(m["training"]["machine"])
        rows.append(f"| `{m['preset']}` | {_cell(h['problem'])} | {h['result']} | {h['target']} | "
                    f"{met_cell(h)} | {h['time_s']:.0f} s | {recipe_cell(m)} |")
    rows.append(f"\nEvery shipped model, as recorded in its `pinnzoo.json` when it was trained ({'; '.join(sorted(machines))}); "
                "`pinnzoo evaluate saved_models/NAME` recomputes the score, and says whether today's preset and code "
                "give the model (`recipe_current`).")
    return "\n".join(rows)


@from_results("reproduce")
def reproduce_table(b: dict) -> str:
    rows = ["| preset | shipped before | its time | reproduced by today's code | time | target met | same score | "
            "machine | date |", "|---|---|---|---|---|---|---|---|---|"]
    for preset, runs in b["runs"].items():
        for host, r in sorted(runs.items()):
            old, new = r["shipped"], r["reproduced"]
            same = "–" if old is None else "yes" if old["result"] == new["result"] else "no"
            before, took = (old["result"], f"{old['time_s']:.0f} s") if old else ("nothing", "–")
            rows.append(f"| `{preset}` | {before} | {took} | {new['result']} | {new['time_s']:.0f} s | "
                        f"{'yes' if new['met'] else 'no'} | {same} | {host} | {r['date']} |")
    missing = [n for n in preset_names() if n not in b["runs"]]
    rows.append(f"\n`python benchmarks/reproduce.py --ship PRESET` retrains a preset from scratch with its full recipe "
                f"at the shipped export's seed; \"same score\" compares the headline as printed. Not yet reproduced: "
                f"{', '.join(f'`{n}`' for n in missing) or 'none'}.")
    return "\n".join(rows)


def zoo_table() -> str:
    rows = ["| preset | problem | rel. L2 error | target | met | train time | steps (Adam + L-BFGS) | machine |",
            "|---|---|---|---|---|---|---|---|"]
    for m in shipped_metadata():
        if not issubclass(family_of(m), PINNPreset):  # the image presets have a table of their own
            continue
        err = m["metrics"]["rel_l2"]
        target = m.get("target")
        tr = m["training"]
        met = err <= target
        for key, value in m["metrics"].items():
            if key.endswith("_rel_error"):
                name = key[len("param_"):-len("_rel_error")]
                err_text = f"{err:.2e}; {name} = {m['metrics']['param_' + name]:.5g} ({value:.1e} off)"
                met = met and value <= (m.get("param_target") or 0)
                break
        else:
            err_text = f"{err:.2e}"
        target_text = f"{target:g}" + (f"; params {m['param_target']:g}" if m.get("param_target") else "")
        rows.append(f"| `{m['preset']}` | {m['title']} | {err_text} | {target_text} | {'yes' if met else 'no'} "
                    f"| {tr['time_s']:.0f} s | {tr['adam_steps']} + {tr['lbfgs_iterations']} | {tr['machine']} |")
    return "\n".join(rows)


def _speed_table(b: dict) -> str:
    ttt = b["median_time_to_target_s"]
    rows = ["| measure (median of runs) | value |", "|---|---|",
            *([f"| preset | `{b.get('preset', 'burgers')}`: {b['preset_description']} |"]
              if "preset_description" in b else []),
            f"| time to rel. L2 ≤ {b['target']:g}, from scratch | {ttt:.0f} s (reached in {b['reached']} runs) |"
            if ttt is not None else f"| time to rel. L2 ≤ {b['target']:g} | not reached ({b['reached']}) |",
            f"| time to target in each run (seeds {', '.join(str(r['seed']) for r in b['runs'])}) | "
            + " / ".join("not reached" if r["time_to_target_s"] is None else f"{r['time_to_target_s']:.0f} s"
                         for r in b["runs"]) + " |",
            f"| final rel. L2 error | {b['median_final_rel_l2']:.2e} |",
            f"| total training time (Adam + L-BFGS) | {b['median_total_time_s']:.0f} s |",
            f"| Adam step, {b['n_residual']} collocation points | {b['median_adam_ms_per_step']:.2f} ms |",
            f"| machine | {b['machine']}; TensorFlow {b['versions']['tensorflow']}, Keras {b['versions']['keras']} |",
            f"| measured | {b['date']} |"]
    return "\n".join(rows)


speed_table = from_results("burgers_time_to_accuracy")(_speed_table)
speed_fast_table = from_results("burgers_fast_time_to_accuracy")(_speed_table)


@from_results("derivative_engines")
def engines_table(b: dict) -> str:
    rows = ["| derivative engine | Adam step (ms) | L-BFGS evaluation (ms) |", "|---|---|---|"]
    for engine, m in b["engines"].items():
        rows.append(f"| `{engine}` | {m['adam_ms']:.2f} | {m['lbfgs_eval_ms']:.2f} |")
    rows.append(f"\nMedians, `burgers` preset ({b['n_residual']} / {b['lbfgs_points']} points), {b['machine']}, "
                f"{b['date']}.")
    return "\n".join(rows)


@from_results("image_restoration")
def images_table(b: dict) -> str:
    rows = ["| preset | task | method | PSNR (dB) | SSIM | time | notes |", "|---|---|---|---|---|---|---|"]
    for name, r in sorted(b["presets"].items()):
        m, st, tr = r["metrics"], r["stopping"], r["training"]
        shipped = (ROOT / "saved_models" / name / "pinnzoo.json").exists()
        met = m["psnr"] >= r["target_psnr"]
        rows.append(f"| `{name}` | {r['task']} | **{r['prior']['name']}** ({r['prior']['parameters']:,} weights) "
                    f"| **{m['psnr']:.2f}** | {m['ssim']:.3f} | {tr['time_s']:.0f} s ({tr['ms_per_step']:.0f} ms/step) "
                    f"| target {r['target_psnr']:.2f} dB: {'met' if met else 'NOT met'}; stopped at step "
                    f"{st['kept_step']} of {st['steps']} ({'automatic' if st['auto_stopped'] else 'step limit'}), "
                    f"run's peak {st['peak_psnr']:.2f} dB at {st['peak_step']}"
                    + (f"; data consistency: the measured values kept (the average alone: {m['psnr_average']:.2f} dB)"
                       if "psnr_average" in m else "")
                    + f"{'; shipped' if shipped else ''} |")
        for base in r["baselines"]:
            rows.append(f"| | | {base['method']} ({base['parameter']}) | {base['psnr']:.2f} | {base['ssim']:.3f} "
                        f"| {base['seconds']:.1f} s | |")
    dates = [r["date"] for r in b["presets"].values()]
    rows.append(f"\n{b.get('machine', '')}; measured {' to '.join(sorted({min(dates), max(dates)}))}. Baselines are "
                "each at their best parameter, chosen with the clean image.")
    if "original_dip_256" in b:
        o = b["original_dip_256"]
        rows.append(f"The original-size DIP network (5 scales × 128 channels, {o['parameters']:,} weights) takes "
                    f"{o['eager_graph']['median_ms']:.0f} ms per iteration at 256 × 256 "
                    f"({o['xla']['median_ms']:.0f} ms with XLA) on this machine (median).")
    return "\n".join(rows)


@from_results("image_step_time")
def image_step_time_table(b: dict) -> str:
    rows = ["| preset | prior | ms per step (median) | step limit | projected time (limit × median) | shipped run |",
            "|---|---|---|---|---|---|"]
    for label, r in b["presets"].items():
        meta = ROOT / "saved_models" / r["preset"] / "pinnzoo.json"
        shipped = "–"
        if meta.exists() and label == r["preset"]:
            tr = json.loads(meta.read_text())["training"]
            shipped = f"{tr['time_s']:.0f} s ({tr['ms_per_step']:.0f} ms/step)"
        rows.append(f"| `{r['preset']}`{label[len(r['preset']):]} | {r['prior']} | {r['median_ms_per_step']:.0f} | "
                    f"{r['iterations']:,} | {r['projected_time_s']:.0f} s | {shipped} |")
    terms = "; ".join(f"{k} {v['median_ms']:.1f} ms" for k, v in b["data_term_256"].items())
    rows.append(f"\nEvery preset's solver on its own degraded image, {b['steps']} steps each in turn, {b['rounds']} rounds "
                f"(medians); the heat flow's data term alone (value and gradient, 256², preconditioned): {terms}. "
                f"`benchmarks/image_step_time.py`, {b['machine']}, {b['date']}; shipped run: the time its export records."
                + (f" {b['note']}" if b.get("note") else ""))
    return "\n".join(rows)


@from_results("dip_vs_pytorch")
def dip_vs_pytorch_table(b: dict) -> str:
    ms = b["median_ms"]
    rows = ["| implementation | arithmetic | ms per iteration (median) | per-round means | parameters |",
            "|---|---|---|---|---|"]
    labels = {"pinnzoo": ("pinnzoo (`ImagePriorSolver` through `fit`)", "float32"),
              "pytorch": (f"PyTorch {b['torch']} (eager, the authors' loop)", "float32"),
              "pytorch_compiled": (f"PyTorch {b['torch']}, network `torch.compile`-d (Inductor, default mode)",
                                   "float32"),
              "pinnzoo_bfloat16": ("pinnzoo, `dtype=\"mixed_bfloat16\"`", "bfloat16, float32 weights"),
              "pytorch_bfloat16": (f"PyTorch {b['torch']}, `torch.autocast` bfloat16", "bfloat16, float32 weights")}
    for name, (label, arithmetic) in labels.items():
        if name in ms:
            rows.append(f"| {label} | {arithmetic} | {ms[name]:.0f} | "
                        f"{', '.join(f'{t:.0f}' for t in b['ms_per_iteration'][name])} | "
                        f"{b['parameters'][name.split('_')[0]]:,} |")
    ratios = f"PyTorch / pinnzoo in float32 = **{b['speedup']:.2f}×**"
    if b.get("speedup_vs_compiled") is not None:
        ratios += (f"; PyTorch compiled / pinnzoo **{b['speedup_vs_compiled']:.2f}×** (compiling took "
                   f"{b['torch_compile_s']:.0f} s, not counted)")
    elif b.get("torch_compile_error"):
        ratios += f"; `torch.compile` did not run here ({b['torch_compile_error']})"
    if "speedup_bfloat16" in b:
        ratios += (f"; both in bfloat16 **{b['speedup_bfloat16']:.2f}×**; the authors' float32 loop / pinnzoo in "
                   f"bfloat16 {b['speedup_bfloat16_vs_float32_reference']:.2f}×")
    rows.append(f"\nDIP's original skip network (5 × 128 channels, 4 skip, 32-channel input), {b['size']}² gray, one "
                f"denoising iteration (input noise, forward, MSE, backward, Adam); {b['rounds']} alternating rounds of "
                f"{b['steps']} iterations, {b['threads']} threads each. {ratios}. "
                f"`benchmarks/dip_vs_pytorch.py`, {b['machine']}, {b['date']}.")
    return "\n".join(rows)


@from_results("dip_floor")
def dip_floor_table(b: dict) -> str:
    ms, rate = b["median_ms"], b["gflops"]
    rows = ["| what runs | ms (median) | GFLOP/s on the convolutions' arithmetic |", "|---|---|---|",
            f"| one DIP iteration, float32 (`fit` step) | {ms['step']:.0f} | {rate['step']:.0f} |",
            f"| its {b['convolutions']} convolutions alone, float32 | {ms['conv_float32']:.0f} | "
            f"{rate['conv_float32']:.0f} |"]
    if "conv_bfloat16" in ms:
        rows.append(f"| the same convolutions in bfloat16 | {ms['conv_bfloat16']:.0f} | {rate['conv_bfloat16']:.0f} |")
    rows.append(f"| the convolutions' arithmetic at the float32 matrix-product rate | {b['ms_at_matmul_rate']:.0f} | "
                f"{b['matmul_gflops']:.0f} |")
    rows.append(f"\n{b['conv_flops'] / 1e9:.1f} GFLOP of convolutions per iteration (forward, input and kernel "
                f"gradients, counted from the shapes), {b['size']}² gray, DIP's skip network (5 × 128 channels); "
                f"{b['rounds']} alternating rounds of {b['steps']} repetitions. `benchmarks/dip_floor.py`, "
                f"{b['machine']}, {b['date']}.")
    return "\n".join(rows)


@from_results("winograd_conv")
def winograd_table(b: dict) -> str:
    ms = b["median_ms"]
    direct = next(iter(ms.values()))
    rows = ["| algorithm | forward, ms (median) | forward and both gradients, ms (median) |", "|---|---|---|"]
    for algorithm, by_kind in ms.items():
        rows.append(f"| {algorithm} | {by_kind['forward']:.0f} ({by_kind['forward'] / direct['forward']:.2f}×) | "
                    f"{by_kind['forward and gradients']:.0f} "
                    f"({by_kind['forward and gradients'] / direct['forward and gradients']:.2f}×) |")
    rows.append(f"\nThe DIP iteration's largest convolution: 3×3, {b['in_channels']} → {b['out_channels']} channels at "
                f"{b['size']}², float32 ({b['forward_gflop_direct']:.1f} GFLOP forward by the direct algorithm); "
                f"relative difference of the two outputs {b['rel_diff']:.1e}; {b['rounds']} alternating rounds of "
                f"{b['reps']} calls. `benchmarks/winograd_conv.py`, {b['machine']}, {b['date']}.")
    return "\n".join(rows)


@from_results("stop_gate")
def stop_gate_table(b: dict) -> str:
    def rule(r):
        stopped = f", stops at {r['stopped_at']:,}" if r["stopped_at"] else ", runs to the step limit"
        return f"{r['psnr']:.2f} dB (step {r['kept_step']:,}{stopped})"

    def curve_psnr(run, step):  # runs stored before these columns: read off the curve (every 10 steps)
        return min(run["curve"], key=lambda c: abs(c[0] - step))[3]

    def later(run, lag=None):  # the gated rule's average `lag` steps after its minimum (None: at the stop)
        r = run["gated"]
        end = r["stopped_at"] or run["steps"]
        psnr = (r.get("psnr_at_stop") if lag is None else r.get("psnr_after", {}).get(str(lag))) \
            or curve_psnr(run, end if lag is None else min(r["kept_step"] + lag, end))
        return f"{psnr:.2f} ({psnr - r['psnr']:+.2f})"

    def morozov(run):
        r = run.get("discrepancy")
        if r is None:
            step = next((c[0] for c in run["curve"] if c[2] <= 1.0), run["steps"])
            r = {"step": step, "psnr": curve_psnr(run, step)}
        return f"{r['psnr']:.2f} dB (step {r['step']:,})"

    rows = ["| image | start | seed | peak PSNR of the average (step) | ES-WMV keeps | gated, true σ, keeps | "
            "gated, estimated σ (σ̂/σ), keeps | gated, the average 100 / 200 steps later, and at the stop "
            "(dB, vs kept) | first misfit ≤ σ² |", "|---|---|---|---|---|---|---|---|---|"]
    for r in b["runs"]:
        start = "cold" if r.get("start", "cold") == "cold" else "warm"
        rows.append(f"| {r['image']} | {start} | {r['seed']} | {r['peak']['psnr']:.2f} dB ({r['peak']['step']:,}) | "
                    f"{rule(r['es_wmv'])} | {rule(r['gated'])} | {rule(r['gated_estimated'])} "
                    f"({r['noise_sigma_estimated'] / r['noise_sigma']:.3f}) | {later(r, 100)} / {later(r, 200)} / "
                    f"{later(r)} | {morozov(r)} |")
    first = b["runs"][0]
    hosts = sorted({r["machine"] for r in b["runs"]})
    sources = sorted({r["start"] for r in b["runs"] if r.get("start", "cold") != "cold"})
    warm = f" Warm fits: {'; '.join(sources)}, with the burn-in." if sources else ""
    rows.append(f"\n`dip_denoise`, σ = {first['noise_sigma'] * 255:.0f}/255, one fit per image run to its step limit; "
                f"all rules read off the same fit (window {first['window']}, patience {first['patience']}, gate "
                f"τ = {first['factor']:g}: a minimum counts once mean((x̄ − y)²) ≤ τσ²).{warm} Runs logged before the "
                f"later averages were recorded: read off the curve stored every 10 steps. "
                f"`benchmarks/stop_gate.py`, {'; '.join(hosts)}, {b['date']}.")
    return "\n".join(rows)


@from_results("vs_deepxde")
def deepxde_table(b: dict) -> str:
    cpu = b.get("pinnzoo_median_cpu_ms_by_engine", {})
    rows = ["| measure (median of alternating windows) | ms per Adam step | CPU ms per step (both cores) |",
            "|---|---|---|"]
    for engine, ms in b.get("pinnzoo_median_ms_by_engine", {b.get("pinnzoo_engine", "tape"): b["pinnzoo_median_ms"]}).items():
        c = f"{cpu[engine]:.3f}" if engine in cpu else "–"
        engine, _, extra = engine.partition(", ")
        label = f"`derivatives=\"{engine}\"`" + (f", `{extra}`" if extra else "")
        rows.append(f"| pinnzoo ({label}) | {ms:.3f} | {c} |")
    settings = b.get("deepxde_median_ms_by_setting", {})
    for setting, ms in settings.items():
        fastest = setting == b["deepxde_setting"]
        c = f"{b['deepxde_median_cpu_ms']:.3f}" if fastest else ""
        rows.append(f"| DeepXDE {b['deepxde_version']} (TensorFlow 2 backend), `{setting}`"
                    f"{' (its fastest: compared below)' if fastest else ''} | {ms:.3f} | {c} |")
    if "deepxde_median_ms" in b:
        c = f"{b['deepxde_median_cpu_ms']:.3f}" if "deepxde_median_cpu_ms" in b else "–"
        rows += [] if settings else [f"| DeepXDE {b['deepxde_version']} (TensorFlow 2 backend) | "
                                     f"{b['deepxde_median_ms']:.3f} | {c} |"]
        rows += [
                 f"| speed-up of pinnzoo (fastest configuration) | {b['speedup']:.1f}× | "
                 + (f"{b['cpu_speedup']:.1f}× |" if "cpu_speedup" in b else "– |")]
    if "small_flops_per_step" in b:
        rows.append(f"| this step's arithmetic (graph profiler) | {b['small_flops_per_step'] / 1e6:.1f} MFLOP = "
                    f"{b['small_ms_at_matmul_peak']:.3f} ms at the large-matmul rate; achieved "
                    f"{b['small_achieved_gflops']:.1f} GFLOP/s | |")
    for r in b.get("layout_by_width", []):
        rows.append(f"| 3 × {r['width']} network, `taylor`, `inner_steps=100`: CPU ms per step, `[N, units]` → "
                    f"`feature_major=True` | | {r['points_major_cpu_ms']:.2f} → {r['feature_major_cpu_ms']:.2f} |")
    lg = b["large"]
    rows += [f"| large network ({len(lg['widths'])}×{lg['widths'][0]}, {lg['points']:,} points): ms per step | "
             f"{lg['ms_per_step']:.1f} | |",
             f"| achieved FLOP/s (graph-profiler FLOPs per step / step time) | {lg['achieved_gflops']:.1f} GFLOP/s "
             f"({100 * lg['fraction_of_matmul']:.0f}% of the machine's {lg['matmul_gflops']:.0f} GFLOP/s float32 "
             "matmul) | |",
             f"| machine | {b['machine']}; measured {b['date']} | |"]
    return "\n".join(rows)


@from_results("ablation")
def ablation_table(b: dict) -> str:
    rows = ["| problem | configuration | rel. L2 error | train time | steps (Adam + L-BFGS) |", "|---|---|---|---|---|"]
    for r in b["rows"]:
        name = r["configuration"].replace("  + ", "&nbsp;&nbsp;+ ")
        rows.append(f"| {r['problem']} | {name} | {r['rel_l2']:.2e} | {r['train_time_s']:.0f} s | "
                    f"{r['adam_steps']} + {r['lbfgs_iterations']} |")
    rows.append(f"\nSeed 0, {b['machine']}, {b['date']}. A row starting with + adds one technique to the row above "
                "it; an indented row adds one to the closest row above that is not indented (Allen–Cahn's causal "
                "row keeps the periodic embedding too). Times are single runs on a shared machine.")
    return "\n".join(rows)


@from_results("profile_step")
def profile_table(b: dict) -> str:
    rows = ["| layout | XLA kernels, µs per step (both cores) | matrix products | everything else |", "|---|---|---|---|"]
    for name, r in b["layouts"].items():
        label = {"feature_major": "`[units, N]` (`feature_major=True`)", "points_major": "`[N, units]` (Keras's, "
                 "the default)"}.get(name, name)
        rows.append(f"| {label} | {r['kernel_us_per_step']:.0f} | {r['matmul_us_per_step']:.0f} "
                    f"({100 * r['matmul_us_per_step'] / r['kernel_us_per_step']:.0f}%, {r['matmul_kernels_per_step']} "
                    f"kernels) | {r['other_us_per_step']:.0f} |")
    rows.append(f"\n{b['steps']} profiled steps per layout, {b['machine']}, {b['date']}.")
    return "\n".join(rows)


def _reached(r: dict, threshold: str) -> str:
    hit = r["to"].get(threshold)
    return f"{hit['iterations']} / {hit['time_s']:.1f} s" if hit else "–"


@from_results("grid_pde")
def grid_table(b: dict) -> str:
    """Every prior on every grid problem, Adam and L-BFGS, with the sparse direct solve as the floor."""
    rows = ["| problem | prior | loss | optimiser | parameters | rel. L2 vs discrete | vs continuous | "
            "iterations / time to 1e-2 | to 1e-3 | to 1e-4 | iterations run | time |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in b["runs"]:
        cont = f"{r['rel_l2_continuous']:.2e}" if "rel_l2_continuous" in r else "–"
        rows.append(f"| `{r['problem']}` | {r['prior']} | {r['loss']} | {'L-BFGS' if r['optimiser'] == 'lbfgs' else 'Adam'} "
                    f"| {r['parameters']:,} | {r['rel_l2']:.2e} | {cont} | {_reached(r, '0.01')} | {_reached(r, '0.001')} "
                    f"| {_reached(r, '0.0001')} | {r['iterations']} | {r['time_s']:.1f} s |")
    notes = []
    for name, p in b["problems"].items():
        rows.append(f"| `{name}` | **sparse direct solve** (scipy `spsolve`, {p['unknowns']:,} unknowns) | | | | exact | "
                    f"| | | | | {1000 * p['direct_solve_s']:.1f} ms |")
        if "discretisation_error" in p:
            notes.append(f"`{name}`: the discrete solution is {p['discretisation_error']:.2e} from the continuous one "
                         "(the floor of every 'vs continuous' entry).")
    rows.append(f"\nSeed 0, {b['dtype']}, a log point every {b['log_every']} iterations (time to a threshold is the "
                f"first log point below it, XLA compilation included), {b['machine']}, {b.get('date', '')}. "
                "\u2013: not reached within the iterations run. " + " ".join(notes))
    return "\n".join(rows)


@from_results("grid_pde")
def grid_stretch_table(b: dict) -> str:
    """Iterations to 1e-3 of the multiscale grid and the raw grid on three Darcy coefficient draws."""
    rows = ["| Darcy coefficient seed | optimiser | multiscale grid: iterations / time to 1e-3 | final error | "
            "raw grid: iterations / time to 1e-3 | final error |", "|---|---|---|---|---|---|"]
    runs = {(r["problem_params"]["seed"], r["optimiser"], r["prior_name"]): r for r in b["stretch"]}
    for seed, opt in sorted({(k[0], k[1]) for k in runs}, key=lambda k: (k[1], k[0])):
        ms, raw = runs[(seed, opt, "multiscale_grid")], runs[(seed, opt, "raw_grid")]
        rows.append(f"| {seed} | {'L-BFGS' if opt == 'lbfgs' else 'Adam'} | {_reached(ms, '0.001')} | {ms['rel_l2']:.2e} "
                    f"| {_reached(raw, '0.001')} | {raw['rel_l2']:.2e} |")
    budget = max(r["iterations"] for r in b["stretch"])
    rows.append(f"\nBudget {budget} iterations per run (L-BFGS may stop earlier when converged); {b['machine']}.")
    return "\n".join(rows)


@from_results("grid_pde_pinn")
def grid_pinn_table(b: dict) -> str:
    """The shipped continuous PINN (autodiff residual) scored on the grid problem's nodes."""
    rows = ["| model | rel. L2 vs continuous | vs discrete (5-point) | training |", "|---|---|---|---|",
            f"| `{b['model']}`: {b['description']} | {b['rel_l2_continuous']:.2e} | {b['rel_l2']:.2e} | "
            f"{b['training_time_s']:.0f} s, {b['adam_steps']} Adam steps + {b['lbfgs_iterations']} L-BFGS iterations "
            f"({b['training_machine']}) |"]
    rows.append(f"\nEvaluated at the 63 × 63 interior nodes of `poisson2d_grid` by `benchmarks/grid_pde_pinn.py`, "
                f"{b['machine']}, {b['date']}.")
    return "\n".join(rows)


@from_results("grid_heat")
def grid_heat_table(b: dict) -> str:
    """heat2d_grid marched with and without warm starts."""
    rows = ["| prior | optimiser, budget per step | start of each step | rel. L2 at t = T vs discrete | worst step | "
            "vs continuous | time |", "|---|---|---|---|---|---|---|"]
    for r in b["rows"]:
        rows.append(f"| {r['prior']} | {r['optimiser']}, {r['per_step']} | "
                    f"{'warm (previous weights)' if r['warm_start'] else 'cold (initial weights)'} | {r['rel_l2']:.2e} | "
                    f"{r['max_step_rel_l2']:.2e} | {r['rel_l2_continuous']:.2e} | {r['time_s']:.1f} s |")
    rows.append(f"\n{b['steps']} implicit Euler steps; the exact discrete trajectory is {b['discretisation_error']:.2e} "
                f"from the continuous solution at t = T (the floor of the 'vs continuous' column). "
                f"{b['machine']}, {b['date']}.")
    return "\n".join(rows)


def _best(baselines: list, prefix: str):
    hits = [b for b in baselines if b["method"].startswith(prefix)]
    return max(hits, key=lambda b: b["psnr"]) if hits else None


def backward_heat_table() -> str:
    """The backward heat equation: the shipped camera presets and the Deep Decoder on three more images."""
    rows = ["| image | prior | PSNR (SSIM) | best Tikhonov / Wiener (DCT) | TV least squares | margin over Tikhonov/Wiener "
            "| over TV | time |", "|---|---|---|---|---|---|---|---|"]

    def row(image, prior, psnr_, ssim_, baselines, seconds):
        tik, tv = _best(baselines, "Tikhonov"), _best(baselines, "TV")
        rows.append(f"| {image} | {prior} | {psnr_:.2f} dB ({ssim_:.3f}) | {tik['psnr']:.2f} dB ({tik['method']}, "
                    f"{tik['parameter']}) | {tv['psnr']:.2f} dB ({tv['parameter']}) | {psnr_ - tik['psnr']:+.2f} dB | "
                    f"{psnr_ - tv['psnr']:+.2f} dB | {seconds:.0f} s |")

    for meta in shipped_metadata():
        if meta.get("task") == "backward-heat":
            row(meta["degradation"].get("image", "camera"), f"`{meta['preset']}`", meta["metrics"]["psnr"],
                meta["metrics"]["ssim"], meta["baselines"], meta["training"]["time_s"])
    path = ROOT / "benchmarks" / "results" / "backward_heat.json"
    if path.exists():
        b = json.loads(path.read_text())
        for r in b["rows"]:
            row(r["image"], f"`{r['preset']}` recipe", r["psnr"], r["ssim"], r["baselines"], r["time_s"])
        rows.append(f"\nκT = 2 px², noise σ = 0.01, 256² gray; every baseline at its best parameter (chosen with the "
                    f"clean image). camera: the shipped models; the others: `benchmarks/backward_heat.py`, {b['machine']}, "
                    f"{b['date']}.")
    else:
        rows.append("\n_(run `python benchmarks/backward_heat.py` for the other images)_")
    return "\n".join(rows)


@from_results("checkpoint_overhead")
def checkpoint_table(r) -> str:
    rows = ["| preset | family | run | median with checkpoints | median without | overhead |",
            "|---|---|---|---|---|---|"]
    for x in r["rows"]:
        run = ("the preset's own fit" if x["adam_epochs"] is None
               else f"{x['adam_epochs']} Adam epochs + {x['lbfgs_iterations']} L-BFGS iterations")
        rows.append(f"| `{x['preset']}` | {x['family']} | {run}, {len(x['with_checkpoint_s'])} runs each, alternating | "
                    f"{x['median_with_s']:.1f} s | {x['median_without_s']:.1f} s | {100 * x['overhead']:+.1f} % |")
    rows.append(f"\n{r['machine']}, {r['date']}; goal: at most 5 %.")
    return "\n".join(rows)


#: page -> the tables it holds
@from_results("test_tiers")
def test_tiers_table(r: dict) -> str:
    rows = ["| tier | command | tests | time |", "|---|---|---|---|"]
    for name, t in r["tiers"].items():
        rows.append(f"| {name} | `{t['command']}` | {t.get('passed', 0)} passed, {t.get('skipped', 0)} skipped | "
                    f"{t['seconds'] / 60:.1f} min |")
    rows.append(f"\nMeasured by `python benchmarks/test_tiers.py` on {r['machine']}, {r['date']}, one tier after the "
                "other with nothing beside them.")
    return "\n".join(rows)


@from_results("cli_startup")
def cli_startup_table(r: dict) -> str:
    rows = ["| command | median of runs |", "|---|---|"]
    rows += [f"| `{row['command']}` | {row['median_s']:.2f} s ({row['runs']} runs) |" for row in r["rows"]]
    rows.append(f"\nStart to exit in a new process each time, measured by `python benchmarks/cli_startup.py` on "
                f"{r['machine']}, {r['date']}.")
    return "\n".join(rows)


PAGES = {
    "README.md": {"presets": presets_table, "headline": headline_table, "test_tiers": test_tiers_table,
                  "cli_startup": cli_startup_table},
    "docs/results.md": {"zoo": zoo_table, "speed": speed_table, "speed_fast": speed_fast_table,
                        "images": images_table, **SEED_TABLES},
    "docs/architecture.md": {"registries": registries_table},
    "docs/reproduce.md": {"reproduce": reproduce_table},
    "docs/pinnacle.md": PINNACLE_TABLES,
    "docs/image-studies.md": {"backward_heat": backward_heat_table, "image_step_time": image_step_time_table,
                              "dip_vs_pytorch": dip_vs_pytorch_table, "dip_floor": dip_floor_table,
                              "winograd_conv": winograd_table, "stop_gate": stop_gate_table, **HELD_OUT_TABLES},
    "docs/grid-pde.md": {"grid": grid_table, "grid_stretch": grid_stretch_table, "grid_pinn": grid_pinn_table,
                         "grid_heat": grid_heat_table},
    "docs/lessons.md": {**LESSON_TABLES, **DARCY_REPLICATED_TABLES, **SPECTRA_TABLES,
                        **UNDERPARAMETERISED_TABLES, **FACTORIAL_TABLES, **FIELD_INVERSE_TABLES},
    "docs/transfer.md": TRANSFER_TABLES,
    "docs/reliability.md": {"checkpoint": checkpoint_table},
    "docs/scaling.md": SCALING_TABLES,
    "docs/optimizers.md": OPTIMIZER_TABLES,
    "docs/performance.md": {"deepxde": deepxde_table, "profile": profile_table, "ablation": ablation_table,
                            "engines": engines_table, **CLASSICAL_RACE_TABLES},
}


def render(text: str, tables: dict, page: str = "README.md") -> str:
    for name, fn in tables.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{page} lacks the markers for table {name!r}")
        text = pattern.sub(lambda m: m.group(1) + fn() + m.group(2), text)
    return text


def stale_pages() -> list[str]:
    """Pages whose tables differ from a fresh rendering."""
    return [page for page, tables in PAGES.items()
            if render((ROOT / page).read_text(), tables, page) != (ROOT / page).read_text()]


def main(argv=None):
    ap = argparse.ArgumentParser(description="regenerate the tables of README.md and docs/")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if args.check:
        stale = stale_pages()
        if stale:
            print(f"stale tables in {', '.join(stale)}: run python benchmarks/make_readme_tables.py", file=sys.stderr)
        return 1 if stale else 0
    for page, tables in PAGES.items():
        path = ROOT / page
        path.write_text(render(path.read_text(), tables, page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
