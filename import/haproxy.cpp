#include "import/haproxy.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace config_import {

namespace {

constexpr int kMaxInt = 2147483647;

// Splits one line into words (configuration.txt 2.2): blanks separate words;
// a backslash escapes the next character; "double quotes" allow escapes and
// 'single quotes' none; an unquoted, unescaped # starts a comment.
std::vector<Word> split_line(std::string_view line, const std::string& file, int line_number) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    Word word{{}, {file, line_number, static_cast<int>(i) + 1}};
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') {
      const char c = line[i];
      if (c == '\\') {
        if (i + 1 >= line.size()) {
          throw ImportError({file, line_number, static_cast<int>(i) + 1}, "a backslash at the end of the line escapes "
                                                                         "nothing (HAProxy has no line continuation)");
        }
        word.text += line[i + 1];
        i += 2;
      } else if (c == '"' || c == '\'') {
        const std::size_t open = i++;
        while (i < line.size() && line[i] != c) {
          if (c == '"' && line[i] == '\\' && i + 1 < line.size()) ++i;
          word.text += line[i++];
        }
        if (i >= line.size()) {
          throw ImportError({file, line_number, static_cast<int>(open) + 1},
                            fmt::format("unterminated quote: the {} quote opened here is never closed",
                                        c == '"' ? "double" : "single"));
        }
        ++i;
      } else {
        word.text += c;
        ++i;
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool is_section_keyword(std::string_view word) {
  return word == "global" || word == "defaults" || word == "frontend" || word == "backend" || word == "listen";
}

// Sections HAProxy has that carry nothing tiersim models.
bool is_other_section(std::string_view word) {
  static const std::set<std::string_view> kOthers = {"userlist", "peers", "resolvers", "mailers", "program",
                                                     "http-errors", "ring", "cache", "fcgi-app", "log-forward"};
  return kOthers.count(word) > 0;
}

// Why each unmodelled keyword of a proxy section is ignored; keywords not
// listed get a generic reason.
const std::map<std::string_view, std::string_view>& proxy_reasons() {
  static const std::map<std::string_view, std::string_view> kReasons = {
      {"log", "logging does not change how requests are handled"},
      {"acl", "ACLs only matter to the rules that use them, which are not modelled"},
      {"http-request", "request rules are not modelled: every request is forwarded"},
      {"http-response", "response rules are not modelled"},
      {"http-check", "tiersim's checks fail only when the server is down or silent; what they send or expect "
                     "does not change that"},
      {"stats", "the statistics page is not modelled"},
      {"errorfile", "error pages do not change timing"},
      {"capture", "captures only feed logs"},
      {"compression", "compression is not modelled; response sizes come from the scenario's classes"},
      {"timeout", "this timeout is not modelled"},
      {"fullconn", "dynamic maxconn (minconn/fullconn) is not modelled"},
      {"hash-type", "hash-based balancing is not modelled"},
      {"cookie", "cookie persistence is not modelled: every request is balanced"},
      {"stick-table", "stickiness is not modelled: every request is balanced"},
      {"stick", "stickiness is not modelled: every request is balanced"},
      {"retry-on", "tiersim retries on connection failures only (HAProxy's default retry-on conn-failure)"},
      {"server-template", "server templates are not expanded; list the servers"},
      {"description", "free text"},
      {"id", "numeric identifiers do not change behaviour"},
  };
  return kReasons;
}

const std::map<std::string_view, std::string_view>& option_reasons() {
  static const std::map<std::string_view, std::string_view> kReasons = {
      {"httplog", "logging does not change how requests are handled"},
      {"tcplog", "logging does not change how requests are handled"},
      {"dontlognull", "logging does not change how requests are handled"},
      {"log-health-checks", "logging does not change how requests are handled"},
      {"forwardfor", "a header does not change timing"},
      {"http-server-close", "tiersim does not model connection reuse towards servers"},
      {"http-keep-alive", "tiersim does not model connection reuse towards servers"},
      {"httpclose", "tiersim does not model connection reuse towards servers"},
      {"abortonclose", "client aborts are not modelled"},
      {"tcpka", "TCP keep-alives do not change request handling"},
      {"clitcpka", "TCP keep-alives do not change request handling"},
      {"srvtcpka", "TCP keep-alives do not change request handling"},
      {"allbackups", "backup servers are not modelled"},
      {"persist", "persistence is not modelled"},
      {"log-separate-errors", "logging does not change how requests are handled"},
      {"splice-auto", "kernel splicing does not change the model's costs"},
  };
  return kReasons;
}

// Server keywords that take one argument and that tiersim does not model.
const std::set<std::string_view>& unmodelled_server_keywords_with_argument() {
  static const std::set<std::string_view> kKeywords = {
      "port", "addr", "cookie", "id", "minconn", "on-marked-up", "ca-file", "crt", "verify", "sni", "resolvers",
      "init-addr", "check-proto", "alpn", "proto", "agent-port", "agent-inter", "agent-addr", "agent-send",
      "pool-max-conn", "pool-purge-delay", "max-reuse", "namespace", "source", "track", "redir", "check-sni",
      "check-alpn", "resolve-prefer", "resolve-net", "ciphers", "ciphersuites", "crl-file", "proxy-v2-options",
      "tcp-ut", "usesrc", "ws", "log-proto", "pool-low-conn", "shard", "set-proxy-v2-tlv-fmt", "hash-key"};
  return kKeywords;
}

const std::set<std::string_view>& unmodelled_server_flags() {
  static const std::set<std::string_view> kFlags = {
      "ssl", "no-ssl", "check-ssl", "no-check-ssl", "send-proxy", "send-proxy-v2", "check-send-proxy",
      "agent-check", "no-agent-check", "non-stick", "stick", "tfo",
      "allow-0rtt", "no-tfo", "no-verifyhost", "no-send-proxy", "force-tlsv12", "force-tlsv13", "no-tlsv10",
      "no-tlsv11", "no-sslv3", "ssl-reuse", "no-ssl-reuse", "tls-tickets", "no-tls-tickets", "check-via-socks4"};
  return kFlags;
}

class Reader {
 public:
  Reader(std::string file, Notes& notes) : notes_(notes) { result_.path = std::move(file); }

  HaproxyFile read(const std::string& text) {
    int line_number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      ++line_number;
      line(split_line(std::string_view(text).substr(start, end - start), result_.path, line_number));
      start = end + 1;
    }
    return std::move(result_);
  }

 private:
  enum class Section { kNone, kGlobal, kDefaults, kProxy, kOther };

  void note(const Word& at, std::string directive, std::string_view reason) {
    notes_.push_back({at.at, std::move(directive), std::string(reason)});
  }

  static std::string joined(const std::vector<Word>& words, std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < std::min(count, words.size()); ++i) text += (i ? " " : "") + words[i].text;
    return text;
  }

