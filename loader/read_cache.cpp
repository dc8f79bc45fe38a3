// A cache tier's own keys (memcached, Redis): its connection limit, the CPU
// of a get and a set, its message sizes and its clients' timeout.
#include "loader/sections.hpp"

namespace loader::sections {

models::CacheConfig read_cache(const MapReader& m, const Context& ctx) {
  models::CacheConfig c;
  if (const auto f = m.get("max_connections")) c.max_connections = to_int(*f, 1);
  if (const auto f = m.get("get_cpu")) c.get_cpu = to_distribution(*f, ctx.base_dir);
  if (const auto f = m.get("set_cpu")) c.set_cpu = to_distribution(*f, ctx.base_dir);
  if (const auto f = m.get("key_size")) c.key_bytes = to_size(*f, false);
  if (const auto f = m.get("value_size")) c.value_bytes = to_size(*f, false);
  if (const auto f = m.get("client_timeout")) c.client_timeout = to_duration(*f, true);
  return c;
}

}  // namespace loader::sections
