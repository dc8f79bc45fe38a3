#include "loader/distribution_text.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "loader/text_util.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

namespace loader {
namespace {

using detail::Call;
using detail::duration_problem;
using detail::in_quotes;
using detail::split_call;
using detail::trim;

[[noreturn]] void fail(std::string message) { throw DistributionTextError(std::move(message)); }

// Decides between "a value with a bad unit" and "not a value at all", which
// need different messages (and, for empirical, value versus file name).
bool looks_numeric(std::string_view text) {
  const auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  if (digit(0)) return true;
  // "./file.csv" is a path, ".5ms" and "-1ms" are values.
  return !text.empty() && (text[0] == '.' || text[0] == '-' || text[0] == '+') && digit(1);
}

double duration(std::string_view text, std::string_view usage, std::string_view parameter) {
  if (const auto t = sim::parse_duration(text)) return static_cast<double>(*t);
  fail(fmt::format("{}: {}: {}", usage, parameter, duration_problem(text)));
}

double number(std::string_view text, std::string_view usage, std::string_view parameter) {
  if (const auto v = sim::parse_number(text)) return *v;
  fail(fmt::format("{}: {}: expected a non-negative number, found {}", usage, parameter, in_quotes(text)));
}

int positive_int(std::string_view text, std::string_view usage, std::string_view parameter) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) {
    fail(fmt::format("{}: {}: expected a positive integer, found {}", usage, parameter, in_quotes(text)));
  }
  return value;
}

// Checks the argument shape: exactly `positional` plain arguments and only the
// listed keys (the first `required` of them mandatory).
void expect_shape(const Call& call, std::string_view text, std::string_view usage, std::size_t positional,
                  std::vector<std::string_view> keys = {}, std::size_t required = 0) {
  bool ok = call.positional.size() == positional;
  for (const auto& [key, value] : call.named) {
    ok = ok && std::find(keys.begin(), keys.end(), key) != keys.end();
  }
  for (std::size_t i = 0; i < required; ++i) ok = ok && call.get(keys[i]).has_value();
  if (!ok) fail(fmt::format("expected {}, found {}", usage, in_quotes(text)));
}

// One value per line, from the first CSV column. With a unit (e.g. "ms",
// unit_ns 1e6) the cells are plain numbers; without, durations with units.
std::vector<double> read_empirical_file(std::string_view name, std::string_view unit, double unit_ns,
                                        const std::filesystem::path& base_dir) {
  std::filesystem::path file{std::string(name)};
  if (file.is_relative()) file = base_dir / file;
  std::string text, error;
  if (!detail::read_text_file(file, text, error)) {
    fail(fmt::format("cannot read empirical data file {}: {}", in_quotes(file.string()), error));
  }
  std::vector<double> values;
  bool first_line = true;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto newline = text.find('\n', start);
    if (newline == std::string::npos) newline = text.size();
    const std::string_view line(text.data() + start, newline - start);
    start = newline + 1;
    ++line_number;
    if (trim(line).empty()) continue;
    const auto cell = trim(line.substr(0, line.find(',')));
    // A header is allowed only as the first line, so a typo further down is
    // an error rather than a skipped line.
    if (std::exchange(first_line, false) && !looks_numeric(cell)) continue;
    if (!unit.empty()) {
      const auto v = sim::parse_number(cell);
      if (!v) {
        fail(fmt::format("{}:{}: expected a non-negative number (in {}), found {}", file.string(), line_number, unit,
                         in_quotes(cell)));
      }
      values.push_back(*v * unit_ns);
    } else {
      const auto t = sim::parse_duration(cell);
      if (!t) fail(fmt::format("{}:{}: {}", file.string(), line_number, duration_problem(cell)));
      values.push_back(static_cast<double>(*t));
    }
  }
  if (values.empty()) fail(fmt::format("no values in empirical data file {}", in_quotes(file.string())));
  return values;
}

sim::Distribution empirical(const Call& call, std::string_view text, const std::filesystem::path& base_dir) {
  constexpr std::string_view kUsage = "empirical(<value>, ...) or empirical(<file>[, unit=<unit>])";
  const auto unit = call.get("unit");
  const bool from_file = unit || (call.positional.size() == 1 && !looks_numeric(call.positional[0]));
  if (!from_file) {
    expect_shape(call, text, kUsage, call.positional.size());
    std::vector<double> values;
    for (const auto value : call.positional) {
      // A file name among values: the file form takes nothing else.
      if (!looks_numeric(value)) fail(fmt::format("expected {}, found {}", kUsage, in_quotes(text)));
      values.push_back(duration(value, "empirical", "value"));
    }
    return sim::Distribution::empirical(std::move(values));
  }
  expect_shape(call, text, kUsage, 1, {"unit"});
  double unit_ns = 0.0;
  if (unit) {
    // "1" + unit through the duration parser keeps one list of units.
    const auto one = sim::parse_duration(fmt::format("1{}", *unit));
    if (!one) fail(fmt::format("empirical: unit must be one of ns, us, ms, s, m, h, d, y, found {}", in_quotes(*unit)));
    unit_ns = static_cast<double>(*one);
  }
  return sim::Distribution::empirical(read_empirical_file(call.positional[0], unit.value_or(""), unit_ns, base_dir));
}

