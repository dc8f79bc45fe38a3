#include "loader/scenario_loader.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "loader/distribution_text.hpp"
#include "loader/call_graph.hpp"
#include "loader/fields.hpp"
#include "loader/document.hpp"
#include "loader/text_util.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

namespace loader {

namespace {

std::string format_message(const std::string& file, int line, int column, const std::string& key_path,
                           std::string_view message, std::string_view hint) {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}", line);
  if (line > 0 && column > 0) out += fmt::format(":{}", column);
  if (!out.empty()) out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  if (!hint.empty()) out += fmt::format("\nhint: {}", hint);
  // File and key names come from the input as they are: whatever bytes they
  // hold, the message stays printable UTF-8.
  return detail::printable(out);
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key_path, std::string_view message,
                             std::string_view hint)
    : BadInput(format_message(file, line, column, key_path, message, hint)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_path_(std::move(key_path)) {}

namespace {

using detail::child_path;
using detail::closest;
using detail::Entry;
using detail::in_quotes;
using detail::join;
using detail::Node;

constexpr std::size_t kMaxTiers = 8;
constexpr int kMaxWeight = 256;  // HAProxy's and nginx's upper bound for a server weight
// The models count a visit's outstanding calls and disk IOs in 16 bits.
constexpr int kMaxPerVisit = 65535;
// Bounds on what the models allocate per node, core, disk slot or user, so a
// typo such as an extra zero fails here instead of exhausting memory there.
constexpr int kMaxNodesPerTier = 10'000;
constexpr int kMaxCores = 4096;
constexpr int kMaxDiskDepth = 4096;
constexpr int kMaxUsers = 1'000'000;
// random(N) draws N servers per request; more draws than servers buy nothing.
constexpr int kMaxRandomDraws = 100;
// Client and HAProxy retries: more attempts than this per request is a slip,
// not a retry policy.
constexpr int kMaxRetries = 100;
// Missed pings before ProxySQL shuns a node: a bound far above any real
// setting, which keeps detection times far from the end of sim::Time's range.
constexpr int kMaxPingFailures = 1000;
// VRRP priorities: 0 means "stop", 255 is reserved for the address owner.
constexpr int kMaxVrrpPriority = 254;
// track_script's fall and rise: bounded so that runs x interval stays far
// from the clock's range.
constexpr int kMaxTrackRuns = 1000;
// Linux's TCP_RTO_MAX: the models stop backing off there, so a first
// retransmission timeout this long would make the loss cost nothing.
constexpr sim::Time kMaxRto = 120 * sim::kSecond;

using namespace fields;  // the field readers are this file's vocabulary

// ---------------------------------------------------------------- tiers

// The loader's side of each tier kind: the article its messages use and its
// own YAML keys; its reader is the Converter's read_<kind>, which read_tier
// picks by a visit with one overload per kind. There is one specialisation
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

struct KindInfo {
  std::size_t index;  // in models::TierKindConfig
  std::string name;
  std::string article;  // "a" or "an", for messages
  std::vector<std::string> keys;
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<KindInfo>{{I, std::string(std::variant_alternative_t<I, models::TierKindConfig>::kName),
                                  std::string(KindKeys<std::variant_alternative_t<I, models::TierKindConfig>>::kArticle),
                                  KindKeys<std::variant_alternative_t<I, models::TierKindConfig>>::keys()}...};
  }(std::make_index_sequence<std::variant_size_v<models::TierKindConfig>>{});
  return table;
}

const KindInfo& info(std::size_t kind) { return kinds()[kind]; }

// K's index in models::TierKindConfig.
template <class K, std::size_t I = 0>
constexpr std::size_t kind_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, models::TierKindConfig>, K>) {
    return I;
  } else {
    return kind_index<K, I + 1>();
  }
}

const std::vector<std::string> kCommonTierKeys = {"kind", "count", "machine", "on", "names", "labels", "cpu"};
const std::vector<std::string> kClassKeys = {"weight", "request", "response"};
const std::vector<std::string> kDemandKeys = {"cpu",     "calls", "request", "response",  "disk_ios",
                                              "io_size", "reads", "writes",  "cache_hit", "hit_ratio"};
const std::vector<std::string> kDatabaseDemandKeys = {"reads", "writes", "cache_hit"};

// Faults. A fault names what fails with exactly one subject key: a kind key
// (models::FaultEffect's kKey, in its order) for a scheduled fault, or target
// or domain for a stochastic one, whose kind is then the kind key's value.

// Every fault kind, in FaultEffect's order, as a default value: the table
// comes from the variant, so a new kind is read without a list to update.
std::vector<std::pair<std::string, models::FaultEffect>> fault_kinds() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<std::pair<std::string, models::FaultEffect>>{
        {std::string(std::variant_alternative_t<I, models::FaultEffect>::kKey),
         models::FaultEffect(std::in_place_index<I>)}...};
  }(std::make_index_sequence<std::variant_size_v<models::FaultEffect>>{});
}

const std::vector<std::string> kStochasticSubjects = {"target", "domain"};
const std::vector<std::string> kSlowKeys = {"cpu", "disk", "nic"};
const std::vector<std::string> kNetworkKeys = {"latency", "loss", "rto"};
constexpr std::string_view kStochasticHint =
    "a stochastic fault looks like { target: app1, kind: kill, mttf: exp(30d), mttr: exp(5m) }";

models::FaultEffect fault_kind(std::string_view key) {
  const auto kinds = fault_kinds();
  return std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == key; })->second;
}

std::vector<std::string> scheduled_kind_names() {
  std::vector<std::string> names;
  for (const auto& k : fault_kinds()) names.push_back(k.first);
  return names;
}

// A scheduled fault's subject keys (a kind each), then a stochastic one's.
std::vector<std::string> fault_subjects() {
  std::vector<std::string> names = scheduled_kind_names();
  names.insert(names.end(), kStochasticSubjects.begin(), kStochasticSubjects.end());
  return names;
}

// Every key a fault may have.
std::vector<std::string> fault_keys() {
  std::vector<std::string> keys = {"at", "repair_after", "for", "mttf", "mttr", "repair_crews", "kind"};
  for (const auto& more : {fault_subjects(), kSlowKeys, kNetworkKeys}) keys.insert(keys.end(), more.begin(), more.end());
  return keys;
}

// Every kind but partition, whose groups cannot fail one by one.
std::vector<std::pair<std::string, models::FaultEffect>> stochastic_kinds() {
  auto kinds = fault_kinds();
  std::erase_if(kinds, [](const auto& k) { return std::holds_alternative<models::Partition>(k.second); });
  return kinds;
}

// What later checks need to know about a tier besides its TierConfig.
struct TierInfo {
  std::size_t kind;  // index in models::TierKindConfig
  Field key;    // the tier's name in `tiers`
  Field field;  // its map
  std::optional<Field> weights;
  std::optional<Field> names;
  std::vector<std::string> machines;  // the machines its nodes run on
};

class Converter {
 public:
  Converter(const Node& root, std::filesystem::path base_dir) : root_(root), base_dir_(std::move(base_dir)) {}

  models::ScenarioConfig convert() {
    const Field root{root_, ""};
    if (root_.type == Node::Type::kNull) fail(root, "the scenario is empty");
    if (root_.type != Node::Type::kMap) {
      fail(root,
           fmt::format("expected a map of keys such as name, machines, tiers and workload, found {}", found(root_)));
    }
    const MapReader top(root);
    top.allow_only(
        {"name", "description", "run", "machines", "hosts", "network", "workload", "tiers", "slo", "faults"});
    const Field name = top.require("name");
    cfg_.name = to_string(name);
    if (cfg_.name.empty()) expected(name, "a non-empty name");
    if (const auto f = top.get("description")) cfg_.description = to_string(*f);
    if (const auto f = top.get("run")) read_run(*f);
    read_machines(top.require("machines"));
    if (const auto f = top.get("hosts")) read_hosts(*f);
    if (const auto f = top.get("network")) read_network(*f);
    read_tiers(top.require("tiers"));
    read_workload(top.require("workload"));
    if (const auto f = top.get("slo")) read_slo(*f);
    if (const auto f = top.get("faults")) read_faults(*f);
    return std::move(cfg_);
  }

 private:
  // ------------------------------------------------------------ run, hardware

