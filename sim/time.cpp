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

enum class DurationParse { kOk, kMalformed, kOutOfRange };

struct ParsedDuration {
  DurationParse status = DurationParse::kMalformed;
  Time value = 0;
};

// Each part is a number and a unit; units strictly decrease ("1h30m", not
// "30m1h" or "1m1m"), so that every duration has one obvious reading.
ParsedDuration parse_parts(std::string_view text) {
  if (text == "0") return {DurationParse::kOk, 0};
  ParsedDuration out{DurationParse::kOk, 0};
  Time previous_unit = 0;
  std::string_view rest = text;
  do {
    const auto split = split_number(rest);
    if (!split) return {};
    const std::string_view suffix = split->suffix;
    std::size_t letters = 0;
    while (letters < suffix.size() && suffix[letters] >= 'a' && suffix[letters] <= 'z') ++letters;
    const DurationUnit* unit = parse_unit(suffix.substr(0, letters));
    if (unit == nullptr) return {};
    if (previous_unit != 0 && unit->nanoseconds >= previous_unit) return {};
    previous_unit = unit->nanoseconds;
    rest = suffix.substr(letters);
    const double nanoseconds = split->value * static_cast<double>(unit->nanoseconds);
    // 2^63 ns does not fit in Time; the parse goes on to tell a malformed
    // text from one that is only too long.
    if (!(nanoseconds < 0x1p63)) {
      out.status = DurationParse::kOutOfRange;
      continue;
    }
    // to_time_unbounded saturates from 9.2e18 on, short of 2^63; doubles that
    // large are whole numbers and convert exactly. (to_time would clamp to the
    // horizon, hiding a too-long text from the range checks.)
    const Time part = nanoseconds < 9.2e18 ? to_time_unbounded(nanoseconds) : static_cast<Time>(nanoseconds);
    if (__builtin_add_overflow(out.value, part, &out.value)) out.status = DurationParse::kOutOfRange;
  } while (!rest.empty());
  return out;
}

}  // namespace

std::optional<Time> parse_duration(std::string_view text) {
  const ParsedDuration parsed = parse_parts(text);
  if (parsed.status != DurationParse::kOk || parsed.value > kLongestDuration) return std::nullopt;
  return parsed.value;
}

bool duration_out_of_range(std::string_view text) {
  const ParsedDuration parsed = parse_parts(text);
  return parsed.status == DurationParse::kOutOfRange ||
         (parsed.status == DurationParse::kOk && parsed.value > kLongestDuration);
}

std::string duration_range_text() {
  return "0 to " + std::to_string(kLongestDuration / kDay) + "d (about " + std::to_string(kLongestDuration / kYear) +
         " years)";
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
