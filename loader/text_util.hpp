// Small text helpers shared by the scenario loader and the distribution
// parser: reading whole files, message quoting and "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loader::detail {

std::string_view trim(std::string_view text);

// Scenario and empirical data files larger than this are refused unread.
inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{64} << 20;

// Reads a whole regular file of at most kMaxInputFileBytes into `text`; on
// failure (also for a directory, device, FIFO or socket, or a larger file)
// returns false and sets `error` to the reason (e.g. "No such file or directory").
bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& error);

// The length of the well-formed UTF-8 sequence starting at text[i] (a byte
// >= 0x80), or 0 when there is none. Hand-written: a few lines against a
// dependency (ICU, Boost.Locale) for one check.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// `text` for a message: control characters other than newlines, and bytes
// that are not well-formed UTF-8, become \xNN, so a message is always
// printable UTF-8 whatever bytes the input held.
std::string printable(std::string_view text);

// `text` in double quotes for a one-line message: quotes, backslashes,
// control characters and bytes that are not UTF-8 escaped, long text shortened.
std::string in_quotes(std::string_view text);

// Why `text` is not a duration, as "expected a duration with a unit (...),
// found "5"" or "must not be negative, found "-1ms"".
std::string duration_problem(std::string_view text);

// Why `text`, a valid duration, is refused: it is longer than sim::kHorizon.
std::string horizon_problem(std::string_view text);

std::string join(const std::vector<std::string>& items, std::string_view separator);

// Optimal string alignment distance: Levenshtein plus adjacent transpositions,
// so the common typo "wrokers" is one edit from "workers".
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` within two edits (and fewer edits than
// `word` has characters, so short words do not match everything), if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace loader::detail
