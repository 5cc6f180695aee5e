"""Query a shipped pinnzoo model with TensorFlow alone: no pinnzoo import, only the SavedModel and its JSON.

    python examples/serve_savedmodel.py [saved_models/burgers]

A PINN export serves `serving_default` (inputs [batch, n_inputs] in the column order of
pinnzoo.json["inputs"]) and `residual` (the PDE residual of the network at those points); the metadata
says what the columns are, what the problem was and how accurate the model is. This is what TensorFlow
Serving or any TensorFlow program sees.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import tensorflow as tf

DEFAULT = Path(__file__).resolve().parents[1] / "saved_models" / "burgers"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(DEFAULT))
    args = ap.parse_args(argv)

    meta = json.loads((Path(args.directory) / "pinnzoo.json").read_text())
    model = tf.saved_model.load(args.directory)
    print(f"{meta['title']}: inputs {meta['inputs']} -> outputs {meta['outputs']}; "
          f"rel. L2 {meta['metrics']['rel_l2']:.2e} (target {meta['target']:g}); signatures {sorted(model.signatures)}")

    # a line across the domain at the final time: one row per point, columns as in meta["inputs"]
    bounds = meta["domain"]
    x = np.linspace(*bounds[meta["inputs"][0]], 5)
    others = [np.full_like(x, bounds[name][1]) for name in meta["inputs"][1:]]
    points = np.stack([x, *others], axis=1).astype(np.float32)
    values = model.signatures["serving_default"](inputs=tf.constant(points))
    residual = model.signatures["residual"](inputs=tf.constant(points))
    for row, *u in zip(points, *(values[name].numpy()[:, 0] for name in meta["outputs"])):
        print(dict(zip(meta["inputs"], row.round(3).tolist())), dict(zip(meta["outputs"], np.round(u, 5).tolist())))
    # the signature returns the residual term(s) and the derivatives they are made of
    print("largest PDE residual there:", {k: float(np.abs(v.numpy()).max()) for k, v in residual.items()
                                          if k.startswith("residual")})
    return {"points": points, "values": {k: v.numpy() for k, v in values.items()},
            "residual": {k: v.numpy() for k, v in residual.items()}, "meta": meta}


if __name__ == "__main__":
    main()
