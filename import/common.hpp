// Shared pieces of the configuration readers: where a word was read, the
// error that stops an import (exit status 2), the notes that list every
// directive the scenario does not model, and the configuration files' time
// and number syntax.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loader/bad_input.hpp"
#include "sim/time.hpp"

namespace config_import {

using sim::Time;

struct Position {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based; 0 when the whole line is meant
};

// "file:line:column" (or "file:line" without a column).
std::string to_string(const Position& at);

// A configuration the importer cannot turn into a faithful scenario: bad
// syntax, or a directive that contradicts the model. what() is
// "file:line:column: message".
class ImportError : public loader::BadInput {
 public:
  ImportError(const Position& at, std::string_view message);
  const Position& at() const { return at_; }

 private:
  Position at_;
};

// A directive that is read but not simulated, with the reason.
struct Note {
  Position at;
  std::string directive;
  std::string reason;
};
using Notes = std::vector<Note>;

// A value read from a configuration, with where it was set.
template <class T>
struct Setting {
  std::optional<T> value;
  Position at;  // where it was set (the keyword or the value)

  void set(T v, const Position& where) {
    value = std::move(v);
    at = where;
  }
  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const { return *value; }
};

// One word of a configuration line, after quotes and escapes are resolved.
struct Word {
  std::string text;
  Position at;
};

std::string read_config_file(const std::filesystem::path& file, const Position& named_at);

// A non-negative decimal integer no larger than `max`; throws at the word otherwise.
std::int64_t parse_integer(const Word& word, std::int64_t max, std::string_view what);
// The same with an optional leading minus sign (option redispatch -2).
std::int64_t parse_signed_integer(const Word& word, std::int64_t max_magnitude, std::string_view what);

// HAProxy's time format (configuration.txt 2.5): a number with us, ms, s, m,
// h or d; a bare number is in `bare_unit`.
Time parse_haproxy_time(const Word& word, Time bare_unit, std::string_view what);
// nginx's time format (Syntax: "Time intervals"): parts such as 1m30s with
// ms, s, m, h, d, w, M (30 d), y (365 d); a bare number is in seconds.
Time parse_nginx_time(const Word& word, std::string_view what);
// keepalived's intervals: a decimal number of seconds with up to 6 decimals.
Time parse_seconds(const Word& word, Time max, std::string_view what);

// A duration as the scenario loader reads it, in the largest unit that
// keeps it exact: 2s, 1500ms, 250us.
std::string scenario_duration(Time t);

}  // namespace config_import
