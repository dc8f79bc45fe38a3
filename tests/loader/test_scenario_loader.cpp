#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loader/scenario_loader.hpp"
#include "loader/text_util.hpp"

namespace {

using loader::load_scenario_text;
using loader::Override;
using loader::ScenarioError;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr double kMs = 1e6;

// The example from the format's specification, flow maps with commas inside
// distributions included.
const std::string kScaledUp = R"(name: scaled-up
description: Two clustered...
run: { duration: 30m, warmup: 2m, seed: 42 }
machines:
  standard: { cores: 4, speed: 1.0, scheduling: ps, nic: 1Gbps, disk: { iops: 5000, bandwidth: 200MB/s, depth: 4 },
              firewall: 20us, monitoring: { cpu: 5ms, interval: 10s } }
  database: { cores: 8, speed: 2, scheduling: fcfs, disk: { iops: 10000, bandwidth: 500MB/s } }
hosts:
  server1: { machine: standard, labels: { rack: a } }
network: { latency: 100us, client_latency: 20ms }
workload:
  arrivals: poisson(600/s)
  classes:
    static:   { weight: 60, request: 1KiB, response: 40KiB, web: { cpu: exp(30us) } }
    page:     { weight: 35, request: 2KiB, response: 60KiB, web: { cpu: 40us },
                app: { cpu: gamma(6ms, cv=1), calls: 3 }, db: { cpu: exp(300us), reads: 1, cache_hit: 0.9 } }
    checkout: { weight: 5, app: { cpu: 12ms, calls: 5 }, db: { cpu: exp(500us), writes: 1 } }
tiers:
  lb:  { kind: haproxy, count: 2, machine: standard, balance: roundrobin, maxconn: 1000, tls: { handshake: 1ms, resumed: 50us, resume_ratio: 0.8, requests_per_connection: 1 } }
  web: { kind: nginx, count: 2, machine: standard, worker_connections: 1024 }
  app: { kind: app, count: 2, machine: standard, workers: 32, pool: 10 }
  db:  { kind: database, count: 2, machine: database, replicas: 1, max_connections: 200 }
)";

const std::string kMinimal = R"(name: minimal
machines:
  small: { cores: 2 }
tiers:
  web: { kind: server, machine: small }
workload:
  arrivals: poisson(100/s)
  classes:
    hello: {}
)";

models::ScenarioConfig load(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  return load_scenario_text(yaml, "test.yaml", ".", overrides);
}

ScenarioError error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    load(yaml, overrides);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return ScenarioError("", 0, 0, "", "");
}

// kMinimal with its tiers and classes replaced.
std::string with_tiers(const std::string& tiers, const std::string& classes = "    hello: {}\n") {
  return "name: t\nmachines:\n  small: { cores: 2 }\n  disky: { cores: 2, disk: { iops: 100, bandwidth: 10MB/s } }\n"
         "tiers:\n" +
         tiers + "workload:\n  arrivals: poisson(100/s)\n  classes:\n" + classes;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<Override> overrides(std::initializer_list<const char*> texts) {
  std::vector<Override> out;
  for (const char* text : texts) out.push_back(loader::parse_override(text));
  return out;
}

TEST(ScenarioLoader, ScaledUpExampleLoadsWithUnitsConverted) {
  const auto c = load(kScaledUp);
  EXPECT_EQ(c.name, "scaled-up");
  EXPECT_EQ(c.description, "Two clustered...");
  EXPECT_EQ(c.run.duration, 30 * sim::kMinute);
  EXPECT_EQ(c.run.warmup, 2 * sim::kMinute);
  EXPECT_EQ(c.run.seed, 42u);

  const auto& standard = c.machines.at("standard");
  EXPECT_EQ(standard.cores, 4);
  EXPECT_DOUBLE_EQ(standard.speed, 1.0);
  EXPECT_EQ(standard.scheduling, models::CpuScheduling::kProcessorSharing);
  EXPECT_DOUBLE_EQ(standard.nic_bandwidth, 1.25e8);
  ASSERT_TRUE(standard.disk.has_value());
  EXPECT_DOUBLE_EQ(standard.disk->iops, 5000);
  EXPECT_DOUBLE_EQ(standard.disk->bandwidth, 2e8);
  EXPECT_EQ(standard.disk->depth, 4);
  EXPECT_DOUBLE_EQ(standard.firewall.mean(), 20e3);
  ASSERT_TRUE(standard.monitoring.has_value());
  EXPECT_DOUBLE_EQ(standard.monitoring->cpu.mean(), 5 * kMs);
  EXPECT_EQ(standard.monitoring->interval, 10 * sim::kSecond);
  const auto& database = c.machines.at("database");
  EXPECT_EQ(database.scheduling, models::CpuScheduling::kFcfs);
  EXPECT_DOUBLE_EQ(database.speed, 2.0);
  EXPECT_EQ(database.disk->depth, 1);

  ASSERT_EQ(c.hosts.size(), 1u);
  EXPECT_EQ(c.hosts[0].name, "server1");
  EXPECT_EQ(c.hosts[0].machine, "standard");
  EXPECT_EQ(c.hosts[0].labels.at("rack"), "a");

  EXPECT_EQ(c.network.latency, 100 * sim::kMicrosecond);
  EXPECT_EQ(c.network.client_latency, 20 * sim::kMillisecond);

  const auto& open = std::get<models::OpenArrivals>(c.workload.arrivals);
  ASSERT_EQ(open.schedule.size(), 1u);
  EXPECT_EQ(open.schedule[0].at, 0);
  EXPECT_DOUBLE_EQ(open.schedule[0].rate, 600.0);

  ASSERT_EQ(c.workload.classes.size(), 3u);
  const auto& stat = c.workload.classes[0];
  EXPECT_EQ(stat.name, "static");
  EXPECT_DOUBLE_EQ(stat.weight, 60);
  EXPECT_DOUBLE_EQ(stat.request_bytes, 1024);
  EXPECT_DOUBLE_EQ(stat.response_bytes, 40 * 1024);
  ASSERT_EQ(stat.demands.size(), 4u);
  EXPECT_FALSE(stat.demands[0].has_value());
  ASSERT_TRUE(stat.demands[1].has_value());
  EXPECT_EQ(stat.demands[1]->cpu.kind(), sim::Distribution::Kind::kExponential);
  EXPECT_DOUBLE_EQ(stat.demands[1]->cpu.mean(), 30e3);
  EXPECT_FALSE(stat.demands[2].has_value());
  EXPECT_FALSE(stat.demands[3].has_value());

  const auto& page = c.workload.classes[1];
  ASSERT_TRUE(page.demands[2].has_value());
  EXPECT_EQ(page.demands[2]->cpu.kind(), sim::Distribution::Kind::kGamma);
  EXPECT_DOUBLE_EQ(page.demands[2]->cpu.mean(), 6 * kMs);
  EXPECT_DOUBLE_EQ(page.demands[2]->cpu.cv(), 1.0);
  EXPECT_EQ(page.demands[2]->calls, 3);
  EXPECT_EQ(page.demands[3]->reads, 1);
  EXPECT_DOUBLE_EQ(page.demands[3]->cache_hit, 0.9);
  EXPECT_FALSE(page.demands[3]->calls.has_value());  // unset: the chain shorthand decides
  EXPECT_FALSE(page.demands[3]->request_bytes.has_value());

  const auto& checkout = c.workload.classes[2];
  EXPECT_DOUBLE_EQ(checkout.request_bytes, 0);
  EXPECT_FALSE(checkout.demands[1].has_value());
  EXPECT_EQ(checkout.demands[3]->writes, 1);

  ASSERT_EQ(c.tiers.size(), 4u);
  EXPECT_EQ(c.tiers[0].name, "lb");
  EXPECT_EQ(c.tiers[0].node_names, (std::vector<std::string>{"lb1", "lb2"}));
  EXPECT_EQ(c.tiers[0].machine, "standard");
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_EQ(lb.balance, models::Balance::kRoundRobin);
  EXPECT_EQ(lb.cluster, models::LbCluster::kActivePassive);
  EXPECT_EQ(lb.maxconn, 1000);
  EXPECT_EQ(lb.timeout_queue, 5 * sim::kSecond);
  ASSERT_TRUE(lb.tls.has_value());
  EXPECT_DOUBLE_EQ(lb.tls->handshake.mean(), 1 * kMs);
  EXPECT_DOUBLE_EQ(lb.tls->resumed.mean(), 50e3);
  EXPECT_DOUBLE_EQ(lb.tls->resume_ratio, 0.8);
  EXPECT_DOUBLE_EQ(lb.tls->requests_per_connection, 1.0);

  const auto& web = std::get<models::NginxConfig>(c.tiers[1].kind);
  EXPECT_EQ(web.worker_connections, 1024);
  EXPECT_EQ(web.worker_processes, 1);
  EXPECT_TRUE(web.weights.empty());

  const auto& app = std::get<models::AppConfig>(c.tiers[2].kind);
  EXPECT_EQ(app.workers, 32);
  EXPECT_EQ(app.pool, 10);
  EXPECT_EQ(app.backlog, 2048);
  EXPECT_EQ(app.pool_timeout, 30 * sim::kSecond);

  EXPECT_EQ(c.tiers[3].count, 2);
  const auto& db = std::get<models::DatabaseConfig>(c.tiers[3].kind);
  EXPECT_EQ(db.replicas, 1);
  EXPECT_EQ(db.max_connections, 200);
  EXPECT_EQ(db.reads, models::ReadRouting::kReplicas);
  EXPECT_DOUBLE_EQ(db.page_bytes, 16384);
  EXPECT_DOUBLE_EQ(db.query_bytes, 512);
}

TEST(ScenarioLoader, Defaults) {
  const auto c = load(kMinimal);
  EXPECT_EQ(c.description, "");
  EXPECT_EQ(c.run.duration, 60 * sim::kSecond);
  EXPECT_EQ(c.run.warmup, 0);
  EXPECT_EQ(c.run.seed, 1u);
  const auto& small = c.machines.at("small");
  EXPECT_DOUBLE_EQ(small.speed, 1.0);
  EXPECT_EQ(small.scheduling, models::CpuScheduling::kProcessorSharing);
  EXPECT_DOUBLE_EQ(small.nic_bandwidth, 0.0);
  EXPECT_FALSE(small.disk.has_value());
  EXPECT_DOUBLE_EQ(small.firewall.mean(), 0.0);
  EXPECT_FALSE(small.monitoring.has_value());
  EXPECT_TRUE(c.hosts.empty());
  EXPECT_EQ(c.network.latency, 0);
  EXPECT_EQ(c.network.client_latency, 0);
  ASSERT_EQ(c.tiers.size(), 1u);
  EXPECT_EQ(c.tiers[0].count, 1);
  EXPECT_EQ(c.tiers[0].node_names, std::vector<std::string>{"web1"});
  EXPECT_TRUE(c.tiers[0].on.empty());
  EXPECT_DOUBLE_EQ(c.tiers[0].cpu.mean(), 0.0);
  const auto& server = std::get<models::ServerConfig>(c.tiers[0].kind);
  EXPECT_EQ(server.workers, 0);
  EXPECT_EQ(server.queue, 0);
  ASSERT_EQ(c.workload.classes.size(), 1u);
  EXPECT_DOUBLE_EQ(c.workload.classes[0].weight, 1.0);
  // A class without demands visits only the first tier.
  ASSERT_EQ(c.workload.classes[0].demands.size(), 1u);
  EXPECT_FALSE(c.workload.classes[0].demands[0].has_value());
}

TEST(ScenarioLoader, TierKindDefaults) {
  const auto c =
      load(with_tiers("  lb: { kind: haproxy, machine: small }\n"
                      "  web: { kind: nginx, machine: small, worker_processes: auto }\n"
                      "  app: { kind: app, machine: small }\n"
                      "  db: { kind: database, machine: small }\n"));
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_EQ(lb.balance, models::Balance::kRandom);
  EXPECT_EQ(lb.random_draws, 2);
  EXPECT_EQ(lb.cluster, models::LbCluster::kSingle);
  EXPECT_EQ(lb.maxconn, 0);
  EXPECT_FALSE(lb.tls.has_value());
  const auto& web = std::get<models::NginxConfig>(c.tiers[1].kind);
  EXPECT_EQ(web.worker_processes, 2);  // auto: the machine's cores
  EXPECT_EQ(web.worker_connections, 512);
  EXPECT_FALSE(web.prefer_local);
  const auto& app = std::get<models::AppConfig>(c.tiers[2].kind);
  EXPECT_EQ(app.workers, 8);
  EXPECT_EQ(app.pool, 10);
  const auto& db = std::get<models::DatabaseConfig>(c.tiers[3].kind);
  EXPECT_EQ(db.replicas, 0);
  EXPECT_EQ(db.max_connections, 151);
  EXPECT_DOUBLE_EQ(db.log_flush_bytes, 4096);
  EXPECT_DOUBLE_EQ(db.result_bytes, 4096);
}

TEST(ScenarioLoader, HaproxySettings) {
  const auto c = load(
      with_tiers("  lb: { kind: haproxy, machine: small, balance: random(3), cluster: single, weights: [1, 0, 256],\n"
                 "        backlog: 5, server_maxconn: 7, maxqueue: 9, timeout_queue: 2s }\n"
                 "  web: { kind: server, machine: small, count: 3 }\n"));
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_EQ(lb.balance, models::Balance::kRandom);
  EXPECT_EQ(lb.random_draws, 3);
  EXPECT_EQ(lb.weights, (std::vector<int>{1, 0, 256}));
  EXPECT_EQ(lb.backlog, 5);
  EXPECT_EQ(lb.server_maxconn, 7);
  EXPECT_EQ(lb.maxqueue, 9);
  EXPECT_EQ(lb.timeout_queue, 2 * sim::kSecond);
  const auto pair =
      load(with_tiers("  lb: { kind: haproxy, machine: small, count: 2, cluster: active-active }\n"
                      "  web: { kind: server, machine: small }\n"));
  EXPECT_EQ(std::get<models::HaproxyConfig>(pair.tiers[0].kind).cluster, models::LbCluster::kActiveActive);
}

TEST(ScenarioLoader, DatabaseCountFromReplicas) {
  const auto c = load(with_tiers("  db: { kind: database, machine: small, replicas: 2 }\n"));
  EXPECT_EQ(c.tiers[0].count, 3);
  EXPECT_EQ(c.tiers[0].node_names, (std::vector<std::string>{"db1", "db2", "db3"}));
  EXPECT_EQ(std::get<models::DatabaseConfig>(c.tiers[0].kind).replicas, 2);
  const auto d = load(with_tiers("  db: { kind: database, machine: small, count: 3, reads: primary }\n"));
  EXPECT_EQ(std::get<models::DatabaseConfig>(d.tiers[0].kind).replicas, 2);
  EXPECT_EQ(std::get<models::DatabaseConfig>(d.tiers[0].kind).reads, models::ReadRouting::kPrimary);
}

TEST(ScenarioLoader, PlacementOnHostsAndNames) {
  const std::string yaml = R"(name: placed
machines:
  box: { cores: 8 }
  big: { cores: 16 }
hosts:
  h1: { machine: box }
  h2: { machine: box }
tiers:
  web: { kind: nginx, on: [h1, h2], worker_processes: auto, prefer_local: true, labels: { role: front } }
  app: { kind: app, on: [h1, h2, h1], names: [a, b, c], count: 3 }
workload:
  arrivals: { users: 20, think: exp(5s) }
  classes:
    only: { app: { cpu: 1ms } }
)";
  const auto c = load(yaml);
  EXPECT_EQ(c.tiers[0].count, 2);
  EXPECT_EQ(c.tiers[0].machine, "");
  EXPECT_EQ(c.tiers[0].on, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(c.tiers[0].labels.at("role"), "front");
  EXPECT_EQ(std::get<models::NginxConfig>(c.tiers[0].kind).worker_processes, 8);
  EXPECT_TRUE(std::get<models::NginxConfig>(c.tiers[0].kind).prefer_local);
  EXPECT_EQ(c.tiers[1].node_names, (std::vector<std::string>{"a", "b", "c"}));
  const auto& closed = std::get<models::ClosedArrivals>(c.workload.arrivals);
  EXPECT_EQ(closed.users, 20);
  EXPECT_DOUBLE_EQ(closed.think.mean(), 5e9);

  // auto is ambiguous when the hosts' machines differ in cores.
  const auto e = error_of(replace(replace(yaml, "h2: { machine: box }", "h2: { machine: big }"), "  app:", "  app2:"));
  EXPECT_EQ(e.key_path(), "tiers.web.worker_processes");
}

TEST(ScenarioLoader, Schedule) {
  const auto c = load(replace(kMinimal, "arrivals: poisson(100/s)",
                              "arrivals: { schedule: [ { at: 0s, rate: 0/s }, { at: 5m, rate: 400/s, ramp: 2m },"
                              " { at: 7m, rate: 10/m } ] }"));
  const auto& open = std::get<models::OpenArrivals>(c.workload.arrivals);
  ASSERT_EQ(open.schedule.size(), 3u);
  EXPECT_EQ(open.schedule[1].at, 5 * sim::kMinute);
  EXPECT_DOUBLE_EQ(open.schedule[1].rate, 400);
  EXPECT_EQ(open.schedule[1].ramp, 2 * sim::kMinute);
  EXPECT_DOUBLE_EQ(open.schedule[2].rate, 10.0 / 60.0);
}

TEST(ScenarioLoader, EmpiricalFileRelativeToTheScenario) {
  const auto dir = std::filesystem::temp_directory_path() / "tiersim_loader_empirical";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "think.csv") << "seconds\n1\n3\n";
  std::ofstream(dir / "s.yaml") << replace(kMinimal, "arrivals: poisson(100/s)",
                                           "arrivals: { users: 5, think: \"empirical(think.csv, unit=s)\" }");
  const auto c = loader::load_scenario_file(dir / "s.yaml");
  EXPECT_DOUBLE_EQ(std::get<models::ClosedArrivals>(c.workload.arrivals).think.mean(), 2e9);
  std::filesystem::remove_all(dir);
}