  void read_run(const Field& f) {
    const MapReader run(f);
    run.allow_only({"duration", "warmup", "seed", "max_in_flight", "max_pending_events"});
    if (const auto d = run.get("duration")) cfg_.run.duration = to_duration(*d, true);
    if (const auto w = run.get("warmup")) {
      cfg_.run.auto_warmup = w->node.type == Node::Type::kScalar && w->node.text == "auto";
      cfg_.run.warmup = cfg_.run.auto_warmup ? 0 : to_duration(*w, false);
      if (cfg_.run.warmup >= cfg_.run.duration) {
        fail(*w,
             fmt::format("warmup ({}) must be shorter than the run's duration ({})",
                         sim::format_duration(cfg_.run.warmup), sim::format_duration(cfg_.run.duration)),
             "on the command line, lengthen the run with --duration or shorten the warm-up with --warmup");
      }
    }
    if (const auto s = run.get("seed")) cfg_.run.seed = to_seed(*s);
    if (const auto m = run.get("max_in_flight")) cfg_.run.max_in_flight = to_int(*m, 1);
    if (const auto m = run.get("max_pending_events")) cfg_.run.max_pending_events = to_int(*m, 1);
  }

  void read_machines(const Field& f) {
    const MapReader machines(f);
    if (machines.entries().empty()) expected(f, "at least one machine");
    for (const auto& e : machines.entries()) {
      to_name(machines.key_of(e));
      cfg_.machines[e.key.text] = read_machine(machines.value_of(e));
    }
  }

  models::MachineConfig read_machine(const Field& f) const {
    const MapReader m(f);
    m.allow_only({"cores", "speed", "scheduling", "nic", "disk", "firewall", "monitoring"});
    models::MachineConfig machine;
    machine.cores = to_int(m.require("cores"), 1, kMaxCores);
    if (const auto s = m.get("speed")) machine.speed = to_number(*s, Range::kPositive);
    if (const auto s = m.get("scheduling")) {
      machine.scheduling = to_choice<models::CpuScheduling>(
          *s, {{"ps", models::CpuScheduling::kProcessorSharing}, {"fcfs", models::CpuScheduling::kFcfs}});
    }
    if (const auto n = m.get("nic")) machine.nic_bandwidth = to_bandwidth(*n);
    if (const auto d = m.get("disk")) {
      const MapReader disk(*d);
      disk.allow_only({"iops", "bandwidth", "depth"});
      models::DiskConfig config;
      config.iops = to_number(disk.require("iops"), Range::kPositive);
      config.bandwidth = to_bandwidth(disk.require("bandwidth"));
      if (const auto depth = disk.get("depth")) config.depth = to_int(*depth, 1, kMaxDiskDepth);
      machine.disk = config;
    }
    if (const auto fw = m.get("firewall")) machine.firewall = to_distribution(*fw, base_dir_);
    if (const auto mon = m.get("monitoring")) {
      const MapReader monitoring(*mon);
      monitoring.allow_only({"cpu", "interval"});
      machine.monitoring = models::BackgroundConfig{to_distribution(monitoring.require("cpu"), base_dir_),
                                                    to_duration(monitoring.require("interval"), true)};
    }
    return machine;
  }

  // A reference to a machine by name, with a suggestion when there is none.
  std::string machine_ref(const Field& f) const {
    const std::string name = to_string(f);
    if (cfg_.machines.count(name) == 0) {
      std::vector<std::string> names;
      for (const auto& [n, m] : cfg_.machines) names.push_back(n);
      fail(f, fmt::format("unknown machine {}; {}", in_quotes(name), suggest(name, names, "the machines are")));
    }
    return name;
  }

  void read_hosts(const Field& f) {
    const MapReader hosts(f);
    for (const auto& e : hosts.entries()) {
      models::HostConfig host;
      host.name = to_name(hosts.key_of(e));
      const MapReader h(hosts.value_of(e));
      h.allow_only({"machine", "labels"});
      host.machine = machine_ref(h.require("machine"));
      if (const auto l = h.get("labels")) host.labels = to_labels(*l);
      cfg_.hosts.push_back(std::move(host));
    }
  }

  const models::HostConfig* find_host(std::string_view name) const {
    for (const auto& host : cfg_.hosts) {
      if (host.name == name) return &host;
    }
    return nullptr;
  }

  void read_network(const Field& f) {
    const MapReader network(f);
    network.allow_only({"latency", "client_latency"});
    if (const auto l = network.get("latency")) cfg_.network.latency = to_duration(*l, false);
    if (const auto l = network.get("client_latency")) cfg_.network.client_latency = to_duration(*l, false);
  }

  // ------------------------------------------------------------ tiers

  void read_tiers(const Field& f) {
    const MapReader tiers(f);
    if (tiers.entries().empty()) expected(f, "at least one tier");
    if (tiers.entries().size() > kMaxTiers) {
      fail(tiers.key_of(tiers.entries()[kMaxTiers]), fmt::format("more than {} tiers", kMaxTiers));
    }
    for (const auto& e : tiers.entries()) read_tier(tiers, e);
    check_chain();
    check_node_names();
  }

  void read_tier(const MapReader& tiers, const Entry& e) {
    const Field key = tiers.key_of(e);
    const std::string name = to_name(key);
    if (contains(kClassKeys, name)) {
      // A class's map holds both tier names and these keys.
      fail(key, "a tier cannot be named weight, request or response: classes use those keys");
    }
    const MapReader m(tiers.value_of(e));
    std::vector<std::pair<std::string, std::size_t>> kind_names;
    for (const auto& k : kinds()) kind_names.emplace_back(k.name, k.index);
    const std::size_t kind = to_choice(m.require("kind"), kind_names);
    check_tier_keys(m, kind);

    TierInfo t{kind, key, m.field(), m.get("weights"), m.get("names"), {}};
    models::TierConfig tier;
    tier.name = name;
    read_placement(m, t, tier);
    if (const auto l = m.get("labels")) tier.labels = to_labels(*l);
    if (const auto c = m.get("cpu")) tier.cpu = to_distribution(*c, base_dir_);
    tier.kind = blank_kind(kind);
    std::visit(models::Overloaded{
                   [&](models::HaproxyConfig& c) { c = read_haproxy(m, tier.count); },
                   [&](models::NginxConfig& c) { c = read_nginx(m, t); },
                   [&](models::AppConfig& c) { c = read_app(m); },
                   [&](models::DatabaseConfig& c) { c = read_database(m, tier.count); },
                   [&](models::ServerConfig& c) { c = read_server(m); },
                   [&](models::CacheConfig& c) { c = read_cache(m); },
               },
               tier.kind);
    cfg_.tiers.push_back(std::move(tier));
    tier_info_.push_back(std::move(t));
  }

