// CSV cells (RFC 4180): quoted only when they hold a comma, a quote or a line break.
#pragma once

#include <string>
#include <string_view>

namespace experiment {

inline std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace experiment
