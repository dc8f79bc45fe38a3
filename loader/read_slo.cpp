// The slo section: the latency objective, its target and its window.
#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

void read_slo(const Field& f, Context& ctx) {
  const MapReader slo(f);
  slo.allow_only({"target", "window", "latency"});
  if (const auto t = slo.get("target")) ctx.cfg.slo.target = to_share(*t, Share::kAboveZeroUpToOne);
  if (const auto l = slo.get("latency")) ctx.cfg.slo.latency = to_duration(*l, true);
  if (const auto w = slo.get("window")) {
    ctx.cfg.slo.window = to_duration(*w, true);
    // Only whole windows count: with none, time availability would read 100%.
    const sim::Time measured = ctx.cfg.run.duration - ctx.cfg.run.warmup;
    if (ctx.cfg.slo.window > measured) {
      fail(*w, fmt::format("window ({}) is longer than the measured time ({}, the run's duration after warmup), "
                           "so no window would end",
                           sim::format_duration(ctx.cfg.slo.window), sim::format_duration(measured)));
    }
  }
}

}  // namespace loader::sections