  // The default config of the kind with that index.
  static models::TierKindConfig blank_kind(std::size_t kind) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      models::TierKindConfig blank;
      ((kind == I ? void(blank.emplace<I>()) : void()), ...);
      return blank;
    }(std::make_index_sequence<std::variant_size_v<models::TierKindConfig>>{});
  }

  static void check_tier_keys(const MapReader& m, std::size_t kind) {
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
  void read_placement(const MapReader& m, TierInfo& t, models::TierConfig& tier) const {
    const auto machine = m.get("machine");
    const auto on = m.get("on");
    if (machine && on)
      fail(*on, "give machine or on, not both", "with on, each node runs on the listed host's machine");
    if (!machine && !on) {
      detail::fail_at(m.field().node, child_path(m.field().path, "machine"),
                      "required key is missing (or on: a list of hosts, one per node)");
    }
    if (machine) {
      tier.machine = machine_ref(*machine);
      t.machines.push_back(tier.machine);
    } else {
      if (on->node.type != Node::Type::kList || on->node.items.empty()) expected(*on, "a list of host names");
      if (on->node.items.size() > static_cast<std::size_t>(kMaxNodesPerTier)) {
        fail(*on, fmt::format("more than {} nodes in one tier", kMaxNodesPerTier));
      }
      for (std::size_t i = 0; i < on->node.items.size(); ++i) {
        const Field item{on->node.items[i], child_path(on->path, std::to_string(i))};
        const std::string host_name = to_string(item);
        const models::HostConfig* host = find_host(host_name);
        if (host == nullptr) {
          std::vector<std::string> names;
          for (const auto& h : cfg_.hosts) names.push_back(h.name);
          fail(item,
               fmt::format("unknown host {}; {}", in_quotes(host_name), suggest(host_name, names, "the hosts are")),
               cfg_.hosts.empty() ? "declare hosts under the top-level hosts: key" : "");
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

  models::HaproxyConfig read_haproxy(const MapReader& m, int count) const {
    models::HaproxyConfig c;
    if (const auto b = m.get("balance")) read_balance(*b, c);
    c.cluster = count == 1 ? models::LbCluster::kSingle : models::LbCluster::kActivePassive;
    if (const auto f = m.get("cluster")) {
      c.cluster = to_choice<models::LbCluster>(*f, {{"single", models::LbCluster::kSingle},
                                                    {"active-passive", models::LbCluster::kActivePassive},
                                                    {"active-active", models::LbCluster::kActiveActive}});
      const int needed = c.cluster == models::LbCluster::kSingle ? 1 : 2;
      if (needed != count) {
        fail(*f, fmt::format("cluster {} needs {} node{}, but the tier has {}", f->node.text, needed,
                             needed == 1 ? "" : "s", count));
      }
    }
    if (const auto f = m.get("maxconn")) c.maxconn = to_int(*f, 0);
    if (const auto f = m.get("backlog")) c.backlog = to_int(*f, 0);
    if (const auto f = m.get("server_maxconn")) c.server_maxconn = to_int(*f, 0);
    if (const auto f = m.get("maxqueue")) c.maxqueue = to_int(*f, 0);
    if (const auto f = m.get("timeout_queue")) c.timeout_queue = to_duration(*f, true);
    if (const auto f = m.get("tls")) {
      const MapReader tls(*f);
      tls.allow_only({"handshake", "resumed", "resume_ratio", "requests_per_connection"});
      models::TlsConfig t;
      t.handshake = to_distribution(tls.require("handshake"), base_dir_);
      if (const auto r = tls.get("resumed")) t.resumed = to_distribution(*r, base_dir_);
      if (const auto r = tls.get("resume_ratio")) t.resume_ratio = to_number(*r, Range::kFraction);
      if (const auto r = tls.get("requests_per_connection")) {
        t.requests_per_connection = to_number(*r, Range::kPositive);
        if (t.requests_per_connection < 1.0) expected(*r, "a number of at least 1");
      }
      c.tls = t;
    }
    read_haproxy_failure_handling(m, count, c);
    return c;
  }

  static void read_balance(const Field& f, models::HaproxyConfig& c) {
    using models::Balance;
    const std::vector<std::pair<std::string, Balance>> plain = {
        {"roundrobin", Balance::kRoundRobin}, {"static-rr", Balance::kStaticRoundRobin},
        {"leastconn", Balance::kLeastConn},   {"first", Balance::kFirst},
        {"source", Balance::kSource},         {"random", Balance::kRandom}};
    const std::string& text = scalar(f, "a balance algorithm such as roundrobin");
    constexpr std::string_view kPrefix = "random(";
    if (text.size() > kPrefix.size() && text.compare(0, kPrefix.size(), kPrefix) == 0 && text.back() == ')') {
      const std::string inner(
          detail::trim(std::string_view(text).substr(kPrefix.size(), text.size() - kPrefix.size() - 1)));
      int draws = 0;
      const auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), draws);
      if (ec != std::errc() || end != inner.data() + inner.size() || draws < 1 || draws > kMaxRandomDraws) {
        expected(f, fmt::format("random(N) with N from 1 to {}", kMaxRandomDraws));
      }
      c.balance = Balance::kRandom;
      c.random_draws = draws;
      return;
    }
    std::vector<std::string> names;
    for (const auto& [name, value] : plain) {
      if (text == name) {
        c.balance = value;
        return;
      }
      names.push_back(name);
    }
    names.push_back("random(N)");
    fail(f, fmt::format("unknown balance algorithm {}; {}", in_quotes(text), suggest(text, names, "expected one of")));
  }

  models::NginxConfig read_nginx(const MapReader& m, const TierInfo& t) const {
    models::NginxConfig c;
    if (const auto f = m.get("worker_processes")) {
      if (f->node.type == Node::Type::kScalar && f->node.text == "auto") {
        // nginx's "auto" is one worker per core; the nodes must agree on that.
        c.worker_processes = cfg_.machines.at(t.machines.front()).cores;
        for (const auto& machine : t.machines) {
          if (cfg_.machines.at(machine).cores != c.worker_processes) {
            fail(*f, "auto needs one core count, but the tier's hosts have machines with different cores",
                 "give worker_processes as a number");
          }
        }
      } else {
        // nginx spawns at most NGX_MAX_PROCESSES (1024) processes.
        c.worker_processes = to_int(*f, 1, 1024);
      }
    }
    const auto connections = m.get("worker_connections");
    if (connections) c.worker_connections = to_int(*connections, 1);
    // The model's connection limit is their product.
    if (static_cast<long long>(c.worker_connections) * c.worker_processes > INT_MAX) {
      fail(connections ? *connections : *m.get("worker_processes"),
           fmt::format("worker_processes x worker_connections exceeds {}", INT_MAX));
    }
    if (const auto f = m.get("prefer_local")) c.prefer_local = to_bool(*f);
    read_nginx_failure_handling(m, c);
    return c;
  }

  static models::AppConfig read_app(const MapReader& m) {
    models::AppConfig c;
    if (const auto f = m.get("workers")) c.workers = to_int(*f, 1);
    if (const auto f = m.get("backlog")) c.backlog = to_int(*f, 0);
    if (const auto f = m.get("pool")) c.pool = to_int(*f, 1);
    if (const auto f = m.get("pool_timeout")) c.pool_timeout = to_duration(*f, true);
    if (const auto f = m.get("prefer_local")) c.prefer_local = to_bool(*f);
    read_app_timeouts(m, c);
    return c;
  }

  models::DatabaseConfig read_database(const MapReader& m, int count) const {
    models::DatabaseConfig c;
    c.replicas = count - 1;  // read_placement checked an explicit replicas against count
    if (const auto f = m.get("reads")) {
      c.reads = to_choice<models::ReadRouting>(
          *f, {{"replicas", models::ReadRouting::kReplicas}, {"primary", models::ReadRouting::kPrimary}});
    }
    if (const auto f = m.get("max_connections")) c.max_connections = to_int(*f, 1);
    if (const auto f = m.get("page_size")) c.page_bytes = to_size(*f, true);
    if (const auto f = m.get("log_flush_size")) c.log_flush_bytes = to_size(*f, true);
    if (const auto f = m.get("query_size")) c.query_bytes = to_size(*f, false);
    if (const auto f = m.get("result_size")) c.result_bytes = to_size(*f, false);
    read_failover(m, c);
    if (const auto f = m.get("replication_lag")) {
      if (c.replicas == 0) {
        fail(*f, "replication_lag delays the replicas, but the tier has no replicas",
             "give the tier replicas: 1 or more, or remove replication_lag");
      }
      c.replication_lag = to_distribution(*f, base_dir_);
    }
    read_router(m, c);
    return c;
  }

  // true: ProxySQL's defaults; false: the app servers call the nodes
  // directly; or a map of the settings. `replicas` is already read.
  static void read_router(const MapReader& m, models::DatabaseConfig& c) {
    const auto f = m.get("router");
    if (!f) return;
    constexpr std::string_view kWhat =
        "true, false or a map of ping_interval, ping_timeout, ping_max_failures, connect_timeout_max, "
        "writer_is_also_reader and fallback_to_primary";
    if (f->node.type == Node::Type::kScalar && f->node.text == "false") {
      c.router.reset();
      return;
    }
    if (c.replicas == 0) {
      fail(*f, "router routes reads among the replicas by their health, but the tier has no replicas",
           "give the tier replicas: 1 or more, or remove router");
    }
    if (f->node.type == Node::Type::kScalar && f->node.text == "true") return;
    if (f->node.type != Node::Type::kMap) expected(*f, kWhat);
    const MapReader r(*f);
    r.allow_only({"ping_interval", "ping_timeout", "ping_max_failures", "connect_timeout_max", "writer_is_also_reader",
                  "fallback_to_primary"});
    models::ReadRouterConfig& rc = *c.router;
    if (const auto d = r.get("ping_interval")) rc.ping_interval = to_duration(*d, true);
    if (const auto d = r.get("ping_timeout")) {
      rc.ping_timeout = to_duration(*d, true);
      // The model runs one ping of a node at a time.
      if (rc.ping_timeout >= rc.ping_interval) {
        fail(*d, fmt::format("expected a ping_timeout shorter than ping_interval ({}), found {}",
                             sim::format_duration(rc.ping_interval), sim::format_duration(rc.ping_timeout)));
      }
    } else if (rc.ping_timeout >= rc.ping_interval) {
      fail(*r.get("ping_interval"), fmt::format("expected a ping_interval longer than ping_timeout ({}), found {}",
                                                sim::format_duration(rc.ping_timeout),
                                                sim::format_duration(rc.ping_interval)));
    }
    if (const auto n = r.get("ping_max_failures")) rc.ping_max_failures = to_int(*n, 1, kMaxPingFailures);
    if (const auto d = r.get("connect_timeout_max")) rc.connect_timeout_max = to_duration(*d, true);
    if (const auto b = r.get("writer_is_also_reader")) rc.writer_is_also_reader = to_bool(*b);
    if (const auto b = r.get("fallback_to_primary")) rc.fallback_to_primary = to_bool(*b);
  }

  models::CacheConfig read_cache(const MapReader& m) const {
    models::CacheConfig c;
    if (const auto f = m.get("max_connections")) c.max_connections = to_int(*f, 1);
    if (const auto f = m.get("get_cpu")) c.get_cpu = to_distribution(*f, base_dir_);
    if (const auto f = m.get("set_cpu")) c.set_cpu = to_distribution(*f, base_dir_);
    if (const auto f = m.get("key_size")) c.key_bytes = to_size(*f, false);
    if (const auto f = m.get("value_size")) c.value_bytes = to_size(*f, false);
    if (const auto f = m.get("client_timeout")) c.client_timeout = to_duration(*f, true);
    return c;
  }

  static models::ServerConfig read_server(const MapReader& m) {
    models::ServerConfig c;
    if (const auto f = m.get("workers")) c.workers = to_int(*f, 0);
    if (const auto f = m.get("queue")) c.queue = to_int(*f, 0);
    return c;
  }

  // Health checks, retries, timeouts, and VRRP between the nodes of a pair.
  static void read_haproxy_failure_handling(const MapReader& m, int count, models::HaproxyConfig& c) {
    if (const auto f = m.get("health_check")) c.health_check = read_health_check(*f);
    if (const auto f = m.get("slowstart")) {
      c.slowstart = to_duration(*f, false);
      if (c.slowstart > 0 && !c.health_check) {
        fail(*f, "slowstart ramps up a server that health checks mark UP again, but the tier has no health_check",
             "add health_check: true, or remove slowstart");
      }
    }
    if (const auto f = m.get("retries")) c.retries = to_int(*f, 0, kMaxRetries);
    if (const auto f = m.get("redispatch")) read_redispatch(*f, c);
    if (const auto f = m.get("spread_checks")) c.spread_checks = to_int(*f, 0, 50);
    if (const auto f = m.get("timeout_connect")) {
      c.timeout_connect = to_duration(*f, true);
      // As in HAProxy, timeout queue defaults to timeout connect.
      if (!m.get("timeout_queue")) c.timeout_queue = c.timeout_connect;
    }
    if (const auto f = m.get("timeout_server")) c.timeout_server = to_duration(*f, false);
    if (const auto f = m.get("vrrp")) {
      if (count != 2) {
        fail(*f, fmt::format("vrrp runs between the two nodes of a haproxy pair, but the tier has {} node", count),
             "give the tier count: 2, or remove vrrp");
      }
      c.vrrp = read_vrrp(*f, count);
    }
  }

  // `option redispatch [N]`: true is HAProxy's N = -1 (the last retry). N
  // counts retries, so below -retries it names no retry (HAProxy would
  // divide by zero at -retries - 1).
  static void read_redispatch(const Field& f, models::HaproxyConfig& c) {
    constexpr std::string_view kWhat = "true, false or an integer N (option redispatch N)";
    const std::string& text = scalar(f, kWhat);
    if (text == "true" || text == "false") {
      c.redispatch = text == "true";
      return;
    }
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) expected(f, kWhat);
    if (c.retries > 0 && n < -c.retries) {
      fail(f, fmt::format("redispatch: {} counts {} retries back from the last, but there are only {} retries", n,
                          -n - 1, c.retries),
           fmt::format("use a value from -{} to -1, or raise retries", c.retries));
    }
    c.redispatch = true;
    c.redispatch_after = n;
  }

  // true: HAProxy's defaults; false: no checks; or a map of the settings.
  static std::optional<models::HealthCheckConfig> read_health_check(const Field& f) {
    constexpr std::string_view kWhat =
        "true, false or a map of inter, fastinter, downinter, rise, fall, timeout, observe, error_limit, on_error "
        "and on_marked_down";
    if (f.node.type == Node::Type::kScalar && (f.node.text == "true" || f.node.text == "false")) {
      if (f.node.text == "false") return std::nullopt;
      return models::HealthCheckConfig{};
    }
    if (f.node.type != Node::Type::kMap) expected(f, kWhat);
    const MapReader m(f);
    m.allow_only({"inter", "fastinter", "downinter", "rise", "fall", "timeout", "observe", "error_limit", "on_error",
                  "on_marked_down"});
    models::HealthCheckConfig hc;
    if (const auto d = m.get("inter")) hc.inter = to_duration(*d, true);
    // For these three, 0 is HAProxy's "not set" (see config.hpp).
    if (const auto d = m.get("fastinter")) hc.fastinter = to_duration(*d, false);
    if (const auto d = m.get("downinter")) hc.downinter = to_duration(*d, false);
    if (const auto d = m.get("timeout")) hc.timeout = to_duration(*d, false);
    if (const auto n = m.get("rise")) hc.rise = to_int(*n, 1);
    if (const auto n = m.get("fall")) hc.fall = to_int(*n, 1);
    read_observe(m, hc);
    if (const auto f = m.get("on_marked_down")) {
      hc.shutdown_sessions_on_down = to_choice<bool>(*f, {{"shutdown-sessions", true}});
    }
    return hc;
  }

  // Passive health: observe, and what its errors do.
  static void read_observe(const MapReader& m, models::HealthCheckConfig& hc) {
    if (const auto f = m.get("observe")) {
      hc.observe = to_choice<models::Observe>(
          *f, {{"layer4", models::Observe::kLayer4}, {"layer7", models::Observe::kLayer7}});
    }
    if (const auto n = m.get("error_limit")) hc.error_limit = to_int(*n, 1);
    if (const auto f = m.get("on_error")) {
      hc.on_error = to_choice<models::OnError>(*f, {{"fastinter", models::OnError::kFastinter},
                                                    {"fail-check", models::OnError::kFailCheck},
                                                    {"sudden-death", models::OnError::kSuddenDeath},
                                                    {"mark-down", models::OnError::kMarkDown}});
    }
    if (hc.observe != models::Observe::kOff) return;
    for (const auto* key : {"error_limit", "on_error"}) {
      if (const auto k = key_named(m, key)) {
        fail(*k, fmt::format("{} acts on the errors that observe counts, but observe is not set", key),
             "add observe: layer4 or observe: layer7, or remove it");
      }
    }
  }

  static models::VrrpConfig read_vrrp(const Field& f, int count) {
    const MapReader m(f);
    m.allow_only({"advert_int", "priority", "preempt", "preempt_delay", "arp_delay", "version", "track_interval",
                  "track_fall", "track_rise"});
    models::VrrpConfig v;
    if (const auto p = m.get("priority")) {
      if (p->node.type != Node::Type::kList) expected(*p, "a list of priorities, one per node");
      v.priority.clear();
      for (std::size_t i = 0; i < p->node.items.size(); ++i) {
        v.priority.push_back(to_int({p->node.items[i], child_path(p->path, std::to_string(i))}, 1, kMaxVrrpPriority));
      }
      if (v.priority.size() != static_cast<std::size_t>(count)) {
        fail(*p, fmt::format("expected {} priorities, one per node, found {}", count, v.priority.size()));
      }
    }
    if (const auto b = m.get("preempt")) v.preempt = to_bool(*b);
    if (const auto d = m.get("preempt_delay")) v.preempt_delay = to_duration(*d, false);
    if (const auto d = m.get("arp_delay")) v.arp_delay = to_duration(*d, false);
    if (const auto n = m.get("version")) v.version = to_choice<int>(*n, {{"2", 2}, {"3", 3}});
    if (const auto d = m.get("advert_int")) v.advert_int = read_advert_int(*d, v.version);
    if (const auto d = m.get("track_interval")) v.track_interval = to_duration(*d, true);
    if (const auto n = m.get("track_fall")) v.track_fall = to_int(*n, 1, kMaxTrackRuns);
    if (const auto n = m.get("track_rise")) v.track_rise = to_int(*n, 1, kMaxTrackRuns);
    return v;
  }

  // The advert's interval field (RFC 3768 5.3.7, RFC 5798 5.2.7): whole
  // seconds, 1-255, in version 2; centiseconds, 1-4095, in version 3.
  static sim::Time read_advert_int(const Field& f, int version) {
    const sim::Time t = to_duration(f, true);
    const sim::Time unit = version == 2 ? sim::kSecond : 10 * sim::kMillisecond;
    const sim::Time most = version == 2 ? 255 * sim::kSecond : 4095 * unit;
    if (t % unit != 0 || t > most) {
      fail(f,
           fmt::format("VRRP version {} carries advert_int in {}; found {}", version,
                       version == 2 ? "whole seconds, from 1s to 255s" : "centiseconds, from 10ms to 40.95s",
                       sim::format_duration(t)),
           version == 2 ? "give a whole number of seconds, or version: 3 for a sub-second advert_int"
                        : "give a multiple of 10ms up to 40.95s");
    }
    return t;
  }

  // Passive upstream health and proxy timeouts.
  static void read_nginx_failure_handling(const MapReader& m, models::NginxConfig& c) {
    if (const auto f = m.get("max_fails")) c.max_fails = to_int(*f, 0);
    if (const auto f = m.get("fail_timeout")) c.fail_timeout = to_duration(*f, true);
    if (const auto f = m.get("next_upstream")) c.next_upstream = to_bool(*f);
    if (const auto f = m.get("connect_timeout")) c.connect_timeout = to_duration(*f, true);
    if (const auto f = m.get("read_timeout")) c.read_timeout = to_duration(*f, false);
  }

  static void read_app_timeouts(const MapReader& m, models::AppConfig& c) {
    if (const auto f = m.get("connect_timeout")) c.connect_timeout = to_duration(*f, true);
    if (const auto f = m.get("call_timeout")) c.call_timeout = to_duration(*f, false);
  }

  // Promoting a replica when the primary dies; `replicas` is already read.
  static void read_failover(const MapReader& m, models::DatabaseConfig& c) {
    const auto f = m.get("failover");
    if (!f) return;
    if (c.replicas == 0) {
      fail(*f, "failover promotes a replica to primary, but the tier has no replicas",
           "give the tier replicas: 1 or more, or remove failover");
    }
    const MapReader failover(*f);
    failover.allow_only({"detection", "promotion"});
    c.failover_detection = to_duration(failover.require("detection"), false);
    if (const auto p = failover.get("promotion")) c.failover_promotion = to_duration(*p, false);
  }

  // Rules about a tier's place in the chain.
  void check_chain() {
    for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
      const TierInfo& t = tier_info_[i];
      const bool last = i + 1 == cfg_.tiers.size();
      if (t.kind == kind_index<models::DatabaseConfig>() && !last) {
        fail(MapReader(t.field).require("kind"),
             fmt::format("a database tier must be the last tier, but tier {} follows it", cfg_.tiers[i + 1].name));
      }
      if (!t.weights) continue;
      if (last) fail(*t.weights, "the last tier has no next tier to weight");
      const Field& w = *t.weights;
      const int next_count = cfg_.tiers[i + 1].count;
      if (w.node.type != Node::Type::kList) expected(w, "a list of weights, one per node of the next tier");
      std::vector<int> weights;
      for (std::size_t j = 0; j < w.node.items.size(); ++j) {
        weights.push_back(to_int({w.node.items[j], child_path(w.path, std::to_string(j))}, 0, kMaxWeight));
      }
      if (weights.size() != static_cast<std::size_t>(next_count)) {
        fail(w, fmt::format("expected {} weights, one per node of tier {}, found {}", next_count,
                            cfg_.tiers[i + 1].name, weights.size()));
      }
      if (std::all_of(weights.begin(), weights.end(), [](int x) { return x == 0; })) {
        fail(w, "all weights are 0, so no node of the next tier would get requests");
      }
      if (auto* haproxy = std::get_if<models::HaproxyConfig>(&cfg_.tiers[i].kind)) haproxy->weights = weights;
      if (auto* nginx = std::get_if<models::NginxConfig>(&cfg_.tiers[i].kind)) nginx->weights = weights;
    }
  }

  // Node names identify nodes in reports; tiers without `on` also name a
  // host after each node, which must not clash with a declared host.
  void check_node_names() const {
    std::map<std::string, std::string> owner;  // node name -> tier
    for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
      const models::TierConfig& tier = cfg_.tiers[i];
      const TierInfo& t = tier_info_[i];
      for (std::size_t j = 0; j < tier.node_names.size(); ++j) {
        const std::string& name = tier.node_names[j];
        const Field where =
            t.names ? Field{t.names->node.items[j], child_path(t.names->path, std::to_string(j))} : t.key;
        const std::string what = t.names ? "" : " (the default name of a node of this tier)";
        if (const auto it = owner.find(name); it != owner.end()) {
          fail(where, fmt::format("node name {}{} is already used by tier {}", in_quotes(name), what, it->second),
               "give the nodes distinct names with names:");
        }
        if (tier.on.empty() && find_host(name) != nullptr) {
          fail(where,
               fmt::format("node name {}{} is also a host name; a tier without on gets a host named after each node",
                           in_quotes(name), what),
               "rename the node with names:, or place the tier on hosts with on:");
        }
        owner[name] = tier.name;
      }
    }
  }

  // ------------------------------------------------------------ workload

  void read_workload(const Field& f) {
    const MapReader workload(f);
    workload.allow_only({"arrivals", "classes", "client"});
    read_arrivals(workload.require("arrivals"));
    read_classes(workload.require("classes"));
    if (const auto c = workload.get("client")) read_client(*c);
  }

  void read_arrivals(const Field& f) {
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
      cfg_.workload.arrivals = models::OpenArrivals{{models::RatePiece{0, *rate, 0}}};
      return;
    }
    if (f.node.type != Node::Type::kMap) expected(f, kWhat);
    const MapReader m(f);
    if (const auto users = m.get("users"); users && m.get("schedule")) {
      fail(*users, "a workload has users (closed) or schedule (open), not both");
    }
    if (m.get("schedule")) {
      m.allow_only({"schedule"});
      read_schedule(m.require("schedule"));
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
    closed.think = to_distribution(m.require("think"), base_dir_);
    cfg_.workload.arrivals = closed;
  }

  void read_schedule(const Field& f) {
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
    cfg_.workload.arrivals = std::move(open);
  }

  void read_classes(const Field& f) {
    const MapReader classes(f);
    if (classes.entries().empty()) expected(f, "at least one class");
    std::vector<std::string> tier_names;
    for (const auto& tier : cfg_.tiers) tier_names.push_back(tier.name);
    std::vector<std::string> valid = kClassKeys;
    valid.insert(valid.end(), tier_names.begin(), tier_names.end());

    double total_weight = 0.0;
    std::vector<call_graph::ClassFields> where;
    for (const auto& e : classes.entries()) {
      models::RequestClass rc;
      rc.name = to_name(classes.key_of(e));
      const MapReader c(classes.value_of(e));
      rc.demands.resize(cfg_.tiers.size());
      call_graph::ClassFields w{classes.key_of(e), {}, {}, {}};
      w.demand.resize(cfg_.tiers.size());
      w.calls.resize(cfg_.tiers.size());
      w.steps.resize(cfg_.tiers.size());
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
        fail(c.key_of(key), fmt::format("not a tier name nor weight, request or response; {}",
                                        suggest(key.key.text, valid, "the tiers are")));
      }
      if (const auto w = c.get("weight")) rc.weight = to_number(*w, Range::kNonNegative);
      if (const auto r = c.get("request")) rc.request_bytes = to_size(*r, false);
      if (const auto r = c.get("response")) rc.response_bytes = to_size(*r, false);
      // With a call list anywhere, the chain ends at the first one.
      bool listed = false;
      for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
        const auto d = c.get(tier_names[i]);
        if (!d) continue;
        w.demand[i].emplace(*d);
        if (d->node.type == Node::Type::kMap) {
          if (const auto calls = MapReader(*d).get("calls")) w.calls[i].emplace(*calls);
        }
        if (w.calls[i] && w.calls[i]->node.type == Node::Type::kList) listed = true;
      }
      for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
        if (w.demand[i]) rc.demands[i] = read_demand(*w.demand[i], i, !listed && i == deepest, w.steps[i]);
      }
      total_weight += rc.weight;
      cfg_.workload.classes.push_back(std::move(rc));
      where.push_back(std::move(w));
    }
    if (!(total_weight > 0.0)) fail(f, "the class weights sum to 0; at least one must be positive");
    call_graph::check(cfg_, where);
  }

  models::TierDemand read_demand(const Field& f, std::size_t tier_index, bool deepest,
                                 std::vector<call_graph::StepFields>& steps) const {
    const MapReader d(f);
    const TierInfo& tier = tier_info_[tier_index];
    const std::string& tier_name = cfg_.tiers[tier_index].name;
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
    if (const auto c = d.get("cpu")) demand.cpu = to_distribution(*c, base_dir_);
    if (const auto c = d.get("calls")) {
      if (c->node.type == Node::Type::kList) {
        std::vector<std::string> tier_names;
        for (const auto& t : cfg_.tiers) tier_names.push_back(t.name);
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
      if (demand.disk_ios > 0) require_disk(*n, tier_index);
    }
    if (const auto s = d.get("io_size")) demand.io_bytes = to_size(*s, true);
    if (const auto c = d.get("cache_hit")) demand.cache_hit = to_number(*c, Range::kFraction);
    if (const auto r = d.get("reads")) {
      demand.reads = to_int(*r, 0);
      if (demand.reads > 0 && demand.cache_hit < 1.0) require_disk(*r, tier_index);
    }
    if (const auto w = d.get("writes")) {
      demand.writes = to_int(*w, 0);
      if (demand.writes > 0) require_disk(*w, tier_index);
    }
    // Worst case: every page misses the cache, plus a write's log flush.
    const long long ios = static_cast<long long>(demand.disk_ios) + demand.reads + demand.writes + (demand.writes > 0);
    if (ios > kMaxPerVisit)
      fail(f, fmt::format("up to {} disk IOs per visit; at most {} are supported", ios, kMaxPerVisit));
    return demand;
  }

  // Disk work on a machine without a disk would have nowhere to go.
  void require_disk(const Field& f, std::size_t tier_index) const {
    for (const auto& machine : tier_info_[tier_index].machines) {
      if (!cfg_.machines.at(machine).disk) {
        fail(f,
             fmt::format("this needs a disk, but tier {} runs on machine {}, which has none",
                         cfg_.tiers[tier_index].name, in_quotes(machine)),
             fmt::format("give machine {} a disk: {{ iops: ..., bandwidth: ... }}", machine));
      }
    }
  }

  // ------------------------------------------------------------ clients

  void read_client(const Field& f) {
    const MapReader m(f);
    m.allow_only({"timeout", "connect_timeout", "retries", "backoff", "budget", "circuit_breaker"});
    models::ClientConfig& c = cfg_.workload.client;
    if (const auto t = m.get("timeout")) c.timeout = to_duration(*t, false);
    if (const auto t = m.get("connect_timeout")) c.connect_timeout = to_duration(*t, true);
    if (const auto r = m.get("retries")) c.retries = to_int(*r, 0, kMaxRetries);
    if (const auto b = m.get("backoff")) c.backoff = read_backoff(*b);
    if (const auto b = m.get("budget")) c.budget = read_budget(*b);
    if (const auto b = m.get("circuit_breaker")) {
      const MapReader breaker(*b);
      breaker.allow_only({"failures", "open_for"});
      models::CircuitBreakerConfig cb;
      if (const auto n = breaker.get("failures")) cb.failures = to_int(*n, 1);
      if (const auto d = breaker.get("open_for")) cb.open_for = to_duration(*d, true);
      c.circuit_breaker = cb;
    }
  }

  // A map of the fields, or compact text: none, constant(100ms),
  // exponential(100ms, cap=2s, jitter=full), exp_jitter(...), exp_equal_jitter(...).
  static models::BackoffConfig read_backoff(const Field& f) {
    constexpr std::string_view kWhat =
        "none, constant(<base>), exponential(<base>[, cap=<duration>][, jitter=none|full|equal]), "
        "exp_jitter(<base>[, cap=<duration>]), exp_equal_jitter(<base>[, cap=<duration>]) or a map with base";
    if (f.node.type == Node::Type::kMap) return read_backoff_map(f);
    const std::string_view text = detail::trim(scalar(f, kWhat));
    if (text == "none") return {};
    if (text.find('(') == std::string_view::npos) expected(f, kWhat);
    detail::Call call;
    try {
      call = detail::split_call(text);
    } catch (const DistributionTextError& e) {
      fail(f, e.what());
    }
    struct Form {
      std::string name;
      std::string usage;
      std::vector<std::string> keys;
      bool exponential;
      models::Jitter jitter;  // the form's own; jitter= overrides it where allowed
    };
    const std::vector<Form> forms = {
        {"constant", "constant(<base>[, jitter=none|full|equal])", {"jitter"}, false, models::Jitter::kNone},
        {"exponential",
         "exponential(<base>[, cap=<duration>][, jitter=none|full|equal])",
         {"cap", "jitter"},
         true,
         models::Jitter::kNone},
        {"exp_jitter", "exp_jitter(<base>[, cap=<duration>])", {"cap"}, true, models::Jitter::kFull},
        {"exp_equal_jitter", "exp_equal_jitter(<base>[, cap=<duration>])", {"cap"}, true, models::Jitter::kEqual},
    };
    std::vector<std::string> names = {"none"};
    const Form* form = nullptr;
    for (const auto& candidate : forms) {
      names.push_back(candidate.name);
      if (candidate.name == call.name) form = &candidate;
    }
    if (form == nullptr) {
      fail(f,
           fmt::format("unknown backoff {}; {}", in_quotes(call.name), suggest(call.name, names, "expected one of")));
    }
    bool shape_ok = call.positional.size() == 1;
    for (const auto& [key, value] : call.named) shape_ok = shape_ok && contains(form->keys, key);
    if (!shape_ok) expected(f, form->usage);
    models::BackoffConfig b;
    b.exponential = form->exponential;
    b.jitter = form->jitter;
    const auto duration_argument = [&](std::string_view value, std::string_view parameter) {
      const auto t = sim::parse_duration(value);
      if (!t) fail(f, fmt::format("{}: {}: {}", form->usage, parameter, detail::duration_problem(value)));
      if (*t > sim::kHorizon) fail(f, fmt::format("{}: {}: {}", form->usage, parameter, detail::horizon_problem(value)));
      if (*t == 0) {
        fail(f, fmt::format("{}: {}: expected a positive duration, found {}", form->usage, parameter, in_quotes(value)),
             "for retries without a wait, write backoff: none");
      }
      return *t;
    };
    b.base = duration_argument(call.positional[0], "base");
    if (const auto cap = call.get("cap")) {
      b.cap = duration_argument(*cap, "cap");
      check_backoff_cap(f, b);
    }
    if (const auto jitter = call.get("jitter")) {
      const auto choice = jitter_choices();
      const auto it = std::find_if(choice.begin(), choice.end(), [&](const auto& c) { return c.first == *jitter; });
      if (it == choice.end()) {
        fail(f, fmt::format("{}: jitter: expected none, full or equal, found {}", form->usage, in_quotes(*jitter)));
      }
      b.jitter = it->second;
    }
    return b;
  }

  static models::BackoffConfig read_backoff_map(const Field& f) {
    const MapReader m(f);
    m.allow_only({"base", "exponential", "cap", "jitter"});
    models::BackoffConfig b;
    b.base = to_duration(m.require("base"), true);
    if (const auto e = m.get("exponential")) b.exponential = to_bool(*e);
    if (const auto cap = m.get("cap")) {
      if (!b.exponential) {
        fail(*cap, "cap bounds a growing wait, but this backoff is constant: every wait is base",
             "add exponential: true, or remove cap");
      }
      b.cap = to_duration(*cap, true);
      check_backoff_cap(*cap, b);
    }
    if (const auto j = m.get("jitter")) b.jitter = to_choice(*j, jitter_choices());
    return b;
  }

  static std::vector<std::pair<std::string, models::Jitter>> jitter_choices() {
    return {{"none", models::Jitter::kNone}, {"full", models::Jitter::kFull}, {"equal", models::Jitter::kEqual}};
  }

  static void check_backoff_cap(const Field& f, const models::BackoffConfig& b) {
    if (b.cap < b.base) {
      fail(f, fmt::format("cap ({}) is below base ({}), so every wait would be cap", sim::format_duration(b.cap),
                          sim::format_duration(b.base)));
    }
  }

  // `10%`, or a map with ratio and max_tokens.
  static models::RetryBudgetConfig read_budget(const Field& f) {
    models::RetryBudgetConfig b;
    if (f.node.type == Node::Type::kScalar) {
      b.ratio = to_share(f, Share::kAboveZeroUpToOne);
      return b;
    }
    if (f.node.type != Node::Type::kMap) expected(f, "a share such as 10% or a map with ratio and max_tokens");
    const MapReader m(f);
    m.allow_only({"ratio", "max_tokens"});
    b.ratio = to_share(m.require("ratio"), Share::kAboveZeroUpToOne);
    if (const auto t = m.get("max_tokens")) {
      b.max_tokens = to_number(*t, Range::kPositive);
      // A retry spends a whole token: a smaller bucket never allows one.
      if (b.max_tokens < 1.0) expected(*t, "a number of at least 1");
    }
    return b;
  }

  // ------------------------------------------------------------ slo, faults

  void read_slo(const Field& f) {
    const MapReader slo(f);
    slo.allow_only({"target", "window", "latency"});
    if (const auto t = slo.get("target")) cfg_.slo.target = to_share(*t, Share::kAboveZeroUpToOne);
    if (const auto l = slo.get("latency")) cfg_.slo.latency = to_duration(*l, true);
    if (const auto w = slo.get("window")) {
      cfg_.slo.window = to_duration(*w, true);
      // Only whole windows count: with none, time availability would read 100%.
      const sim::Time measured = cfg_.run.duration - cfg_.run.warmup;
      if (cfg_.slo.window > measured) {
        fail(*w, fmt::format("window ({}) is longer than the measured time ({}, the run's duration after warmup), "
                             "so no window would end",
                             sim::format_duration(cfg_.slo.window), sim::format_duration(measured)));
      }
    }
  }

  // What faults need to know about a node to find and check it.
  struct FaultNode {
    std::string name;
    std::string host;
    const models::MachineConfig* machine;
    std::vector<std::pair<std::string, std::string>> labels;  // its tier's, then its host's
  };

  void collect_fault_nodes() {
    for (const auto& tier : cfg_.tiers) {
      for (std::size_t i = 0; i < tier.node_names.size(); ++i) {
        FaultNode n{tier.node_names[i], tier.node_names[i], nullptr,
                    std::vector<std::pair<std::string, std::string>>(tier.labels.begin(), tier.labels.end())};
        if (tier.on.empty()) {
          n.machine = &cfg_.machines.at(tier.machine);
        } else {
          const models::HostConfig& host = *find_host(tier.on[i]);  // read_placement checked it
          n.host = host.name;
          n.machine = &cfg_.machines.at(host.machine);
          n.labels.insert(n.labels.end(), host.labels.begin(), host.labels.end());
        }
        fault_node_names_.push_back(n.name);
        fault_node_index_.emplace(n.name, fault_nodes_.size());
        fault_nodes_.push_back(std::move(n));
      }
    }
  }

  // `name` is a node's name (check_node_names made them unique).
  const FaultNode& fault_node(const std::string& name) const { return fault_nodes_[fault_node_index_.at(name)]; }

  void read_faults(const Field& f) {
    if (f.node.type != Node::Type::kList) expected(f, "a list of faults");
    collect_fault_nodes();
    for (std::size_t i = 0; i < f.node.items.size(); ++i) {
      cfg_.faults.push_back(read_fault({f.node.items[i], child_path(f.path, std::to_string(i))}));
    }
  }

  models::FaultConfig read_fault(const Field& f) const {
    const MapReader m(f);
    m.allow_only(fault_keys());
    const Entry* subject = nullptr;  // the one key that names what fails
    for (const auto& e : m.entries()) {
      if (!contains(fault_subjects(), e.key.text)) continue;
      if (subject != nullptr) {
        const bool mixed =
            contains(kStochasticSubjects, e.key.text) != contains(kStochasticSubjects, subject->key.text);
        fail(m.key_of(e),
             fmt::format("a fault has one of {}, but this one has both {} and {}", join(fault_subjects(), ", "),
                         subject->key.text, e.key.text),
             mixed ? kStochasticHint : "");
      }
      subject = &e;
    }
    if (subject == nullptr) {
      fail(f, fmt::format("a fault needs one of {} (with at), or target or domain (with mttf and mttr)",
                          join(scheduled_kind_names(), ", ")));
    }
    const std::string& subject_key = subject->key.text;
    const bool stochastic = contains(kStochasticSubjects, subject_key);
    models::FaultConfig fault;
    read_fault_timing(m, stochastic, fault);
    if (stochastic) {
      fault.effect = models::HostCrash{};
      if (const auto k = m.get("kind")) fault.effect = to_choice(*k, stochastic_kinds());
    } else {
      if (const auto k = key_named(m, "kind")) {
        fail(*k, fmt::format("kind selects what fails in a stochastic fault (target or domain); here {} says it",
                             subject_key));
      }
      fault.effect = fault_kind(subject_key);
    }
    const Field what = m.value_of(*subject);
    if (subject_key == "partition") {
      read_partition(what, fault);
    } else {
      if (subject_key == "domain") {
        fault.nodes = resolve_domain(what);
        fault.together = true;
      } else {
        fault.nodes = resolve_nodes(what);
      }
      fault.target = what.node.text;
    }
    read_fault_effect(m, fault);
    return fault;
  }

  // at with repair_after (or for), or mttf with mttr.
  void read_fault_timing(const MapReader& m, bool stochastic, models::FaultConfig& fault) const {
    const Field& map = m.field();
    const auto at = m.get("at");
    const auto mttf = m.get("mttf");
    const auto mttr = m.get("mttr");
    if (at && (mttf || mttr)) {
      fail(*key_named(m, mttf ? "mttf" : "mttr"),
           "give at (a scheduled fault) or mttf and mttr (a stochastic fault), not both");
    }
    if (mttf && !mttr) {
      detail::fail_at(map.node, child_path(map.path, "mttr"),
                      "required key is missing (mttf needs mttr, the time to repair)");
    }
    if (mttr && !mttf) {
      detail::fail_at(map.node, child_path(map.path, "mttf"),
                      "required key is missing (mttr needs mttf, the time to failure)");
    }
    if (stochastic) {
      for (const char* key : {"repair_after", "for"}) {
        if (const auto k = key_named(m, key)) {
          fail(*k, fmt::format("a stochastic fault lasts mttr each time; {} is for scheduled faults", key));
        }
      }
      if (const auto crews = m.get("repair_crews")) fault.repair_crews = to_int(*crews, 1);
      if (!mttf) {
        detail::fail_at(map.node, child_path(map.path, "mttf"),
                        "required key is missing (a fault on target or domain is stochastic: it happens after mttf "
                        "and is repaired after mttr)",
                        kStochasticHint);
      }
      fault.mttf = to_mean_time(*mttf);
      fault.mttr = to_mean_time(*mttr);
      return;
    }
    if (mttf) {
      fail(*key_named(m, "mttf"),
           "mttf and mttr make a fault stochastic, and a stochastic fault names its nodes with target or domain",
           kStochasticHint);
    }
    if (const auto k = key_named(m, "repair_crews")) {
      fail(*k, "repair_crews share the repairs of a recurring fault's nodes; a scheduled fault is repaired once, "
               "after repair_after",
           kStochasticHint);
    }
    if (!at) {
      detail::fail_at(map.node, child_path(map.path, "at"), "required key is missing (when the fault happens)");
    }
    fault.at = to_duration(*at, false);
    if (*fault.at >= cfg_.run.duration) {
      fail(*at, fmt::format("at ({}) is not before the end of the run ({}), so the fault would never happen",
                            sim::format_duration(*fault.at), sim::format_duration(cfg_.run.duration)));
    }
    const auto repair_after = m.get("repair_after");
    const auto for_ = m.get("for");
    if (repair_after && for_) {
      const Entry* second = nullptr;  // of the two, the one written later
      for (const auto& e : m.entries()) {
        if (e.key.text == "for" || e.key.text == "repair_after") second = &e;
      }
      fail(m.key_of(*second), "for and repair_after mean the same; give one");
    }
    if (repair_after || for_) fault.duration = to_duration(repair_after ? *repair_after : *for_, true);
  }

  sim::Distribution to_mean_time(const Field& f) const {
    sim::Distribution d = to_distribution(f, base_dir_);
    // A zero mean would make the fault flap at every nanosecond.
    if (!(d.mean() > 0.0)) expected(f, "a duration or distribution with a positive mean");
    return d;
  }

  // The slowdown factors of a slow fault; the link degradation of a network one.
  void read_fault_effect(const MapReader& m, models::FaultConfig& fault) const {
    auto* slow = std::get_if<models::Slowdown>(&fault.effect);
    auto* network = std::get_if<models::NetworkFault>(&fault.effect);
    for (const auto& e : m.entries()) {
      const bool slow_key = contains(kSlowKeys, e.key.text);
      const bool network_key = contains(kNetworkKeys, e.key.text);
      if ((slow_key && !slow) || (network_key && !network)) {
        fail(m.key_of(e), fmt::format("only {} faults take {}; this is a {} fault", slow_key ? "slow" : "network",
                                      e.key.text, models::fault_key(fault.effect)));
      }
    }
    const Field& map = m.field();
    if (slow) {
      if (!m.get("cpu") && !m.get("disk") && !m.get("nic")) {
        detail::fail_at(map.node, child_path(map.path, "cpu"),
                        "required key is missing (a slow fault takes at least one of cpu, disk and nic)");
      }
      if (const auto c = m.get("cpu")) slow->cpu_factor = to_factor(*c);
      if (const auto d = m.get("disk")) {
        slow->disk_factor = to_factor(*d);
        require_fault_resource(*d, fault, "a disk",
                               [](const models::MachineConfig& mc) { return mc.disk.has_value(); });
      }
      if (const auto n = m.get("nic")) {
        slow->nic_factor = to_factor(*n);
        require_fault_resource(*n, fault, "a modelled NIC (a machine's nic)",
                               [](const models::MachineConfig& mc) { return mc.nic_bandwidth > 0.0; });
      }
    }
    if (network) {
      const auto latency = m.get("latency");
      const auto loss = m.get("loss");
      if (!latency && !loss) {
        detail::fail_at(map.node, child_path(map.path, "latency"),
                        "required key is missing (a network fault takes latency, loss or both)");
      }
      if (latency) network->added_latency = to_duration(*latency, false);
      if (loss) network->loss = to_share(*loss, Share::kZeroToBelowOne);
      if (const auto rto = m.get("rto")) {
        if (!loss) fail(*key_named(m, "rto"), "rto is how long a lost message takes to resend; give loss too");
        network->retransmission_timeout = to_duration(*rto, true);
        if (network->retransmission_timeout >= kMaxRto) {
          expected(*rto, fmt::format("a duration below {} (Linux's longest retransmission timeout)",
                                     sim::format_duration(kMaxRto)));
        }
      }
    }
  }

  // A factor on a resource that none of the fault's nodes has would do nothing.
  template <class Has>
  void require_fault_resource(const Field& f, const models::FaultConfig& fault, std::string_view what, Has has) const {
    for (const auto& name : fault.nodes) {
      if (has(*fault_node(name).machine)) return;
    }
    fail(f, fmt::format("none of the fault's nodes ({}) has {} to slow down", some_of(fault.nodes), what));
  }

  // A node name, or a glob with * and ? over the node names.
  std::vector<std::string> resolve_nodes(const Field& f) const {
    const std::string& text = scalar(f, "a node name or a glob such as app*");
    const std::vector<std::string>& names = fault_node_names_;
    if (text.find_first_of("*?") != std::string::npos) {
      std::vector<std::string> matched;
      for (const auto& name : names) {
        if (glob_match(text, name)) matched.push_back(name);
      }
      if (matched.empty())
        fail(f, fmt::format("{} matches no node; the nodes are {}", in_quotes(text), some_of(names)));
      return matched;
    }
    if (fault_node_index_.count(text) > 0) return {text};
    std::string hint;
    for (const auto& tier : cfg_.tiers) {
      if (tier.name == text) {
        hint = fmt::format("{} is a tier; name one of its nodes ({}) or use a glob", text, some_of(tier.node_names));
      }
    }
    const auto guess = closest(text, names);
    fail(f,
         fmt::format("unknown node {}; {}", in_quotes(text),
                     guess ? fmt::format("did you mean \"{}\"?", *guess) : "the nodes are " + some_of(names)),
         hint);
  }

  // Nodes whose tier or host has a label with this value, or this key=value.
  std::vector<std::string> resolve_domain(const Field& f) const {
    constexpr std::string_view kWhat = "a label value such as rack-a, or key=value such as rack=a";
    const std::string& text = scalar(f, kWhat);
    const auto eq = text.find('=');
    if (text.empty() || (eq != std::string::npos && (eq == 0 || eq + 1 == text.size()))) expected(f, kWhat);
    std::vector<std::string> matched, known;
    for (const auto& node : fault_nodes_) {
      bool hit = false;
      for (const auto& [key, value] : node.labels) {
        const std::string label = eq == std::string::npos ? value : key + "=" + value;
        if (!contains(known, label)) known.push_back(label);
        hit = hit || label == text;
      }
      if (hit) matched.push_back(node.name);
    }
    if (matched.empty()) {
      fail(f,
           fmt::format("no node has the label {}{}; {}", eq == std::string::npos ? "value " : "", in_quotes(text),
                       suggest(text, known, "the labels are")),
           known.empty() ? "give tiers or hosts labels, e.g. labels: { rack: a }" : "");
    }
    return matched;
  }

  // Groups of node names or globs; nodes in no group are not cut off.
  void read_partition(const Field& f, models::FaultConfig& fault) const {
    constexpr std::string_view kWhat = "a list of at least two groups of nodes, such as [[app1, app2], [db1]]";
    if (f.node.type != Node::Type::kList) expected(f, kWhat);
    if (f.node.items.size() < 2) {
      fail(f, fmt::format("expected {}, found {} group{}", kWhat, f.node.items.size(),
                          f.node.items.size() == 1 ? "" : "s"));
    }
    std::map<std::string, std::size_t> group_of;                       // node -> group
    std::map<std::string, std::pair<std::string, std::size_t>> owner;  // host -> (a node on it, its group)
    std::vector<std::string> written;
    for (std::size_t g = 0; g < f.node.items.size(); ++g) {
      const Field group{f.node.items[g], child_path(f.path, std::to_string(g))};
      constexpr std::string_view kGroup = "a non-empty list of node names or globs";
      if (group.node.type != Node::Type::kList) expected(group, kGroup);
      if (group.node.items.empty()) fail(group, fmt::format("expected {}, found an empty list", kGroup));
      std::vector<std::string> members, texts;
      for (std::size_t j = 0; j < group.node.items.size(); ++j) {
        const Field item{group.node.items[j], child_path(group.path, std::to_string(j))};
        for (const auto& name : resolve_nodes(item)) {
          if (const auto it = group_of.find(name); it != group_of.end()) {
            if (it->second == g) continue;  // named twice in one group, e.g. by a glob and by name
            fail(item, fmt::format("node {} is already in group {}; a node is on one side of a partition",
                                   in_quotes(name), it->second));
          }
          // The network is cut between hosts, so co-located nodes stay together.
          const std::string& host = fault_node(name).host;
          if (const auto it = owner.find(host); it != owner.end() && it->second.second != g) {
            fail(item, fmt::format("nodes {} and {} share host {}, so they cannot be on different sides of a partition",
                                   in_quotes(it->second.first), in_quotes(name), in_quotes(host)));
          }
          owner.emplace(host, std::make_pair(name, g));
          group_of[name] = g;
          members.push_back(name);
          fault.nodes.push_back(name);
        }
        texts.push_back(group.node.items[j].text);
      }
      std::get<models::Partition>(fault.effect).groups.push_back(std::move(members));
      written.push_back("[" + join(texts, ", ") + "]");
    }
    fault.target = "[" + join(written, ", ") + "]";
  }

  const Node& root_;
  std::filesystem::path base_dir_;
  models::ScenarioConfig cfg_;
  std::vector<TierInfo> tier_info_;  // parallel to cfg_.tiers
  // Every node, in tier order, and its name's index; filled when faults are read.
  std::vector<FaultNode> fault_nodes_;
  std::vector<std::string> fault_node_names_;
  std::map<std::string, std::size_t> fault_node_index_;
};