TEST(ScenarioLoader, DemandDetails) {
  const auto c =
      load(with_tiers("  web: { kind: nginx, machine: small }\n"
                      "  api: { kind: server, machine: disky }\n",
                      "    a: { web: { calls: 2, request: 1KiB, response: 2KiB },\n"
                      "         api: { disk_ios: 3, io_size: 8KiB } }\n"));
  const auto& a = c.workload.classes[0];
  EXPECT_EQ(a.demands[0]->calls, 2);
  EXPECT_DOUBLE_EQ(*a.demands[0]->request_bytes, 1024);
  EXPECT_DOUBLE_EQ(*a.demands[0]->response_bytes, 2048);
  EXPECT_EQ(a.demands[1]->disk_ios, 3);
  EXPECT_DOUBLE_EQ(a.demands[1]->io_bytes, 8192);
}

TEST(ScenarioLoader, AnchorsAndAliases) {
  const auto c = load(replace(kMinimal, "small: { cores: 2 }", "small: &box { cores: 2 }\n  other: *box"));
  EXPECT_EQ(c.machines.at("other").cores, 2);
}

TEST(ScenarioLoader, AnAliasInsideItsOwnAnchorIsAnError) {
  // yaml-cpp accepts it and builds a cyclic tree; walking it overflowed the stack.
  const auto e = error_of(replace(kMinimal, "small: { cores: 2 }", "small: &box { cores: 2, nic: *box }"));
  EXPECT_EQ(e.line(), 3) << e.what();
  EXPECT_EQ(e.column(), 32) << e.what();
  EXPECT_THAT(e.what(), ::testing::HasSubstr("alias refers to the anchor of a map or list that contains it"));
  const auto nested = error_of(replace(kMinimal, "small: { cores: 2 }", "small: &box { cores: 2, x: [1, { y: *box }] }"));
  EXPECT_THAT(nested.what(), ::testing::HasSubstr("contains it"));
  // In a --set value too.
  const auto set = error_of(kMinimal, {{"machines.small", "&a { cores: 2, nic: *a }"}});
  EXPECT_THAT(set.what(), ::testing::HasSubstr("contains it"));
  // An alias after its anchor's map has closed stays valid (AnchorsAndAliases).
}

TEST(ScenarioLoader, MessagesEscapeWhatIsNotPrintableUtf8) {
  EXPECT_EQ(loader::detail::in_quotes("caf\xc3\xa9 \xff\xe2\x82"), "\"caf\xc3\xa9 \\xff\\xe2\\x82\"");
  EXPECT_EQ(loader::detail::printable("a\nb\x1b[1m\xf0\x9f\x98\x80\xed\xa0\x80"),
            "a\nb\\x1b[1m\xf0\x9f\x98\x80\\xed\\xa0\\x80");
  // Shortened after 60 characters without cutting a character in two.
  const std::string long_text = std::string(59, 'a') + "\xc3\xa9" + "zzz";
  EXPECT_EQ(loader::detail::in_quotes(long_text), "\"" + std::string(59, 'a') + "\xc3\xa9...\"");
}

// ---------------------------------------------------------------- failure handling and faults

// Every new failure-handling key, and one fault of each form. Two hosts carry
// rack labels; web and app share them, so web1 and app1 are co-located.
const std::string kFaulty = R"(name: faulty
run: { duration: 1h, warmup: 1m }
machines:
  std: { cores: 4, nic: 1Gbps }
  db: { cores: 8, disk: { iops: 1000, bandwidth: 100MB/s } }
hosts:
  box-a: { machine: std, labels: { rack: rack-a } }
  box-b: { machine: std, labels: { rack: rack-b } }
