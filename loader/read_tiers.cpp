// The tiers section: each tier's kind, placement (machine or on), count and
// node names, and the checks across tiers (the chain's order and weights,
// distinct node names). Each kind's own keys are read in read_<kind>.cpp.
#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "loader/sections.hpp"

namespace loader::sections {

namespace {

constexpr std::size_t kMaxTiers = 8;
constexpr int kMaxWeight = 256;  // HAProxy's and nginx's upper bound for a server weight
// A bound on what the models allocate per node, so a typo such as an extra
// zero fails here instead of exhausting memory there.
constexpr int kMaxNodesPerTier = 10'000;

// The loader's side of each tier kind: the article its messages use and its
// own YAML keys; its reader is read_<kind> (in read_<kind>.cpp), which
// read_tier picks by a visit with one overload per kind. There is one specialisation
// per alternative of models::TierKindConfig, and kinds() is built from the
// variant, so a kind without one does not compile.
template <class K>
struct KindKeys;

template <>
struct KindKeys<models::HaproxyConfig> {
  static constexpr std::string_view kArticle = "a";
  static std::vector<std::string> keys() {
    return {"balance", "cluster", "maxconn", "backlog", "server_maxconn", "maxqueue", "timeout_queue", "weights", "tls",
            "health_check", "slowstart", "retries", "redispatch", "spread_checks", "timeout_connect", "timeout_server",
            "vrrp"};
  }
};

template <>
struct KindKeys<models::NginxConfig> {
  static constexpr std::string_view kArticle = "an";
  static std::vector<std::string> keys() {
    return {"worker_processes", "worker_connections", "weights", "prefer_local", "max_fails", "fail_timeout",
            "next_upstream", "connect_timeout", "read_timeout"};
  }
};

template <>
struct KindKeys<models::AppConfig> {
  static constexpr std::string_view kArticle = "an";
  static std::vector<std::string> keys() {
    return {"workers", "backlog", "pool", "pool_timeout", "prefer_local", "connect_timeout", "call_timeout"};
  }
};

template <>
struct KindKeys<models::DatabaseConfig> {
  static constexpr std::string_view kArticle = "a";
  static std::vector<std::string> keys() {
    return {"replicas", "reads", "max_connections", "page_size", "log_flush_size", "query_size", "result_size",
            "failover", "replication_lag", "router"};
  }
};

template <>
struct KindKeys<models::ServerConfig> {
  static constexpr std::string_view kArticle = "a";
  static std::vector<std::string> keys() { return {"workers", "queue"}; }
};

template <>
struct KindKeys<models::CacheConfig> {
  static constexpr std::string_view kArticle = "a";
  static std::vector<std::string> keys() {
    return {"max_connections", "get_cpu", "set_cpu", "key_size", "value_size", "client_timeout"};
  }
};

const std::vector<std::string> kCommonTierKeys = {"kind", "count", "machine", "on", "names", "labels", "cpu"};

// The default config of the kind with that index.
models::TierKindConfig blank_kind(std::size_t kind) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    models::TierKindConfig blank;
    ((kind == I ? void(blank.emplace<I>()) : void()), ...);
    return blank;
  }(std::make_index_sequence<std::variant_size_v<models::TierKindConfig>>{});
}

void check_tier_keys(const MapReader& m, std::size_t kind) {
  std::vector<std::string> valid = kCommonTierKeys;
  const auto& own = info(kind).keys;
  valid.insert(valid.end(), own.begin(), own.end());
  for (const auto& e : m.entries()) {
    if (contains(valid, e.key.text)) continue;
    std::vector<std::string> owners;
    for (const auto& other : kinds()) {
      if (contains(other.keys, e.key.text)) owners.push_back(other.name);
    }
    if (owners.empty()) m.reject_key(e, valid);
    fail(m.key_of(e), fmt::format("not a key of {} {} tier ({} is for {} tiers)", info(kind).article, info(kind).name,
                                  e.key.text, join(owners, " and ")));
  }
}

