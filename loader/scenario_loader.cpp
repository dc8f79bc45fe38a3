// The scenario's top level, overrides and warnings; each section has its own
// reader (loader/sections.hpp lists them).
#include "loader/scenario_loader.hpp"

#include <memory>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "loader/document.hpp"
#include "loader/sections.hpp"
#include "loader/text_util.hpp"

namespace loader {

namespace {

std::string format_message(const std::string& file, int line, int column, const std::string& key_path,
                           std::string_view message, std::string_view hint) {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}", line);
  if (line > 0 && column > 0) out += fmt::format(":{}", column);
  if (!out.empty()) out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  if (!hint.empty()) out += fmt::format("\nhint: {}", hint);
  // File and key names come from the input as they are: whatever bytes they
  // hold, the message stays printable UTF-8.
  return detail::printable(out);
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key_path, std::string_view message,
                             std::string_view hint)
    : BadInput(format_message(file, line, column, key_path, message, hint)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_path_(std::move(key_path)) {}

namespace {

using namespace sections;

models::ScenarioConfig convert(const Node& root_node, std::filesystem::path base_dir) {
  Context ctx{std::move(base_dir), {}, {}};
  const Field root{root_node, ""};
  if (root_node.type == Node::Type::kNull) fail(root, "the scenario is empty");
  if (root_node.type != Node::Type::kMap) {
    fail(root, fmt::format("expected a map of keys such as name, machines, tiers and workload, found {}",
                           found(root_node)));
  }
  const MapReader top(root);
  top.allow_only({"name", "description", "run", "machines", "hosts", "network", "workload", "tiers", "slo", "faults"});
  const Field name = top.require("name");
  ctx.cfg.name = to_string(name);
  if (ctx.cfg.name.empty()) expected(name, "a non-empty name");
  if (const auto f = top.get("description")) ctx.cfg.description = to_string(*f);
  // Each section checks against the ones read before it: hosts name
  // machines, tiers are placed on both, classes name tiers, the SLO window
  // and the faults' times fit in the run, faults name nodes.
  if (const auto f = top.get("run")) read_run(*f, ctx);
  read_machines(top.require("machines"), ctx);
  if (const auto f = top.get("hosts")) read_hosts(*f, ctx);
  if (const auto f = top.get("network")) read_network(*f, ctx);
  read_tiers(top.require("tiers"), ctx);
  read_workload(top.require("workload"), ctx);
  if (const auto f = top.get("slo")) read_slo(*f, ctx);
  if (const auto f = top.get("faults")) read_faults(*f, ctx);
  return std::move(ctx.cfg);
}

[[noreturn]] void bad_override(std::string_view text, std::string_view message) {
  throw ScenarioError(fmt::format("--set {}", text), 0, 0, "", message);
}

}  // namespace

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) bad_override(text, "expected key.path=value");
  Override o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  std::size_t start = 0;
  for (;;) {
    const auto dot = o.path.find('.', start);
    const auto part =
        std::string_view(o.path).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || detail::trim(part).size() != part.size()) {
      bad_override(text, fmt::format("malformed key path {}: an empty part or spaces around one", in_quotes(o.path)));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return o;
}

models::ScenarioConfig load_scenario_text(std::string_view yaml, const std::string& origin,
                                          const std::filesystem::path& base_dir,
                                          const std::vector<Override>& overrides) {
  detail::Node root = detail::parse_yaml(std::string(yaml), std::make_shared<const std::string>(origin), "", true);
  for (const auto& o : overrides) detail::apply_override(root, o);
  return convert(root, base_dir);
}

models::ScenarioConfig load_scenario_file(const std::filesystem::path& file, const std::vector<Override>& overrides) {
  std::string text, error;
  if (!detail::read_text_file(file, text, error)) {
    throw ScenarioError(file.string(), 0, 0, "", fmt::format("cannot read the scenario: {}", error));
  }
  return load_scenario_text(text, file.string(), file.parent_path(), overrides);
}

std::vector<std::string> scenario_warnings(const models::ScenarioConfig& config) {
  std::vector<std::string> out;
  for (const auto& tier : config.tiers) {
    const auto* lb = std::get_if<models::HaproxyConfig>(&tier.kind);
    if (lb == nullptr || lb->server_maxconn > 0) continue;
    // HAProxy's "first" fills a server up to its maxconn before using the next;
    // without one, the first server takes everything (configuration manual, 4.2 balance).
    if (lb->balance == models::Balance::kFirst) {
      out.push_back(fmt::format("tiers.{}: balance first without server_maxconn sends every request to the first "
                                "server; set server_maxconn to spread the load",
                                tier.name));
    }
    // Requests queue for a server only when it is at its maxconn (4.2 maxqueue).
    if (lb->maxqueue > 0) {
      out.push_back(fmt::format("tiers.{}: maxqueue without server_maxconn has no effect: no server queue forms",
                                tier.name));
    }
  }
  return out;
}

}  // namespace loader
