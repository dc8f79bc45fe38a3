// The workload section: arrivals (open, closed or a rate schedule) and the
// request classes with each tier's demand. The client's behaviour is in
// read_client.cpp.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "loader/call_graph.hpp"
#include "loader/sections.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

namespace loader::sections {

namespace {

// The models count a visit's outstanding calls and disk IOs in 16 bits.
constexpr int kMaxPerVisit = 65535;
// A bound on what the models allocate per user, so a typo such as an extra
// zero fails here instead of exhausting memory there.
constexpr int kMaxUsers = 1'000'000;

const std::vector<std::string> kDemandKeys = {"cpu",     "calls", "request", "response",  "disk_ios",
                                              "io_size", "reads", "writes",  "cache_hit", "hit_ratio"};
const std::vector<std::string> kDatabaseDemandKeys = {"reads", "writes", "cache_hit"};

void read_schedule(const Field& f, Context& ctx) {
  if (f.node.type != Node::Type::kList || f.node.items.empty()) expected(f, "a list of { at, rate, ramp } pieces");
  models::OpenArrivals open;
  for (std::size_t i = 0; i < f.node.items.size(); ++i) {
    const MapReader piece({f.node.items[i], child_path(f.path, std::to_string(i))});
    piece.allow_only({"at", "rate", "ramp"});
    models::RatePiece p;
    const Field at = piece.require("at");
    p.at = to_duration(at, false);
    if (i == 0 && p.at != 0) expected(at, "0s: the first piece starts the schedule");
    if (i > 0 && p.at <= open.schedule.back().at) {
      fail(at, fmt::format("must be later than the previous piece's at ({})",
                           sim::format_duration(open.schedule.back().at)));
    }
    p.rate = to_rate(piece.require("rate"));
    if (const auto r = piece.get("ramp")) {
      p.ramp = to_duration(*r, false);
      if (i == 0 && p.ramp > 0) {
        fail(*r, "the first piece has no earlier rate to ramp from",
             "start with { at: 0s, rate: 0/s } and ramp in the next piece");
      }
    }
    open.schedule.push_back(p);
  }
  for (std::size_t i = 0; i + 1 < open.schedule.size(); ++i) {
    const auto& p = open.schedule[i];
    const auto& next = open.schedule[i + 1];
    if (p.ramp > 0 && p.at + p.ramp > next.at) {
      const MapReader piece({f.node.items[i], child_path(f.path, std::to_string(i))});
      fail(piece.require("ramp"), fmt::format("the ramp ends at {}, after the next piece starts at {}",
                                              sim::format_duration(p.at + p.ramp), sim::format_duration(next.at)));
    }
  }
  ctx.cfg.workload.arrivals = std::move(open);
}

void read_arrivals(const Field& f, Context& ctx) {
  constexpr std::string_view kWhat = "poisson(<rate>), a map with users and think, or a map with schedule";
  if (f.node.type == Node::Type::kScalar) {
    const std::string_view text = detail::trim(f.node.text);
    constexpr std::string_view kPrefix = "poisson(";
    if (text.size() <= kPrefix.size() || text.substr(0, kPrefix.size()) != kPrefix || text.back() != ')') {
      expected(f, kWhat);
    }
    const auto inner = detail::trim(text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1));
    const auto rate = sim::parse_rate(inner);
    if (!rate || *rate <= 0.0) {
      fail(f, fmt::format("expected a positive rate such as 600/s inside poisson(), found {}", in_quotes(inner)));
    }
    check_rate(f, *rate, inner);
    ctx.cfg.workload.arrivals = models::OpenArrivals{{models::RatePiece{0, *rate, 0}}};
    return;
  }
  if (f.node.type != Node::Type::kMap) expected(f, kWhat);
  const MapReader m(f);
  if (const auto users = m.get("users"); users && m.get("schedule")) {
    fail(*users, "a workload has users (closed) or schedule (open), not both");
  }
  if (m.get("schedule")) {
    m.allow_only({"schedule"});
    read_schedule(m.require("schedule"), ctx);
    return;
  }
  if (!m.get("users")) {
    m.allow_only({"users", "think", "schedule"});
    detail::fail_at(f.node, child_path(f.path, "users"),
                    "required key is missing (a closed workload has users and think; an open one has schedule)");
  }
  m.allow_only({"users", "think"});
  models::ClosedArrivals closed;
  closed.users = to_int(m.require("users"), 1, kMaxUsers);
  closed.think = to_distribution(m.require("think"), ctx.base_dir);
  ctx.cfg.workload.arrivals = closed;
}

// Disk work on a machine without a disk would have nowhere to go.
void require_disk(const Field& f, std::size_t tier_index, const Context& ctx) {
  for (const auto& machine : ctx.tier_info[tier_index].machines) {
    if (!ctx.cfg.machines.at(machine).disk) {
      fail(f,
           fmt::format("this needs a disk, but tier {} runs on machine {}, which has none",
                       ctx.cfg.tiers[tier_index].name, in_quotes(machine)),
           fmt::format("give machine {} a disk: {{ iops: ..., bandwidth: ... }}", machine));
    }
  }
}

models::TierDemand read_demand(const Field& f, std::size_t tier_index, bool deepest, const Context& ctx,
                               std::vector<call_graph::StepFields>& steps) {
  const MapReader d(f);
  const TierInfo& tier = ctx.tier_info[tier_index];
  const std::string& tier_name = ctx.cfg.tiers[tier_index].name;
  d.allow_only(kDemandKeys);
  for (const auto& e : d.entries()) {
    if (tier.kind != kind_index<models::DatabaseConfig>() && contains(kDatabaseDemandKeys, e.key.text)) {
      fail(d.key_of(e), fmt::format("only database tiers take {}; tier {} is {} {} tier", e.key.text, tier_name,
                                    info(tier.kind).article, info(tier.kind).name));
    }
    if (tier.kind != kind_index<models::CacheConfig>() && e.key.text == "hit_ratio") {
      fail(d.key_of(e), fmt::format("only cache tiers take hit_ratio; tier {} is {} {} tier", tier_name,
                                    info(tier.kind).article, info(tier.kind).name));
    }
  }
  models::TierDemand demand;
  if (const auto c = d.get("cpu")) demand.cpu = to_distribution(*c, ctx.base_dir);
  if (const auto c = d.get("calls")) {
    if (c->node.type == Node::Type::kList) {
      std::vector<std::string> tier_names;
      for (const auto& t : ctx.cfg.tiers) tier_names.push_back(t.name);
      demand.call_list = call_graph::read_call_list(*c, tier_names, steps);
    } else {
      if (c->node.type != Node::Type::kScalar) {
        expected(*c, "a positive integer (calls to the next tier) or a list of calls such as [{ to: db }]");
      }
      if (deepest) {
        fail(*c, fmt::format("tier {} is the deepest tier this class visits, so it calls no further tier", tier_name),
             "give the next tier a demand in this class to make the calls reach it");
      }
      demand.calls = to_int(*c, 1, kMaxPerVisit);
    }
  }
  if (const auto h = d.get("hit_ratio")) demand.hit_ratio = to_number(*h, Range::kFraction);
  if (const auto r = d.get("request")) demand.request_bytes = to_size(*r, false);
  if (const auto r = d.get("response")) demand.response_bytes = to_size(*r, false);
  if (const auto n = d.get("disk_ios")) {
    demand.disk_ios = to_int(*n, 0);
    if (demand.disk_ios > 0) require_disk(*n, tier_index, ctx);
  }
  if (const auto s = d.get("io_size")) demand.io_bytes = to_size(*s, true);
  if (const auto c = d.get("cache_hit")) demand.cache_hit = to_number(*c, Range::kFraction);
  if (const auto r = d.get("reads")) {
    demand.reads = to_int(*r, 0);
    if (demand.reads > 0 && demand.cache_hit < 1.0) require_disk(*r, tier_index, ctx);
  }
  if (const auto w = d.get("writes")) {
    demand.writes = to_int(*w, 0);
    if (demand.writes > 0) require_disk(*w, tier_index, ctx);
  }
  // Worst case: every page misses the cache, plus a write's log flush.
  const long long ios = static_cast<long long>(demand.disk_ios) + demand.reads + demand.writes + (demand.writes > 0);
  if (ios > kMaxPerVisit)
    fail(f, fmt::format("up to {} disk IOs per visit; at most {} are supported", ios, kMaxPerVisit));
  return demand;
}

void read_classes(const Field& f, Context& ctx) {
  const MapReader classes(f);
  if (classes.entries().empty()) expected(f, "at least one class");
  std::vector<std::string> tier_names;
  for (const auto& tier : ctx.cfg.tiers) tier_names.push_back(tier.name);
  std::vector<std::string> valid = kClassKeys;
  valid.insert(valid.end(), tier_names.begin(), tier_names.end());

  double total_weight = 0.0;
  std::vector<call_graph::ClassFields> where;
  for (const auto& e : classes.entries()) {
    models::RequestClass rc;
    rc.name = to_name(classes.key_of(e));
    const MapReader c(classes.value_of(e));
    rc.demands.resize(ctx.cfg.tiers.size());
    call_graph::ClassFields w{classes.key_of(e), {}, {}, {}};
    w.demand.resize(ctx.cfg.tiers.size());
    w.calls.resize(ctx.cfg.tiers.size());
    w.steps.resize(ctx.cfg.tiers.size());
    std::size_t deepest = 0;
    for (const auto& key : c.entries()) {
      if (contains(valid, key.key.text)) {
        const auto tier = std::find(tier_names.begin(), tier_names.end(), key.key.text);
        if (tier != tier_names.end())
          deepest = std::max(deepest, static_cast<std::size_t>(tier - tier_names.begin()));
        continue;
      }
      if (contains(kDemandKeys, key.key.text)) {
        fail(c.key_of(key), fmt::format("{} belongs in a tier's demand, not directly in the class", key.key.text),
             fmt::format("e.g. {}: {{ {}: ... }}", tier_names.back(), key.key.text));
      }
      fail(c.key_of(key), fmt::format("not a tier name nor weight, request, response or method; {}",
                                      suggest(key.key.text, valid, "the tiers are")));
    }
    if (const auto w = c.get("weight")) rc.weight = to_number(*w, Range::kNonNegative);
    if (const auto r = c.get("request")) rc.request_bytes = to_size(*r, false);
    if (const auto r = c.get("response")) rc.response_bytes = to_size(*r, false);
    if (const auto m = c.get("method")) {
      // ngx_http_upstream_next's list of methods it will not send twice.
      rc.idempotent = to_choice<bool>(*m, {{"GET", true}, {"HEAD", true}, {"PUT", true}, {"DELETE", true},
                                           {"OPTIONS", true}, {"POST", false}, {"PATCH", false}, {"LOCK", false}});
    }
    // With a call list anywhere, the chain ends at the first one.
    bool listed = false;
    for (std::size_t i = 0; i < ctx.cfg.tiers.size(); ++i) {
      const auto d = c.get(tier_names[i]);
      if (!d) continue;
      w.demand[i].emplace(*d);
      if (d->node.type == Node::Type::kMap) {
        if (const auto calls = MapReader(*d).get("calls")) w.calls[i].emplace(*calls);
      }
      if (w.calls[i] && w.calls[i]->node.type == Node::Type::kList) listed = true;
    }
    for (std::size_t i = 0; i < ctx.cfg.tiers.size(); ++i) {
      if (w.demand[i]) rc.demands[i] = read_demand(*w.demand[i], i, !listed && i == deepest, ctx, w.steps[i]);
    }
    total_weight += rc.weight;
    ctx.cfg.workload.classes.push_back(std::move(rc));
    where.push_back(std::move(w));
  }
  if (!(total_weight > 0.0)) fail(f, "the class weights sum to 0; at least one must be positive");
  call_graph::check(ctx.cfg, where);
}

}  // namespace

void read_workload(const Field& f, Context& ctx) {
  const MapReader workload(f);
  workload.allow_only({"arrivals", "classes", "client"});
  read_arrivals(workload.require("arrivals"), ctx);
  read_classes(workload.require("classes"), ctx);
  if (const auto c = workload.get("client")) read_client(*c, ctx.cfg.workload.client);
}

}  // namespace loader::sections