// machine/on, count (and a database's replicas), names.
void read_placement(const MapReader& m, TierInfo& t, models::TierConfig& tier, const Context& ctx) {
  const auto machine = m.get("machine");
  const auto on = m.get("on");
  if (machine && on)
    fail(*on, "give machine or on, not both", "with on, each node runs on the listed host's machine");
  if (!machine && !on) {
    detail::fail_at(m.field().node, child_path(m.field().path, "machine"),
                    "required key is missing (or on: a list of hosts, one per node)");
  }
  if (machine) {
    tier.machine = ctx.machine_ref(*machine);
    t.machines.push_back(tier.machine);
  } else {
    if (on->node.type != Node::Type::kList || on->node.items.empty()) expected(*on, "a list of host names");
    if (on->node.items.size() > static_cast<std::size_t>(kMaxNodesPerTier)) {
      fail(*on, fmt::format("more than {} nodes in one tier", kMaxNodesPerTier));
    }
    for (std::size_t i = 0; i < on->node.items.size(); ++i) {
      const Field item{on->node.items[i], child_path(on->path, std::to_string(i))};
      const std::string host_name = to_string(item);
      const models::HostConfig* host = ctx.find_host(host_name);
      if (host == nullptr) {
        std::vector<std::string> names;
        for (const auto& h : ctx.cfg.hosts) names.push_back(h.name);
        fail(item,
             fmt::format("unknown host {}; {}", in_quotes(host_name), suggest(host_name, names, "the hosts are")),
             ctx.cfg.hosts.empty() ? "declare hosts under the top-level hosts: key" : "");
      }
      tier.on.push_back(host_name);
      if (!contains(t.machines, host->machine)) t.machines.push_back(host->machine);
    }
  }

  const auto count = m.get("count");
  const auto replicas = t.kind == kind_index<models::DatabaseConfig>() ? m.get("replicas") : std::nullopt;
  const int replica_count = replicas ? to_int(*replicas, 0, kMaxNodesPerTier - 1) : 0;
  if (count) {
    tier.count = to_int(*count, 1, kMaxNodesPerTier);
  } else if (on) {
    tier.count = static_cast<int>(tier.on.size());
  } else if (replicas) {
    tier.count = replica_count + 1;
  }
  if (on && tier.count != static_cast<int>(tier.on.size())) {
    fail(*count, fmt::format("count is {} but on lists {} hosts, one per node", tier.count, tier.on.size()));
  }
  if (replicas && replica_count + 1 != tier.count) {
    fail(*replicas, fmt::format("{} replicas make {} nodes (a primary plus the replicas), but the tier has {}",
                                replica_count, replica_count + 1, tier.count));
  }
  if (t.kind == kind_index<models::HaproxyConfig>() && tier.count > 2) {
    fail(count ? *count : *on, fmt::format("a haproxy tier has 1 or 2 nodes, found {}", tier.count));
  }

  if (t.names) {
    const Field& names = *t.names;
    if (names.node.type != Node::Type::kList) expected(names, "a list of node names");
    for (std::size_t i = 0; i < names.node.items.size(); ++i) {
      tier.node_names.push_back(to_name({names.node.items[i], child_path(names.path, std::to_string(i))}));
    }
    if (tier.node_names.size() != static_cast<std::size_t>(tier.count)) {
      fail(names, fmt::format("expected {} names, one per node, found {}", tier.count, tier.node_names.size()));
    }
  } else {
    for (int i = 1; i <= tier.count; ++i) tier.node_names.push_back(fmt::format("{}{}", tier.name, i));
  }
}

// Rules about a tier's place in the chain.
void check_chain(Context& ctx) {
  for (std::size_t i = 0; i < ctx.cfg.tiers.size(); ++i) {
    const TierInfo& t = ctx.tier_info[i];
    const bool last = i + 1 == ctx.cfg.tiers.size();
    if (t.kind == kind_index<models::DatabaseConfig>() && !last) {
      fail(MapReader(t.field).require("kind"),
           fmt::format("a database tier must be the last tier, but tier {} follows it", ctx.cfg.tiers[i + 1].name));
    }
    if (!t.weights) continue;
    if (last) fail(*t.weights, "the last tier has no next tier to weight");
    const Field& w = *t.weights;
    const int next_count = ctx.cfg.tiers[i + 1].count;
    if (w.node.type != Node::Type::kList) expected(w, "a list of weights, one per node of the next tier");
    std::vector<int> weights;
    for (std::size_t j = 0; j < w.node.items.size(); ++j) {
      weights.push_back(to_int({w.node.items[j], child_path(w.path, std::to_string(j))}, 0, kMaxWeight));
    }
    if (weights.size() != static_cast<std::size_t>(next_count)) {
      fail(w, fmt::format("expected {} weights, one per node of tier {}, found {}", next_count,
                          ctx.cfg.tiers[i + 1].name, weights.size()));
    }
    if (std::all_of(weights.begin(), weights.end(), [](int x) { return x == 0; })) {
      fail(w, "all weights are 0, so no node of the next tier would get requests");
    }
    if (auto* haproxy = std::get_if<models::HaproxyConfig>(&ctx.cfg.tiers[i].kind)) haproxy->weights = weights;
    if (auto* nginx = std::get_if<models::NginxConfig>(&ctx.cfg.tiers[i].kind)) nginx->weights = weights;
  }
}