tiers:
  lb: { kind: haproxy, count: 2, machine: std, health_check: true, retries: 2, redispatch: true,
        timeout_connect: 2s, timeout_server: 30s,
        vrrp: { advert_int: 2s, priority: [100, 200], preempt: false, preempt_delay: 5s, arp_delay: 100ms,
                version: 3, track_interval: 500ms, track_fall: 2, track_rise: 3 } }
  web: { kind: nginx, on: [box-a, box-b], max_fails: 2, fail_timeout: 5s, next_upstream: false,
         connect_timeout: 1s, read_timeout: 0s }
  app: { kind: app, on: [box-a, box-b], connect_timeout: 1s, call_timeout: 5s, labels: { zone: z1 } }
  db: { kind: database, machine: db, replicas: 1, failover: { detection: 10s, promotion: 20s } }
workload:
  arrivals: poisson(100/s)
  client: { timeout: 2s, connect_timeout: 1s, retries: 3, backoff: exp_jitter(100ms, cap=2s), budget: 10%,
            circuit_breaker: { failures: 4, open_for: 30s } }
  classes:
    page: { app: { cpu: 5ms }, db: { cpu: 1ms, reads: 1 } }
slo: { target: 99.9%, window: 30s }
faults:
  - { at: 10m, crash: lb1, repair_after: 15m }
  - { at: 10m, kill: app1, for: 1m }
  - { at: 11m, stop: lb2 }
  - { at: 12m, slow: db1, cpu: 2x, disk: 10x, for: 5m }
  - { at: 12m, network: app2, latency: 50ms, loss: 1%, rto: 300ms, for: 1m }
  - { at: 20m, partition: [[app1, web1], ["db?"]], for: 30s }
  - { target: "app*", mttf: exp(30d), mttr: lognormal(2h, cv=1) }
  - { domain: rack-a, mttf: exp(1y), mttr: exp(4h) }
  - { domain: zone=z1, kind: slow, nic: 3x, mttf: exp(1y), mttr: 4h }
  - { target: web2, kind: network, loss: 0.05, mttf: exp(7d), mttr: exp(10m) }
)";

TEST(FailureHandling, SloTargetAsPercentageOrFraction) {
  const auto c = load(kFaulty);
  EXPECT_DOUBLE_EQ(c.slo.target, 0.999);
  EXPECT_EQ(c.slo.window, 30 * sim::kSecond);
  const auto fraction = load(replace(kFaulty, "target: 99.9%", "target: 0.99"));
  EXPECT_DOUBLE_EQ(fraction.slo.target, 0.99);
  EXPECT_DOUBLE_EQ(load(replace(kFaulty, "target: 99.9%", "target: 100%")).slo.target, 1.0);
  EXPECT_DOUBLE_EQ(load(replace(kFaulty, "target: 99.9%", "target: 1")).slo.target, 1.0);
  const auto defaults = load(kMinimal);
  EXPECT_DOUBLE_EQ(defaults.slo.target, 0.999);
  EXPECT_EQ(defaults.slo.window, 10 * sim::kSecond);
  EXPECT_FALSE(defaults.slo.latency.has_value());
  EXPECT_FALSE(c.slo.latency.has_value());
  EXPECT_EQ(load(replace(kFaulty, "window: 30s", "window: 30s, latency: 300ms")).slo.latency,
            300 * sim::kMillisecond);
}

TEST(FailureHandling, ClientSettings) {
  const auto c = load(kFaulty).workload.client;
  EXPECT_EQ(c.timeout, 2 * sim::kSecond);
  EXPECT_EQ(c.connect_timeout, 1 * sim::kSecond);
  EXPECT_EQ(c.retries, 3);
  EXPECT_EQ(c.backoff.base, 100 * sim::kMillisecond);
  EXPECT_TRUE(c.backoff.exponential);
  EXPECT_EQ(c.backoff.cap, 2 * sim::kSecond);
  EXPECT_EQ(c.backoff.jitter, models::Jitter::kFull);
  ASSERT_TRUE(c.budget.has_value());
  EXPECT_DOUBLE_EQ(c.budget->ratio, 0.1);
  EXPECT_DOUBLE_EQ(c.budget->max_tokens, 100.0);
  ASSERT_TRUE(c.circuit_breaker.has_value());
  EXPECT_EQ(c.circuit_breaker->failures, 4);
  EXPECT_EQ(c.circuit_breaker->open_for, 30 * sim::kSecond);

  const auto defaults = load(kMinimal).workload.client;
  EXPECT_EQ(defaults.timeout, 0);
  EXPECT_EQ(defaults.connect_timeout, 3 * sim::kSecond);
  EXPECT_EQ(defaults.retries, 0);
  EXPECT_EQ(defaults.backoff.base, 0);
  EXPECT_FALSE(defaults.budget.has_value());
  EXPECT_FALSE(defaults.circuit_breaker.has_value());

  const auto map = load(replace(kFaulty, "budget: 10%", "budget: { ratio: 0.2, max_tokens: 10 }"),
                        overrides({"workload.client.circuit_breaker={}"}))
                       .workload.client;
  EXPECT_DOUBLE_EQ(map.budget->ratio, 0.2);
  EXPECT_DOUBLE_EQ(map.budget->max_tokens, 10.0);
  EXPECT_EQ(map.circuit_breaker->failures, 5);
  EXPECT_EQ(map.circuit_breaker->open_for, 10 * sim::kSecond);
}

TEST(FailureHandling, EveryBackoffForm) {
  using models::Jitter;
  struct Case {
    std::string text;
    sim::Time base;
    bool exponential;
    sim::Time cap;
    Jitter jitter;
  };
  constexpr sim::Time kMs = sim::kMillisecond;
  const std::vector<Case> cases = {
      {"none", 0, false, 0, Jitter::kNone},
      {"constant(100ms)", 100 * kMs, false, 0, Jitter::kNone},
      {"constant(100ms, jitter=equal)", 100 * kMs, false, 0, Jitter::kEqual},
      {"exponential(100ms)", 100 * kMs, true, 0, Jitter::kNone},
      {"exponential(100ms, cap=2s)", 100 * kMs, true, 2000 * kMs, Jitter::kNone},
      {"exponential( 100ms , cap=2s, jitter=full )", 100 * kMs, true, 2000 * kMs, Jitter::kFull},
      {"exponential(100ms, jitter=equal)", 100 * kMs, true, 0, Jitter::kEqual},
      {"exp_jitter(50ms)", 50 * kMs, true, 0, Jitter::kFull},
      {"exp_jitter(100ms, cap=2s)", 100 * kMs, true, 2000 * kMs, Jitter::kFull},
      {"exp_equal_jitter(100ms, cap=100ms)", 100 * kMs, true, 100 * kMs, Jitter::kEqual},
      {"{ base: 100ms }", 100 * kMs, false, 0, Jitter::kNone},
      {"{ base: 100ms, exponential: true, cap: 2s, jitter: equal }", 100 * kMs, true, 2000 * kMs, Jitter::kEqual},
      {"{ base: 1s, jitter: full }", 1000 * kMs, false, 0, Jitter::kFull},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto b = load(replace(kFaulty, "exp_jitter(100ms, cap=2s)", c.text)).workload.client.backoff;
    EXPECT_EQ(b.base, c.base);
    EXPECT_EQ(b.exponential, c.exponential);
    EXPECT_EQ(b.cap, c.cap);
    EXPECT_EQ(b.jitter, c.jitter);
  }
  // The same text through --set.
  const auto set = load(kMinimal, overrides({"workload.client={retries: 2, backoff: exponential(1s, cap=8s)}"}));
  EXPECT_EQ(set.workload.client.backoff.cap, 8 * sim::kSecond);
}

// `redispatch: N` is option redispatch N (0 included); spread_checks and
// on_marked_down as written.
TEST(FailureHandling, RedispatchIntervalSpreadChecksAndOnMarkedDown) {
  std::string text = kFaulty;
  text.replace(text.find("redispatch: true"), 16, "redispatch: -2, spread_checks: 5");
  text.replace(text.find("health_check: true"), 18, "health_check: { on_marked_down: shutdown-sessions }");
  const auto c = load(text);
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_TRUE(lb.redispatch);
  EXPECT_EQ(lb.redispatch_after, -2);
  EXPECT_EQ(lb.spread_checks, 5);
  EXPECT_TRUE(lb.health_check->shutdown_sessions_on_down);
  text.replace(text.find("redispatch: -2"), 14, "redispatch: 0");
  const auto zero = load(text);
  EXPECT_TRUE(std::get<models::HaproxyConfig>(zero.tiers[0].kind).redispatch);
  EXPECT_EQ(std::get<models::HaproxyConfig>(zero.tiers[0].kind).redispatch_after, 0);
}

TEST(FailureHandling, TierSettings) {
  const auto c = load(kFaulty);
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  ASSERT_TRUE(lb.health_check.has_value());
  EXPECT_EQ(lb.health_check->inter, 2 * sim::kSecond);  // HAProxy's defaults
  EXPECT_EQ(lb.health_check->rise, 2);
  EXPECT_EQ(lb.health_check->fall, 3);
  EXPECT_EQ(lb.retries, 2);
  EXPECT_TRUE(lb.redispatch);
  EXPECT_EQ(lb.redispatch_after, -1);  // option redispatch with no N: the last retry
  EXPECT_EQ(lb.spread_checks, 0);
  EXPECT_FALSE(lb.health_check->shutdown_sessions_on_down);
  EXPECT_EQ(lb.timeout_connect, 2 * sim::kSecond);
  EXPECT_EQ(lb.timeout_queue, 2 * sim::kSecond);  // follows timeout_connect
  EXPECT_EQ(lb.timeout_server, 30 * sim::kSecond);
  EXPECT_EQ(lb.vrrp.advert_int, 2 * sim::kSecond);
  EXPECT_EQ(lb.vrrp.priority, (std::vector<int>{100, 200}));
  EXPECT_FALSE(lb.vrrp.preempt);
  EXPECT_EQ(lb.vrrp.preempt_delay, 5 * sim::kSecond);
  EXPECT_EQ(lb.vrrp.arp_delay, 100 * sim::kMillisecond);
  EXPECT_EQ(lb.vrrp.version, 3);
  EXPECT_EQ(lb.vrrp.track_interval, 500 * sim::kMillisecond);
  EXPECT_EQ(lb.vrrp.track_fall, 2);
  EXPECT_EQ(lb.vrrp.track_rise, 3);

  const auto& web = std::get<models::NginxConfig>(c.tiers[1].kind);
  EXPECT_EQ(web.max_fails, 2);
  EXPECT_EQ(web.fail_timeout, 5 * sim::kSecond);
  EXPECT_FALSE(web.next_upstream);
  EXPECT_EQ(web.connect_timeout, 1 * sim::kSecond);
  EXPECT_EQ(web.read_timeout, 0);

  const auto& app = std::get<models::AppConfig>(c.tiers[2].kind);
  EXPECT_EQ(app.connect_timeout, 1 * sim::kSecond);
  EXPECT_EQ(app.call_timeout, 5 * sim::kSecond);

  const auto& db = std::get<models::DatabaseConfig>(c.tiers[3].kind);
  EXPECT_EQ(db.failover_detection, 10 * sim::kSecond);
  EXPECT_EQ(db.failover_promotion, 20 * sim::kSecond);
  const auto instant = load(replace(kFaulty, "{ detection: 10s, promotion: 20s }", "{ detection: 0s }"));
  EXPECT_EQ(std::get<models::DatabaseConfig>(instant.tiers[3].kind).failover_detection, 0);
  EXPECT_EQ(std::get<models::DatabaseConfig>(instant.tiers[3].kind).failover_promotion, 0);

  const auto checks =
      load(replace(kFaulty, "health_check: true",
                   "health_check: { inter: 1s, fastinter: 500ms, downinter: 5s, rise: 1, fall: 2, timeout: 300ms },"
                   " timeout_queue: 9s"));
  const auto& hc = *std::get<models::HaproxyConfig>(checks.tiers[0].kind).health_check;
  EXPECT_EQ(hc.inter, 1 * sim::kSecond);
  EXPECT_EQ(hc.fastinter, 500 * sim::kMillisecond);
  EXPECT_EQ(hc.downinter, 5 * sim::kSecond);
  EXPECT_EQ(hc.rise, 1);
  EXPECT_EQ(hc.fall, 2);
  EXPECT_EQ(hc.timeout, 300 * sim::kMillisecond);
  EXPECT_EQ(std::get<models::HaproxyConfig>(checks.tiers[0].kind).timeout_queue, 9 * sim::kSecond);
  const auto off = load(replace(kFaulty, "health_check: true", "health_check: false"));
  EXPECT_FALSE(std::get<models::HaproxyConfig>(off.tiers[0].kind).health_check.has_value());
}

