#include "cli/run_outputs.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/output.hpp"

#include "experiment/interrupt.hpp"
#include "models/request.hpp"

namespace cli {

TimeseriesCsv::TimeseriesCsv(std::filesystem::path file)
    : file_(std::move(file)), temporary_(file_.string() + fmt::format(".tmp.{}", ::getpid())) {
  check_writable(file_);
  const auto section = experiment::output_section();
  out_ = std::fopen(temporary_.c_str(), "w");
  if (out_ == nullptr) throw OutputError(fmt::format("cannot write {}: {}", file_.string(), std::strerror(errno)));
  experiment::add_temporary(temporary_);
}

TimeseriesCsv::~TimeseriesCsv() {
  if (out_ != nullptr) {
    std::fclose(out_);
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
    experiment::remove_temporary(temporary_);
  }
}

void TimeseriesCsv::write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size()) failed_ = true;
}

void TimeseriesCsv::begin(const std::vector<std::string>& node_names) { nodes_ = node_names; }

void TimeseriesCsv::tiers(const std::vector<std::string>& tier_names) {
  // The header needs the tiers, which come after the nodes.
  std::string header = "time_s,offered,succeeded";
  for (int i = 0; i < models::kFailureReasonCount; ++i) {
    header += fmt::format(",failed_{}", models::failure_reason_name(static_cast<models::FailureReason>(i)));
  }
  header += ",p50_ms,p99_ms,in_flight,retries";
  for (const auto& t : tier_names) header += ",healthy_" + t;
  for (const auto& n : nodes_) header += ",cpu_" + n;
  write(header + '\n');
}

void TimeseriesCsv::row(const models::WindowRow& r) {
  std::string line = fmt::format("{},{},{}", sim::to_seconds(r.start), r.offered, r.succeeded);
  for (auto n : r.failed) line += fmt::format(",{}", n);
  line += fmt::format(",{:.6g},{:.6g},{},{}", r.latency_p50_ms, r.latency_p99_ms, r.in_flight, r.retries);
  for (int h : r.healthy) line += fmt::format(",{}", h);
  for (double u : r.cpu_utilization) line += fmt::format(",{:.6g}", u);
  write(line + '\n');
}

void TimeseriesCsv::commit() {
  const bool ok = !failed_ && std::fflush(out_) == 0 && ::fsync(::fileno(out_)) == 0;
  const int error = errno;
  std::fclose(out_);
  out_ = nullptr;
  std::error_code ec;
  const auto section = experiment::output_section();
  if (ok) std::filesystem::rename(temporary_, file_, ec);
  experiment::remove_temporary(temporary_);
  if (!ok || ec) {
    std::filesystem::remove(temporary_, ec);
    throw OutputError(fmt::format("cannot write {}: {}", file_.string(), std::strerror(ok ? ec.value() : error)));
  }
}

std::string format_trace_line(sim::Time t, const std::string& text) {
  return fmt::format("{:>14.3f}s  {}\n", sim::to_seconds(t), text);
}

}  // namespace cli
