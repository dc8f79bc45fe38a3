#include "report/json_report.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "models/request.hpp"

namespace report {

namespace {

using nlohmann::ordered_json;

ordered_json latency_ms(const sim::LatencyHistogram& h) {
  ordered_json j = ordered_json::object();
  const bool empty = h.count() == 0;
  // The histogram's own accessors report 0 when empty; null says "no data".
  const auto ms = [empty](double nanoseconds) { return empty ? ordered_json() : ordered_json(nanoseconds / 1e6); };
  j["mean"] = ms(h.mean());
  j["p50"] = ms(h.quantile(0.5));
  j["p90"] = ms(h.quantile(0.9));
  j["p99"] = ms(h.quantile(0.99));
  j["p999"] = ms(h.quantile(0.999));
  j["max"] = ms(static_cast<double>(h.max()));
  return j;
}

ordered_json requests(const models::RequestCounts& counts) {
  ordered_json failed = ordered_json::object();
  for (int i = 0; i < models::kFailureReasonCount; ++i) {
    const auto reason = static_cast<models::FailureReason>(i);
    failed[std::string(models::failure_reason_name(reason))] = counts.failed[static_cast<std::size_t>(i)];
  }
  ordered_json j = ordered_json::object();
  j["offered"] = counts.offered;
  j["succeeded"] = counts.succeeded;
  j["failed"] = std::move(failed);
  j["in_flight"] = counts.in_flight();
  return j;
}

// Percentiles over every request that ended, failures slower than every
// success: null where the percentile falls among the failures, and all null
// when nothing ended.
ordered_json latency_all_ms(const sim::LatencyHistogram& successes, const models::RequestCounts& counts) {
  ordered_json j = ordered_json::object();
  const std::pair<const char*, double> quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
  for (const auto& [key, q] : quantiles) {
    const auto ns = counts.ended() == 0 ? std::nullopt : models::quantile_with_failures(successes, counts, q);
    j[key] = ns ? ordered_json(*ns / 1e6) : ordered_json();
  }
  return j;
}

// null when no replication lag is modelled.
ordered_json stale_reads(const std::optional<models::StaleReads>& stale) {
  if (!stale) return ordered_json();
  ordered_json j = ordered_json::object();
  j["count"] = stale->count;
  j["replica_reads"] = stale->replica_reads;
  return j;
}

}  // namespace

ordered_json run_result_json(const models::RunResult& result) {
  ordered_json j = ordered_json::object();
  j["scenario"] = result.scenario;
  j["seed"] = result.seed;
  j["replication"] = result.replication;
  j["duration_s"] = sim::to_seconds(result.duration);
  j["warmup_s"] = sim::to_seconds(result.warmup);
  j["requests"] = requests(result.totals);
  j["throughput_rps"] = result.throughput();
  j["availability"] = result.availability();
  j["latency_ms"] = latency_ms(result.latency);

  ordered_json classes = ordered_json::object();
  for (const auto& c : result.classes) {
    ordered_json cj = ordered_json::object();
    cj["requests"] = requests(c.counts);
    cj["availability"] = c.counts.availability();
    cj["throughput_rps"] = static_cast<double>(c.counts.succeeded) / result.measured_seconds();
    cj["latency_ms"] = latency_ms(c.latency);
    cj["stale_reads"] = stale_reads(c.stale_reads);
    cj["slo_attainment"] = c.counts.attainment();
    cj["goodput_rps"] = static_cast<double>(c.counts.good) / result.measured_seconds();
    cj["latency_all_ms"] = latency_all_ms(c.latency, c.counts);
    classes[c.name] = std::move(cj);
  }
  j["classes"] = std::move(classes);

  ordered_json tiers = ordered_json::object();
  for (const auto& t : result.tiers) {
    ordered_json tj = ordered_json::object();
    tj["kind"] = t.kind;
    tj["sojourn_ms"] = latency_ms(t.sojourn);
    tiers[t.name] = std::move(tj);
  }
  j["tiers"] = std::move(tiers);

  ordered_json nodes = ordered_json::object();
  for (const auto& n : result.nodes) {
    ordered_json nj = ordered_json::object();
    nj["tier"] = n.tier;
    nj["host"] = n.host;
    nj["cpu_utilization"] = n.cpu_utilization;
    nj["nic_utilization"] = n.nic_utilization;
    nj["disk_utilization"] = n.disk_utilization;
    nj["queue_mean"] = n.queue_mean;
    nodes[n.name] = std::move(nj);
  }
  j["nodes"] = std::move(nodes);

  ordered_json engine = ordered_json::object();
  engine["events"] = result.events;
  engine["wall_s"] = result.wall_seconds;
  j["engine"] = std::move(engine);

  // Added after the stable keys above.
  ordered_json resilience = ordered_json::object();
  resilience["attempts"] = result.attempts;
  resilience["retries"] = result.retries;
  resilience["amplification"] = result.amplification();
  j["resilience"] = std::move(resilience);

  const models::SloResult& slo = result.slo;
  ordered_json sj = ordered_json::object();
  sj["target"] = slo.target;
  sj["window_s"] = sim::to_seconds(slo.window);
  sj["windows"] = slo.windows;
  sj["time_availability"] = slo.time_availability();
  sj["downtime_min"] = sim::to_seconds(slo.downtime()) / 60.0;
  // Nines of time availability; null when no window was bad (unbounded).
  const double unavailable = 1.0 - slo.time_availability();
  sj["nines"] = unavailable > 0.0 ? ordered_json(-std::log10(unavailable)) : ordered_json(nullptr);
  // Share of the error budget (1 - target) that the failed requests used.
  const double budget = 1.0 - slo.target;
  sj["error_budget_consumed"] =
      budget > 0.0 ? ordered_json((1.0 - result.availability()) / budget) : ordered_json(nullptr);
  sj["latency_ms"] = slo.latency ? ordered_json(sim::to_milliseconds(*slo.latency)) : ordered_json();
  sj["attainment"] = result.attainment();
  j["slo"] = std::move(sj);

  ordered_json faults = ordered_json::array();
  for (const auto& f : slo.faults) {
    ordered_json fj = ordered_json::object();
    fj["fault"] = f.fault;
    fj["start_s"] = sim::to_seconds(f.start);
    fj["detect_s"] = f.detected ? ordered_json(sim::to_seconds(*f.detected - f.start)) : ordered_json(nullptr);
    fj["recover_s"] = f.recovered ? ordered_json(sim::to_seconds(*f.recovered - f.start)) : ordered_json(nullptr);
    fj["failed"] = f.failed;
    faults.push_back(std::move(fj));
  }
  j["faults"] = std::move(faults);
  j["stale_reads"] = stale_reads(result.stale_reads);
  j["goodput_rps"] = result.goodput();
  j["latency_all_ms"] = latency_all_ms(result.latency, result.totals);
  return j;
}

}  // namespace report
