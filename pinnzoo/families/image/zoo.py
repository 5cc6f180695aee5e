"""The image-restoration presets of the zoo: camera, gray, 256 × 256, one per task and prior.

The recipes were tuned on ``camera`` only. Targets are relative to the task's strongest classical baseline (see
:mod:`pinnzoo.baselines`; its parameter chosen with the clean image) on the same degraded image: denoising
BM3D − 0.3 dB, deblurring TV deconvolution + 0.5 dB, inpainting TV inpainting + 1 dB, super-resolution the best
classical method + 0.5 dB, backward heat the tuned Tikhonov/Wiener filters + 1 dB. They are judged on the mean
over held-out images (``benchmarks/held_out_images.py``, ``docs/image-studies.md``); an export's own target line
is its run on ``camera``. These recipes are also what ``pinnzoo restore TASK`` runs by default. Step limits:
about as many steps as fit in the 10-minute budget on the 2-core CPU.
"""

from pinnzoo.family import register_preset
from pinnzoo.families.image.preset import Degradation, ImagePreset
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.families.image.config import Optimiser, Output, Regularisation, RestoreConfig, Stopping

DIP = PriorSpec("dip", {"channels_down": [32] * 5, "channels_skip": 4, "input_channels": 32})
DIP_WIDE = PriorSpec("dip", {"channels_down": [16, 32, 64, 128, 128], "channels_skip": 4, "input_channels": 32})
# half the channels at full resolution and an 8-channel input: about 30 % less time per step than DIP
DIP_NARROW = PriorSpec("dip", {"channels_down": [32] * 5, "channels_up": [16, 32, 32, 32, 32], "channels_skip": 4,
                               "input_channels": 8})
DEEP_DECODER = PriorSpec("deep_decoder", {"channels": 64, "layers": 5})

register_preset(ImagePreset(
    name="dip_denoise",
    description="Deep Image Prior (5 scales x 32 channels), Gaussian noise sigma = 25/255",
    degradation=Degradation("denoise", noise_sigma=25 / 255),
    # the average kept 100 steps after the variance minimum: the moving average's time constant, 1 / (1 - 0.99)
    recipe=RestoreConfig(DIP, Optimiser(iterations=3000), Stopping(patience=600, discrepancy=1.2, average_lag=100),
                         Regularisation(input_noise_std=1 / 30)),
    margin=-0.3,
    target_methods=("BM3D",),
))

register_preset(ImagePreset(
    name="dip_deblur",
    description="Deep Image Prior (5 scales x 32 channels, 16 at full resolution, 8 input channels), Gaussian PSF "
                "sigma = 2 (13x13, reflect) + noise 0.01; DCT-preconditioned data term (lambda 0.03), cosine "
                "learning-rate decay",
    degradation=Degradation("deblur", psf="gaussian:2.0", noise_sigma=0.01),
    recipe=RestoreConfig(DIP_NARROW, Optimiser(iterations=5000, lr_schedule="cosine"), Stopping(patience=300),
                         Regularisation(input_noise_std=1 / 30, precondition=0.03)),
    margin=0.5,
    target_methods=("TV deconvolution",),
))

register_preset(ImagePreset(
    name="dip_inpaint",
    description="Deep Image Prior (5 scales x 32 channels), 50% of the pixels missing at random (noise-free); "
                "the known pixels are kept as measured (data consistency)",
    degradation=Degradation("inpaint", missing=0.5),
    recipe=RestoreConfig(DIP, Optimiser(iterations=4800), Stopping(patience=300),
                         Regularisation(input_noise_std=1 / 30), Output(data_consistency=True)),
    margin=1.0,
    target_methods=("TV inpainting",),
))

register_preset(ImagePreset(
    name="dip_superres",
    description="Deep Image Prior (5 scales, 16-128 channels), x4 super-resolution from 4x4 area averages "
                "(noise-free); each 4x4 block's mean is kept as measured (data consistency, back-projection)",
    degradation=Degradation("superres", scale=4),
    recipe=RestoreConfig(DIP_WIDE, Optimiser(iterations=3000), Stopping(patience=300),
                         Regularisation(input_noise_std=0.03), Output(data_consistency=True)),
    margin=0.5,
))

register_preset(ImagePreset(
    name="deep_decoder_denoise",
    description="Deep Decoder (k = 64 channels, 5 upsampling layers), Gaussian noise sigma = 25/255; total variation "
                "(weight 0.1) added to the loss, Adam 0.02 with cosine decay over 12,000 steps",
    degradation=Degradation("denoise", noise_sigma=25 / 255),
    recipe=RestoreConfig(DEEP_DECODER, Optimiser(iterations=12000, learning_rate=0.02, lr_schedule="cosine"),
                         Stopping(patience=300), Regularisation(tv_weight=0.1)),
    margin=-0.3,
    target_methods=("BM3D",),
))

register_preset(ImagePreset(
    name="deep_decoder_deblur",
    description="Deep Decoder (k = 64 channels, 5 upsampling layers), Gaussian PSF sigma = 2 + noise 0.01; "
                "DCT-preconditioned data term (lambda 0.1), cosine learning-rate decay over 8,000 steps",
    degradation=Degradation("deblur", psf="gaussian:2.0", noise_sigma=0.01),
    recipe=RestoreConfig(DEEP_DECODER, Optimiser(iterations=8000, lr_schedule="cosine"), Stopping(patience=300),
                         Regularisation(precondition=0.1)),
    margin=0.5,
    target_methods=("TV deconvolution",),
))

register_preset(ImagePreset(
    name="dip_backward_heat",
    description="Deep Image Prior (as dip_deblur), backward heat equation: u(0) from u(T) + noise 0.01, kappa*T = 2 "
                "px^2 (Gaussian sigma 2 equivalent, mirror boundaries, 10 explicit conv2d steps); DCT-preconditioned "
                "data term (lambda 0.03, exact eigenvalues)",
    degradation=Degradation("backward-heat", kappa_t=2.0, noise_sigma=0.01),
    recipe=RestoreConfig(DIP_NARROW, Optimiser(iterations=5600, lr_schedule="cosine"), Stopping(patience=300),
                         Regularisation(input_noise_std=1 / 30, precondition=0.03)),
    margin=1.0,
    target_methods=("Tikhonov",),  # the tuned Tikhonov/Wiener filters + 1 dB (TV is reported beside them)
))

register_preset(ImagePreset(
    name="deep_decoder_backward_heat",
    description="Deep Decoder (k = 64, 5 layers), backward heat equation: u(0) from u(T) + noise 0.01, kappa*T = 2 "
                "px^2; DCT-preconditioned data term (lambda 0.1), cosine learning-rate decay over 5,000 steps",
    degradation=Degradation("backward-heat", kappa_t=2.0, noise_sigma=0.01),
    recipe=RestoreConfig(DEEP_DECODER, Optimiser(iterations=5000, lr_schedule="cosine"), Stopping(patience=300),
                         Regularisation(precondition=0.1)),
    margin=1.0,
    target_methods=("Tikhonov",),
))
