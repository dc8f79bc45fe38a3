#include "report/report_inputs.hpp"

#include <csv.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

namespace report {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

const std::vector<std::string> kCompareColumns = {"scenario",   "file", "metric", "value", "lo", "hi", "difference",
                                                  "difference_lo", "difference_hi", "significant"};

// A `what` that starts with a line (and column) number joins the file name
// as file:line:column: what.
[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  const bool located = !what.empty() && what[0] >= '0' && what[0] <= '9';
  throw ReportInputError(fmt::format("{}{}{}", file.string(), located ? ":" : ": ", what));
}

std::string read_all(const fs::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) fail(file, "expected a file, found a directory");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot read it: {}", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(file, "cannot read it");
  return text.str();
}

// What a file holds, for messages: its first line, cut short.
std::string found_text(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 60) line = line.substr(0, 57) + "...";
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return line.empty() ? "an empty first line" : "\"" + line + "\"";
}

std::pair<std::size_t, std::size_t> line_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < std::min(byte, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

ordered_json parse_json(const fs::path& file, const std::string& text, std::size_t first_line = 1) {
  try {
    return ordered_json::parse(text);
  } catch (const ordered_json::parse_error& e) {
    // nlohmann counts the byte after the error; the message's tail says what it met.
    const auto [line, column] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string why = e.what();
    if (const auto at = why.find("syntax error"); at != std::string::npos) why = why.substr(at);
    fail(file, fmt::format("{}:{}: expected JSON as tiersim writes it, found a {}", line + first_line - 1, column, why));
  }
}

// "12.5" -> 12.5; anything else, a whole-cell number or nothing.
std::optional<double> number(const std::string& cell) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

// A sweep or compare cell as JSON: empty is null, a number a number.
ordered_json cell_json(const std::string& cell) {
  if (cell.empty()) return nullptr;
  if (const auto v = number(cell)) return *v;
  return cell;
}

// RFC 4180 rows by libcsv (strict: a stray quote is an error); every row
// must be as wide as the header. Rows carry their line numbers.
struct CsvRows {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;
};

CsvRows read_csv(const fs::path& file, const std::string& text) {
  struct State {
    std::vector<std::string> row;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines;
    std::size_t line = 1;
  } state;
  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) fail(file, "cannot start the CSV parser");
  const auto on_field = [](void* field, std::size_t size, void* data) {
    static_cast<State*>(data)->row.emplace_back(static_cast<const char*>(field), size);
  };
  const auto on_row = [](int, void* data) {
    auto* s = static_cast<State*>(data);
    s->rows.push_back(std::move(s->row));
    s->lines.push_back(s->line);
    s->row.clear();
  };
  // Fed line by line, so that an error names its line.
  std::size_t start = 0;
  bool ok = true;
  while (ok && start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size() - 1) + 1;
    ok = csv_parse(&parser, text.data() + start, end - start, on_field, on_row, &state) == end - start;
    if (ok) ++state.line;
    start = end;
  }
  bool at_end = false;
  if (ok) {
    at_end = true;
    ok = csv_fini(&parser, on_field, on_row, &state) == 0;
  }
  const int error = csv_error(&parser);
  csv_free(&parser);
  if (!ok) {
    // A quote left open runs to the end of the file.
    fail(file, fmt::format("{}: expected CSV as tiersim writes it, found {}{}", at_end ? state.line - 1 : state.line,
                           csv_strerror(error), at_end ? " (a quoted cell not closed by the end of the file)" : ""));
  }
  if (state.rows.empty()) fail(file, "expected a CSV with a header line, found an empty file");
  CsvRows out;
  out.header = std::move(state.rows.front());
  for (std::size_t i = 1; i < state.rows.size(); ++i) {
    if (state.rows[i].size() != out.header.size()) {
      fail(file, fmt::format("{}: expected {} cells as in the header, found {}", state.lines[i], out.header.size(),
                             state.rows[i].size()));
    }
    out.rows.push_back(std::move(state.rows[i]));
    out.lines.push_back(state.lines[i]);
  }
  return out;
}

