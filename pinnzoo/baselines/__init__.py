"""Classical restoration baselines: candidates per task (:mod:`.candidates`), the total-variation solver behind
several of them (:mod:`.tv`), and the choice of each method's parameter with and without the clean image
(:mod:`.select`)."""

from pinnzoo.baselines.candidates import (Candidate, deblur_candidates, denoise_candidates, heat_candidates,
                                          inpaint_candidates, superres_candidates)
from pinnzoo.baselines.select import best_baselines, discrepancy_baselines, residual_rms
from pinnzoo.baselines.tv import back_projection, total_variation, tv_restore

__all__ = ["Candidate", "back_projection", "best_baselines", "deblur_candidates", "denoise_candidates",
           "discrepancy_baselines", "heat_candidates", "inpaint_candidates", "residual_rms", "superres_candidates",
           "total_variation", "tv_restore"]
