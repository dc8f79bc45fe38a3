// Mechanics: exact timelines of single requests, limits that queue or
// reject as configured, and conservation of requests.
#include <gtest/gtest.h>

#include <cmath>
#include <variant>

#include "models/stack.hpp"
#include "models/topology.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::ScenarioConfig;
using models::TierDemand;
using sim::Distribution;
using sim::Time;
using test_support::load;

// One closed-loop user who thinks for an hour, sends one request and, by the
// time it could send the next, the 90-minute run is over.
void make_single_request(ScenarioConfig& config, const models::RequestClass& only) {
  config.workload.classes = {only};
  config.workload.arrivals = models::ClosedArrivals{1, Distribution::constant(3600e9)};
  config.run.duration = 90 * sim::kMinute;
  config.run.warmup = 0;
}

Time nic(double bytes, double bandwidth) { return sim::to_time(bytes / bandwidth * 1e9); }

// A page request through 3-scale-up with constant demands, TLS handshakes on
// every request and every buffer-cache read missing. With one request in the
// system nothing queues, so its latency must be exactly the sum of its
// network, NIC, CPU and disk times; any double counting or skipped hop shows.
TEST(Mechanics, SingleRequestThroughScaleUpTakesTheSumOfItsParts) {
  ScenarioConfig config = load("3-scale-up");
  for (auto& [name, machine] : config.machines) machine.monitoring.reset();
  auto& lb = std::get<models::HaproxyConfig>(config.tiers.at(0).kind);
  lb.tls->resume_ratio = 0.0;
  lb.tls->requests_per_connection = 1.0;
  lb.tls->handshake = Distribution::constant(500e3);

  models::RequestClass page;
  page.name = "page";
  page.request_bytes = 2048;
  page.response_bytes = 61440;
  page.demands.resize(4);
  TierDemand web;
  web.cpu = Distribution::constant(40e3);
  TierDemand app;
  app.cpu = Distribution::constant(6e6);
  app.calls = 2;
  TierDemand db;
  db.cpu = Distribution::constant(300e3);
  db.reads = 2;
  db.cache_hit = 0.0;
  page.demands[1] = web;
  page.demands[2] = app;
  page.demands[3] = db;
  make_single_request(config, page);

  const auto result = models::run_scenario(config);
  ASSERT_EQ(result.totals.offered, 1u);
  ASSERT_EQ(result.totals.succeeded, 1u);

  const double gig = 125e6, ten_gig = 1.25e9;  // bytes per second
  const Time client = 20 * sim::kMillisecond, link = 100 * sim::kMicrosecond, firewall = 15 * sim::kMicrosecond;
  const auto& dbc = std::get<models::DatabaseConfig>(config.tiers.at(3).kind);
  const auto& disk = *config.machines.at("database").disk;
  const Time page_io = sim::to_time(1e9 / disk.iops + dbc.page_bytes / disk.bandwidth * 1e9);

  Time expected = 0;
  expected += client + nic(2048, gig);                                  // client -> lb1, received by lb1's NIC
  expected += 20'000 + 500'000 + firewall;                              // lb: tier cpu, TLS handshake, firewall
  expected += nic(2048, gig) + link;                                    // lb1 -> web (cut-through: one serialization)
  expected += 10'000 + 40'000 + firewall;                               // web: tier cpu + class cpu + firewall
  expected += nic(2048, gig) + link;                                    // web -> app
  expected += 6'000'000 + firewall;                                     // app
  for (int call = 0; call < 2; ++call) {
    expected += nic(dbc.query_bytes, gig) + link;                       // app (1 Gbps) -> db (10 Gbps)
    expected += 300'000 + firewall + 2 * page_io;                       // db cpu, then two page reads
    expected += link + nic(dbc.result_bytes, gig);                      // db (10 Gbps) -> app: the slower port paces it
  }
  expected += nic(61440, gig) + link;                                   // app -> web
  expected += nic(61440, gig) + link;                                   // web -> lb1
  expected += nic(61440, gig) + client;                                 // lb1 -> client
  (void)ten_gig;
  EXPECT_EQ(result.latency.max(), expected);
  EXPECT_EQ(result.latency.min(), expected);
}

