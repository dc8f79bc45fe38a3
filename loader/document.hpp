// A parsed YAML document as a tree that remembers, for every key and value,
// where it came from: file and position, or the --set override that put it
// there. The loader validates this tree rather than yaml-cpp's nodes so that
// overrides can replace parts of it and errors still name their true source.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loader/scenario_loader.hpp"

namespace loader::detail {

struct Entry;

struct Node {
  enum class Type { kNull, kScalar, kMap, kList };
  Type type = Type::kNull;
  std::string text;                           // kScalar
  std::vector<Entry> entries;                 // kMap, in document order
  std::vector<Node> items;                    // kList
  std::shared_ptr<const std::string> origin;  // file name or "--set path=value"
  int line = 0;                               // 1-based; 0 when unknown
  int column = 0;
};

struct Entry {
  Node key;  // a scalar
  Node value;
};

std::string child_path(std::string_view parent, std::string_view key);

[[noreturn]] void fail_at(const Node& at, const std::string& key_path, std::string_view message,
                          std::string_view hint = {});

// Parses one YAML document (none gives a null node). `origin` names it in
// errors; `key_path` is where the document sits in the scenario (empty for a
// whole file). Without `positions` (override values) nodes carry no line and
// column: their origin says where they came from.
Node parse_yaml(const std::string& yaml, std::shared_ptr<const std::string> origin, const std::string& key_path,
                bool positions);

// Puts the override's value at its path, replacing the value there or adding
// the missing keys of the path as maps (sections the scenario leaves out).
// List elements must exist; validation judges whether the new keys are known.
void apply_override(Node& root, const Override& override);

}  // namespace loader::detail
