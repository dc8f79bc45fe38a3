// The work of run_paired and run_sweep cut into units, one run each (a
// warm-up pilot or one replication of one scenario), that any thread of any
// process may run: a Study hands out the units that are ready and takes
// their results back, by index, so that the outcome never depends on where
// or in which order units ran. execute() runs a study on this process's
// threads or, under MPI, over every rank (experiment/cluster.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "experiment/replications.hpp"
#include "experiment/warmup.hpp"
#include "models/config.hpp"
#include "models/results.hpp"

namespace experiment {

struct WorkUnit {
  std::uint64_t group = 0;        // the sweep point; 0 for run and compare
  std::uint64_t scenario = 0;     // within the group
  std::uint64_t replication = 0;  // a replication's index (a pilot is replication 0)
  bool pilot = false;
  sim::Time warmup = 0;           // the warm-up cut a replication runs with
};

struct UnitResult {
  WarmupDetection pilot;  // a pilot's
  models::RunResult run;  // a replication's
};

// `config` as the group has it before its warm-up is known; `progress` is
// as models::RunOptions::progress.
UnitResult run_unit(const models::ScenarioConfig& config, const WorkUnit& unit,
                    const std::function<void(sim::Time, std::uint64_t)>& progress = {});

// Groups [first, end) of scenarios, each run as run_paired runs its configs:
// pilots (with an automatic warm-up), then batches of replications
// (replication-major), more batches with a precision target. A group's next
// batch depends on its own results only. Units of the lowest group come
// first; a later group starts when no earlier one has a unit ready, so that
// free workers balance uneven groups.
class Study {
 public:
  // The scenarios of a group; must stay valid while the study runs.
  using Configs = std::function<std::span<const models::ScenarioConfig>(std::size_t group)>;
  // Called with each finished group, in group order.
  using Finished = std::function<void(std::size_t group, std::vector<Experiment>&& experiments)>;

  // progress: with per_group, (groups done, fractions of the running ones
  // included, `end`, events); else (runs done, runs planned, events).
  Study(Configs configs, std::size_t first, std::size_t end, const Options& options, Finished finished,
        Progress progress = {}, bool per_group = false);

  bool finished() const { return active_.empty() && next_group_ == end_; }
  // A unit ready to run, if any; none while every started group waits for
  // results and no group is left to start.
  std::optional<WorkUnit> next();
  // The result of a unit from next(); may call `finished`.
  void done(const WorkUnit& unit, UnitResult&& result);
  // Part of a unit ran: `runs` is a fraction of one run, `events` those it
  // simulated since the last call. A unit's advances add up to one run.
  void advance(const WorkUnit& unit, double runs, std::uint64_t events);
  const models::ScenarioConfig& config(const WorkUnit& unit) const { return configs_(unit.group)[unit.scenario]; }

 private:
  struct Group {
    std::size_t index = 0;
    std::vector<Experiment> experiments;
    bool pilots = false;        // the batch under way is the pilots
    std::size_t from = 0, to = 0;  // its replications
    std::size_t count = 0;      // its units
    std::size_t handed = 0;     // units handed out
    std::size_t returned = 0;   // results back
    bool complete = false;
    double runs_done = 0.0, runs_planned = 0.0;
    std::chrono::steady_clock::time_point start;
  };

  void start(Group& g);
  void begin_batch(Group& g, bool pilots, std::size_t from, std::size_t to);
  void end_batch(Group& g);
  WorkUnit unit_at(const Group& g, std::size_t i) const;
  void report();

  Configs configs_;
  std::size_t end_;
  Options options_;
  Finished finished_;
  Progress progress_;
  bool per_group_;
  std::size_t next_group_;
  std::deque<Group> active_;  // started and not yet passed to finished_, in group order
  std::size_t groups_done_;
  std::uint64_t events_ = 0;
};

// Runs the study to its end: over the MPI ranks when there are several,
// else on `jobs` threads. The first exception stops the handing out of
// units and is rethrown.
void execute(Study& study, unsigned jobs);

// execute() without MPI.
void execute_on_threads(Study& study, unsigned jobs);

}  // namespace experiment
