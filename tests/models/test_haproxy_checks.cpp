// HAProxy's health-check schedule, retries and redispatch, measured against
// the rules of its source (src/check.c process_chk_conn and start_checks,
// src/tcpcheck.c tcpcheck_eval_connect, src/backend.c back_handle_st_cer,
// include/haproxy/stream.h stream_choose_redispatch) and the drills on the
// real HAProxy 2.6 in /work/shared/reference/load-balancers.md.
//
// Each test runs a small stack written here: one HAProxy in front of
// servers on their own hosts, network latency 100 us (a check's round trip
// is 200 us), seed fixed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "models/clients.hpp"
#include "models/haproxy.hpp"
#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::FailureReason;
using models::FaultConfig;
using models::ScenarioConfig;
using sim::Time;
using test_support::FaultRun;
using test_support::scheduled;

constexpr Time kMs = sim::kMillisecond;
constexpr Time kS = sim::kSecond;
constexpr Time kRoundTrip = 200 * sim::kMicrosecond;  // 2 x network latency

// lb in front of `servers` servers (web1, web2, ...); `lb` adds keys to the
// haproxy tier, `arrivals` sets the workload.
ScenarioConfig stack(const std::string& lb, int servers = 2, const std::string& arrivals = "poisson(5/s)") {
  const std::string yaml = R"(
name: checks
run: { duration: 120s, warmup: 0s, seed: 5 }
machines:
  box: { cores: 4, speed: 1.0, scheduling: ps }
network: { latency: 100us, client_latency: 100us }
workload:
  arrivals: )" + arrivals + R"(
  classes:
    job: { web: { cpu: 1ms } }
tiers:
  lb:  { kind: haproxy, machine: box, )" +
                           (lb.find("balance:") == std::string::npos ? "balance: roundrobin, " : "") + lb + R"( }
  web: { kind: server, count: )" + std::to_string(servers) +
                           R"(, machine: box }
)";
  return loader::load_scenario_text(yaml, "test_haproxy_checks", test_support::source_root(), {});
}

// When lb marks the server DOWN after a fault at `at`; -1 if it never does.
Time marked_down_after(ScenarioConfig config, models::FaultEffect kind, Time at, const std::string& server = "web1") {
  config.faults = {scheduled(kind, server, at, 0)};
  FaultRun run(config);
  run.sim.run_until(at + 60 * kS);
  const Time down = run.first_trace("lb1 marks " + server + " DOWN");
  return down < 0 ? -1 : down - at;
}

// web1's checks, as HAProxy schedules them with no fault: the first starts at
// 0 (position 0), passes after a round trip, and each next one starts inter
// after the previous one ended. The first check that starts at or after `t`.
Time first_check_from(Time t, Time inter) {
  Time start = 0;
  while (start < t) start += kRoundTrip + inter;
  return start;
}

// ---------------------------------------------------------------- schedule

// A silent host (SYN unanswered) with the defaults: each check runs into its
// timeout, inter (2 s) with `timeout check` unset, and the next one starts
// inter after it ended: fall = 3 failures take 3 x 2 s + 2 x 2 s after the
// first failing check starts.
TEST(CheckSchedule, SilentHostWithDefaults) {
  const Time crash = 30 * kS + 300 * kMs;
  const Time first = first_check_from(crash, 2 * kS);
  EXPECT_EQ(marked_down_after(stack("health_check: true"), models::HostCrash{}, crash),
            first + 3 * 2 * kS + 2 * 2 * kS - crash);
}

// A killed process refuses the connection: each check ends after a round
// trip, so only the two gaps of inter remain.
TEST(CheckSchedule, RefusedConnectionWithDefaults) {
  const Time kill = 30 * kS + 300 * kMs;
  const Time first = first_check_from(kill, 2 * kS);
  EXPECT_EQ(marked_down_after(stack("health_check: true"), models::ProcessCrash{}, kill),
            first + 3 * kRoundTrip + 2 * 2 * kS - kill);
}

