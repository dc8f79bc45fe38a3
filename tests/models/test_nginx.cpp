// nginx's passive upstream health, against ngx_http_upstream_round_robin.c
// (nginx 1.22: ngx_http_upstream_get_peer, ..._free_round_robin_peer) and
// the testbed's drill 6 on the real nginx (docs/validation.md): an upstream
// disabled after max_fails failures is let through again after fail_timeout,
// and one more failure disables it again; each worker process keeps its own
// state (no `zone`).
#include <gtest/gtest.h>

#include <string>

#include "loader/scenario_loader.hpp"
#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using sim::Time;
using test_support::FaultRun;
using test_support::scheduled;

constexpr Time kS = sim::kSecond;

// nginx (web1) in front of two plain servers, app1 killed at 5 s for good;
// without proxy_next_upstream, every attempt at the dead app1 is a failed
// request, so the failures count the attempts. The servers' 1 us demand
// leaves nothing in flight at the kill (seed fixed).
struct Drill {
  explicit Drill(int workers)
      : run(loader::load_scenario_text(R"(
name: nginx-health
run: { duration: 30s, warmup: 0s, seed: 3 }
machines:
  box: { cores: 4, scheduling: ps }
network: { latency: 100us, client_latency: 100us }
workload:
  arrivals: poisson(100/s)
  classes:
    get: { app: { cpu: 1us } }
tiers:
  web: { kind: nginx, machine: box, worker_processes: )" + std::to_string(workers) + R"(,
         max_fails: 2, fail_timeout: 10s, next_upstream: false }
  app: { kind: server, count: 2, machine: box }
faults:
  - { at: 5s, kill: app1 }
)",
                                       "test_nginx", test_support::source_root(), {})) {
    run.sim.run_until(30 * kS);
  }
  int disables() const {
    int n = 0;
    for (const auto& [t, text] : run.trace) n += text.find("marks app1 unavailable") != std::string::npos;
    return n;
  }
  std::uint64_t failed() const {
    const auto r = run.stack.results();
    return r.totals.failed[static_cast<std::size_t>(models::FailureReason::kUpstreamFailed)];
  }
  FaultRun run;
};

// One worker: two failures disable app1 at 5 s; at about 15 s and 25 s (10 s
// after the last failure) one request is let through, fails, and disables it
// again: 2 + 1 + 1 failed requests, three disables.
TEST(NginxPassiveHealth, OneFailureDisablesAgainAfterFailTimeout) {
  const Drill d(1);
  EXPECT_EQ(d.disables(), 3);
  EXPECT_EQ(d.failed(), 4u);
}

// Two workers, each with its own counts: the same, twice.
TEST(NginxPassiveHealth, EachWorkerKeepsItsOwnState) {
  const Drill d(2);
  EXPECT_EQ(d.disables(), 6);
  EXPECT_EQ(d.failed(), 8u);
}

// proxy_next_upstream error timeout (ngx_http_upstream_next): app1 dies at
// 5 s holding requests of 2 s each. nginx passes a GET it had sent to app2,
// where it succeeds; a POST that was sent it fails (not idempotent). The
// same arrivals either way (seed fixed): the POSTs that fail are exactly the
// GETs that were passed on.
models::RunResult killed_mid_request(const std::string& method) {
  FaultRun run(loader::load_scenario_text(R"(
name: nginx-next-upstream
run: { duration: 30s, warmup: 0s, seed: 3 }
machines:
  box: { cores: 64, scheduling: ps }
network: { latency: 100us, client_latency: 100us }
workload:
  arrivals: poisson(4/s)
  classes:
    order: { method: )" + method + R"(, app: { cpu: 2s } }
tiers:
  web: { kind: nginx, machine: box, worker_processes: 1, max_fails: 0 }
  app: { kind: server, count: 2, machine: box }
faults:
  - { at: 5s, kill: app1 }
)",
                                          "test_nginx", test_support::source_root(), {}));
  run.sim.run_until(30 * kS);
  return run.stack.results();
}

TEST(NginxNextUpstream, PassesOnARequestSentToADeadUpstreamOnlyIfIdempotent) {
  const auto get = killed_mid_request("GET");
  const auto post = killed_mid_request("POST");
  const auto upstream_failed = [](const models::RunResult& r) {
    return r.totals.failed[static_cast<std::size_t>(models::FailureReason::kUpstreamFailed)];
  };
  EXPECT_EQ(upstream_failed(get), 0u);
  EXPECT_GE(upstream_failed(post), 2u);  // about 4: 4/s x 2 s in flight, half of them on app1
  EXPECT_EQ(get.totals.succeeded, post.totals.succeeded + upstream_failed(post));
}

}  // namespace
