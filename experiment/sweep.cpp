#include "experiment/sweep.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "experiment/csv.hpp"
#include "experiment/input_error.hpp"
#include "experiment/interrupt.hpp"
#include "experiment/metrics.hpp"
#include "experiment/study.hpp"
#include "experiment/summary.hpp"
#include "loader/text_util.hpp"
#include "sim/random.hpp"
#include "sim/units.hpp"

namespace experiment {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Far beyond any sweep one would run; guards against a typo such as 1:1e9:1.
constexpr std::size_t kMaxPoints = 100000;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits at the commas outside (), [] and {}.
std::vector<std::string> split_list(std::string_view spec) {
  std::vector<std::string> items;
  std::string closers;  // the brackets still open, innermost last
  std::size_t start = 0;
  for (std::size_t i = 0; i <= spec.size(); ++i) {
    const char c = i < spec.size() ? spec[i] : ',';
    if (c == '(' || c == '[' || c == '{') {
      closers += c == '(' ? ')' : c == '[' ? ']' : '}';
    } else if (c == ')' || c == ']' || c == '}') {
      if (closers.empty() || closers.back() != c) {
        throw InputError(fmt::format("\"{}\": unbalanced '{}' at character {}", spec, c, i + 1));
      }
      closers.pop_back();
    } else if (c == ',' && closers.empty()) {
      const auto item = trim(spec.substr(start, i - start));
      if (item.empty()) throw InputError(fmt::format("\"{}\": an empty value in the list", spec));
      items.emplace_back(item);
      start = i + 1;
    }
  }
  if (!closers.empty()) throw InputError(fmt::format("\"{}\": '{}' is never closed", spec, closers.back()));
  return items;
}

double number_in(std::string_view spec, std::string_view text, std::string_view what) {
  const auto value = sim::parse_number(trim(text));
  if (!value || !std::isfinite(*value)) {
    throw InputError(fmt::format("\"{}\": {} must be a plain number, found \"{}\" (for units, use a template such "
                                 "as {{10:50:10}}ms)",
                                 spec, what, trim(text)));
  }
  return *value;
}

// Digits after the decimal point, so that a range prints as written: 0.1:0.3:0.1 gives 0.2, not 0.20000000000000001.
int decimals(std::string_view text) {
  const auto dot = trim(text).find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(trim(text).size() - dot - 1);
}

// Six significant digits in fixed notation, trailing zeros dropped: values
// YAML and the scenario's unit parsers read back ("31.6228", "1000000").
std::string significant(double value) {
  const int magnitude = static_cast<int>(std::floor(std::log10(value)));
  std::string text = fmt::format("{:.{}f}", value, std::max(0, 5 - magnitude));
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

void check_count(std::string_view spec, double count) {
  if (count > static_cast<double>(kMaxPoints)) {
    throw InputError(fmt::format("\"{}\" has {:.0f} values; at most {} are allowed", spec, count, kMaxPoints));
  }
}

std::vector<std::string> colon_parts(std::string_view spec) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto colon = spec.find(':', start);
    parts.emplace_back(spec.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) return parts;
    start = colon + 1;
  }
}

std::vector<std::string> log_range(std::string_view spec) {
  const auto parts = colon_parts(spec);
  if (parts.size() != 4) throw InputError(fmt::format("\"{}\": expected log:start:stop:n", spec));
  const double start = number_in(spec, parts[1], "start"), stop = number_in(spec, parts[2], "stop");
  const double n = number_in(spec, parts[3], "n");
  if (start <= 0.0 || stop <= 0.0) throw InputError(fmt::format("\"{}\": log needs start and stop above 0", spec));
  if (n < 2.0 || n != std::floor(n)) throw InputError(fmt::format("\"{}\": n must be an integer of at least 2", spec));
  check_count(spec, n);
  std::vector<std::string> values;
  const auto count = static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(count - 1);
    values.push_back(significant(start * std::pow(stop / start, t)));
  }
  return values;
}