sim::Distribution build(const Call& c, std::string_view text, const std::filesystem::path& base_dir) {
  using sim::Distribution;
  const auto& p = c.positional;
  if (c.name == "exp") {
    constexpr std::string_view kUsage = "exp(<mean>)";
    expect_shape(c, text, kUsage, 1);
    return Distribution::exponential(duration(p[0], kUsage, "mean"));
  }
  if (c.name == "uniform") {
    constexpr std::string_view kUsage = "uniform(<low>, <high>)";
    expect_shape(c, text, kUsage, 2);
    return Distribution::uniform(duration(p[0], kUsage, "low"), duration(p[1], kUsage, "high"));
  }
  if (c.name == "normal") {
    constexpr std::string_view kUsage = "normal(<mean>, sd=<duration>)";
    expect_shape(c, text, kUsage, 1, {"sd"}, 1);
    return Distribution::normal(duration(p[0], kUsage, "mean"), duration(*c.get("sd"), kUsage, "sd"));
  }
  if (c.name == "lognormal" || c.name == "gamma" || c.name == "hyperexp") {
    const std::string usage = fmt::format("{}(<mean>, cv=<number>)", c.name);
    expect_shape(c, text, usage, 1, {"cv"}, 1);
    const double mean = duration(p[0], usage, "mean");
    const double cv = number(*c.get("cv"), usage, "cv");
    if (c.name == "lognormal") return Distribution::lognormal(mean, cv);
    if (c.name == "gamma") return Distribution::gamma(mean, cv);
    return Distribution::hyperexponential(mean, cv);
  }
  if (c.name == "erlang") {
    constexpr std::string_view kUsage = "erlang(<phases>, <mean>)";
    expect_shape(c, text, kUsage, 2);
    return Distribution::erlang(positive_int(p[0], kUsage, "phases"), duration(p[1], kUsage, "mean"));
  }
  if (c.name == "pareto") {
    constexpr std::string_view kUsage = "pareto(<alpha>, <minimum>[, max=<duration>])";
    expect_shape(c, text, kUsage, 2, {"max"});
    const double minimum = duration(p[1], kUsage, "minimum");
    double max = 0.0;  // the factory's "unbounded"
    if (const auto m = c.get("max")) {
      max = duration(*m, kUsage, "max");
      // The factory would quietly ignore a bound at or below the minimum.
      if (max <= minimum) fail(fmt::format("{}: max must be above the minimum, found {}", kUsage, in_quotes(text)));
    }
    return Distribution::pareto(number(p[0], kUsage, "alpha"), minimum, max);
  }
  if (c.name == "weibull") {
    constexpr std::string_view kUsage = "weibull(<shape>, <scale>)";
    expect_shape(c, text, kUsage, 2);
    return Distribution::weibull(number(p[0], kUsage, "shape"), duration(p[1], kUsage, "scale"));
  }
  if (c.name == "empirical") return empirical(c, text, base_dir);

  const std::vector<std::string> names = {"exp",    "uniform",  "normal", "lognormal", "gamma",
                                          "erlang", "hyperexp", "pareto", "weibull",   "empirical"};
  if (const auto guess = detail::closest(c.name, names)) {
    fail(fmt::format("unknown distribution {}; did you mean \"{}\"?", in_quotes(c.name), *guess));
  }
  fail(fmt::format("unknown distribution {}; expected one of {}", in_quotes(c.name), detail::join(names, ", ")));
}

}  // namespace

namespace detail {

Call split_call(std::string_view text) {
  const auto open = text.find('(');
  Call call;
  call.name = trim(text.substr(0, open));
  if (text.back() != ')') fail(fmt::format("missing ')' at the end of {}", in_quotes(text)));
  const auto inner = text.substr(open + 1, text.size() - open - 2);
  if (inner.find_first_of("()") != std::string_view::npos) {
    fail(fmt::format("unexpected parenthesis inside {}", in_quotes(text)));
  }
  if (trim(inner).empty()) fail(fmt::format("missing arguments in {}", in_quotes(text)));
  std::size_t start = 0;
  while (start <= inner.size()) {
    auto comma = inner.find(',', start);
    if (comma == std::string_view::npos) comma = inner.size();
    const auto piece = trim(inner.substr(start, comma - start));
    start = comma + 1;
    if (piece.empty()) fail(fmt::format("empty argument in {}", in_quotes(text)));
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos) {
      if (!call.named.empty()) fail(fmt::format("a plain argument follows a key=value one in {}", in_quotes(text)));
      call.positional.push_back(piece);
      continue;
    }
    const auto key = trim(piece.substr(0, eq));
    const auto value = trim(piece.substr(eq + 1));
    if (key.empty() || value.empty()) fail(fmt::format("expected key=value, found {}", in_quotes(piece)));
    if (call.get(key)) fail(fmt::format("{}= given twice in {}", key, in_quotes(text)));
    call.named.emplace_back(key, value);
  }
  return call;
}

}  // namespace detail

sim::Distribution parse_distribution(std::string_view text, const std::filesystem::path& base_dir) {
  const auto t = trim(text);
  try {
    if (t.find('(') != std::string_view::npos) return build(split_call(t), t, base_dir);
    if (t.find(')') != std::string_view::npos) fail(fmt::format("unexpected ')' in {}", in_quotes(t)));
    if (looks_numeric(t)) {
      const auto value = sim::parse_duration(t);
      if (!value) fail(duration_problem(t));
      return sim::Distribution::constant(static_cast<double>(*value));
    }
    fail(fmt::format("expected a duration such as 8ms or a distribution such as exp(8ms), found {}", in_quotes(t)));
  } catch (const std::invalid_argument& e) {
    // The factories validate their parameters (e.g. hyperexp needs cv > 1).
    fail(fmt::format("invalid {}: {}", in_quotes(t), e.what()));
  }
}

}  // namespace loader
