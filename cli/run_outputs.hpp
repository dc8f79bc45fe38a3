// The extra outputs of `tiersim run`: the --timeseries CSV and the
// --trace-faults timeline.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "models/timeseries.hpp"
#include "sim/time.hpp"

namespace cli {

// One CSV row per window: time_s, offered, succeeded, failed_<reason> for
// every reason, p50_ms, p99_ms, in_flight, retries, healthy_<tier> for every
// tier, cpu_<node> for every node. Rows stream to a temporary file beside
// the target (a year of 1 s windows does not fit in memory); commit() renames
// it into place, and without a commit the temporary file is removed: the
// target is written whole or not at all.
class TimeseriesCsv final : public models::WindowSink {
 public:
  explicit TimeseriesCsv(std::filesystem::path file);
  ~TimeseriesCsv() override;
  TimeseriesCsv(const TimeseriesCsv&) = delete;
  TimeseriesCsv& operator=(const TimeseriesCsv&) = delete;

  void begin(const std::vector<std::string>& node_names) override;
  void tiers(const std::vector<std::string>& tier_names) override;
  void row(const models::WindowRow& row) override;
  // Throws std::system_error naming the file on failure.
  void commit();

 private:
  void write(const std::string& text);

  std::filesystem::path file_;
  std::filesystem::path temporary_;
  std::FILE* out_ = nullptr;
  bool failed_ = false;
  std::vector<std::string> nodes_;
};

// "    12.345s  detect: lb1 marks web1 DOWN" lines.
std::string format_trace_line(sim::Time t, const std::string& text);

}  // namespace cli