// The same request, co-located on one host (stage 0): calls between tiers of
// one host skip the network entirely.
TEST(Mechanics, CoLocatedTiersSkipTheNetwork) {
  ScenarioConfig config = load("0-simple-web-stack");
  models::RequestClass page;
  page.name = "page";
  page.request_bytes = 2048;
  page.response_bytes = 61440;
  page.demands.resize(3);
  TierDemand web;
  web.cpu = Distribution::constant(40e3);
  TierDemand app;
  app.cpu = Distribution::constant(6e6);
  TierDemand db;
  db.cpu = Distribution::constant(300e3);
  page.demands[0] = web;
  page.demands[1] = app;
  page.demands[2] = db;
  make_single_request(config, page);
  const auto result = models::run_scenario(config);
  ASSERT_EQ(result.totals.succeeded, 1u);
  const double gig = 125e6;
  const Time client = 20 * sim::kMillisecond;
  const Time expected = client + nic(2048, gig) + 10'000 + 40'000 + 6'000'000 + 300'000 + nic(61440, gig) + client;
  EXPECT_EQ(result.latency.max(), expected);
}

// Runs a stack by hand so the test can look inside at the end.
struct ManualRun {
  explicit ManualRun(const ScenarioConfig& c) : config(c), sim(c.run.seed), stack(config, sim) {
    stack.start();
    sim.run_until(config.run.duration);
  }
  std::uint64_t live_measured() {
    std::uint64_t n = 0;
    stack.requests().for_each_live([&](models::RequestId, const models::Request& r) { n += r.measured ? 1 : 0; });
    return n;
  }
  ScenarioConfig config;
  sim::Simulation sim;
  models::Stack stack;
};

