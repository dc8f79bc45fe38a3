#include "import/nginx.hpp"

#include <glob.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "import/blocks.hpp"

namespace config_import {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxIncludeDepth = 16;  // a loop of includes stops here with a message
constexpr int kMaxInt = 2147483647;

std::string joined(const std::vector<Word>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w.text;
  return text;
}

void arguments(const Statement& s, std::size_t least, std::size_t most, std::string_view usage) {
  const std::size_t n = s.words.size() - 1;
  if (n < least || n > most) {
    throw ImportError(s.words[0].at, fmt::format("invalid number of arguments in \"{}\" directive (expected {})",
                                                 s.words[0].text, usage));
  }
}

void no_block(const Statement& s) {
  if (s.has_block) throw ImportError(s.block_at, fmt::format("\"{}\" directive takes no block", s.words[0].text));
}

// The proxy settings a block passes on to the blocks inside it.
struct Inherited {
  Setting<Time> connect_timeout, read_timeout;
  Setting<bool> next_upstream;
  Setting<int> next_upstream_tries;
  Setting<Time> next_upstream_timeout;
};

enum class Context { kMain, kEvents, kHttp, kServer, kLocation };

class Reader {
 public:
  Reader(const fs::path& main, Notes& notes) : base_dir_(main.parent_path()), notes_(notes) {
    result_.path = main.string();
  }

  NginxFile read(const Position& named_at) {
    const std::string text = read_config_file(result_.path, named_at);
    auto statements = expand(parse_blocks(text, result_.path, BlockSyntax::kNginx), 0);
    walk(statements, Context::kMain, Inherited{});
    if (!has_events_) {
      // nginx refuses to start without it ("no \"events\" section in configuration").
      throw ImportError(Position{result_.path, 1, 1}, "no \"events\" section in configuration");
    }
    return std::move(result_);
  }

 private:
  void note(const Statement& s, std::string_view reason) {
    notes_.push_back({s.words[0].at, joined(s.words), std::string(reason)});
  }

  // Replaces every include, at any depth, by the statements of the files it names.
  std::vector<Statement> expand(std::vector<Statement> statements, int depth) {
    std::vector<Statement> out;
    for (auto& s : statements) {
      if (s.words[0].text != "include") {
        if (s.has_block) s.block = expand(std::move(s.block), depth);
        out.push_back(std::move(s));
        continue;
      }
      no_block(s);
      arguments(s, 1, 1, "a file or a glob");
      if (depth >= kMaxIncludeDepth) {
        throw ImportError(s.words[1].at, fmt::format("include: more than {} nested includes (does a file include "
                                                     "itself?)",
                                                     kMaxIncludeDepth));
      }
      fs::path pattern = s.words[1].text;
      if (pattern.is_relative()) pattern = base_dir_ / pattern;
      std::vector<std::string> files;
      const bool is_glob = s.words[1].text.find_first_of("*?[") != std::string::npos;
      if (is_glob) {
        glob_t found{};
        const int status = ::glob(pattern.c_str(), 0, nullptr, &found);
        for (std::size_t i = 0; status == 0 && i < found.gl_pathc; ++i) files.emplace_back(found.gl_pathv[i]);
        ::globfree(&found);
        // nginx accepts a glob that matches nothing; the files are read in glob's (sorted) order.
      } else {
        files.push_back(pattern.string());
      }
      for (const auto& file : files) {
        auto included = parse_blocks(read_config_file(file, s.words[1].at), file, BlockSyntax::kNginx);
        for (auto& inner : expand(std::move(included), depth + 1)) out.push_back(std::move(inner));
      }
    }
    return out;
  }

  // Own directives first, then the blocks: nginx applies a block's directives
  // to the blocks inside it wherever they stand in the block.
  void walk(const std::vector<Statement>& statements, Context context, Inherited inherited) {
    for (const auto& s : statements) {
      if (!s.has_block) directive(s, context, inherited);
    }
    for (const auto& s : statements) {
      if (s.has_block) block(s, context, inherited);
    }
  }

