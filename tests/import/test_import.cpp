// tiersim import: the example configurations of every stage, HAProxy's
// inheritance and units, keepalived pairs, the round trip (an imported
// scenario runs exactly as the same scenario written by hand), and every
// malformed file in tests/data/import/bad/ (a positioned message, exit 2).
#include <sys/stat.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "import/scenario.hpp"
#include "loader/scenario_loader.hpp"
#include "models/run.hpp"
#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace {

namespace fs = std::filesystem;
using config_import::ImportError;
using config_import::ImportRequest;
using config_import::ImportResult;
using config_import::NodeFile;
using sim::kMillisecond;
using sim::kSecond;

fs::path root() { return TIERSIM_SOURCE_ROOT; }
fs::path examples() { return root() / "examples" / "configs"; }
fs::path data() { return root() / "tests" / "data" / "import"; }

NodeFile node(const fs::path& path, const std::string& host = {}) { return {host, path, path.string()}; }

models::ScenarioConfig load(const ImportResult& result) {
  return loader::load_scenario_text(result.yaml, "imported", fs::current_path());
}

const models::TierConfig& tier(const models::ScenarioConfig& config, const std::string& name) {
  for (const auto& t : config.tiers) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tier " + name);
}
const models::HaproxyConfig& haproxy(const models::ScenarioConfig& c) { return std::get<models::HaproxyConfig>(tier(c, "lb").kind); }
const models::NginxConfig& nginx(const models::ScenarioConfig& c) { return std::get<models::NginxConfig>(tier(c, "web").kind); }

bool has_note(const ImportResult& result, const std::string& file_suffix, int line, const std::string& directive) {
  return std::any_of(result.notes.begin(), result.notes.end(), [&](const config_import::Note& n) {
    return n.at.file.size() >= file_suffix.size() &&
           n.at.file.compare(n.at.file.size() - file_suffix.size(), file_suffix.size(), file_suffix) == 0 &&
           n.at.line == line && n.directive.rfind(directive, 0) == 0;
  });
}

ImportRequest stage3(bool overlay) {
  const fs::path dir = examples() / "stage3";
  ImportRequest request;
  request.haproxy = {node(dir / "haproxy.cfg", "lb1"), node(dir / "haproxy.cfg", "lb2")};
  request.keepalived = {node(dir / "keepalived-lb1.conf"), node(dir / "keepalived-lb2.conf")};
  request.nginx = {node(dir / "nginx.conf")};
  if (overlay) request.overlay = dir / "overlay.yaml";
  return request;
}

// ---------------------------------------------------------------- the examples

TEST(ImportExamples, Stage0NginxAlone) {
  const fs::path dir = examples() / "stage0";
  ImportRequest request;
  request.nginx = {node(dir / "nginx.conf", "server1")};
  request.overlay = dir / "overlay.yaml";
  const auto config = load(config_import::import_configs(request));
  ASSERT_EQ(config.tiers.size(), 3u);
  EXPECT_EQ(tier(config, "web").count, 1);
  EXPECT_EQ(tier(config, "app").count, 1);  // upstream app { server 127.0.0.1:8080; }
  EXPECT_EQ(nginx(config).worker_connections, 1024);
}

TEST(ImportExamples, Stages1And2OneBalancer) {
  for (const char* stage : {"stage1", "stage2"}) {
    SCOPED_TRACE(stage);
    const fs::path dir = examples() / stage;
    ImportRequest request;
    request.haproxy = {node(dir / "haproxy.cfg")};
    request.nginx = {node(dir / "nginx.conf")};
    request.overlay = dir / "overlay.yaml";
    const auto config = load(config_import::import_configs(request));
    EXPECT_EQ(tier(config, "lb").count, 1);
    EXPECT_EQ(tier(config, "web").count, 2);
    EXPECT_EQ(tier(config, "web").node_names, (std::vector<std::string>{"server1", "server2"}));
    EXPECT_EQ(haproxy(config).server_maxconn, 256);
    EXPECT_EQ(haproxy(config).maxconn, 2000);  // global maxconn, as the frontend sets none
    ASSERT_TRUE(haproxy(config).health_check);
    EXPECT_EQ(haproxy(config).health_check->inter, 2 * kSecond);  // HAProxy's default inter
    EXPECT_EQ(nginx(config).connect_timeout, 1 * kSecond);
  }
}

