#include "analysis/analysis_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace analysis {

AnalysisResult analyze(const models::ScenarioConfig& config, const AnalysisOptions& options) {
  AnalysisResult r;
  r.model = build_model(config);
  r.queueing = queueing_analysis(r.model, options.mva);
  // Closed workloads settle at the MVA throughput; open ones at their rate.
  r.operational = operational_analysis(r.model, r.queueing.throughput);
  if (!options.availability.empty()) {
    r.availability = series_availability(options.availability);
    return r;
  }
  r.availability_model = availability_model(config, r.operational);
  if (r.availability_model.groups.empty()) return r;
  r.availability = series_availability(r.availability_model.headline());
  if (r.availability_model.capacity_matters()) {
    r.availability_without_load = series_availability(r.availability_model.redundancy_only());
  }
  return r;
}

namespace {

// Columns sized to their widest cell; the first column left-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void render_to(std::string& out) const {
    std::vector<std::size_t> widths(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    for (const auto& row : rows_) {
      std::string line;
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (c > 0) line += "  ";
        line += c == 0 ? fmt::format("{:<{}}", row[c], widths[c]) : fmt::format("{:>{}}", row[c], widths[c]);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line;
      out += '\n';
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string ms(double seconds) {
  if (!std::isfinite(seconds)) return "inf";
  return fmt::format("{:.3f}", seconds * 1e3);
}
std::string percent(double fraction) {
  if (!std::isfinite(fraction)) return "inf";
  return fmt::format("{:.1f}%", fraction * 100.0);
}
std::string rate(double per_second) {
  if (!std::isfinite(per_second)) return "-";
  return fmt::format("{:.1f}/s", per_second);
}
std::string duration(double seconds) {
  if (seconds < 60.0) return fmt::format("{:.1f} s", seconds);
  if (seconds < 3600.0) return fmt::format("{:.1f} min", seconds / 60.0);
  return fmt::format("{:.1f} h", seconds / 3600.0);
}
std::string discipline_name(Discipline d) {
  switch (d) {
    case Discipline::kFcfs:
      return "fcfs";
    case Discipline::kProcessorSharing:
      return "ps";
    case Discipline::kDelay:
      return "delay";
  }
  return "?";
}
std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

nlohmann::ordered_json number(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); }
nlohmann::ordered_json millis(double seconds) { return number(seconds * 1e3); }

std::string span(sim::Time t) { return sim::format_duration(t); }

// A group's modes seen as one: the summed failure rate, and the repair time
// and gap weighted by rate.
struct Combined {
  sim::Time mttf = 0, mttr = 0, gap = 0;
};
Combined combined(const RedundancyGroup& g) {
  double rate = 0.0, repair = 0.0, gap = 0.0;
  for (const FailureMode& m : g.modes) {
    const double r = 1.0 / sim::to_seconds(m.mttf);
    rate += r;
    repair += r * sim::to_seconds(m.mttr);
    gap += r * sim::to_seconds(m.failover_gap);
  }
  if (rate == 0.0) return {};
  return {sim::to_time_unbounded(1e9 / rate), sim::to_time(1e9 * repair / rate), sim::to_time(1e9 * gap / rate)};
}

// The derived group behind result group i, if the scenario's faults gave them.
const PathGroup* derived(const AnalysisResult& result, std::size_t i) {
  const auto& groups = result.availability_model.groups;
  return i < groups.size() ? &groups[i] : nullptr;
}

void render_availability(const AnalysisResult& result, std::string& out) {
  const AvailabilityModel& model = result.availability_model;
  if (!result.availability) {
    if (model.ignored.empty()) return;
    out += "\nAvailability: no stochastic crash, kill or stop faults\n";
    for (const auto& i : model.ignored) out += "  ignored: " + i + "\n";
    return;
  }
  const PathAvailability& a = *result.availability;
  out += "\nAvailability (time up; groups in series; k: units needed, k load: for the load alone)\n";
  Table groups({"group", "n", "k", "k load", "MTTF", "MTTR", "gap", "availability", "nines", "downtime/year",
                "failures/year", "outages/year"});
  for (std::size_t i = 0; i < a.groups.size(); ++i) {
    const GroupAvailability& g = a.groups[i];
    const PathGroup* d = derived(result, i);
    const Combined c = combined(g.group);
    const std::string k_load = d != nullptr && d->needed_for_capacity ? std::to_string(*d->needed_for_capacity) : "-";
    groups.add({g.name + (g.exact ? "" : " ~"), std::to_string(g.group.nodes), std::to_string(g.group.needed), k_load,
                span(c.mttf), span(c.mttr), span(c.gap), fmt::format("{:.9f}", g.availability),
                fmt::format("{:.2f}", g.nines), duration(g.downtime_per_year), fmt::format("{:.2f}", g.failures_per_year),
                fmt::format("{:.4f}", g.outages_per_year)});
    if (g.group.modes.size() < 2) continue;
    for (const FailureMode& mode : g.group.modes) {
      groups.add({"  " + mode.name, "", "", "", span(mode.mttf), span(mode.mttr), span(mode.failover_gap), "", "", "",
                  "", ""});
    }
  }
  groups.add({std::string("path") + (a.exact ? "" : " ~"), "", "", "", "", "", "", fmt::format("{:.9f}", a.availability),
              fmt::format("{:.2f}", a.nines), duration(a.downtime_per_year), "", ""});
  if (result.availability_without_load) {
    const PathAvailability& w = *result.availability_without_load;
    groups.add({"path, load ignored", "", "", "", "", "", "", fmt::format("{:.9f}", w.availability),
                fmt::format("{:.2f}", w.nines), duration(w.downtime_per_year), "", ""});
  }
  groups.render_to(out);
  if (!a.exact) out += "~ approximate: non-exponential times in a chain that assumes them (see the notes)\n";
  if (!model.groups.empty()) {
    out += "Why\n";
    for (const PathGroup& g : model.groups) {
      out += fmt::format("  {} ({}): {}\n", g.group.name, fmt::join(g.units, ", "), g.why);
    }
  }
  for (const auto& i : model.ignored) out += "  ignored: " + i + "\n";
}

nlohmann::ordered_json availability_json(const AnalysisResult& result) {
  using Json = nlohmann::ordered_json;
  const PathAvailability& a = *result.availability;
  const auto path = [](const PathAvailability& p) {
    return Json{{"availability", p.availability}, {"nines", number(p.nines)}, {"downtime_per_year_s", p.downtime_per_year}};
  };
  Json groups = Json::array();
  for (std::size_t i = 0; i < a.groups.size(); ++i) {
    const GroupAvailability& g = a.groups[i];
    const PathGroup* d = derived(result, i);
    const Combined c = combined(g.group);
    Json modes = Json::array();
    for (const FailureMode& m : g.group.modes) {
      modes.push_back(Json{{"name", m.name},
                           {"mttf_s", sim::to_seconds(m.mttf)},
                           {"mttr_s", sim::to_seconds(m.mttr)},
                           {"repair_crews", m.repair_crews > 0 ? Json(m.repair_crews) : Json()},
                           {"gap_s", sim::to_seconds(m.failover_gap)},
                           {"exponential_failures", m.exponential_failures},
                           {"exponential_repairs", m.exponential_repairs}});
    }
    groups.push_back(Json{{"name", g.name},
                          {"units", d != nullptr ? Json(d->units) : Json::array()},
                          {"n", g.group.nodes},
                          {"k", g.group.needed},
                          {"k_redundancy", d != nullptr ? d->needed_for_redundancy : g.group.needed},
                          {"k_capacity", d != nullptr && d->needed_for_capacity ? Json(*d->needed_for_capacity) : Json()},
                          {"mttf_s", sim::to_seconds(c.mttf)},
                          {"mttr_s", sim::to_seconds(c.mttr)},
                          {"gap_s", sim::to_seconds(c.gap)},
                          {"modes", modes},
                          {"availability", g.availability},
                          {"nines", number(g.nines)},
                          {"downtime_per_year_s", g.downtime_per_year},
                          {"gap_downtime_per_year_s", g.gap_unavailability * kSecondsPerYear},
                          {"node_failures_per_year", g.failures_per_year},
                          {"outages_per_year", g.outages_per_year},
                          {"exact", g.exact},
                          {"why", d != nullptr ? Json(d->why) : Json()}});
  }
  Json j{{"groups", groups}};
  j.update(path(a));
  j["exact"] = a.exact;
  j["load_ignored"] = result.availability_without_load ? path(*result.availability_without_load) : Json();
  j["ignored_faults"] = result.availability_model.ignored;
  j["notes"] = result.availability_model.notes;
  return j;
}

}  // namespace

Knee find_knee(const AnalysisResult& result, double p, double limit, const AnalysisOptions& options) {
  Knee knee{p, limit, std::nullopt, result.operational.saturation_rate, 0.0};
  StackModel model = result.model;
  const auto quantile_at = [&](double rate) {
    model.workload.rate = rate;
    const QueueingAnalysis q = queueing_analysis(model, options.mva);
    return response_quantile(q, model.shares, -1, p);
  };
  // Below the saturation rate by a relative hair, where the quantile is finite but huge.
  double lo = 0.0, hi = knee.saturation_rate * (1.0 - 1e-9);
  if (!std::isfinite(hi)) hi = 1e12;
  const double unloaded = quantile_at(hi * 1e-9);
  if (!(unloaded <= limit)) return knee;
  if (quantile_at(hi) <= limit) {
    knee.rate = hi;
    knee.quantile_at_rate = quantile_at(hi);
    return knee;
  }
  // 60 halvings resolve the rate to far below a request per second.
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2.0;
    (quantile_at(mid) <= limit ? lo : hi) = mid;
  }
  knee.rate = lo;
  knee.quantile_at_rate = quantile_at(lo);
  return knee;
}