  void block(const Statement& s, Context context, const Inherited& inherited) {
    const std::string& k = s.words[0].text;
    if (k == "events" && context == Context::kMain) {
      arguments(s, 0, 0, "no arguments");
      has_events_ = true;
      walk(s.block, Context::kEvents, inherited);
    } else if (k == "http" && context == Context::kMain) {
      arguments(s, 0, 0, "no arguments");
      walk(s.block, Context::kHttp, inherited);
    } else if (k == "server" && context == Context::kHttp) {
      walk(s.block, Context::kServer, inherited);
    } else if (k == "location" && (context == Context::kServer || context == Context::kLocation)) {
      arguments(s, 1, 2, "a modifier and a URI");
      walk(s.block, Context::kLocation, inherited);
    } else if (k == "upstream" && context == Context::kHttp) {
      arguments(s, 1, 1, "a name");
      upstream(s);
    } else if (k == "stream" || k == "mail") {
      note(s, "non-HTTP proxying is not modelled");
    } else if (k == "types" || k == "map" || k == "geo" || k == "split_clients" || k == "limit_except" || k == "if") {
      note(s, k == "if" ? "conditional configuration is not modelled: the enclosing block's settings apply"
                        : "does not change how requests are proxied");
    } else {
      throw ImportError(s.words[0].at, fmt::format("\"{}\" block is not allowed here (unknown section)", k));
    }
  }

  void directive(const Statement& s, Context context, Inherited& inherited) {
    const std::string& k = s.words[0].text;
    const bool proxy_context = context == Context::kHttp || context == Context::kServer || context == Context::kLocation;
    if (k == "worker_processes" && context == Context::kMain) {
      arguments(s, 1, 1, "a number or auto");
      const Word& value = s.words[1];
      if (value.text != "auto") {
        if (parse_integer(value, 65536, "worker_processes") < 1) {
          throw ImportError(value.at, "worker_processes: expected at least 1 or auto");
        }
      }
      result_.worker_processes.set(value.text, value.at);
    } else if (k == "worker_connections" && context == Context::kEvents) {
      arguments(s, 1, 1, "a number");
      const auto n = parse_integer(s.words[1], kMaxInt, "worker_connections");
      if (n < 1) throw ImportError(s.words[1].at, "worker_connections: expected at least 1");
      result_.worker_connections.set(static_cast<int>(n), s.words[1].at);
    } else if (proxy_context && (k == "proxy_connect_timeout" || k == "proxy_read_timeout")) {
      arguments(s, 1, 1, "a time");
      const Time t = parse_nginx_time(s.words[1], k);
      if (k == "proxy_connect_timeout") {
        if (t <= 0) throw ImportError(s.words[1].at, "proxy_connect_timeout: must be above 0");
        inherited.connect_timeout.set(t, s.words[1].at);
      } else {
        inherited.read_timeout.set(t, s.words[1].at);
      }
    } else if (proxy_context && k == "proxy_next_upstream") {
      arguments(s, 1, 12, "off or conditions such as error timeout");
      next_upstream(s, inherited);
    } else if (proxy_context && k == "proxy_next_upstream_tries") {
      arguments(s, 1, 1, "a number");
      inherited.next_upstream_tries.set(static_cast<int>(parse_integer(s.words[1], kMaxInt, k)), s.words[1].at);
    } else if (proxy_context && k == "proxy_next_upstream_timeout") {
      arguments(s, 1, 1, "a time");
      inherited.next_upstream_timeout.set(parse_nginx_time(s.words[1], k), s.words[1].at);
    } else if (k == "proxy_pass" && context == Context::kLocation) {
      arguments(s, 1, 1, "a URL");
      proxy_pass(s, inherited);
    } else if (k == "events" || k == "http" || k == "server" || k == "location" || k == "upstream") {
      throw ImportError(s.words[0].at, fmt::format("\"{}\" expects a block in braces", k));
    } else {
      static const std::set<std::string_view> kInert = {
          "user", "pid", "error_log", "access_log", "log_format", "include", "default_type", "server_name", "root",
          "index", "sendfile", "tcp_nopush", "tcp_nodelay", "types_hash_max_size", "server_tokens", "charset",
          "proxy_set_header", "add_header", "gzip", "gzip_types", "gzip_vary", "gzip_proxied", "gzip_comp_level",
          "ssl_protocols", "ssl_prefer_server_ciphers", "ssl_ciphers", "ssl_certificate", "ssl_certificate_key",
          "multi_accept", "use", "try_files", "expires", "proxy_http_version", "proxy_redirect", "autoindex",
          "ssl_session_cache", "ssl_session_timeout", "client_max_body_size", "load_module", "worker_rlimit_nofile",
          "listen", "return", "rewrite", "deny", "allow", "error_page", "proxy_buffering", "proxy_buffers",
          "proxy_buffer_size", "open_file_cache", "server_names_hash_bucket_size"};
      note(s, kInert.count(k) ? "does not change how tiersim's requests are served or proxied"
                              : "not modelled by tiersim");
    }
  }

