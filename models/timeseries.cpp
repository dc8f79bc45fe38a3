#include "models/timeseries.hpp"

#include <algorithm>
#include <cmath>

#include "models/stack.hpp"

namespace models {

namespace {
// Nearest-rank quantile of a window's samples (reordered in place).
double quantile_ms(std::vector<Time>& values, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  const std::size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return static_cast<double>(values[index]) / 1e6;
}
}  // namespace

WindowRecorder::WindowRecorder(Stack& stack, Time window, WindowSink& sink)
    : stack_(stack), window_(window), sink_(sink) {}

void WindowRecorder::start() {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < stack_.node_count(); ++i) {
    names.push_back(stack_.node(static_cast<std::uint32_t>(i)).name());
  }
  sink_.begin(names);
  std::vector<std::string> tiers;
  for (int t = 0; t < stack_.tier_count(); ++t) tiers.push_back(stack_.tier_nodes(t).front()->tier().name);
  sink_.tiers(tiers);
  cpu_busy_at_start_.assign(stack_.node_count(), 0.0);
  origin_ = stack_.simulation().now();
  current_.start = origin_;
  stack_.simulation().schedule_in<&WindowRecorder::on_window_end>(window_, this);
}

void WindowRecorder::on_window_end(std::uint64_t) {
  close(stack_.simulation().now());
  stack_.simulation().schedule_in<&WindowRecorder::on_window_end>(window_, this);
}

void WindowRecorder::finish() {
  if (stack_.simulation().now() > current_.start) close(stack_.simulation().now());
}

void WindowRecorder::close(Time end) {
  current_.end = end;
  current_.latency_count = latencies_.size();
  if (!latencies_.empty()) {
    double sum = 0.0;
    for (Time t : latencies_) sum += static_cast<double>(t);
    current_.latency_mean_ms = sum / static_cast<double>(latencies_.size()) / 1e6;
    current_.latency_p50_ms = quantile_ms(latencies_, 0.5);
    current_.latency_p99_ms = quantile_ms(latencies_, 0.99);
  }
  // Requests offered in later windows were created ahead of their send
  // time: in the request pool, but not yet in the system.
  current_.in_flight = stack_.requests().live() - offered_ahead_.size();
  current_.healthy.assign(static_cast<std::size_t>(stack_.tier_count()), 0);
  for (int t = 0; t < stack_.tier_count(); ++t) {
    for (const Node* n : stack_.tier_nodes(t)) current_.healthy[static_cast<std::size_t>(t)] += n->answering() ? 1 : 0;
  }
  current_.cpu_utilization.resize(stack_.node_count());
  const double span = static_cast<double>(end - current_.start);
  for (std::size_t i = 0; i < stack_.node_count(); ++i) {
    const Cpu& cpu = stack_.node(static_cast<std::uint32_t>(i)).host().cpu();
    const double busy = cpu.busy_core_time(end);
    current_.cpu_utilization[i] = span > 0 ? (busy - cpu_busy_at_start_[i]) / (span * cpu.cores()) : 0.0;
    cpu_busy_at_start_[i] = busy;
  }
  sink_.row(current_);
  latencies_.clear();
  WindowRow next;
  next.start = end;
  next.cpu_utilization = std::move(current_.cpu_utilization);
  current_ = std::move(next);
  while (!offered_ahead_.empty() && offered_ahead_.front() < current_.start + window_) {
    ++current_.offered;
    offered_ahead_.pop_front();
  }
}

}  // namespace models