TEST(FailureHandling, TierDefaults) {
  const auto c =
      load(with_tiers("  lb: { kind: haproxy, machine: small }\n"
                      "  web: { kind: nginx, machine: small }\n"
                      "  app: { kind: app, machine: small }\n"
                      "  db: { kind: database, machine: small, replicas: 1 }\n"));
  const auto& lb = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_FALSE(lb.health_check.has_value());
  EXPECT_EQ(lb.retries, 3);
  EXPECT_FALSE(lb.redispatch);
  EXPECT_EQ(lb.timeout_connect, 5 * sim::kSecond);
  EXPECT_EQ(lb.timeout_queue, 5 * sim::kSecond);
  EXPECT_EQ(lb.timeout_server, 0);
  EXPECT_EQ(lb.vrrp.priority, (std::vector<int>{150, 100}));
  // keepalived's vrrp_script defaults: interval 1 s, fall 1, rise 1.
  EXPECT_EQ(lb.vrrp.track_interval, sim::kSecond);
  EXPECT_EQ(lb.vrrp.track_fall, 1);
  EXPECT_EQ(lb.vrrp.track_rise, 1);
  const auto& web = std::get<models::NginxConfig>(c.tiers[1].kind);
  EXPECT_EQ(web.max_fails, 1);
  EXPECT_EQ(web.fail_timeout, 10 * sim::kSecond);
  EXPECT_TRUE(web.next_upstream);
  EXPECT_EQ(web.connect_timeout, 60 * sim::kSecond);
  EXPECT_EQ(web.read_timeout, 60 * sim::kSecond);
  const auto& app = std::get<models::AppConfig>(c.tiers[2].kind);
  EXPECT_EQ(app.connect_timeout, 5 * sim::kSecond);
  EXPECT_EQ(app.call_timeout, 0);
  EXPECT_FALSE(std::get<models::DatabaseConfig>(c.tiers[3].kind).failover_detection.has_value());
  EXPECT_TRUE(c.faults.empty());
}

// VRRP version 2's advert carries its interval in whole seconds (RFC 3768
// 5.3.7): a sub-second or fractional advert_int is an error that names the
// key and the version and points to version 3, which carries centiseconds.
TEST(FailureHandling, VrrpVersion2AdvertIntIsWholeSeconds) {
  const auto pair = [](const std::string& vrrp) {
    return with_tiers("  lb: { kind: haproxy, count: 2, machine: small, vrrp: " + vrrp +
                      " }\n  web: { kind: nginx, machine: small }\n");
  };
  for (const char* bad : {"{ advert_int: 500ms }", "{ advert_int: 1500ms, version: 2 }", "{ advert_int: 256s }"}) {
    SCOPED_TRACE(bad);
    const auto e = error_of(pair(bad));
    EXPECT_EQ(e.key_path(), "tiers.lb.vrrp.advert_int");
    EXPECT_THAT(e.what(), HasSubstr("VRRP version 2 carries advert_int in whole seconds, from 1s to 255s; found "));
    EXPECT_THAT(e.what(), HasSubstr("version: 3"));
  }
  const auto c = load(pair("{ advert_int: 500ms, version: 3 }"));
  EXPECT_EQ(std::get<models::HaproxyConfig>(c.tiers[0].kind).vrrp.advert_int, 500 * sim::kMillisecond);
  const auto whole = load(pair("{ advert_int: 2s }"));
  EXPECT_EQ(std::get<models::HaproxyConfig>(whole.tiers[0].kind).vrrp.advert_int, 2 * sim::kSecond);
}

// HAProxy's defaults: no slowstart, no observe, error-limit 10, on-error
// fail-check; no replication lag.
TEST(FailureHandling, SlowstartPassiveChecksAndReplicationLag) {
  const auto defaults = load(kFaulty);
  const auto& lb = std::get<models::HaproxyConfig>(defaults.tiers[0].kind);
  EXPECT_EQ(lb.slowstart, 0);
  EXPECT_EQ(lb.health_check->observe, models::Observe::kOff);
  EXPECT_EQ(lb.health_check->error_limit, 10);
  EXPECT_EQ(lb.health_check->on_error, models::OnError::kFailCheck);
  EXPECT_FALSE(std::get<models::DatabaseConfig>(defaults.tiers[3].kind).replication_lag.has_value());

  const auto c = load(replace(
      replace(kFaulty, "health_check: true",
              "health_check: { observe: layer7, error_limit: 5, on_error: sudden-death }, slowstart: 30s"),
      "replicas: 1,", "replicas: 1, replication_lag: exp(200ms),"));
  const auto& set = std::get<models::HaproxyConfig>(c.tiers[0].kind);
  EXPECT_EQ(set.slowstart, 30 * sim::kSecond);
  EXPECT_EQ(set.health_check->observe, models::Observe::kLayer7);
  EXPECT_EQ(set.health_check->error_limit, 5);
  EXPECT_EQ(set.health_check->on_error, models::OnError::kSuddenDeath);
  const auto& db = std::get<models::DatabaseConfig>(c.tiers[3].kind);
  ASSERT_TRUE(db.replication_lag.has_value());
  EXPECT_DOUBLE_EQ(db.replication_lag->mean(), 200e6);
  for (const auto& [text, mode] : std::vector<std::pair<std::string, models::OnError>>{
           {"fastinter", models::OnError::kFastinter},
           {"fail-check", models::OnError::kFailCheck},
           {"mark-down", models::OnError::kMarkDown}}) {
    const auto m =
        load(replace(kFaulty, "health_check: true", "health_check: { observe: layer4, on_error: " + text + " }"));
    EXPECT_EQ(std::get<models::HaproxyConfig>(m.tiers[0].kind).health_check->on_error, mode) << text;
  }
}

// The database router: ProxySQL's defaults unless set; false turns it off.
TEST(FailureHandling, ReadRouter) {
  const auto defaults = load(kFaulty);
  const auto& router = std::get<models::DatabaseConfig>(defaults.tiers[3].kind).router;
  ASSERT_TRUE(router.has_value());
  EXPECT_EQ(router->ping_interval, 8 * sim::kSecond);
  EXPECT_EQ(router->ping_timeout, sim::kSecond);
  EXPECT_EQ(router->ping_max_failures, 3);
  EXPECT_EQ(router->connect_timeout_max, 10 * sim::kSecond);
  EXPECT_TRUE(router->writer_is_also_reader);
  EXPECT_FALSE(router->fallback_to_primary);

  const auto off = load(replace(kFaulty, "replicas: 1,", "replicas: 1, router: false,"));
  EXPECT_FALSE(std::get<models::DatabaseConfig>(off.tiers[3].kind).router.has_value());
  const auto set = load(replace(kFaulty, "replicas: 1,",
                                "replicas: 1, router: { ping_interval: 2s, ping_timeout: 500ms, ping_max_failures: 5, "
                                "connect_timeout_max: 3s, writer_is_also_reader: false, fallback_to_primary: true },"));
  const auto& r = *std::get<models::DatabaseConfig>(set.tiers[3].kind).router;
  EXPECT_EQ(r.ping_interval, 2 * sim::kSecond);
  EXPECT_EQ(r.ping_timeout, 500 * sim::kMillisecond);
  EXPECT_EQ(r.ping_max_failures, 5);
  EXPECT_EQ(r.connect_timeout_max, 3 * sim::kSecond);
  EXPECT_FALSE(r.writer_is_also_reader);
  EXPECT_TRUE(r.fallback_to_primary);
  // A ping_interval at or below the default ping_timeout is an error at ping_interval.
  EXPECT_THROW(load(replace(kFaulty, "replicas: 1,", "replicas: 1, router: { ping_interval: 1s },")),
               loader::ScenarioError);
}

