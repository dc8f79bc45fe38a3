#include "loader/scenario_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>
#include <optional>
#include <utility>

#include "loader/distribution_text.hpp"
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
  return out;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key_path, std::string_view message,
                             std::string_view hint)
    : std::runtime_error(format_message(file, line, column, key_path, message, hint)),
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

// A value and where it sits in the scenario.
struct Field {
  const Node& node;
  std::string path;
};

[[noreturn]] void fail(const Field& f, std::string_view message, std::string_view hint = {}) {
  detail::fail_at(f.node, f.path, message, hint);
}

std::string found(const Node& node) {
  switch (node.type) {
    case Node::Type::kScalar:
      return in_quotes(node.text);
    case Node::Type::kMap:
      return "a map";
    case Node::Type::kList:
      return "a list";
    case Node::Type::kNull:
      break;
  }
  return "nothing";
}

[[noreturn]] void expected(const Field& f, std::string_view what, std::string_view hint = {}) {
  fail(f, fmt::format("expected {}, found {}", what, found(f.node)), hint);
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// "did you mean" for a near miss, else the whole list.
std::string suggest(std::string_view word, const std::vector<std::string>& valid, std::string_view list_intro) {
  if (const auto guess = closest(word, valid)) return fmt::format("did you mean \"{}\"?", *guess);
  if (valid.empty()) return "there are none";
  return fmt::format("{} {}", list_intro, join(valid, ", "));
}

class MapReader {
 public:
  explicit MapReader(const Field& field) : field_(field) {
    if (field.node.type != Node::Type::kMap) expected(field, "a map");
  }

  const std::vector<Entry>& entries() const { return field_.node.entries; }
  const Field& field() const { return field_; }
  Field key_of(const Entry& e) const { return {e.key, child_path(field_.path, e.key.text)}; }
  Field value_of(const Entry& e) const { return {e.value, child_path(field_.path, e.key.text)}; }

  std::optional<Field> get(std::string_view key) const {
    for (const auto& e : entries()) {
      if (e.key.text == key) return value_of(e);
    }
    return std::nullopt;
  }

  // Missing keys are reported at the map that lacks them.
  Field require(std::string_view key) const {
    if (auto f = get(key)) return *f;
    detail::fail_at(field_.node, child_path(field_.path, key), "required key is missing");
  }

  void allow_only(const std::vector<std::string>& valid) const {
    for (const auto& e : entries()) {
      if (!contains(valid, e.key.text)) reject_key(e, valid);
    }
  }

  [[noreturn]] void reject_key(const Entry& e, const std::vector<std::string>& valid) const {
    fail(key_of(e), fmt::format("unknown key; {}", suggest(e.key.text, valid, "valid keys here:")));
  }

 private:
  Field field_;
};

// ---------------------------------------------------------------- scalars

const std::string& scalar(const Field& f, std::string_view what) {
  if (f.node.type != Node::Type::kScalar) expected(f, what);
  return f.node.text;
}

std::string to_string(const Field& f) { return scalar(f, "text"); }

// `min` is 0 or 1.
int to_int(const Field& f, int min, int max = INT_MAX) {
  const std::string what = min == 1 ? "a positive integer" : "a non-negative integer";
  const std::string& text = scalar(f, what);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool whole = end == text.data() + text.size();
  if (whole && (ec == std::errc::result_out_of_range || (ec == std::errc() && value > max))) {
    expected(f, fmt::format("{} no larger than {}", what, max));
  }
  if (ec != std::errc() || !whole || value < min) expected(f, what);
  return static_cast<int>(value);
}

std::uint64_t to_seed(const Field& f) {
  constexpr std::string_view kWhat = "an unsigned 64-bit integer";
  const std::string& text = scalar(f, kWhat);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) expected(f, kWhat);
  return value;
}

enum class Range { kPositive, kNonNegative, kFraction };

double to_number(const Field& f, Range range) {
  const std::string_view what = range == Range::kPositive      ? "a positive number"
                                : range == Range::kNonNegative ? "a non-negative number"
                                                               : "a number from 0 to 1";
  const auto value = sim::parse_number(scalar(f, what));
  if (!value || (range == Range::kPositive && *value <= 0.0) || (range == Range::kFraction && *value > 1.0)) {
    expected(f, what);
  }
  return *value;
}

sim::Time to_duration(const Field& f, bool positive) {
  const std::string& text = scalar(f, "a duration such as 250ms");
  const auto value = sim::parse_duration(text);
  if (!value) fail(f, detail::duration_problem(text));
  if (positive && *value == 0) expected(f, "a positive duration");
  return *value;
}

double to_size(const Field& f, bool positive) {
  const std::string_view what =
      positive ? "a positive size such as 512B, 4KiB or 2MB" : "a size such as 512B, 4KiB or 2MB";
  const auto value = sim::parse_size(scalar(f, what));
  if (!value || (positive && *value <= 0.0)) expected(f, what);
  return *value;
}

