#include "experiment/progress_bar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "sim/time.hpp"

namespace experiment {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 20;

std::string rate_text(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f}k", per_second / 1e3);
  return fmt::format("{:.0f}", per_second);
}

}  // namespace

ProgressBar::ProgressBar(std::string unit) : unit_(std::move(unit)), start_(Clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
}

void ProgressBar::update(double done, double total, std::uint64_t events) {
  if (!first_done_) first_done_ = done;
  const auto now = Clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  const double wall = std::chrono::duration<double>(now - start_).count();
  const double fraction = total > 0.0 ? std::clamp(done / total, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string eta = "-";
  if (done > *first_done_) {
    eta = sim::format_duration(sim::to_time_unbounded((total - done) * wall / (done - *first_done_) * 1e9));
  }
  // \x1b[K erases what a longer previous line left behind.
  fmt::print(stderr, "\r[{:#<{}}{:-<{}}] {:.0f}/{:.0f} {}  ETA {}  {} events/s\x1b[K", "", filled, "",
             kBarWidth - filled, std::floor(done), total, unit_, eta, rate_text(static_cast<double>(events) / wall));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace experiment
