// A haproxy tier's own keys: balance, limits and queues, TLS, health checks,
// retries and redispatch, timeouts, and VRRP between the nodes of a pair.
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

namespace {

// random(N) draws N servers per request; more draws than servers buy nothing.
constexpr int kMaxRandomDraws = 100;
// VRRP priorities: 0 means "stop", 255 is reserved for the address owner.
constexpr int kMaxVrrpPriority = 254;
// track_script's fall and rise: bounded so that runs x interval stays far
// from the clock's range.
constexpr int kMaxTrackRuns = 1000;

void read_balance(const Field& f, models::HaproxyConfig& c) {
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

// `option redispatch [N]`: true is HAProxy's N = -1 (the last retry). N
// counts retries, so below -retries it names no retry (HAProxy would
// divide by zero at -retries - 1).
void read_redispatch(const Field& f, models::HaproxyConfig& c) {
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

// Passive health: observe, and what its errors do.
void read_observe(const MapReader& m, models::HealthCheckConfig& hc) {
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

// true: HAProxy's defaults; false: no checks; or a map of the settings.
std::optional<models::HealthCheckConfig> read_health_check(const Field& f) {
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

// The advert's interval field (RFC 3768 5.3.7, RFC 5798 5.2.7): whole
// seconds, 1-255, in version 2; centiseconds, 1-4095, in version 3.
sim::Time read_advert_int(const Field& f, int version) {
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

models::VrrpConfig read_vrrp(const Field& f, int count) {
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

// Health checks, retries, timeouts, and VRRP between the nodes of a pair.
void read_haproxy_failure_handling(const MapReader& m, int count, models::HaproxyConfig& c) {
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

}  // namespace

models::HaproxyConfig read_haproxy(const MapReader& m, int count, const Context& ctx) {
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
    t.handshake = to_distribution(tls.require("handshake"), ctx.base_dir);
    if (const auto r = tls.get("resumed")) t.resumed = to_distribution(*r, ctx.base_dir);
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

}  // namespace loader::sections
