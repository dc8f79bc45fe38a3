#include "sim/simulation.hpp"

namespace sim {

void Simulation::run_until(Time end) {
  stopped_ = false;
  FiredEvent event;
  while (!stopped_ && queue_.pop(end, event)) {
    now_ = event.time;
    ++events_fired_;
    event.fn(event.target, event.arg);
  }
  if (!stopped_ && end > now_) now_ = end;
}

}  // namespace sim
