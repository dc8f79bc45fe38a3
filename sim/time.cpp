#include "sim/time.hpp"

#include <charconv>

#include "sim/units.hpp"

namespace sim {
namespace {

struct DurationUnit {
  std::string_view name;
  Time nanoseconds;
};

// Largest first: format_duration picks the first unit that fits.
constexpr DurationUnit kDurationUnits[] = {
    {"d", kDay},          {"h", kHour},         {"m", kMinute},      {"s", kSecond},
    {"ms", kMillisecond}, {"us", kMicrosecond}, {"ns", kNanosecond},
};

// Read but never printed: a year is an approximation (no leap days), so
// output stays in days, which are exact.
constexpr DurationUnit kYearUnit = {"y", kYear};

const DurationUnit* parse_unit(std::string_view name) {
  if (name == kYearUnit.name) return &kYearUnit;
  for (const DurationUnit& unit : kDurationUnits) {
    if (unit.name == name) return &unit;
  }
  return nullptr;
}

// value (>= 0) with 4 significant digits in fixed notation, trailing zeros
// dropped. Values of 1000 and more keep their whole integer part.
std::string four_digits(double value) {
  const int decimals = value < 10 ? 3 : value < 100 ? 2 : value < 1000 ? 1 : 0;
  char buffer[32];  // a Time has at most 19 digits, so this never fills
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  std::string text(buffer, result.ptr);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

}  // namespace

std::optional<Time> parse_duration(std::string_view text) {
  if (text == "0") return 0;
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  const DurationUnit* unit = parse_unit(split->suffix);
  if (unit == nullptr) return std::nullopt;
  const double nanoseconds = split->value * static_cast<double>(unit->nanoseconds);
  if (!(nanoseconds < 0x1p63)) return std::nullopt;  // 2^63 ns does not fit in Time
  // to_time_unbounded saturates from 9.2e18 on, short of 2^63; doubles that
  // large are whole numbers and convert exactly.
  return nanoseconds < 9.2e18 ? to_time_unbounded(nanoseconds) : static_cast<Time>(nanoseconds);
}

std::string format_duration(Time t) {
  if (t == 0) return "0s";
  // In double, negating the most negative Time cannot overflow.
  const double magnitude = t < 0 ? -static_cast<double>(t) : static_cast<double>(t);
  const std::string sign = t < 0 ? "-" : "";
  const DurationUnit* unit = kDurationUnits;
  std::string text;
  // Judge the rounded text, so that 999.99996ms prints as "1s", not "1000ms".
  // Nanoseconds, the last unit, always fit: a nonzero Time is at least 1ns.
  for (;; ++unit) {
    text = four_digits(magnitude / static_cast<double>(unit->nanoseconds));
    if (text[0] != '0' || unit->nanoseconds == kNanosecond) break;
  }
  return sign + text + std::string(unit->name);
}

}  // namespace sim
