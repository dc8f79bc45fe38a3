// The scenario loader's field readers: a YAML value with its place in the
// scenario (Field), maps read key by key (MapReader), and converters from a
// field to each kind of value (to_int, to_duration, to_distribution, ...).
// Each fails with the field's file, line, column and key, what it expected
// and what it found. The section readers (sections.hpp) read the scenario
// with them; nothing outside loader/ includes this header.
#pragma once

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "loader/distribution_text.hpp"
#include "loader/document.hpp"
#include "loader/text_util.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

namespace loader::fields {

using detail::child_path;
using detail::closest;
using detail::Entry;
using detail::in_quotes;
using detail::join;
using detail::Node;

// A slowdown beyond this is a stopped resource (use a crash fault), and the
// bound keeps slowed service times far from the end of sim::Time's range.
inline constexpr double kMaxSlowdown = 1000.0;
// Simulated time counts whole nanoseconds, so a rate above one event per
// nanosecond cannot be represented: its gaps would round to nothing.
inline constexpr double kMaxRate = 1e9;
// Sizes are doubles in bytes and become times by multiplication; 2^50 keeps
// every product far from overflow and every byte count exact.
inline constexpr double kMaxSize = 0x1p50;

// A value and where it sits in the scenario.
struct Field {
  const Node& node;
  std::string path;
};

[[noreturn]] inline void fail(const Field& f, std::string_view message, std::string_view hint = {}) {
  detail::fail_at(f.node, f.path, message, hint);
}

inline std::string found(const Node& node) {
  switch (node.type) {
    case Node::Type::kScalar:
      return in_quotes(node.text);
    case Node::Type::kMap:
      return "a map";
    case Node::Type::kList:
      return "a list";
    case Node::Type::kNull:
      break;
  }
  return "nothing";
}

[[noreturn]] inline void expected(const Field& f, std::string_view what, std::string_view hint = {}) {
  fail(f, fmt::format("expected {}, found {}", what, found(f.node)), hint);
}

inline bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// "did you mean" for a near miss, else the whole list.
inline std::string suggest(std::string_view word, const std::vector<std::string>& valid, std::string_view list_intro) {
  if (const auto guess = closest(word, valid)) return fmt::format("did you mean \"{}\"?", *guess);
  if (valid.empty()) return "there are none";
  return fmt::format("{} {}", list_intro, join(valid, ", "));
}

class MapReader {
 public:
  explicit MapReader(const Field& field) : field_(field) {
    if (field.node.type != Node::Type::kMap) expected(field, "a map");
  }

  const std::vector<Entry>& entries() const { return field_.node.entries; }
  const Field& field() const { return field_; }
  Field key_of(const Entry& e) const { return {e.key, child_path(field_.path, e.key.text)}; }
  Field value_of(const Entry& e) const { return {e.value, child_path(field_.path, e.key.text)}; }

  std::optional<Field> get(std::string_view key) const {
    for (const auto& e : entries()) {
      if (e.key.text == key) return value_of(e);
    }
    return std::nullopt;
  }

  // Missing keys are reported at the map that lacks them.
  Field require(std::string_view key) const {
    if (auto f = get(key)) return *f;
    detail::fail_at(field_.node, child_path(field_.path, key), "required key is missing");
  }

  void allow_only(const std::vector<std::string>& valid) const {
    for (const auto& e : entries()) {
      if (!contains(valid, e.key.text)) reject_key(e, valid);
    }
  }

  [[noreturn]] void reject_key(const Entry& e, const std::vector<std::string>& valid) const {
    fail(key_of(e), fmt::format("unknown key; {}", suggest(e.key.text, valid, "valid keys here:")));
  }

 private:
  Field field_;
};

// ---------------------------------------------------------------- scalars

inline const std::string& scalar(const Field& f, std::string_view what) {
  if (f.node.type != Node::Type::kScalar) expected(f, what);
  return f.node.text;
}

inline std::string to_string(const Field& f) { return scalar(f, "text"); }

// `min` is 0 or 1.
inline int to_int(const Field& f, int min, int max = INT_MAX) {
  const std::string what = min == 1 ? "a positive integer" : "a non-negative integer";
  const std::string& text = scalar(f, what);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool whole = end == text.data() + text.size();
  if (whole && (ec == std::errc::result_out_of_range || (ec == std::errc() && value > max))) {
    expected(f, fmt::format("{} no larger than {}", what, max));
  }
  if (ec != std::errc() || !whole || value < min) expected(f, what);
  return static_cast<int>(value);
}

inline std::uint64_t to_seed(const Field& f) {
  constexpr std::string_view kWhat = "an unsigned 64-bit integer";
  const std::string& text = scalar(f, kWhat);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) expected(f, kWhat);
  return value;
}

enum class Range { kPositive, kNonNegative, kFraction };

inline double to_number(const Field& f, Range range) {
  const std::string_view what = range == Range::kPositive      ? "a positive number"
                                : range == Range::kNonNegative ? "a non-negative number"
                                                               : "a number from 0 to 1";
  const auto value = sim::parse_number(scalar(f, what));
  if (!value || (range == Range::kPositive && *value <= 0.0) || (range == Range::kFraction && *value > 1.0)) {
    expected(f, what);
  }
  return *value;
}

inline sim::Time to_duration(const Field& f, bool positive) {
  const std::string& text = scalar(f, "a duration such as 250ms");
  const auto value = sim::parse_duration(text);
  if (!value) fail(f, detail::duration_problem(text));
  if (positive && *value == 0) expected(f, "a positive duration");
  if (*value > sim::kHorizon) fail(f, detail::horizon_problem(text));
  return *value;
}

