#include "loader/document.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "loader/text_util.hpp"

namespace loader::detail {
namespace {

// Scenarios hold hundreds of values, but aliases can make a small file expand
// into a huge tree, and the loader copies the tree: stop long before memory
// runs out.
constexpr std::size_t kMaxNodes = 100'000;

int paren_balance(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '(')) -
         static_cast<int>(std::count(text.begin(), text.end(), ')'));
}

bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// Records where each document starts, and the first alias that refers to a
// map or list it is inside (`m: &a { nic: *a }`). yaml-cpp 0.7 accepts such
// an alias and builds a cyclic tree, which would be infinite to walk.
class DocumentScan : public YAML::EventHandler {
 public:
  explicit DocumentScan(std::vector<YAML::Mark>& starts) : starts_(starts) {}
  void OnDocumentStart(const YAML::Mark& mark) override { starts_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!self_alias_ && std::find(open_.begin(), open_.end(), anchor) != open_.end()) self_alias_ = mark;
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back(anchor);
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open_.push_back(anchor);
  }
  void OnMapEnd() override { open_.pop_back(); }

  const std::optional<YAML::Mark>& self_alias() const { return self_alias_; }

 private:
  std::vector<YAML::Mark>& starts_;
  std::vector<YAML::anchor_t> open_;  // anchors of the open maps and lists (0: none)
  std::optional<YAML::Mark> self_alias_;
};

class Builder {
 public:
  Builder(std::shared_ptr<const std::string> origin, bool positions)
      : origin_(std::move(origin)), positions_(positions) {}

  Node build(const YAML::Node& yaml, const std::string& path) {
    Node node = blank(yaml);
    if (++count_ > kMaxNodes) {
      fail_at(node, path, fmt::format("more than {} values (aliases expanding?)", kMaxNodes));
    }
    switch (yaml.Type()) {
      case YAML::NodeType::Scalar:
        node.type = Node::Type::kScalar;
        node.text = yaml.Scalar();
        break;
      case YAML::NodeType::Sequence: {
        node.type = Node::Type::kList;
        std::size_t index = 0;
        for (const auto& item : yaml) node.items.push_back(build(item, child_path(path, std::to_string(index++))));
        break;
      }
      case YAML::NodeType::Map:
        node.type = Node::Type::kMap;
        build_map(yaml, path, node);
        break;
      default:
        break;  // null (and yaml-cpp's "undefined", which parsing never yields)
    }
    return node;
  }

 private:
  Node blank(const YAML::Node& yaml) const {
    Node node;
    node.origin = origin_;
    const YAML::Mark mark = yaml.Mark();
    if (positions_ && !mark.is_null()) {
      node.line = mark.line + 1;
      node.column = mark.column + 1;
    }
    return node;
  }

  void build_map(const YAML::Node& yaml, const std::string& path, Node& node) {
    std::vector<std::pair<YAML::Node, YAML::Node>> pairs;
    for (const auto& pair : yaml) pairs.emplace_back(pair.first, pair.second);
    const bool flow = yaml.Style() == YAML::EmitterStyle::Flow;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto& [yaml_key, yaml_value] = pairs[i];
      Node key = blank(yaml_key);
      if (!yaml_key.IsScalar()) fail_at(key, path, "a key must be plain text, not a map or list");
      key.type = Node::Type::kScalar;
      key.text = yaml_key.Scalar();
      const std::string key_path = child_path(path, key.text);
      for (const auto& entry : node.entries) {
        if (entry.key.text == key.text) {
          fail_at(key, key_path,
                  entry.key.line > 0 ? fmt::format("duplicate key (first at line {})", entry.key.line)
                                     : std::string("duplicate key"));
        }
      }
      Node value = build(yaml_value, key_path);
      // Inside { } YAML ends a plain value at each comma, so
      // "{ cpu: gamma(6ms, cv=1) }" arrives as cpu: "gamma(6ms" plus a key
      // "cv=1)" without a value. Rejoin such pieces while a parenthesis is open.
      if (flow && is_plain_scalar(yaml_value)) {
        int open = paren_balance(value.text);
        while (open > 0 && i + 1 < pairs.size() && is_plain_scalar(pairs[i + 1].first) &&
               pairs[i + 1].second.IsNull()) {
          const std::string piece = pairs[++i].first.Scalar();
          value.text += ", " + piece;
          open += paren_balance(piece);
        }
      }
      // An empty value's mark points at whatever follows it; its key is the
      // better place to point at.
      if (value.type == Node::Type::kNull) {
        value.line = key.line;
        value.column = key.column;
      }
      node.entries.push_back(Entry{std::move(key), std::move(value)});
    }
  }

  std::shared_ptr<const std::string> origin_;
  bool positions_;
  std::size_t count_ = 0;
};

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