  void need_arguments(const std::vector<Word>& words, std::size_t count, std::string_view usage) {
    if (words.size() < count + 1) {
      throw ImportError(words[0].at, fmt::format("'{}' expects {}", words[0].text, usage));
    }
  }

  void line(const std::vector<Word>& words) {
    if (words.empty()) return;
    const Word& keyword = words[0];
    if (is_section_keyword(keyword.text)) return open_section(words);
    if (is_other_section(keyword.text)) {
      section_ = Section::kOther;
      return note(keyword, keyword.text, "this section does not change how requests are balanced");
    }
    if (section_ == Section::kNone) {
      throw ImportError(keyword.at, fmt::format("'{}' outside any section: a configuration starts with a section "
                                                "keyword (global, defaults, frontend, backend, listen)",
                                                keyword.text));
    }
    if (keyword.at.column == 1 && !known_in_section(keyword.text)) {
      throw ImportError(keyword.at, fmt::format("unknown section '{}': HAProxy's sections are global, defaults, "
                                                "frontend, backend, listen, userlist, peers, resolvers, mailers, "
                                                "program, http-errors, ring, cache, fcgi-app, log-forward",
                                                keyword.text));
    }
    switch (section_) {
      case Section::kGlobal: return global_line(words);
      case Section::kDefaults: return proxy_line(words, defaults_, nullptr);
      case Section::kProxy: return proxy_line(words, current().options, &current());
      case Section::kOther: return;
      case Section::kNone: return;
    }
  }