// Node names identify nodes in reports; tiers without `on` also name a
// host after each node, which must not clash with a declared host.
void check_node_names(const Context& ctx) {
  std::map<std::string, std::string> owner;  // node name -> tier
  for (std::size_t i = 0; i < ctx.cfg.tiers.size(); ++i) {
    const models::TierConfig& tier = ctx.cfg.tiers[i];
    const TierInfo& t = ctx.tier_info[i];
    for (std::size_t j = 0; j < tier.node_names.size(); ++j) {
      const std::string& name = tier.node_names[j];
      const Field where =
          t.names ? Field{t.names->node.items[j], child_path(t.names->path, std::to_string(j))} : t.key;
      const std::string what = t.names ? "" : " (the default name of a node of this tier)";
      if (const auto it = owner.find(name); it != owner.end()) {
        fail(where, fmt::format("node name {}{} is already used by tier {}", in_quotes(name), what, it->second),
             "give the nodes distinct names with names:");
      }
      if (tier.on.empty() && ctx.find_host(name) != nullptr) {
        fail(where,
             fmt::format("node name {}{} is also a host name; a tier without on gets a host named after each node",
                         in_quotes(name), what),
             "rename the node with names:, or place the tier on hosts with on:");
      }
      owner[name] = tier.name;
    }
  }
}

void read_tier(const MapReader& tiers, const Entry& e, Context& ctx) {
  const Field key = tiers.key_of(e);
  const std::string name = to_name(key);
  if (contains(kClassKeys, name)) {
    fail(key, "a tier cannot be named weight, request, response or method: classes use those keys");
  }
  const MapReader m(tiers.value_of(e));
  std::vector<std::pair<std::string, std::size_t>> kind_names;
  for (const auto& k : kinds()) kind_names.emplace_back(k.name, k.index);
  const std::size_t kind = to_choice(m.require("kind"), kind_names);
  check_tier_keys(m, kind);

  TierInfo t{kind, key, m.field(), m.get("weights"), m.get("names"), {}};
  models::TierConfig tier;
  tier.name = name;
  read_placement(m, t, tier, ctx);
  if (const auto l = m.get("labels")) tier.labels = to_labels(*l);
  if (const auto c = m.get("cpu")) tier.cpu = to_distribution(*c, ctx.base_dir);
  tier.kind = blank_kind(kind);
  std::visit(models::Overloaded{
                 [&](models::HaproxyConfig& c) { c = read_haproxy(m, tier.count, ctx); },
                 [&](models::NginxConfig& c) { c = read_nginx(m, t, ctx); },
                 [&](models::AppConfig& c) { c = read_app(m); },
                 [&](models::DatabaseConfig& c) { c = read_database(m, tier.count, ctx); },
                 [&](models::ServerConfig& c) { c = read_server(m); },
                 [&](models::CacheConfig& c) { c = read_cache(m, ctx); },
             },
             tier.kind);
  ctx.cfg.tiers.push_back(std::move(tier));
  ctx.tier_info.push_back(std::move(t));
}

}  // namespace

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<KindInfo>{{I, std::string(std::variant_alternative_t<I, models::TierKindConfig>::kName),
                                  std::string(KindKeys<std::variant_alternative_t<I, models::TierKindConfig>>::kArticle),
                                  KindKeys<std::variant_alternative_t<I, models::TierKindConfig>>::keys()}...};
  }(std::make_index_sequence<std::variant_size_v<models::TierKindConfig>>{});
  return table;
}

void read_tiers(const Field& f, Context& ctx) {
  const MapReader tiers(f);
  if (tiers.entries().empty()) expected(f, "at least one tier");
  if (tiers.entries().size() > kMaxTiers) {
    fail(tiers.key_of(tiers.entries()[kMaxTiers]), fmt::format("more than {} tiers", kMaxTiers));
  }
  for (const auto& e : tiers.entries()) read_tier(tiers, e, ctx);
  check_chain(ctx);
  check_node_names(ctx);
}

}  // namespace loader::sections
