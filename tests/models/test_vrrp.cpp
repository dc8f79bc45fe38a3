// keepalived/VRRP timing (models/vrrp.cpp) against keepalived 2.2's
// schedule: adverts every advert_int from when a node became master, the
// backup's Master_Down_Timer restarted at each advert it accepts, preemption
// when the returning node's own timer expires, and track_script runs every
// interval from keepalived's start.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::ScenarioConfig;
using sim::Time;
using test_support::FaultRun;
using test_support::scheduled;

// Two balancers (priorities 150 and 100, VRRP v2, advert_int 1 s) in front of
// one server, under a light load: the timings do not depend on it.
constexpr std::string_view kPair = R"(
name: vrrp-pair
run: { duration: 2m, warmup: 0s, seed: 3 }
machines:
  box: { cores: 2, speed: 1.0, scheduling: ps }
workload:
  arrivals: poisson(5/s)
  classes:
    job: { lb: { cpu: 1ms }, web: { cpu: 1ms } }
tiers:
  lb:  { kind: haproxy, count: 2, machine: box, vrrp: { advert_int: 1s, priority: [150, 100] } }
  web: { kind: server, count: 1, machine: box }
)";

ScenarioConfig pair(const std::vector<std::string>& sets = {}) {
  std::vector<loader::Override> overrides;
  for (const auto& s : sets) overrides.push_back(loader::parse_override(s));
  return loader::load_scenario_text(kPair, "test_vrrp", test_support::source_root(), overrides);
}

models::VrrpConfig& vrrp(ScenarioConfig& config) {
  return std::get<models::HaproxyConfig>(config.tiers.at(0).kind).vrrp;
}

// Skews (VRRP v2) and Master_Down_Intervals at advert_int 1 s.
const Time kSkew100 = sim::to_time(156.0 / 256.0 * 1e9);
const Time kSkew150 = sim::to_time(106.0 / 256.0 * 1e9);
const Time kMasterDown100 = 3 * sim::kSecond + kSkew100;  // 3.609375 s
const Time kMasterDown150 = 3 * sim::kSecond + kSkew150;  // 3.4140625 s

// The last point of origin + k x period strictly before t.
Time last_before(Time origin, Time period, Time t) { return origin + (t - 1 - origin) / period * period; }
// The first point of origin + k x period strictly after t.
Time first_after(Time origin, Time period, Time t) { return last_before(origin, period, t) + period; }

// When lb2 takes the address from a master whose host dies at `crash`, and
// the origin of that master's advert schedule.
struct Takeover {
  Time at = -1;
  Time origin = 0;
};
Takeover host_crash_takeover(ScenarioConfig config, Time crash) {
  config.faults = {scheduled(models::HostCrash{}, "lb1", crash, 0)};
  FaultRun run(config);
  run.sim.run_until(crash - 1);
  Takeover t;
  t.origin = run.stack.clients().entry().advert_origin(0);
  run.sim.run_until(crash + 5 * sim::kSecond);
  t.at = run.first_trace("vrrp: lb2 takes address 1");
  return t;
}

