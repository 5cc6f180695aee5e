"""Fill the holes of your own image with the Deep Decoder, given a mask of the known pixels.

    python examples/inpaint_with_mask.py --image holes.png --mask mask.png --out filled.png
    python examples/inpaint_with_mask.py          # no files given: makes an image with text scratched out

The measurement is y = m ⊙ x (the mask m is 1 where a pixel is known, white in the mask file). The Deep
Decoder is under-parameterised: it has fewer weights than the image has pixels, so it cannot fit
arbitrary content and needs no early stopping; the result keeps the known pixels exactly (data
consistency). PINNZOO_EXAMPLES_FAST=1 cuts the fit to 100 steps on a small image.
"""

import argparse
import os
from pathlib import Path

import numpy as np

from pinnzoo import make_operator, restore
from pinnzoo.image_io import read_image, test_image, write_image
from pinnzoo.metrics import image_scores
from pinnzoo.presets import recipe_for

FAST = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"


def scratched_test_image(image_path: Path, mask_path: Path, size: int):
    """The camera image with a grid of thin lines missing (the mask's zeros); writes both files."""
    clean = test_image("camera", size)
    mask = np.ones((size, size, 1), np.float32)
    mask[size // 8::size // 6, :] = 0.0                                  # horizontal scratches
    mask[:, size // 5::size // 4] = 0.0                                  # vertical ones
    write_image(image_path, clean * mask)
    write_image(mask_path, mask)
    return clean


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", help="the image with holes (any value where the mask is black)")
    ap.add_argument("--mask", help="same size as the image: white = known pixel, black = missing")
    ap.add_argument("--out", default="runs/examples/inpainted.png")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    clean = None
    if args.image is None or args.mask is None:
        args.image, args.mask = out.with_name("scratched.png"), out.with_name("mask.png")
        clean = scratched_test_image(Path(args.image), Path(args.mask), 64 if FAST else 256)
        print(f"no --image/--mask: wrote {args.image} and {args.mask}")
    y = read_image(args.image)
    mask = read_image(args.mask, "mask").mean(axis=2) > 0.5               # [H, W] bool
    operator = make_operator("inpaint", mask=mask.astype(np.float32))

    preset, note = recipe_for("inpaint", "deep_decoder")                 # the shipped Deep Decoder recipe
    recipe = preset.recipe.override(iterations=100) if FAST else preset.recipe
    result = restore(y, operator, recipe, reference=clean, verbose=0 if FAST else 1)
    write_image(out, result.image)
    print(result.summary() + f" -> {out}")
    known = float(np.abs(result.image[mask] - y[mask]).max())
    print(f"known pixels kept to {known:.1e}" + (f"; {100 * (1 - mask.mean()):.1f} % missing" if clean is not None else ""))
    scores = image_scores(result.image, clean) if clean is not None else None
    return {"image": result.image, "scores": scores, "known_error": known, "measurement": y, "clean": clean,
            "mask": mask}


if __name__ == "__main__":
    main()