// fastinter (while failing) shortens only the gaps: the timed-out checks
// still last inter. downinter (while DOWN) spaces the checks of a dead
// server; the first pass after the repair puts it in transition (fastinter
// to the second).
TEST(CheckSchedule, FastinterShortensTheGapsAndDownInterSpacesTheDownChecks) {
  const std::string checks = "health_check: { fastinter: 500ms, downinter: 5s }";
  const Time crash = 30 * kS + 300 * kMs;
  const Time first = first_check_from(crash, 2 * kS);
  const Time down = first + 3 * 2 * kS + 2 * 500 * kMs;
  EXPECT_EQ(marked_down_after(stack(checks), models::HostCrash{}, crash), down - crash);
  EXPECT_EQ(marked_down_after(stack(checks), models::ProcessCrash{}, crash),
            first + 3 * kRoundTrip + 2 * 500 * kMs - crash);

  // Repaired 20 s after the crash: the checks of the dead host run every
  // inter (its timeout) + downinter; the first to start after the repair
  // passes, the next one fastinter later marks it UP (rise 2).
  ScenarioConfig config = stack(checks);
  config.faults = {scheduled(models::HostCrash{}, "web1", crash, 20 * kS)};
  FaultRun run(config);
  run.sim.run_until(crash + 60 * kS);
  ASSERT_EQ(run.first_trace("lb1 marks web1 DOWN"), down);
  Time start = down + 5 * kS;
  while (start < crash + 20 * kS) start += 2 * kS + 5 * kS;
  EXPECT_EQ(run.first_trace("lb1 marks web1 UP"), start + kRoundTrip + 500 * kMs + kRoundTrip);
}

// With `timeout check` set, connecting takes at most min(timeout connect,
// inter): a silent host's check lasts 500 ms here, whatever timeout check is
// (it bounds only the read of an established connection).
TEST(CheckSchedule, TimeoutCheckBoundsTheConnectByTimeoutConnect) {
  const std::string lb = "timeout_connect: 500ms, health_check: { timeout: 1s }";
  const Time crash = 30 * kS + 300 * kMs;
  const Time first = first_check_from(crash, 2 * kS);
  EXPECT_EQ(marked_down_after(stack(lb), models::HostCrash{}, crash), first + 3 * 500 * kMs + 2 * 2 * kS - crash);
  // timeout connect above inter: inter bounds it.
  EXPECT_EQ(marked_down_after(stack("timeout_connect: 5s, health_check: { timeout: 1s }"), models::HostCrash{},
                              crash),
            first + 3 * 2 * kS + 2 * 2 * kS - crash);
}

// Over crash phases spread across two check cycles, a silent host with the
// defaults is marked DOWN 10 s to 12 s after the crash (measured on HAProxy
// 2.6: 10.26 to 11.31 s), and the phases cover the whole window.
TEST(CheckSchedule, SilentHostDetectionWindowIsTenToTwelveSeconds) {
  Time lowest = 60 * kS, highest = 0;
  for (int k = 0; k < 40; ++k) {
    const Time crash = 30 * kS + k * 100 * kMs + 17 * kMs;
    const Time after = marked_down_after(stack("health_check: true"), models::HostCrash{}, crash);
    ASSERT_GT(after, 0);
    lowest = std::min(lowest, after);
    highest = std::max(highest, after);
  }
  EXPECT_GE(lowest, 10 * kS);
  EXPECT_LT(highest, 12 * kS);
  EXPECT_LT(lowest, 10 * kS + 150 * kMs);
  EXPECT_GT(highest, 12 * kS - 150 * kMs);
}

