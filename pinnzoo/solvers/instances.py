"""Several independent fits of one recipe, trained side by side with the instances sharded over replicas."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.distribute import check_shardable, multi_worker, owned  # noqa: F401  (owned: re-exported)
from pinnzoo.errors import InputError


@runtime_checkable
class BatchableSolver(Protocol):
    """What :class:`InstanceBatchSolver` needs of a member: the gradient half of its step and the bookkeeping
    half, split (:class:`~pinnzoo.solvers.ImagePriorSolver` is one)."""

    prior: keras.Model

    def step_gradients(self, target):
        """``(loss, extra or None, output, gradients for prior.trainable_variables, prior weights before)``."""

    def output_like(self) -> tf.Tensor:
        """Zeros shaped like one step's output (what a replica that does not own the member contributes)."""

    def track(self, output, weights) -> None:
        """Update the member's non-trainable state after a step that produced ``output`` from ``weights``."""


@keras.saving.register_keras_serializable(package="pinnzoo")
class InstanceBatchSolver(keras.Model):
    r"""``K`` independent fits of one recipe — the same generator architecture on ``K`` measurements — trained
    by one ``model.fit``, with the instances sharded over the replicas of a ``tf.distribute`` strategy.

    Member ``i`` has its own weights ``Θ_i`` and measurement ``y_i``; one step minimises
    ``Σ_i L_i(Θ_i)``. Replica ``r`` of ``R`` computes the gradients of the ``K/R`` members it owns (equal
    contiguous blocks, :func:`owned`) and zeros for the others; the optimiser's all-reduce sums the replicas'
    gradients, so member ``i`` is updated with exactly ``∇L_i``, and Adam being elementwise, every member
    follows the trajectory of its own single-device fit. The members' outputs are summed across replicas in
    the same way, so every replica then updates every member's bookkeeping (moving average, variance window,
    kept minimum) identically, in the cross-replica context (``merge_call``). A member whose automatic stop
    fired (``active[i] = 0``, set by :class:`~pinnzoo.callbacks.InstanceStopping`) is neither stepped nor
    tracked again: its kept image and weights are the ones its own fit would keep.

    Logs ``loss`` (the mean over active members) and ``loss_i`` per member. Communication per step: the
    gradients of all ``K`` members (zeros for the ones a replica does not own) and their outputs.

    Paper: the data-parallel pattern of tf.distribute (Abadi et al., OSDI 2016) applied to independent
    Deep Image Prior fits (Ulyanov, Vedaldi, Lempitsky, CVPR 2018).
    """

    def __init__(self, members, targets, **kwargs):
        super().__init__(**kwargs)
        self.members = list(members)
        if not self.members:
            raise InputError("an instance batch needs at least one member")
        for m in self.members:
            if not isinstance(m, BatchableSolver):
                raise InputError(f"{type(m).__name__} cannot be trained in an instance batch (it does not split "
                                 "its step into step_gradients and track)")
        if len(targets) != len(self.members):
            raise InputError(f"{len(self.members)} members but {len(targets)} targets")
        self.targets = [self.add_weight(shape=tuple(t.shape), name=f"target_{i}", trainable=False,
                                        initializer=keras.initializers.Constant(t)) for i, t in enumerate(targets)]
        self.active = self.add_weight(shape=(len(self.members),), name="active", trainable=False,
                                      initializer=keras.initializers.Ones())
        self.trackers = [keras.metrics.Mean(name=f"loss_{i}") for i in range(len(self.members))]
        self.total_tracker = keras.metrics.Mean(name="loss")
        self.built = True

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def metrics(self):
        return [self.total_tracker, *self.trackers]

    def dataset(self) -> tf.data.Dataset:
        """The endless dataset ``fit`` consumes: nothing (the measurements are the members' targets), one
        element per replica under a strategy."""
        strategy = self.distribute_strategy
        check_shardable(self.count, strategy)
        if strategy.num_replicas_in_sync > 1:
            return strategy.distribute_datasets_from_function(
                lambda context: tf.data.Dataset.from_tensors(0.0).repeat())
        return tf.data.Dataset.from_tensors(0.0).repeat()

    def _member_step(self, i: int):
        member = self.members[i]

        def step():
            loss, _, x, grads, _ = member.step_gradients(self.targets[i])
            return loss, x, grads

        def idle():
            return (tf.zeros((), self.targets[i].dtype), member.output_like(),
                    [tf.zeros_like(v) for v in member.prior.trainable_variables])

        return tf.cond(self.active[i] > 0, step, idle)

    def train_step(self, data):
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync
        replica = int(tf.get_static_value(context.replica_id_in_sync_group))
        mine = owned(self.count, replicas, replica)
        before = [[tf.identity(v) for v in m.prior.weights] for m in self.members]
        losses, outputs, grads, variables = [], [], [], []
        for i, member in enumerate(self.members):
            if i in mine:
                loss, x, g = self._member_step(i)
            else:
                loss, x = tf.zeros((), self.targets[i].dtype), member.output_like()
                g = [tf.zeros_like(v) for v in member.prior.trainable_variables]
            losses.append(loss)
            outputs.append(x)
            grads += g
            variables += member.prior.trainable_variables
        self.optimizer.apply_gradients(zip(grads, variables))  # summed over replicas: each member's own gradient
        losses, outputs = context.all_reduce("SUM", (losses, outputs)) if replicas > 1 else (losses, outputs)
        context.merge_call(self._track_all, args=(outputs, before))
        active = self.active.value
        for i, tracker in enumerate(self.trackers):
            tracker.update_state(losses[i], sample_weight=active[i])
        self.total_tracker.update_state(tf.stack(losses), sample_weight=active)
        logs = {m.name: m.result() for m in self.metrics}
        if multi_worker(tf.distribute.get_strategy()):
            # Keras reduces the logs of several workers with strategy.reduce(..., axis=0), which needs an axis
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def get_config(self):
        config = super().get_config()
        config.update(members=[keras.saving.serialize_keras_object(m) for m in self.members],
                      target_shapes=[list(t.shape) for t in self.targets])
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        members = [keras.saving.deserialize_keras_object(m) for m in config.pop("members")]
        targets = [np.zeros(shape, np.float32) for shape in config.pop("target_shapes")]  # the weights hold them
        return cls(members, targets, **config)

    def _track_all(self, strategy, outputs, before):
        """Every member's bookkeeping (cross-replica context): the summed outputs are equal on every replica;
        the first replica's copy is used."""
        local = strategy.experimental_local_results
        for i, member in enumerate(self.members):
            x = local(outputs[i])[0]
            weights = [local(w)[0] for w in before[i]]
            tf.cond(self.active[i] > 0, lambda m=member, x=x, w=weights: _tracked(m, x, w),
                    lambda: tf.constant(False))


def _tracked(member, x, weights):
    member.track(x, weights)
    return tf.constant(True)
