#include "report/table_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "models/request.hpp"
#include "sim/time.hpp"

namespace report {

namespace {

// Columns sized to their widest cell; names left-aligned, numbers right.
class Table {
 public:
  struct Column {
    std::string header;
    bool left = false;
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  void render_to(std::string& out) const {
    std::vector<std::size_t> widths;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      std::size_t w = columns_[c].header.size();
      for (const auto& row : rows_) w = std::max(w, row[c].size());
      widths.push_back(w);
    }
    const auto line = [&](auto cell) {
      std::string text;
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (c > 0) text += "  ";
        text += columns_[c].left ? fmt::format("{:<{}}", cell(c), widths[c]) : fmt::format("{:>{}}", cell(c), widths[c]);
      }
      // Left-aligned last columns would otherwise leave trailing blanks.
      text.erase(text.find_last_not_of(' ') + 1);
      out += text;
      out += '\n';
    };
    line([&](std::size_t c) -> const std::string& { return columns_[c].header; });
    for (const auto& row : rows_) line([&](std::size_t c) -> const std::string& { return row[c]; });
  }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// A metric's cell: its value in its unit, except utilizations, in percent
// with one decimal (the header says "%", and the node table stays narrow);
// no_value without one.
std::string cell(Unit unit, const MetricValue& v) {
  if (!v.value) return std::string(no_value(v.among_failures));
  return unit == Unit::kUtilization ? fmt::format("{:.1f}", *v.value * 100.0) : format_value(unit, *v.value);
}

// mean, then the given quantiles, in ms.
std::vector<std::string> latency_cells(const sim::LatencyHistogram& h, std::initializer_list<double> quantiles) {
  const auto ms = [&h](double nanoseconds) { return h.count() ? MetricValue{nanoseconds / 1e6} : MetricValue{}; };
  std::vector<std::string> cells{cell(Unit::kMilliseconds, ms(h.mean()))};
  for (double q : quantiles) cells.push_back(cell(Unit::kPercentileMilliseconds, ms(h.quantile(q))));
  return cells;
}

// A share of the requests that ended as a percentage with three decimals,
// rounded down by long division so that any shortfall keeps it below
// "100.000%": availability (of successes) or attainment (of good requests).
std::string share_of_ended(std::uint64_t part, const models::RequestCounts& counts) {
  const std::uint64_t ended = counts.ended();
  if (ended == 0) return std::string(no_value(false));
  if (part >= ended) return "100.000%";
  std::uint64_t thousandths = 0;  // of a percent: five digits of the fraction
  std::uint64_t remainder = part;
  for (int digit = 0; digit < 5; ++digit) {
    remainder *= 10;
    thousandths = thousandths * 10 + remainder / ended;
    remainder %= ended;
  }
  return fmt::format("{}.{:03}%", thousandths / 1000, thousandths % 1000);
}

std::string availability(const models::RequestCounts& counts) { return share_of_ended(counts.succeeded, counts); }
std::string attainment(const models::RequestCounts& counts) { return share_of_ended(counts.good, counts); }

std::string failures(const models::RequestCounts& counts) {
  std::string text;
  for (int i = 0; i < models::kFailureReasonCount; ++i) {
    const std::uint64_t n = counts.failed[static_cast<std::size_t>(i)];
    if (n == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", models::failure_reason_name(static_cast<models::FailureReason>(i)), n);
  }
  return text.empty() ? "none" : text;
}

// "12 of 3400 replica reads (0.35%): page 12"; the classes with any.
std::string stale_reads(const models::RunResult& r) {
  const models::StaleReads& total = *r.stale_reads;
  std::string text = fmt::format("{} of {} replica reads", total.count, total.replica_reads);
  if (total.replica_reads > 0) {
    const double share = static_cast<double>(total.count) / static_cast<double>(total.replica_reads);
    text += fmt::format(" ({:.2f}%)", 100.0 * share);
  }
  std::string by_class;
  for (const auto& c : r.classes) {
    if (!c.stale_reads || c.stale_reads->count == 0) continue;
    by_class += fmt::format("{}{} {}", by_class.empty() ? "" : ", ", c.name, c.stale_reads->count);
  }
  return by_class.empty() ? text : text + ": " + by_class;
}

std::string per_second(double rate) {
  if (rate >= 1e9) return fmt::format("{:.2f}G", rate / 1e9);
  if (rate >= 1e6) return fmt::format("{:.2f}M", rate / 1e6);
  if (rate >= 1e3) return fmt::format("{:.2f}k", rate / 1e3);
  return fmt::format("{:.0f}", rate);
}

void field(std::string& out, std::string_view label, std::string_view value) {
  fmt::format_to(std::back_inserter(out), "{:<15}{}\n", label, value);
}

// The latency table: a row per object of the run's JSON, a column per name
// its entries give (those of the first row first); a row without an entry for
// a column has no value there (a failure ranks above every success, so all
// finished requests have no mean or maximum).
void latency_table(const models::RunResult& r, std::string& out) {
  constexpr std::pair<std::string_view, std::string_view> kRows[] = {{"successes", "latency_ms"},
                                                                      {"all finished", "latency_all_ms"}};
  const auto in = [](const RunField& f, std::string_view object) {
    return !f.column.empty() && f.path.substr(0, f.path.find('.')) == object;
  };
  std::vector<std::string_view> columns;
  for (const auto& [label, object] : kRows) {
    for (const RunField& f : run_fields()) {
      if (in(f, object) && std::find(columns.begin(), columns.end(), f.column) == columns.end()) {
        columns.push_back(f.column);
      }
    }
  }
  std::vector<Table::Column> headers{{"latency (ms)", true}};
  for (std::string_view column : columns) headers.push_back({std::string(column)});
  Table table(std::move(headers));
  for (const auto& [label, object] : kRows) {
    std::vector<std::string> row(columns.size() + 1, std::string(no_value(false)));
    row.front() = label;
    for (const RunField& f : run_fields()) {
      if (!in(f, object)) continue;
      const auto at = std::find(columns.begin(), columns.end(), f.column) - columns.begin();
      row[static_cast<std::size_t>(at) + 1] = cell(f.headline.unit, f.metric(r));
    }
    table.add_row(std::move(row));
  }
  table.render_to(out);
}

}  // namespace

std::string percentile_ms(double milliseconds) {
  const double step = milliseconds * sim::LatencyHistogram::kRelativeResolution;
  const int decimals = step > 0.0 ? std::clamp(static_cast<int>(-std::floor(std::log10(step))), 0, 3) : 3;
  return fmt::format("{:.{}f}", milliseconds, decimals);
}

std::string format_value(Unit unit, double value) {
  switch (unit) {
    case Unit::kMilliseconds: return fmt::format("{:.3f}", value);
    case Unit::kPercentileMilliseconds: return percentile_ms(value);
    case Unit::kPerSecond: return fmt::format("{:.2f}", value);
    case Unit::kAvailability: return fmt::format("{:.3f}%", value * 100.0);
    case Unit::kUtilization: return fmt::format("{:.2f}%", value * 100.0);
    case Unit::kNumber: return fmt::format("{:.2f}", value);
  }
  return {};
}

std::string_view no_value(bool among_failures) { return among_failures ? "fail" : "-"; }

std::string resolution_note() {
  return fmt::format("percentiles are within {:.2g}% of the exact sample percentile (histogram buckets)\n"
                     "and print only the digits that resolves\n",
                     100.0 * sim::LatencyHistogram::kRelativeResolution);
}

std::string run_result_table(const models::RunResult& r) {
  std::string out;
  field(out, "scenario", fmt::format("{} (seed {}, replication {})", r.scenario, r.seed, r.replication));
  field(out, "simulated", fmt::format("{}, of which warm-up {}", sim::format_duration(r.duration),
                                      sim::format_duration(r.warmup)));
  std::string engine = fmt::format("{} events in {:.3f}s wall", r.events, r.wall_seconds);
  if (r.wall_seconds > 0.0) engine += fmt::format(" ({} events/s)", per_second(static_cast<double>(r.events) / r.wall_seconds));
  field(out, "engine", engine);
  out += '\n';

  latency_table(r, out);
  out += '\n';

  const std::optional<sim::Time>& objective = r.slo.latency;
  field(out, "throughput", fmt::format("{:.2f} req/s", r.throughput()));
  if (objective) field(out, "goodput", fmt::format("{:.2f} req/s within {}", r.goodput(), sim::format_duration(*objective)));
  field(out, "success ratio",
        fmt::format("{} ({} of {} requests; {} failed, {} in flight at the end)", availability(r.totals),
                    r.totals.succeeded, r.totals.offered, r.totals.failed_total(), r.totals.in_flight()));
  if (objective) {
    field(out, "SLO attainment", fmt::format("{} ({} of {} finished requests succeeded within {})",
                                             attainment(r.totals), r.totals.good, r.totals.ended(),
                                             sim::format_duration(*objective)));
  }
  field(out, "failures", failures(r.totals));
  if (r.stale_reads) field(out, "stale reads", stale_reads(r));
  out += '\n';

  std::vector<Table::Column> class_columns{{"class", true}, {"offered"}, {"succeeded"}, {"failed"}, {"availability"}};
  if (objective) class_columns.push_back({"attainment"});
  for (const char* header : {"mean ms", "p50 ms", "p99 ms", "p99 all ms"}) class_columns.push_back({header});
  Table classes(std::move(class_columns));
  for (const auto& c : r.classes) {
    std::vector<std::string> cells{c.name, fmt::format("{}", c.counts.offered), fmt::format("{}", c.counts.succeeded),
                                   fmt::format("{}", c.counts.failed_total()), availability(c.counts)};
    if (objective) cells.push_back(attainment(c.counts));
    for (auto& cell : latency_cells(c.latency, {0.5, 0.99})) cells.push_back(std::move(cell));
    cells.push_back(cell(Unit::kPercentileMilliseconds, all_finished(c.latency, c.counts, 0.99)));
    classes.add_row(std::move(cells));
  }
  classes.render_to(out);
  out += '\n';

  Table tiers({{"tier", true}, {"kind", true}, {"sojourn mean ms"}, {"p50 ms"}, {"p99 ms"}, {"p99.9 ms"}});
  for (const auto& t : r.tiers) {
    std::vector<std::string> cells{t.name, t.kind};
    for (auto& cell : latency_cells(t.sojourn, {0.5, 0.99, 0.999})) cells.push_back(std::move(cell));
    tiers.add_row(std::move(cells));
  }
  tiers.render_to(out);
  out += '\n';

  std::vector<Table::Column> node_columns{{"node", true}, {"tier", true}, {"host", true}};
  for (const NodeField& f : node_fields()) {
    if (!f.column.empty()) node_columns.push_back({std::string(f.column)});
  }
  Table nodes(std::move(node_columns));
  for (const auto& n : r.nodes) {
    std::vector<std::string> cells{n.name, n.tier, n.host};
    for (const NodeField& f : node_fields()) {
      if (!f.column.empty()) cells.push_back(cell(f.unit, {f.metric(n)}));
    }
    nodes.add_row(std::move(cells));
  }
  nodes.render_to(out);

  // Resilience: only when something failed over, retried or broke.
  const models::SloResult& slo = r.slo;
  if (r.retries > 0 || !slo.faults.empty() || slo.good_windows < slo.windows) {
    out += fmt::format("\nretries        {} ({} attempts for {} requests: amplification {:.3f})\n", r.retries,
                       r.attempts, r.totals.offered, r.amplification());
    out += fmt::format("time avail.    {:.4f}% of {} windows of {} meet the {}% SLO{}; downtime {:.2f} min\n",
                       100.0 * slo.time_availability(), slo.windows, sim::format_duration(slo.window),
                       100.0 * slo.target, objective ? " within " + sim::format_duration(*objective) : "",
                       sim::to_seconds(slo.downtime()) / 60.0);
    if (!slo.faults.empty()) {
      Table faults({{"fault", true}, {"at"}, {"detected after"}, {"recovered after"}, {"failed"}});
      const auto since = [](const std::optional<sim::Time>& t, sim::Time start) {
        return t ? sim::format_duration(*t - start) : std::string("-");
      };
      for (const auto& f : slo.faults) {
        faults.add_row({f.fault, sim::format_duration(f.start), since(f.detected, f.start),
                        since(f.recovered, f.start), fmt::format("{}", f.failed)});
      }
      out += "\n";
      faults.render_to(out);
    }
  }
  out += '\n' + resolution_note();
  return out;
}

}  // namespace report