  void next_upstream(const Statement& s, Inherited& inherited) {
    bool error = false, timeout = false, off = false;
    std::vector<std::string> others;
    static const std::set<std::string_view> kConditions = {
        "error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403", "http_404",
        "http_429", "non_idempotent", "off"};
    for (std::size_t i = 1; i < s.words.size(); ++i) {
      const Word& w = s.words[i];
      if (!kConditions.count(w.text)) {
        throw ImportError(w.at, fmt::format("proxy_next_upstream: invalid value \"{}\"", w.text));
      }
      error = error || w.text == "error";
      timeout = timeout || w.text == "timeout";
      off = off || w.text == "off";
      if (w.text != "error" && w.text != "timeout" && w.text != "off") others.push_back(w.text);
    }
    if (off && s.words.size() > 2) {
      throw ImportError(s.words[2].at, "proxy_next_upstream: \"off\" cannot be combined with other conditions");
    }
    if (off) {
      inherited.next_upstream.set(false, s.words[1].at);
      return;
    }
    if (!error || !timeout) {
      throw ImportError(s.words[1].at, fmt::format("proxy_next_upstream without both error and timeout: tiersim's "
                                                   "next_upstream retries on both or on neither (off)"));
    }
    inherited.next_upstream.set(true, s.words[1].at);
    if (!others.empty()) {
      std::string text;
      for (const auto& o : others) text += (text.empty() ? "" : " ") + o;
      notes_.push_back({s.words[1].at, "proxy_next_upstream " + text,
                        "retrying on bad answers is not modelled: tiersim retries on connection errors and "
                        "timeouts"});
    }
  }

  void proxy_pass(const Statement& s, const Inherited& inherited) {
    const Word& url = s.words[1];
    if (url.text.find('$') != std::string::npos) {
      throw ImportError(url.at, "proxy_pass with variables: the target is only known at run time, so tiersim cannot "
                                "tell which tier it is");
    }
    std::string_view rest = url.text;
    if (rest.rfind("http://", 0) == 0) {
      rest.remove_prefix(7);
    } else if (rest.rfind("https://", 0) == 0) {
      rest.remove_prefix(8);
      notes_.push_back({url.at, "proxy_pass https", "TLS to the upstream is not modelled"});
    } else {
      throw ImportError(url.at, fmt::format("proxy_pass: expected http://UPSTREAM or http://ADDRESS, found \"{}\"",
                                            url.text));
    }
    const std::string host(rest.substr(0, rest.find('/')));
    if (host.empty()) throw ImportError(url.at, "proxy_pass: no host in the URL");
    ProxyPass pass;
    pass.target = Word{host, {url.at.file, url.at.line, url.at.column + static_cast<int>(url.text.size() - rest.size())}};
    pass.connect_timeout = inherited.connect_timeout;
    pass.read_timeout = inherited.read_timeout;
    pass.next_upstream = inherited.next_upstream;
    pass.next_upstream_tries = inherited.next_upstream_tries;
    pass.next_upstream_timeout = inherited.next_upstream_timeout;
    result_.proxies.push_back(std::move(pass));
  }