bool is_compare_csv(const CsvRows& csv) { return csv.header == kCompareColumns; }
bool is_timeseries_csv(const CsvRows& csv) {
  return csv.header.size() >= 3 && csv.header[0] == "time_s" && csv.header[1] == "offered" && csv.header[2] == "succeeded";
}
bool is_sweep_columns(const std::vector<std::string>& columns) {
  const auto r = std::find(columns.begin(), columns.end(), "replications");
  return r != columns.end() && r + 1 != columns.end() && *(r + 1) == "warmup_s";
}

ordered_json timeseries_json(const fs::path& file, const CsvRows& csv) {
  TimeseriesTable table;
  table.set_columns(csv.header);
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    std::vector<double> values;
    for (std::size_t c = 0; c < csv.header.size(); ++c) {
      const auto v = number(csv.rows[i][c]);
      if (!v) {
        fail(file, fmt::format("{}: column {}: expected a number, found \"{}\"", csv.lines[i], csv.header[c],
                               csv.rows[i][c]));
      }
      values.push_back(*v);
    }
    table.add_row(std::move(values));
  }
  return table.json();
}

// The compare CSV back in the shape of compare's JSON (docs/statistics.md).
ordered_json compare_json_of_csv(const fs::path& file, const CsvRows& csv) {
  ordered_json scenarios = ordered_json::array();
  std::vector<std::string> order;
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    const auto& r = csv.rows[i];
    const auto at = std::find(order.begin(), order.end(), r[0]);
    if (at == order.end()) {
      order.push_back(r[0]);
      scenarios.push_back({{"scenario", r[0]}, {"file", r[1]}, {"metrics", ordered_json::object()},
                           {"difference", order.size() == 1 ? ordered_json() : ordered_json::object()}});
    }
    auto& s = scenarios[static_cast<std::size_t>(std::find(order.begin(), order.end(), r[0]) - order.begin())];
    const auto estimate = [&](std::size_t value, std::size_t lo, std::size_t hi) {
      for (std::size_t c : {value, lo, hi}) {
        if (!r[c].empty() && !number(r[c])) {
          fail(file, fmt::format("{}: column {}: expected a number or nothing, found \"{}\"", csv.lines[i],
                                 kCompareColumns[c], r[c]));
        }
      }
      ordered_json e = {{"value", cell_json(r[value])},
                        {"ci95", r[lo].empty() ? ordered_json() : ordered_json::array({*number(r[lo]), *number(r[hi])})}};
      return e;
    };
    s["metrics"][r[2]] = estimate(3, 4, 5);
    if (s["difference"].is_object() && !r[6].empty()) {
      ordered_json d = estimate(6, 7, 8);
      d["significant"] = r[9] == "true" || r[9] == "1";
      s["difference"][r[2]] = std::move(d);
    }
  }
  if (scenarios.empty()) fail(file, "expected one row per scenario and metric, found only the header");
  return {{"baseline", order.front()}, {"scenarios", std::move(scenarios)}};
}

SweepData sweep_of_csv(const fs::path& file, const CsvRows& csv) {
  SweepData s;
  s.name = file.stem().string();
  s.columns = csv.header;
  for (const auto& row : csv.rows) {
    std::vector<ordered_json> values;
    for (const auto& cell : row) values.push_back(cell_json(cell));
    s.rows.push_back(std::move(values));
  }
  return s;
}