double to_bandwidth(const Field& f) {
  constexpr std::string_view kWhat = "a positive bandwidth such as 1Gbps or 200MB/s";
  const auto value = sim::parse_bandwidth(scalar(f, kWhat));
  if (!value || *value <= 0.0) expected(f, kWhat);
  return *value;
}

double to_rate(const Field& f) {
  constexpr std::string_view kWhat = "a rate such as 600/s";
  const auto value = sim::parse_rate(scalar(f, kWhat));
  if (!value) expected(f, kWhat);
  return *value;
}

bool to_bool(const Field& f) {
  const std::string& text = scalar(f, "true or false");
  if (text == "true") return true;
  if (text == "false") return false;
  expected(f, "true or false");
}

bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Names become parts of --set paths and report keys, so dots and spaces are out.
std::string to_name(const Field& f) {
  constexpr std::string_view kWhat = "a name of letters, digits, '_' and '-'";
  const std::string& text = scalar(f, kWhat);
  if (!is_name(text)) expected(f, kWhat);
  return text;
}

template <class T>
T to_choice(const Field& f, const std::vector<std::pair<std::string, T>>& choices) {
  std::vector<std::string> names;
  for (const auto& choice : choices) names.push_back(choice.first);
  const std::string& text = scalar(f, fmt::format("one of {}", join(names, ", ")));
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
  }
  fail(f, fmt::format("unknown value {}; {}", in_quotes(text), suggest(text, names, "expected one of")));
}

sim::Distribution to_distribution(const Field& f, const std::filesystem::path& base_dir) {
  const std::string& text = scalar(f, "a duration or a distribution such as exp(8ms)");
  try {
    return parse_distribution(text, base_dir);
  } catch (const DistributionTextError& e) {
    fail(f, e.what());
  }
}

std::map<std::string, std::string> to_labels(const Field& f) {
  const MapReader labels(f);
  std::map<std::string, std::string> out;
  for (const auto& e : labels.entries()) out[e.key.text] = to_string(labels.value_of(e));
  return out;
}

// ---------------------------------------------------------------- tiers

enum class Kind { kHaproxy, kNginx, kApp, kDatabase, kServer };

struct KindInfo {
  Kind kind;
  std::string name;
  std::string article;  // "a" or "an", for messages
  std::vector<std::string> keys;
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = {
      {Kind::kHaproxy,
       "haproxy",
       "a",
       {"balance", "cluster", "maxconn", "backlog", "server_maxconn", "maxqueue", "timeout_queue", "weights", "tls"}},
      {Kind::kNginx, "nginx", "an", {"worker_processes", "worker_connections", "weights", "prefer_local"}},
      {Kind::kApp, "app", "an", {"workers", "backlog", "pool", "pool_timeout", "prefer_local"}},
      {Kind::kDatabase,
       "database",
       "a",
       {"replicas", "reads", "max_connections", "page_size", "log_flush_size", "query_size", "result_size"}},
      {Kind::kServer, "server", "a", {"workers", "queue"}},
  };
  return table;
}

const KindInfo& info(Kind kind) { return kinds()[static_cast<std::size_t>(kind)]; }

const std::vector<std::string> kCommonTierKeys = {"kind", "count", "machine", "on", "names", "labels", "cpu"};
const std::vector<std::string> kClassKeys = {"weight", "request", "response"};
const std::vector<std::string> kDemandKeys = {"cpu",     "calls", "request", "response", "disk_ios",
                                              "io_size", "reads", "writes",  "cache_hit"};
const std::vector<std::string> kDatabaseDemandKeys = {"reads", "writes", "cache_hit"};