// on_error requeues the check task at fastinter from now; while a probe of a
// silent server is out, that expiry is the probe's timeout, so the probe
// fails then instead of at its own timeout (HAProxy 2.6 on the testbed: a
// check lasting 1088 ms with inter 2s, fastinter 1s; docs/validation.md).
// Here a silent server's probe would last inter (10 s); live requests at
// 50/s time out connecting after 1 s and trigger on_error at every error, so
// every probe after the first error is cut to at most fastinter (500 ms):
// DOWN after the first error (1 s after the crash at the earliest) + the
// probe brought forward (500 ms) + three probes of at most 500 ms + two gaps
// of 500 ms, plus at most 500 ms before the first request reaches web1 after
// the crash (25/s go to web1: a longer gap has probability e^-12.5), well
// before one probe of 10 s could have ended.
TEST(CheckSchedule, OnErrorCutsAProbeOfASilentServerToFastinter) {
  const std::string lb =
      "timeout_connect: 1s, health_check: { inter: 10s, fastinter: 500ms, observe: layer4, error_limit: 1, "
      "on_error: fastinter }";
  const Time crash = 30 * kS + 300 * kMs;
  const Time after = marked_down_after(stack(lb, 2, "poisson(50/s)"), models::HostCrash{}, crash);
  ASSERT_GT(after, 0);
  EXPECT_GE(after, 1 * kS + 3 * 500 * kMs);  // the first error, then three probes at least a gap apart
  EXPECT_LE(after, 500 * kMs + 1 * kS + 500 * kMs + 3 * 500 * kMs + 2 * 500 * kMs);
}

// start_checks: the first check of the server at position p of n starts
// interval x p / n after HAProxy starts. Servers start UP at health rise, so
// one failed check marks them DOWN: with every server killed at 1 ms, web2,
// web3 and web4 go DOWN at their first check (0.5 s, 1 s, 1.5 s for inter
// 2 s and 4 servers; the interval is fastinter while unchecked), web1 (checked
// at 0, before the kill) after three failed checks.
TEST(CheckSchedule, FirstChecksAreStaggeredByServerPosition) {
  for (const Time interval : {2 * kS, 1 * kS}) {
    ScenarioConfig config =
        stack(interval == 2 * kS ? "health_check: true" : "health_check: { fastinter: 1s }", 4);
    for (int i = 1; i <= 4; ++i) {
      config.faults.push_back(scheduled(models::ProcessCrash{}, "web" + std::to_string(i), kMs, 0));
    }
    FaultRun run(config);
    run.sim.run_until(20 * kS);
    for (int i = 2; i <= 4; ++i) {
      EXPECT_EQ(run.first_trace("lb1 marks web" + std::to_string(i) + " DOWN"), interval * (i - 1) / 4 + kRoundTrip)
          << "web" << i << ", interval " << interval;
    }
    // web1: passed at 0, then 3 refused checks, inter then fastinter apart.
    EXPECT_EQ(run.first_trace("lb1 marks web1 DOWN"), kRoundTrip + 2 * kS + kRoundTrip + 2 * (interval + kRoundTrip));
  }
}

// spread-checks P: each interval varies by up to P% either way. A killed
// process is detected after the phase plus two gaps: within [4 s, 6 s)
// without spread; with 50% each gap is in [1 s, 3 s] and the phase below
// 3 s, so [2 s, 9 s], and over 40 seeds the spread shows on both sides.
TEST(CheckSchedule, SpreadChecksVariesTheIntervals) {
  Time lowest = 60 * kS, highest = 0, plain_lowest = 60 * kS, plain_highest = 0;
  for (int seed = 1; seed <= 40; ++seed) {
    for (const int spread : {0, 50}) {
      ScenarioConfig config = stack("health_check: true, spread_checks: " + std::to_string(spread));
      config.run.seed = static_cast<std::uint64_t>(seed);
      const Time after = marked_down_after(config, models::ProcessCrash{}, 30 * kS + seed * 37 * kMs);
      ASSERT_GT(after, 0);
      Time& low = spread == 0 ? plain_lowest : lowest;
      Time& high = spread == 0 ? plain_highest : highest;
      low = std::min(low, after);
      high = std::max(high, after);
    }
  }
  EXPECT_GE(plain_lowest, 4 * kS);
  EXPECT_LT(plain_highest, 6 * kS + kS / 100);
  EXPECT_GE(lowest, 2 * kS);
  EXPECT_LE(highest, 9 * kS + kS / 100);
  EXPECT_LT(lowest, 3500 * kMs);
  EXPECT_GT(highest, 6500 * kMs);
}

// ---------------------------------------------------------------- retries and redispatch

// One user sends a request, waits for its outcome and sends the next one a
// second later. Roundrobin alternates web1 and web2.
struct Outcome {
  Time sent = 0;
  Time took = 0;
  bool succeeded = false;
  FailureReason reason = FailureReason::kCount;
};

