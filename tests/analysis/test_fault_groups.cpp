// The availability model of whole scenarios: redundancy groups derived from
// their stochastic faults (analysis/fault_groups.hpp), against what the
// scenario files say, closed forms, and one simulated run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "analysis/analysis_report.hpp"
#include "loader/scenario_loader.hpp"
#include "models/run.hpp"

namespace {

using analysis::AnalysisResult;
using analysis::FailureMode;
using analysis::PathGroup;

constexpr double kDay = 86400.0;
constexpr double kHour = 3600.0;

AnalysisResult analyze_file(const std::string& name) {
  return analysis::analyze(
      loader::load_scenario_file(std::filesystem::path(TIERSIM_SOURCE_ROOT) / "scenarios" / "drills" / name));
}

AnalysisResult analyze_text(const std::string& yaml) {
  return analysis::analyze(loader::load_scenario_text(yaml, "test.yaml", ".", {}));
}

const PathGroup& group(const AnalysisResult& r, const std::string& name) {
  for (const PathGroup& g : r.availability_model.groups) {
    if (g.group.name == name) return g;
  }
  throw std::runtime_error("no group " + name);
}

std::vector<std::string> names(const AnalysisResult& r) {
  std::vector<std::string> n;
  for (const PathGroup& g : r.availability_model.groups) n.push_back(g.group.name);
  return n;
}

double seconds(sim::Time t) { return sim::to_seconds(t); }

// The year files: host crashes exp(180d) with lognormal(4h) repairs, and
// process crashes exp(30d) with exp(2m) restarts, on every node.
void expect_year_modes(const PathGroup& g, double host_gap, double kill_gap, double host_share = 1.0) {
  SCOPED_TRACE(g.group.name);
  ASSERT_EQ(g.group.modes.size(), 2u);
  const FailureMode& host = g.group.modes[0];
  const FailureMode& kill = g.group.modes[1];
  EXPECT_EQ(host.name, "host crash (faults.0)");
  EXPECT_NEAR(seconds(host.mttf), 180 * kDay / host_share, 1e-3);
  EXPECT_NEAR(seconds(host.mttr), 4 * kHour, 1e-3);
  EXPECT_FALSE(host.exponential_repairs);
  EXPECT_EQ(kill.name, "process crash (faults.1)");
  EXPECT_NEAR(seconds(kill.mttf), 30 * kDay, 1e-3);
  EXPECT_NEAR(seconds(kill.mttr), 120.0, 1e-6);
  EXPECT_NEAR(seconds(host.failover_gap), host_gap, 1e-6);
  EXPECT_NEAR(seconds(kill.failover_gap), kill_gap, 1e-6);
}

// Stage 3: every tier on hosts of its own.
//  - lb: VRRP pair, 1 of 2. Only the master's failure costs: lb2 (priority
//    100) takes over after 3 x 1 s + 156/256 s + ARP 0.1 s, and lb1 preempts
//    at its repair (ARP 0.1 s more); half the failures are the master's. A
//    killed HAProxy: track_script 1 s + 156/256 s instead of 3 x advert.
//  - web: HAProxy's default checks, each starting inter after the previous
//    one ended: half a check cycle (inter + a round trip of 0.2 ms), then 3
//    checks of inter (2 s) for a silent host with 2 gaps of inter = 11 s;
//    refused: the same with 3 checks of one round trip, about 5 s.
//  - app: a killed app is refused and nginx moves on (no gap); a crashed
//    host is never marked down, because HAProxy's timeout server (30 s)
//    cancels nginx's call before its 60 s connect timeout: each app node is
//    needed against host crashes.
//  - db: the primary's failure costs detection 10 s + promotion 20 s (half
//    the failures, the roles moving with failover); reads go to the only
//    replica, and once ProxySQL shuns it no reader is left: it is needed.
TEST(FaultGroups, ScaleUpYear) {
  const auto r = analyze_file("3-scale-up-year.yaml");
  ASSERT_TRUE(r.availability);
  EXPECT_EQ(names(r), (std::vector<std::string>{"lb", "web", "app", "app nodes (each needed)", "db",
                                                "db replicas (each needed)"}));
  for (const char* name : {"lb", "web", "app", "db"}) {
    const PathGroup& g = group(r, name);
    EXPECT_EQ(g.group.nodes, 2) << name;
    EXPECT_EQ(g.group.needed, 1) << name;
    EXPECT_EQ(g.needed_for_capacity, 1) << name;  // 5 requests/s: one node carries the load
  }
  const double master_down = 3.0 + 156.0 / 256.0;
  expect_year_modes(group(r, "lb"), (master_down + 0.1 + 0.1) / 2, (1.0 + 156.0 / 256.0 + 0.1 + 0.1) / 2);
  const double half_cycle = (2.0 + 200e-6) / 2;
  expect_year_modes(group(r, "web"), half_cycle + 3 * 2.0 + 2 * 2.0, half_cycle + 3 * 200e-6 + 2 * 2.0);
  expect_year_modes(group(r, "app"), 0.0, 0.0);
  expect_year_modes(group(r, "db"), 30.0 / 2, 30.0 / 2);
  const PathGroup& app = group(r, "app nodes (each needed)");
  EXPECT_EQ(app.units, (std::vector<std::string>{"app1", "app2"}));
  EXPECT_EQ(app.group.needed, 2);
  ASSERT_EQ(app.group.modes.size(), 1u);
  EXPECT_NEAR(seconds(app.group.modes[0].mttf), 180 * kDay, 1e-3);
  EXPECT_NE(app.why.find("timeout server"), std::string::npos) << app.why;
  const PathGroup& replicas = group(r, "db replicas (each needed)");
  EXPECT_EQ(replicas.units, (std::vector<std::string>{"db2"}));
  EXPECT_EQ(replicas.group.needed, 1);
  expect_year_modes(replicas, 0.0, 0.0);
  // The two needed groups dominate: U ~ 2 x 4 h / 180 d + (4 h / 180 d + 2 m / 30 d).
  const double rho_host = 4.0 / (180 * 24), rho_kill = 2.0 / (30 * 24 * 60);
  EXPECT_NEAR(r.availability->unavailability, 3 * rho_host + rho_kill, 0.05 * (3 * rho_host + rho_kill));
  EXPECT_TRUE(r.availability_model.ignored.empty());
}

AnalysisResult analyze_year(const std::vector<std::string>& sets) {
  std::vector<loader::Override> overrides;
  for (const auto& s : sets) overrides.push_back(loader::parse_override(s));
  return analysis::analyze(loader::load_scenario_file(
      std::filesystem::path(TIERSIM_SOURCE_ROOT) / "scenarios" / "drills" / "3-scale-up-year.yaml", overrides));
}

// Reads through ProxySQL: a dead replica costs the monitor's detection,
// 8 s / 2 + 2 x 8 s + the failed ping (1 s timeout, or a 0.2 ms refusal),
// while another reader is left. The primary and replica roles move with
// failover, so a db unit holds the primary a third of the time (30 s gap)
// and a replica two thirds.
TEST(FaultGroups, RouterMakesADeadReplicaADetectionGap) {
  const double shun_silent = 4.0 + 16.0 + 1.0, shun_refused = 4.0 + 16.0 + 200e-6;
  {
    // Two replicas: the tier needs the writer and one reader.
    const auto r = analyze_year({"tiers.db.count=3", "tiers.db.replicas=2"});
    EXPECT_EQ(names(r), (std::vector<std::string>{"lb", "web", "app", "app nodes (each needed)", "db"}));
    const PathGroup& db = group(r, "db");
    EXPECT_EQ(db.group.nodes, 3);
    EXPECT_EQ(db.needed_for_redundancy, 2);
    expect_year_modes(db, (30.0 + 2 * shun_silent) / 3, (30.0 + 2 * shun_refused) / 3);
  }
  {
    // One replica and the primary as the fallback reader: 1 of 2.
    const auto r = analyze_year({"tiers.db.router={fallback_to_primary: true}"});
    EXPECT_EQ(names(r), (std::vector<std::string>{"lb", "web", "app", "app nodes (each needed)", "db"}));
    const PathGroup& db = group(r, "db");
    EXPECT_EQ(db.needed_for_redundancy, 1);
    expect_year_modes(db, (30.0 + shun_silent) / 2, (30.0 + shun_refused) / 2);
  }
  {
    // Without the router the replicas are needed, however many.
    const auto r = analyze_year({"tiers.db.count=3", "tiers.db.replicas=2", "tiers.db.router=false"});
    const PathGroup& replicas = group(r, "db replicas (each needed)");
    EXPECT_EQ(replicas.group.needed, 2);
    EXPECT_NE(replicas.why.find("router: false"), std::string::npos) << replicas.why;
  }
}

// Stages 1 and 2: web, app and db share server1 and server2, so those hosts
// are the units (two, not six): a host crash fails its three nodes once. The
// group survives one host: web behind HAProxy's checks (11 s), app behind a
// local nginx that dies with it (no gap), db by failover. A host crash costs
// the longest gap of its nodes: 30 s when it holds the primary (half the
// time), else 11 s; the replica's reads are a group of their own.
TEST(FaultGroups, ColocatedStagesCountEachHostOnce) {
  for (const char* file : {"1-distributed-year.yaml", "2-secured-monitored-year.yaml"}) {
    SCOPED_TRACE(file);
    const auto r = analyze_file(file);
    EXPECT_EQ(names(r), (std::vector<std::string>{"lb", "web+app+db", "db replicas (each needed)"}));
    const PathGroup& lb = group(r, "lb");
    EXPECT_EQ(lb.group.nodes, 1);
    EXPECT_EQ(lb.group.needed, 1);
    const PathGroup& servers = group(r, "web+app+db");
    EXPECT_EQ(servers.units, (std::vector<std::string>{"server1", "server2"}));
    EXPECT_EQ(servers.group.nodes, 2);
    EXPECT_EQ(servers.group.needed, 1);
    ASSERT_EQ(servers.group.modes.size(), 4u);
    const FailureMode& host = servers.group.modes[0];
    EXPECT_EQ(host.name, "host crash (faults.0)");
    EXPECT_NEAR(seconds(host.mttf), 180 * kDay, 1e-3);  // per host: once, not once per node
    const double half_cycle = (2.0 + 200e-6) / 2;
    EXPECT_NEAR(seconds(host.failover_gap), (30.0 + half_cycle + 3 * 2.0 + 2 * 2.0) / 2, 1e-6);
    const double gaps[] = {half_cycle + 3 * 200e-6 + 2 * 2.0, 0.0, 15.0};
    const char* tiers[] = {"web", "app", "db"};
    for (std::size_t t = 0; t < 3; ++t) {
      const FailureMode& kill = servers.group.modes[t + 1];
      EXPECT_EQ(kill.name, std::string("process crash ") + tiers[t] + " (faults.1)");
      EXPECT_NEAR(seconds(kill.mttf), 30 * kDay, 1e-3);
      EXPECT_NEAR(seconds(kill.failover_gap), gaps[t], 1e-6);
    }
    expect_year_modes(group(r, "db replicas (each needed)"), 0.0, 0.0);
  }
}

// Stage 0: one server carries everything: one unit, needed, with the host
// crash and the three processes' crashes as its modes.
TEST(FaultGroups, SingleServerIsOneUnit) {
  const auto r = analyze_file("0-simple-web-stack-year.yaml");
  ASSERT_EQ(r.availability_model.groups.size(), 1u);
  const PathGroup& g = r.availability_model.groups.front();
  EXPECT_EQ(g.units, (std::vector<std::string>{"server1"}));
  EXPECT_EQ(g.group.nodes, 1);
  EXPECT_EQ(g.group.needed, 1);
  ASSERT_EQ(g.group.modes.size(), 4u);
  // One unit repaired on its own: exact from the means, U = sum of rho / (1 + sum of rho).
  const double rho = 4.0 / (180 * 24) + 3 * 2.0 / (30 * 24 * 60);
  EXPECT_NEAR(r.availability->unavailability, rho / (1 + rho), 1e-9);
  EXPECT_TRUE(r.availability->exact);
}

// A web pair behind one HAProxy whose checks (inter 4 s, fall 2) find a
// killed server after inter/2 + 1 x 4 s = 6 s (round trips are 0 here), a
// crashed one after inter/2 + 2 timed-out checks of 4 s + 4 s = 14 s.
std::string pair_scenario(const std::string& fault) {
  return R"(
name: web-pair
machines:
  box: { cores: 4 }
network: { latency: 0s }
workload:
  arrivals: poisson(10/s)
  classes:
    job: { web: { cpu: 1ms } }
tiers:
  lb:  { kind: haproxy, machine: box, health_check: { inter: 4s, fall: 2 } }
  web: { kind: server, count: 2, machine: box }
faults:
  - )" + fault + "\n";
}