// What later checks need to know about a tier besides its TierConfig.
struct TierInfo {
  Kind kind;
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
    top.allow_only({"name", "description", "run", "machines", "hosts", "network", "workload", "tiers"});
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
    return std::move(cfg_);
  }

 private:
  // ------------------------------------------------------------ run, hardware

  void read_run(const Field& f) {
    const MapReader run(f);
    run.allow_only({"duration", "warmup", "seed"});
    if (const auto d = run.get("duration")) cfg_.run.duration = to_duration(*d, true);
    if (const auto w = run.get("warmup")) {
      cfg_.run.warmup = to_duration(*w, false);
      if (cfg_.run.warmup >= cfg_.run.duration) {
        fail(*w, fmt::format("warmup ({}) must be shorter than the run's duration ({})",
                             sim::format_duration(cfg_.run.warmup), sim::format_duration(cfg_.run.duration)));
      }
    }
    if (const auto s = run.get("seed")) cfg_.run.seed = to_seed(*s);
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
    std::vector<std::pair<std::string, Kind>> kind_names;
    for (const auto& k : kinds()) kind_names.emplace_back(k.name, k.kind);
    const Kind kind = to_choice(m.require("kind"), kind_names);
    check_tier_keys(m, kind);

    TierInfo t{kind, key, m.field(), m.get("weights"), m.get("names"), {}};
    models::TierConfig tier;
    tier.name = name;
    read_placement(m, t, tier);
    if (const auto l = m.get("labels")) tier.labels = to_labels(*l);
    if (const auto c = m.get("cpu")) tier.cpu = to_distribution(*c, base_dir_);
    switch (kind) {
      case Kind::kHaproxy:
        tier.kind = read_haproxy(m, tier.count);
        break;
      case Kind::kNginx:
        tier.kind = read_nginx(m, t);
        break;
      case Kind::kApp:
        tier.kind = read_app(m);
        break;
      case Kind::kDatabase:
        tier.kind = read_database(m, tier.count);
        break;
      case Kind::kServer:
        tier.kind = read_server(m);
        break;
    }
    cfg_.tiers.push_back(std::move(tier));
    tier_info_.push_back(std::move(t));
  }

  static void check_tier_keys(const MapReader& m, Kind kind) {
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
    const auto replicas = t.kind == Kind::kDatabase ? m.get("replicas") : std::nullopt;
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
    if (t.kind == Kind::kHaproxy && tier.count > 2) {
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
        c.worker_processes = to_int(*f, 1);
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
    return c;
  }

  static models::AppConfig read_app(const MapReader& m) {
    models::AppConfig c;
    if (const auto f = m.get("workers")) c.workers = to_int(*f, 1);
    if (const auto f = m.get("backlog")) c.backlog = to_int(*f, 0);
    if (const auto f = m.get("pool")) c.pool = to_int(*f, 1);
    if (const auto f = m.get("pool_timeout")) c.pool_timeout = to_duration(*f, true);
    if (const auto f = m.get("prefer_local")) c.prefer_local = to_bool(*f);
    return c;
  }

  static models::DatabaseConfig read_database(const MapReader& m, int count) {
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
    return c;
  }

  static models::ServerConfig read_server(const MapReader& m) {
    models::ServerConfig c;
    if (const auto f = m.get("workers")) c.workers = to_int(*f, 0);
    if (const auto f = m.get("queue")) c.queue = to_int(*f, 0);
    return c;
  }

  // Rules about a tier's place in the chain.
  void check_chain() {
    for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
      const TierInfo& t = tier_info_[i];
      const bool last = i + 1 == cfg_.tiers.size();
      if (t.kind == Kind::kDatabase && !last) {
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
    workload.allow_only({"arrivals", "classes"});
    read_arrivals(workload.require("arrivals"));
    read_classes(workload.require("classes"));
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
    for (const auto& e : classes.entries()) {
      models::RequestClass rc;
      rc.name = to_name(classes.key_of(e));
      const MapReader c(classes.value_of(e));
      rc.demands.resize(cfg_.tiers.size());
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
      for (std::size_t i = 0; i < cfg_.tiers.size(); ++i) {
        if (const auto d = c.get(tier_names[i])) rc.demands[i] = read_demand(*d, i, i == deepest);
      }
      total_weight += rc.weight;
      cfg_.workload.classes.push_back(std::move(rc));
    }
    if (!(total_weight > 0.0)) fail(f, "the class weights sum to 0; at least one must be positive");
  }

  models::TierDemand read_demand(const Field& f, std::size_t tier_index, bool deepest) const {
    const MapReader d(f);
    const TierInfo& tier = tier_info_[tier_index];
    const std::string& tier_name = cfg_.tiers[tier_index].name;
    d.allow_only(kDemandKeys);
    for (const auto& e : d.entries()) {
      if (tier.kind != Kind::kDatabase && contains(kDatabaseDemandKeys, e.key.text)) {
        fail(d.key_of(e), fmt::format("only database tiers take {}; tier {} is {} {} tier", e.key.text, tier_name,
                                      info(tier.kind).article, info(tier.kind).name));
      }
    }
    models::TierDemand demand;
    if (const auto c = d.get("cpu")) demand.cpu = to_distribution(*c, base_dir_);
    if (const auto c = d.get("calls")) {
      if (deepest) {
        fail(*c, fmt::format("tier {} is the deepest tier this class visits, so it calls no further tier", tier_name),
             "give the next tier a demand in this class to make the calls reach it");
      }
      demand.calls = to_int(*c, 1, kMaxPerVisit);
    }
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

  const Node& root_;
  std::filesystem::path base_dir_;
  models::ScenarioConfig cfg_;
  std::vector<TierInfo> tier_info_;  // parallel to cfg_.tiers
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

}  // namespace loader