TEST(FailureHandling, ScheduledFaults) {
  const auto c = load(kFaulty);
  ASSERT_EQ(c.faults.size(), 10u);

  const auto& crash = c.faults[0];
  EXPECT_TRUE(std::holds_alternative<models::HostCrash>(crash.effect));
  EXPECT_EQ(crash.target, "lb1");
  EXPECT_EQ(crash.nodes, std::vector<std::string>{"lb1"});
  EXPECT_EQ(crash.at, 10 * sim::kMinute);
  EXPECT_EQ(crash.duration, 15 * sim::kMinute);
  EXPECT_FALSE(crash.mttf.has_value());

  const auto& kill = c.faults[1];
  EXPECT_TRUE(std::holds_alternative<models::ProcessCrash>(kill.effect));
  EXPECT_EQ(kill.nodes, std::vector<std::string>{"app1"});
  EXPECT_EQ(kill.duration, 1 * sim::kMinute);  // for: is repair_after

  const auto& stop = c.faults[2];
  EXPECT_TRUE(std::holds_alternative<models::Stop>(stop.effect));
  EXPECT_EQ(stop.at, 11 * sim::kMinute);
  EXPECT_EQ(stop.duration, 0);  // until the end

  const auto& slow = c.faults[3];
  EXPECT_TRUE(std::holds_alternative<models::Slowdown>(slow.effect));
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(slow.effect).cpu_factor, 2.0);
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(slow.effect).disk_factor, 10.0);
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(slow.effect).nic_factor, 1.0);

  const auto& network = c.faults[4];
  EXPECT_TRUE(std::holds_alternative<models::NetworkFault>(network.effect));
  EXPECT_EQ(network.nodes, std::vector<std::string>{"app2"});
  EXPECT_EQ(std::get<models::NetworkFault>(network.effect).added_latency, 50 * sim::kMillisecond);
  EXPECT_DOUBLE_EQ(std::get<models::NetworkFault>(network.effect).loss, 0.01);
  EXPECT_EQ(std::get<models::NetworkFault>(network.effect).retransmission_timeout, 300 * sim::kMillisecond);

  const auto& partition = c.faults[5];
  EXPECT_TRUE(std::holds_alternative<models::Partition>(partition.effect));
  EXPECT_EQ(std::get<models::Partition>(partition.effect).groups,
            (std::vector<std::vector<std::string>>{{"app1", "web1"}, {"db1", "db2"}}));  // globs resolved
  EXPECT_EQ(partition.nodes, (std::vector<std::string>{"app1", "web1", "db1", "db2"}));
  EXPECT_EQ(partition.target, "[[app1, web1], [db?]]");
  EXPECT_EQ(partition.duration, 30 * sim::kSecond);

  // A glob in a scheduled fault: every match at once.
  const auto glob = load(replace(kFaulty, "crash: lb1, repair_after: 15m", "crash: \"*b?\""));
  EXPECT_EQ(glob.faults[0].nodes, (std::vector<std::string>{"lb1", "lb2", "web1", "web2", "db1", "db2"}));
  EXPECT_EQ(glob.faults[0].target, "*b?");
  // Defaults of the effect keys not given.
  const auto latency_only = load(replace(kFaulty, "latency: 50ms, loss: 1%, rto: 300ms", "latency: 5ms"));
  EXPECT_DOUBLE_EQ(std::get<models::NetworkFault>(latency_only.faults[4].effect).loss, 0.0);
  EXPECT_EQ(std::get<models::NetworkFault>(latency_only.faults[4].effect).retransmission_timeout, 200 * sim::kMillisecond);
  const auto nic_only = load(replace(kFaulty, "slow: db1, cpu: 2x, disk: 10x", "slow: app1, nic: 1.5x"));
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(nic_only.faults[3].effect).cpu_factor, 1.0);
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(nic_only.faults[3].effect).disk_factor, 1.0);
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(nic_only.faults[3].effect).nic_factor, 1.5);
}

TEST(FailureHandling, StochasticFaults) {
  const auto c = load(kFaulty);

  const auto& each = c.faults[6];
  EXPECT_TRUE(std::holds_alternative<models::HostCrash>(each.effect));  // the default kind
  EXPECT_EQ(each.target, "app*");
  EXPECT_EQ(each.nodes, (std::vector<std::string>{"app1", "app2"}));
  EXPECT_FALSE(each.together);
  EXPECT_FALSE(each.at.has_value());
  ASSERT_TRUE(each.mttf.has_value() && each.mttr.has_value());
  EXPECT_EQ(each.mttf->kind(), sim::Distribution::Kind::kExponential);
  EXPECT_DOUBLE_EQ(each.mttf->mean(), 30.0 * sim::kDay);
  EXPECT_EQ(each.mttr->kind(), sim::Distribution::Kind::kLognormal);
  EXPECT_DOUBLE_EQ(each.mttr->mean(), 2.0 * sim::kHour);

  // A label value: the hosts' labels reach the nodes placed on them.
  const auto& rack = c.faults[7];
  EXPECT_EQ(rack.target, "rack-a");
  EXPECT_EQ(rack.nodes, (std::vector<std::string>{"web1", "app1"}));
  EXPECT_TRUE(rack.together);
  EXPECT_DOUBLE_EQ(rack.mttf->mean(), static_cast<double>(sim::kYear));

  // key=value, here a tier's label, with a kind and its effect keys.
  const auto& zone = c.faults[8];
  EXPECT_TRUE(std::holds_alternative<models::Slowdown>(zone.effect));
  EXPECT_EQ(zone.target, "zone=z1");
  EXPECT_EQ(zone.nodes, (std::vector<std::string>{"app1", "app2"}));
  EXPECT_TRUE(zone.together);
  EXPECT_DOUBLE_EQ(std::get<models::Slowdown>(zone.effect).nic_factor, 3.0);
  EXPECT_EQ(zone.mttr->kind(), sim::Distribution::Kind::kConstant);

  const auto& lossy = c.faults[9];
  EXPECT_TRUE(std::holds_alternative<models::NetworkFault>(lossy.effect));
  EXPECT_DOUBLE_EQ(std::get<models::NetworkFault>(lossy.effect).loss, 0.05);
  EXPECT_EQ(std::get<models::NetworkFault>(lossy.effect).added_latency, 0);

  for (const std::string kind : {"crash", "kill", "stop"}) {
    const auto k = load(replace(kFaulty, "{ domain: rack-a,", "{ domain: rack-a, kind: " + kind + ","));
    EXPECT_EQ(models::fault_key(k.faults[7].effect), kind);
  }
  // The domain also matches a key=value of a host label.
  EXPECT_EQ(load(replace(kFaulty, "domain: rack-a", "domain: rack=rack-b")).faults[7].nodes,
            (std::vector<std::string>{"web2", "app2"}));
}

// ---------------------------------------------------------------- errors

TEST(ScenarioErrors, FormatWithPositionKeyPathAndSuggestion) {
  const auto e = error_of(replace(kScaledUp, "workers: 32", "wrokers: 32"));
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_EQ(e.line(), 21);
  EXPECT_EQ(e.column(), 50);
  EXPECT_EQ(e.key_path(), "tiers.app.wrokers");
  EXPECT_STREQ(e.what(), "test.yaml:21:50: tiers.app.wrokers: unknown key; did you mean \"workers\"?");
}

TEST(ScenarioErrors, BadValuePointsAtTheValue) {
  const auto e = error_of(replace(kScaledUp, "workers: 32", "workers: -3"));
  EXPECT_STREQ(e.what(), "test.yaml:21:59: tiers.app.workers: expected a positive integer, found \"-3\"");
}

TEST(ScenarioErrors, UnknownKeyFarFromAnyListsTheValidKeys) {
  const auto e = error_of(replace(kMinimal, "small: { cores: 2 }", "small: { cores: 2, colour: red }"));
  EXPECT_EQ(e.key_path(), "machines.small.colour");
  EXPECT_THAT(e.what(), HasSubstr("unknown key; valid keys here: cores, speed, scheduling, nic, disk"));
}

TEST(ScenarioErrors, MissingKeyPointsAtTheEnclosingMap) {
  const auto e = error_of(replace(kMinimal, "small: { cores: 2 }", "small: { speed: 2 }"));
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 10);
  EXPECT_EQ(e.key_path(), "machines.small.cores");
  EXPECT_THAT(e.what(), HasSubstr("required key is missing"));
}

TEST(ScenarioErrors, YamlSyntaxError) {
  const auto e = error_of("name: x\nmachines: [a, b\n");
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_GT(e.line(), 0);
  EXPECT_GT(e.column(), 0);
  EXPECT_EQ(e.key_path(), "");
  EXPECT_THAT(e.what(), HasSubstr("YAML syntax error"));
  const auto tab = error_of("name: x\nmachines:\n\tsmall: 1\n");
  EXPECT_THAT(tab.what(), HasSubstr("YAML syntax error"));
}

TEST(ScenarioErrors, MissingFile) {
  try {
    loader::load_scenario_file("/nonexistent/dir/x.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/dir/x.yaml");
    EXPECT_EQ(e.line(), 0);
    EXPECT_THAT(e.what(), StartsWith("/nonexistent/dir/x.yaml: cannot read the scenario: "));
  }
  EXPECT_THROW(loader::load_scenario_file(std::filesystem::temp_directory_path()), ScenarioError);
}

TEST(ScenarioErrors, DocumentShape) {
  EXPECT_THAT(error_of("").what(), HasSubstr("the scenario is empty"));
  EXPECT_THAT(error_of("# only a comment\n").what(), HasSubstr("the scenario is empty"));
  EXPECT_THAT(error_of("- a\n- b\n").what(), HasSubstr("expected a map of keys such as name"));
  EXPECT_THAT(error_of(kMinimal + "---\nname: second\n").what(), HasSubstr("a second YAML document"));
  const auto dup = error_of(kMinimal + "name: again\n");
  EXPECT_EQ(dup.key_path(), "name");
  EXPECT_EQ(dup.line(), 10);
  EXPECT_THAT(dup.what(), HasSubstr("duplicate key (first at line 1)"));
  EXPECT_THAT(error_of(replace(kMinimal, "name: minimal", "? [a]\n: b")).what(), HasSubstr("a key must be plain text"));
}

TEST(ScenarioErrors, MessagesQuoteValuesOnOneLine) {
  const auto e = error_of(replace(kMinimal, "cores: 2", "cores: \"2\\n3\""));
  EXPECT_THAT(e.what(), HasSubstr("found \"2\\n3\""));
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
}

TEST(ScenarioErrors, DistributionErrorsArePositionedAtTheValue) {
  const auto e = error_of(replace(kMinimal, "hello: {}", "hello: { web: { cpu: \"lognormal(8ms, cv=-1)\" } }"));
  EXPECT_EQ(e.key_path(), "workload.classes.hello.web.cpu");
  EXPECT_EQ(e.line(), 9);
  EXPECT_EQ(e.column(), 26);
  EXPECT_THAT(e.what(), HasSubstr("cv: expected a non-negative number"));
}

