// experiment/cluster.hpp for a build without MPI.

#include <fmt/format.h>

#include "experiment/cluster.hpp"
#include "experiment/input_error.hpp"

namespace experiment::cluster {

void start(int&, char**&) {
  // Rather than N copies racing on the same output files.
  if (const long n = launched_processes(); n > 1) {
    throw InputError(fmt::format(
        "started as one of {} MPI processes (mpirun or srun), but this tiersim is built without MPI: rebuild it "
        "with Open MPI (libopenmpi-dev; meson setup -Dmpi=enabled), or run it as a single process",
        n));
  }
}

int finish(int status) { return status; }

bool coordinator() { return true; }

int rank() { return 0; }

bool distribute(Study&, unsigned) { return false; }

void serve(const Study::Configs&, unsigned) {}

}  // namespace experiment::cluster
