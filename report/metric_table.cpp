#include "report/metric_table.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "models/request.hpp"

namespace report {

namespace {

using nlohmann::ordered_json;
using models::RunResult;

MetricValue ms_if_measured(const sim::LatencyHistogram& h, double nanoseconds) {
  if (h.count() == 0) return {};
  return {nanoseconds / 1e6};
}

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
  j["min"] = ms(static_cast<double>(h.min()));
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

}  // namespace

MetricValue all_finished(const sim::LatencyHistogram& successes, const models::RequestCounts& counts, double q) {
  if (counts.ended() == 0) return {};
  const auto ns = models::quantile_with_failures(successes, counts, q);
  if (!ns) return {std::nullopt, true};
  return {*ns / 1e6};
}

namespace {

ordered_json number(const MetricValue& v) { return v.value ? ordered_json(*v.value) : ordered_json(); }

ordered_json latency_all_ms(const sim::LatencyHistogram& successes, const models::RequestCounts& counts) {
  ordered_json j = ordered_json::object();
  const std::pair<const char*, double> quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
  for (const auto& [key, q] : quantiles) j[key] = number(all_finished(successes, counts, q));
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

ordered_json classes(const RunResult& result) {
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
  return classes;
}

ordered_json tiers(const RunResult& result) {
  ordered_json tiers = ordered_json::object();
  for (const auto& t : result.tiers) {
    ordered_json tj = ordered_json::object();
    tj["kind"] = t.kind;
    tj["sojourn_ms"] = latency_ms(t.sojourn);
    tiers[t.name] = std::move(tj);
  }
  return tiers;
}

ordered_json nodes(const RunResult& result) {
  ordered_json nodes = ordered_json::object();
  for (const auto& n : result.nodes) {
    ordered_json nj = ordered_json::object();
    for (const NodeField& f : node_fields()) nj[std::string(f.key)] = f.metric ? ordered_json(f.metric(n)) : f.json(n);
    nodes[n.name] = std::move(nj);
  }
  return nodes;
}

ordered_json faults(const RunResult& result) {
  ordered_json faults = ordered_json::array();
  for (const auto& f : result.slo.faults) {
    ordered_json fj = ordered_json::object();
    fj["fault"] = f.fault;
    fj["start_s"] = sim::to_seconds(f.start);
    fj["detect_s"] = f.detected ? ordered_json(sim::to_seconds(*f.detected - f.start)) : ordered_json(nullptr);
    fj["recover_s"] = f.recovered ? ordered_json(sim::to_seconds(*f.recovered - f.start)) : ordered_json(nullptr);
    fj["failed"] = f.failed;
    faults.push_back(std::move(fj));
  }
  return faults;
}

// The successes' latency in ms at quantile q (the mean when q is negative).
template <int kPerMille>
MetricValue latency(const RunResult& r) {
  const auto& h = r.latency;
  if constexpr (kPerMille < 0) {
    return ms_if_measured(h, h.mean());
  } else {
    return ms_if_measured(h, h.quantile(kPerMille / 1000.0));
  }
}

template <int kPerMille>
MetricValue latency_all(const RunResult& r) {
  return all_finished(r.latency, r.totals, kPerMille / 1000.0);
}

using U = Unit;

// The run's JSON, key by key in its order (docs/output.md): keys are only
// ever appended, so that scripts reading it keep working.
const RunField kRunFields[] = {
    {"scenario", nullptr, [](const RunResult& r) { return ordered_json(r.scenario); }, {}, {}, Across::kSame},
    {"seed", nullptr, [](const RunResult& r) { return ordered_json(r.seed); }, {}, {}, Across::kSame},
    {"replication", nullptr, [](const RunResult& r) { return ordered_json(r.replication); }, {}, {},
     Across::kReplications},
    {"duration_s", [](const RunResult& r) { return MetricValue{sim::to_seconds(r.duration)}; }, nullptr, {}, {},
     Across::kSame},
    {"warmup_s", [](const RunResult& r) { return MetricValue{sim::to_seconds(r.warmup)}; }, nullptr, {}, {},
     Across::kSame},
    {"requests", nullptr, [](const RunResult& r) { return requests(r.totals); }},
    {"throughput_rps", [](const RunResult& r) { return MetricValue{r.throughput()}; }, nullptr,
     {"throughput (req/s)", U::kPerSecond, 10}},
    {"availability", [](const RunResult& r) { return MetricValue{r.availability()}; }, nullptr,
     {"availability", U::kAvailability, 11}},
    {"latency_ms.mean", latency<-1>, nullptr, {"latency mean (ms)", U::kMilliseconds, 1}, "mean"},
    {"latency_ms.p50", latency<500>, nullptr, {"latency p50 (ms)", U::kPercentileMilliseconds, 2}, "p50"},
    {"latency_ms.p90", latency<900>, nullptr, {"latency p90 (ms)", U::kPercentileMilliseconds, 3}, "p90"},
    {"latency_ms.p99", latency<990>, nullptr, {"latency p99 (ms)", U::kPercentileMilliseconds, 4}, "p99"},
    {"latency_ms.p999", latency<999>, nullptr, {"latency p99.9 (ms)", U::kPercentileMilliseconds, 5}, "p99.9"},
    {"latency_ms.max", [](const RunResult& r) { return ms_if_measured(r.latency, static_cast<double>(r.latency.max())); },
     nullptr, {{}, U::kMilliseconds}, "max"},
    {"latency_ms.min", [](const RunResult& r) { return ms_if_measured(r.latency, static_cast<double>(r.latency.min())); }},
    {"classes", nullptr, classes},
    {"tiers", nullptr, tiers},
    {"nodes", nullptr, nodes},
    {"engine", nullptr,
     [](const RunResult& r) {
       ordered_json engine = ordered_json::object();
       engine["events"] = r.events;
       engine["wall_s"] = r.wall_seconds;
       return engine;
     },
     {}, {}, Across::kEngine},
    {"resilience.attempts", nullptr, [](const RunResult& r) { return ordered_json(r.attempts); }},
    {"resilience.retries", nullptr, [](const RunResult& r) { return ordered_json(r.retries); }},
    {"resilience.amplification", [](const RunResult& r) { return MetricValue{r.amplification()}; }},
    {"slo.target", [](const RunResult& r) { return MetricValue{r.slo.target}; }},
    {"slo.window_s", [](const RunResult& r) { return MetricValue{sim::to_seconds(r.slo.window)}; }},
    {"slo.windows", nullptr, [](const RunResult& r) { return ordered_json(r.slo.windows); }},
    {"slo.time_availability", [](const RunResult& r) { return MetricValue{r.slo.time_availability()}; }, nullptr,
     {"time availability", U::kAvailability, 14}},
    {"slo.downtime_min", [](const RunResult& r) { return MetricValue{sim::to_seconds(r.slo.downtime()) / 60.0}; }},
    // Nines of time availability; null when no window was bad (unbounded).
    {"slo.nines",
     [](const RunResult& r) {
       const double unavailable = 1.0 - r.slo.time_availability();
       return unavailable > 0.0 ? MetricValue{-std::log10(unavailable)} : MetricValue{};
     }},
    // Share of the error budget (1 - target) that the failed requests used.
    {"slo.error_budget_consumed",
     [](const RunResult& r) {
       const double budget = 1.0 - r.slo.target;
       return budget > 0.0 ? MetricValue{(1.0 - r.availability()) / budget} : MetricValue{};
     }},
    {"slo.latency_ms",
     [](const RunResult& r) {
       return r.slo.latency ? MetricValue{sim::to_milliseconds(*r.slo.latency)} : MetricValue{};
     }},
    {"slo.attainment", [](const RunResult& r) { return MetricValue{r.attainment()}; }, nullptr,
     {"SLO attainment", U::kAvailability, 12, true}},
    {"faults", nullptr, faults},
    {"stale_reads", nullptr, [](const RunResult& r) { return stale_reads(r.stale_reads); }},
    {"goodput_rps", [](const RunResult& r) { return MetricValue{r.goodput()}; }, nullptr,
     {"goodput (req/s)", U::kPerSecond, 13, true}},
    {"latency_all_ms.p50", latency_all<500>, nullptr, {"all finished p50 (ms)", U::kPercentileMilliseconds, 6}, "p50"},
    {"latency_all_ms.p90", latency_all<900>, nullptr, {"all finished p90 (ms)", U::kPercentileMilliseconds, 7}, "p90"},
    {"latency_all_ms.p99", latency_all<990>, nullptr, {"all finished p99 (ms)", U::kPercentileMilliseconds, 8}, "p99"},
    {"latency_all_ms.p999", latency_all<999>, nullptr, {"all finished p99.9 (ms)", U::kPercentileMilliseconds, 9},
     "p99.9"},
    // Percentiles come from a histogram: each is within this fraction of the
    // exact sample percentile.
    {"latency_resolution", [](const RunResult&) { return MetricValue{sim::LatencyHistogram::kRelativeResolution}; },
     nullptr, {}, {}, Across::kSame},
};

const NodeField kNodeFields[] = {
    {"tier", nullptr, [](const models::NodeResult& n) { return ordered_json(n.tier); }},
    {"host", nullptr, [](const models::NodeResult& n) { return ordered_json(n.host); }},
    {"cpu_utilization", [](const models::NodeResult& n) { return n.cpu_utilization; }, nullptr, "CPU", U::kUtilization,
     "CPU %"},
    {"nic_utilization", [](const models::NodeResult& n) { return n.nic_utilization; }, nullptr, "NIC", U::kUtilization,
     "NIC %"},
    {"disk_utilization", [](const models::NodeResult& n) { return n.disk_utilization; }, nullptr, "disk", U::kUtilization,
     "disk %"},
    {"queue_mean", [](const models::NodeResult& n) { return n.queue_mean; }, nullptr, {}, U::kNumber, "mean queue"},
};

}  // namespace

std::span<const RunField> run_fields() { return kRunFields; }
std::span<const NodeField> node_fields() { return kNodeFields; }

Across across_of(std::string_view key) {
  for (const RunField& f : kRunFields) {
    const std::string_view top = f.path.substr(0, f.path.find('.'));
    if (top == key) return f.across;
  }
  return Across::kEstimate;
}

}  // namespace report
