// Parsing of quantities with units used by scenarios: sizes, bandwidths, rates.
// Durations live in time.hpp. All parsers reject negative and non-finite values.
#pragma once

#include <optional>
#include <string_view>

namespace sim {

// "1KiB" -> 1024, "2MB" -> 2e6, "512B" or "512" -> 512 (bytes).
std::optional<double> parse_size(std::string_view text);
// Bits or bytes per second -> bytes per second: "1Gbps" -> 1.25e8, "200MB/s" -> 2e8.
std::optional<double> parse_bandwidth(std::string_view text);
// "600/s", "36000/h", "10/m" -> events per second.
std::optional<double> parse_rate(std::string_view text);

// A plain decimal number with nothing after it (locale-independent).
std::optional<double> parse_number(std::string_view text);

// Splits "12.5ms" into (12.5, "ms"); nullopt when no leading number.
struct NumberWithSuffix {
  double value;
  std::string_view suffix;
};
std::optional<NumberWithSuffix> split_number(std::string_view text);

}  // namespace sim