  // A keyword at column 1 that HAProxy would read inside the open section (unindented configurations exist).
  bool known_in_section(std::string_view word) const {
    static const std::set<std::string_view> kCommon = {
        "maxconn", "mode", "timeout", "retries", "option", "no", "balance", "server", "default-server", "bind",
        "default_backend", "use_backend", "log", "acl", "http-request", "http-response", "http-check", "stats",
        "backlog", "errorfile", "spread-checks", "daemon", "user", "group", "chroot", "pidfile", "nbthread",
        "ca-base", "crt-base", "ssl-default-bind-ciphers", "ssl-default-bind-options", "tune.bufsize"};
    return section_ != Section::kNone && section_ != Section::kOther && kCommon.count(word) > 0;
  }

  HaproxyProxy& current() { return result_.proxies.back(); }

  void open_section(const std::vector<Word>& words) {
    const Word& keyword = words[0];
    save_named_defaults();
    if (keyword.text == "global") {
      section_ = Section::kGlobal;
      return;
    }
    std::string name = words.size() > 1 ? words[1].text : "";
    // "from NAME" (HAProxy 2.4+) picks a named defaults section.
    const ProxyOptions* base = &defaults_;
    if (words.size() > 3 && words[2].text == "from") {
      const auto named = named_defaults_.find(words[3].text);
      if (named == named_defaults_.end()) {
        throw ImportError(words[3].at, fmt::format("no defaults section named '{}' before this line", words[3].text));
      }
      base = &named->second;
    } else if (words.size() > 2) {
      throw ImportError(words[2].at, fmt::format("unexpected '{}' after the section name (expected 'from NAME')",
                                                 words[2].text));
    }
    if (keyword.text == "defaults") {
      // A defaults section resets everything (configuration.txt 4), unless it names a parent.
      defaults_ = base == &defaults_ ? ProxyOptions{} : *base;
      section_ = Section::kDefaults;
      if (!name.empty()) pending_defaults_name_ = name;
      else pending_defaults_name_.reset();
      return;
    }
    if (name.empty()) throw ImportError(keyword.at, fmt::format("'{}' expects a name", keyword.text));
    const ProxyKind kind = keyword.text == "frontend" ? ProxyKind::kFrontend
                           : keyword.text == "backend" ? ProxyKind::kBackend
                                                       : ProxyKind::kListen;
    for (const auto& proxy : result_.proxies) {
      if (proxy.name == name && (proxy.kind == ProxyKind::kListen || kind == ProxyKind::kListen ||
                                 proxy.kind == kind)) {
        throw ImportError(words[1].at, fmt::format("{} '{}' is already defined at {}", keyword.text, name,
                                                   to_string(proxy.at)));
      }
    }
    HaproxyProxy proxy{kind, name, keyword.at, *base, {}, {}, {}};
    result_.proxies.push_back(std::move(proxy));
    section_ = Section::kProxy;
  }

  // A named defaults section is complete when the next section opens.
  void save_named_defaults() {
    if (section_ == Section::kDefaults && pending_defaults_name_) named_defaults_[*pending_defaults_name_] = defaults_;
  }

  void global_line(const std::vector<Word>& words) {
    const Word& keyword = words[0];
    if (keyword.text == "maxconn") {
      need_arguments(words, 1, "a number of connections");
      result_.global_maxconn.set(static_cast<int>(parse_integer(words[1], kMaxInt, "maxconn")), words[1].at);
    } else if (keyword.text == "spread-checks") {
      need_arguments(words, 1, "a percentage from 0 to 50");
      result_.spread_checks.set(static_cast<int>(parse_integer(words[1], 50, "spread-checks")), words[1].at);
    } else {
      static const std::set<std::string_view> kInert = {
          "log", "chroot", "user", "group", "uid", "gid", "daemon", "pidfile", "stats", "ca-base", "crt-base",
          "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-bind-options",
          "ssl-default-server-ciphers", "ssl-default-server-options", "ssl-dh-param-file", "master-worker",
          "localpeer", "node", "description", "log-send-hostname", "log-tag", "unix-bind", "setenv", "presetenv",
          "resetenv", "unsetenv", "server-state-base", "server-state-file", "ssl-server-verify", "insecure-fork-wanted",
          "hard-stop-after", "expose-experimental-directives"};
      note(keyword, keyword.text,
           kInert.count(keyword.text) ? "process settings (logging, privileges, paths, TLS defaults) do not change "
                                        "how requests are balanced"
                                      : "global tuning is not modelled");
    }
  }