// 1 of 2 with exponential times, rho = MTTR / MTTF, and a gap g per failure
// survived from the state where both are up (rate 2 lambda pi0). Balance of
// the chain on nodes down (Trivedi, "Probability and Statistics with
// Reliability, Queuing, and Computer Science Applications", 2nd ed., 2002,
// ch. 8, two-unit parallel system): one crew: pi0 = 1 / (1 + 2 rho +
// 2 rho^2), pi2 = 2 rho^2 pi0; two crews (independent units):
// pi0 = 1 / (1 + rho)^2, pi2 = rho^2 pi0. U = pi2 + 2 lambda pi0 g.
TEST(FaultGroups, PairWithSharedRepairAgainstClosedForm) {
  const double mttf = 1000 * kHour, mttr = 10 * kHour, rho = mttr / mttf, gap = 6.0;
  for (const int crews : {1, 2}) {
    SCOPED_TRACE(crews);
    const auto r = analyze_text(pair_scenario(
        "{ target: \"web*\", kind: kill, mttf: exp(1000h), mttr: exp(10h), repair_crews: " + std::to_string(crews) + " }"));
    ASSERT_TRUE(r.availability);
    ASSERT_EQ(r.availability->groups.size(), 1u);
    const analysis::GroupAvailability& g = r.availability->groups.front();
    EXPECT_EQ(g.group.nodes, 2);
    EXPECT_EQ(g.group.needed, 1);
    ASSERT_EQ(g.group.modes.size(), 1u);
    EXPECT_EQ(g.group.modes[0].repair_crews, crews);
    EXPECT_NEAR(seconds(g.group.modes[0].failover_gap), gap, 1e-9);
    const double pi0 = crews == 1 ? 1 / (1 + 2 * rho + 2 * rho * rho) : 1 / ((1 + rho) * (1 + rho));
    const double pi2 = crews == 1 ? 2 * rho * rho * pi0 : rho * rho * pi0;
    const double u = pi2 + 2 / mttf * pi0 * gap;
    EXPECT_NEAR(r.availability->unavailability, u, 1e-9 * u);
    EXPECT_TRUE(g.exact);
    // Both renderings carry it.
    const auto j = analysis::to_json(r)["availability"];
    EXPECT_NEAR(j["groups"][0]["gap_s"].get<double>(), gap, 1e-9);
    EXPECT_EQ(j["groups"][0]["k"], 1);
    EXPECT_NEAR(j["downtime_per_year_s"].get<double>(), u * analysis::kSecondsPerYear, 1e-6);
    EXPECT_NE(analysis::format_table(r).find("Availability"), std::string::npos);
  }
}

