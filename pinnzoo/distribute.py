"""Training on several devices and machines with TensorFlow's own engine, ``tf.distribute``.

``pinnzoo train PRESET --strategy mirrored`` (all GPUs, or the logical CPU devices, of one machine) or
``--strategy multiworker`` (several machines, each told the cluster by ``TF_CONFIG``) builds the solver, its
variables and its optimiser inside ``strategy.scope()`` and trains with ``model.fit`` as on one device:

* **Data**: every Adam step's global batch of collocation points (residual, condition and data points) is
  the one a single-device run draws — a stateless function of (seed, step) — split into one equal shard per
  replica (:func:`distributed_batches`): each replica draws only its own shard. The run therefore follows
  the single-device trajectory up to the order of floating-point sums.
* **Loss**: each replica's loss is a mean over its shard and is divided by the number of replicas before
  the gradient (``PINNSolver.train_step``); the all-reduce sums the replicas' gradients, so the update is
  the gradient of the global mean.
* **XLA**: a ``tf.distribute`` strategy does not combine with ``jit_compile=True`` here; training under a
  strategy of more than one replica turns XLA off and says so (:func:`xla_fallback`).
* **L-BFGS** phases run in the chief process on one device, on the full batch (scipy's L-BFGS-B is a
  serial host loop; its gradient at these sizes is milliseconds): every worker runs the same deterministic
  iterations from the same synchronised weights, so all end with identical weights.

Paper: M. Abadi et al., "TensorFlow: a system for large-scale machine learning", OSDI 2016; the strategies
are TensorFlow's (``tf.distribute.MirroredStrategy``, ``tf.distribute.MultiWorkerMirroredStrategy``).
"""

from __future__ import annotations

import sys
import threading

import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.family import instance_dir, instance_name
from pinnzoo.registry import Registry


def _default():
    return tf.distribute.get_strategy()


def _mirrored():
    gpus = tf.config.list_logical_devices("GPU")
    devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    # on a machine without GPUs, every logical CPU device is a replica (tf.config.set_logical_device_configuration)
    return tf.distribute.MirroredStrategy(devices=devices)


def _multiworker():
    return tf.distribute.MultiWorkerMirroredStrategy()


#: ``--strategy`` name → a function making the ``tf.distribute.Strategy``
STRATEGIES: Registry = Registry("strategy", InputError, plural="strategies")
STRATEGIES.register("default", _default)
STRATEGIES.register("mirrored", _mirrored)
STRATEGIES.register("multiworker", _multiworker)


def get_strategy(strategy=None) -> tf.distribute.Strategy:
    """``strategy`` as a ``tf.distribute.Strategy``: one already made, a registered name, or None (the default)."""
    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    return STRATEGIES.get(strategy or "default")()


def replicas(strategy) -> int:
    return int(strategy.num_replicas_in_sync)


def one_device(strategy, what: str) -> None:
    """Refuse, with an InputError, a strategy of several replicas for ``what`` (a family that trains on one device)."""
    if strategy is not None and strategy != "default" and replicas(get_strategy(strategy)) > 1:
        raise InputError(f"{what} fits one instance on one device; under --strategy mirrored/multiworker give "
                         "several instances, one per replica or a multiple (pinnzoo train PRESET --set seed=1,2; "
                         "pinnzoo restore --image a.png --image b.png; docs/distributed.md)")