// Every request of the one user, in order, as seen by polling every 1 ms.
std::vector<Outcome> outcomes(ScenarioConfig config, const FaultConfig& fault, Time until) {
  config.faults = {fault};
  FaultRun run(config);
  std::vector<Outcome> out;
  std::optional<Time> live_since;
  models::RequestCounts before{};
  for (Time t = kMs; t <= until; t += kMs) {
    run.sim.run_until(t);
    std::optional<Time> sent;
    run.stack.requests().for_each_live([&](models::RequestId, const models::Request& r) { sent = r.first_sent; });
    if (live_since && sent != live_since) {
      const models::RequestCounts now = run.stack.results().totals;
      Outcome o{*live_since, t - *live_since, now.succeeded > before.succeeded, FailureReason::kCount};
      for (std::size_t k = 0; k < now.failed.size(); ++k) {
        if (now.failed[k] > before.failed[k]) o.reason = static_cast<FailureReason>(k);
      }
      out.push_back(o);
      before = now;
    }
    live_since = sent;
  }
  return out;
}

ScenarioConfig one_user(const std::string& lb) {
  return stack("health_check: true, " + lb, 2, "{ users: 1, think: 1s }");
}

// The longest request sent after the fault and before `before`.
Outcome slowest(const std::vector<Outcome>& all, Time from, Time before) {
  Outcome worst;
  for (const auto& o : all) {
    if (o.sent >= from && o.sent < before && o.took > worst.took) worst = o;
  }
  return worst;
}

constexpr Time kCrash = 20 * kS + 500 * kMs;

// The server the one user's address hashes to under balance source (the one
// its first request used).
std::string source_target() {
  FaultRun run(one_user("balance: source"));
  run.sim.run_until(2 * kS);
  auto& lb = dynamic_cast<models::HaproxyNode&>(*run.stack.tier_nodes(0).front());
  EXPECT_EQ(lb.server_connections(0) * lb.server_connections(1), 0u);
  return lb.server_connections(0) > 0 ? "web1" : "web2";
}

// Without redispatch a request to a silent server makes four attempts (retries
// 3) of one timeout connect (5 s) each, with no pause after a timeout: a 503
// after 20 s, as measured on HAProxy 2.6 (20.0 s).
TEST(Redispatch, WithoutItASilentServerCostsFourConnectTimeouts) {
  for (const std::string balance : {"roundrobin", "leastconn"}) {
    const auto all = outcomes(one_user("balance: " + balance), scheduled(models::HostCrash{}, "web1", kCrash, 0),
                              60 * kS);
    const Outcome worst = slowest(all, kCrash, kCrash + 5 * kS);
    EXPECT_FALSE(worst.succeeded) << balance;
    EXPECT_EQ(worst.reason, FailureReason::kConnectFailed) << balance;
    EXPECT_GE(worst.took, 4 * 5 * kS) << balance;
    EXPECT_LE(worst.took, 4 * 5 * kS + 2 * kMs) << balance;
  }
}

// With redispatch and a non-hash algorithm over two servers UP, the first
// retry goes to the other server at once: one timeout connect (measured on
// HAProxy 2.6: the slowest request took 5.006 s, every request succeeded).
TEST(Redispatch, RoundRobinAndLeastconnMoveAfterTheFirstTimeout) {
  for (const std::string balance : {"roundrobin", "leastconn"}) {
    const auto all = outcomes(one_user("redispatch: true, balance: " + balance),
                              scheduled(models::HostCrash{}, "web1", kCrash, 0), 60 * kS);
    for (const auto& o : all) EXPECT_TRUE(o.succeeded) << balance << " sent at " << o.sent;
    const Outcome worst = slowest(all, kCrash, kCrash + 5 * kS);
    EXPECT_GE(worst.took, 5 * kS) << balance;
    EXPECT_LE(worst.took, 5 * kS + 10 * kMs) << balance;
  }
}