TEST(ScenarioErrors, SemanticChecks) {
  struct Case {
    std::string yaml;
    std::string key_path;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {replace(kMinimal, "cores: 2", "cores: 0"), "machines.small.cores", "expected a positive integer"},
      {replace(kMinimal, "cores: 2", "cores: 2, speed: 0"), "machines.small.speed", "expected a positive number"},
      {replace(kMinimal, "cores: 2", "cores: 2, speed: .nan"), "machines.small.speed", "expected a positive number"},
      {replace(kMinimal, "cores: 2", "cores: 99999999999"), "machines.small.cores",
       "expected a positive integer no larger than 4096"},
      {replace(kMinimal, "cores: 2", "cores: 2, disk: { iops: 1, bandwidth: 1MB/s, depth: 5000 }"),
       "machines.small.disk.depth", "no larger than 4096"},
      {replace(kMinimal, "machine: small", "machine: small, count: 10001"), "tiers.web.count", "no larger than 10000"},
      {replace(kMinimal, "poisson(100/s)", "{ users: 1000001, think: 1s }"), "workload.arrivals.users",
       "no larger than 1000000"},
      {replace(replace(kMinimal, "cores: 2", "cores: 2, disk: { iops: 1, bandwidth: 1MB/s }"), "hello: {}",
               "hello: { web: { disk_ios: 70000 } }"),
       "workload.classes.hello.web", "at most 65535 are supported"},
      {replace(kMinimal, "name: minimal", "name: minimal\nrun: { duration: 0s }"), "run.duration",
       "expected a positive duration"},
      {replace(kMinimal, "name: minimal", "name: minimal\nrun: { duration: 30 }"), "run.duration",
       "expected a duration with a unit (ns, us, ms, s, m, h, d, y), found \"30\""},
      {replace(kMinimal, "name: minimal", "name: minimal\nrun: { seed: -1 }"), "run.seed",
       "expected an unsigned 64-bit integer"},
      {replace(kMinimal, "name: minimal", "name: \"\""), "name", "expected a non-empty name"},
      {replace(kMinimal, "name: minimal", "name:"), "name", "expected text, found nothing"},
      {replace(kMinimal, "machine: small", "machine: smal"), "tiers.web.machine",
       "unknown machine \"smal\"; did you mean \"small\"?"},
      {replace(kMinimal, "machine: small", "machine: small, count: 0"), "tiers.web.count",
       "expected a positive integer"},
      {replace(kMinimal, "kind: server", "kind: servr"), "tiers.web.kind", "did you mean \"server\"?"},
      {replace(kMinimal, "machine: small", "machine: small, on: [x]"), "tiers.web.on", "give machine or on"},
      {replace(kMinimal, "kind: server, machine: small", "kind: server"), "tiers.web.machine",
       "required key is missing"},
      {replace(kMinimal, "kind: server, machine: small", "kind: server, on: [h1]"), "tiers.web.on.0",
       "unknown host \"h1\"; there are none"},
      {replace(kMinimal, "web: {", "weight: {"), "tiers.weight", "a tier cannot be named weight"},
      {replace(kMinimal, "web: {", "web.x: {"), "tiers.web.x", "expected a name of letters"},
      {replace(kMinimal, "hello: {}", "hello: { weight: 0 }"), "workload.classes", "weights sum to 0"},
      {replace(kMinimal, "hello: {}", "hello: { weight: -1 }"), "workload.classes.hello.weight",
       "expected a non-negative number"},
      {replace(kMinimal, "hello: {}", "hello: { wbe: {} }"), "workload.classes.hello.wbe",
       "not a tier name nor weight, request, response or method; did you mean \"web\"?"},
      {replace(kMinimal, "hello: {}", "hello: { cpu: 1ms }"), "workload.classes.hello.cpu",
       "belongs in a tier's demand"},
      {replace(kMinimal, "hello: {}", "hello: { web: { reads: 1 } }"), "workload.classes.hello.web.reads",
       "only database tiers take reads; tier web is a server tier"},
      {replace(kMinimal, "hello: {}", "hello: { web: { calls: 2 } }"), "workload.classes.hello.web.calls",
       "calls no further tier"},
      {replace(kMinimal, "hello: {}", "hello: { web: { disk_ios: 1 } }"), "workload.classes.hello.web.disk_ios",
       "this needs a disk"},
      {replace(kMinimal, "hello: {}", "hello: { web: { cpu: 5 } }"), "workload.classes.hello.web.cpu",
       "expected a duration with a unit"},
      {replace(kMinimal, "hello: {}", ""), "workload.classes", "expected a map, found nothing"},
      {replace(kMinimal, "    hello: {}\n", "    {}\n"), "workload.classes", "expected at least one class"},
      {replace(kMinimal, "poisson(100/s)", "600/s"), "workload.arrivals", "expected poisson(<rate>)"},
      {replace(kMinimal, "poisson(100/s)", "poisson(0/s)"), "workload.arrivals", "expected a positive rate"},
      {replace(kMinimal, "poisson(100/s)", "{ users: 3 }"), "workload.arrivals.think", "required key is missing"},
      {replace(kMinimal, "poisson(100/s)", "{ user: 3 }"), "workload.arrivals.user", "did you mean \"users\"?"},
      {replace(kMinimal, "poisson(100/s)", "{ users: 3, think: 1s, schedule: [] }"), "workload.arrivals.users",
       "not both"},
      {replace(kMinimal, "poisson(100/s)", "{ schedule: [ { at: 1s, rate: 1/s } ] }"),
       "workload.arrivals.schedule.0.at", "the first piece starts the schedule"},
      {replace(kMinimal, "poisson(100/s)", "{ schedule: [ { at: 0s, rate: 1/s, ramp: 1s } ] }"),
       "workload.arrivals.schedule.0.ramp", "no earlier rate to ramp from"},
      {replace(kMinimal, "poisson(100/s)", "{ schedule: [ { at: 0s, rate: 1/s }, { at: 0s, rate: 2/s } ] }"),
       "workload.arrivals.schedule.1.at", "must be later than the previous piece's at"},
      {replace(kMinimal, "poisson(100/s)",
               "{ schedule: [ { at: 0s, rate: 1/s }, { at: 1m, rate: 2/s, ramp: 2m }, { at: 2m, rate: 1/s } ] }"),
       "workload.arrivals.schedule.1.ramp", "after the next piece starts"},
      {replace(kMinimal, "poisson(100/s)", "{ schedule: [] }"), "workload.arrivals.schedule",
       "expected a list of { at, rate, ramp } pieces"},
      {replace(kMinimal, "name: minimal", "name: minimal\nhosts: { web1: { machine: small } }"), "tiers.web",
       "is also a host name"},
      {replace(kMinimal, "name: minimal", "name: minimal\nrun: { duration: 1m, warmup: 1m }"), "run.warmup",
       "must be shorter than the run's duration"},
      {with_tiers("  a: { kind: server, machine: small }\n  b: { kind: server, machine: small, names: [a1] }\n"),
       "tiers.b.names.0", "node name \"a1\" is already used by tier a"},
      {with_tiers("  a: { kind: server, machine: small, count: 2, names: [x] }\n"), "tiers.a.names",
       "expected 2 names, one per node, found 1"},
      {with_tiers("  lb: { kind: haproxy, machine: small, count: 3 }\n  b: { kind: server, machine: small }\n"),
       "tiers.lb.count", "a haproxy tier has 1 or 2 nodes"},
      {with_tiers("  lb: { kind: haproxy, machine: small, cluster: active-passive }\n"
                  "  b: { kind: server, machine: small }\n"),
       "tiers.lb.cluster", "needs 2 nodes, but the tier has 1"},
      {with_tiers("  lb: { kind: haproxy, machine: small, balance: random(0) }\n"), "tiers.lb.balance",
       "random(N) with N from 1 to 100"},
      {with_tiers("  lb: { kind: haproxy, machine: small, balance: leastcon }\n"), "tiers.lb.balance",
       "did you mean \"leastconn\"?"},
      {with_tiers("  lb: { kind: haproxy, machine: small, weights: [1] }\n"), "tiers.lb.weights",
       "no next tier to weight"},
      {with_tiers("  lb: { kind: haproxy, machine: small, weights: [0, 0] }\n"
                  "  b: { kind: server, machine: small, count: 2 }\n"),
       "tiers.lb.weights", "all weights are 0"},
      {with_tiers("  lb: { kind: haproxy, machine: small, weights: [1, 257] }\n"
                  "  b: { kind: server, machine: small, count: 2 }\n"),
       "tiers.lb.weights.1", "expected a non-negative integer no larger than 256, found \"257\""},
      {with_tiers("  lb: { kind: haproxy, machine: small, tls: { resumed: 1ms } }\n"), "tiers.lb.tls.handshake",
       "required key is missing"},
      {with_tiers("  lb: { kind: haproxy, machine: small, tls: { handshake: 1ms, resume_ratio: 1.5 } }\n"),
       "tiers.lb.tls.resume_ratio", "expected a number from 0 to 1"},
      {with_tiers("  lb: { kind: haproxy, machine: small, tls: { handshake: 1ms, requests_per_connection: 0.5 } }\n"),
       "tiers.lb.tls.requests_per_connection", "at least 1"},
      {with_tiers("  w: { kind: nginx, machine: small, prefer_local: yes }\n"), "tiers.w.prefer_local",
       "expected true or false"},
      {with_tiers("  w: { kind: nginx, machine: small, worker_processes: 0 }\n"), "tiers.w.worker_processes",
       "expected a positive integer"},
      {with_tiers("  a: { kind: app, machine: small, pool_timeout: 0s }\n"), "tiers.a.pool_timeout",
       "expected a positive duration"},
      {with_tiers("  db: { kind: database, machine: small, count: 2, replicas: 3 }\n"), "tiers.db.replicas",
       "3 replicas make 4 nodes"},
      {with_tiers("  db: { kind: database, machine: small, page_size: 0 }\n"), "tiers.db.page_size",
       "expected a positive size"},
      {with_tiers("  db: { kind: database, machine: small, balance: first }\n"), "tiers.db.balance",
       "not a key of a database tier (balance is for haproxy tiers)"},
      {with_tiers("  db: { kind: database, machine: small }\n", "    w: { db: { writes: 1 } }\n"),
       "workload.classes.w.db.writes", "tier db runs on machine \"small\", which has none"},
      {with_tiers("  db: { kind: database, machine: small }\n", "    r: { db: { reads: 1, cache_hit: 1 } }\n"), "", ""},
      {with_tiers("  db: { kind: database, machine: small }\n", "    r: { db: { reads: 1, cache_hit: 0.5 } }\n"),
       "workload.classes.r.db.reads", "this needs a disk"},
      {with_tiers("  db: { kind: database, machine: disky }\n  s: { kind: server, machine: small }\n"), "tiers.db.kind",
       "a database tier must be the last tier, but tier s follows it"},
      {with_tiers("  a: { kind: server, machine: small, labels: { x: [1] } }\n"), "tiers.a.labels.x",
       "expected text, found a list"},
      {with_tiers("  t1: { kind: server, machine: small }\n  t2: { kind: server, machine: small }\n"
                  "  t3: { kind: server, machine: small }\n  t4: { kind: server, machine: small }\n"
                  "  t5: { kind: server, machine: small }\n  t6: { kind: server, machine: small }\n"
                  "  t7: { kind: server, machine: small }\n  t8: { kind: server, machine: small }\n"
                  "  t9: { kind: server, machine: small }\n"),
       "tiers.t9", "more than 8 tiers"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    if (c.key_path.empty()) {
      EXPECT_NO_THROW(load(c.yaml));
      continue;
    }
    const auto e = error_of(c.yaml);
    EXPECT_EQ(e.key_path(), c.key_path);
    EXPECT_THAT(e.what(), HasSubstr(c.fragment));
  }
}

TEST(ScenarioErrors, FailureHandlingAndFaultChecks) {
  struct Case {
    std::string from, to;  // a replacement in kFaulty
    std::string key_path;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"target: 99.9%", "target: 99.9", "slo.target", "for a percentage, write 99.9%"},
      {"target: 99.9%", "target: 0%", "slo.target", "expected a share above 0 and at most 1"},
      {"window: 30s", "window: 0s", "slo.window", "expected a positive duration"},
      {"window: 30s", "window: 1h", "slo.window", "longer than the measured time (59m"},
      {"slo: {", "slo: { colour: red,", "slo.colour", "unknown key"},
      {"window: 30s", "window: 30s, latency: 0ms", "slo.latency", "expected a positive duration"},
      {"window: 30s", "window: 30s, latency: 300", "slo.latency", "300"},
      {"timeout: 2s,", "timeout: -2s,", "workload.client.timeout", "must not be negative"},
      {"connect_timeout: 1s, retries", "connect_timeout: 0s, retries", "workload.client.connect_timeout",
       "expected a positive duration"},
      {"retries: 3", "retries: 101", "workload.client.retries", "no larger than 100"},
      {"exp_jitter(100ms, cap=2s)", "exponential", "workload.client.backoff", "expected none, constant(<base>)"},
      {"exp_jitter(100ms, cap=2s)", "exponental(1s)", "workload.client.backoff", "did you mean \"exponential\"?"},
      {"exp_jitter(100ms, cap=2s)", "exp_jitter(100ms, jitter=equal)", "workload.client.backoff",
       "expected exp_jitter(<base>[, cap=<duration>])"},
      {"exp_jitter(100ms, cap=2s)", "constant(1s, cap=2s)", "workload.client.backoff", "expected constant(<base>"},
      {"exp_jitter(100ms, cap=2s)", "exponential(100ms, jitter=half)", "workload.client.backoff",
       "jitter: expected none, full or equal, found \"half\""},
      {"exp_jitter(100ms, cap=2s)", "exponential(0ms)", "workload.client.backoff", "write backoff: none"},
      {"exp_jitter(100ms, cap=2s)", "exponential(100)", "workload.client.backoff", "base: expected a duration"},
      {"exp_jitter(100ms, cap=2s)", "exponential(1s, cap=10ms)", "workload.client.backoff",
       "cap (10ms) is below base (1s)"},
      {"exp_jitter(100ms, cap=2s)", "exponential(1s", "workload.client.backoff", "missing ')'"},
      {"exp_jitter(100ms, cap=2s)", "{ base: 1s, cap: 2s }", "workload.client.backoff.cap", "this backoff is constant"},
      {"exp_jitter(100ms, cap=2s)", "{ exponential: true }", "workload.client.backoff.base", "required key is missing"},
      {"budget: 10%", "budget: 10", "workload.client.budget", "for a percentage, write 10%"},
      {"budget: 10%", "budget: [10%]", "workload.client.budget", "a map with ratio and max_tokens, found a list"},
      {"budget: 10%", "budget: { ratio: 10%, max_tokens: 0.5 }", "workload.client.budget.max_tokens", "at least 1"},
      {"budget: 10%", "budget: { max_tokens: 5 }", "workload.client.budget.ratio", "required key is missing"},
      {"failures: 4", "failures: 0", "workload.client.circuit_breaker.failures", "expected a positive integer"},
      {"open_for: 30s", "open_for: 0s", "workload.client.circuit_breaker.open_for", "expected a positive duration"},
      {"client: {", "client: { retires: 1,", "workload.client.retires", "did you mean \"retries\"?"},
      {"health_check: true", "health_check: yes", "tiers.lb.health_check", "expected true, false or a map"},
      {"health_check: true", "health_check: { inter: 0s }", "tiers.lb.health_check.inter",
       "expected a positive duration"},
      {"health_check: true", "health_check: { fall: 0 }", "tiers.lb.health_check.fall", "expected a positive integer"},
      {"retries: 2", "retries: -1", "tiers.lb.retries", "expected a non-negative integer"},
      {"redispatch: true", "redispatch: yes", "tiers.lb.redispatch", "expected true, false or an integer N"},
      {"redispatch: true", "redispatch: 1.5", "tiers.lb.redispatch", "expected true, false or an integer N"},
      {"redispatch: true", "redispatch: -3", "tiers.lb.redispatch", "but there are only 2 retries"},
      {"redispatch: true", "redispatch: true, spread_checks: 51", "tiers.lb.spread_checks", "no larger than 50"},
      {"redispatch: true", "redispatch: true, spread_checks: -1", "tiers.lb.spread_checks",
       "expected a non-negative integer"},
      {"health_check: true", "health_check: { on_marked_down: kill }", "tiers.lb.health_check.on_marked_down",
       "expected one of shutdown-sessions"},
      {"timeout_connect: 2s", "timeout_connect: 0s", "tiers.lb.timeout_connect", "expected a positive duration"},
      {"priority: [100, 200]", "priority: [100]", "tiers.lb.vrrp.priority", "expected 2 priorities"},
      {"priority: [100, 200]", "priority: [100, 255]", "tiers.lb.vrrp.priority.1", "no larger than 254"},
      {"priority: [100, 200]", "priority: [0, 200]", "tiers.lb.vrrp.priority.0", "expected a positive integer"},
      {"version: 3", "version: 4", "tiers.lb.vrrp.version", "expected one of 2, 3"},
      {"advert_int: 2s", "advert_int: 0s", "tiers.lb.vrrp.advert_int", "expected a positive duration"},
      // Version 3 carries centiseconds; version 2 (below) whole seconds.
      {"advert_int: 2s", "advert_int: 1005ms", "tiers.lb.vrrp.advert_int",
       "VRRP version 3 carries advert_int in centiseconds, from 10ms to 40.95s; found 1.005s"},
      {"advert_int: 2s", "advert_int: 41s", "tiers.lb.vrrp.advert_int", "from 10ms to 40.95s; found 41s"},
      {"track_rise: 3", "track_rise: 0", "tiers.lb.vrrp.track_rise", "expected a positive integer"},
      {"track_fall: 2", "track_fall: 1001", "tiers.lb.vrrp.track_fall", "no larger than 1000"},
      {"kind: haproxy, count: 2", "kind: haproxy, count: 1", "tiers.lb.vrrp", "but the tier has 1 node"},
      {"max_fails: 2", "max_fails: x", "tiers.web.max_fails", "expected a non-negative integer"},
      {"fail_timeout: 5s", "fail_timeout: 0s", "tiers.web.fail_timeout", "expected a positive duration"},
      {"call_timeout: 5s", "call_timeout: 5s, read_timeout: 1s", "tiers.app.read_timeout",
       "not a key of an app tier (read_timeout is for nginx tiers)"},
      {"call_timeout: 5s", "call_timeout: 5s, retries: 1", "tiers.app.retries", "is for haproxy tiers"},
      {"replicas: 1, failover", "replicas: 0, failover", "tiers.db.failover", "but the tier has no replicas"},
      {"{ detection: 10s, promotion: 20s }", "{ promotion: 20s }", "tiers.db.failover.detection",
       "required key is missing"},
      // Faults.
      {"crash: lb1, repair_after", "crash: lb3, repair_after", "faults.0.crash",
       "unknown node \"lb3\"; did you mean \"lb1\"?"},
      {"crash: lb1, repair_after", "crash: lb, repair_after", "faults.0.crash", "lb is a tier; name one of its nodes"},
      {"crash: lb1, repair_after", "crash: \"cache*\", repair_after", "faults.0.crash", "matches no node"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m }", "faults.2", "a fault needs one of crash, kill, stop"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, kill: lb1 }", "faults.2.kill", "both stop and kill"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, kind: crash }", "faults.2.kind", "here stop says it"},
      {"{ at: 11m, stop: lb2 }", "{ stop: lb2 }", "faults.2.at", "required key is missing"},
      {"{ at: 11m, stop: lb2 }", "{ at: -11m, stop: lb2 }", "faults.2.at", "must not be negative"},
      {"{ at: 11m, stop: lb2 }", "{ at: 1h, stop: lb2 }", "faults.2.at", "at (1h) is not before the end of the run"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, for: 0s }", "faults.2.for", "expected a positive duration"},
      {"crash: lb1, repair_after: 15m", "crash: lb1, for: 1m, repair_after: 15m", "faults.0.repair_after",
       "for and repair_after mean the same"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, mttf: 1d, mttr: 1h }", "faults.2.mttf", "not both"},
      {"{ at: 11m, stop: lb2 }", "{ stop: lb2, mttf: 1d, mttr: 1h }", "faults.2.mttf",
       "names its nodes with target or domain"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }", "{ target: \"app*\", mttf: exp(30d) }",
       "faults.6.mttr", "required key is missing (mttf needs mttr"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }", "{ target: \"app*\", mttr: 1h }",
       "faults.6.mttf", "required key is missing (mttr needs mttf"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }", "{ target: \"app*\" }", "faults.6.mttf",
       "a fault on target or domain is stochastic"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }",
       "{ target: \"app*\", crash: app1, mttf: 1d, mttr: 1h }", "faults.6.crash", "both target and crash"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }", "{ target: \"app*\", mttf: 0s, mttr: 1h }",
       "faults.6.mttf", "a positive mean"},
      {"{ target: \"app*\", mttf: exp(30d), mttr: lognormal(2h, cv=1) }",
       "{ target: \"app*\", mttf: 1d, mttr: 1h, for: 1m }", "faults.6.for", "lasts mttr each time"},
      {"{ domain: rack-a,", "{ domain: rack-a, kind: partition,", "faults.7.kind",
       "expected one of crash, kill, stop, slow, network"},
      {"{ domain: rack-a,", "{ domain: rack-c,", "faults.7.domain",
       "no node has the label value \"rack-c\"; did you mean \"rack-a\"?"},
      {"{ domain: rack-a,", "{ domain: rack=c,", "faults.7.domain", "no node has the label \"rack=c\""},
      {"{ domain: rack-a,", "{ domain: =a,", "faults.7.domain", "expected a label value"},
      {"slow: db1, cpu: 2x, disk: 10x", "slow: db1", "faults.3.cpu", "at least one of cpu, disk and nic"},
      {"slow: db1, cpu: 2x, disk: 10x", "slow: db1, cpu: 0.5x", "faults.3.cpu", "expected a factor from 1x"},
      {"slow: db1, cpu: 2x, disk: 10x", "slow: db1, cpu: 2", "faults.3.cpu", "such as 2x"},
      {"slow: db1, cpu: 2x, disk: 10x", "slow: db1, nic: 2x", "faults.3.nic", "none of the fault's nodes (db1)"},
      {"slow: db1, cpu: 2x, disk: 10x", "slow: \"lb*\", disk: 2x", "faults.3.disk",
       "(lb1, lb2) has a disk to slow down"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, cpu: 2x }", "faults.2.cpu",
       "only slow faults take cpu; this is a stop fault"},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, loss: 1% }", "faults.2.loss", "only network faults take loss"},
      {"loss: 1%, rto: 300ms", "loss: 100%, rto: 300ms", "faults.4.loss", "a share from 0 to below 1"},
      {"latency: 50ms, loss: 1%, rto: 300ms", "rto: 300ms", "faults.4.latency",
       "a network fault takes latency, loss or both"},
      {"latency: 50ms, loss: 1%, rto: 300ms", "latency: 50ms, rto: 300ms", "faults.4.rto", "give loss too"},
      {"rto: 300ms", "rto: 2m", "faults.4.rto", "expected a duration below 2m"},
      {"rto: 300ms", "rto: 0s", "faults.4.rto", "expected a positive duration"},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [[app1, web1]]", "faults.5.partition", "found 1 group"},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [app1, db1]", "faults.5.partition.0",
       "expected a non-empty list of node names or globs, found \"app1\""},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [[app1], []]", "faults.5.partition.1",
       "found an empty list"},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [[\"app*\"], [db1, app2]]", "faults.5.partition.1.1",
       "node \"app2\" is already in group 0"},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [[app1], [web1]]", "faults.5.partition.1.0",
       "nodes \"app1\" and \"web1\" share host \"box-a\""},
      {"partition: [[app1, web1], [\"db?\"]]", "partition: [[app1], [dbx]]", "faults.5.partition.1.0",
       "unknown node \"dbx\""},
      {"{ at: 11m, stop: lb2 }", "{ at: 11m, stop: lb2, mtff: 1d }", "faults.2.mtff", "did you mean \"mttf\"?"},
      {"{ at: 11m, stop: lb2 }", "stop", "faults.2", "expected a map, found \"stop\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.to);
    const auto e = error_of(replace(kFaulty, c.from, c.to));
    EXPECT_EQ(e.key_path(), c.key_path) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(c.fragment));
  }
  const auto map = error_of(kMinimal + "faults: { at: 1m, crash: web1 }\n");
  EXPECT_EQ(map.key_path(), "faults");
  EXPECT_THAT(map.what(), HasSubstr("expected a list of faults, found a map"));
  EXPECT_NO_THROW(load(kMinimal + "faults: []\n"));
}