// Without health checks HAProxy keeps sending a dead server its share: both
// servers are needed.
TEST(FaultGroups, NoHealthChecksNeedEveryServer) {
  std::string yaml = pair_scenario("{ target: \"web*\", mttf: exp(1000h), mttr: exp(10h) }");
  yaml.replace(yaml.find(", health_check: { inter: 4s, fall: 2 }"), 38, "");
  const auto r = analyze_text(yaml);
  ASSERT_EQ(r.availability_model.groups.size(), 1u);
  const PathGroup& g = r.availability_model.groups.front();
  EXPECT_EQ(g.group.needed, 2);
  EXPECT_NE(g.why.find("no health checks"), std::string::npos) << g.why;
}

// The load decides k when one server cannot carry it: 3 servers of 4 cores
// at 10 ms per request and 500/s are 42% busy; two would be 63%, one 125%.
TEST(FaultGroups, CapacityRaisesK) {
  std::string yaml = pair_scenario("{ target: \"web*\", mttf: exp(1000h), mttr: exp(10h) }");
  yaml.replace(yaml.find("poisson(10/s)"), 13, "poisson(500/s)");
  yaml.replace(yaml.find("cpu: 1ms"), 8, "cpu: 10ms");
  yaml.replace(yaml.find("count: 2"), 8, "count: 3");
  const auto r = analyze_text(yaml);
  const PathGroup& g = group(r, "web");
  EXPECT_EQ(g.needed_for_redundancy, 1);
  EXPECT_EQ(g.needed_for_capacity, 2);
  EXPECT_EQ(g.group.needed, 2);
  ASSERT_TRUE(r.availability_without_load);
  EXPECT_LT(r.availability_without_load->unavailability, r.availability->unavailability);
}

