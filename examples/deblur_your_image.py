"""Deblur your own image with the Deep Image Prior: read a file, fit, write the result.

    python examples/deblur_your_image.py --image blurred.png --psf gaussian:2.0 --out sharp.png
    python examples/deblur_your_image.py          # no image given: makes a blurred test image first

The measurement is y = k * x + n with a known PSF k (Gaussian, box, motion or a .npy kernel). The recipe
is the shipped `dip_deblur` preset's: the DIP skip network, the blur's DCT preconditioner, automatic
stopping at the minimum of the output variance (it needs no clean image). PINNZOO_EXAMPLES_FAST=1 cuts
the fit to 100 steps on a small image.
"""

import argparse
import os
from pathlib import Path

from pinnzoo import make_operator, restore
from pinnzoo.image_io import read_image, test_image, write_image
from pinnzoo.metrics import image_scores
from pinnzoo.operators import degrade
from pinnzoo.presets import recipe_for

FAST = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"


def blurred_test_image(path: Path, psf: str, size: int):
    """Write the camera test image blurred by ``psf`` with noise 0.01 to ``path``; return the clean image."""
    clean = test_image("camera", size)
    write_image(path, degrade(clean, make_operator("deblur", psf=psf), 0.01, seed=0))
    return clean


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", help="the blurred image (PNG/JPEG/TIFF/BMP or .npy)")
    ap.add_argument("--psf", default="gaussian:2.0", help="gaussian:SIGMA, box:SIZE, motion:LENGTH:ANGLE or a .npy")
    ap.add_argument("--out", default="runs/examples/deblurred.png")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    clean = None
    if args.image is None:  # make one, and keep the clean image to score the result
        args.image = out.with_name("blurred.png")
        clean = blurred_test_image(Path(args.image), args.psf, 64 if FAST else 256)
        print(f"no --image: wrote a blurred camera image to {args.image}")
    y = read_image(args.image)                                  # [H, W, C] in [0, 1]
    operator = make_operator("deblur", psf=args.psf)            # the blur, with its adjoint, mirror boundaries

    preset, _ = recipe_for("deblur", "dip")                     # the shipped recipe for this task and prior
    recipe = preset.recipe.override(iterations=100) if FAST else preset.recipe
    result = restore(y, operator, recipe, reference=clean, verbose=0 if FAST else 1)
    write_image(out, result.image)
    print(result.summary() + f" -> {out}")
    scores = image_scores(result.image, clean) if clean is not None else None
    if scores:
        print(f"blurred {image_scores(y, clean)['psnr']:.2f} dB -> restored {scores['psnr']:.2f} dB")
    return {"image": result.image, "scores": scores, "measurement": y, "clean": clean}


if __name__ == "__main__":
    main()