TEST(ScenarioErrors, OverloadIsNotAnError) {
  EXPECT_NO_THROW(load(replace(kMinimal, "poisson(100/s)", "poisson(1000000/s)")));
}

// ---------------------------------------------------------------- overrides

TEST(Overrides, Parse) {
  const auto o = loader::parse_override("tiers.app.count=4");
  EXPECT_EQ(o.path, "tiers.app.count");
  EXPECT_EQ(o.value, "4");
  EXPECT_EQ(loader::parse_override("a=b=c").value, "b=c");
  EXPECT_EQ(loader::parse_override("description=").value, "");
  for (const char* bad : {"abc", "=4", ".a=1", "a.=1", "a..b=1", "a. b=1", "a =1"}) {
    SCOPED_TRACE(bad);
    try {
      loader::parse_override(bad);
      ADD_FAILURE() << "no error";
    } catch (const ScenarioError& e) {
      EXPECT_EQ(e.file(), std::string("--set ") + bad);
      EXPECT_THAT(e.what(), StartsWith(std::string("--set ") + bad + ": "));
    }
  }
}

TEST(Overrides, ValidOnesChangeTheScenario) {
  const auto c = load(kScaledUp, overrides({"workload.arrivals=poisson(900/s)", "tiers.app.count=4",
                                            "machines.standard.disk={iops: 100, bandwidth: 10MB/s}",
                                            "workload.classes.page.app={cpu: gamma(2ms, cv=0.5), calls: 2}",
                                            "description=", "run.seed=7", "run.seed=8"}));
  EXPECT_DOUBLE_EQ(std::get<models::OpenArrivals>(c.workload.arrivals).schedule[0].rate, 900);
  EXPECT_EQ(c.tiers[2].count, 4);
  EXPECT_EQ(c.tiers[2].node_names.size(), 4u);
  EXPECT_DOUBLE_EQ(c.machines.at("standard").disk->iops, 100);
  EXPECT_DOUBLE_EQ(c.machines.at("standard").disk->bandwidth, 1e7);
  EXPECT_EQ(c.machines.at("standard").disk->depth, 1);
  EXPECT_DOUBLE_EQ(c.workload.classes[1].demands[2]->cpu.cv(), 0.5);
  EXPECT_EQ(c.workload.classes[1].demands[2]->calls, 2);
  EXPECT_EQ(c.description, "");
  EXPECT_EQ(c.run.seed, 8u);  // applied in order
}