  static bool allowed(ProxyKind kind, bool defaults, bool frontend, bool backend) {
    return (kind == ProxyKind::kFrontend && frontend) || (kind == ProxyKind::kBackend && backend) ||
           kind == ProxyKind::kListen || (kind == ProxyKind::kDefaults && defaults);
  }

  void not_here(const Word& keyword, ProxyKind kind) {
    throw ImportError(keyword.at, fmt::format("'{}' is not allowed in a {} section", keyword.text, proxy_kind_name(kind)));
  }

  void proxy_line(const std::vector<Word>& words, ProxyOptions& options, HaproxyProxy* proxy) {
    const ProxyKind kind = proxy ? proxy->kind : ProxyKind::kDefaults;
    const Word& keyword = words[0];
    const std::string& k = keyword.text;
    if (k == "mode") {
      need_arguments(words, 1, "tcp or http");
      if (words[1].text != "http" && words[1].text != "tcp") {
        throw ImportError(words[1].at, fmt::format("mode: expected tcp or http, found \"{}\"", words[1].text));
      }
      options.mode.set(words[1].text, words[1].at);
    } else if (k == "maxconn") {
      if (!allowed(kind, true, true, false)) not_here(keyword, kind);
      need_arguments(words, 1, "a number of connections");
      options.maxconn.set(static_cast<int>(parse_integer(words[1], kMaxInt, "maxconn")), words[1].at);
    } else if (k == "backlog") {
      if (!allowed(kind, true, true, false)) not_here(keyword, kind);
      need_arguments(words, 1, "a number of connections");
      options.backlog.set(static_cast<int>(parse_integer(words[1], kMaxInt, "backlog")), words[1].at);
    } else if (k == "retries") {
      if (!allowed(kind, true, false, true)) not_here(keyword, kind);
      need_arguments(words, 1, "a number of retries");
      options.retries.set(static_cast<int>(parse_integer(words[1], kMaxInt, "retries")), words[1].at);
    } else if (k == "timeout") {
      timeout_line(words, options, kind);
    } else if (k == "option" || (k == "no" && words.size() > 1 && words[1].text == "option")) {
      option_line(words, options, kind);
    } else if (k == "balance") {
      if (!allowed(kind, true, false, true)) not_here(keyword, kind);
      need_arguments(words, 1, "an algorithm");
      balance_line(words, options);
    } else if (k == "default_backend") {
      if (!allowed(kind, true, true, false)) not_here(keyword, kind);
      need_arguments(words, 1, "a backend name");
      options.default_backend.set(words[1].text, words[1].at);
    } else if (k == "use_backend") {
      if (!proxy || !allowed(kind, false, true, false)) not_here(keyword, kind);
      proxy->use_backend.push_back(keyword.at);
      note(keyword, joined(words, 2), "content switching is not modelled: every request goes to default_backend");
    } else if (k == "bind") {
      if (!proxy || !allowed(kind, false, true, false)) not_here(keyword, kind);
      need_arguments(words, 1, "an address");
      proxy->binds.push_back(words[1]);
      if (words.size() > 2) note(words[2], "bind options", "listener options (TLS certificates, ...) are not modelled; "
                                                           "TLS costs come from the tier's tls key");
    } else if (k == "default-server") {
      if (!allowed(kind, true, false, true)) not_here(keyword, kind);
      server_options(words, 1, options.default_server);
    } else if (k == "server") {
      if (!proxy || !allowed(kind, false, false, true)) not_here(keyword, kind);
      need_arguments(words, 2, "a name and an address");
      HaproxyServer server{words[1], words[2], options.default_server, keyword.at};
      server_options(words, 3, server.options);
      proxy->servers.push_back(std::move(server));
    } else {
      const auto& reasons = proxy_reasons();
      const auto reason = reasons.find(k);
      note(keyword, joined(words, 2), reason != reasons.end() ? reason->second : "not modelled by tiersim");
    }
  }

