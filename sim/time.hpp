// Simulated time: a signed 64-bit count of nanoseconds (about 292 years of range).
// Integer time keeps event ordering exact; doubles sampled from distributions
// become Time in exactly one place, to_time().
//
// Overflow is impossible by construction, not by checks on every event: a run
// ends by kHorizon (30 years), every duration the loader reads is at most
// kHorizon, and to_time() clamps every sampled duration to kHorizon, so "now"
// (<= kHorizon) plus a sum of up to eight such durations stays below 2^63.
// A sample past the horizon therefore means "never": whatever it schedules
// lies after the end of any run. Where times accumulate without bound (a FCFS
// queue's backlog), later() saturates at kNever.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

using Time = std::int64_t;

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1'000;
inline constexpr Time kMillisecond = 1'000'000;
inline constexpr Time kSecond = 1'000'000'000;
inline constexpr Time kMinute = 60 * kSecond;
inline constexpr Time kHour = 60 * kMinute;
inline constexpr Time kDay = 24 * kHour;
// A calendar year without leap days, for failure rates such as an MTTF of 1y.
inline constexpr Time kYear = 365 * kDay;
inline constexpr Time kNever = std::numeric_limits<Time>::max();
// The latest time a run may end, and the longest duration a scenario may state.
inline constexpr Time kHorizon = 30 * kYear;
static_assert(kHorizon <= kNever / 9, "now plus eight bounded durations must not overflow");

// t + delay for delay >= 0, saturating at kNever.
inline Time later(Time t, Time delay) {
  Time sum;
  return __builtin_add_overflow(t, delay, &sum) ? kNever : sum;
}

// The one rounding function from a sampled duration in nanoseconds to Time:
// round half away from zero, clamp to [0, kHorizon] (past the horizon: never).
inline Time to_time(double nanoseconds) {
  if (!(nanoseconds > 0.0)) return 0;  // also catches NaN
  if (nanoseconds >= static_cast<double>(kHorizon)) return kHorizon;
  // Round half up by truncation: llround is a libm call on this hot path. The
  // two differ only for the largest double below a half (0.49999999999999994
  // + 0.5 rounds to 1.0), which is as deterministic.
  return static_cast<Time>(nanoseconds + 0.5);
}

// As to_time, but clamped to [0, kNever) only: for analytic figures and text
// (an MTTF of 100 years), never for anything a run schedules.
inline Time to_time_unbounded(double nanoseconds) {
  if (!(nanoseconds > 0.0)) return 0;
  if (nanoseconds >= 9.2e18) return kNever - 1;
  return static_cast<Time>(nanoseconds + 0.5);
}

inline double to_seconds(Time t) { return static_cast<double>(t) / 1e9; }
inline double to_milliseconds(Time t) { return static_cast<double>(t) / 1e6; }

// Parses "250us", "1.5s", "2m", "1h30m" is not accepted: one number, one unit.
// Units: ns, us, ms, s, m, h, d, y (365 days). Returns nullopt on anything
// else (including negative values and overflow). A bare "0" is accepted.
std::optional<Time> parse_duration(std::string_view text);

// Prints with the largest unit that keeps the value >= 1, up to 4 significant
// digits: "350us", "1.5s", "2h". Days are the largest unit printed ("730d",
// not "2y"). Exact round trip is not promised.
std::string format_duration(Time t);

}  // namespace sim