[[noreturn]] void bad_override(std::string_view text, std::string_view message) {
  throw ScenarioError(fmt::format("--set {}", text), 0, 0, "", message);
}

}  // namespace

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) bad_override(text, "expected key.path=value");
  Override o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  std::size_t start = 0;
  for (;;) {
    const auto dot = o.path.find('.', start);
    const auto part =
        std::string_view(o.path).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || detail::trim(part).size() != part.size()) {
      bad_override(text, fmt::format("malformed key path {}: an empty part or spaces around one", in_quotes(o.path)));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return o;
}

models::ScenarioConfig load_scenario_text(std::string_view yaml, const std::string& origin,
                                          const std::filesystem::path& base_dir,
                                          const std::vector<Override>& overrides) {
  detail::Node root = detail::parse_yaml(std::string(yaml), std::make_shared<const std::string>(origin), "", true);
  for (const auto& o : overrides) detail::apply_override(root, o);
  return Converter(root, base_dir).convert();
}

models::ScenarioConfig load_scenario_file(const std::filesystem::path& file, const std::vector<Override>& overrides) {
  std::string text, error;
  if (!detail::read_text_file(file, text, error)) {
    throw ScenarioError(file.string(), 0, 0, "", fmt::format("cannot read the scenario: {}", error));
  }
  return load_scenario_text(text, file.string(), file.parent_path(), overrides);
}

std::vector<std::string> scenario_warnings(const models::ScenarioConfig& config) {
  std::vector<std::string> out;
  for (const auto& tier : config.tiers) {
    const auto* lb = std::get_if<models::HaproxyConfig>(&tier.kind);
    if (lb == nullptr || lb->server_maxconn > 0) continue;
    // HAProxy's "first" fills a server up to its maxconn before using the next;
    // without one, the first server takes everything (configuration manual, 4.2 balance).
    if (lb->balance == models::Balance::kFirst) {
      out.push_back(fmt::format("tiers.{}: balance first without server_maxconn sends every request to the first "
                                "server; set server_maxconn to spread the load",
                                tier.name));
    }
    // Requests queue for a server only when it is at its maxconn (4.2 maxqueue).
    if (lb->maxqueue > 0) {
      out.push_back(fmt::format("tiers.{}: maxqueue without server_maxconn has no effect: no server queue forms",
                                tier.name));
    }
  }
  return out;
}

}  // namespace loader
