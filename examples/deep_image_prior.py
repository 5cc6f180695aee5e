"""Deep Image Prior step by step: degrade an image, fit a generator through the operator, stop by itself.

    python examples/deep_image_prior.py [--task deblur] [--size 128] [--iterations 2000]

The same pieces as ``pinnzoo restore`` spelled out: an operator with its adjoint
(here a Gaussian blur, a mask or a downsampling), a generator that knows nothing
of the task (the DIP skip network), and the solver whose ``train_step`` fits
``A(G(z))`` to the measurement, averages its outputs and watches their variance
to stop without seeing the clean image. For noise-free inpainting and
super-resolution the result is projected onto the measurement (data
consistency). The clean image is used only to print PSNR along the way.
"""

import argparse
import os

import keras

from pinnzoo.callbacks import ImageQualityLogger, VarianceStopping
from pinnzoo.image_io import test_image
from pinnzoo.metrics import image_scores
from pinnzoo.operators import Blur, Downsample, FourierPreconditioner, Identity, Mask, degrade, random_mask
from pinnzoo.priors import SkipNet
from pinnzoo.solvers import ImagePriorSolver


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", choices=["denoise", "deblur", "inpaint", "superres"], default="denoise")
    fast = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"  # CI's smoke test: a few seconds
    ap.add_argument("--size", type=int, default=64 if fast else 128)
    ap.add_argument("--iterations", type=int, default=400 if fast else 2000)
    ap.add_argument("--verbose", type=int, default=1)
    args = ap.parse_args(argv)

    clean = test_image("camera", args.size)                       # [H, W, 1] in [0, 1]
    operator = {"denoise": Identity(), "deblur": Blur("gaussian:2.0"), "superres": Downsample(4),
                "inpaint": Mask(random_mask(args.size, args.size, 0.5, seed=0))}[args.task]
    noise = {"denoise": 25 / 255, "deblur": 0.01}.get(args.task, 0.0)
    y = degrade(clean, operator, noise, seed=0)                     # y = A x + n

    keras.utils.set_random_seed(0)
    prior = SkipNet((32,) * 5, channels_skip=4, out_channels=1)    # knows no physics, no images
    # deblurring: weight the residual by the blur's DCT preconditioner, so the edges the blur attenuates are
    # fitted about as fast as the flat regions (the loss becomes mean(P(A G(z) - y))^2)
    preconditioner = FourierPreconditioner.for_operator(operator, lam=0.1) if args.task == "deblur" else None
    # noise-free inpainting / super-resolution: return the average projected onto the measurement, so the known
    # pixels (block means) are exactly as measured, x + A^+(y - A x)
    consistent = args.task in ("inpaint", "superres")
    solver = ImagePriorSolver(prior, operator, y.shape, input_noise_std=1 / 30, ema_decay=0.99, window=100,
                              preconditioner=preconditioner, data_consistency=consistent)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    quality = ImageQualityLogger(clean)                             # PSNR/SSIM in the logs, for the reader only
    stop = VarianceStopping(patience=300)                           # needs no clean image
    solver.fit(solver.dataset(y), steps_per_epoch=50, epochs=args.iterations // 50, verbose=args.verbose,
               callbacks=[stop, quality])
    kept = solver.finish()                                          # weights and average at the variance minimum
    scores = image_scores(solver.image(), clean)
    print(f"{args.task}: kept step {kept} of {int(solver.step.numpy())}, PSNR {scores['psnr']:.2f} dB, "
          f"SSIM {scores['ssim']:.3f}")
    return scores


if __name__ == "__main__":
    main()
