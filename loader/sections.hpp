// What the scenario's section readers share. Each top-level section has its
// reader in its own file (read_run.cpp, read_machines.cpp, read_network.cpp,
// read_tiers.cpp with a file per tier kind, read_workload.cpp,
// read_client.cpp, read_slo.cpp, read_faults.cpp); scenario_loader.cpp reads
// the top level and calls them in an order where each finds what it checks
// against already read. Nothing outside loader/ includes this header.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "loader/fields.hpp"
#include "models/config.hpp"

namespace loader::sections {

using namespace fields;  // the field readers are the sections' vocabulary

// Client and HAProxy retries: more attempts than this per request is a slip,
// not a retry policy.
inline constexpr int kMaxRetries = 100;

// A class's map holds both tier names and these keys.
inline const std::vector<std::string> kClassKeys = {"weight", "request", "response", "method"};

// The loader's side of each tier kind, in models::TierKindConfig's order
// (read_tiers.cpp builds the table from the variant).
struct KindInfo {
  std::size_t index;  // in models::TierKindConfig
  std::string name;
  std::string article;  // "a" or "an", for messages
  std::vector<std::string> keys;
};

const std::vector<KindInfo>& kinds();

inline const KindInfo& info(std::size_t kind) { return kinds()[kind]; }

// K's index in models::TierKindConfig.
template <class K, std::size_t I = 0>
constexpr std::size_t kind_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, models::TierKindConfig>, K>) {
    return I;
  } else {
    return kind_index<K, I + 1>();
  }
}

// What later checks need to know about a tier besides its TierConfig.
struct TierInfo {
  std::size_t kind;  // index in models::TierKindConfig
  Field key;    // the tier's name in `tiers`
  Field field;  // its map
  std::optional<Field> weights;
  std::optional<Field> names;
  std::vector<std::string> machines;  // the machines its nodes run on
};

// The scenario as read so far, which the sections read later check against.
struct Context {
  std::filesystem::path base_dir;  // resolves relative paths such as empirical(file.csv)
  models::ScenarioConfig cfg;
  std::vector<TierInfo> tier_info;  // parallel to cfg.tiers

  // A reference to a machine by name, with a suggestion when there is none.
  std::string machine_ref(const Field& f) const;
  const models::HostConfig* find_host(std::string_view name) const;
};

// The top-level sections, each into ctx.cfg.
void read_run(const Field& f, Context& ctx);
void read_machines(const Field& f, Context& ctx);
void read_hosts(const Field& f, Context& ctx);
void read_network(const Field& f, Context& ctx);
void read_tiers(const Field& f, Context& ctx);  // also fills ctx.tier_info
void read_workload(const Field& f, Context& ctx);
void read_slo(const Field& f, Context& ctx);
void read_faults(const Field& f, Context& ctx);

// workload.client.
void read_client(const Field& f, models::ClientConfig& c);

// Each tier kind's own keys, called from read_tiers' visit once the common
// keys (placement, count, names) are read.
models::HaproxyConfig read_haproxy(const MapReader& m, int count, const Context& ctx);
models::NginxConfig read_nginx(const MapReader& m, const TierInfo& t, const Context& ctx);
models::AppConfig read_app(const MapReader& m);
models::DatabaseConfig read_database(const MapReader& m, int count, const Context& ctx);
models::ServerConfig read_server(const MapReader& m);
models::CacheConfig read_cache(const MapReader& m, const Context& ctx);

}  // namespace loader::sections
