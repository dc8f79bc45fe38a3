#include "cli/progress.hpp"

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace cli {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string rate_text(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f}k", per_second / 1e3);
  return fmt::format("{:.0f}", per_second);
}

}  // namespace

ProgressLine::ProgressLine(sim::Time total) : total_(total), start_(Clock::now()), last_draw_(start_) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
}

void ProgressLine::update(sim::Time simulated, std::uint64_t events) {
  const auto now = Clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  const double wall = std::chrono::duration<double>(now - start_).count();
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(simulated) / static_cast<double>(total_) : 100.0;
  // \x1b[K erases what a longer previous line left behind.
  fmt::print(stderr, "\rsimulated {} / {}  {:.0f}%  {} events/s\x1b[K", sim::format_duration(simulated),
             sim::format_duration(total_), percent, rate_text(static_cast<double>(events) / wall));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace cli