// A failure domain is one unit: an outage when it takes more nodes of a
// tier than the tier can lose, otherwise only the gap of its nodes.
TEST(FaultGroups, FailureDomains) {
  const auto with_racks = [](const std::string& racks) {
    std::string yaml = pair_scenario("{ domain: rack-a, mttf: exp(1y), mttr: exp(4h) }");
    yaml.replace(yaml.find("machines:"), 9, "hosts:\n" + racks + "machines:");
    yaml.replace(yaml.find("count: 2, machine: box"), 22, "on: [h1, h2]");
    return analyze_text(yaml);
  };
  const auto both = with_racks("  h1: { machine: box, labels: { rack: rack-a } }\n"
                               "  h2: { machine: box, labels: { rack: rack-a } }\n");
  const PathGroup& outage = group(both, "domain rack-a");
  EXPECT_EQ(outage.group.needed, 1);
  EXPECT_EQ(outage.units, (std::vector<std::string>{"rack-a"}));
  const auto one = with_racks("  h1: { machine: box, labels: { rack: rack-a } }\n  h2: { machine: box }\n");
  const PathGroup& survived = group(one, "domain rack-a");
  EXPECT_EQ(survived.group.needed, 0);
  // A silent host: inter/2 + 2 checks of inter + 1 gap of inter = 2 + 8 + 4 s.
  EXPECT_NEAR(seconds(survived.group.modes[0].failover_gap), 14.0, 1e-9);
}