inline double to_size(const Field& f, bool positive) {
  const std::string_view what =
      positive ? "a positive size such as 512B, 4KiB or 2MB" : "a size such as 512B, 4KiB or 2MB";
  const std::string& text = scalar(f, what);
  const auto value = sim::parse_size(text);
  if (!value || (positive && *value <= 0.0)) expected(f, what);
  if (*value > kMaxSize) fail(f, fmt::format("a size of at most 1024TiB (2^50 bytes) is supported, found {}", in_quotes(text)));
  return *value;
}

inline void check_rate(const Field& f, double rate, std::string_view text) {
  if (rate > kMaxRate) {
    fail(f, fmt::format("a rate of at most 1e9/s is supported (simulated time has 1 ns resolution), found {}",
                        in_quotes(text)));
  }
}

inline double to_bandwidth(const Field& f) {
  constexpr std::string_view kWhat = "a positive bandwidth such as 1Gbps or 200MB/s";
  const auto value = sim::parse_bandwidth(scalar(f, kWhat));
  if (!value || *value <= 0.0) expected(f, kWhat);
  return *value;
}

inline double to_rate(const Field& f) {
  constexpr std::string_view kWhat = "a rate such as 600/s";
  const std::string& text = scalar(f, kWhat);
  const auto value = sim::parse_rate(text);
  if (!value) expected(f, kWhat);
  check_rate(f, *value, text);
  return *value;
}

inline bool to_bool(const Field& f) {
  const std::string& text = scalar(f, "true or false");
  if (text == "true") return true;
  if (text == "false") return false;
  expected(f, "true or false");
}

inline bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Names become parts of --set paths and report keys, so dots and spaces are out.
inline std::string to_name(const Field& f) {
  constexpr std::string_view kWhat = "a name of letters, digits, '_' and '-'";
  const std::string& text = scalar(f, kWhat);
  if (!is_name(text)) expected(f, kWhat);
  return text;
}

template <class T>
inline T to_choice(const Field& f, const std::vector<std::pair<std::string, T>>& choices) {
  std::vector<std::string> names;
  for (const auto& choice : choices) names.push_back(choice.first);
  const std::string& text = scalar(f, fmt::format("one of {}", join(names, ", ")));
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
  }
  fail(f, fmt::format("unknown value {}; {}", in_quotes(text), suggest(text, names, "expected one of")));
}

inline sim::Distribution to_distribution(const Field& f, const std::filesystem::path& base_dir) {
  const std::string& text = scalar(f, "a duration or a distribution such as exp(8ms)");
  try {
    return parse_distribution(text, base_dir);
  } catch (const DistributionTextError& e) {
    fail(f, e.what());
  }
}

inline std::map<std::string, std::string> to_labels(const Field& f) {
  const MapReader labels(f);
  std::map<std::string, std::string> out;
  for (const auto& e : labels.entries()) out[e.key.text] = to_string(labels.value_of(e));
  return out;
}

// A share written as a percentage ("99.9%") or as a fraction (0.999).
enum class Share { kAboveZeroUpToOne, kZeroToBelowOne };

inline double to_share(const Field& f, Share range) {
  const std::string_view what = range == Share::kAboveZeroUpToOne
                                    ? "a share above 0 and at most 1, as a percentage (99.9%) or a fraction (0.999)"
                                    : "a share from 0 to below 1, as a percentage (1%) or a fraction (0.01)";
  const std::string& text = scalar(f, what);
  const auto split = sim::split_number(text);
  if (!split || (!split->suffix.empty() && split->suffix != "%")) expected(f, what);
  const bool percent = split->suffix == "%";
  const double value = percent ? split->value / 100.0 : split->value;
  const bool ok = range == Share::kAboveZeroUpToOne ? value > 0.0 && value <= 1.0 : value < 1.0;
  if (!ok) {
    // "99.9" is almost certainly a percentage that lost its sign.
    const bool lost_sign = !percent && split->value > 1.0 && split->value <= 100.0;
    expected(f, what, lost_sign ? fmt::format("for a percentage, write {}%", text) : "");
  }
  return value;
}

// How many times slower a resource gets, written "2x" or "1.5x".
inline double to_factor(const Field& f) {
  const std::string what = fmt::format("a factor from 1x to {}x, such as 2x", kMaxSlowdown);
  const auto split = sim::split_number(scalar(f, what));
  if (!split || split->suffix != "x" || split->value < 1.0 || split->value > kMaxSlowdown) expected(f, what);
  return split->value;
}

// Shell-style match of a whole name: '*' is any run of characters, '?' any
// one character.
inline bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;  // the last '*' and where it resumes matching
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;  // let the '*' take one more character
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// For messages: the first few names, since a scenario may have thousands.
inline std::string some_of(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 12;
  if (names.size() <= kShown) return join(names, ", ");
  const std::vector<std::string> first(names.begin(), names.begin() + kShown);
  return fmt::format("{}, ... ({} in all)", join(first, ", "), names.size());
}

// The key itself, for errors about a key that does not belong where it is.
inline std::optional<Field> key_named(const MapReader& m, std::string_view key) {
  for (const auto& e : m.entries()) {
    if (e.key.text == key) return m.key_of(e);
  }
  return std::nullopt;
}

}  // namespace loader::fields
