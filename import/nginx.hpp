// Reads nginx.conf (nginx 1.22's core, events, http, upstream and proxy
// modules) into plain structures: the worker settings, every upstream, and
// every location that proxies, with the proxy_* settings it inherits from its
// server and http blocks. `include` is followed relative to the main file's
// directory, as nginx does with -c (its configuration prefix), globs included.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "import/common.hpp"

namespace config_import {

struct UpstreamServer {
  Word address;
  int weight = 1;
  Setting<int> max_fails;       // nginx: 1
  Setting<Time> fail_timeout;   // nginx: 10 s
  Setting<bool> backup, down;
};

struct Upstream {
  std::string name;
  Position at;
  std::vector<UpstreamServer> servers;
};

// A location with proxy_pass and the proxy settings in effect there.
struct ProxyPass {
  Word target;  // the upstream's name, or the address of a single server
  bool to_upstream = false;
  Setting<Time> connect_timeout, read_timeout;  // nginx: 60 s each
  Setting<bool> next_upstream;                  // "error timeout" (true) or off (false)
  Setting<int> next_upstream_tries;             // 0 = unlimited
  Setting<Time> next_upstream_timeout;          // 0 = unlimited
};

struct NginxFile {
  std::string path;
  Setting<std::string> worker_processes;  // a number or "auto"; nginx: 1
  Setting<int> worker_connections;        // nginx: 512
  std::vector<Upstream> upstreams;
  std::vector<ProxyPass> proxies;
};

NginxFile read_nginx(const std::filesystem::path& file, const Position& named_at, Notes& notes);

}  // namespace config_import
