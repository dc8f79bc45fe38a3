#!/usr/bin/env bash
# A tiersim sweep as a Slurm batch job, one MPI rank per core:
#   sbatch examples/slurm-sweep.sh
# Resubmitting the same script after a time-out or a failure resumes the
# sweep: the output file keeps every finished point (docs/statistics.md,
# "On a cluster"). tiersim must be built with Open MPI (-Dmpi=enabled) and
# the scenario and output must be on a file system every node sees.
#SBATCH --job-name=tiersim-sweep
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --time=04:00:00
#SBATCH --output=tiersim-sweep-%j.log
set -euo pipefail

# srun starts one tiersim per task; --jobs 1 since each task has one core.
srun tiersim sweep scenarios/3-scale-up.yaml \
  --vary 'workload.arrivals=poisson({100:2000:100}/s)' \
  --vary tiers.app.count=2,4,6,8 \
  --duration 1h --warmup auto --replications 30 --jobs 1 \
  --output capacity.csv
# With Open MPI's own launcher instead (it reads the allocation from Slurm):
#   mpirun tiersim sweep ... --jobs 1 --output capacity.csv
