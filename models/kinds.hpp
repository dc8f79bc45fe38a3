// The models' registry of tier kinds: for each alternative of TierKindConfig,
// the node class that runs it and the message sizes its calls default to.
// Dispatch is std::visit with one overload per kind and no default, so a new
// kind does not compile until it is listed here (models/kinds.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "models/config.hpp"

namespace models {

class Host;
class Node;
class Stack;

// Node i of `tier` (tier index t), with node id `id`, on `host`.
std::unique_ptr<Node> make_node(Stack& stack, const TierConfig& tier, int t, int i, std::uint32_t id,
                                const std::string& name, Host& host);

// The size of a request into, and of a response out of, a tier of this kind
// when the class states none; nullopt: the class's HTTP sizes. A database
// call is a query: its sizes are the tier's query and result sizes; a cache
// call a key out and a value back. (Inline:
// every call asks.)
inline std::optional<double> default_request_bytes(const TierKindConfig& kind) {
  using Bytes = std::optional<double>;
  return std::visit(Overloaded{
                        [](const HaproxyConfig&) -> Bytes { return std::nullopt; },
                        [](const NginxConfig&) -> Bytes { return std::nullopt; },
                        [](const AppConfig&) -> Bytes { return std::nullopt; },
                        [](const DatabaseConfig& db) -> Bytes { return db.query_bytes; },
                        [](const ServerConfig&) -> Bytes { return std::nullopt; },
                        [](const CacheConfig& cache) -> Bytes { return cache.key_bytes; },
                    },
                    kind);
}

inline std::optional<double> default_response_bytes(const TierKindConfig& kind) {
  using Bytes = std::optional<double>;
  return std::visit(Overloaded{
                        [](const HaproxyConfig&) -> Bytes { return std::nullopt; },
                        [](const NginxConfig&) -> Bytes { return std::nullopt; },
                        [](const AppConfig&) -> Bytes { return std::nullopt; },
                        [](const DatabaseConfig& db) -> Bytes { return db.result_bytes; },
                        [](const ServerConfig&) -> Bytes { return std::nullopt; },
                        [](const CacheConfig& cache) -> Bytes { return cache.value_bytes; },
                    },
                    kind);
}

}  // namespace models
