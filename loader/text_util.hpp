// Small text helpers shared by the scenario loader and the distribution
// parser: reading whole files, message quoting and "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loader::detail {

std::string_view trim(std::string_view text);

// Reads a whole file into `text`; on failure returns false and sets `error`
// to the reason (e.g. "No such file or directory").
bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& error);

// `text` in double quotes for a one-line message: quotes, backslashes and
// control characters escaped, long text shortened.
std::string in_quotes(std::string_view text);

// Why `text` is not a duration, as "expected a duration with a unit (...),
// found "5"", "must not be negative, found "-1ms"" or "duration out of
// range, ..." with the range.
std::string duration_problem(std::string_view text);

std::string join(const std::vector<std::string>& items, std::string_view separator);

// Optimal string alignment distance: Levenshtein plus adjacent transpositions,
// so the common typo "wrokers" is one edit from "workers".
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` within two edits (and fewer edits than
// `word` has characters, so short words do not match everything), if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace loader::detail
