"""The backward heat equation on three more scikit-image test images, with the Deep Decoder recipe.

    python benchmarks/backward_heat.py [IMAGE ...]   # default: astronaut coffee moon

The shipped presets restore camera; this runs ``deep_decoder_backward_heat``'s
recipe (u(T) + noise 0.01, κT = 2 px², automatic stopping as shipped) unchanged
on astronaut, coffee and moon (gray, 256²) and records the PSNR against each
baseline at its best parameter (Tikhonov L² and H¹ in the DCT basis, TV least
squares), all on the same degraded image. Writes ``benchmarks/results/backward_heat.json``.
"""

from __future__ import annotations

import dataclasses
import json

from results_file import progress, recipe_stamp, write_results
from pinnzoo.presets import get_preset

IMAGES = ("astronaut", "coffee", "moon")


def main(images=IMAGES) -> int:
    base = get_preset("deep_decoder_backward_heat")
    rows = []
    for image in progress(images, "image"):
        preset = dataclasses.replace(base, degradation=dataclasses.replace(base.degradation, image=image))
        result = preset.train(verbose=0)
        meta = result.metadata
        rows.append({**recipe_stamp(base.name), "image": image, "psnr": result.scores["psnr"], "ssim": result.scores["ssim"],
                     "time_s": round(result.time_s, 1), "kept_step": result.kept_step,
                     "iterations": base.recipe.optimiser.iterations,
                     "baselines": [{k: b[k] for k in ("method", "parameter", "psnr", "ssim")} for b in meta["baselines"]]})
        print(json.dumps(rows[-1]), flush=True)
    write_results("backward_heat", {"rows": rows})
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(tuple(sys.argv[1:]) or IMAGES))
