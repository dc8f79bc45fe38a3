#include "models/request.hpp"

namespace models {

std::string_view failure_reason_name(FailureReason reason) {
  switch (reason) {
    case FailureReason::kLbMaxconn: return "lb_maxconn";
    case FailureReason::kQueueTimeout: return "queue_timeout";
    case FailureReason::kWebConnections: return "web_connections";
    case FailureReason::kAppBacklog: return "app_backlog";
    case FailureReason::kPoolTimeout: return "pool_timeout";
    case FailureReason::kDbConnections: return "db_connections";
    case FailureReason::kServerQueue: return "server_queue";
    case FailureReason::kCount: break;
  }
  return "unknown";
}

}  // namespace models