  void timeout_line(const std::vector<Word>& words, ProxyOptions& options, ProxyKind kind) {
    need_arguments(words, 2, "a name and a time, e.g. 'timeout connect 5s'");
    const std::string& which = words[1].text;
    const Time value = parse_haproxy_time(words[2], sim::kMillisecond, "timeout " + which);
    const bool backend_side = allowed(kind, true, false, true);
    if (which == "connect" && backend_side) options.timeout_connect.set(value, words[2].at);
    else if (which == "server" && backend_side) options.timeout_server.set(value, words[2].at);
    else if (which == "queue" && backend_side) options.timeout_queue.set(value, words[2].at);
    else if (which == "check" && backend_side) options.timeout_check.set(value, words[2].at);
    else if (which == "client" && allowed(kind, true, true, false)) {
      options.timeout_client.set(value, words[2].at);
      note(words[0], "timeout client", "client inactivity is not modelled: tiersim's clients send at once and wait "
                                        "for the answer (workload.client.timeout is their own limit)");
    } else if (which == "connect" || which == "server" || which == "queue" || which == "check" || which == "client") {
      note(words[0], "timeout " + which, fmt::format("has no effect in a {} section", proxy_kind_name(kind)));
    } else {
      note(words[0], "timeout " + which, "this timeout is not modelled");
    }
  }

  void option_line(const std::vector<Word>& words, ProxyOptions& options, ProxyKind kind) {
    const bool negated = words[0].text == "no";
    const std::size_t at = negated ? 2 : 1;
    if (words.size() <= at) throw ImportError(words[0].at, "'option' expects an option name");
    const Word& name = words[at];
    if (name.text == "redispatch") {
      if (!allowed(kind, true, false, true)) not_here(name, kind);
      int every = -1;
      if (words.size() > at + 1) {
        if (negated) throw ImportError(words[at + 1].at, "'no option redispatch' takes no argument");
        every = static_cast<int>(parse_signed_integer(words[at + 1], 100, "option redispatch"));
      }
      options.redispatch.set(negated ? "false" : every == -1 ? "true" : std::to_string(every), name.at);
    } else if (name.text == "httpchk") {
      if (!allowed(kind, true, false, true)) not_here(name, kind);
      options.httpchk.set(!negated, name.at);
    } else {
      const auto& reasons = option_reasons();
      const auto reason = reasons.find(name.text);
      note(words[0], joined(words, at + 1), reason != reasons.end() ? reason->second : "this option is not modelled");
    }
  }

  void balance_line(const std::vector<Word>& words, ProxyOptions& options) {
    const Word& algorithm = words[1];
    std::string name = algorithm.text;
    int draws = 2;
    // random(N): the draws in parentheses (configuration.txt, balance).
    if (name.rfind("random(", 0) == 0 && name.size() > 8 && name.back() == ')') {
      Word number{name.substr(7, name.size() - 8), {algorithm.at.file, algorithm.at.line, algorithm.at.column + 7}};
      draws = static_cast<int>(parse_integer(number, 100, "random(N)"));
      if (draws < 1) throw ImportError(number.at, "random(N): N must be at least 1");
      name = "random";
    }
    static const std::set<std::string_view> kModelled = {"roundrobin", "static-rr", "leastconn", "first", "source",
                                                         "random"};
    static const std::set<std::string_view> kHaproxyOnly = {"uri", "url_param", "hdr", "rdp-cookie", "hash"};
    const std::string base = name.substr(0, name.find('('));
    if (!kModelled.count(name)) {
      if (kHaproxyOnly.count(base)) {
        throw ImportError(algorithm.at, fmt::format("balance {}: tiersim has no such algorithm (it models roundrobin, "
                                                    "static-rr, leastconn, first, source and random(N)); requests "
                                                    "carry no URI or header to hash",
                                                    algorithm.text));
      }
      throw ImportError(algorithm.at, fmt::format("balance: unknown algorithm \"{}\"", algorithm.text));
    }
    if (words.size() > 2) {
      throw ImportError(words[2].at, fmt::format("balance {} takes no argument, found \"{}\"", name, words[2].text));
    }
    options.balance.set(name, algorithm.at);
    options.balance_draws = draws;
  }