TEST(ImportExamples, Stage3ClusteredBalancers) {
  const ImportResult result = config_import::import_configs(stage3(true));
  const auto config = load(result);
  const auto& lb = haproxy(config);
  EXPECT_EQ(tier(config, "lb").count, 2);
  EXPECT_EQ(lb.cluster, models::LbCluster::kActivePassive);
  EXPECT_EQ(lb.balance, models::Balance::kRoundRobin);
  EXPECT_EQ(lb.maxconn, 2000);  // the frontend's, below the global 4000
  EXPECT_EQ(lb.server_maxconn, 256);
  EXPECT_EQ(lb.slowstart, 30 * kSecond);
  EXPECT_EQ(lb.timeout_queue, 10 * kSecond);
  EXPECT_TRUE(lb.redispatch);
  ASSERT_TRUE(lb.health_check);
  EXPECT_EQ(lb.health_check->fastinter, 1 * kSecond);
  EXPECT_EQ(lb.health_check->downinter, 5 * kSecond);
  EXPECT_EQ(lb.health_check->timeout, 2 * kSecond);
  EXPECT_EQ(lb.health_check->observe, models::Observe::kLayer7);
  EXPECT_EQ(lb.health_check->on_error, models::OnError::kFastinter);
  EXPECT_EQ(lb.vrrp.priority, (std::vector<int>{150, 100}));
  EXPECT_EQ(lb.vrrp.advert_int, 1 * kSecond);
  EXPECT_TRUE(lb.tls);  // from the overlay
  EXPECT_EQ(nginx(config).connect_timeout, 2 * kSecond);
  EXPECT_EQ(nginx(config).read_timeout, 30 * kSecond);
  EXPECT_EQ(nginx(config).max_fails, 2);  // from the included conf.d/upstream-app.conf
  EXPECT_EQ(tier(config, "app").count, 2);
  EXPECT_EQ(tier(config, "db").count, 2);
  // Directives read but not modelled are listed with their place.
  EXPECT_TRUE(has_note(result, "stage3/haproxy.cfg", 23, "timeout client"));
  EXPECT_TRUE(has_note(result, "stage3/haproxy.cfg", 37, "option httpchk"));
  EXPECT_TRUE(has_note(result, "stage3/keepalived-lb1.conf", 7, "vrrp_garp_master_delay"));
  EXPECT_TRUE(has_note(result, "stage3/nginx.conf", 13, "tcp_nopush"));
}

TEST(ImportExamples, WithoutOverlayTheDefaultsRun) {
  const ImportResult result = config_import::import_configs(stage3(false));
  EXPECT_NE(result.yaml.find("# default hardware"), std::string::npos);
  EXPECT_NE(result.yaml.find("# default workload"), std::string::npos);
  auto config = load(result);
  EXPECT_EQ(config.tiers.back().name, "db");
  config.run.duration = 2 * kSecond;
  const auto run = models::run_scenario(config);
  EXPECT_GT(run.totals.succeeded, 0u);
}

// ---------------------------------------------------------------- HAProxy's grammar and inheritance

