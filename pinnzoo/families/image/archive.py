"""The image family's SavedModel: ``serving_default`` (the restored image), ``generate`` (the generator on a
noise tensor) and ``noise`` (its fixed input); :mod:`pinnzoo.export` writes it atomically."""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from pinnzoo.export import FORMAT_VERSION, prior_record, versions, write_atomically


class _StoredImage(keras.layers.Layer):
    """Holds the restored image as a weight, so an export carries it without the solver's training state."""

    def __init__(self, image, **kwargs):
        super().__init__(**kwargs)
        self.image = self.add_weight(shape=image.shape, name="restored_image", trainable=False,
                                     initializer=keras.initializers.Constant(image))
        self.built = True


def _image_archive(solver) -> keras.export.ExportArchive:
    # Only the generator's weights and the restored image are stored: the fixed input is recomputed
    # from its seed, and the solver's training state (output buffer, snapshots) stays behind.
    archive = keras.export.ExportArchive()
    # The endpoints capture every variable they use; track() would store each one a second time.
    stored = _StoredImage(solver.image()[None], name="stored_image")
    zshape = [None] + list(solver.noise_shape[1:])
    h, w = solver.image_height, solver.image_width

    @tf.function(input_signature=[])
    def serve():
        return {"image": tf.identity(stored.image)}

    @tf.function(input_signature=[tf.TensorSpec(zshape, tf.float32, name="noise")])
    def generate(noise):
        return {"image": solver.prior(noise)[:, :h, :w, :]}

    @tf.function(input_signature=[])
    def noise():
        return {"noise": solver.initial_noise()}

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("generate", generate)
    archive.add_endpoint("noise", noise)
    return archive


def export_image_solver(solver, directory, metadata: dict, files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.ImagePriorSolver` as a SavedModel with ``pinnzoo.json``."""
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": "image",
        "image_shape": [solver.image_height, solver.image_width, solver.channels],
        "noise_shape": list(solver.noise.shape),
        "noise_seed": solver.noise_seed,  # the fixed input z is drawn from it (the `noise` signature)
        "operator": solver.operator.describe(),
        "prior": prior_record(solver.prior),
        "signatures": {"serving_default": {"inputs": [], "outputs": ["image"]},
                       "generate": {"inputs": ["noise"], "outputs": ["image"]},
                       "noise": {"inputs": [], "outputs": ["noise"]}},
        "versions": versions(),
        **metadata,
    }
    return write_atomically(directory, _image_archive(solver), meta, [solver.prior], files)
