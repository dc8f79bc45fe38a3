// Simulated time: a signed 64-bit count of nanoseconds (about 292 years of range).
// Integer time keeps event ordering exact; doubles sampled from distributions
// become Time in exactly one place, to_time().
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

// The one rounding function from a sampled duration in nanoseconds to Time:
// round half away from zero, clamp to [0, kNever).
inline Time to_time(double nanoseconds) {
  if (!(nanoseconds > 0.0)) return 0;  // also catches NaN
  if (nanoseconds >= 9.2e18) return kNever - 1;
  // Round half up by truncation: llround is a libm call on this hot path. The
  // two differ only for the largest double below a half (0.49999999999999994
  // + 0.5 rounds to 1.0), which is as deterministic.
  return static_cast<Time>(nanoseconds + 0.5);
}

inline double to_seconds(Time t) { return static_cast<double>(t) / 1e9; }
inline double to_milliseconds(Time t) { return static_cast<double>(t) / 1e6; }

// The longest duration a scenario or flag may give: the whole range of Time,
// 2^63 - 1 ns (106751 days, about 292 years).
inline constexpr Time kLongestDuration = kNever;

// Parses "250us", "1.5s", "2m", and compound durations whose units go from
// larger to smaller, each at most once: "1m30s", "1h30m", "1d12h". Units: ns,
// us, ms, s, m, h, d, y (365 days). Returns nullopt on anything else
// (including negative values and durations beyond kLongestDuration). A bare
// "0" is accepted.
std::optional<Time> parse_duration(std::string_view text);

// True when `text` is written as a duration but exceeds kLongestDuration
// ("99999999y"), so that messages can say "out of range" rather than "malformed".
bool duration_out_of_range(std::string_view text);

// The accepted range for messages: "0 to 106751d (about 292 years)".
std::string duration_range_text();

// Prints with the largest unit that keeps the value >= 1, up to 4 significant
// digits: "350us", "1.5s", "2h". Days are the largest unit printed ("730d",
// not "2y"). Exact round trip is not promised.
std::string format_duration(Time t);

}  // namespace sim
