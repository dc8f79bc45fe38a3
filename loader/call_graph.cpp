#include "loader/call_graph.hpp"

#include <algorithm>

#include "models/topology.hpp"

namespace loader::call_graph {

using namespace fields;

namespace {

// A visit counts its calls in 16 bits; an `on: miss` step multiplies its
// count by the gets before it.
constexpr int kMaxPerVisit = 65535;
constexpr std::size_t kMaxSteps = 255;  // a visit's current step is 8 bits
// Each call of a fan-out group is a request of its own in the pool while it
// lasts (models/lifecycle.hpp), and the overload guard (run.max_in_flight)
// counts client requests only: 256 calls keep one request's branches within
// one pool chunk (about 165 KiB), well above the fan-outs of real pages.
constexpr int kMaxGroup = 256;

template <class K>
bool is(const models::TierConfig& tier) {
  return std::holds_alternative<K>(tier.kind);
}

bool proxy(const models::TierConfig& tier) {
  return is<models::HaproxyConfig>(tier) || is<models::NginxConfig>(tier);
}

std::string kind_of(const models::TierConfig& tier) { return std::string(models::kind_name(tier.kind)); }

}  // namespace

std::vector<models::CallStep> read_call_list(const Field& f, const std::vector<std::string>& tier_names,
                                             std::vector<StepFields>& where) {
  if (f.node.items.size() > kMaxSteps) {
    fail(f, fmt::format("{} steps in one call list; at most {} are supported", f.node.items.size(), kMaxSteps));
  }
  std::vector<models::CallStep> steps;
  for (std::size_t i = 0; i < f.node.items.size(); ++i) {
    const Field item{f.node.items[i], child_path(f.path, std::to_string(i))};
    const MapReader m(item);
    m.allow_only({"to", "count", "on", "op", "parallel"});
    models::CallStep step;
    const Field to = m.require("to");
    const std::string target = to_string(to);
    const auto it = std::find(tier_names.begin(), tier_names.end(), target);
    if (it == tier_names.end()) {
      fail(to, fmt::format("unknown tier {}; {}", in_quotes(target), suggest(target, tier_names, "the tiers are")));
    }
    step.tier = static_cast<int>(it - tier_names.begin());
    if (const auto c = m.get("count")) step.count = to_int(*c, 0, kMaxPerVisit);
    const auto on = m.get("on");
    if (on) {
      step.on = to_choice<models::CallCondition>(
          *on, {{"always", models::CallCondition::kAlways}, {"miss", models::CallCondition::kMiss},
                {"hit", models::CallCondition::kHit}});
    }
    const auto op = m.get("op");
    if (op) step.op = to_choice<models::CacheOp>(*op, {{"get", models::CacheOp::kGet}, {"set", models::CacheOp::kSet}});
    const auto parallel = m.get("parallel");
    if (parallel) step.parallel = to_bool(*parallel);
    steps.push_back(step);
    where.push_back(StepFields{item, to, on, op, parallel});
  }
  return steps;
}

void check(const models::ScenarioConfig& cfg, const std::vector<ClassFields>& where) {
  const auto& tiers = cfg.tiers;
  const std::vector<std::vector<models::CallStep>> calls = models::resolve_calls(cfg);
  const std::size_t n = tiers.size();
  for (std::size_t c = 0; c < cfg.workload.classes.size(); ++c) {
    const models::RequestClass& rc = cfg.workload.classes[c];
    const ClassFields& w = where[c];
    // Each list: who may call, who may be called, what a condition needs.
    for (std::size_t t = 0; t < n; ++t) {
      const auto& demand = rc.demands[t];
      if (!demand || !demand->call_list) continue;
      const models::TierConfig& caller = tiers[t];
      const Field& list = *w.calls[t];
      if (proxy(caller)) {
        fail(list,
             fmt::format("tier {} is {} {} tier, a proxy: it forwards each request to the tier after it, so its "
                         "calls are a count, not a list",
                         caller.name, is<models::NginxConfig>(caller) ? "an" : "a", kind_of(caller)),
             "give the list to an app or server tier, or write calls: N");
      }
      if (is<models::DatabaseConfig>(caller) || is<models::CacheConfig>(caller)) {
        fail(list, fmt::format("tier {} is a {} and calls no tier", caller.name, kind_of(caller)));
      }
      int gets = 0;  // cache gets before the current step
      // A fan-out group's counts are settled when it starts: its conditional
      // steps count the gets before the group.
      int group_gets = 0;
      long long group_calls = 0;  // at most, in the current group
      for (std::size_t s = 0; s < demand->call_list->size(); ++s) {
        const models::CallStep& step = (*demand->call_list)[s];
        const StepFields& sf = w.steps[t][s];
        const bool group_start = step.parallel && (s == 0 || !(*demand->call_list)[s - 1].parallel);
        if (group_start) {
          group_gets = gets;
          group_calls = 0;
        }
        if (step.parallel) {
          group_calls += static_cast<long long>(step.count) * (step.on == models::CallCondition::kAlways ? 1 : group_gets);
          if (group_calls > kMaxGroup) {
            fail(*sf.parallel,
                 fmt::format("up to {} calls in this fan-out group (each step's count, x the gets before the group "
                             "for on: miss and on: hit); at most {} are supported",
                             group_calls, kMaxGroup),
                 "each call in flight is a request of its own in the simulator");
          }
          if (step.on != models::CallCondition::kAlways && group_gets == 0 && gets > 0) {
            fail(*sf.on,
                 fmt::format("on: {} in a fan-out group counts the cache gets answered before the group starts, "
                             "but the only gets before this step are sent with it (parallel: true)",
                             step.on == models::CallCondition::kMiss ? "miss" : "hit"),
                 "end the group before this step (parallel: false), or move the gets before the group");
          }
        }
        const models::TierConfig& target = tiers[static_cast<std::size_t>(step.tier)];
        if (is<models::HaproxyConfig>(target)) {
          fail(sf.to,
               fmt::format("tier {} is a balancer: clients reach it through its address, calls from other tiers "
                           "cannot",
                           target.name),
               "call the tier it balances over");
        }
        const bool cache = is<models::CacheConfig>(target);
        if (cache && !is<models::AppConfig>(caller)) {
          fail(sf.to, fmt::format("tier {} is a cache, which app tiers ask (cache-aside); tier {} is {} {} tier",
                                  target.name, caller.name, kind_of(caller) == "app" ? "an" : "a", kind_of(caller)));
        }
        if (sf.op && !cache) {
          fail(*sf.op, fmt::format("op says what a call to a cache does, but tier {} is not a cache", target.name));
        }
        if (step.on != models::CallCondition::kAlways && gets == 0) {
          fail(*sf.on,
               fmt::format("on: {} counts the cache gets that {} before this step, but no earlier step of this "
                           "list gets from a cache tier",
                           step.on == models::CallCondition::kMiss ? "miss" : "hit",
                           step.on == models::CallCondition::kMiss ? "missed" : "hit"),
               "put a step such as { to: cache } before it");
        }
        if (step.on != models::CallCondition::kAlways && static_cast<long long>(step.count) * gets > kMaxPerVisit) {
          fail(sf.step, fmt::format("up to {} calls in this step (count x the gets before it); at most {} are "
                                    "supported",
                                    static_cast<long long>(step.count) * gets, kMaxPerVisit));
        }
        if (cache && step.op == models::CacheOp::kGet && step.on == models::CallCondition::kAlways) {
          gets += step.count;
          if (gets > kMaxPerVisit) fail(sf.step, fmt::format("more than {} cache gets in one visit", kMaxPerVisit));
        }
      }
    }
    // `calls: N` on a tier with no tier after it (the chain's last tier is
    // checked where the count is read).
    for (std::size_t t = 0; t < n; ++t) {
      const auto& demand = rc.demands[t];
      if (demand && !demand->call_list && demand->calls && w.calls[t] && t + 1 == n) {
        fail(*w.calls[t], fmt::format("tier {} is the last tier: there is no next tier to call", tiers[t].name));
      }
    }
    // Walk the graph from the entry tier: a tier met again on the path is a cycle.
    std::vector<int> state(n, 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::size_t> path;
    const auto walk = [&](const auto& self, std::size_t t) -> void {
      state[t] = 1;
      path.push_back(t);
      const auto& steps = calls[c * n + t];
      for (std::size_t s = 0; s < steps.size(); ++s) {
        const auto next = static_cast<std::size_t>(steps[s].tier);
        if (state[next] == 1) {
          std::string cycle;
          for (auto it = std::find(path.begin(), path.end(), next); it != path.end(); ++it) cycle += tiers[*it].name + " -> ";
          cycle += tiers[next].name;
          const Field& at = rc.demands[t] && rc.demands[t]->call_list ? w.steps[t][s].to
                                                                       : (w.calls[t] ? *w.calls[t] : w.name);
          fail(at, fmt::format("class {} calls in a cycle: {}", rc.name, cycle),
               "a request cannot visit a tier it is already visiting");
        }
        // HAProxy's model finds its frame at its tier's depth: only the
        // chain from the first tier gets there.
        if (is<models::HaproxyConfig>(tiers[next]) && path.size() != next) {
          const Field& at = rc.demands[t] && rc.demands[t]->call_list ? w.steps[t][s].to
                                                                       : (w.calls[t] ? *w.calls[t] : w.name);
          fail(at, fmt::format("class {} reaches HAProxy tier {} from tier {}, off the chain of tiers before it",
                               rc.name, tiers[next].name, tiers[t].name),
               "a balancer tier is reached through the tiers before it in the file, each calling the next");
        }
        if (state[next] == 0) self(self, next);
      }
      path.pop_back();
      state[t] = 2;
    };
    walk(walk, 0);
    for (std::size_t t = 0; t < n; ++t) {
      if (state[t] == 0 && w.demand[t]) {
        fail(*w.demand[t],
             fmt::format("class {} states a demand at tier {}, but none of its calls reaches that tier", rc.name,
                         tiers[t].name),
             "add a step { to: " + tiers[t].name + " } to a call list, or remove this demand");
      }
    }
  }
}

}  // namespace loader::call_graph