// One-off and gray faults are listed, not modelled; without a stochastic
// crash, kill or stop there is no availability.
TEST(FaultGroups, IgnoredFaults) {
  std::string yaml = pair_scenario("{ at: 10s, crash: web1, for: 5s }\n  - { target: web2, kind: slow, cpu: 2x, mttf: exp(1h), mttr: exp(1m) }");
  const auto r = analyze_text(yaml);
  EXPECT_FALSE(r.availability);
  ASSERT_EQ(r.availability_model.ignored.size(), 2u);
  EXPECT_NE(r.availability_model.ignored[0].find("one-off"), std::string::npos);
  EXPECT_NE(r.availability_model.ignored[1].find("gray"), std::string::npos);
  EXPECT_TRUE(analysis::to_json(r)["availability"].is_null());
  EXPECT_NE(analysis::format_table(r).find("no stochastic"), std::string::npos);
}

// The analytic availability against a simulated run. Two web servers behind
// HAProxy (inter 4 s, fall 2: a crashed one is marked down 2 + 4 + 4 + 4 =
// 14 s after its crash), crashes exp(10m), repairs exp(2m) by one crew: rho
// 0.2, U = 2 rho^2 / (1 + 2 rho + 2 rho^2) = 5.41% for both down, plus the
// gaps, 2 lambda pi0 x 14 s = 3.15%. The simulation counts 2 s windows with a
// failure as down; a bad stretch of length D covers D / w + 1 windows on
// average, so the expected measure adds one window per failure episode (each
// failure: a gap or an outage). Over 150 h there are about 240 outages; their
// total length has a relative sd of about sqrt(2 / 240) = 9% (exponential
// durations), 0.5 points of the 5.4%; the 1200 gaps add less than 0.1 point.
// Six seeds gave a spread of 0.5 points. The tolerance, 1.6 points, is 3 sd;
// ignoring the gaps (3.15) or the shared crew (2.6) would fail it.
TEST(FaultGroups, AgreesWithTheSimulation) {
  const std::string yaml = R"(
name: availability-check
run: { duration: 150h, warmup: 0s, seed: 1 }
machines:
  box: { cores: 1, scheduling: fcfs }
network: { latency: 0s, client_latency: 0s }
workload:
  arrivals: poisson(10/s)
  classes:
    job: { web: { cpu: 10us } }
tiers:
  lb:  { kind: haproxy, machine: box, retries: 0, timeout_connect: 1s,
         health_check: { inter: 4s, rise: 1, fall: 2 } }
  web: { kind: server, count: 2, machine: box }
slo: { target: 99.9%, window: 2s }
faults:
  - { target: "web*", mttf: exp(10m), mttr: exp(2m), repair_crews: 1 }
)";
  const models::ScenarioConfig config = loader::load_scenario_text(yaml, "check.yaml", ".", {});
  const auto analytic = analysis::analyze(config);
  ASSERT_TRUE(analytic.availability);
  const analysis::GroupAvailability& web = analytic.availability->groups.at(0);
  const double window = 2.0;
  const double expected = web.unavailability + web.failures_per_year / analysis::kSecondsPerYear * window;
  const models::RunResult run = models::run_scenario(config);
  const double measured = 1.0 - run.slo.time_availability();
  std::printf("time unavailability: analytic %.4f, with window rounding %.4f, simulated %.4f\n", web.unavailability,
              expected, measured);
  EXPECT_NEAR(measured, expected, 0.016);
}

}  // namespace
