"""Image restoration with untrained priors against classical baselines, on camera 256×256.

    python benchmarks/image_restoration.py                       # all image presets
    python benchmarks/image_restoration.py --presets dip_denoise --export   # also write saved_models/<preset>
    python benchmarks/image_restoration.py --skip-original-timing --presets ...

For every image preset: degrade the test image as the preset says, run every
scikit-image baseline at its best parameter (chosen with the clean image), fit
the preset's prior with automatic stopping and record PSNR/SSIM, time, the
stopping point and the run's peak. Also times the original-size DIP network
(5 scales × 128 channels, 4 skip channels, 32 input channels) per iteration at
256×256. Results go to ``benchmarks/results/image_restoration.json`` (merged
with earlier runs of other presets); ``make_readme_tables.py`` renders them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from pathlib import Path

from results_file import recipe_stamp  # benchmarks/, the script's own folder
from pinnzoo.export import machine, versions
from pinnzoo.presets import get_preset, image_presets

RESULTS = Path(__file__).resolve().parent / "results" / "image_restoration.json"


def time_original_dip(steps: int = 5, windows: int = 3) -> dict:
    import keras
    import numpy as np

    from pinnzoo.operators import Identity
    from pinnzoo.priors import SkipNet
    from pinnzoo.solvers import ImagePriorSolver

    out = {}
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        prior = SkipNet((128,) * 5, channels_skip=4, input_channels=32)
        solver = ImagePriorSolver(prior, Identity(), (256, 256, 1), input_noise_std=1 / 30)
        solver.compile(optimizer=keras.optimizers.Adam(0.01), jit_compile=jit)
        ds = solver.dataset(np.random.default_rng(0).random((256, 256, 1)).astype(np.float32))
        solver.fit(ds, steps_per_epoch=2, epochs=1, verbose=0)
        times = []
        for _ in range(windows):
            start = time.perf_counter()
            solver.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
            times.append(1000 * (time.perf_counter() - start) / steps)
        out["xla" if jit else "eager_graph"] = {"median_ms": statistics.median(times), "windows_ms": times}
        out["parameters"] = int(prior.count_params())
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", nargs="*", help="image presets to run (default: all)")
    ap.add_argument("--export", action="store_true", help="also export each fitted prior to EXPORT_DIR/<preset>")
    ap.add_argument("--export-dir", default="saved_models", help="default: saved_models (the shipped models)")
    ap.add_argument("--skip-original-timing", action="store_true")
    ap.add_argument("--original-timing-only", action="store_true", help="only time the original-size DIP network")
    args = ap.parse_args(argv)
    names = args.presets or [p.name for p in image_presets()]
    if args.original_timing_only:
        names, args.skip_original_timing = [], False
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"presets": {}}
    for name in names:
        preset = get_preset(name)
        print(f"== {name}", flush=True)
        out = Path(args.export_dir) / name if args.export else None
        r = preset.train(out=out, verbose=1)
        meta = r.metadata
        results["presets"][name] = {k: meta[k] for k in ("task", "description", "degradation", "measurement_psnr",
                                                          "baselines", "margin_db", "target_psnr", "metrics",
                                                          "stopping", "training")}
        results["presets"][name]["prior"] = {"name": preset.prior, "config": dict(preset.recipe.prior.config),
                                             "parameters": int(r.solver.prior.count_params())}
        results["presets"][name]["date"] = datetime.date.today().isoformat()
        results["presets"][name].update(recipe_stamp(name))
        m = meta["metrics"]
        print(f"{name}: {m['psnr']:.2f} dB (target {meta['target_psnr']:.2f}), stopped at {r.kept_step}/{r.steps}, "
              f"peak {meta['stopping']['peak_psnr']:.2f} dB at {meta['stopping']['peak_step']}, {r.time_s:.0f} s",
              flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not args.skip_original_timing:
        results["original_dip_256"] = time_original_dip()
        results["original_dip_256"]["date"] = datetime.date.today().isoformat()
        print("original DIP at 256×256:", results["original_dip_256"], flush=True)
    results["machine"], results["versions"] = machine(), versions()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
