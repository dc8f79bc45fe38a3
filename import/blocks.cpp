#include "import/blocks.hpp"

#include <fmt/format.h>

namespace config_import {

namespace {

struct Token {
  enum class Kind { kWord, kOpen, kClose, kEnd };  // kEnd: nginx's ;
  Kind kind;
  Word word;
  bool quoted = false;
};

std::vector<Token> tokenize(const std::string& text, const std::string& file, BlockSyntax syntax) {
  std::vector<Token> tokens;
  int line = 1;
  std::size_t line_start = 0;
  std::size_t i = 0;
  const auto here = [&](std::size_t at) { return Position{file, line, static_cast<int>(at - line_start) + 1}; };
  const auto is_delimiter = [&](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' ||
           (syntax == BlockSyntax::kNginx && c == ';');
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#' || (syntax == BlockSyntax::kKeepalived && c == '!')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{' || c == '}' || (syntax == BlockSyntax::kNginx && c == ';')) {
      tokens.push_back({c == '{' ? Token::Kind::kOpen : c == '}' ? Token::Kind::kClose : Token::Kind::kEnd,
                        {std::string(1, c), here(i)}});
      ++i;
    } else {
      Token token{Token::Kind::kWord, {{}, here(i)}};
      while (i < text.size() && !is_delimiter(text[i])) {
        if (text[i] == '"' || text[i] == '\'') {
          const char quote = text[i];
          const Position open = here(i);
          const int open_line = line;
          ++i;
          while (i < text.size() && text[i] != quote) {
            if (text[i] == '\\' && i + 1 < text.size() && syntax == BlockSyntax::kNginx) ++i;
            if (text[i] == '\n') {
              ++line;
              line_start = i + 1;
            }
            token.word.text += text[i++];
          }
          if (i >= text.size()) {
            throw ImportError(open, fmt::format("unterminated quote: the {} quote opened on line {} is never closed",
                                                quote == '"' ? "double" : "single", open_line));
          }
          ++i;
          token.quoted = true;
        } else if (text[i] == '\\' && syntax == BlockSyntax::kNginx && i + 1 < text.size()) {
          token.word.text += text[i + 1];
          i += 2;
        } else {
          token.word.text += text[i++];
        }
      }
      tokens.push_back(std::move(token));
    }
  }
  tokens.push_back({Token::Kind::kEnd, {"", here(i)}});  // the end of the input, see Parser::at_end
  return tokens;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, BlockSyntax syntax) : tokens_(std::move(tokens)), syntax_(syntax) {}

  std::vector<Statement> parse() {
    return block(nullptr);
  }

 private:
  bool at_end() const { return next_ + 1 >= tokens_.size(); }  // the last token is the end marker

  // Statements up to the } that closes `open` (or the end of input when `open` is null).
  std::vector<Statement> block(const Position* open) {
    std::vector<Statement> statements;
    while (!at_end()) {
      const Token& token = tokens_[next_];
      if (token.kind == Token::Kind::kClose) {
        if (!open) throw ImportError(token.word.at, "unexpected '}': no block is open here");
        ++next_;
        return statements;
      }
      if (token.kind == Token::Kind::kOpen) {
        // keepalived allows the { on the line after its keyword.
        if (syntax_ == BlockSyntax::kNginx || statements.empty() || statements.back().has_block) {
          throw ImportError(token.word.at, "'{' without a keyword before it");
        }
        ++next_;
        open_block(statements.back(), token.word.at);
        continue;
      }
      if (token.kind == Token::Kind::kEnd) throw ImportError(token.word.at, "unexpected ';' without a directive");
      statements.push_back(statement());
    }
    if (open) {
      throw ImportError(*open, syntax_ == BlockSyntax::kNginx
                                   ? "unexpected end of file: the block opened here is never closed (expecting '}')"
                                   : "unbalanced braces: the block opened here is never closed");
    }
    return statements;
  }

  void open_block(Statement& statement, const Position& at) {
    // Real configurations nest a few levels; the bound keeps a malformed file from exhausting the stack.
    if (++depth_ > kMaxDepth) throw ImportError(at, fmt::format("blocks nested more than {} deep", kMaxDepth));
    statement.has_block = true;
    statement.block_at = at;
    statement.block = block(&at);
    --depth_;
  }

  static constexpr int kMaxDepth = 64;

  Statement statement() {
    Statement result;
    const int line = tokens_[next_].word.at.line;
    while (!at_end() && tokens_[next_].kind == Token::Kind::kWord &&
           (syntax_ == BlockSyntax::kNginx || tokens_[next_].word.at.line == line)) {
      result.words.push_back(tokens_[next_++].word);
    }
    const Token& after = tokens_[next_];
    if (!at_end() && after.kind == Token::Kind::kOpen &&
        (syntax_ == BlockSyntax::kNginx || after.word.at.line == line)) {
      ++next_;
      open_block(result, after.word.at);
    } else if (syntax_ == BlockSyntax::kNginx) {
      if (!at_end() && after.kind == Token::Kind::kEnd) {
        ++next_;
      } else {
        throw ImportError(after.word.at,
                          fmt::format("\"{}\" directive is not terminated by \";\" (found {})", result.words.front().text,
                                      at_end() ? "the end of the file" : fmt::format("'{}'", after.word.text)));
      }
    }
    return result;
  }

  std::vector<Token> tokens_;
  BlockSyntax syntax_;
  std::size_t next_ = 0;
  int depth_ = 0;
};

}  // namespace

std::vector<Statement> parse_blocks(const std::string& text, const std::string& file, BlockSyntax syntax) {
  return Parser(tokenize(text, file, syntax), syntax).parse();
}

}  // namespace config_import