// Every request ends exactly once. Overload 3-scale-up with tight limits so
// that requests end every way there is, and count those still in flight at
// the end independently, from the request pool.
TEST(Mechanics, ConservationOfRequestsUnderOverload) {
  ScenarioConfig config =
      load("3-scale-up", {"workload.arrivals=poisson(3000/s)", "run.duration=20s", "run.warmup=2s",
                          "tiers.lb.server_maxconn=20", "tiers.lb.timeout_queue=200ms", "tiers.app.workers=8",
                          "tiers.app.backlog=4", "tiers.app.pool=2", "tiers.app.pool_timeout=50ms",
                          "tiers.db.max_connections=3", "tiers.web.worker_connections=30"});
  ManualRun run(config);
  const auto r = run.stack.results();
  EXPECT_GT(r.totals.offered, 40'000u);
  EXPECT_GT(r.totals.succeeded, 0u);
  EXPECT_GT(r.totals.failed_total(), 0u);
  EXPECT_EQ(r.totals.offered, r.totals.succeeded + r.totals.failed_total() + run.live_measured());
  for (const auto& c : r.classes) {
    EXPECT_LE(c.counts.succeeded + c.counts.failed_total(), c.counts.offered);
  }
}

// slo.latency only judges requests: the run is the same with any objective.
// Without one, or with one no request reaches, every success is good; with
// one below every latency, none is, and every window of the overloaded run
// (each has requests ending in it) is bad. In between, the good requests
// are some of the successes, and fewer good requests never make more good
// windows.
TEST(Mechanics, ALatencyObjectiveCountsSuccessesWithinIt) {
  const std::vector<std::string> overload{"workload.arrivals=poisson(3000/s)", "run.duration=12s", "run.warmup=2s",
                                          "tiers.app.workers=8", "tiers.app.backlog=4"};
  const auto with = [&](const std::string& latency) {
    auto sets = overload;
    sets.push_back("slo.latency=" + latency);
    return models::run_scenario(load("3-scale-up", sets));
  };
  ScenarioConfig plain_config = load("3-scale-up", overload);
  plain_config.slo.latency.reset();
  const auto plain = models::run_scenario(plain_config);
  const auto never = with("1ns"), always = with("1h"), middle = with("1200ms");
  ASSERT_GT(plain.totals.failed_total(), 0u);
  EXPECT_EQ(plain.totals.good, plain.totals.succeeded);
  EXPECT_DOUBLE_EQ(plain.attainment(), plain.availability());
  for (const auto* r : {&never, &always, &middle}) {
    EXPECT_EQ(r->events, plain.events);
    EXPECT_EQ(r->totals.succeeded, plain.totals.succeeded);
    EXPECT_EQ(r->totals.failed, plain.totals.failed);
    std::uint64_t class_good = 0;
    for (const auto& c : r->classes) class_good += c.counts.good;
    EXPECT_EQ(class_good, r->totals.good);
  }
  EXPECT_EQ(always.totals.good, plain.totals.succeeded);
  EXPECT_EQ(always.slo.good_windows, plain.slo.good_windows);
  EXPECT_EQ(never.totals.good, 0u);
  EXPECT_EQ(never.goodput(), 0.0);
  EXPECT_EQ(never.slo.good_windows, 0u);
  EXPECT_EQ(never.slo.windows, plain.slo.windows);
  EXPECT_GT(middle.totals.good, 0u);
  EXPECT_LT(middle.totals.good, middle.totals.succeeded);
  EXPECT_LE(middle.slo.good_windows, plain.slo.good_windows);
  EXPECT_DOUBLE_EQ(middle.attainment(), static_cast<double>(middle.totals.good) /
                                            static_cast<double>(middle.totals.ended()));
}

std::uint64_t failed(const models::RunResult& r, models::FailureReason reason) {
  return r.totals.failed[static_cast<std::size_t>(reason)];
}

// Each limit rejects (or times out) with its own reason, and only when it is
// actually exceeded: the same load with the limit raised loses nothing.
struct LimitCase {
  const char* name;
  std::vector<std::string> tight;
  std::vector<std::string> loose;
  models::FailureReason reason;
};

class Limits : public ::testing::TestWithParam<LimitCase> {};

TEST_P(Limits, RejectOnlyWhenExceeded) {
  const LimitCase& c = GetParam();
  std::vector<std::string> base = {"workload.arrivals=poisson(1500/s)", "run.duration=20s", "run.warmup=2s"};
  auto tight = base;
  tight.insert(tight.end(), c.tight.begin(), c.tight.end());
  auto loose = base;
  loose.insert(loose.end(), c.loose.begin(), c.loose.end());
  const auto rt = models::run_scenario(load("3-scale-up", tight));
  const auto rl = models::run_scenario(load("3-scale-up", loose));
  EXPECT_GT(failed(rt, c.reason), 0u) << c.name;
  EXPECT_EQ(rl.totals.failed_total(), 0u) << c.name;
  EXPECT_EQ(rt.totals.failed_total(), failed(rt, c.reason)) << c.name << ": only this limit should bite";
}

INSTANTIATE_TEST_SUITE_P(
    Mechanics, Limits,
    ::testing::Values(
        LimitCase{"app backlog", {"tiers.app.workers=4", "tiers.app.backlog=2"}, {"tiers.app.workers=64"},
                  models::FailureReason::kAppBacklog},
        LimitCase{"app pool timeout",
                  {"tiers.app.pool=1", "tiers.app.pool_timeout=5ms"},
                  {"tiers.app.pool=32"},
                  models::FailureReason::kPoolTimeout},
        LimitCase{"db max_connections", {"tiers.db.max_connections=2"}, {"tiers.db.max_connections=500"},
                  models::FailureReason::kDbConnections},
        LimitCase{"nginx worker_connections", {"tiers.web.worker_connections=3"}, {"tiers.web.worker_connections=4096"},
                  models::FailureReason::kWebConnections},
        LimitCase{"haproxy timeout queue",
                  {"tiers.lb.server_maxconn=2", "tiers.lb.timeout_queue=2ms"},
                  {"tiers.lb.server_maxconn=0"},
                  models::FailureReason::kQueueTimeout},
        LimitCase{"haproxy frontend maxconn",
                  {"tiers.lb.maxconn=5", "tiers.lb.backlog=1"},
                  {"tiers.lb.maxconn=0"},
                  models::FailureReason::kLbMaxconn}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

// A worker limit with a queue delays but loses nothing: one worker at the
// plain server of mm1 turns it into the same M/M/1 (every request waits for
// the single worker instead of the single core).
TEST(Mechanics, WorkerLimitQueuesWithoutLoss) {
  const auto unlimited = models::run_scenario(load("mm1", {"run.duration=2m", "run.warmup=10s"}));
  const auto one_worker =
      models::run_scenario(load("mm1", {"run.duration=2m", "run.warmup=10s", "tiers.server.workers=1"}));
  EXPECT_EQ(one_worker.totals.failed_total(), 0u);
  // Same arrivals and demands: FCFS at the worker and at the core give the
  // same sojourn times, request for request.
  EXPECT_EQ(one_worker.latency.count(), unlimited.latency.count());
  EXPECT_DOUBLE_EQ(one_worker.latency.mean(), unlimited.latency.mean());
}

// Same scenario and seed, same result; another seed, another result.
TEST(Mechanics, DeterministicForASeed) {
  const auto a = models::run_scenario(load("3-scale-up", {"run.duration=30s", "run.warmup=5s"}));
  const auto b = models::run_scenario(load("3-scale-up", {"run.duration=30s", "run.warmup=5s"}));
  const auto c = models::run_scenario(load("3-scale-up", {"run.duration=30s", "run.warmup=5s", "run.seed=43"}));
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.totals.succeeded, b.totals.succeeded);
  EXPECT_EQ(a.latency.mean(), b.latency.mean());
  EXPECT_NE(a.latency.mean(), c.latency.mean());
}

}  // namespace

namespace {

struct CollectingSink : models::WindowSink {
  void begin(const std::vector<std::string>& names) override { nodes = names; }
  void row(const models::WindowRow& r) override { rows.push_back(r); }
  std::vector<std::string> nodes;
  std::vector<models::WindowRow> rows;
};

// The time series partitions the run: windows are contiguous, and over the
// measured part they add up to the run's own totals.
TEST(TimeSeries, WindowsPartitionTheRun) {
  const auto config = load("mm1", {"run.duration=2m", "run.warmup=10s"});
  CollectingSink sink;
  models::RunOptions options;
  options.windows = &sink;
  options.window = sim::kSecond;
  const auto r = models::run_scenario(config, options);
  ASSERT_EQ(sink.rows.size(), 120u);
  EXPECT_EQ(sink.nodes, std::vector<std::string>{"server1"});
  std::uint64_t offered_after_warmup = 0;
  double cpu_sum = 0.0;
  int measured_windows = 0;
  for (std::size_t i = 0; i < sink.rows.size(); ++i) {
    const auto& w = sink.rows[i];
    EXPECT_EQ(w.start, static_cast<Time>(i) * sim::kSecond);
    EXPECT_EQ(w.end, w.start + sim::kSecond);
    EXPECT_LE(w.latency_p50_ms, w.latency_p99_ms);
    if (w.start >= config.run.warmup) {
      offered_after_warmup += w.offered;
      cpu_sum += w.cpu_utilization.at(0);
      ++measured_windows;
    }
  }
  EXPECT_EQ(offered_after_warmup, r.totals.offered);
  EXPECT_NEAR(cpu_sum / measured_windows, r.nodes.at(0).cpu_utilization, 1e-9);
}

}  // namespace

namespace {

// Recording a time series must not change the run, and each count must land
// in the window of its own time. A response crossing the client link (20 ms)
// is settled when it leaves the entry node only if it arrives in the same
// window, so 1 ms windows (most crossings straddle a boundary) and 1 s
// windows take different paths through the client code; the outcomes must
// agree exactly, and 1 ms rows summed per second must give the 1 s rows.
TEST(TimeSeries, RecordingDoesNotChangeTheRun) {
  const auto config = load("3-scale-up", {"run.duration=20s", "run.warmup=0s"});
  const auto plain = models::run_scenario(config);
  std::vector<models::WindowRow> fine, coarse;
  for (const Time window : {sim::kMillisecond, sim::kSecond}) {
    CollectingSink sink;
    models::RunOptions options;
    options.windows = &sink;
    options.window = window;
    const auto r = models::run_scenario(config, options);
    EXPECT_EQ(r.totals.offered, plain.totals.offered);
    EXPECT_EQ(r.totals.succeeded, plain.totals.succeeded);
    EXPECT_EQ(r.latency.mean(), plain.latency.mean());
    EXPECT_EQ(r.latency.quantile(0.99), plain.latency.quantile(0.99));
    (window == sim::kSecond ? coarse : fine) = sink.rows;
  }
  ASSERT_EQ(coarse.size(), 20u);
  ASSERT_EQ(fine.size(), 20000u);
  // Requests the clients created ahead of their send time are not yet in the
  // system: every row's in_flight is what was sent and has not ended.
  std::uint64_t sent = 0, ended = 0;
  for (std::size_t i = 0; i < fine.size(); ++i) {
    sent += fine[i].offered;
    ended += fine[i].succeeded;
    for (const auto f : fine[i].failed) ended += f;
    ASSERT_EQ(fine[i].in_flight, sent - ended) << "window " << i;
  }
  std::uint64_t offered = 0, succeeded = 0;
  for (std::size_t s = 0; s < coarse.size(); ++s) {
    std::uint64_t fine_offered = 0, fine_succeeded = 0;
    for (std::size_t i = s * 1000; i < (s + 1) * 1000; ++i) {
      fine_offered += fine[i].offered;
      fine_succeeded += fine[i].succeeded;
    }
    EXPECT_EQ(fine_offered, coarse[s].offered) << "second " << s;
    EXPECT_EQ(fine_succeeded, coarse[s].succeeded) << "second " << s;
    offered += coarse[s].offered;
    succeeded += coarse[s].succeeded;
  }
  EXPECT_EQ(offered, plain.totals.offered);
  EXPECT_EQ(succeeded, plain.totals.succeeded);
}

// Open-loop clients send requests in batches, ahead of their send time
// (Clients::on_open_arrival), unless something could make a send depend on
// what happened before it, such as a fault. A fault that would strike only
// after the run switches that off and must change nothing but the event count.
TEST(Clients, SendingAheadChangesNothingButTheEventCount) {
  const auto ahead = load("3-scale-up", {"run.duration=60s", "run.warmup=5s"});
  auto one_by_one = ahead;
  models::FaultConfig never;
  never.effect = models::HostCrash{};
  never.target = "web1";
  never.nodes = {"web1"};
  never.at = 3600 * sim::kSecond;
  one_by_one.faults.push_back(never);
  const auto a = models::run_scenario(ahead);
  const auto b = models::run_scenario(one_by_one);
  EXPECT_EQ(a.totals.offered, b.totals.offered);
  EXPECT_EQ(a.totals.succeeded, b.totals.succeeded);
  EXPECT_EQ(a.totals.in_flight(), b.totals.in_flight());
  EXPECT_EQ(a.latency.mean(), b.latency.mean());
  EXPECT_EQ(a.latency.quantile(0.5), b.latency.quantile(0.5));
  EXPECT_EQ(a.latency.quantile(0.999), b.latency.quantile(0.999));
  EXPECT_EQ(a.latency.max(), b.latency.max());
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].cpu_utilization, b.nodes[i].cpu_utilization) << a.nodes[i].name;
    EXPECT_EQ(a.nodes[i].queue_mean, b.nodes[i].queue_mean) << a.nodes[i].name;
  }
  EXPECT_EQ(a.slo.good_windows, b.slo.good_windows);
  // About one event per request fewer: 600/s over 60 s.
  EXPECT_LT(a.events + 30'000, b.events);
}

}  // namespace

