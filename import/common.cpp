#include "import/common.hpp"

#include <limits>

#include <fmt/format.h>

#include "loader/text_util.hpp"

namespace config_import {

namespace {

// Every configuration value is bounded far below this, so sums of parts stay exact.
constexpr Time kMaxTime = 100LL * 365 * 24 * 3600 * sim::kSecond;

std::string quote_text(std::string_view text) { return fmt::format("\"{}\"", text); }

// Digits of `text` from `pos`; returns false on overflow beyond `max` or no digit.
bool read_digits(std::string_view text, std::size_t& pos, std::int64_t max, std::int64_t& value) {
  const std::size_t start = pos;
  value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + (text[pos] - '0');
    if (value > max) return false;
    ++pos;
  }
  return pos > start;
}

}  // namespace

std::string to_string(const Position& at) {
  if (at.column > 0) return fmt::format("{}:{}:{}", at.file, at.line, at.column);
  if (at.line > 0) return fmt::format("{}:{}", at.file, at.line);
  return at.file;
}

ImportError::ImportError(const Position& at, std::string_view message)
    : loader::BadInput(fmt::format("{}: {}", to_string(at), message)), at_(at) {}

std::string read_config_file(const std::filesystem::path& file, const Position& named_at) {
  // The scenario loader's reader: only a regular file below its size limit is
  // read, so a device (/dev/zero), a FIFO or a socket given by mistake is
  // refused unread instead of blocking or reading forever.
  std::string text, error;
  if (!loader::detail::read_text_file(file, text, error)) {
    throw ImportError(named_at, fmt::format("cannot read {}: {}", file.string(), error));
  }
  if (text.find('\0') != std::string::npos) {
    throw ImportError(named_at, fmt::format("{}: not a text file (it contains a NUL byte)", file.string()));
  }
  return text;
}

std::int64_t parse_integer(const Word& word, std::int64_t max, std::string_view what) {
  std::size_t pos = 0;
  std::int64_t value = 0;
  if (!read_digits(word.text, pos, max, value) || pos != word.text.size()) {
    throw ImportError(word.at, fmt::format("{}: expected an integer from 0 to {}, found {}", what, max, quote_text(word.text)));
  }
  return value;
}

std::int64_t parse_signed_integer(const Word& word, std::int64_t max_magnitude, std::string_view what) {
  const bool negative = !word.text.empty() && word.text[0] == '-';
  std::size_t pos = negative ? 1 : 0;
  std::int64_t value = 0;
  if (!read_digits(word.text, pos, max_magnitude, value) || pos != word.text.size()) {
    throw ImportError(word.at, fmt::format("{}: expected an integer from -{} to {}, found {}", what, max_magnitude,
                                           max_magnitude, quote_text(word.text)));
  }
  return negative ? -value : value;
}

Time parse_haproxy_time(const Word& word, Time bare_unit, std::string_view what) {
  const std::string_view text = word.text;
  std::size_t pos = 0;
  std::int64_t value = 0;
  const bool digits = read_digits(text, pos, std::numeric_limits<std::int32_t>::max(), value);
  const std::string_view unit = text.substr(pos);
  Time scale = 0;
  if (unit.empty()) scale = bare_unit;
  else if (unit == "us") scale = sim::kMicrosecond;
  else if (unit == "ms") scale = sim::kMillisecond;
  else if (unit == "s") scale = sim::kSecond;
  else if (unit == "m") scale = 60 * sim::kSecond;
  else if (unit == "h") scale = 3600 * sim::kSecond;
  else if (unit == "d") scale = 86400 * sim::kSecond;
  if (!digits || scale == 0 || value > kMaxTime / scale) {
    throw ImportError(word.at, fmt::format("{}: expected a time such as 2000, 500ms or 5s (units us, ms, s, m, h, d; "
                                           "bare numbers in {}), found {}",
                                           what, bare_unit == sim::kSecond ? "seconds" : "milliseconds", quote_text(text)));
  }
  return value * scale;
}

Time parse_nginx_time(const Word& word, std::string_view what) {
  const std::string_view text = word.text;
  std::size_t pos = 0;
  Time total = 0;
  const auto bad = [&] {
    return ImportError(word.at, fmt::format("{}: expected a time such as 60s, 500ms or 1m30s (units ms, s, m, h, d, "
                                            "w, M, y; bare numbers in seconds), found {}",
                                            what, quote_text(text)));
  };
  if (text.empty()) throw bad();
  while (pos < text.size()) {
    std::int64_t value = 0;
    if (!read_digits(text, pos, std::numeric_limits<std::int32_t>::max(), value)) throw bad();
    Time scale = sim::kSecond;
    if (text.compare(pos, 2, "ms") == 0) {
      scale = sim::kMillisecond;
      pos += 2;
    } else if (pos < text.size()) {
      switch (text[pos]) {
        case 's': scale = sim::kSecond; break;
        case 'm': scale = 60 * sim::kSecond; break;
        case 'h': scale = 3600 * sim::kSecond; break;
        case 'd': scale = 86400 * sim::kSecond; break;
        case 'w': scale = 7 * 86400 * sim::kSecond; break;
        case 'M': scale = 30 * 86400 * sim::kSecond; break;
        case 'y': scale = 365 * 86400 * sim::kSecond; break;
        default: throw bad();
      }
      ++pos;
    } else if (total != 0) {
      throw bad();  // nginx accepts a bare number only on its own
    }
    if (value > (kMaxTime - total) / scale) throw bad();
    total += value * scale;
  }
  return total;
}

Time parse_seconds(const Word& word, Time max, std::string_view what) {
  const std::string_view text = word.text;
  std::size_t pos = 0;
  std::int64_t whole = 0;
  const auto bad = [&] {
    return ImportError(word.at, fmt::format("{}: expected seconds from 0 to {} such as 1 or 0.5, found {}", what,
                                            scenario_duration(max), quote_text(text)));
  };
  if (!read_digits(text, pos, max / sim::kSecond, whole)) throw bad();
  Time value = whole * sim::kSecond;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    Time scale = sim::kSecond / 10;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && scale >= sim::kMicrosecond) {
      value += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) throw bad();
  }
  if (pos != text.size() || value > max) throw bad();
  return value;
}

std::string scenario_duration(Time t) {
  if (t == 0) return "0";
  struct Unit {
    Time size;
    const char* name;
  };
  for (const Unit unit : {Unit{3600 * sim::kSecond, "h"}, Unit{60 * sim::kSecond, "m"}, Unit{sim::kSecond, "s"},
                          Unit{sim::kMillisecond, "ms"}, Unit{sim::kMicrosecond, "us"}}) {
    if (t % unit.size == 0) return fmt::format("{}{}", t / unit.size, unit.name);
  }
  return fmt::format("{}ns", t);
}

}  // namespace config_import
