#include "models/kinds.hpp"

#include "models/app_server.hpp"
#include "models/cache.hpp"
#include "models/database.hpp"
#include "models/haproxy.hpp"
#include "models/nginx.hpp"
#include "models/server.hpp"

namespace models {

std::unique_ptr<Node> make_node(Stack& stack, const TierConfig& tier, int t, int i, std::uint32_t id,
                                const std::string& name, Host& host) {
  using Made = std::unique_ptr<Node>;
  return std::visit(Overloaded{
                        [&](const HaproxyConfig&) -> Made { return std::make_unique<HaproxyNode>(stack, tier, t, i, id, name, host); },
                        [&](const NginxConfig&) -> Made { return std::make_unique<NginxNode>(stack, tier, t, i, id, name, host); },
                        [&](const AppConfig&) -> Made { return std::make_unique<AppNode>(stack, tier, t, i, id, name, host); },
                        [&](const DatabaseConfig&) -> Made { return std::make_unique<DatabaseNode>(stack, tier, t, i, id, name, host); },
                        [&](const ServerConfig&) -> Made { return std::make_unique<ServerNode>(stack, tier, t, i, id, name, host); },
                        [&](const CacheConfig&) -> Made { return std::make_unique<CacheNode>(stack, tier, t, i, id, name, host); },
                    },
                    tier.kind);
}

}  // namespace models