// balance source keeps the client's server: redispatch waits for the last
// retry, and the hash (over the servers UP) still picks web1 until it is
// marked DOWN; then the next retry moves at once. The one user hashes to one
// server: crash that one.
TEST(Redispatch, SourceKeepsTheServerUntilItIsMarkedDown) {
  const std::string target = source_target();

  // Without redispatch: 503 after four timeouts (20 s).
  const auto without = outcomes(one_user("balance: source"), scheduled(models::HostCrash{}, target, kCrash, 0),
                                60 * kS);
  Outcome first = slowest(without, kCrash, kCrash + 1100 * kMs);
  EXPECT_EQ(first.reason, FailureReason::kConnectFailed);
  EXPECT_GE(first.took, 20 * kS);
  EXPECT_LE(first.took, 20 * kS + 2 * kMs);

  // With it: the server is marked DOWN 10-12 s after the crash; the request
  // sent just after the crash times out every 5 s, and the first retry
  // decided after DOWN goes to the other server at once (10 or 15 s).
  const ScenarioConfig config = one_user("balance: source, redispatch: true");
  const Time down = kCrash + marked_down_after(config, models::HostCrash{}, kCrash, target);
  const auto with = outcomes(config, scheduled(models::HostCrash{}, target, kCrash, 0), 60 * kS);
  first = slowest(with, kCrash, kCrash + 1100 * kMs);
  Time attempts = 5 * kS;
  while (first.sent + attempts < down) attempts += 5 * kS;
  EXPECT_TRUE(first.succeeded);
  EXPECT_GE(attempts, 10 * kS);
  EXPECT_GE(first.took, attempts);
  EXPECT_LE(first.took, attempts + 10 * kMs);
}

// A refused connection (killed process): without redispatch, each retry of
// the same server follows a turn-around pause of min(timeout connect, 1 s):
// a 503 after 3 pauses. With redispatch (roundrobin, two servers UP) the
// first retry goes to web2 with no pause.
TEST(Redispatch, RefusedConnectionsPauseOnlyWhenRetryingTheSameServer) {
  const FaultConfig kill = scheduled(models::ProcessCrash{}, "web1", kCrash, 0);
  const auto without = outcomes(one_user("balance: roundrobin"), kill, 40 * kS);
  const Outcome failed = slowest(without, kCrash, kCrash + 4 * kS);
  EXPECT_EQ(failed.reason, FailureReason::kConnectFailed);
  EXPECT_GE(failed.took, 3 * kS);
  EXPECT_LE(failed.took, 3 * kS + 3 * kMs);

  const auto with = outcomes(one_user("balance: roundrobin, redispatch: true"), kill, 40 * kS);
  for (const auto& o : with) EXPECT_TRUE(o.succeeded) << "sent at " << o.sent;
  EXPECT_LE(slowest(with, kCrash, kCrash + 4 * kS).took, 10 * kMs);

  // source: the same server until the last retry, which the hash sends back
  // to web1 (still UP): the pauses before retries 1 and 2, none before the
  // redispatched third, then a 503.
  const std::string target = source_target();
  const auto source = outcomes(one_user("balance: source, redispatch: true"),
                               scheduled(models::ProcessCrash{}, target, kCrash, 0), 40 * kS);
  const Outcome hashed = slowest(source, kCrash, kCrash + 1100 * kMs);
  EXPECT_EQ(hashed.reason, FailureReason::kConnectFailed);
  EXPECT_GE(hashed.took, 2 * kS);
  EXPECT_LE(hashed.took, 2 * kS + 3 * kMs);
}