std::vector<std::string> linear_range(std::string_view spec) {
  const auto parts = colon_parts(spec);
  if (parts.size() != 3) throw InputError(fmt::format("\"{}\": expected start:stop:step", spec));
  const double start = number_in(spec, parts[0], "start"), stop = number_in(spec, parts[1], "stop");
  const double step = number_in(spec, parts[2], "step");
  if (step <= 0.0) throw InputError(fmt::format("\"{}\": the step must be above 0", spec));
  if (stop < start) throw InputError(fmt::format("\"{}\": stop is below start", spec));
  // The tolerance keeps stop when rounding puts it a hair beyond the last step.
  const double steps = std::floor((stop - start) / step + 1e-9);
  check_count(spec, steps + 1.0);
  const int places = std::max(decimals(parts[0]), decimals(parts[2]));
  std::vector<std::string> values;
  for (std::size_t i = 0; i <= static_cast<std::size_t>(steps); ++i) {
    values.push_back(fmt::format("{:.{}f}", start + static_cast<double>(i) * step, places));
  }
  return values;
}

// Where a template's braces are, or npos when `spec` has none.
struct Braces {
  std::size_t open = std::string_view::npos;
  std::size_t close = std::string_view::npos;
};

Braces find_template(std::string_view spec) {
  const auto open = spec.find('{');
  if (open == std::string_view::npos) return {};
  const auto close = spec.find('}', open);
  if (close == std::string_view::npos) return {};
  const auto inside = spec.substr(open + 1, close - open - 1);
  // "{iops: 100}" is a YAML map; a nested brace is one too.
  if (inside.find(": ") != std::string_view::npos || inside.find('{') != std::string_view::npos) return {};
  if (spec.find('{', close) != std::string_view::npos) {
    throw InputError(fmt::format("\"{}\": one {{SPEC}} template per --vary", spec));
  }
  return {open, close};
}

std::string cells_text(const SweepPlan& plan, std::size_t p) {
  std::string text;
  for (std::size_t k = 0; k < plan.keys.size(); ++k) {
    text += fmt::format("{}{}={}", k ? ", " : "", plan.keys[k], plan.points[p].cells[k]);
  }
  return text;
}

// A varied value in JSONL: a number, as written, when it is one, so that
// scripts need not convert.
ordered_json cell_json(const std::string& cell) {
  ordered_json number = ordered_json::parse(cell, nullptr, false);
  return number.is_number() ? number : ordered_json(cell);
}

ordered_json key_cells_json(const SweepPlan& plan, std::size_t p) {
  ordered_json row = ordered_json::object();
  for (std::size_t k = 0; k < plan.keys.size(); ++k) row[plan.keys[k]] = cell_json(plan.points[p].cells[k]);
  return row;
}

// How point p's row starts: its varied values.
std::string row_prefix(const SweepPlan& plan, std::size_t p, SweepFormat format) {
  if (format == SweepFormat::kJsonl) {
    std::string text = key_cells_json(plan, p).dump();
    text.back() = ',';
    return text;
  }
  std::string text;
  for (const auto& cell : plan.points[p].cells) text += csv_cell(cell) + ",";
  return text;
}

std::string csv_header(const SweepPlan& plan) {
  std::string text;
  for (const auto& column : plan.columns()) text += (text.empty() ? "" : ",") + csv_cell(column);
  return text + "\n";
}

