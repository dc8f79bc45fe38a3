#include "import/scenario.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "import/haproxy.hpp"
#include "import/keepalived.hpp"
#include "import/nginx.hpp"
#include "loader/document.hpp"
#include "loader/scenario_loader.hpp"

namespace config_import {

namespace {

namespace fs = std::filesystem;

// The scenario being written: a YAML tree whose entries keep their order and
// may carry a comment line above them. An entry is a struct declared ahead,
// as loader::detail::Node's is: std::vector accepts an incomplete element
// type, but a std::pair<std::string, Out> inside Out gets its traits checked
// while Out is still incomplete, which clang 14 rejects (g++ lets it pass).
struct OutEntry;

struct Out {
  enum class Type { kNull, kScalar, kMap, kList };
  Type type = Type::kNull;
  std::string text;
  std::vector<OutEntry> entries;
  std::vector<Out> items;
  std::string comment;
  bool from_overlay = false;

  Out* find(std::string_view key);
  Out& child(const std::string& key);
};

struct OutEntry {
  std::string key;
  Out value;
};

Out* Out::find(std::string_view key) {
  for (auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Out& Out::child(const std::string& key) {
  type = Type::kMap;
  if (Out* found = find(key)) return *found;
  entries.push_back({key, Out{}});
  return entries.back().value;
}

Out scalar(std::string text) {
  Out out;
  out.type = Out::Type::kScalar;
  out.text = std::move(text);
  return out;
}

Out from_document(const loader::detail::Node& node) {
  Out out;
  out.from_overlay = true;
  switch (node.type) {
    case loader::detail::Node::Type::kNull: break;
    case loader::detail::Node::Type::kScalar: out = scalar(node.text); out.from_overlay = true; break;
    case loader::detail::Node::Type::kMap:
      out.type = Out::Type::kMap;
      for (const auto& entry : node.entries) out.entries.push_back({entry.key.text, from_document(entry.value)});
      break;
    case loader::detail::Node::Type::kList:
      out.type = Out::Type::kList;
      for (const auto& item : node.items) out.items.push_back(from_document(item));
      break;
  }
  return out;
}

// yaml-cpp decides whether the text needs quotes to read back as the same text.
std::string yaml_scalar(const std::string& text) {
  YAML::Emitter emitter;
  emitter << text;
  return emitter.c_str();
}

bool all_scalars(const Out& list) {
  return std::all_of(list.items.begin(), list.items.end(), [](const Out& o) { return o.type == Out::Type::kScalar; });
}

void emit_comment(std::string& text, const std::string& comment, int indent) {
  std::size_t start = 0;
  while (start < comment.size()) {
    std::size_t end = comment.find('\n', start);
    if (end == std::string::npos) end = comment.size();
    text += std::string(indent, ' ') + "# " + comment.substr(start, end - start) + "\n";
    start = end + 1;
  }
}

void emit_map(std::string& text, const Out& map, int indent);

std::string inline_value(const Out& value) {
  switch (value.type) {
    case Out::Type::kNull: return "~";
    case Out::Type::kScalar: return yaml_scalar(value.text);
    case Out::Type::kMap: return "{}";
    case Out::Type::kList: {
      std::string text = "[";
      for (std::size_t i = 0; i < value.items.size(); ++i) text += (i ? ", " : "") + yaml_scalar(value.items[i].text);
      return text + "]";
    }
  }
  return "~";
}

bool is_inline(const Out& value) {
  return value.type == Out::Type::kNull || value.type == Out::Type::kScalar ||
         (value.type == Out::Type::kMap && value.entries.empty()) ||
         (value.type == Out::Type::kList && all_scalars(value));
}

void emit_map(std::string& text, const Out& map, int indent) {
  const std::string pad(indent, ' ');
  for (const auto& [key, value] : map.entries) {
    emit_comment(text, value.comment, indent);
    if (is_inline(value)) {
      text += pad + yaml_scalar(key) + ": " + inline_value(value) + "\n";
    } else if (value.type == Out::Type::kMap) {
      text += pad + yaml_scalar(key) + ":\n";
      emit_map(text, value, indent + 2);
    } else {
      text += pad + yaml_scalar(key) + ":\n";
      for (const auto& item : value.items) {
        if (item.type == Out::Type::kMap && !item.entries.empty()) {
          // "- " then the map's entries, the first on the dash's line.
          std::string inner;
          emit_map(inner, item, indent + 4);
          text += pad + "  - " + inner.substr(indent + 4);
        } else {
          text += pad + "  - " + inline_value(item) + "\n";
        }
      }
    }
  }
}

// ---------------------------------------------------------------- values with their sources

// A scenario value derived from a configuration, and where it came from.
struct Value {
  std::string text;
  Position at;
  std::string comment;
};

// The keys of one tier, in the order they are written.
using TierValues = std::vector<std::pair<std::string, Value>>;

void put(TierValues& values, const std::string& key, std::string text, const Position& at, std::string comment = {}) {
  values.emplace_back(key, Value{std::move(text), at, std::move(comment)});
}

// Two nodes of one tier must say the same: tiersim has one setting per tier.
void require_same(const TierValues& first, const std::string& first_node, const TierValues& other,
                  const std::string& other_node, const Position& other_file) {
  std::map<std::string, const Value*> mine;
  for (const auto& [key, value] : first) mine[key] = &value;
  std::set<std::string> seen;
  for (const auto& [key, value] : other) {
    seen.insert(key);
    const auto found = mine.find(key);
    if (found == mine.end() || found->second->text != value.text) {
      throw ImportError(value.at, fmt::format("{} sets {} to {}, but {} {}; tiersim models one setting per tier, so the "
                                              "nodes' configurations must agree",
                                              other_node, key, value.text, first_node,
                                              found == mine.end() ? "leaves it unset"
                                                                  : fmt::format("has {} ({})", found->second->text,
                                                                                to_string(found->second->at))));
    }
  }
  for (const auto& [key, value] : first) {
    if (!seen.count(key)) {
      throw ImportError(other_file, fmt::format("{} leaves {} unset, but {} sets it to {} ({}); tiersim models one "
                                                "setting per tier, so the nodes' configurations must agree",
                                                other_node, key, first_node, value.text, to_string(value.at)));
    }
  }
}

bool valid_node_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string list_text(const std::vector<std::string>& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text + "]";
}

// ---------------------------------------------------------------- HAProxy

struct LbNode {
  std::string name;
  TierValues values;
  std::vector<std::string> server_names;
  Position file_at;  // the file as a whole, for "leaves it unset"
};

template <class T, class Format>
void per_tier(const std::vector<HaproxyServer>& servers, Setting<T> ServerOptions::*field, const std::string& keyword,
              Format format, const std::function<void(const T&, const Position&)>& use) {
  const HaproxyServer* first = nullptr;
  for (const auto& server : servers) {
    const auto& setting = server.options.*field;
    if (!first) {
      first = &server;
      continue;
    }
    const auto& first_setting = first->options.*field;
    if (setting.value != first_setting.value) {
      const Position at = setting ? setting.at : server.at;
      throw ImportError(at, fmt::format("server {}: {} {} differs from server {}'s {} ({}); tiersim models one {} per "
                                        "tier",
                                        server.name.text, keyword, setting ? format(*setting) : "(unset)",
                                        first->name.text, first_setting ? format(*first_setting) : "(unset)",
                                        to_string(first_setting ? first_setting.at : first->at), keyword));
    }
  }
  if (first && (first->options.*field)) use(*(first->options.*field), (first->options.*field).at);
}

std::string as_int(const int& v) { return std::to_string(v); }
std::string as_time(const Time& t) { return scenario_duration(t); }
std::string as_text(const std::string& s) { return s; }
std::string as_bool(const bool& b) { return b ? "true" : "false"; }

LbNode map_haproxy(const HaproxyFile& file, const std::string& node, Notes& notes) {
  LbNode out;
  out.name = node;
  out.file_at = Position{file.path, 0, 0};  // the file as a whole: messages name the file, no line
  // The path requests take: one frontend (or listen) with a bind that reaches servers.
  const HaproxyProxy* front = nullptr;
  const HaproxyProxy* back = nullptr;
  for (const auto& proxy : file.proxies) {
    if (proxy.kind == ProxyKind::kBackend) continue;
    if (proxy.binds.empty()) {
      notes.push_back({proxy.at, fmt::format("{} {}", proxy_kind_name(proxy.kind), proxy.name),
                       "it binds no address, so no request enters it"});
      continue;
    }
    const HaproxyProxy* target = nullptr;
    if (proxy.kind == ProxyKind::kListen) {
      if (proxy.servers.empty()) {
        notes.push_back({proxy.at, "listen " + proxy.name, "it has no servers (a statistics page, ...)"});
        continue;
      }
      target = &proxy;
    } else {
      const auto& name = proxy.options.default_backend;
      if (!name) {
        notes.push_back({proxy.at, "frontend " + proxy.name, "it has no default_backend"});
        continue;
      }
      for (const auto& candidate : file.proxies) {
        if (candidate.kind != ProxyKind::kFrontend && candidate.name == *name) target = &candidate;
      }
      if (!target) throw ImportError(name.at, fmt::format("default_backend: no backend named '{}'", *name));
    }
    if (front) {
      throw ImportError(proxy.at, fmt::format("{} {} is a second path into HAProxy (the first is {} {} at {}); "
                                              "tiersim's balancer tier has one frontend and one backend",
                                              proxy_kind_name(proxy.kind), proxy.name, proxy_kind_name(front->kind),
                                              front->name, to_string(front->at)));
    }
    front = &proxy;
    back = target;
  }
  if (!front) {
    throw ImportError(Position{file.path, 1, 1}, "no frontend or listen section binds an address and reaches a "
                                                 "backend with servers");
  }
  if (back->servers.empty()) throw ImportError(back->at, fmt::format("backend {} has no server lines", back->name));
  for (const auto* proxy : {front, back}) {
    const auto& mode = proxy->options.mode;
    if (!mode || *mode != "http") {
      throw ImportError(mode ? mode.at : proxy->at,
                        fmt::format("{} {} runs in TCP mode{}; tiersim models HAProxy in HTTP mode (mode http)",
                                    proxy_kind_name(proxy->kind), proxy->name,
                                    mode ? "" : " (HAProxy's default when no mode is set)"));
    }
  }
  const ProxyOptions& f = front->options;
  const ProxyOptions& b = back->options;
  TierValues& v = out.values;

  if (b.balance) {
    std::string text = *b.balance;
    if (text == "random") text = fmt::format("random({})", b.balance_draws);
    put(v, "balance", text, b.balance.at);
  } else {
    put(v, "balance", "roundrobin", back->at,
        "no balance line: roundrobin, the default of HAProxy before 3.3 (Debian 12 ships 2.6)");
  }
  // The frontend's maxconn, else the global one (configuration.txt: maxconn
  // 0 uses the global maxconn); the process never exceeds the global one.
  std::optional<int> maxconn;
  Position maxconn_at;
  if (f.maxconn && *f.maxconn > 0) {
    maxconn = *f.maxconn;
    maxconn_at = f.maxconn.at;
  }
  if (file.global_maxconn && (!maxconn || *file.global_maxconn < *maxconn)) {
    maxconn = *file.global_maxconn;
    maxconn_at = file.global_maxconn.at;
  }
  if (maxconn) {
    put(v, "maxconn", std::to_string(*maxconn), maxconn_at);
  } else {
    notes.push_back({front->at, "maxconn", "no maxconn anywhere: HAProxy derives one from the file-descriptor limit "
                                           "(ulimit -n); the scenario leaves it unlimited"});
  }
  if (f.backlog) put(v, "backlog", std::to_string(*f.backlog), f.backlog.at);

  std::vector<HaproxyServer> active;
  std::vector<std::string> weights;
  bool uneven = false;
  for (const auto& server : back->servers) {
    if (server.options.backup && *server.options.backup) {
      throw ImportError(server.options.backup.at, fmt::format("server {}: backup servers are not modelled by tiersim "
                                                              "(every server of the next tier is active)",
                                                              server.name.text));
    }
    active.push_back(server);
    const bool disabled = server.options.disabled && *server.options.disabled;
    const int weight = disabled ? 0 : server.options.weight ? *server.options.weight : 1;
    if (disabled) {
      notes.push_back({server.options.disabled.at, "server " + server.name.text + " disabled",
                       "a disabled server takes no traffic: weight 0 (it is still a node of the next tier)"});
    }
    uneven = uneven || weight != 1;
    weights.push_back(std::to_string(weight));
    out.server_names.push_back(server.name.text);
  }
  if (uneven) put(v, "weights", list_text(weights), back->servers.front().at);
  per_tier<int>(active, &ServerOptions::maxconn, "maxconn", as_int,
                [&](const int& n, const Position& at) { put(v, "server_maxconn", std::to_string(n), at); });
  per_tier<int>(active, &ServerOptions::maxqueue, "maxqueue", as_int,
                [&](const int& n, const Position& at) { put(v, "maxqueue", std::to_string(n), at); });
  if (b.timeout_queue) put(v, "timeout_queue", scenario_duration(*b.timeout_queue), b.timeout_queue.at);
  if (b.timeout_connect) {
    if (*b.timeout_connect <= 0) throw ImportError(b.timeout_connect.at, "timeout connect: tiersim needs it above 0");
    put(v, "timeout_connect", scenario_duration(*b.timeout_connect), b.timeout_connect.at);
  } else {
    // Without it HAProxy waits for the kernel: Linux's tcp_syn_retries = 6
    // gives up after 1 + 2 + 4 + ... + 64 = 127 s.
    put(v, "timeout_connect", "127s", back->at,
        "no timeout connect: HAProxy waits for the kernel, which gives up a SYN after 127 s (tcp_syn_retries 6)");
    notes.push_back({back->at, "timeout connect", "missing (HAProxy warns about it); modelled as the kernel's 127 s"});
  }
  if (b.timeout_server) put(v, "timeout_server", scenario_duration(*b.timeout_server), b.timeout_server.at);
  if (b.retries) {
    if (*b.retries > 100) throw ImportError(b.retries.at, "retries: tiersim accepts at most 100");
    put(v, "retries", std::to_string(*b.retries), b.retries.at);
  }
  if (b.redispatch) {
    const std::string& text = *b.redispatch;
    if (text == "true" || text == "false") {
      put(v, "redispatch", text, b.redispatch.at);
    } else {
      put(v, "redispatch", text, b.redispatch.at);
    }
  }
  if (b.httpchk && *b.httpchk) {
    notes.push_back({b.httpchk.at, "option httpchk",
                     "tiersim's checks fail when the server is down or silent, whatever they send; an HTTP check "
                     "and a TCP check behave alike there"});
  }
  per_tier<Time>(active, &ServerOptions::slowstart, "slowstart", as_time,
                 [&](const Time& t, const Position& at) { put(v, "slowstart", scenario_duration(t), at); });

  // Health checks: `check` on every server or on none.
  bool checks = false;
  per_tier<bool>(active, &ServerOptions::check, "check", as_bool, [&](const bool& on, const Position&) { checks = on; });
  if (checks) {
    const Position at = active.front().options.check.at;
    put(v, "health_check", "true", at);
    const auto sub = [&](const std::string& key, const std::string& text, const Position& where) {
      put(v, "health_check." + key, text, where);
    };
    per_tier<Time>(active, &ServerOptions::inter, "inter", as_time,
                   [&](const Time& t, const Position& w) { sub("inter", scenario_duration(t), w); });
    per_tier<Time>(active, &ServerOptions::fastinter, "fastinter", as_time,
                   [&](const Time& t, const Position& w) { sub("fastinter", scenario_duration(t), w); });
    per_tier<Time>(active, &ServerOptions::downinter, "downinter", as_time,
                   [&](const Time& t, const Position& w) { sub("downinter", scenario_duration(t), w); });
    per_tier<int>(active, &ServerOptions::rise, "rise", as_int,
                  [&](const int& n, const Position& w) { sub("rise", std::to_string(n), w); });
    per_tier<int>(active, &ServerOptions::fall, "fall", as_int,
                  [&](const int& n, const Position& w) { sub("fall", std::to_string(n), w); });
    if (b.timeout_check) sub("timeout", scenario_duration(*b.timeout_check), b.timeout_check.at);
    per_tier<std::string>(active, &ServerOptions::observe, "observe", as_text,
                          [&](const std::string& o, const Position& w) {
                            if (o != "none") sub("observe", o, w);
                          });
    per_tier<int>(active, &ServerOptions::error_limit, "error-limit", as_int,
                  [&](const int& n, const Position& w) { sub("error_limit", std::to_string(n), w); });
    per_tier<std::string>(active, &ServerOptions::on_error, "on-error", as_text,
                          [&](const std::string& o, const Position& w) { sub("on_error", o, w); });
    per_tier<std::string>(active, &ServerOptions::on_marked_down, "on-marked-down", as_text,
                          [&](const std::string& o, const Position& w) {
                            sub("on_marked_down", o, w);
                          });
    if (file.spread_checks && *file.spread_checks > 0) {
      put(v, "spread_checks", std::to_string(*file.spread_checks), file.spread_checks.at);
    }
  } else {
    for (const auto& server : active) {
      for (const auto* setting : {&server.options.observe, &server.options.on_error, &server.options.on_marked_down}) {
        if (*setting) {
          notes.push_back({setting->at, "server " + server.name.text + " " + **setting,
                           "has no effect without 'check' (no health checks)"});
        }
      }
    }
    if (b.timeout_check) notes.push_back({b.timeout_check.at, "timeout check", "has no effect without 'check'"});
  }
  return out;
}

// ---------------------------------------------------------------- keepalived

struct VrrpValues {
  TierValues values;
  bool active_active = false;
};

const VrrpInstance* instance_with_id(const KeepalivedFile& file, int id) {
  for (const auto& instance : file.instances) {
    if (*instance.virtual_router_id == id) return &instance;
  }
  return nullptr;
}

const VrrpScript& script_named(const KeepalivedFile& file, const std::string& name) {
  for (const auto& script : file.scripts) {
    if (script.name == name) return script;
  }
  throw std::logic_error("track_script checked by the reader");
}

VrrpValues map_keepalived(const std::vector<KeepalivedFile>& files, const std::vector<std::string>& nodes,
                          Notes& notes) {
  VrrpValues out;
  TierValues& v = out.values;
  for (const auto& file : files) {
    if (file.instances.empty() || file.instances.size() > 2) {
      throw ImportError(Position{file.path, 1, 1},
                        fmt::format("{} vrrp_instance sections: tiersim models one per node (active-passive) or two "
                                    "with mirrored priorities (active-active)",
                                    file.instances.size()));
    }
  }
  const KeepalivedFile& one = files[0];
  const KeepalivedFile& two = files[1];
  if (one.instances.size() != two.instances.size()) {
    throw ImportError(two.instances.front().at, fmt::format("{} has {} vrrp_instance sections and {} has {}; the two "
                                                            "nodes must run the same instances",
                                                            nodes[1], two.instances.size(), nodes[0],
                                                            one.instances.size()));
  }
  // Pairs of instances by virtual_router_id: [address][node].
  std::vector<std::pair<const VrrpInstance*, const VrrpInstance*>> pairs;
  for (const auto& mine : one.instances) {
    const VrrpInstance* peer = instance_with_id(two, *mine.virtual_router_id);
    if (!peer) {
      throw ImportError(mine.virtual_router_id.at, fmt::format("virtual_router_id {} of {} has no instance on {} ({}); "
                                                               "the two nodes must share their router ids",
                                                               *mine.virtual_router_id, nodes[0], nodes[1], two.path));
    }
    pairs.emplace_back(&mine, peer);
  }
  const auto& [a1, a2] = pairs[0];
  for (const auto* instance : {a1, a2}) {
    if (instance->priority == 255) {
      throw ImportError(instance->priority_at, "priority 255 makes the node the address owner, which tiersim does not "
                                               "model (use 1 to 254)");
    }
  }
  if (a1->priority == a2->priority) {
    throw ImportError(a2->priority_at, fmt::format("both nodes have priority {}: keepalived then elects by IP address, "
                                                   "which tiersim does not model; give them different priorities",
                                                   a1->priority));
  }
  put(v, "vrrp.priority", list_text({std::to_string(a1->priority), std::to_string(a2->priority)}),
      a1->priority_at.line ? a1->priority_at : a1->at);
  if (pairs.size() == 2) {
    const auto& [b1, b2] = pairs[1];
    if (b1->priority != a2->priority || b2->priority != a1->priority) {
      throw ImportError(b1->priority_at.line ? b1->priority_at : b1->at,
                        fmt::format("the second address's priorities ({} on {}, {} on {}) do not mirror the first's "
                                    "({}, {}): tiersim's active-active pair has each node master of one address",
                                    b1->priority, nodes[0], b2->priority, nodes[1], a1->priority, a2->priority));
    }
    out.active_active = true;
  }
  // VRRP v2 carries advert_int in whole seconds (keepalived.conf(5), vrrp_version).
  const int version = one.vrrp_version ? *one.vrrp_version : 2;
  const int version_two = two.vrrp_version ? *two.vrrp_version : 2;
  for (std::size_t node = 0; node < 2; ++node) {
    const int v_node = node == 0 ? version : version_two;
    for (const auto& instance : files[node].instances) {
      if (v_node == 2 && instance.advert_int % sim::kSecond != 0) {
        throw ImportError(instance.advert_int_at, "advert_int below or between whole seconds needs vrrp_version 3 "
                                                  "(VRRP v2 carries whole seconds)");
      }
    }
  }
  if (version != version_two) {
    throw ImportError(two.vrrp_version ? two.vrrp_version.at : Position{two.path, 1, 1},
                      fmt::format("vrrp_version {} on {} but {} on {}", version_two, nodes[1], version, nodes[0]));
  }
  // Settings every instance must share.
  const VrrpInstance* first = a1;
  std::vector<const VrrpInstance*> all;
  for (const auto& [x, y] : pairs) {
    all.push_back(x);
    all.push_back(y);
  }
  for (const auto* instance : all) {
    if (instance->advert_int != first->advert_int) {
      throw ImportError(instance->advert_int_at.line ? instance->advert_int_at : instance->at,
                        fmt::format("advert_int {} differs from {} ({}): tiersim models one advert_int per pair",
                                    scenario_duration(instance->advert_int), scenario_duration(first->advert_int),
                                    to_string(first->at)));
    }
    const bool nopreempt = instance->nopreempt && *instance->nopreempt;
    const bool first_nopreempt = first->nopreempt && *first->nopreempt;
    if (nopreempt != first_nopreempt) {
      throw ImportError(instance->nopreempt ? instance->nopreempt.at : instance->at,
                        fmt::format("vrrp_instance {} {} nopreempt but {} ({}) {}: tiersim models one preemption "
                                    "setting per pair",
                                    instance->name, nopreempt ? "has" : "lacks", first->name, to_string(first->at),
                                    first_nopreempt ? "has it" : "does not"));
    }
    const Time delay = instance->preempt_delay ? *instance->preempt_delay : 0;
    const Time first_delay = first->preempt_delay ? *first->preempt_delay : 0;
    if (delay != first_delay) {
      throw ImportError(instance->preempt_delay ? instance->preempt_delay.at : instance->at,
                        fmt::format("preempt_delay {} differs from {} ({})", scenario_duration(delay),
                                    scenario_duration(first_delay), to_string(first->at)));
    }
  }
  put(v, "vrrp.advert_int", scenario_duration(first->advert_int), first->advert_int_at.line ? first->advert_int_at : first->at);
  const bool nopreempt = first->nopreempt && *first->nopreempt;
  if (nopreempt) put(v, "vrrp.preempt", "false", first->nopreempt.at);
  if (first->preempt_delay) put(v, "vrrp.preempt_delay", scenario_duration(*first->preempt_delay), first->preempt_delay.at);
  if (one.vrrp_version) put(v, "vrrp.version", std::to_string(version), one.vrrp_version.at);

  // track_script: the check of HAProxy's process.
  std::optional<Time> interval;
  Position interval_at;
  for (std::size_t node = 0; node < 2; ++node) {
    const KeepalivedFile& file = files[node];
    for (const auto& [x, y] : pairs) {
      const VrrpInstance* instance = node == 0 ? x : y;
      if (instance->track_scripts.empty()) {
        notes.push_back({instance->at, "vrrp_instance " + instance->name + " without track_script",
                         "keepalived then does not notice a dead HAProxy; tiersim's VRRP always tracks the HAProxy "
                         "process (track_interval, 1 s by default)"});
      }
      if (instance->track_scripts.size() > 1) {
        throw ImportError(instance->track_scripts[1].name.at, "a second track_script: tiersim tracks one check, the "
                                                              "HAProxy process");
      }
      for (const auto& tracked : instance->track_scripts) {
        const VrrpScript& script = script_named(file, tracked.name.text);
        if (interval && *interval != script.interval) {
          throw ImportError(script.interval_at.line ? script.interval_at : script.at,
                            fmt::format("vrrp_script interval {} differs from {} ({})", scenario_duration(script.interval),
                                        scenario_duration(*interval), to_string(interval_at)));
        }
        interval = script.interval;
        interval_at = script.interval_at.line ? script.interval_at : script.at;
        const int weight = tracked.weight ? *tracked.weight : script.weight;
        const Position weight_at = tracked.weight ? tracked.weight.at : script.weight_at;
        if (weight != 0) {
          const int own = instance->priority;
          const int peer = (instance == x ? y : x)->priority;
          if (weight > 0) {
            throw ImportError(weight_at, fmt::format("track_script weight {}: a positive weight raises the priority "
                                                     "while the check passes, which tiersim does not model; it puts "
                                                     "a node whose check fails in FAULT (weight 0)",
                                                     weight));
          }
          if (own > peer && own + weight >= peer) {
            throw ImportError(weight_at, fmt::format("track_script weight {}: a failed check leaves priority {} "
                                                     "against the peer's {}, so the address stays; tiersim moves it "
                                                     "(weight 0: FAULT). Use weight 0, or a weight that drops the "
                                                     "priority below the peer's",
                                                     weight, std::max(1, own + weight), peer));
          }
          notes.push_back({weight_at, fmt::format("track_script weight {}", weight),
                           "modelled as FAULT (weight 0): a failed master drops below its peer and loses the "
                           "address either way, but a failed backup keeps a lowered priority in keepalived and "
                           "could still take over, where tiersim's stays in FAULT"});
        }
        const auto count_key = [&](const char* key, int n, const Position& at) {
          if (n != 1) {
            put(v, std::string("vrrp.") + key, std::to_string(n), at);
          }
        };
        if (node == 0 && instance == x) {
          count_key("track_fall", script.fall, script.fall_at);
          count_key("track_rise", script.rise, script.rise_at);
        }
      }
    }
  }
  if (interval && *interval != sim::kSecond) put(v, "vrrp.track_interval", scenario_duration(*interval), interval_at);
  return out;
}

// ---------------------------------------------------------------- nginx

struct WebNode {
  TierValues values;
  std::optional<std::vector<std::string>> app_servers;  // the upstream, when nginx proxies
  Position upstream_at;
};

WebNode map_nginx(const NginxFile& file, Notes& notes) {
  WebNode out;
  TierValues& v = out.values;
  if (file.worker_processes) put(v, "worker_processes", *file.worker_processes, file.worker_processes.at);
  if (file.worker_connections) {
    put(v, "worker_connections", std::to_string(*file.worker_connections), file.worker_connections.at);
  }
  if (file.proxies.empty()) return out;
  const ProxyPass& first = file.proxies.front();
  for (const auto& pass : file.proxies) {
    if (pass.target.text != first.target.text) {
      throw ImportError(pass.target.at, fmt::format("proxy_pass to {} while {} proxies to {}: tiersim's web tier "
                                                    "proxies to one next tier",
                                                    pass.target.text, to_string(first.target.at), first.target.text));
    }
    const auto same = [&](auto member, const char* name, auto format) {
      const auto& mine = pass.*member;
      const auto& theirs = first.*member;
      if (mine.value != theirs.value) {
        throw ImportError(mine ? mine.at : pass.target.at,
                          fmt::format("{} {} in this location differs from {} ({}): tiersim models one value per tier",
                                      name, mine ? format(*mine) : "(default)", theirs ? format(*theirs) : "(default)",
                                      to_string(first.target.at)));
      }
    };
    same(&ProxyPass::connect_timeout, "proxy_connect_timeout", as_time);
    same(&ProxyPass::read_timeout, "proxy_read_timeout", as_time);
    same(&ProxyPass::next_upstream, "proxy_next_upstream", as_bool);
  }
  if (first.connect_timeout) put(v, "connect_timeout", scenario_duration(*first.connect_timeout), first.connect_timeout.at);
  if (first.read_timeout) put(v, "read_timeout", scenario_duration(*first.read_timeout), first.read_timeout.at);
  if (first.next_upstream) put(v, "next_upstream", *first.next_upstream ? "true" : "false", first.next_upstream.at);

  const Upstream* upstream = nullptr;
  for (const auto& candidate : file.upstreams) {
    if (candidate.name == first.target.text) upstream = &candidate;
  }
  std::vector<UpstreamServer> servers;
  if (upstream) {
    servers = upstream->servers;
    out.upstream_at = upstream->at;
  } else {
    servers.push_back(UpstreamServer{first.target, 1, {}, {}, {}, {}});
    out.upstream_at = first.target.at;
  }
  std::vector<std::string> weights, names;
  bool uneven = false;
  for (const auto& server : servers) {
    if (server.backup && *server.backup) {
      throw ImportError(server.backup.at, fmt::format("server {}: backup servers are not modelled by tiersim (every "
                                                      "upstream server is active)",
                                                      server.address.text));
    }
    const int weight = server.down && *server.down ? 0 : server.weight;
    if (server.down && *server.down) {
      notes.push_back({server.down.at, "server " + server.address.text + " down",
                       "a server marked down takes no traffic: weight 0 (it is still a node of the next tier)"});
    }
    uneven = uneven || weight != 1;
    weights.push_back(std::to_string(weight));
    names.push_back(server.address.text);
    const UpstreamServer& head = servers.front();
    if (server.max_fails.value != head.max_fails.value || server.fail_timeout.value != head.fail_timeout.value) {
      throw ImportError(server.address.at, fmt::format("server {}: max_fails and fail_timeout differ from server {}'s; "
                                                       "tiersim models one passive-health setting per tier",
                                                       server.address.text, head.address.text));
    }
  }
  if (uneven) put(v, "weights", list_text(weights), out.upstream_at);
  const UpstreamServer& head = servers.front();
  if (head.max_fails) put(v, "max_fails", std::to_string(*head.max_fails), head.max_fails.at);
  if (head.fail_timeout) put(v, "fail_timeout", scenario_duration(*head.fail_timeout), head.fail_timeout.at);
  // proxy_next_upstream_tries and _timeout: 0 is unlimited; a limit of at
  // least the number of servers never cuts nginx's walk through them.
  if (first.next_upstream_tries && *first.next_upstream_tries != 0 &&
      *first.next_upstream_tries < static_cast<int>(servers.size())) {
    notes.push_back({first.next_upstream_tries.at, fmt::format("proxy_next_upstream_tries {}", *first.next_upstream_tries),
                     "tiersim's nginx tries every upstream server once; a lower limit is not modelled"});
  }
  if (first.next_upstream_timeout && *first.next_upstream_timeout != 0) {
    notes.push_back({first.next_upstream_timeout.at, "proxy_next_upstream_timeout",
                     "a time limit on trying further upstream servers is not modelled"});
  }
  out.app_servers = names;
  return out;
}

// ---------------------------------------------------------------- assembling the scenario

// Defaults for what configurations cannot say; docs/import.md lists them.
constexpr std::string_view kDefaultMachine = "standard";

Out& at_path(Out& root, const std::string& dotted) {
  Out* node = &root;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    node = &node->child(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return *node;
    start = dot + 1;
  }
}

class Assembler {
 public:
  Assembler(Out overlay, bool has_overlay, Notes& notes) : base_(std::move(overlay)), has_overlay_(has_overlay), notes_(notes) {}

  // A value from a configuration: it wins over the overlay's, which is noted when they differ.
  void set(Out& tier, const std::string& tier_name, const std::string& key, const Value& value) {
    const std::string source =
        value.comment.empty() ? to_string(value.at) : fmt::format("{}: {}", to_string(value.at), value.comment);
    if (key == "health_check") {
      // `check` on the servers; the keys below it fill the map.
      Out& slot = tier.child(key);
      if (slot.type != Out::Type::kMap) {
        slot = Out{};
        slot.type = Out::Type::kMap;
      }
      slot.comment = source + ": check";
      return;
    }
    Out& slot = at_path(tier, key);
    if (slot.type == Out::Type::kScalar && slot.from_overlay && slot.text != value.text) {
      notes_.push_back({value.at, fmt::format("tiers.{}.{}: {}", tier_name, key, slot.text),
                        fmt::format("the overlay's value gives way to the configuration's {}", value.text)});
    }
    if (value.text.size() > 1 && value.text.front() == '[') {
      slot = Out{};
      slot.type = Out::Type::kList;
      const std::string inner = value.text.substr(1, value.text.size() - 2);
      std::size_t start = 0;
      while (start <= inner.size()) {
        std::size_t comma = inner.find(", ", start);
        if (comma == std::string::npos) comma = inner.size();
        slot.items.push_back(scalar(inner.substr(start, comma - start)));
        start = comma + 2;
      }
    } else {
      slot = scalar(value.text);
    }
    slot.comment = source;
  }

  Out& tier(const std::string& name) { return tiers_.emplace_back(OutEntry{name, take_overlay_tier(name)}).value; }

  Out take_overlay_tier(const std::string& name) {
    Out* overlay_tiers = base_.find("tiers");
    if (overlay_tiers) {
      for (auto it = overlay_tiers->entries.begin(); it != overlay_tiers->entries.end(); ++it) {
        if (it->key == name) {
          Out found = std::move(it->value);
          overlay_tiers->entries.erase(it);
          return found;
        }
      }
    }
    Out fresh;
    fresh.type = Out::Type::kMap;
    return fresh;
  }

  // Kind, count and placement of a tier the configurations imply.
  void place(Out& tier, const std::string& kind, int count, const std::vector<std::string>& names,
             const std::string& why) {
    Out& kind_slot = tier.child("kind");
    if (!kind.empty()) {
      kind_slot = scalar(kind);
    } else if (kind_slot.type == Out::Type::kNull) {
      kind_slot = scalar("server");
      kind_slot.comment = "default: a generic server (no configuration says what runs here)";
    }
    Out& count_slot = tier.child("count");
    count_slot = scalar(std::to_string(count));
    count_slot.comment = why;
    if (!names.empty()) tier.child("names") = list_of(names);
    if (!tier.find("machine") && !tier.find("on")) {
      Out& machine = tier.child("machine");
      machine = scalar(first_machine());
      if (!has_overlay_) machine.comment = "default hardware: give --overlay with machines and hosts for yours";
    }
    // What the tier is and where it runs first, then the overlay's other keys.
    std::stable_partition(tier.entries.begin(), tier.entries.end(), [](const auto& entry) {
      return entry.key == "kind" || entry.key == "count" || entry.key == "names" || entry.key == "machine" ||
             entry.key == "on";
    });
  }

  static Out list_of(const std::vector<std::string>& items) {
    Out out;
    out.type = Out::Type::kList;
    for (const auto& item : items) out.items.push_back(scalar(item));
    return out;
  }

  std::string first_machine() {
    Out* machines = base_.find("machines");
    if (machines && machines->type == Out::Type::kMap && !machines->entries.empty()) return machines->entries.front().key;
    return std::string(kDefaultMachine);
  }

  std::string finish(const std::string& description, bool has_app) {
    Out root;
    root.type = Out::Type::kMap;
    const auto take = [&](const std::string& key) -> Out {
      Out* found = base_.find(key);
      return found ? *found : Out{};
    };
    Out name = take("name");
    root.child("name") = name.type == Out::Type::kNull ? scalar("imported") : name;
    Out desc = take("description");
    root.child("description") = desc.type == Out::Type::kNull ? scalar(description) : desc;
    for (const char* key : {"run"}) {
      Out value = take(key);
      if (value.type != Out::Type::kNull) root.child(key) = value;
    }
    Out machines = take("machines");
    if (machines.type == Out::Type::kNull) {
      machines.type = Out::Type::kMap;
      Out& standard = machines.child(std::string(kDefaultMachine));
      standard.child("cores") = scalar("4");
      standard.child("nic") = scalar("1Gbps");
      Out& disk = standard.child("disk");
      disk.child("iops") = scalar("5000");
      disk.child("bandwidth") = scalar("200MB/s");
      machines.comment = "default hardware (no configuration says it): 4 cores, 1 Gbit/s, an SSD-like disk";
    }
    root.child("machines") = machines;
    for (const char* key : {"hosts", "network"}) {
      Out value = take(key);
      if (value.type != Out::Type::kNull) root.child(key) = value;
    }
    Out& tiers = root.child("tiers");
    tiers.type = Out::Type::kMap;
    for (auto& entry : tiers_) tiers.entries.push_back(entry);
    Out* rest = base_.find("tiers");
    if (rest) {
      for (auto& entry : rest->entries) tiers.entries.push_back(entry);
    }
    if (has_app && !has_overlay_) {
      Out db;
      db.type = Out::Type::kMap;
      db.comment = "default: one database node (no configuration describes the database)";
      db.child("kind") = scalar("database");
      db.child("machine") = scalar(first_machine());
      tiers.entries.push_back({"db", db});
    }
    Out workload = take("workload");
    if (workload.type == Out::Type::kNull) {
      workload.type = Out::Type::kMap;
      workload.comment = "default workload (no configuration says it): 100 requests/s of one class;\n"
                         "give --overlay with your arrivals and demands";
      workload.child("arrivals") = scalar("poisson(100/s)");
      Out& request = workload.child("classes").child("request");
      for (auto& [name, tier] : tiers.entries) {
        const Out* kind = tier.find("kind");
        const std::string k = kind ? kind->text : "";
        const char* cpu = k == "nginx" ? "exp(50us)" : k == "app" ? "exp(5ms)" : k == "database" ? "exp(300us)"
                        : k == "server" ? "exp(1ms)" : nullptr;
        if (cpu) request.child(name).child("cpu") = scalar(cpu);
      }
    }
    root.child("workload") = workload;
    for (const char* key : {"slo", "faults"}) {
      Out value = take(key);
      if (value.type != Out::Type::kNull) root.child(key) = value;
    }
    std::string text = "# Written by tiersim import. Comments give the file:line each value comes from;\n"
                       "# values without one are the overlay's or documented defaults (docs/import.md).\n";
    emit_map(text, root, 0);
    return text;
  }

 private:
  Out base_;
  bool has_overlay_;
  Notes& notes_;
  std::vector<OutEntry> tiers_;
};

std::string default_name(const std::string& prefix, std::size_t index) { return fmt::format("{}{}", prefix, index + 1); }

}  // namespace

NodeFile parse_node_file(const std::string& flag, const std::string& argument) {
  NodeFile file;
  file.flag = fmt::format("{} {}", flag, argument);
  const auto eq = argument.find('=');
  if (eq != std::string::npos && !argument.empty() && valid_node_name(argument.substr(0, eq))) {
    file.host = argument.substr(0, eq);
    file.path = argument.substr(eq + 1);
  } else {
    file.path = argument;
  }
  if (file.path.empty()) throw ImportError(Position{file.flag, 0, 0}, "expected a file name");
  return file;
}

ImportResult import_configs(const ImportRequest& request) {
  ImportResult result;
  Notes& notes = result.notes;
  if (request.haproxy.empty() && request.nginx.empty()) {
    throw ImportError(Position{"tiersim import", 0, 0}, "expected at least one --haproxy or --nginx file");
  }
  if (request.haproxy.size() > 2) {
    throw ImportError(Position{request.haproxy[2].flag, 0, 0}, "tiersim's balancer tier has 1 or 2 HAProxy nodes");
  }
  if (!request.keepalived.empty() && request.haproxy.size() != 2) {
    throw ImportError(Position{request.keepalived[0].flag, 0, 0},
                      "keepalived pairs two HAProxy nodes: give two --haproxy files (or one twice, with two hosts)");
  }
  if (!request.keepalived.empty() && request.keepalived.size() != 2) {
    throw ImportError(Position{request.keepalived.back().flag, 0, 0},
                      "expected two --keepalived files, one per HAProxy node");
  }

  // The overlay first: a bad one is reported before any configuration.
  Out overlay;
  overlay.type = Out::Type::kMap;
  fs::path base_dir = fs::current_path();
  if (request.overlay) {
    const std::string text = read_config_file(*request.overlay, Position{"--overlay " + request.overlay->string(), 0, 0});
    const auto origin = std::make_shared<const std::string>(request.overlay->string());
    const loader::detail::Node document = loader::detail::parse_yaml(text, origin, "", true);
    if (document.type != loader::detail::Node::Type::kMap && document.type != loader::detail::Node::Type::kNull) {
      throw ImportError(Position{request.overlay->string(), document.line, document.column},
                        "an overlay is a partial scenario: a map of scenario keys");
    }
    overlay = from_document(document);
    overlay.type = Out::Type::kMap;
    base_dir = request.overlay->parent_path();
  }
  Assembler assembler(overlay, request.overlay.has_value(), notes);
  std::vector<std::string> sources;

  // lb: HAProxy nodes.
  std::vector<LbNode> lbs;
  std::vector<std::string> lb_names;
  for (std::size_t i = 0; i < request.haproxy.size(); ++i) {
    const NodeFile& file = request.haproxy[i];
    const std::string node = file.host.empty() ? default_name("lb", i) : file.host;
    lb_names.push_back(node);
    Notes file_notes;
    const HaproxyFile parsed = read_haproxy(file.path, Position{file.flag, 0, 0}, file_notes);
    LbNode mapped = map_haproxy(parsed, node, file_notes);
    // One file listed twice: its notes once.
    if (i == 0 || request.haproxy[i].path != request.haproxy[0].path) {
      notes.insert(notes.end(), file_notes.begin(), file_notes.end());
    }
    if (!lbs.empty()) {
      require_same(lbs[0].values, lbs[0].name, mapped.values, node, mapped.file_at);
      if (mapped.server_names != lbs[0].server_names) {
        throw ImportError(mapped.file_at, fmt::format("{}'s backend lists other servers than {}'s", node, lbs[0].name));
      }
    }
    lbs.push_back(std::move(mapped));
    if (std::find(sources.begin(), sources.end(), file.path.string()) == sources.end()) sources.push_back(file.path.string());
  }
  if (lb_names.size() == 2 && lb_names[0] == lb_names[1]) {
    throw ImportError(Position{request.haproxy[1].flag, 0, 0}, "the two HAProxy nodes need different host names");
  }
  std::optional<VrrpValues> vrrp;
  if (!request.keepalived.empty()) {
    std::vector<KeepalivedFile> files(2);
    std::vector<const NodeFile*> order = {&request.keepalived[0], &request.keepalived[1]};
    // HOST= pairs a keepalived file with its HAProxy node; otherwise the order does.
    if (!order[0]->host.empty() || !order[1]->host.empty()) {
      for (const auto* k : order) {
        if (k->host != lb_names[0] && k->host != lb_names[1]) {
          throw ImportError(Position{k->flag, 0, 0}, fmt::format("no HAProxy node named '{}' (they are {} and {})",
                                                                 k->host, lb_names[0], lb_names[1]));
        }
      }
      if (order[0]->host == lb_names[1]) std::swap(order[0], order[1]);
      if (order[0]->host == order[1]->host) {
        throw ImportError(Position{order[1]->flag, 0, 0}, "two keepalived files for the same node");
      }
    }
    for (std::size_t i = 0; i < 2; ++i) {
      files[i] = read_keepalived(order[i]->path, Position{order[i]->flag, 0, 0}, notes);
      sources.push_back(order[i]->path.string());
    }
    vrrp = map_keepalived(files, lb_names, notes);
  }

  // web: nginx nodes (or HAProxy's servers without nginx).
  std::vector<WebNode> webs;
  for (const auto& file : request.nginx) {
    Notes file_notes;
    const NginxFile parsed = read_nginx(file.path, Position{file.flag, 0, 0}, file_notes);
    WebNode mapped = map_nginx(parsed, file_notes);
    const bool repeat = std::any_of(request.nginx.begin(), request.nginx.begin() + static_cast<long>(webs.size()),
                                    [&](const NodeFile& f) { return f.path == file.path; });
    if (!repeat) notes.insert(notes.end(), file_notes.begin(), file_notes.end());
    if (!webs.empty()) {
      require_same(webs[0].values, request.nginx[0].path.string(), mapped.values, file.path.string(),
                   Position{file.path.string(), 1, 1});
      if (mapped.app_servers != webs[0].app_servers) {
        throw ImportError(mapped.upstream_at, fmt::format("the upstream differs from {}'s; tiersim's web nodes share "
                                                          "one next tier",
                                                          request.nginx[0].path.string()));
      }
    }
    webs.push_back(std::move(mapped));
    if (!repeat) sources.push_back(file.path.string());
  }
  std::vector<std::string> web_names;
  std::string web_count_why;
  if (!lbs.empty()) {
    web_names = lbs[0].server_names;
    web_count_why = fmt::format("the servers of HAProxy's backend ({})", request.haproxy[0].path.string());
    const bool valid = std::all_of(web_names.begin(), web_names.end(), valid_node_name) &&
                       std::set<std::string>(web_names.begin(), web_names.end()).size() == web_names.size();
    if (!valid) web_names.clear();
    if (webs.size() > 1 && webs.size() != lbs[0].server_names.size()) {
      throw ImportError(Position{request.nginx.back().flag, 0, 0},
                        fmt::format("{} nginx files for {} web servers: give one file for all, or one per server",
                                    webs.size(), lbs[0].server_names.size()));
    }
  } else {
    for (std::size_t i = 0; i < request.nginx.size(); ++i) {
      web_names.push_back(request.nginx[i].host.empty() ? default_name("web", i) : request.nginx[i].host);
    }
    web_count_why = "one node per --nginx file";
  }
  for (std::size_t i = 0; i < request.nginx.size() && !lbs.empty(); ++i) {
    if (!request.nginx[i].host.empty()) {
      if (i >= web_names.size() || request.nginx[i].host != web_names[i]) {
        throw ImportError(Position{request.nginx[i].flag, 0, 0},
                          fmt::format("no web server named '{}' at position {} of HAProxy's backend", request.nginx[i].host,
                                      i + 1));
      }
    }
  }
  const int web_count = static_cast<int>(lbs.empty() ? request.nginx.size() : lbs[0].server_names.size());

  if (!lbs.empty()) {
    Out& lb = assembler.tier("lb");
    const std::string why = lbs.size() == 1 ? "one --haproxy file" : "two --haproxy files";
    assembler.place(lb, "haproxy", static_cast<int>(lbs.size()), lb_names, why);
    if (vrrp && vrrp->active_active) {
      Out& slot = lb.child("cluster");
      slot = scalar("active-active");
      slot.comment = "two vrrp_instances with mirrored priorities";
    } else if (lbs.size() == 2) {
      lb.child("cluster") = scalar("active-passive");
    }
    for (const auto& [key, value] : lbs[0].values) assembler.set(lb, "lb", key, value);
    if (vrrp) {
      for (const auto& [key, value] : vrrp->values) assembler.set(lb, "lb", key, value);
    } else if (lbs.size() == 2) {
      notes.push_back({Position{request.haproxy[1].flag, 0, 0}, "two HAProxy nodes without --keepalived",
                       "the pair uses tiersim's VRRP defaults (advert_int 1s, priorities 150 and 100)"});
    }
  }
  std::optional<std::vector<std::string>> app_servers;
  {
    Out& web = assembler.tier("web");
    assembler.place(web, webs.empty() ? "" : "nginx", web_count, web_names, web_count_why);
    if (!webs.empty()) {
      for (const auto& [key, value] : webs[0].values) assembler.set(web, "web", key, value);
      app_servers = webs[0].app_servers;
    }
  }
  if (app_servers) {
    Out& app = assembler.tier("app");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < app_servers->size(); ++i) names.push_back(default_name("app", i));
    assembler.place(app, "", static_cast<int>(app_servers->size()), names,
                    "the upstream's servers: " + fmt::format("{}", fmt::join(*app_servers, ", ")));
    Out& kind = app.child("kind");
    if (kind.text == "server" && !kind.comment.empty()) {
      kind = scalar("app");
      kind.comment = "default: an application server (nginx proxies to it)";
    }
  }
  // File by file (in the order first read), line by line.
  std::map<std::string, std::size_t> file_rank;
  for (const auto& note : notes) file_rank.emplace(note.at.file, file_rank.size());
  std::stable_sort(notes.begin(), notes.end(), [&](const Note& a, const Note& b) {
    return std::tuple(file_rank[a.at.file], a.at.line, a.at.column) < std::tuple(file_rank[b.at.file], b.at.line, b.at.column);
  });
  const std::string description = fmt::format("Imported from {}.", fmt::join(sources, ", "));
  result.yaml = assembler.finish(description, app_servers.has_value());

  // The round trip's first half: what we write must load.
  try {
    (void)loader::load_scenario_text(result.yaml, "imported scenario", base_dir);
  } catch (const loader::ScenarioError& e) {
    throw ImportError(Position{request.overlay ? request.overlay->string() : std::string("imported scenario"), 0, 0},
                      fmt::format("the imported scenario does not load: {}{}", e.what(),
                                  request.overlay ? " (check the overlay)" : ""));
  }
  return result;
}

std::string format_notes(const Notes& notes) {
  std::string text;
  for (const auto& note : notes) {
    text += fmt::format("{}: note: {} ignored: {}\n", to_string(note.at), note.directive, note.reason);
  }
  return text;
}

}  // namespace config_import