SweepData sweep_of_jsonl(const fs::path& file, const std::string& text) {
  SweepData s;
  s.name = file.stem().string();
  std::size_t line = 0, start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string body = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (body.find_first_not_of(" \t\r") == std::string::npos) continue;
    const ordered_json row = parse_json(file, body, line);
    if (!row.is_object()) fail(file, fmt::format("{}: expected one JSON object per line, found {}", line, row.type_name()));
    std::vector<std::string> columns;
    std::vector<ordered_json> values;
    for (const auto& [k, v] : row.items()) {
      columns.push_back(k);
      values.push_back(v);
    }
    if (s.columns.empty()) {
      if (!is_sweep_columns(columns)) {
        fail(file, fmt::format("{}: expected a row of tiersim sweep --format jsonl (keys, \"replications\", "
                               "\"warmup_s\", metrics), found keys {}", line, fmt::join(columns, ", ")));
      }
      s.columns = columns;
    } else if (columns != s.columns) {
      fail(file, fmt::format("{}: expected the keys of the first line, found others", line));
    }
    s.rows.push_back(std::move(values));
  }
  if (s.rows.empty()) fail(file, "expected one JSON object per line, found none");
  return s;
}

// `      12.345s  detect: lb1 marks web1 DOWN`, as cli::format_trace_line writes it.
std::vector<TraceLine> read_trace(const fs::path& file, const std::string& text) {
  std::vector<TraceLine> lines;
  std::size_t start = 0, line = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string body = text.substr(start, end - start);
    start = end + 1;
    ++line;
    // stderr saved whole also holds tiersim's warnings about the scenario.
    if (body.empty() || (line == 1 && body == "no fault events") || body.starts_with("tiersim: warning: ")) continue;
    const std::size_t first = body.find_first_not_of(' ');
    const std::size_t gap = body.find("s  ", first == std::string::npos ? 0 : first);
    const auto t = first == std::string::npos || gap == std::string::npos ? std::nullopt
                                                                          : number(body.substr(first, gap - first));
    if (!t) {
      fail(file, fmt::format("{}: expected a line of tiersim run --trace-faults such as \"  12.345s  detect: lb1 "
                             "marks web1 DOWN\", found {}",
                             line, found_text(body)));
    }
    lines.push_back({*t, body.substr(gap + 3)});
  }
  return lines;
}

enum class Kind { kRun, kTimeseries, kTrace, kCompare, kSweep };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kRun: return "a run's JSON";
    case Kind::kTimeseries: return "a --timeseries CSV";
    case Kind::kTrace: return "a --trace-faults timeline";
    case Kind::kCompare: return "a comparison";
    case Kind::kSweep: return "a sweep";
  }
  return "";
}

struct Input {
  fs::path file;
  Kind kind;
  ordered_json json;     // run, compare, timeseries
  SweepData sweep;       // sweep
  std::vector<TraceLine> trace;
};

Input read_input(const fs::path& file) {
  const std::string text = read_all(file);
  const std::string ext = file.extension().string();
  Input in{file, Kind::kTrace, nullptr, {}, {}};
  if (ext == ".json") {
    ordered_json j = parse_json(file, text);
    if (j.is_object() && j.contains("scenarios") && j["scenarios"].is_array() && j.contains("baseline")) {
      for (const auto& s : j["scenarios"]) {
        if (!s.is_object() || !s.contains("scenario") || !s.contains("metrics") || !s["metrics"].is_object()) {
          fail(file, "expected every entry of \"scenarios\" to have \"scenario\" and \"metrics\" (tiersim compare "
                     "--format json), found one without");
        }
      }
      in.kind = Kind::kCompare;
    } else if (j.is_object() && j.contains("scenario") && j.contains("requests") && j.contains("latency_ms") &&
               j.contains("nodes") && j["nodes"].is_object() && j.contains("tiers") && j["tiers"].is_object()) {
      in.kind = Kind::kRun;
    } else {
      std::string keys;
      if (j.is_object()) {
        for (const auto& [k, v] : j.items()) keys += (keys.empty() ? "" : ", ") + k;
      }
      fail(file, fmt::format("expected the JSON of tiersim run or tiersim compare (--format json), found {}",
                             j.is_object() ? fmt::format("an object with keys {}", keys.empty() ? "(none)" : keys)
                                           : std::string(j.type_name())));
    }
    in.json = std::move(j);
  } else if (ext == ".jsonl" || (ext != ".csv" && !text.empty() && text[0] == '{')) {
    in.kind = Kind::kSweep;
    in.sweep = sweep_of_jsonl(file, text);
  } else if (ext == ".csv") {
    const CsvRows csv = read_csv(file, text);
    if (is_compare_csv(csv)) {
      in.kind = Kind::kCompare;
      in.json = compare_json_of_csv(file, csv);
    } else if (is_timeseries_csv(csv)) {
      in.kind = Kind::kTimeseries;
      in.json = timeseries_json(file, csv);
    } else if (is_sweep_columns(csv.header)) {
      in.kind = Kind::kSweep;
      in.sweep = sweep_of_csv(file, csv);
    } else {
      fail(file, fmt::format("1: expected the header of a tiersim compare, sweep or --timeseries CSV, found {}",
                             found_text(text)));
    }
  } else {
    in.trace = read_trace(file, text);
  }
  return in;
}

}  // namespace

