// The run section: duration, warm-up, seed and the run's limits.
#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

void read_run(const Field& f, Context& ctx) {
  const MapReader run(f);
  run.allow_only({"duration", "warmup", "seed", "max_in_flight", "max_pending_events"});
  if (const auto d = run.get("duration")) ctx.cfg.run.duration = to_duration(*d, true);
  if (const auto w = run.get("warmup")) {
    ctx.cfg.run.auto_warmup = w->node.type == Node::Type::kScalar && w->node.text == "auto";
    ctx.cfg.run.warmup = ctx.cfg.run.auto_warmup ? 0 : to_duration(*w, false);
    if (ctx.cfg.run.warmup >= ctx.cfg.run.duration) {
      fail(*w,
           fmt::format("warmup ({}) must be shorter than the run's duration ({})",
                       sim::format_duration(ctx.cfg.run.warmup), sim::format_duration(ctx.cfg.run.duration)),
           "on the command line, lengthen the run with --duration or shorten the warm-up with --warmup");
    }
  }
  if (const auto s = run.get("seed")) ctx.cfg.run.seed = to_seed(*s);
  if (const auto m = run.get("max_in_flight")) ctx.cfg.run.max_in_flight = to_int(*m, 1);
  if (const auto m = run.get("max_pending_events")) ctx.cfg.run.max_pending_events = to_int(*m, 1);
}

}  // namespace loader::sections