TEST(ImportHaproxy, InheritanceAndUnits) {
  const fs::path dir = data() / "roundtrip";
  ImportRequest request;
  request.haproxy = {node(dir / "haproxy.cfg")};
  const auto lb = haproxy(load(config_import::import_configs(request)));
  ASSERT_TRUE(lb.health_check);
  EXPECT_EQ(lb.health_check->inter, 1 * kSecond);  // defaults' default-server; the later "inter 10s" is too late
  EXPECT_EQ(lb.health_check->fall, 3);             // the backend's default-server overrides the defaults' 2
  EXPECT_EQ(lb.health_check->rise, 3);             // from the named defaults section, via "from base"
  EXPECT_EQ(lb.health_check->timeout, 500 * kMillisecond);  // "timeout check 500": bare numbers are ms
  EXPECT_EQ(lb.timeout_connect, 1500 * kMillisecond);
  EXPECT_EQ(lb.maxconn, 300);                      // the global maxconn caps the frontend's 500
  EXPECT_EQ(lb.weights, (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(lb.balance, models::Balance::kLeastConn);
}

TEST(ImportHaproxy, DefaultsSectionResetsAndQuotes) {
  test_support::TempDir dir("tiersim-import");
  const fs::path cfg = dir.path() / "haproxy.cfg";
  {
    std::ofstream out(cfg);
    out << "defaults\n  mode http\n  retries 7\n  timeout connect 2s\n"
           "defaults\n  mode http\n  timeout connect 3s\n"  // resets retries to HAProxy's 3
           "frontend 'www'\n  bind \"*:80\"  # a comment\n  default_backend web\n"
           "backend web\n  balance random(3)\n  server w\\ 1 10.0.0.1:80\n  server w2 10.0.0.2:80 disabled\n";
  }
  ImportRequest request;
  request.haproxy = {node(cfg)};
  const ImportResult result = config_import::import_configs(request);
  const auto lb = haproxy(load(result));
  EXPECT_EQ(lb.retries, 3);
  EXPECT_EQ(lb.timeout_connect, 3 * kSecond);
  EXPECT_EQ(lb.balance, models::Balance::kRandom);
  EXPECT_EQ(lb.random_draws, 3);
  EXPECT_EQ(lb.weights, (std::vector<int>{1, 0}));  // disabled: no traffic
  EXPECT_FALSE(lb.health_check);
}

// ---------------------------------------------------------------- keepalived

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string instance(const std::string& name, int id, int priority, const std::string& address) {
  return "vrrp_instance " + name + " {\n  state BACKUP\n  interface eth0\n  virtual_router_id " + std::to_string(id) +
         "\n  priority " + std::to_string(priority) + "\n  virtual_ipaddress {\n    " + address + "\n  }\n}\n";
}

TEST(ImportKeepalived, MirroredInstancesAreActiveActive) {
  test_support::TempDir dir("tiersim-import");
  write(dir.path() / "a.conf", instance("VI_1", 51, 150, "10.0.0.10") + instance("VI_2", 52, 100, "10.0.0.11"));
  write(dir.path() / "b.conf", instance("VI_1", 51, 100, "10.0.0.10") + instance("VI_2", 52, 150, "10.0.0.11"));
  ImportRequest request;
  request.haproxy = {node(data() / "good" / "haproxy.cfg", "lb1"), node(data() / "good" / "haproxy.cfg", "lb2")};
  request.keepalived = {node(dir.path() / "a.conf"), node(dir.path() / "b.conf")};
  const auto lb = haproxy(load(config_import::import_configs(request)));
  EXPECT_EQ(lb.cluster, models::LbCluster::kActiveActive);
  EXPECT_EQ(lb.vrrp.priority, (std::vector<int>{150, 100}));

  // Priorities that do not mirror contradict tiersim's active-active pair.
  write(dir.path() / "b.conf", instance("VI_1", 51, 100, "10.0.0.10") + instance("VI_2", 52, 120, "10.0.0.11"));
  try {
    config_import::import_configs(request);
    ADD_FAILURE() << "expected an error";
  } catch (const ImportError& e) {
    EXPECT_EQ(e.at().line, 14);  // VI_2's priority in b.conf
    EXPECT_NE(std::string(e.what()).find("do not mirror"), std::string::npos) << e.what();
  }
}

TEST(ImportKeepalived, HostNamesPairFilesWithNodes) {
  // The files given in the other order, but named: lb1 keeps priority 200.
  const fs::path dir = data() / "roundtrip";
  ImportRequest request;
  request.haproxy = {node(dir / "haproxy.cfg", "lb1"), node(dir / "haproxy.cfg", "lb2")};
  request.keepalived = {node(dir / "keepalived-b.conf", "lb2"), node(dir / "keepalived-a.conf", "lb1")};
  const auto lb = haproxy(load(config_import::import_configs(request)));
  EXPECT_EQ(lb.vrrp.priority, (std::vector<int>{200, 90}));
}

// ---------------------------------------------------------------- the round trip

using Trace = std::vector<std::pair<sim::Time, std::string>>;

Trace traced_run(const models::ScenarioConfig& config, models::RunResult& result) {
  Trace trace;
  models::RunOptions options;
  options.trace = [&trace](sim::Time t, const std::string& text) { trace.emplace_back(t, text); };
  result = models::run_scenario(config, options);
  return trace;
}

// The imported scenario runs as the one written by hand, bit for bit: the
// same trace (detections, VRRP, failures) and the same counts. Returns the
// imported run's trace, for the timings each test checks.
Trace expect_same_run(const models::ScenarioConfig& imported, const models::ScenarioConfig& by_hand) {
  models::RunResult imported_run, by_hand_run;
  Trace imported_trace = traced_run(imported, imported_run);
  const Trace by_hand_trace = traced_run(by_hand, by_hand_run);
  EXPECT_EQ(imported_trace, by_hand_trace);
  EXPECT_EQ(imported_run.totals.succeeded, by_hand_run.totals.succeeded);
  EXPECT_EQ(imported_run.totals.failed, by_hand_run.totals.failed);
  EXPECT_EQ(imported_run.attempts, by_hand_run.attempts);
  return imported_trace;
}

sim::Time first(const Trace& trace, const std::string& fragment) {
  for (const auto& [t, text] : trace) {
    if (text.find(fragment) != std::string::npos) return t;
  }
  return -1;
}

// The configurations in tests/data/import/roundtrip/ and expected.yaml, the
// same stack written by hand, give the same run: the same detections (health
// checks, VRRP), the same failures, bit for bit.
TEST(ImportRoundTrip, ImportedRunsAsHandWritten) {
  const fs::path dir = data() / "roundtrip";
  ImportRequest request;
  request.haproxy = {node(dir / "haproxy.cfg"), node(dir / "haproxy.cfg")};
  request.keepalived = {node(dir / "keepalived-a.conf"), node(dir / "keepalived-b.conf")};
  request.nginx = {node(dir / "nginx.conf")};
  request.overlay = dir / "overlay.yaml";
  const auto imported = load(config_import::import_configs(request));
  const auto by_hand = loader::load_scenario_file(dir / "expected.yaml");

  // The limits, retries and timings, value by value.
  const auto& lb = haproxy(imported);
  const auto& lb_by_hand = haproxy(by_hand);
  EXPECT_EQ(lb.maxconn, lb_by_hand.maxconn);
  EXPECT_EQ(lb.server_maxconn, lb_by_hand.server_maxconn);
  EXPECT_EQ(lb.maxqueue, lb_by_hand.maxqueue);
  EXPECT_EQ(lb.timeout_queue, lb_by_hand.timeout_queue);
  EXPECT_EQ(lb.timeout_connect, lb_by_hand.timeout_connect);
  EXPECT_EQ(lb.timeout_server, lb_by_hand.timeout_server);
  EXPECT_EQ(lb.retries, lb_by_hand.retries);
  EXPECT_EQ(lb.redispatch, lb_by_hand.redispatch);
  EXPECT_EQ(lb.weights, lb_by_hand.weights);
  ASSERT_TRUE(lb.health_check && lb_by_hand.health_check);
  EXPECT_EQ(lb.health_check->inter, lb_by_hand.health_check->inter);
  EXPECT_EQ(lb.health_check->fastinter, lb_by_hand.health_check->fastinter);
  EXPECT_EQ(lb.health_check->downinter, lb_by_hand.health_check->downinter);
  EXPECT_EQ(lb.health_check->rise, lb_by_hand.health_check->rise);
  EXPECT_EQ(lb.health_check->fall, lb_by_hand.health_check->fall);
  EXPECT_EQ(lb.health_check->timeout, lb_by_hand.health_check->timeout);
  EXPECT_EQ(lb.vrrp.advert_int, lb_by_hand.vrrp.advert_int);
  EXPECT_EQ(lb.vrrp.priority, lb_by_hand.vrrp.priority);
  EXPECT_EQ(lb.vrrp.preempt, lb_by_hand.vrrp.preempt);
  EXPECT_EQ(lb.vrrp.preempt_delay, lb_by_hand.vrrp.preempt_delay);
  EXPECT_EQ(lb.vrrp.version, lb_by_hand.vrrp.version);
  EXPECT_EQ(lb.vrrp.track_interval, lb_by_hand.vrrp.track_interval);
  const auto& web = nginx(imported);
  const auto& web_by_hand = nginx(by_hand);
  EXPECT_EQ(web.worker_processes, web_by_hand.worker_processes);
  EXPECT_EQ(web.worker_connections, web_by_hand.worker_connections);
  EXPECT_EQ(web.weights, web_by_hand.weights);
  EXPECT_EQ(web.max_fails, web_by_hand.max_fails);
  EXPECT_EQ(web.fail_timeout, web_by_hand.fail_timeout);
  EXPECT_EQ(web.next_upstream, web_by_hand.next_upstream);
  EXPECT_EQ(web.connect_timeout, web_by_hand.connect_timeout);
  EXPECT_EQ(web.read_timeout, web_by_hand.read_timeout);

  const Trace imported_trace = expect_same_run(imported, by_hand);

  // And the timings are the configurations' own. web2 crashes at 10 s: a
  // check of a silent server fails min(timeout connect 1.5 s, inter 1 s) +
  // timeout check 0.5 s after it starts; fall 3 needs three, fastinter 250 ms
  // apart once the first has failed. The check under way at the crash fails
  // between 0 and 1 s + 1 s later (phase within inter, then the check).
  const sim::Time down = first(imported_trace, "marks web2 DOWN");
  ASSERT_GT(down, 0);
  const sim::Time check = 1 * kSecond + 500 * kMillisecond;
  const sim::Time after_first = 2 * (250 * kMillisecond + check);
  EXPECT_GE(down - 10 * kSecond, after_first);
  EXPECT_LE(down - 10 * kSecond, 1 * kSecond + check + after_first);
  // lb1 crashes at 40 s: lb2 (priority 90, VRRP v3, advert_int 0.5 s) takes
  // the address after 3 x 0.5 s + (256 - 90) x 0.5 s / 256 without adverts.
  const sim::Time takeover = first(imported_trace, "vrrp: lb2 takes address");
  ASSERT_GT(takeover, 40 * kSecond);
  const sim::Time master_down = 3 * 500 * kMillisecond + (256 - 90) * 500 * kMillisecond / 256;
  EXPECT_LE(takeover - 40 * kSecond, master_down + 10 * kMillisecond);
  EXPECT_GE(takeover - 40 * kSecond, master_down - 500 * kMillisecond);
}

// The health-check and retry settings that came later (spread-checks,
// option redispatch N, on-marked-down, vrrp_script fall/rise/interval):
// tests/data/import/roundtrip-checks/ imported runs as expected.yaml there,
// bit for bit, and the settings show in the timings.
TEST(ImportRoundTrip, ChecksAndTrackingRunAsHandWritten) {
  const fs::path dir = data() / "roundtrip-checks";
  ImportRequest request;
  request.haproxy = {node(dir / "haproxy.cfg", "lb1"), node(dir / "haproxy.cfg", "lb2")};
  request.keepalived = {node(dir / "keepalived-lb1.conf", "lb1"), node(dir / "keepalived-lb2.conf", "lb2")};
  request.overlay = dir / "overlay.yaml";
  const ImportResult result = config_import::import_configs(request);
  const auto imported = load(result);
  const auto by_hand = loader::load_scenario_file(dir / "expected.yaml");

  const auto& lb = haproxy(imported);
  const auto& lb_by_hand = haproxy(by_hand);
  EXPECT_EQ(lb.spread_checks, 10);
  EXPECT_EQ(lb.spread_checks, lb_by_hand.spread_checks);
  EXPECT_TRUE(lb.redispatch);
  EXPECT_EQ(lb.redispatch_after, 2);
  EXPECT_EQ(lb.redispatch_after, lb_by_hand.redispatch_after);
  EXPECT_EQ(lb.retries, lb_by_hand.retries);
  ASSERT_TRUE(lb.health_check && lb_by_hand.health_check);
  EXPECT_TRUE(lb.health_check->shutdown_sessions_on_down);
  EXPECT_EQ(lb.health_check->shutdown_sessions_on_down, lb_by_hand.health_check->shutdown_sessions_on_down);
  EXPECT_EQ(lb.health_check->fall, lb_by_hand.health_check->fall);
  EXPECT_EQ(lb.health_check->rise, lb_by_hand.health_check->rise);
  EXPECT_EQ(lb.vrrp.track_fall, 2);
  EXPECT_EQ(lb.vrrp.track_rise, 3);
  EXPECT_EQ(lb.vrrp.track_fall, lb_by_hand.vrrp.track_fall);
  EXPECT_EQ(lb.vrrp.track_rise, lb_by_hand.vrrp.track_rise);
  EXPECT_EQ(lb.vrrp.track_interval, lb_by_hand.vrrp.track_interval);
  EXPECT_EQ(lb.vrrp.priority, lb_by_hand.vrrp.priority);
  // Nothing of these was set aside as not modelled.
  for (const auto& note : result.notes) {
    for (const char* key : {"spread-checks", "redispatch", "on-marked-down", "fall", "rise"}) {
      EXPECT_EQ(note.directive.find(key), std::string::npos) << note.directive << ": " << note.reason;
    }
  }

  const Trace imported_trace = expect_same_run(imported, by_hand);

  // lb1's HAProxy dies at 35 s. The vrrp_script runs every 2 s: its first
  // failure comes within one interval, fall 2 needs a second one 2 s later,
  // then lb1 sends priority 0 and lb2 (priority 100, advert_int 1 s) takes
  // the address after its skew time, (256 - 100) / 256 s.
  const sim::Time takeover = first(imported_trace, "vrrp: lb2 takes address");
  ASSERT_GT(takeover, 35 * kSecond);
  const sim::Time skew = (256 - 100) * kSecond / 256;
  EXPECT_GT(takeover - 35 * kSecond, 2 * kSecond + skew - 10 * kMillisecond);
  EXPECT_LE(takeover - 35 * kSecond, 4 * kSecond + skew + 10 * kMillisecond);
}

// ---------------------------------------------------------------- bad input, through the command

struct Expected {
  int line = 0, column = 0;
  std::string fragment;
};

// The first line of every bad file: "# expect: LINE:COLUMN: fragment of the message".
Expected expectation(const fs::path& file) {
  const std::string text = test_support::read_file(file);
  const std::string head = text.substr(0, text.find('\n'));
  const std::string prefix = "# expect: ";
  Expected e;
  if (head.rfind(prefix, 0) != 0) return e;
  const std::string rest = head.substr(prefix.size());
  const auto colon = rest.find(':');
  const auto second = rest.find(':', colon + 1);
  e.line = std::stoi(rest.substr(0, colon));
  e.column = std::stoi(rest.substr(colon + 1, second - colon - 1));
  e.fragment = rest.substr(second + 2);
  return e;
}

TEST(ImportBadInput, EveryMalformedFileGivesAPositionedMessageAndExit2) {
  const char* bin = std::getenv("TIERSIM_BIN");
  ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
  test_support::TempDir dir("tiersim-import");
  int files = 0;
  std::vector<fs::path> bad;
  for (const auto& entry : fs::directory_iterator(data() / "bad")) bad.push_back(entry.path());
  std::sort(bad.begin(), bad.end());
  for (const auto& file : bad) {
    SCOPED_TRACE(file.filename().string());
    const Expected expected = expectation(file);
    ASSERT_GT(expected.line, 0) << "no '# expect: LINE:COLUMN: text' first line";
    const std::string name = file.filename().string();
    const std::string good = (data() / "good").string();
    std::vector<std::string> args = {"import"};
    if (name.rfind("haproxy-", 0) == 0) {
      args.insert(args.end(), {"--haproxy", file.string()});
    } else if (name.rfind("keepalived-", 0) == 0) {
      args.insert(args.end(), {"--haproxy", "lb1=" + good + "/haproxy.cfg", "--haproxy", "lb2=" + good + "/haproxy.cfg",
                               "--keepalived", file.string(), "--keepalived", good + "/keepalived.conf"});
    } else {
      args.insert(args.end(), {"--nginx", file.string()});
    }
    args.insert(args.end(), {"-o", (dir.path() / "out.yaml").string()});
    const auto outcome = test_support::finish_process(
        test_support::start_process(bin, args, dir.path() / "stdout", dir.path() / "stderr"), dir.path() / "stdout",
        dir.path() / "stderr");
    EXPECT_EQ(outcome.status, 2) << outcome.err;
    const std::string position = fmt::format("{}:{}:{}: ", file.string(), expected.line, expected.column);
    EXPECT_NE(outcome.err.find(position), std::string::npos) << "expected " << position << " in: " << outcome.err;
    EXPECT_NE(outcome.err.find(expected.fragment), std::string::npos) << "expected \"" << expected.fragment
                                                                      << "\" in: " << outcome.err;
    EXPECT_FALSE(fs::exists(dir.path() / "out.yaml")) << "nothing is written on an error";
    ++files;
  }
  EXPECT_GE(files, 20);
}

// Configurations, included files and the overlay are read as the loader
// reads a scenario: a device or a FIFO is refused unread (reading /dev/zero
// ran away, opening a FIFO without a writer blocked), and so is a directory or
// a file over the size limit. Through the built tiersim, so that a hang shows
// as the test's timeout.
TEST(ImportBadInput, OnlyRegularFilesAreRead) {
  const char* bin = std::getenv("TIERSIM_BIN");
  ASSERT_NE(bin, nullptr);
  test_support::TempDir dir("tiersim-import");
  const fs::path fifo = dir.path() / "fifo.conf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const fs::path big = dir.path() / "big.cfg";
  std::ofstream(big) << "global\n";
  fs::resize_file(big, (std::uintmax_t{64} << 20) + 1);
  const fs::path including = dir.path() / "nginx.conf";
  std::ofstream(including) << "events {}\nhttp {\n    include /dev/zero;\n}\n";
  const fs::path good = data() / "good";
  const std::string stage0 = (examples() / "stage0" / "nginx.conf").string();
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--haproxy", "/dev/zero"}, "--haproxy /dev/zero: cannot read /dev/zero: it is not a regular file"},
      {{"--nginx", fifo.string()}, "cannot read " + fifo.string() + ": it is not a regular file"},
      {{"--haproxy", "lb1=" + (good / "haproxy.cfg").string(), "--haproxy", "lb2=" + (good / "haproxy.cfg").string(),
        "--keepalived", fifo.string(), "--keepalived", (good / "keepalived.conf").string()},
       "it is not a regular file"},
      {{"--nginx", stage0, "--overlay", "/dev/zero"}, "--overlay /dev/zero: cannot read /dev/zero: it is not a regular file"},
      {{"--nginx", stage0, "--overlay", dir.path().string()}, "it is a directory"},
      {{"--haproxy", big.string()}, "files of at most 64 MiB are read"},
      {{"--nginx", including.string()}, including.string() + ":3:13: cannot read /dev/zero: it is not a regular file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[1]);
    std::vector<std::string> args = {"import"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"-o", (dir.path() / "out.yaml").string()});
    const auto outcome = test_support::finish_process(
        test_support::start_process(bin, args, dir.path() / "stdout", dir.path() / "stderr"), dir.path() / "stdout",
        dir.path() / "stderr");
    EXPECT_EQ(outcome.status, 2) << outcome.err;
    EXPECT_NE(outcome.err.find(c.expected), std::string::npos) << "expected \"" << c.expected << "\" in: " << outcome.err;
    EXPECT_FALSE(fs::exists(dir.path() / "out.yaml"));
  }
}

TEST(ImportCli, WritesAScenarioThatChecks) {
  const char* bin = std::getenv("TIERSIM_BIN");
  ASSERT_NE(bin, nullptr);
  test_support::TempDir dir("tiersim-import");
  const fs::path s3 = examples() / "stage3";
  const fs::path out = dir.path() / "stage3.yaml";
  const auto run = [&](const std::vector<std::string>& args) {
    return test_support::finish_process(test_support::start_process(bin, args, dir.path() / "o", dir.path() / "e"),
                                        dir.path() / "o", dir.path() / "e");
  };
  const auto imported = run({"import", "--haproxy", "lb1=" + (s3 / "haproxy.cfg").string(), "--haproxy",
                             "lb2=" + (s3 / "haproxy.cfg").string(), "--keepalived", (s3 / "keepalived-lb1.conf").string(),
                             "--keepalived", (s3 / "keepalived-lb2.conf").string(), "--nginx",
                             (s3 / "nginx.conf").string(), "--overlay", (s3 / "overlay.yaml").string(), "-o",
                             out.string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.err.find("haproxy.cfg:23:5: note: timeout client ignored"), std::string::npos) << imported.err;
  const auto checked = run({"check", out.string()});
  EXPECT_EQ(checked.status, 0) << checked.err;
  EXPECT_EQ(checked.out, "ok: 3-scale-up-imported (4 tiers, 8 nodes)\n");
}

}  // namespace