TEST(Overrides, CreatedKeyAndListIndex) {
  const auto c = load(kScaledUp, overrides({"tiers.app.backlog=10", "tiers.web.weights=[1, 3]"}));
  EXPECT_EQ(std::get<models::AppConfig>(c.tiers[2].kind).backlog, 10);
  EXPECT_EQ(std::get<models::NginxConfig>(c.tiers[1].kind).weights, (std::vector<int>{1, 3}));
  const auto d = load(kScaledUp, overrides({"tiers.web.weights=[1, 3]", "tiers.web.weights.1=5"}));
  EXPECT_EQ(std::get<models::NginxConfig>(d.tiers[1].kind).weights, (std::vector<int>{1, 5}));
}

TEST(Overrides, CreatedKeyThatIsNotValidThere) {
  const auto e = error_of(kScaledUp, overrides({"tiers.app.wrokers=3"}));
  EXPECT_STREQ(e.what(), "--set tiers.app.wrokers=3: tiers.app.wrokers: unknown key; did you mean \"workers\"?");
  EXPECT_EQ(e.line(), 0);
  EXPECT_EQ(e.column(), 0);
}

TEST(Overrides, InvalidValueNamesTheOverride) {
  const auto e = error_of(kScaledUp, overrides({"tiers.app.workers=abc"}));
  EXPECT_STREQ(e.what(), "--set tiers.app.workers=abc: tiers.app.workers: expected a positive integer, found \"abc\"");
  EXPECT_EQ(e.file(), "--set tiers.app.workers=abc");
  EXPECT_EQ(e.key_path(), "tiers.app.workers");
  const auto map = error_of(kScaledUp, overrides({"machines.standard.disk={iops: 0, bandwidth: 10MB/s}"}));
  EXPECT_THAT(map.what(), StartsWith("--set machines.standard.disk={iops: 0, bandwidth: 10MB/s}: "
                                     "machines.standard.disk.iops: expected a positive number"));
  const auto missing = error_of(kScaledUp, overrides({"machines.standard.disk={iops: 10}"}));
  EXPECT_EQ(missing.key_path(), "machines.standard.disk.bandwidth");
  EXPECT_EQ(missing.file(), "--set machines.standard.disk={iops: 10}");
  const auto syntax = error_of(kScaledUp, overrides({"tiers.app.count=[1,"}));
  EXPECT_THAT(syntax.what(), StartsWith("--set tiers.app.count=[1,: tiers.app.count: YAML syntax error"));
}

TEST(Overrides, InvalidPath) {
  const auto e = error_of(kScaledUp, overrides({"tiers.cache.count=2"}));
  EXPECT_EQ(e.file(), "--set tiers.cache.count=2");
  // The missing tier is created (docs/scenarios.md, Overrides); it then lacks its kind.
  EXPECT_EQ(e.key_path(), "tiers.cache.kind");
  EXPECT_THAT(error_of(kScaledUp, overrides({"name.x=1"})).what(), HasSubstr("name is not a map or list"));
  EXPECT_THAT(error_of(kScaledUp, overrides({"tiers.web.weights=[1, 2]", "tiers.web.weights.2=1"})).what(),
              HasSubstr("no element 2: the list has 2"));
  EXPECT_THAT(error_of(kScaledUp, overrides({"tiers.web.weights=[1, 2]", "tiers.web.weights.x=1"})).what(),
              HasSubstr("expected a 0-based index"));
}

TEST(Overrides, ProblemsInTheFileStillPointAtTheFile) {
  const auto e = error_of(replace(kScaledUp, "pool: 10", "pool: 0"), overrides({"tiers.app.workers=4"}));
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_EQ(e.key_path(), "tiers.app.pool");
  EXPECT_EQ(e.line(), 21);
}

// ---------------------------------------------------------------- robustness

// Every prefix of a valid scenario either loads or gives a ScenarioError:
// never another exception, a crash or a hang.
TEST(Robustness, TruncatedScenarios) {
  for (std::size_t n = 0; n <= kScaledUp.size(); ++n) {
    try {
      load(kScaledUp.substr(0, n));
    } catch (const ScenarioError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "prefix " << n << ": " << e.what();
    }
  }
}

TEST(Robustness, TruncatedFaultyScenarios) {
  for (std::size_t n = 0; n <= kFaulty.size(); ++n) {
    try {
      load(kFaulty.substr(0, n));
    } catch (const ScenarioError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "prefix " << n << ": " << e.what();
    }
  }
}

TEST(Robustness, HostileDocuments) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  EXPECT_THAT(error_of(bomb).what(), HasSubstr("more than 100000 values"));
  EXPECT_THROW(load(std::string(5000, '[')), ScenarioError);
  constexpr char kBinary[] = "\0\x01\xff\xfe name: x";
  EXPECT_THROW(load(std::string(kBinary, sizeof kBinary - 1)), ScenarioError);
  EXPECT_THROW(load("name: *undefined\n"), ScenarioError);
  // yaml-cpp's LoadAll loops forever on these.
  const auto comma = error_of(",name: x\n");
  EXPECT_EQ(comma.line(), 1);
  EXPECT_THAT(comma.what(), HasSubstr("YAML syntax error: unexpected \",\""));
  EXPECT_EQ(error_of(kMinimal + ",\n").line(), 10);
  EXPECT_THAT(error_of(kMinimal, overrides({"name=,"})).what(), StartsWith("--set name=,: name: YAML syntax error"));
  // Found by fuzz_vary: a value that reads as UTF-16 (it starts with a zero
  // byte) sticks the parser at a position, counted in the decoded text, past
  // the end of the value; naming the character there threw out_of_range.
  constexpr char kUtf16[] =
      "\x00\x26\x20\x2e\x31\x2e\x72\x61\x74\x65\x75\x6c\x65\x2e\x31\x2e\x72\x6c\x73\x2e\x73\x63\x68\x65"
      "\x64\x75\x6c\x65\x2e\x31\x2e\x72\x61\x74\x65\x75\x6c\x65\x2e\x31\x2e\x72\x61\x74\x65\x3d\x34\x30"
      "\x30\x2f\x08\x00\x2c\x00\x26\x00\x00\x00\x73\x00\x00\x2c\x26\x38\x2c\x31\x36";
  const std::vector<Override> utf16{Override{"name", std::string(kUtf16, sizeof kUtf16 - 1)}};
  EXPECT_THAT(error_of(kMinimal, utf16).what(), HasSubstr("name: YAML syntax error: unexpected text"));
}

}  // namespace
