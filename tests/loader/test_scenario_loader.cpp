#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loader/scenario_loader.hpp"

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
  EXPECT_EQ(page.demands[3]->calls, 1);
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
       "expected a duration with a unit (ns, us, ms, s, m, h, d), found \"30\""},
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
       "not a tier name nor weight, request or response; did you mean \"web\"?"},
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

std::vector<Override> overrides(std::initializer_list<const char*> texts) {
  std::vector<Override> out;
  for (const char* text : texts) out.push_back(loader::parse_override(text));
  return out;
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
  EXPECT_EQ(e.key_path(), "tiers.cache");
  EXPECT_THAT(e.what(), HasSubstr("not in the scenario"));
  EXPECT_THAT(e.what(), HasSubstr("--set 'tiers.cache={count: 2}'"));
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
}

}  // namespace
