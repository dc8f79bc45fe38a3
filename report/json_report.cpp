#include "report/json_report.hpp"

#include <string>

#include "report/metric_table.hpp"

namespace report {

nlohmann::ordered_json run_result_json(const models::RunResult& result) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  // Every value at its path, in the table's order, which is the keys' order.
  for (const RunField& f : run_fields()) {
    nlohmann::ordered_json* object = &j;
    std::string_view path = f.path;
    for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
      object = &(*object)[std::string(path.substr(0, dot))];
      path.remove_prefix(dot + 1);
    }
    nlohmann::ordered_json value;
    if (f.metric) {
      const MetricValue v = f.metric(result);
      if (v.value) value = *v.value;
    } else {
      value = f.json(result);
    }
    (*object)[std::string(path)] = std::move(value);
  }
  return j;
}

}  // namespace report