SweepData read_sweep(const fs::path& file) {
  const std::string text = read_all(file);
  if (file.extension() == ".jsonl" || (!text.empty() && text[0] == '{')) return sweep_of_jsonl(file, text);
  const CsvRows csv = read_csv(file, text);
  if (!is_sweep_columns(csv.header)) {
    fail(file, fmt::format("1: expected the header of a tiersim sweep CSV, found {}", found_text(text)));
  }
  return sweep_of_csv(file, csv);
}

std::string page_from_files(const std::vector<fs::path>& files) {
  if (files.empty()) throw ReportInputError("expected at least one file");
  std::vector<Input> inputs;
  for (const auto& f : files) inputs.push_back(read_input(f));
  const auto count = [&](Kind k) {
    return std::count_if(inputs.begin(), inputs.end(), [k](const Input& i) { return i.kind == k; });
  };
  const auto first = [&](Kind k) -> const Input& {
    return *std::find_if(inputs.begin(), inputs.end(), [k](const Input& i) { return i.kind == k; });
  };
  const auto refuse = [&](const std::string& what) -> std::string {
    std::string found;
    for (const auto& i : inputs) found += (found.empty() ? "" : ", ") + fmt::format("{} ({})", i.file.string(), kind_name(i.kind));
    throw ReportInputError(fmt::format("expected {}; found {}", what, found));
  };
  constexpr const char* kWhat =
      "one run JSON (with at most one --timeseries CSV and one --trace-faults file), one comparison (JSON or CSV), "
      "or sweeps (CSV or JSONL)";
  if (count(Kind::kCompare) > 0) {
    if (inputs.size() != 1) return refuse(kWhat);
    return compare_page(inputs.front().json);
  }
  if (count(Kind::kSweep) > 0) {
    if (count(Kind::kSweep) != static_cast<long>(inputs.size())) return refuse(kWhat);
    std::vector<SweepData> sweeps;
    for (const auto& i : inputs) {
      const auto keys = [](const SweepData& s) {
        return std::vector<std::string>(s.columns.begin(),
                                        std::find(s.columns.begin(), s.columns.end(), "replications"));
      };
      if (!sweeps.empty() && keys(i.sweep) != keys(sweeps.front())) {
        fail(i.file, fmt::format("expected a sweep over the keys of {} ({}), found one over {}", files.front().string(),
                                 fmt::join(keys(sweeps.front()), ", "), fmt::join(keys(i.sweep), ", ")));
      }
      sweeps.push_back(i.sweep);
    }
    return sweep_page(sweeps, {});
  }
  if (count(Kind::kRun) != 1 || count(Kind::kTimeseries) > 1 || count(Kind::kTrace) > 1) return refuse(kWhat);
  const ordered_json timeseries = count(Kind::kTimeseries) ? first(Kind::kTimeseries).json : ordered_json();
  const bool traced = count(Kind::kTrace) == 1;
  return run_page(first(Kind::kRun).json, timeseries, traced ? first(Kind::kTrace).trace : std::vector<TraceLine>{},
                  traced);
}

}  // namespace report