std::string format_knee(const Knee& k) {
  const std::string what = fmt::format("p{:g} <= {:g} ms", 100.0 * k.p, 1e3 * k.limit);
  if (!k.rate) return fmt::format("knee: {} is missed even at no load\n", what);
  return fmt::format("knee: {} up to {:.1f} requests/s (p{:g} there {:.3f} ms; saturation at {:.1f} requests/s)\n",
                     what, *k.rate, 100.0 * k.p, 1e3 * k.quantile_at_rate, k.saturation_rate);
}

nlohmann::ordered_json knee_json(const Knee& k) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["percentile"] = k.p;
  j["limit_ms"] = 1e3 * k.limit;
  j["rate_per_s"] = k.rate ? nlohmann::ordered_json(*k.rate) : nlohmann::ordered_json();
  j["quantile_ms"] = k.rate ? nlohmann::ordered_json(1e3 * k.quantile_at_rate) : nlohmann::ordered_json();
  j["saturation_rate_per_s"] = std::isfinite(k.saturation_rate) ? nlohmann::ordered_json(k.saturation_rate)
                                                                 : nlohmann::ordered_json();
  return j;
}

std::string format_table(const AnalysisResult& result) {
  const StackModel& m = result.model;
  const OperationalAnalysis& op = result.operational;
  const QueueingAnalysis& q = result.queueing;
  std::string out;
  out += fmt::format("Analysis of {} ({} workload: {})\n", m.scenario, m.workload.closed ? "closed" : "open",
                     m.workload.load_note);
  std::string mix;
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    mix += fmt::format("{}{} {}", c > 0 ? ", " : "", m.classes[c], percent(m.shares[c]));
  }
  out += "Classes: " + mix + "\n\n";

  out += fmt::format("Resources at {} (demand per request in ms; pools: slot-ms held, unloaded)\n", rate(op.throughput));
  std::vector<std::string> headers{"resource", "kind", "capacity"};
  for (const auto& c : m.classes) headers.push_back(c);
  for (const char* h : {"all", "util", "saturates at"}) headers.emplace_back(h);
  Table resources(headers);
  for (const Resource& r : op.resources) {
    if (r.demand_total == 0.0 && r.utilization == 0.0) continue;  // unused: noise
    std::vector<std::string> row{r.name, std::string(resource_kind_name(r.kind)), fmt::format("{:g}", r.capacity)};
    for (double d : r.demand) row.push_back(ms(d));
    row.push_back(ms(r.demand_total));
    row.push_back(percent(r.utilization));
    row.push_back(rate(r.saturation_rate));
    resources.add(std::move(row));
  }
  resources.render_to(out);
  if (op.bottleneck >= 0) {
    const Resource& b = op.resources[static_cast<std::size_t>(op.bottleneck)];
    out += fmt::format("Bottleneck: {} saturates at {}", b.name, rate(op.saturation_rate));
    if (op.throughput > 0.0) out += fmt::format(" ({:.2f}x the load analysed)", op.saturation_rate / op.throughput);
    out += "\n";
  }
  if (m.workload.closed) {
    out += fmt::format("Saturation population N* = (D + Z) / D_max = {:.1f} users\n", op.saturation_users);
  }
  for (const auto& note : op.notes) out += "  " + note + "\n";

  out += fmt::format("\nMean response time, ms ({})\n", q.method);
  if (!q.stable) {
    out += "  no steady state: the load exceeds a resource's capacity\n";
  } else {
    // The overlap column only when some class fans out.
    const bool fan_out = q.total.overlap > 0.0;
    std::vector<std::string> header{"class", "response", "unloaded", "cpu", "disk", "network", "pool waits"};
    if (fan_out) header.push_back("- overlap");
    for (const char* p : {"p50", "p90", "p99"}) header.push_back(p);
    Table responses(header);
    const auto add = [&](const ClassResponse& r, double unloaded, int c) {
      const auto quantile = [&](double p) { return ms(response_quantile(q, result.model.shares, c, p)); };
      std::vector<std::string> row{r.name, ms(r.response), ms(unloaded), ms(r.cpu), ms(r.disk), ms(r.network),
                                   ms(r.pools)};
      if (fan_out) row.push_back(ms(r.overlap));
      for (double p : {0.5, 0.9, 0.99}) row.push_back(quantile(p));
      responses.add(row);
    };
    for (std::size_t c = 0; c < q.classes.size(); ++c) add(q.classes[c], op.unloaded_response[c], static_cast<int>(c));
    add(q.total, op.unloaded_response_total, -1);
    responses.render_to(out);
    out += "(percentiles: exact for an M/M/c path, else a gamma fit on the mean and variance; docs/analysis.md)\n";
    out += fmt::format("Throughput {}\n", rate(q.throughput));
    out += "\nTier visits (admission wait included)\n";
    Table tiers({"tier", "kind", "visits/request", "mean ms"});
    for (const TierVisit& t : q.tiers) {
      tiers.add({t.name, t.kind, fmt::format("{:.3f}", t.visits), ms(t.visit_time)});
    }
    tiers.render_to(out);
  }

  out += "\nStations\n";
  Table stations({"station", "sched", "servers", "util", "cs2", "wait ms", "stretch", "ms/request", "flags"});
  for (const StationResult& s : q.stations) {
    if (s.utilization == 0.0) continue;
    stations.add({s.name, discipline_name(s.discipline), std::to_string(s.servers), percent(s.utilization),
                  fmt::format("{:.2f}", s.scv), ms(s.response.wait), fmt::format("{:.3f}", s.response.stretch),
                  ms(s.residence), join(s.flags)});
  }
  stations.render_to(out);

  if (!q.pools.empty()) {
    out += "\nSoftware pools\n";
    Table pools({"pool", "slots", "full", "rate", "holding ms", "util", "wait ms", "blocked", "flags"});
    for (const PoolResult& p : q.pools) {
      if (p.rate == 0.0) continue;  // a passive balancer's pools
      pools.add({p.name, std::to_string(p.capacity), p.loss ? "rejects" : "queues", rate(p.rate), ms(p.holding),
                 percent(p.utilization), p.loss ? "-" : ms(p.wait), p.loss ? percent(p.blocking) : "-", join(p.flags)});
    }
    pools.render_to(out);
  }

  render_availability(result, out);

  std::vector<std::string> notes = m.notes;
  notes.insert(notes.end(), q.notes.begin(), q.notes.end());
  if (result.availability) {
    notes.insert(notes.end(), result.availability_model.notes.begin(), result.availability_model.notes.end());
  }
  if (!notes.empty()) {
    out += "\nNotes\n";
    for (const auto& n : notes) out += "  - " + n + "\n";
  }
  return out;
}

