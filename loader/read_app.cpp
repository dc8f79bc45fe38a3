// An app tier's own keys: workers, backlog, the connection pool to the next
// tier and its timeouts.
#include "loader/sections.hpp"

namespace loader::sections {

namespace {

void read_app_timeouts(const MapReader& m, models::AppConfig& c) {
  if (const auto f = m.get("connect_timeout")) c.connect_timeout = to_duration(*f, true);
  if (const auto f = m.get("call_timeout")) c.call_timeout = to_duration(*f, false);
}

}  // namespace

models::AppConfig read_app(const MapReader& m) {
  models::AppConfig c;
  if (const auto f = m.get("workers")) c.workers = to_int(*f, 1);
  if (const auto f = m.get("backlog")) c.backlog = to_int(*f, 0);
  if (const auto f = m.get("pool")) c.pool = to_int(*f, 1);
  if (const auto f = m.get("pool_timeout")) c.pool_timeout = to_duration(*f, true);
  if (const auto f = m.get("prefer_local")) c.prefer_local = to_bool(*f);
  read_app_timeouts(m, c);
  return c;
}

}  // namespace loader::sections