  void upstream(const Statement& s) {
    Upstream up{s.words[1].text, s.words[0].at, {}};
    for (const auto& existing : result_.upstreams) {
      if (existing.name == up.name) {
        throw ImportError(s.words[1].at, fmt::format("duplicate upstream \"{}\" (first at {})", up.name,
                                                     to_string(existing.at)));
      }
    }
    for (const auto& item : s.block) {
      no_block(item);
      const std::string& k = item.words[0].text;
      if (k == "server") {
        arguments(item, 1, 12, "an address and parameters");
        up.servers.push_back(upstream_server(item));
      } else if (k == "least_conn" || k == "ip_hash" || k == "hash" || k == "random") {
        throw ImportError(item.words[0].at, fmt::format("{}: tiersim's nginx balances its upstream by weighted round "
                                                        "robin (nginx's default) only",
                                                        k));
      } else if (k == "keepalive" || k == "keepalive_timeout" || k == "keepalive_requests" || k == "keepalive_time") {
        note(item, "connection reuse towards the upstream is not modelled");
      } else if (k == "zone") {
        note(item, "shared memory does not change the model");
      } else {
        throw ImportError(item.words[0].at, fmt::format("unknown upstream directive \"{}\"", k));
      }
    }
    if (up.servers.empty()) throw ImportError(s.words[0].at, fmt::format("no servers are inside upstream \"{}\"", up.name));
    result_.upstreams.push_back(std::move(up));
  }

  UpstreamServer upstream_server(const Statement& s) {
    UpstreamServer server{s.words[1], 1, {}, {}, {}, {}};
    for (std::size_t i = 2; i < s.words.size(); ++i) {
      const Word& w = s.words[i];
      const auto eq = w.text.find('=');
      const std::string name = w.text.substr(0, eq);
      Word value{eq == std::string::npos ? "" : w.text.substr(eq + 1),
                 {w.at.file, w.at.line, w.at.column + static_cast<int>(eq == std::string::npos ? 0 : eq + 1)}};
      if (name == "weight" && eq != std::string::npos) {
        const auto n = parse_integer(value, kMaxInt, "weight");
        if (n < 1) throw ImportError(value.at, "weight: expected at least 1");
        if (n > 256) throw ImportError(value.at, "weight: tiersim's weights go up to 256");
        server.weight = static_cast<int>(n);
      } else if (name == "max_fails" && eq != std::string::npos) {
        server.max_fails.set(static_cast<int>(parse_integer(value, kMaxInt, "max_fails")), value.at);
      } else if (name == "fail_timeout" && eq != std::string::npos) {
        const Time t = parse_nginx_time(value, "fail_timeout");
        if (t <= 0) throw ImportError(value.at, "fail_timeout: must be above 0 in tiersim");
        server.fail_timeout.set(t, value.at);
      } else if (w.text == "backup") {
        server.backup.set(true, w.at);
      } else if (w.text == "down") {
        server.down.set(true, w.at);
      } else if (name == "max_conns" || name == "slow_start" || name == "route" || name == "service" ||
                 w.text == "resolve") {
        notes_.push_back({w.at, w.text, "this upstream server parameter is not modelled"});
      } else {
        throw ImportError(w.at, fmt::format("invalid parameter \"{}\" of an upstream server", w.text));
      }
    }
    return server;
  }

  fs::path base_dir_;
  Notes& notes_;
  NginxFile result_;
  bool has_events_ = false;
};

}  // namespace

NginxFile read_nginx(const std::filesystem::path& file, const Position& named_at, Notes& notes) {
  return Reader(file, notes).read(named_at);
}

}  // namespace config_import