nlohmann::ordered_json to_json(const AnalysisResult& result) {
  using Json = nlohmann::ordered_json;
  const StackModel& m = result.model;
  const OperationalAnalysis& op = result.operational;
  const QueueingAnalysis& q = result.queueing;
  Json j;
  j["scenario"] = m.scenario;
  Json workload;
  workload["type"] = m.workload.closed ? "closed" : "open";
  workload["load"] = m.workload.load_note;
  if (m.workload.closed) {
    workload["users"] = m.workload.users;
    workload["think_ms"] = millis(m.workload.think);
  } else {
    workload["rate_per_s"] = number(m.workload.rate);
  }
  j["workload"] = workload;
  j["classes"] = Json::array();
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    j["classes"].push_back(Json{{"name", m.classes[c]}, {"share", m.shares[c]}});
  }

  Json operational;
  operational["throughput_per_s"] = number(op.throughput);
  operational["resources"] = Json::array();
  for (const Resource& r : op.resources) {
    Json demand;
    for (std::size_t c = 0; c < m.classes.size(); ++c) demand[m.classes[c]] = millis(r.demand[c]);
    operational["resources"].push_back(Json{{"name", r.name},
                                            {"kind", resource_kind_name(r.kind)},
                                            {"host", r.host},
                                            {"node", r.node},
                                            {"capacity", r.capacity},
                                            {"demand_ms", demand},
                                            {"demand_total_ms", millis(r.demand_total)},
                                            {"utilization", number(r.utilization)},
                                            {"saturation_rate_per_s", number(r.saturation_rate)}});
  }
  operational["bottleneck"] =
      op.bottleneck >= 0 ? Json(op.resources[static_cast<std::size_t>(op.bottleneck)].name) : Json();
  operational["saturation_rate_per_s"] = number(op.saturation_rate);
  if (m.workload.closed) operational["saturation_users"] = number(op.saturation_users);
  Json unloaded;
  for (std::size_t c = 0; c < m.classes.size(); ++c) unloaded[m.classes[c]] = millis(op.unloaded_response[c]);
  unloaded["all"] = millis(op.unloaded_response_total);
  operational["unloaded_response_ms"] = unloaded;
  operational["notes"] = op.notes;
  j["operational"] = operational;

  Json queueing;
  queueing["method"] = q.method;
  queueing["stable"] = q.stable;
  queueing["throughput_per_s"] = number(q.throughput);
  Json responses = Json::object();
  const auto response = [&](const ClassResponse& r, int c) {
    const auto quantile = [&](double p) { return millis(response_quantile(q, result.model.shares, c, p)); };
    return Json{{"response_ms", millis(r.response)}, {"cpu_ms", millis(r.cpu)},         {"disk_ms", millis(r.disk)},
                {"network_ms", millis(r.network)},   {"pool_waits_ms", millis(r.pools)},
                {"fanout_overlap_ms", millis(r.overlap)}, {"p50_ms", quantile(0.5)},
                {"p90_ms", quantile(0.9)},           {"p99_ms", quantile(0.99)}};
  };
  for (std::size_t c = 0; c < q.classes.size(); ++c) responses[q.classes[c].name] = response(q.classes[c], static_cast<int>(c));
  if (q.stable) responses["all"] = response(q.total, -1);
  queueing["classes"] = responses;
  queueing["tiers"] = Json::array();
  for (const TierVisit& t : q.tiers) {
    queueing["tiers"].push_back(
        Json{{"name", t.name}, {"kind", t.kind}, {"visits", t.visits}, {"visit_ms", millis(t.visit_time)}});
  }
  queueing["stations"] = Json::array();
  for (const StationResult& s : q.stations) {
    queueing["stations"].push_back(Json{{"name", s.name},
                                        {"scheduling", discipline_name(s.discipline)},
                                        {"servers", s.servers},
                                        {"utilization", number(s.utilization)},
                                        {"service_scv", number(s.scv)},
                                        {"wait_ms", millis(s.response.wait)},
                                        {"stretch", number(s.response.stretch)},
                                        {"residence_ms", millis(s.residence)},
                                        {"flags", s.flags}});
  }
  queueing["pools"] = Json::array();
  for (const PoolResult& p : q.pools) {
    queueing["pools"].push_back(Json{{"name", p.name},
                                     {"capacity", p.capacity},
                                     {"when_full", p.loss ? "rejects" : "queues"},
                                     {"rate_per_s", number(p.rate)},
                                     {"holding_ms", millis(p.holding)},
                                     {"utilization", number(p.utilization)},
                                     {"wait_ms", millis(p.wait)},
                                     {"blocking", number(p.blocking)},
                                     {"flags", p.flags}});
  }
  queueing["notes"] = q.notes;
  j["queueing"] = queueing;

  j["availability"] = result.availability ? availability_json(result) : nullptr;
  j["notes"] = m.notes;
  return j;
}

}  // namespace analysis