def multi_worker(strategy) -> bool:
    """Whether ``strategy`` spans several processes (a ``MultiWorkerMirroredStrategy`` with a cluster)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    spec = strategy.cluster_resolver.cluster_spec()
    return sum(spec.num_tasks(job) for job in spec.jobs if job in ("chief", "worker")) > 1


def xla_fallback(strategy, jit_compile, verbose: int = 1):
    """``jit_compile`` to use under ``strategy``: unchanged on one replica, False (and a note) on several."""
    if replicas(strategy) > 1 and jit_compile:
        if verbose:
            print(f"{type(strategy).__name__} with {replicas(strategy)} replicas: XLA off (jit_compile=False), "
                  "tf.distribute does not combine with it here", file=sys.stderr)
        return False
    return jit_compile


def shard(batch: dict, index, count: int) -> dict:
    """The ``index``-th of ``count`` equal shards of every tensor of ``batch`` along its first axis."""
    out = {}
    for name, value in batch.items():
        n = value.shape[0]
        if n is None or n % count:
            raise InputError(f"cannot split {n} {name} points into {count} equal shards, one per replica: "
                             f"choose a multiple of {count}")
        size = n // count
        out[name] = value[index * size:(index + 1) * size]
    return out


def distributed_batches(strategy, make_dataset):
    """A distributed dataset for ``model.fit`` under ``strategy``: ``make_dataset()`` (global batches, one per
    step) cut into one shard per replica; each input pipeline (worker) makes its own dataset and keeps the
    shards of its replicas, in replica order."""
    count = replicas(strategy)

    def per_pipeline(context: tf.distribute.InputContext):
        local = count // context.num_input_pipelines
        first = context.input_pipeline_id * local

        def shards(batch):
            return tf.data.Dataset.from_tensor_slices(tf.range(first, first + local)).map(
                lambda i: shard(batch, i, count))

        return make_dataset().flat_map(shards)

    return strategy.distribute_datasets_from_function(per_pipeline)


def local_replicas(strategy) -> list[tuple[int, str | None]]:
    """``(global replica id, device)`` of each replica this process runs (device None: the default one)."""
    if replicas(strategy) == 1 and not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return [(0, None)]
    devices = list(strategy.extended.worker_devices)
    task = strategy.cluster_resolver.task_id if multi_worker(strategy) else 0
    return [(task * len(devices) + j, device) for j, device in enumerate(devices)]


def owned(count: int, replicas: int, replica: int) -> range:
    """The instances replica ``replica`` of ``replicas`` owns: the ``replica``-th of equal contiguous blocks."""
    block = count // replicas
    return range(replica * block, (replica + 1) * block)


def check_shardable(count: int, strategy) -> None:
    """Refuse, with an InputError, ``count`` instances that do not split into one equal block per replica."""
    count_replicas = replicas(strategy)
    if count < 1 or count % count_replicas:
        raise InputError(f"{count} instance(s) do not split evenly over {count_replicas} replicas: give a multiple of "
                         f"{count_replicas} (one fit alone trains on one device: use --strategy default)")


def run_instances(strategy, count: int, fit_one) -> list:
    """``fit_one(i)`` for each of ``count`` independent instances whose fit shares no step with the others
    (an L-BFGS run is a serial host loop): replica ``r`` owns the ``r``-th equal block of instances
    (:func:`owned`) and fits it under its device, each local replica on its own
    thread; on a cluster each worker fits its replicas' blocks. Returns the results in instance order, None
    for the instances other workers fit. An exception in any thread is raised once all have ended."""
    check_shardable(count, strategy)
    results: list = [None] * count
    errors: list = []

    def block(replica: int, device):
        try:
            for i in owned(count, replicas(strategy), replica):
                if device is None:
                    results[i] = fit_one(i)
                else:
                    with tf.device(device):
                        results[i] = fit_one(i)
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)

    local = local_replicas(strategy)
    if len(local) == 1:
        block(*local[0])
    else:
        threads = [threading.Thread(target=block, args=r, name=f"pinnzoo-replica-{r[0]}") for r in local]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    return results


def train_sharded(preset, instances, *, strategy=None, seed: int = 0, quick: bool = False, out=None,
                  verbose: int = 1) -> list:
    """:meth:`pinnzoo.family.Preset.train_instances` for families whose fits are serial host loops (L-BFGS): the instances
    sharded over the strategy's replicas by :func:`pinnzoo.distribute.run_instances`, each fitted by the
    preset's own :meth:`~pinnzoo.family.Preset.train` on one device; None for the instances other workers fit."""
    variants = [preset.with_params(params) for params in instances]
    strategy = get_strategy(strategy)

    def fit_one(i: int):
        if verbose:
            print(f"{preset.name} {instance_name(instances[i])}: fitting", flush=True)
        return variants[i].train(seed=seed, quick=quick, out=instance_dir(out, instances[i]), verbose=0)

    return run_instances(strategy, len(variants), fit_one)