// `redispatch: N` (option redispatch N) with source and two servers UP: a
// redispatched retry goes back to the hash, which picks the same server
// (still UP), but skips the turn-around pause (more than one server UP). So
// the time to the 503 after a refusal counts the retries that were not
// redispatched, 1 s each: N = 1 and N = -3 (retries 3) redispatch every
// retry; N = 2 the 2nd; N = -1 (true) and 3 the 3rd; N = -2 the 2nd; N = 0
// none (only a DOWN server would move it), as without redispatch.
TEST(Redispatch, EveryNthRetryAndTheNthBeforeTheLast) {
  const std::string target = source_target();
  const FaultConfig kill = scheduled(models::ProcessCrash{}, target, kCrash, 0);
  const std::vector<std::pair<std::string, int>> pauses = {{"1", 0},  {"-3", 0}, {"2", 2},     {"-1", 2},
                                                           {"3", 2},  {"-2", 2}, {"true", 2},  {"0", 3},
                                                           {"false", 3}};
  for (const auto& [n, paused] : pauses) {
    const auto all = outcomes(one_user("balance: source, redispatch: " + n), kill, 30 * kS);
    const Outcome o = slowest(all, kCrash, kCrash + 1100 * kMs);
    EXPECT_EQ(o.reason, FailureReason::kConnectFailed) << n;
    EXPECT_GE(o.took, paused * kS) << n;
    EXPECT_LE(o.took, paused * kS + 3 * kMs) << n;
  }
}

// ---------------------------------------------------------------- who detected it

// Two balancers with VRRP (`cluster`) in front of two servers. lb2's
// process is killed at 5 s and restarted at 7 s (after lb1 took over its
// address in active-active mode, so that it preempts it back), so its checks
// run 1 s ahead of lb1's (lb1: 0, 2.0002 s, ...; lb2: 7 s, 9.0002 s, ...).
ScenarioConfig pair(const std::string& cluster) {
  ScenarioConfig config = stack("health_check: true, count: 2, cluster: " + cluster);
  config.faults = {scheduled(models::ProcessCrash{}, "lb2", 5 * kS, 2 * kS),
                   scheduled(models::HostCrash{}, "web1", 30 * kS + 100 * kMs, 0)};
  return config;
}

struct Detections {
  Time lb1 = -1, lb2 = -1;
  std::optional<Time> reported;  // the web1 crash's detection, after the crash
};

Detections detections(const ScenarioConfig& config) {
  FaultRun run(config);
  run.sim.run_until(60 * kS);
  Detections d;
  const Time crash = 30 * kS + 100 * kMs;
  d.lb1 = run.first_trace("lb1 marks web1 DOWN") - crash;
  d.lb2 = run.first_trace("lb2 marks web1 DOWN") - crash;
  for (const auto& f : run.stack.results().slo.faults) {
    if (f.fault == "host crash web1" && f.detected) d.reported = *f.detected - f.start;
  }
  return d;
}

// Active-passive: the idle backup (lb2) notices first, but only the master's
// (lb1's) detection moves the traffic: that is the fault's detection.
TEST(WhoDetected, TheVrrpMasterNotTheIdleBackup) {
  const Detections d = detections(pair("active-passive"));
  ASSERT_GT(d.lb2, 0);
  ASSERT_GT(d.lb1, d.lb2);  // the backup's checks came first
  ASSERT_TRUE(d.reported);
  EXPECT_EQ(*d.reported, d.lb1);
}

// Active-active: both balancers carry traffic; the first detection moves
// that balancer's share.
TEST(WhoDetected, EitherBalancerWhenBothCarryTraffic) {
  const ScenarioConfig config = pair("active-active");
  {
    FaultRun run(config);
    run.sim.run_until(20 * kS);
    ASSERT_NE(run.stack.clients().entry().node_at(1), nullptr);
    ASSERT_EQ(run.stack.clients().entry().node_at(1)->name(), "lb2");  // preempted back
  }
  const Detections d = detections(config);
  ASSERT_GT(d.lb1, d.lb2);
  ASSERT_TRUE(d.reported);
  EXPECT_EQ(*d.reported, d.lb2);
}

// ---------------------------------------------------------------- on-marked-down

