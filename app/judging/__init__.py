"""Judging: rubrics, rounds, assignments, scores, rankings and awards."""

import os

# The ranking solves many small systems (a bootstrap draws the judges 200 times): BLAS
# threads cost more than they save there, and a web process shares its cores anyway. Set
# before numpy loads its BLAS; an operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
