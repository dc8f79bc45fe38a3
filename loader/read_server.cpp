// A server tier's own keys (the generic queueing station): workers and queue.
#include "loader/sections.hpp"

namespace loader::sections {

models::ServerConfig read_server(const MapReader& m) {
  models::ServerConfig c;
  if (const auto f = m.get("workers")) c.workers = to_int(*f, 0);
  if (const auto f = m.get("queue")) c.queue = to_int(*f, 0);
  return c;
}

}  // namespace loader::sections
