"""Reading and writing images for the ``pinnzoo restore`` command, and the bundled test images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from skimage import color, data, io, transform

from pinnzoo.errors import InputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


#: the largest image read (pixels): an untrained prior on more would take hours and tens of GB
MAX_PIXELS = 4096 * 4096


def _check_pixels(p: Path, what: str):
    """Refuse an image of more than :data:`MAX_PIXELS` from its header, before decoding it."""
    try:
        from PIL import Image  # optional: only to read the header; any failure falls through to the decoder

        with Image.open(p) as im:
            width, height = im.size
    except Exception:
        return  # not readable by PIL: imread gives the error
    if width * height > MAX_PIXELS:
        raise InputError(f"{what} {p} is {width}×{height}: more than {MAX_PIXELS:,} pixels (4096×4096); "
                         "crop or downscale it")


def read_image(path, what: str = "image") -> np.ndarray:
    """An image file as float32 ``[H, W, C]`` (C = 1 for gray, 3 for colour).

    PNG/JPEG/TIFF/BMP are read with scikit-image (imageio) and scaled by their
    integer type's range to [0, 1]; ``.npy`` holds floats on the same scale
    (``[H, W]`` or ``[H, W, C]``), taken as they are: a measurement with Gaussian
    noise leaves [0, 1] (σ = 0.1 noise on a [0, 1] image spans about [-0.4, 1.4]),
    so any finite value is accepted. An alpha channel is dropped.

    Raises:
        InputError: missing, unreadable or non-image file, NaN/inf values.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found: {path}")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        try:
            img = np.load(p, allow_pickle=False)
        except Exception as exc:
            raise InputError(f"cannot read {what} {path}: {exc}") from None
        if not np.issubdtype(img.dtype, np.number) or img.dtype == np.bool_:
            raise InputError(f"{what} {path} does not hold numbers")
        img = img.astype(np.float32)
        if not img.size:
            raise InputError(f"{what} {path} is empty (shape {img.shape})")
        if img.size > 4 * MAX_PIXELS:
            raise InputError(f"{what} {path} has shape {img.shape}: more than {MAX_PIXELS:,} pixels")
        if not np.all(np.isfinite(img)):
            raise InputError(f"{what} {path} contains NaN or infinite values")
    elif suffix in IMAGE_SUFFIXES:
        _check_pixels(p, what)
        try:
            raw = io.imread(str(p))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"cannot read {what} {path}: not a readable {suffix[1:].upper()} image ({first})") from None
        if np.issubdtype(raw.dtype, np.integer):
            img = raw.astype(np.float32) / float(np.iinfo(raw.dtype).max)
        elif raw.dtype == np.bool_:
            img = raw.astype(np.float32)
        else:
            img = np.clip(raw.astype(np.float32), 0.0, 1.0)
    else:
        raise InputError(f"{what} must be PNG, JPEG, TIFF, BMP or .npy, got {p.name}")
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3 or img.shape[2] not in (1, 2, 3, 4):
        raise InputError(f"{what} {path} is not a gray or colour image (shape {img.shape})")
    if img.shape[2] in (2, 4):  # drop alpha
        img = img[:, :, :img.shape[2] - 1]
    if min(img.shape[:2]) < 8:
        raise InputError(f"{what} {path} is too small ({img.shape[0]}×{img.shape[1]}; at least 8×8)")
    return np.ascontiguousarray(img, dtype=np.float32)


def write_image(path, image) -> Path:
    """Write ``[H, W, C]`` float in [0, 1]: ``.npy`` keeps the floats, image formats are 8-bit."""
    p = Path(path)
    img = np.asarray(image, dtype=np.float32)
    suffix = p.suffix.lower()
    if suffix not in IMAGE_SUFFIXES + (".npy",):
        raise InputError(f"--out must end in .png, .jpg, .tif, .bmp or .npy, got {p.name}")
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".npy":
        np.save(p, img[..., 0] if img.shape[-1] == 1 else img)
        return p

    img8 = np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    io.imsave(str(p), img8[..., 0] if img8.shape[-1] == 1 else img8, check_contrast=False)
    return p


#: scikit-image's bundled images that :func:`test_image` serves (nothing is downloaded)
TEST_IMAGES = ("camera", "astronaut", "coffee", "moon", "brick", "grass", "gravel", "text", "coins", "chelsea", "rocket")
#: those of them that are colour photographs
COLOUR_IMAGES = ("astronaut", "coffee", "chelsea", "rocket")


def test_image(name: str = "camera", size: int = 256, colour: bool = False) -> np.ndarray:
    """A scikit-image test image resized (anti-aliased) to ``size × size``, float32 in [0, 1]: gray ``[H, W, 1]``
    (the whole image resized), or with ``colour`` RGB ``[H, W, 3]`` of a colour image (its centred square)."""
    if name not in TEST_IMAGES:
        raise InputError(f"unknown test image {name!r}; known: {', '.join(TEST_IMAGES)}")
    if colour and name not in COLOUR_IMAGES:
        raise InputError(f"{name!r} is not a colour image; colour ones: {', '.join(COLOUR_IMAGES)}")
    img = getattr(data, name)()
    img = img.astype(np.float64) / (255.0 if img.dtype == np.uint8 else 1.0)
    if colour:
        h, w = img.shape[:2]
        side = min(h, w)
        img = img[(h - side) // 2:(h - side) // 2 + side, (w - side) // 2:(w - side) // 2 + side, :3]
    elif img.ndim == 3:
        img = color.rgb2gray(img)
    img = transform.resize(img, (size, size), anti_aliasing=True)
    return np.clip(img, 0, 1).astype(np.float32).reshape(size, size, -1)