namespace {

// Issue 12: a rate so small that the next gap crosses the horizon looped
// forever; an arrival past the horizon is never.
TEST(RateSchedule, AGapPastTheHorizonMeansNoMoreArrivals) {
  sim::RandomStream rng(1, 0, "test");
  const models::RateSchedule tiny({models::RatePiece{0, 1e-12, 0}});
  EXPECT_EQ(tiny.next_arrival(0, rng), sim::kNever);
  // Busy, then a last piece too slow to ever send again.
  const models::RateSchedule fading({models::RatePiece{0, 1000.0, 0}, models::RatePiece{sim::kSecond, 1e-15, 0}});
  Time t = 0;
  int arrivals = 0;
  while ((t = fading.next_arrival(t, rng)) != sim::kNever) {
    ASSERT_LT(t, sim::kSecond);
    ++arrivals;
  }
  EXPECT_NEAR(arrivals, 1000, 5 * std::sqrt(1000.0));
  // At the horizon itself, even a fast rate sends nothing more.
  const models::RateSchedule fast({models::RatePiece{0, 1e9, 0}});
  EXPECT_EQ(fast.next_arrival(sim::kHorizon, rng), sim::kNever);
  EXPECT_LE(fast.next_arrival(sim::kHorizon - 100, rng), sim::kHorizon);
}

// The topology places stage 1's nodes as its file says (lb1 on its own host,
// the other tiers on server1 and server2), names the nodes of a config built
// by hand (no node_names) tier + index, and the stack builds what it says.
TEST(Topology, NamesAndPlacesEveryNode) {
  const ScenarioConfig config = load("1-distributed");
  const models::Topology topology(config);
  std::vector<std::string> placed;
  for (const auto& n : topology.nodes()) placed.push_back(n.name + "@" + n.host + (n.own_host ? "*" : ""));
  EXPECT_EQ(placed, (std::vector<std::string>{"lb1@lb1*", "web1@server1", "web2@server2", "app1@server1",
                                              "app2@server2", "db1@server1", "db2@server2"}));
  EXPECT_EQ(topology.id(2, 1), 4u);
  EXPECT_EQ(topology.callees(0), std::vector<int>{1});
  EXPECT_EQ(topology.callees(3), std::vector<int>{});

  ScenarioConfig unnamed = config;
  for (auto& tier : unnamed.tiers) tier.node_names.clear();
  const models::Topology default_names(unnamed);
  EXPECT_EQ(default_names.node(3).name, "app1");

  sim::Simulation sim(config.run.seed);
  models::Stack stack(config, sim);
  ASSERT_EQ(topology.nodes().size(), stack.node_count());
  for (std::uint32_t id = 0; id < stack.node_count(); ++id) {
    EXPECT_EQ(topology.node(id).name, stack.node(id).name());
    EXPECT_EQ(topology.node(id).host, stack.node(id).host().name());
  }
}

}  // namespace