void fail_at(const Node& at, const std::string& key_path, std::string_view message, std::string_view hint) {
  throw ScenarioError(at.origin ? *at.origin : std::string(), at.line, at.column, key_path, message, hint);
}

Node parse_yaml(const std::string& yaml, std::shared_ptr<const std::string> origin, const std::string& key_path,
                bool positions) {
  const auto error_at = [&](const YAML::Mark& mark, std::string_view message) {
    const bool known = positions && !mark.is_null();
    return ScenarioError(*origin, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key_path, message);
  };
  YAML::Node document;
  std::vector<YAML::Mark> starts;
  try {
    // yaml-cpp 0.7's LoadAll never returns on a stray ',' outside a flow
    // collection: its parser keeps yielding empty documents that start at the
    // comma without consuming it. So the documents are counted here, three at
    // most, and a document starting where the previous one did means a stuck
    // parser rather than a second document.
    std::istringstream stream(yaml);
    YAML::Parser parser(stream);
    DocumentScan scan(starts);
    for (int i = 0; i < 3 && parser.HandleNextDocument(scan); ++i) {
    }
    if (scan.self_alias()) {
      throw error_at(*scan.self_alias(),
                     "this YAML alias refers to the anchor of a map or list that contains it, so its value "
                     "would contain itself");
    }
    document = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw error_at(e.mark, fmt::format("YAML syntax error: {}", e.msg));
  }
  const bool stuck = starts.size() == 3 && starts[2].pos == starts[1].pos;
  if (stuck) {
    // The parser counts positions in the text decoded to UTF-8, which for a
    // UTF-16 or UTF-32 text (a BOM, or zero bytes) may lie past its end.
    const auto at = static_cast<std::size_t>(starts[2].pos);
    const std::string found = at < yaml.size() ? in_quotes(std::string_view(yaml).substr(at, 1)) : "text";
    throw error_at(starts[2], fmt::format("YAML syntax error: unexpected {}", found));
  }
  if (starts.size() > 1) throw error_at(starts[1], "a second YAML document; expected exactly one");
  return Builder(std::move(origin), positions).build(document, key_path);
}

void apply_override(Node& root, const Override& override) {
  const auto origin = std::make_shared<const std::string>(fmt::format("--set {}={}", override.path, override.value));
  // YAML reads an empty text as null; "--set description=" means empty text.
  Node value;
  if (trim(override.value).empty()) {
    value.type = Node::Type::kScalar;
    value.origin = origin;
  } else {
    value = parse_yaml(override.value, origin, override.path, false);
  }
  Node site;  // stands for the override itself in errors about its path
  site.origin = origin;

  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = override.path.find('.', start);
    parts.push_back(override.path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  Node* current = &root;
  std::string path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    const std::string parent_path = path;
    path = child_path(path, part);
    if (current->type == Node::Type::kList) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc() || end != part.data() + part.size()) {
        fail_at(site, path,
                fmt::format("{} is a list; expected a 0-based index, found {}",
                            parent_path.empty() ? "the scenario" : parent_path, in_quotes(part)));
      }
      if (index >= current->items.size()) {
        fail_at(site, path, fmt::format("no element {}: the list has {}", index, current->items.size()));
      }
      Node& item = current->items[index];
      if (last) {
        item = std::move(value);
        return;
      }
      current = &item;
      continue;
    }
    // A section the scenario leaves out (or leaves empty) is created, as a
    // user setting `slo.latency` expects; whether its keys are valid is then
    // for validation to say, which names this override as their origin.
    if (current->type == Node::Type::kNull) {
      current->type = Node::Type::kMap;
      if (!current->origin) current->origin = origin;
    }
    if (current->type != Node::Type::kMap) {
      fail_at(site, path,
              fmt::format("{} is not a map or list, so it has no {}",
                          parent_path.empty() ? "the scenario" : parent_path, in_quotes(part)));
    }
    const auto entry = std::find_if(current->entries.begin(), current->entries.end(),
                                    [&](const Entry& e) { return e.key.text == part; });
    if (entry != current->entries.end()) {
      if (last) {
        entry->value = std::move(value);
        return;
      }
      current = &entry->value;
      continue;
    }
    // A new key (and, before the last part, a new section holding the rest).
    Node key = site;
    key.type = Node::Type::kScalar;
    key.text = part;
    if (last) {
      current->entries.push_back(Entry{std::move(key), std::move(value)});
      return;
    }
    Node section = site;
    section.type = Node::Type::kMap;
    current->entries.push_back(Entry{std::move(key), std::move(section)});
    current = &current->entries.back().value;
  }
}

}  // namespace loader::detail
