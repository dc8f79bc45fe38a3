#include "experiment/replications.hpp"

#include <cassert>

#include <fmt/format.h>

#include "experiment/input_error.hpp"
#include "experiment/study.hpp"

namespace experiment {

namespace {

std::string warmup_text(const models::RunConfig& run) {
  return run.auto_warmup ? "auto" : sim::format_duration(run.warmup);
}

void check_pairable(std::span<const models::ScenarioConfig> configs) {
  const models::RunConfig& first = configs.front().run;
  for (const auto& c : configs.subspan(1)) {
    const auto mismatch = [&](std::string_view what, std::string_view a, std::string_view b, std::string_view flag) {
      throw InputError(fmt::format(
          "{} has {} {} but {} has {} {}: paired comparison needs one {}; {}", configs.front().name, what, a, c.name,
          what, b, what, flag));
    };
    if (c.run.seed != first.seed) {
      mismatch("seed", std::to_string(first.seed), std::to_string(c.run.seed), "pass --seed");
    }
    if (c.run.duration != first.duration) {
      mismatch("duration", sim::format_duration(first.duration), sim::format_duration(c.run.duration),
               "pass --duration");
    }
    if (c.run.auto_warmup != first.auto_warmup || (!first.auto_warmup && c.run.warmup != first.warmup)) {
      mismatch("warm-up", warmup_text(first), warmup_text(c.run), "pass --warmup VALUE");
    }
  }
}

}  // namespace

std::vector<Experiment> run_paired(std::span<const models::ScenarioConfig> configs, const Options& options,
                                   const Progress& progress) {
  assert(!configs.empty() && options.replications >= 1 && options.jobs >= 1);
  assert(!options.precision || (options.replications >= 2 && options.max_replications >= options.replications));
  check_pairable(configs);
  std::vector<Experiment> experiments;
  Study study([configs](std::size_t) { return configs; }, 0, 1, options,
              [&experiments](std::size_t, std::vector<Experiment>&& done) { experiments = std::move(done); }, progress);
  execute(study, options.jobs);
  return experiments;
}

Experiment run_experiment(const models::ScenarioConfig& config, const Options& options, const Progress& progress) {
  return std::move(run_paired(std::span(&config, 1), options, progress).front());
}

}  // namespace experiment