// RFC 5798 6.4.2 / vrrp.c: the backup restarts its timer at every advert, so
// it takes over Master_Down_Interval after the last advert heard, 2.61-3.61 s
// after the crash depending on the phase; the issue's crash instants.
TEST(Vrrp, HostCrashTakeoverIsMasterDownIntervalAfterTheLastAdvert) {
  const ScenarioConfig config = pair();
  std::vector<Time> gaps;
  for (const Time crash : {60'000 * sim::kMillisecond, 60'300 * sim::kMillisecond, 60'700 * sim::kMillisecond,
                           61'450 * sim::kMillisecond}) {
    const Takeover t = host_crash_takeover(config, crash);
    ASSERT_GT(t.at, 0) << "crash at " << crash;
    EXPECT_EQ(t.at, last_before(t.origin, sim::kSecond, crash) + kMasterDown100) << "crash at " << crash;
    const Time gap = t.at - crash;
    EXPECT_GE(gap, kMasterDown100 - sim::kSecond);
    EXPECT_LT(gap, kMasterDown100);
    // Whatever the phase, gap + crash instant falls on the advert grid.
    EXPECT_EQ((gap + crash) % sim::kSecond, (kMasterDown100 + t.origin + sim::kSecond) % sim::kSecond);
    gaps.push_back(gap);
  }
  // Offsets 0, 0.3, 0.7 and 0.45 s within the advert cycle: the gaps spread
  // over at least 0.7 s whatever the phase.
  const auto [low, high] = std::minmax_element(gaps.begin(), gaps.end());
  EXPECT_GE(*high - *low, 700 * sim::kMillisecond);
}

// Over many phases (one per seed), the mean gap is Master_Down_Interval -
// advert_int / 2 = 3.109375 s, the figure `tiersim analyze` uses. The gap is
// uniform over 1 s (sd 0.289 s): over 200 runs the mean's sd is 0.0204 s,
// and the tolerance is 4 of them.
TEST(Vrrp, MeanHostCrashGapOverPhases) {
  constexpr int kRuns = 200;
  double sum = 0.0;
  for (int seed = 1; seed <= kRuns; ++seed) {
    ScenarioConfig config = pair({"run.seed=" + std::to_string(seed), "run.duration=20s"});
    const Time crash = 10 * sim::kSecond;
    const Takeover t = host_crash_takeover(config, crash);
    ASSERT_GT(t.at, 0);
    sum += sim::to_seconds(t.at - crash);
  }
  EXPECT_NEAR(sum / kRuns, 3.0 + 156.0 / 256.0 - 0.5, 4 * 0.0204);
}

// The returning priority-150 node starts as BACKUP, discards lb2's
// lower-priority adverts and takes the address back when its own
// Master_Down_Interval (3.414 s) expires, not at the repair.
TEST(Vrrp, ReturningMasterPreemptsAfterItsOwnMasterDownInterval) {
  const Time crash = 20 * sim::kSecond, repair = 40 * sim::kSecond;
  ScenarioConfig config = pair();
  config.faults = {scheduled(models::HostCrash{}, "lb1", crash, repair - crash)};
  FaultRun run(config);
  run.sim.run_until(repair + kMasterDown150 - 1);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb2");
  run.sim.run_until(repair + 10 * sim::kSecond);
  EXPECT_EQ(run.first_trace("vrrp: lb1 takes address 1 from lb2"), repair + kMasterDown150);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb1");

  // With nopreempt, lb2 keeps it.
  ScenarioConfig keep = pair();
  vrrp(keep).preempt = false;
  keep.faults = config.faults;
  FaultRun kept(keep);
  kept.sim.run_until(repair + 30 * sim::kSecond);
  EXPECT_EQ(kept.first_trace("vrrp: lb1 takes address 1"), -1);
  EXPECT_EQ(kept.stack.clients().entry().node_at(0)->name(), "lb2");
}

// preempt_delay (vrrp.c, vrrp_process_adv): the returning node accepts the
// lower-priority adverts for preempt_delay after the first one it hears,
// restarting its timer at each; it takes over Master_Down_Interval after the
// last one accepted, within one advert_int before repair + preempt_delay +
// Master_Down_Interval.
TEST(Vrrp, PreemptDelayCountsFromTheFirstLowerPriorityAdvert) {
  const Time crash = 20 * sim::kSecond, repair = 40 * sim::kSecond;
  for (const Time delay : {5 * sim::kSecond, 2'500 * sim::kMillisecond}) {
    ScenarioConfig config = pair();
    vrrp(config).preempt_delay = delay;
    config.faults = {scheduled(models::HostCrash{}, "lb1", crash, repair - crash)};
    FaultRun run(config);
    run.sim.run_until(repair - 1);
    const Time origin = run.stack.clients().entry().advert_origin(0);  // lb2's, since its takeover
    run.sim.run_until(repair + 20 * sim::kSecond);
    const Time first_heard = first_after(origin, sim::kSecond, repair - 1);
    const Time expected = last_before(origin, sim::kSecond, first_heard + delay) + kMasterDown150;
    const Time back = run.first_trace("vrrp: lb1 takes address 1 from lb2");
    EXPECT_EQ(back, expected) << "preempt_delay " << delay;
    EXPECT_GT(back, repair + delay + kMasterDown150 - sim::kSecond);
    EXPECT_LE(back, repair + delay + kMasterDown150);
  }
}

// A graceful stop (keepalived's VRRP process exits: priority-0 advert) costs
// the skew alone, whatever the phase.
TEST(Vrrp, GracefulStopCostsTheSkew) {
  for (const Time stop : {30 * sim::kSecond, 30'400 * sim::kMillisecond}) {
    ScenarioConfig config = pair();
    config.faults = {scheduled(models::Stop{}, "lb1", stop, 0)};
    FaultRun run(config);
    run.sim.run_until(stop + 5 * sim::kSecond);
    EXPECT_EQ(run.first_trace("vrrp: lb2 takes address 1"), stop + kSkew100);
  }
}

// A dead HAProxy: track_script (every 2 s here, fall 2) sees it at its next
// run after the death, the second failed run puts lb1 in FAULT (priority-0
// advert), and lb2 takes over after its skew. Until then lb1 keeps the
// address and refuses connections.
TEST(Vrrp, DeadHaproxyIsNoticedAtTrackScriptRuns) {
  const Time interval = 2 * sim::kSecond;
  std::vector<Time> delays;
  for (const Time crash : {30'000 * sim::kMillisecond, 30'500 * sim::kMillisecond, 31'000 * sim::kMillisecond,
                           31'700 * sim::kMillisecond}) {
    ScenarioConfig config = pair();
    vrrp(config).track_interval = interval;
    vrrp(config).track_fall = 2;
    config.faults = {scheduled(models::ProcessCrash{}, "lb1", crash, 0)};
    FaultRun run(config);
    const Time origin = run.stack.clients().entry().script_origin(0);
    const Time fault = first_after(origin, interval, crash) + interval;
    run.sim.run_until(fault - 1);
    ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
    EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb1");
    run.sim.run_until(crash + 10 * sim::kSecond);
    EXPECT_EQ(run.first_trace("vrrp: lb1 track_script fails: FAULT"), fault) << "crash at " << crash;
    const Time takeover = run.first_trace("vrrp: lb2 takes address 1");
    EXPECT_EQ(takeover, fault + kSkew100);
    EXPECT_GT(takeover - crash, interval + kSkew100);
    EXPECT_LE(takeover - crash, 2 * interval + kSkew100);
    delays.push_back(takeover - crash);
  }
  // Offsets 0, 0.5, 1 and 1.7 s within a 2 s cycle: spread over >= 1.2 s.
  const auto [low, high] = std::minmax_element(delays.begin(), delays.end());
  EXPECT_GE(*high - *low, 1'200 * sim::kMillisecond);
}

// HAProxy restarted before the `fall`-th failed run: keepalived never
// notices, and the address stays with lb1.
TEST(Vrrp, HaproxyBackBeforeFallRunsIsNeverNoticed) {
  ScenarioConfig config = pair();
  vrrp(config).track_interval = 2 * sim::kSecond;
  vrrp(config).track_fall = 3;
  const Time crash = 30 * sim::kSecond;
  config.faults = {scheduled(models::ProcessCrash{}, "lb1", crash, 3 * sim::kSecond)};
  FaultRun run(config);
  run.sim.run_until(crash + 20 * sim::kSecond);
  EXPECT_EQ(run.first_trace("FAULT"), -1);
  EXPECT_EQ(run.first_trace("vrrp: lb2 takes"), -1);
  EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb1");
}

// After HAProxy's restart, `rise` good runs take lb1 out of FAULT into
// BACKUP, and it preempts Master_Down_Interval later.
TEST(Vrrp, RecoveredHaproxyRisesThenPreempts) {
  const Time interval = 1 * sim::kSecond;
  ScenarioConfig config = pair();
  vrrp(config).track_rise = 3;
  const Time crash = 30 * sim::kSecond, restart = 40'300 * sim::kMillisecond;
  config.faults = {scheduled(models::ProcessCrash{}, "lb1", crash, restart - crash)};
  FaultRun run(config);
  const Time origin = run.stack.clients().entry().script_origin(0);
  run.sim.run_until(restart + 10 * sim::kSecond);
  const Time backup = first_after(origin, interval, restart) + 2 * interval;
  EXPECT_EQ(run.first_trace("vrrp: lb1 track_script succeeds: BACKUP"), backup);
  EXPECT_EQ(run.first_trace("vrrp: lb1 takes address 1 from lb2"), backup + kMasterDown150);
}

// Active-active: each address's backup has the lower of the mirrored
// priorities, so lb1 takes lb2's address after 3 x 1 s + 156/256 s from
// lb2's last advert on it, like lb2 takes lb1's.
TEST(Vrrp, ActiveActiveBackupsUseTheirMirroredPriority) {
  ScenarioConfig config = pair({"tiers.lb.cluster=active-active"});
  const Time crash = 30 * sim::kSecond;
  config.faults = {scheduled(models::HostCrash{}, "lb2", crash, 0)};
  FaultRun run(config);
  run.sim.run_until(crash - 1);
  EXPECT_EQ(run.stack.clients().entry().node_at(1)->name(), "lb2");
  const Time origin = run.stack.clients().entry().advert_origin(1);
  run.sim.run_until(crash + 5 * sim::kSecond);
  EXPECT_EQ(run.first_trace("vrrp: lb1 takes address 2"), last_before(origin, sim::kSecond, crash) + kMasterDown100);
}

}  // namespace
