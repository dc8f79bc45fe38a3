// tiersim as one of the processes of an MPI job (mpirun, srun): rank 0
// coordinates, runs units itself and writes every output; the other ranks
// only run the units rank 0 hands them, dynamically, so that a rank that
// finishes early takes the next. Results travel whole (experiment/wire.hpp)
// and go into the study by unit, never by arrival: the outputs are those of
// one process. Built without MPI (meson -Dmpi=disabled, or no Open MPI),
// every function here is that of a single process, and start() refuses a
// launch as one of several MPI processes. docs/statistics.md says more.
#pragma once

#include <cstdlib>

#include "experiment/study.hpp"

namespace experiment::cluster {

// How many processes the MPI launcher that started this one started, as its
// environment says: Open MPI's mpirun, the PMI of MPICH's hydra, Slurm's
// srun. 1 without a launcher.
inline long launched_processes() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) {
    if (const char* value = std::getenv(name)) return std::strtol(value, nullptr, 10);
  }
  return 1;
}

// Call first in main, after handle_signals(): joins the MPI job when an MPI
// launcher started this process (its environment says so), else does
// nothing, so that tiersim alone starts as fast as ever. Throws
// std::runtime_error when launched as one of several processes without MPI
// built in.
void start(int& argc, char**& argv);

// Leaves the MPI job (the other ranks are told to stop when rank 0 ends
// early, on an error); returns `status`. Call last in main, on every path.
int finish(int status);

// Whether this process writes outputs: always without MPI, rank 0 with.
bool coordinator();
int rank();  // 0 without MPI

// On rank 0 of several: runs the study over all ranks and returns true.
// Otherwise returns false and does nothing.
bool distribute(Study& study, unsigned jobs);

// On the other ranks: runs units of a study over `configs` (the same as
// rank 0's, from the same command line) on `jobs` threads, until rank 0
// says the study is over.
void serve(const Study::Configs& configs, unsigned jobs);

}  // namespace experiment::cluster