// Says which part of the settings differs: "scenario:H changes:H replications:R".
std::string settings_mismatch(std::size_t p, const std::string& found, const std::string& wanted) {
  const auto part = [](const std::string& settings, std::string_view name) {
    const auto start = settings.find(std::string(name) + ":");
    if (start == std::string::npos) return std::string();
    return settings.substr(start, settings.find(' ', start) - start);
  };
  std::vector<std::string> differ;
  if (part(found, "scenario") != part(wanted, "scenario")) differ.push_back("the scenario file's content");
  if (part(found, "changes") != part(wanted, "changes")) differ.push_back("--set, --seed or --duration");
  if (part(found, "replications") != part(wanted, "replications")) {
    differ.push_back("--replications, --precision or --max-replications");
  }
  std::string what;
  for (std::size_t i = 0; i < differ.size(); ++i) what += (i == 0 ? "" : i + 1 == differ.size() ? " and " : ", ") + differ[i];
  return fmt::format("row {} was made with other settings (these differ: {}; the file has \"{}\", this sweep \"{}\"); "
                     "resume with the command that started it",
                     p + 1, what.empty() ? "the settings column" : what, found, wanted);
}

// InputError, as for a bad --output path: another path (or more disk) fixes it.
[[noreturn]] void fail(const fs::path& path, std::string_view what) {
  throw InputError(fmt::format("--output {}: {}: {}", path.string(), what, std::strerror(errno)));
}

void write_all(int fd, std::string_view text, const fs::path& path) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write");
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd) != 0) fail(path, "cannot write");
}

}  // namespace

std::vector<std::string> expand_spec(std::string_view text) {
  const std::string_view spec = trim(text);
  if (spec.empty()) throw InputError("an empty SPEC; expected start:stop:step, log:start:stop:n or a list a,b,c");
  if (spec.starts_with("log:")) return log_range(spec);
  const auto items = split_list(spec);
  // Two colons and no comma: a range (a list item with colons needs a comma or brackets).
  if (items.size() == 1 && std::count(spec.begin(), spec.end(), ':') == 2 &&
      spec.find_first_of("([{") == std::string_view::npos) {
    return linear_range(spec);
  }
  return items;
}

Vary parse_vary(std::string_view text) {
  const auto eq = text.find('=');
  Vary vary;
  try {
    vary.key = loader::parse_override(text).path;
  } catch (const loader::ScenarioError&) {
    throw InputError(fmt::format("--vary \"{}\": expected KEY.PATH=SPEC with a dotted key path", text));
  }
  const std::string_view spec = text.substr(eq + 1);
  try {
    const Braces braces = find_template(spec);
    if (braces.open == std::string_view::npos) {
      vary.values = expand_spec(spec);
      vary.cells = vary.values;
    } else {
      vary.cells = expand_spec(spec.substr(braces.open + 1, braces.close - braces.open - 1));
      for (const auto& cell : vary.cells) {
        vary.values.push_back(fmt::format("{}{}{}", spec.substr(0, braces.open), cell, spec.substr(braces.close + 1)));
      }
    }
  } catch (const InputError& e) {
    throw InputError(fmt::format("--vary {}: {}", vary.key, e.what()));
  }
  return vary;
}

std::vector<std::string> SweepPlan::columns() const {
  std::vector<std::string> out = keys;
  out.push_back("replications");
  out.push_back("warmup_s");
  for (const auto& m : metrics) {
    out.push_back(m);
    out.push_back(m + "_lo");
    out.push_back(m + "_hi");
  }
  if (!settings.empty()) out.push_back("settings");
  return out;
}

std::string sweep_settings(const fs::path& scenario, const std::vector<loader::Override>& overrides,
                           const Options& options) {
  std::string text, error;
  if (!loader::detail::read_text_file(scenario, text, error)) {
    throw InputError(fmt::format("{}: cannot read the scenario: {}", scenario.string(), error));
  }
  std::string changes;
  for (const auto& o : overrides) changes += o.path + "=" + o.value + "\n";
  std::string replications = std::to_string(options.replications);
  if (options.precision) {
    replications = fmt::format("{}-{}/precision:{}", options.replications, options.max_replications, *options.precision);
  }
  return fmt::format("scenario:{:016x} changes:{:016x} replications:{}", sim::fnv1a64(text), sim::fnv1a64(changes),
                     replications);
}

