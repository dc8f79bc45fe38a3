// Reads haproxy.cfg into plain structures: the global values tiersim uses,
// and every defaults, frontend, backend and listen section with HAProxy's
// inheritance already applied (a proxy starts from its defaults section; a
// server line starts from the proxy's default-server settings as they stand
// on that line). Grammar and inheritance follow HAProxy's configuration
// manual (doc/configuration.txt, sections 2.2 to 2.5 and 4).
//
// Hand-written: Debian 12 packages no haproxy.cfg parser (HAProxy's own
// parser lives in the daemon and is not a library), and the grammar is a
// line of words with quotes and escapes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "import/common.hpp"

namespace config_import {

// The keywords of `server` and `default-server` lines that tiersim maps.
struct ServerOptions {
  Setting<bool> check, backup, disabled;
  Setting<Time> inter, fastinter, downinter, slowstart;
  Setting<int> rise, fall, weight, maxconn, maxqueue, error_limit;
  Setting<std::string> observe, on_error, on_marked_down;
};

struct HaproxyServer {
  Word name;
  Word address;
  ServerOptions options;  // default-server's, then the line's own
  Position at;            // the `server` keyword
};

enum class ProxyKind { kDefaults, kFrontend, kBackend, kListen };

// What a defaults section passes on, and a proxy's own settings.
struct ProxyOptions {
  Setting<std::string> mode;
  Setting<int> maxconn, backlog, retries;
  Setting<Time> timeout_connect, timeout_client, timeout_server, timeout_queue, timeout_check;
  // "true" (option redispatch), "false" (no option redispatch) or N (option redispatch N).
  Setting<std::string> redispatch;
  Setting<bool> httpchk;
  Setting<std::string> balance;  // the algorithm as written, e.g. "random"
  int balance_draws = 2;         // N of random(N)
  Setting<std::string> default_backend;
  ServerOptions default_server;
};

struct HaproxyProxy {
  ProxyKind kind;
  std::string name;
  Position at;  // the section keyword
  ProxyOptions options;
  std::vector<HaproxyServer> servers;
  std::vector<Word> binds;        // bind addresses
  std::vector<Position> use_backend;  // content switching (not modelled)
};

struct HaproxyFile {
  std::string path;
  Setting<int> global_maxconn;
  Setting<int> spread_checks;
  std::vector<HaproxyProxy> proxies;  // frontend, backend and listen, in file order
};

// Throws ImportError on syntax errors and on values HAProxy would reject;
// adds a note for every directive it reads but tiersim does not model.
HaproxyFile read_haproxy(const std::filesystem::path& file, const Position& named_at, Notes& notes);
HaproxyFile read_haproxy_text(const std::string& text, const std::string& file, Notes& notes);

const char* proxy_kind_name(ProxyKind kind);

}  // namespace config_import
