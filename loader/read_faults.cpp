// The faults section: scheduled faults (a kind key naming the nodes, at, and
// repair_after) and stochastic ones (target or domain, kind, mttf and mttr),
// their effects' keys, and the node names, globs, labels and partition groups
// that say which nodes fail.
#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

namespace {

// Linux's TCP_RTO_MAX: the models stop backing off there, so a first
// retransmission timeout this long would make the loss cost nothing.
constexpr sim::Time kMaxRto = 120 * sim::kSecond;

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


// Reads the faults of a scenario whose tiers are read, against its nodes.
class FaultReader {
 public:
  explicit FaultReader(const Context& ctx) : ctx_(ctx) { collect_fault_nodes(); }

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

 private:
  // What faults need to know about a node to find and check it.
  struct FaultNode {
    std::string name;
    std::string host;
    const models::MachineConfig* machine;
    std::vector<std::pair<std::string, std::string>> labels;  // its tier's, then its host's
  };

  void collect_fault_nodes() {
    for (const auto& tier : ctx_.cfg.tiers) {
      for (std::size_t i = 0; i < tier.node_names.size(); ++i) {
        FaultNode n{tier.node_names[i], tier.node_names[i], nullptr,
                    std::vector<std::pair<std::string, std::string>>(tier.labels.begin(), tier.labels.end())};
        if (tier.on.empty()) {
          n.machine = &ctx_.cfg.machines.at(tier.machine);
        } else {
          const models::HostConfig& host = *ctx_.find_host(tier.on[i]);  // read_placement checked it
          n.host = host.name;
          n.machine = &ctx_.cfg.machines.at(host.machine);
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
    if (*fault.at >= ctx_.cfg.run.duration) {
      fail(*at, fmt::format("at ({}) is not before the end of the run ({}), so the fault would never happen",
                            sim::format_duration(*fault.at), sim::format_duration(ctx_.cfg.run.duration)));
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
    sim::Distribution d = to_distribution(f, ctx_.base_dir);
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
    for (const auto& tier : ctx_.cfg.tiers) {
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

  const Context& ctx_;
  // Every node, in tier order, and its name's index.
  std::vector<FaultNode> fault_nodes_;
  std::vector<std::string> fault_node_names_;
  std::map<std::string, std::size_t> fault_node_index_;
};

}  // namespace

void read_faults(const Field& f, Context& ctx) {
  if (f.node.type != Node::Type::kList) expected(f, "a list of faults");
  const FaultReader reader(ctx);
  for (std::size_t i = 0; i < f.node.items.size(); ++i) {
    ctx.cfg.faults.push_back(reader.read_fault({f.node.items[i], child_path(f.path, std::to_string(i))}));
  }
}

}  // namespace loader::sections
