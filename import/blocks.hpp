// The block grammar shared by keepalived.conf and nginx.conf: statements of
// words, some followed by a { ... } block. keepalived ends a statement at the
// end of its line; nginx at a semicolon. Comments start at # (and at ! in
// keepalived); double and single quotes group words, with backslash escapes.
//
// Hand-written: Debian 12 packages no parser for either format (each daemon
// parses its own), and the grammar is this small.
#pragma once

#include <string>
#include <vector>

#include "import/common.hpp"

namespace config_import {

struct Statement {
  std::vector<Word> words;        // the keyword first; never empty
  bool has_block = false;
  Position block_at;              // the {
  std::vector<Statement> block;
};

enum class BlockSyntax { kKeepalived, kNginx };

// Throws ImportError on an unterminated quote, an unmatched brace, a block
// without a keyword or (nginx) a statement without its semicolon.
std::vector<Statement> parse_blocks(const std::string& text, const std::string& file, BlockSyntax syntax);

}  // namespace config_import