SweepPlan plan_sweep(const fs::path& scenario, const std::vector<loader::Override>& overrides,
                     std::span<const Vary> varies) {
  SweepPlan plan;
  double count = 1.0;
  for (const auto& v : varies) {
    if (std::find(plan.keys.begin(), plan.keys.end(), v.key) != plan.keys.end()) {
      throw InputError(fmt::format("--vary {} is given twice; give all its values in one SPEC", v.key));
    }
    plan.keys.push_back(v.key);
    count *= static_cast<double>(v.values.size());
  }
  if (count > static_cast<double>(kMaxPoints)) {
    throw InputError(fmt::format("the grid has {:.0f} points; at most {} are allowed", count, kMaxPoints));
  }
  // Odometer order: the last key turns fastest.
  std::vector<std::size_t> index(varies.size(), 0);
  for (std::size_t p = 0; p < static_cast<std::size_t>(count); ++p) {
    std::vector<loader::Override> changes = overrides;
    SweepPoint point;
    for (std::size_t k = 0; k < varies.size(); ++k) {
      changes.push_back({varies[k].key, varies[k].values[index[k]]});
      point.cells.push_back(varies[k].cells[index[k]]);
    }
    plan.points.push_back(std::move(point));
    try {
      plan.points.back().config = loader::load_scenario_file(scenario, changes);
    } catch (const loader::ScenarioError& e) {
      throw InputError(fmt::format("sweep point {} of {} ({}): {}", p + 1, static_cast<std::size_t>(count),
                                   cells_text(plan, p), e.what()));
    }
    for (auto& m : headline_metrics(plan.points.back().config)) {
      if (std::find(plan.metrics.begin(), plan.metrics.end(), m.name) == plan.metrics.end()) {
        plan.metrics.push_back(std::move(m.name));
      }
    }
    for (std::size_t k = varies.size(); k-- > 0;) {
      if (++index[k] < varies[k].values.size()) break;
      index[k] = 0;
    }
  }
  return plan;
}

SweepFile::SweepFile(const fs::path& path, SweepFormat format, const SweepPlan& plan) : path_(path) {
  // An interrupt waits for the resume check, the cut and the header.
  const auto section = output_section();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) throw InputError(fmt::format("--output {}: {}", path.string(), std::strerror(errno)));
  std::string content;
  char buffer[1 << 16];
  for (ssize_t got; (got = ::read(fd_, buffer, sizeof buffer)) != 0;) {
    if (got < 0) {
      if (errno == EINTR) continue;
      ::close(fd_);
      fail(path, "cannot read");
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  // Whole lines only: the last may have been cut short by a kill.
  const auto last_newline = content.rfind('\n');
  const std::size_t whole = last_newline == std::string::npos ? 0 : last_newline + 1;
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < whole;) {
    const auto end = content.find('\n', start);
    lines.push_back(std::string_view(content).substr(start, end - start));
    start = end + 1;
  }
  const auto reject = [&](const std::string& why) {
    ::close(fd_);
    throw InputError(fmt::format("--output {}: {}; to start over, remove it or choose another file", path.string(), why));
  };
  std::size_t first_row = 0;
  if (format == SweepFormat::kCsv && !lines.empty()) {
    const std::string header = csv_header(plan);
    if (lines.front() != std::string_view(header).substr(0, header.size() - 1)) {
      reject("it holds a sweep with other columns (another scenario, other --vary keys)");
    }
    first_row = 1;
  }
  const std::vector<std::string> columns = plan.columns();
  const std::size_t rows = lines.size() - first_row;
  if (rows > plan.points.size()) reject(fmt::format("it has {} rows, more than this sweep's {} points", rows, plan.points.size()));
  for (std::size_t p = 0; p < rows; ++p) {
    const std::string_view line = lines[first_row + p];
    if (!line.starts_with(row_prefix(plan, p, format))) {
      reject(fmt::format("row {} is not point {} ({}) of this sweep", p + 1, p + 1, cells_text(plan, p)));
    }
    std::string settings;
    if (format == SweepFormat::kJsonl) {
      const auto row = ordered_json::parse(line, nullptr, false);
      std::vector<std::string> keys;
      if (row.is_object()) {
        for (const auto& [key, value] : row.items()) keys.push_back(key);
      }
      if (keys != columns) reject(fmt::format("row {} has other keys than this sweep's rows", p + 1));
      if (!plan.settings.empty() && row["settings"].is_string()) settings = row["settings"].get<std::string>();
    } else if (!plan.settings.empty()) {
      settings = std::string(line.substr(line.rfind(',') + 1));
    }
    if (settings != plan.settings) reject(settings_mismatch(p, settings, plan.settings));
  }
  if (whole < content.size() && ::ftruncate(fd_, static_cast<off_t>(whole)) != 0) {
    ::close(fd_);
    fail(path, "cannot truncate");
  }
  if (format == SweepFormat::kCsv && lines.empty()) write_all(fd_, csv_header(plan), path_);
  done_ = rows;
}