// Requests take 2 s of CPU at web1/web2; web1's host crashes at 30.3 s with
// requests in flight, which wait for their answer (no timeout server).
// HAProxy's default leaves them waiting; `on_marked_down: shutdown-sessions`
// cuts them when the checks mark web1 DOWN: those web1 had received end as
// 502, those still connecting as 503, all at that moment.
TEST(OnMarkedDown, ShutdownSessionsCutsTheRequestsInFlight) {
  const auto run_with = [](const std::string& checks) {
    ScenarioConfig config = loader::load_scenario_text(R"(
name: shutdown
run: { duration: 60s, warmup: 0s, seed: 3 }
machines:
  box: { cores: 64, speed: 1.0, scheduling: ps }
network: { latency: 100us, client_latency: 100us }
workload:
  arrivals: poisson(10/s)
  classes:
    job: { web: { cpu: 2s } }
tiers:
  lb:  { kind: haproxy, machine: box, balance: roundrobin, retries: 0, health_check: )" + checks + R"( }
  web: { kind: server, count: 2, machine: box }
)",
                                                       "test_haproxy_checks", test_support::source_root(), {});
    return config;
  };
  const Time crash = 30 * kS + 300 * kMs;
  const Time down = crash + marked_down_after(run_with("true"), models::HostCrash{}, crash);
  const auto bad = static_cast<std::size_t>(FailureReason::kBadGateway);
  const auto connect = static_cast<std::size_t>(FailureReason::kConnectFailed);
  for (const bool cut : {false, true}) {
    ScenarioConfig config = run_with(cut ? "{ on_marked_down: shutdown-sessions }" : "true");
    config.faults = {scheduled(models::HostCrash{}, "web1", crash, 0)};
    FaultRun run(config);
    run.sim.run_until(down - kMs);
    const auto before = run.stack.results().totals;
    EXPECT_EQ(before.failed[bad], 0u);
    run.sim.run_until(down);
    const auto at = run.stack.results().totals;
    if (cut) {
      // About 10 requests/s x 2 s in flight at the crash, half of them on web1.
      EXPECT_GE(at.failed[bad], 3u);
      // Sent to web1 after the crash: each waited for its connect timeout
      // (5 s, no retries), so those of the last 5 s before DOWN are cut.
      EXPECT_GT(at.failed[connect], before.failed[connect]);
    } else {
      EXPECT_EQ(at.failed[bad], 0u);
      EXPECT_EQ(at.failed[connect], before.failed[connect]);
    }
  }
}

// pendconn_redistribute: balance source queues a request on its server when
// the server is full (server_maxconn 1). web1's host dies silently: the
// requests hashed to it take turns at its one connection slot, each attempt
// timing out after timeout connect (1 s) and queueing again for the next
// try (some run out of retries meanwhile), until the checks mark web1 DOWN.
// With option redispatch the queue goes back to the balancer at that moment
// (and on to web2: no request fails after it); without it the requests stay
// and go on running out of retries (503).
TEST(Redispatch, QueuedRequestsLeaveAServerMarkedDown) {
  const Time crash = 30 * kS + 300 * kMs;
  const auto config_with = [](bool redispatch) {
    return stack(std::string("balance: source, server_maxconn: 1, timeout_connect: 1s, timeout_queue: 30s, ") +
                     "health_check: true, redispatch: " + (redispatch ? "true" : "false"),
                 2, "poisson(1/s)");
  };
  for (const bool redispatch : {false, true}) {
    ScenarioConfig config = config_with(redispatch);
    const Time down = crash + marked_down_after(config, models::HostCrash{}, crash);
    ASSERT_GT(down, crash);
    config.faults = {scheduled(models::HostCrash{}, "web1", crash, 0)};
    FaultRun run(config);
    auto& lb = dynamic_cast<models::HaproxyNode&>(*run.stack.tier_nodes(0).front());
    run.sim.run_until(down - kMs);
    const int load_before = lb.server_load(0);
    // About 0.5 requests/s hash to web1: a few wait for its one slot.
    EXPECT_GE(load_before, 3) << redispatch;
    run.sim.run_until(down);
    const int load_at_down = lb.server_load(0);
    const auto failed_at_down = run.stack.results().totals.failed_total();
    run.sim.run_until(down + 31 * kS);
    const auto failed_after = run.stack.results().totals.failed_total() - failed_at_down;
    if (redispatch) {
      EXPECT_EQ(load_at_down, 1);  // only the attempt under way is left
      EXPECT_EQ(failed_after, 0u);
    } else {
      EXPECT_EQ(load_at_down, load_before);
      EXPECT_GE(failed_after, 3u);
    }
  }
}

}  // namespace