  void server_options(const std::vector<Word>& words, std::size_t first, ServerOptions& options) {
    for (std::size_t i = first; i < words.size(); ++i) {
      const Word& keyword = words[i];
      const std::string& k = keyword.text;
      const auto argument = [&]() -> const Word& {
        if (i + 1 >= words.size()) throw ImportError(keyword.at, fmt::format("'{}' expects a value", k));
        return words[++i];
      };
      const auto integer = [&](Setting<int>& setting, std::int64_t least, std::int64_t most) {
        const Word& value = argument();
        const std::int64_t n = parse_integer(value, most, k);
        if (n < least) throw ImportError(value.at, fmt::format("{}: expected at least {}, found {}", k, least, n));
        setting.set(static_cast<int>(n), value.at);
      };
      const auto time = [&](Setting<Time>& setting, bool positive) {
        const Word& value = argument();
        const Time t = parse_haproxy_time(value, sim::kMillisecond, k);
        if (positive && t <= 0) throw ImportError(value.at, fmt::format("{}: must be above 0", k));
        setting.set(t, value.at);
      };
      if (k == "check") options.check.set(true, keyword.at);
      else if (k == "no-check") options.check.set(false, keyword.at);
      else if (k == "backup") options.backup.set(true, keyword.at);
      else if (k == "no-backup") options.backup.set(false, keyword.at);
      else if (k == "disabled") options.disabled.set(true, keyword.at);
      else if (k == "enabled") options.disabled.set(false, keyword.at);
      else if (k == "inter") time(options.inter, true);
      else if (k == "fastinter") time(options.fastinter, true);
      else if (k == "downinter") time(options.downinter, true);
      else if (k == "slowstart") time(options.slowstart, false);
      else if (k == "rise") integer(options.rise, 1, kMaxInt);
      else if (k == "fall") integer(options.fall, 1, kMaxInt);
      else if (k == "weight") integer(options.weight, 0, 256);
      else if (k == "maxconn") integer(options.maxconn, 0, kMaxInt);
      else if (k == "maxqueue") integer(options.maxqueue, 0, kMaxInt);
      else if (k == "error-limit") integer(options.error_limit, 1, kMaxInt);
      else if (k == "observe" || k == "on-error" || k == "on-marked-down") {
        const Word& value = argument();
        static const std::map<std::string_view, std::set<std::string_view>> kValues = {
            {"observe", {"none", "layer4", "layer7"}},
            {"on-error", {"fastinter", "fail-check", "sudden-death", "mark-down"}},
            {"on-marked-down", {"shutdown-sessions"}}};
        if (!kValues.at(k).count(value.text)) {
          std::string expected;
          for (const auto& v : kValues.at(k)) expected += (expected.empty() ? "" : ", ") + std::string(v);
          throw ImportError(value.at, fmt::format("{}: expected one of {}, found \"{}\"", k, expected, value.text));
        }
        (k == "observe" ? options.observe : k == "on-error" ? options.on_error : options.on_marked_down)
            .set(value.text, value.at);
      } else if (unmodelled_server_keywords_with_argument().count(k)) {
        const Word& value = argument();
        note(keyword, k + " " + value.text, k == "on-marked-up" ? "on-marked-up is not modelled"
                                                               : "this server setting is not modelled");
      } else if (unmodelled_server_flags().count(k)) {
        note(keyword, k, "this server setting is not modelled");
      } else {
        throw ImportError(keyword.at, fmt::format("unknown server keyword \"{}\"", k));
      }
    }
  }

  Notes& notes_;
  HaproxyFile result_;
  Section section_ = Section::kNone;
  ProxyOptions defaults_;
  std::optional<std::string> pending_defaults_name_;
  std::map<std::string, ProxyOptions> named_defaults_;
};

}  // namespace

const char* proxy_kind_name(ProxyKind kind) {
  switch (kind) {
    case ProxyKind::kDefaults: return "defaults";
    case ProxyKind::kFrontend: return "frontend";
    case ProxyKind::kBackend: return "backend";
    case ProxyKind::kListen: return "listen";
  }
  return "proxy";
}

HaproxyFile read_haproxy_text(const std::string& text, const std::string& file, Notes& notes) {
  return Reader(file, notes).read(text);
}

HaproxyFile read_haproxy(const std::filesystem::path& file, const Position& named_at, Notes& notes) {
  return read_haproxy_text(read_config_file(file, named_at), file.string(), notes);
}

}  // namespace config_import
