// Operational analysis and queueing approximations of whole scenarios, built
// in C++ so that every expected value can be worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/analysis_report.hpp"

namespace {

using models::Distribution;
using models::ScenarioConfig;
using sim::kMillisecond;
using sim::kMicrosecond;

constexpr double us = 1e-6;
constexpr double ms = 1e-3;

const analysis::Resource& resource(const analysis::AnalysisResult& r, const std::string& name) {
  for (const auto& res : r.operational.resources) {
    if (res.name == name) return res;
  }
  throw std::runtime_error("no resource " + name);
}

const analysis::Node& node(const analysis::StackModel& m, const std::string& name) {
  for (const auto& n : m.nodes) {
    if (n.name == name) return n;
  }
  throw std::runtime_error("no node " + name);
}

models::TierDemand cpu_demand(Distribution cpu) {
  models::TierDemand d;
  d.cpu = std::move(cpu);
  return d;
}

models::RequestClass job_class(std::string name, std::vector<std::optional<models::TierDemand>> demands,
                               double weight = 1.0) {
  models::RequestClass c;
  c.name = std::move(name);
  c.weight = weight;
  c.demands = std::move(demands);
  return c;
}

models::TierConfig server_tier(std::string name, std::string machine, int count = 1) {
  models::TierConfig t;
  t.name = std::move(name);
  t.machine = std::move(machine);
  t.count = count;
  t.kind = models::ServerConfig{};
  return t;
}

// scenarios/mm1.yaml in C++: 900/s, exp(1 ms) on one FCFS core.
ScenarioConfig mm1(double rate, int cores) {
  ScenarioConfig s;
  s.name = "mm1";
  models::MachineConfig m;
  m.cores = cores;
  m.scheduling = models::CpuScheduling::kFcfs;
  s.machines["single"] = m;
  s.workload.arrivals = models::OpenArrivals{{{0, rate, 0}}};
  s.workload.classes.push_back(job_class("job", {cpu_demand(Distribution::exponential(1.0 * kMillisecond))}));
  s.tiers.push_back(server_tier("server", "single"));
  return s;
}

// Utilization law U = X D, and the M/M/1 mean 1 / (mu - lambda) = 10 ms.
TEST(ScenarioAnalysis, MM1UtilizationLawAndResponse) {
  const auto r = analysis::analyze(mm1(900.0, 1));
  const auto& cpu = resource(r, "server1.cpu");
  EXPECT_NEAR(cpu.demand_total, 1 * ms, 1e-15);
  EXPECT_NEAR(cpu.utilization, 0.9, 1e-12);
  EXPECT_NEAR(cpu.saturation_rate, 1000.0, 1e-9);
  EXPECT_EQ(r.operational.resources[static_cast<std::size_t>(r.operational.bottleneck)].name, "server1.cpu");
  ASSERT_TRUE(r.queueing.stable);
  EXPECT_NEAR(r.queueing.total.response, 10 * ms, 1e-12);
  EXPECT_NEAR(r.queueing.total.cpu, 10 * ms, 1e-12);
}

// scenarios/mmc.yaml: 3200/s on 4 cores; R = 1 ms + 0.745540 ms (Erlang C, see test_queueing.cpp).
TEST(ScenarioAnalysis, MMcScenario) {
  const auto r = analysis::analyze(mm1(3200.0, 4));
  EXPECT_NEAR(resource(r, "server1.cpu").utilization, 0.8, 1e-12);
  EXPECT_NEAR(resource(r, "server1.cpu").saturation_rate, 4000.0, 1e-9);
  EXPECT_NEAR(r.queueing.total.response, 1.745540 * ms, 1e-9);
}

// scenarios/tandem.yaml: three server tiers on their own hosts, no network
// cost; the synchronous calls nest, but with unlimited workers the response
// is the Jackson sum 1/300 + 1/200 + 1/100 s.
TEST(ScenarioAnalysis, TandemScenario) {
  ScenarioConfig s = mm1(900.0, 1);
  s.workload.classes[0].demands = {cpu_demand(Distribution::exponential(833.333 * kMicrosecond)),
                                   cpu_demand(Distribution::exponential(909.091 * kMicrosecond)),
                                   cpu_demand(Distribution::exponential(1000.0 * kMicrosecond))};
  s.tiers = {server_tier("s1", "single"), server_tier("s2", "single"), server_tier("s3", "single")};
  const auto r = analysis::analyze(s);
  EXPECT_NEAR(r.queueing.total.response, (1.0 / 300 + 1.0 / 200 + 1.0 / 100), 2e-6);
  EXPECT_NEAR(resource(r, "s31.cpu").utilization, 0.9, 1e-9);
  // A tier's visit holds through the tiers below it: s1's is the whole
  // response, s3's its own M/M/1 sojourn.
  ASSERT_EQ(r.queueing.tiers.size(), 3u);
  EXPECT_NEAR(r.queueing.tiers[0].visit_time, r.queueing.total.response, 1e-12);
  EXPECT_NEAR(r.queueing.tiers[2].visit_time, 1.0 / 100, 1e-12);
}

// scenarios/closed.yaml: 15 users, think exp(1 s), FCFS stations of 40 and
// 30 ms. N* = (D + Z) / D_max = (0.07 + 1) / 0.04 = 26.75; throughput and
// response are exact MVA's.
TEST(ScenarioAnalysis, ClosedScenario) {
  ScenarioConfig s = mm1(0.0, 1);
  s.workload.arrivals = models::ClosedArrivals{15, Distribution::exponential(1.0 * sim::kSecond)};
  s.workload.classes[0].demands = {cpu_demand(Distribution::exponential(40.0 * kMillisecond)),
                                   cpu_demand(Distribution::exponential(30.0 * kMillisecond))};
  s.tiers = {server_tier("s1", "single"), server_tier("s2", "single")};
  const auto r = analysis::analyze(s);
  EXPECT_NEAR(r.operational.saturation_users, 26.75, 1e-9);
  const std::vector<analysis::NetworkStation> stations{{"s1", analysis::Discipline::kFcfs, 1},
                                                       {"s2", analysis::Discipline::kFcfs, 1}};
  const auto mva = analysis::mva_exact_single(stations, Eigen::Vector2d(0.04, 0.03), 1.0, 15);
  EXPECT_NEAR(r.queueing.throughput, mva.throughput(0), 1e-12);
  EXPECT_NEAR(r.queueing.total.response, mva.response(0), 1e-12);
  // Operational utilizations are at the MVA throughput.
  EXPECT_NEAR(resource(r, "s11.cpu").utilization, mva.throughput(0) * 0.04, 1e-12);
}

// A three-tier stack whose every utilization below is worked out by hand.
//   web: one nginx node (2-core PS, NIC 1e8 B/s, firewall 10 us, monitoring
//        20 ms every 10 s), upstream weights 3 : 1 over two app nodes;
//   app: two nodes (4-core PS, same NIC and firewall);
//   db:  primary db1 and replica db2 (4-core FCFS, NIC 1e8 B/s, firewall
//        10 us, disk 1000 IOPS, 1e8 B/s, depth 2).
// 100 requests/s: 75% "read" (app 2 ms, 2 calls; db 500 us, 4 page reads at
// 50% hits), 25% "write" (app 3 ms, 1 call; db 1 ms, 2 page writes at 75%
// hits). Requests are 1000 B, responses 10000 B; queries 512 B, results 4096 B.
ScenarioConfig three_tier() {
  ScenarioConfig s;
  s.name = "three-tier";
  models::MachineConfig box;
  box.cores = 2;
  box.nic_bandwidth = 1e8;
  box.firewall = Distribution::constant(10.0 * kMicrosecond);
  box.monitoring = models::BackgroundConfig{Distribution::constant(20.0 * kMillisecond), 10 * sim::kSecond};
  s.machines["web"] = box;
  box.cores = 4;
  box.monitoring.reset();
  s.machines["app"] = box;
  box.scheduling = models::CpuScheduling::kFcfs;
  box.disk = models::DiskConfig{1000.0, 1e8, 2};
  s.machines["db"] = box;
  models::TierConfig web;
  web.name = "web";
  web.machine = "web";
  web.kind = models::NginxConfig{1, 512, {3, 1}, false};
  models::TierConfig app;
  app.name = "app";
  app.machine = "app";
  app.count = 2;
  app.kind = models::AppConfig{};
  models::TierConfig db;
  db.name = "db";
  db.machine = "db";
  db.count = 2;
  models::DatabaseConfig dbc;
  dbc.replicas = 1;
  db.kind = dbc;
  s.tiers = {web, app, db};
  s.workload.arrivals = models::OpenArrivals{{{0, 100.0, 0}}};
  const auto tier = [](double cpu_us, int calls, int reads, int writes, double hit) {
    models::TierDemand d;
    d.cpu = Distribution::exponential(cpu_us * kMicrosecond);
    d.calls = calls;
    d.reads = reads;
    d.writes = writes;
    d.cache_hit = hit;
    return d;
  };
  auto read = job_class("read", {tier(200, 1, 0, 0, 0), tier(2000, 2, 0, 0, 0), tier(500, 1, 4, 0, 0.5)}, 3.0);
  auto write = job_class("write", {tier(200, 1, 0, 0, 0), tier(3000, 1, 0, 0, 0), tier(1000, 1, 0, 2, 0.75)}, 1.0);
  for (auto* c : {&read, &write}) {
    c->request_bytes = 1000;
    c->response_bytes = 10000;
  }
  s.workload.classes = {read, write};
  return s;
}

TEST(ScenarioAnalysis, ThreeTierVisitRatios) {
  const auto m = analysis::build_model(three_tier());
  // nginx weights 3 : 1; reads go to the replica (2 calls per app visit),
  // writes to the primary.
  EXPECT_NEAR(node(m, "app1").visits[0], 0.75, 1e-12);
  EXPECT_NEAR(node(m, "app2").visits[0], 0.25, 1e-12);
  EXPECT_NEAR(node(m, "db2").visits[0], 2.0, 1e-12);
  EXPECT_NEAR(node(m, "db1").visits[0], 0.0, 1e-12);
  EXPECT_NEAR(node(m, "db1").visits[1], 1.0, 1e-12);
  EXPECT_NEAR(node(m, "db2").visits[1], 0.0, 1e-12);
  // Per request of the mix: 0.75 x 2 reads + 0.25 x 1 write.
  const auto r = analysis::analyze(three_tier());
  EXPECT_NEAR(r.queueing.tiers[2].visits, 1.75, 1e-12);
}

TEST(ScenarioAnalysis, ThreeTierUtilizationLaw) {
  const auto r = analysis::analyze(three_tier());
  // web1.cpu: 200 us + 10 us firewall per request = 21 ms/s over 2 cores, plus
  // monitoring 20 ms / 10 s = 2 ms/s: (0.021 + 0.002) / 2.
  EXPECT_NEAR(resource(r, "web1.cpu").utilization, 0.0115, 1e-12);
  // app1.cpu: 75 visits/s; reads 2.01 ms (with firewall), writes 3.01 ms:
  // 100 * 0.75 * (0.75 * 2.01 + 0.25 * 3.01) ms = 0.1695 busy cores of 4.
  EXPECT_NEAR(resource(r, "app1.cpu").utilization, 0.1695 / 4, 1e-12);
  // db2.cpu: 75 reads/s x 2 queries x 510 us = 0.0765 of 4 cores.
  EXPECT_NEAR(resource(r, "db2.cpu").utilization, 0.0765 / 4, 1e-12);
  // db2.disk: 2 queries x 4 pages x 50% misses = 4 IOs of 1 ms + 16384 B / 1e8 B/s
  // = 1.16384 ms per read; 75/s over depth 2.
  EXPECT_NEAR(resource(r, "db2.disk").demand[0], 4 * 1.16384 * ms, 1e-12);
  EXPECT_NEAR(resource(r, "db2.disk").utilization, 75 * 4 * 1.16384 * ms / 2, 1e-12);
  // db1.disk: 2 pages x 25% misses = 0.5 page IO plus one 4096 B log flush
  // (1.04096 ms) per write; 25/s over depth 2.
  EXPECT_NEAR(resource(r, "db1.disk").utilization, 25 * (0.5 * 1.16384 + 1.04096) * ms / 2, 1e-12);
  // web1.nic-rx: the client's 1000 B request and the app's 10000 B response,
  // 10 us + 100 us per request.
  EXPECT_NEAR(resource(r, "web1.nic-rx").utilization, 100 * 110 * us, 1e-12);
  // db2.nic-tx: two 4096 B results per read.
  EXPECT_NEAR(resource(r, "db2.nic-tx").utilization, 75 * 2 * 40.96 * us, 1e-12);
  // Bottleneck: db2.disk saturates at 2 / 4.65536 ms x (4 / 3) = 572.8/s.
  EXPECT_EQ(r.operational.resources[static_cast<std::size_t>(r.operational.bottleneck)].name, "db2.disk");
  EXPECT_NEAR(r.operational.saturation_rate, 2.0 / (0.75 * 4 * 1.16384 * ms), 1e-9);
}

// The response time summed over stations, pools and delays equals the one
// built tier by tier from nested holding times (the way the models nest).
TEST(ScenarioAnalysis, ResponseSumMatchesNestedVisits) {
  ScenarioConfig s = three_tier();
  s.network.latency = 100 * kMicrosecond;
  s.network.client_latency = 20 * kMillisecond;
  s.workload.arrivals = models::OpenArrivals{{{0, 400.0, 0}}};
  const auto r = analysis::analyze(s);
  ASSERT_TRUE(r.queueing.stable);
  std::vector<analysis::StationResponse> stations;
  for (const auto& st : r.queueing.stations) stations.push_back(st.response);
  for (std::size_t c = 0; c < r.model.classes.size(); ++c) {
    double nested = 0.0;
    for (const auto& e : r.model.entries[c]) {
      const auto& n = r.model.nodes[static_cast<std::size_t>(e.node)];
      const double admission = n.admission >= 0 ? r.queueing.holding.pool_wait[static_cast<std::size_t>(n.admission)] : 0.0;
      nested += e.share * (analysis::message_time(e.request, stations) + admission +
                           r.queueing.holding.node[static_cast<std::size_t>(e.node)][c] +
                           analysis::message_time(e.response, stations));
    }
    EXPECT_NEAR(r.queueing.classes[c].response, nested, 1e-12);
    EXPECT_GT(r.queueing.classes[c].network, 40 * ms);  // both client latencies
  }
}

// The client latency counts twice, a hop between hosts twice per call; a
// message's NIC times overlap (cut-through): unloaded, a 10000 B response
// crossing two 1e8 B/s NICs costs 100 us once, not twice.
TEST(ScenarioAnalysis, UnloadedResponseIsExact) {
  ScenarioConfig s = three_tier();
  s.network.latency = 100 * kMicrosecond;
  s.network.client_latency = 20 * kMillisecond;
  const auto r = analysis::analyze(s);
  // write class: client 2 x 20 ms; web: rx 10 us, cpu 210 us, call app
  // (1000 B: 10 us + 100 us latency; back 10000 B: 100 us + 100 us), tx 100 us;
  // app: 3010 us, one call to db1 (512 B: 5.12 us + 100 us; 4096 B: 40.96 us
  // + 100 us); db1: 1010 us cpu, 0.5 x 1163.84 + 1040.96 us disk.
  const double expected = 40000 + 10 + 210 + 110 + 200 + 100 + 3010 + 105.12 + 140.96 + 1010 + 0.5 * 1163.84 + 1040.96;
  EXPECT_NEAR(r.operational.unloaded_response[1], expected * us, 1e-12);
}

// A worker pool whose holding time includes a slow downstream call saturates
// before its CPU: 4 workers holding 1 ms of app CPU + 9 ms at the database
// saturate at 4 / 10 ms = 400/s while the app CPU would take 1000/s.
TEST(ScenarioAnalysis, WorkerPoolSaturatesBeforeCpu) {
  ScenarioConfig s;
  s.name = "pool-bound";
  models::MachineConfig small;
  small.cores = 1;
  models::MachineConfig big;
  big.cores = 16;
  s.machines["small"] = small;
  s.machines["big"] = big;
  models::TierConfig app;
  app.name = "app";
  app.machine = "small";
  models::AppConfig ac;
  ac.workers = 4;
  app.kind = ac;
  models::TierConfig db;
  db.name = "db";
  db.machine = "big";
  db.kind = models::DatabaseConfig{};
  s.tiers = {app, db};
  s.workload.arrivals = models::OpenArrivals{{{0, 320.0, 0}}};
  s.workload.classes = {job_class("q", {cpu_demand(Distribution::exponential(1.0 * kMillisecond)),
                                        cpu_demand(Distribution::exponential(9.0 * kMillisecond))})};
  const auto r = analysis::analyze(s);
  const auto& workers = resource(r, "app1.workers");
  EXPECT_NEAR(workers.demand_total, 10 * ms, 1e-12);
  EXPECT_NEAR(workers.saturation_rate, 400.0, 1e-9);
  EXPECT_NEAR(resource(r, "app1.cpu").saturation_rate, 1000.0, 1e-9);
  EXPECT_EQ(r.operational.resources[static_cast<std::size_t>(r.operational.bottleneck)].name, "app1.workers");
  ASSERT_FALSE(r.operational.notes.empty());
  EXPECT_NE(r.operational.notes.front().find("app1.workers"), std::string::npos);
  // Loaded (app CPU at 32%, db at 18%), the holding time grows to about
  // 10.5 ms and the pool is past 80% busy: it waits, and is flagged.
  ASSERT_TRUE(r.queueing.stable);
  const auto& pool = r.queueing.pools.front();
  ASSERT_EQ(pool.name, "app1.workers");
  EXPECT_GT(pool.utilization, 0.8);
  EXPECT_GT(pool.wait, 0.0);
  EXPECT_GT(r.queueing.total.pools, 0.0);
  EXPECT_FALSE(pool.flags.empty());
  // Beyond 400/s the queueing model has no steady state.
  s.workload.arrivals = models::OpenArrivals{{{0, 450.0, 0}}};
  EXPECT_FALSE(analysis::analyze(s).queueing.stable);
}

// An HAProxy pair is active-passive: clients reach lb1 only. TLS costs a new
// connection's handshake once per 4 requests: (0.8 x 60 us + 0.2 x 500 us) / 4
// = 37 us on top of 20 us of tier CPU and 15 us of firewall.
TEST(ScenarioAnalysis, HaproxyActivePassiveAndTls) {
  ScenarioConfig s = mm1(100.0, 2);
  s.machines["single"].firewall = Distribution::constant(15.0 * kMicrosecond);
  models::TierConfig lb;
  lb.name = "lb";
  lb.machine = "single";
  lb.count = 2;
  lb.cpu = Distribution::constant(20.0 * kMicrosecond);
  models::HaproxyConfig hc;
  hc.cluster = models::LbCluster::kActivePassive;
  hc.tls = models::TlsConfig{Distribution::constant(500.0 * kMicrosecond), Distribution::constant(60.0 * kMicrosecond),
                             0.8, 4.0};
  lb.kind = hc;
  s.tiers.insert(s.tiers.begin(), lb);
  s.workload.classes[0].demands.insert(s.workload.classes[0].demands.begin(), std::nullopt);
  const auto r = analysis::analyze(s);
  EXPECT_NEAR(node(r.model, "lb1").visits[0], 1.0, 1e-12);
  EXPECT_NEAR(node(r.model, "lb2").visits[0], 0.0, 1e-12);
  EXPECT_NEAR(resource(r, "lb1.cpu").demand_total, (20 + 37 + 15) * us, 1e-15);
  EXPECT_EQ(resource(r, "lb2.cpu").demand_total, 0.0);
}

// A schedule is analysed at its peak within the run: 50/s, then a ramp to
// 400/s over [30 m, 50 m]; a 40-minute run peaks at 50 + 350 / 2 = 225/s.
TEST(ScenarioAnalysis, SchedulePeakWithinRun) {
  ScenarioConfig s = mm1(0.0, 1);
  s.workload.arrivals = models::OpenArrivals{{{0, 50.0, 0}, {30 * sim::kMinute, 400.0, 20 * sim::kMinute},
                                              {90 * sim::kMinute, 100.0, 10 * sim::kMinute}}};
  s.run.duration = 2 * sim::kHour;
  EXPECT_NEAR(analysis::build_model(s).workload.rate, 400.0, 1e-9);
  s.run.duration = 40 * sim::kMinute;
  EXPECT_NEAR(analysis::build_model(s).workload.rate, 225.0, 1e-9);
}

TEST(ScenarioAnalysis, RenderingsCarryTheResults) {
  const auto r = analysis::analyze(mm1(900.0, 1));
  const std::string table = analysis::format_table(r);
  EXPECT_NE(table.find("server1.cpu"), std::string::npos);
  EXPECT_NE(table.find("10.000"), std::string::npos);  // the response time in ms
  const auto j = analysis::to_json(r);
  EXPECT_NEAR(j["queueing"]["classes"]["all"]["response_ms"].get<double>(), 10.0, 1e-9);
  EXPECT_EQ(j["operational"]["bottleneck"], "server1.cpu");
  EXPECT_TRUE(j["availability"].is_null());
  analysis::AnalysisOptions options;
  options.availability.push_back(analysis::k_of_n("server", 1, 1, 999 * sim::kHour, sim::kHour));
  const auto with = analysis::analyze(mm1(900.0, 1), options);
  EXPECT_NEAR(analysis::to_json(with)["availability"]["nines"].get<double>(), 3.0, 1e-9);
}

}  // namespace