SweepFile::~SweepFile() { ::close(fd_); }

void SweepFile::append(std::string_view line) {
  // An interrupt waits for the row: the file never ends in a partial one.
  const auto section = output_section();
  write_all(fd_, line, path_);
}

std::string sweep_row(const SweepPlan& plan, std::size_t p, const Experiment& e, SweepFormat format) {
  const std::vector<MetricEstimate> estimates = summarize(e.runs);
  const auto find = [&](const std::string& name) -> const std::optional<Estimate>* {
    for (const auto& m : estimates) {
      if (m.metric.name == name) return &m.estimate;
    }
    return nullptr;
  };
  if (format == SweepFormat::kJsonl) {
    ordered_json row = key_cells_json(plan, p);
    row["replications"] = e.runs.size();
    row["warmup_s"] = sim::to_seconds(e.config.run.warmup);
    for (const auto& name : plan.metrics) {
      const auto* estimate = find(name);
      const bool value = estimate && *estimate;
      const bool interval = value && (*estimate)->lo;
      row[name] = value ? ordered_json((*estimate)->value) : ordered_json();
      row[name + "_lo"] = interval ? ordered_json(*(*estimate)->lo) : ordered_json();
      row[name + "_hi"] = interval ? ordered_json(*(*estimate)->hi) : ordered_json();
    }
    if (!plan.settings.empty()) row["settings"] = plan.settings;
    return row.dump() + "\n";
  }
  std::string text = row_prefix(plan, p, format);
  text += fmt::format("{},{}", e.runs.size(), sim::to_seconds(e.config.run.warmup));
  for (const auto& name : plan.metrics) {
    const auto* estimate = find(name);
    if (estimate && *estimate && (*estimate)->lo) {
      text += fmt::format(",{},{},{}", (*estimate)->value, *(*estimate)->lo, *(*estimate)->hi);
    } else if (estimate && *estimate) {
      text += fmt::format(",{},,", (*estimate)->value);
    } else {
      text += ",,,";
    }
  }
  if (!plan.settings.empty()) text += "," + csv_cell(plan.settings);
  return text + "\n";
}

void run_sweep(const SweepPlan& plan, SweepFile& file, SweepFormat format, const Options& options,
               const Progress& progress) {
  // Points run side by side as workers free up; rows go out in point order.
  Study study(sweep_configs(plan), file.done(), plan.points.size(), options,
              [&](std::size_t p, std::vector<Experiment>&& e) { file.append(sweep_row(plan, p, e.front(), format)); },
              progress, true);
  execute(study, options.jobs);
}

Study::Configs sweep_configs(const SweepPlan& plan) {
  return [&plan](std::size_t p) { return std::span(&plan.points[p].config, 1); };
}

}  // namespace experiment
