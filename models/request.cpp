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
    case FailureReason::kNoServer: return "no_server";
    case FailureReason::kConnectFailed: return "connect_failed";
    case FailureReason::kServerTimeout: return "server_timeout";
    case FailureReason::kBadGateway: return "bad_gateway";
    case FailureReason::kUpstreamFailed: return "upstream_failed";
    case FailureReason::kDbUnavailable: return "db_unavailable";
    case FailureReason::kConnectionLost: return "connection_lost";
    case FailureReason::kLbUnreachable: return "lb_unreachable";
    case FailureReason::kClientTimeout: return "client_timeout";
    case FailureReason::kCircuitOpen: return "circuit_open";
    case FailureReason::kCount: break;
  }
  return "unknown";
}

}  // namespace models
