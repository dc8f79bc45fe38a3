#include "sim/units.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace sim {
namespace {

struct Unit {
  std::string_view name;
  double factor;
};

constexpr Unit kSizeUnits[] = {
    {"B", 1.0},  {"KB", 1e3},     {"KiB", 0x1p10}, {"MB", 1e6},     {"MiB", 0x1p20},
    {"GB", 1e9}, {"GiB", 0x1p30}, {"TB", 1e12},    {"TiB", 0x1p40},
};

constexpr Unit kBitRateUnits[] = {
    {"bps", 1.0 / 8}, {"Kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8},
};

constexpr Unit kRateUnits[] = {
    {"/s", 1.0},
    {"/m", 1.0 / 60},
    {"/h", 1.0 / 3600},
};

template <std::size_t N>
std::optional<double> find_factor(const Unit (&units)[N], std::string_view name) {
  for (const Unit& unit : units) {
    if (unit.name == name) return unit.factor;
  }
  return std::nullopt;
}

// value * factor, unless the product overflows to infinity.
std::optional<double> scale(double value, double factor) {
  const double result = value * factor;
  if (!std::isfinite(result)) return std::nullopt;
  return result;
}

}  // namespace

std::optional<NumberWithSuffix> split_number(std::string_view text) {
  double value = 0.0;
  const char* const end = text.data() + text.size();
  // from_chars ignores the locale, rejects leading spaces and '+', and does not
  // read hexadecimal in the general format; it does accept "inf", "nan" and a
  // leading '-', which the checks below turn away.
  const auto [stop, error] = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (error != std::errc()) return std::nullopt;  // no number, or out of range
  if (!std::isfinite(value) || std::signbit(value)) return std::nullopt;  // signbit: "-0" too
  return NumberWithSuffix{value, text.substr(static_cast<std::size_t>(stop - text.data()))};
}

std::optional<double> parse_number(std::string_view text) {
  const auto split = split_number(text);
  if (!split || !split->suffix.empty()) return std::nullopt;
  return split->value;
}

std::optional<double> parse_size(std::string_view text) {
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  if (split->suffix.empty()) return split->value;
  const auto factor = find_factor(kSizeUnits, split->suffix);
  if (!factor) return std::nullopt;
  return scale(split->value, *factor);
}

std::optional<double> parse_bandwidth(std::string_view text) {
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  const std::string_view suffix = split->suffix;
  std::optional<double> factor;
  // Byte rates are a size unit per second; a bare number is refused because
  // bits and bytes are both common.
  if (suffix.ends_with("/s")) {
    factor = find_factor(kSizeUnits, suffix.substr(0, suffix.size() - 2));
  } else {
    factor = find_factor(kBitRateUnits, suffix);
  }
  if (!factor) return std::nullopt;
  return scale(split->value, *factor);
}

std::optional<double> parse_rate(std::string_view text) {
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  const auto factor = find_factor(kRateUnits, split->suffix);
  if (!factor) return std::nullopt;
  return scale(split->value, *factor);
}

}  // namespace sim
